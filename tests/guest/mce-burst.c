/*
 * mce-burst: machine checks injected from outside (QMP x-inject-mce) in
 * bursts, while every vCPU spins; see tests/guest/burst-test.py.
 *
 * Each vCPU counts the FWNMI machine checks its handler saw, checks that
 * the log it was handed is consistent with the registers (the log's EA is
 * the DAR the VMM set) and that no other vCPU holds the log at the same
 * time, and interlocks. A machine check whose EA is BURST_DONE_EA tells
 * vCPU 0 that the driver has finished: it prints every vCPU's count and
 * powers off. The driver compares those counts with the VMM's query-fwnmi
 * counters and its FWNMI_MACHINE_CHECK events.
 */
#include "guest.h"

/*
 * Built with BURST_FUZZ it is the fuzz guest: every vCPU runs random
 * instructions, SPR moves, hypercalls and RTAS calls (fuzz-ops.c) instead
 * of spinning, while the same driver injects and counts.
 */
#ifdef BURST_FUZZ
const char guest_name[] = "fuzz-guest";
void fuzz_init(void);
void fuzz_step(struct percpu *pc);
void fuzz_interrupt(struct regs *r);
void fuzz_report(int ncpus);
void fuzz_own_fault(const struct regs *r) __attribute__((noreturn));
#else
const char guest_name[] = "mce-burst";
#endif

#define BURST_DONE_EA   0xD0E0000UL

static volatile u64 holder;     /* vCPU id + 1 holding the log, 0 if none */
static volatile u64 done;
static volatile u64 started_cpus;

static void burst_mce(struct regs *r)
{
    struct percpu *pc = this_cpu();
    u64 me = pc->cpu_id;
    struct mce_event ev;
    int rc;

    check_handler_msr("machine check handler", true);
    /* The VMM holds injected machine checks until MSR[RI]=1 */
    CHECK(r->msr & MSR_RI, "CPU%lu: machine check at 0x%lx with SRR1[RI]=0 "
          "(unrecoverable)", me, r->nip);
    fwnmi_take_log(r, &ev);
#ifdef BURST_FUZZ
    if (r->dsisr & DSISR_MC_UE) {       /* a load/store of its own, not injected */
        fuzz_own_fault(r);
    }
#endif
    if (!atomic_cas(&holder, 0, me + 1)) {
        fail("CPU%lu got a machine check while CPU%lu still held the error "
             "log", me, holder - 1);
    }
    CHECK(ev.have_mc && ev.error_type == MC_TYPE_UE && ev.ea_valid,
          "CPU%lu: the log is not a UE with an EA (MC %d, type %u, sub 0x%x)",
          me, ev.have_mc, ev.error_type, ev.sub_err_type);
    CHECK(ev.ea == r->dar, "CPU%lu: the log's EA 0x%lx is not DAR 0x%lx", me,
          ev.ea, r->dar);
    pc->mce_count++;
    if (ev.ea == BURST_DONE_EA && me == machine.cpu_ids[0]) {
        done = 1;
    }
    smp_mb();
    holder = 0;
    smp_mb();
    rc = fwnmi_interlock();
    CHECK(rc == 0, "CPU%lu: ibm,nmi-interlock returned %d", me, rc);
    /* return to the interrupted instruction: an injected error stopped it
     * before it executed */
}

/* One step of a vCPU's work between machine checks */
static void work(struct percpu *pc)
{
    pc->result++;               /* heartbeat: the vCPU keeps running */
#ifdef BURST_FUZZ
    fuzz_step(pc);
#else
    cpu_relax();
#endif
}

static void spin(struct percpu *pc)
{
    atomic_inc(&started_cpus);
    for (;;) {
        work(pc);
    }
}

int guest_main(void)
{
    int n = machine.ncpus, rc;
    u64 total = 0;

    hook_fwnmi_mce = burst_mce;
#ifdef BURST_FUZZ
    hook_other = fuzz_interrupt;
    fuzz_init();
#endif
    rc = fwnmi_register();
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);
    for (int i = 1; i < n; i++) {
        rc = smp_start_cpu(i, spin, 0);
        CHECK(rc == 0, "start-cpu of CPU%u returned %d", machine.cpu_ids[i], rc);
    }
    CHECK(wait_until(&started_cpus, (u64)(n - 1), 5000),
          "only %lu of %d secondary vCPUs started", started_cpus, n - 1);
    printf("%s: ready, %d vCPUs (%s)\n", guest_name, n, GUEST_ENDIAN);
    while (!done) {
        work(&percpu[0]);
    }
    for (int i = 0; i < n; i++) {
        printf("%s: CPU%u: %lu machine checks, heartbeat %s\n", guest_name,
               (unsigned)percpu[i].cpu_id, percpu[i].mce_count,
               percpu[i].result ? "yes" : "no");
        total += percpu[i].mce_count;
    }
#ifdef BURST_FUZZ
    fuzz_report(n);
#endif
    printf("%s: total %lu machine checks; powering off\n", guest_name, total);
    return 0;
}
