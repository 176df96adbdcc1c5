/*
 * Checking what the register probes (lib/calls.S) found.
 */
#include "guest.h"

static char why[MAX_CPUS][160];

static char *why_buf(void)
{
    struct percpu *pc = this_cpu();

    return why[pc >= percpu && pc < percpu + MAX_CPUS ? pc - percpu : 0];
}

/* Is GPR n one the probe set to canary + n (and the event must not touch)? */
static bool gpr_checked(int kind, int n)
{
    switch (kind) {
    case PROBE_BAD_LOAD:
        return n != 1 && n != 6;        /* r6 = address; r5 = canary + 5 */
    case PROBE_HCALL:
        return n == 2 || n >= 13;       /* the hcall may clobber r0, r3..r12 */
    case PROBE_SPIN:
        return n != 1 && n != 7 && n != 8 && n != 9;
    }
    return false;
}

const char *probe_check(int kind, const struct probe_regs *p, u64 canary, u64 addr)
{
    char *w = why_buf();
    size_t sz = sizeof(why[0]);

    for (int n = 0; n < 32; n++) {
        if (gpr_checked(kind, n) && p->gpr[n] != canary + n) {
            if (kind == PROBE_BAD_LOAD && n == 5) {
                snprintf(w, sz, "the faulting load retired (r5 = 0x%016lx)",
                         p->gpr[5]);
            } else {
                snprintf(w, sz, "r%d = 0x%016lx, expected 0x%016lx", n,
                         p->gpr[n], canary + n);
            }
            return w;
        }
    }
    if (kind == PROBE_BAD_LOAD && p->gpr[6] != addr) {
        snprintf(w, sz, "r6 = 0x%016lx, expected the address 0x%016lx",
                 p->gpr[6], addr);
        return w;
    }
    if (kind != PROBE_HCALL) {
        /* CR0 is the spin loop's own; the bad load leaves all of CR alone */
        u64 mask = kind == PROBE_SPIN ? 0x0FFFFFFF : 0xFFFFFFFF;

        if ((p->cr & mask) != (p->cr_before & mask)) {
            snprintf(w, sz, "CR = 0x%08lx, expected 0x%08lx", p->cr,
                     p->cr_before);
            return w;
        }
        if (p->xer != p->xer_before) {
            snprintf(w, sz, "XER = 0x%lx, expected 0x%lx", p->xer, p->xer_before);
            return w;
        }
        if (p->ctr != canary + 33) {
            snprintf(w, sz, "CTR = 0x%016lx, expected 0x%016lx", p->ctr,
                     canary + 33);
            return w;
        }
    }
    if (p->lr != canary + 34) {
        snprintf(w, sz, "LR = 0x%016lx, expected 0x%016lx", p->lr, canary + 34);
        return w;
    }
    return NULL;
}

/*
 * The interrupt state of a D-side UE raised by probe_bad_load(@addr):
 * SRR0 = the load, SRR1 = the interrupted MSR plus the load/store cause,
 * DSISR = UE, DAR = @addr. Returns NULL, or what is wrong (a static
 * buffer: one caller at a time, as the single-vCPU guests that use it).
 */
const char *probe_check_ue_entry(const struct regs *r, u64 addr, u64 interrupted_msr)
{
    static char why[160];

    if (r->nip != (u64)(uintptr_t)probe_load_insn) {
        snprintf(why, sizeof(why), "SRR0 = 0x%lx, expected the faulting load at 0x%lx",
                 r->nip, (u64)(uintptr_t)probe_load_insn);
    } else if (!(r->msr & SRR1_MC_LOADSTORE)) {
        snprintf(why, sizeof(why), "SRR1 = 0x%016lx lacks 0x200000 (D-side, load/store)",
                 r->msr);
    } else if ((r->msr & ~SRR1_CAUSE_MASK) != (interrupted_msr & ~SRR1_CAUSE_MASK)) {
        snprintf(why, sizeof(why), "SRR1 = 0x%016lx does not hold the interrupted MSR "
                 "0x%016lx", r->msr, interrupted_msr);
    } else if (r->dsisr != DSISR_MC_UE) {
        snprintf(why, sizeof(why), "DSISR = 0x%lx, expected 0x8000 (UE)", r->dsisr);
    } else if (r->dar != addr) {
        snprintf(why, sizeof(why), "DAR = 0x%lx, expected 0x%lx", r->dar, addr);
    } else {
        return NULL;
    }
    return why;
}
