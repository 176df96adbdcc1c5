/*
 * Interrupt dispatch: exc_common (lib/head.S) calls exception_dispatch()
 * with the saved context. A guest handles what it expects by setting one
 * of the hooks; anything else ends the test through ibm,os-term with the
 * vector, SRR0 and SRR1.
 */
#include "guest.h"

exc_hook_t hook_fwnmi_mce, hook_fwnmi_sreset, hook_mce_0x200, hook_sreset_0x100;
exc_hook_t hook_external;
exc_hook_t hook_other;

static const char *vector_name(u64 v)
{
    switch (v) {
    case 0x100: return "system reset";
    case 0x200: return "machine check";
    case 0x300: return "data storage";
    case 0x380: return "data segment";
    case 0x400: return "instruction storage";
    case 0x480: return "instruction segment";
    case 0x500: return "external";
    case 0x600: return "alignment";
    case 0x700: return "program";
    case 0x800: return "FP unavailable";
    case 0x900: return "decrementer";
    case 0x980: return "hypervisor decrementer";
    case 0xa00: return "directed privileged doorbell";
    case 0xc00: return "system call";
    case 0xd00: return "trace";
    case 0xf00: return "performance monitor";
    case 0xf20: return "vector unavailable";
    case 0xf40: return "VSX unavailable";
    case 0xf60: return "facility unavailable";
    case VEC_FWNMI_SRESET: return "FWNMI system reset (no handler installed)";
    case VEC_FWNMI_MCE: return "FWNMI machine check (no handler installed)";
    default: return "unknown";
    }
}

void exception_dispatch(struct regs *r);
void exception_dispatch(struct regs *r)
{
    exc_hook_t hook = NULL;

    switch (r->vector) {
    case VEC_FWNMI_MCE:
        hook = hook_fwnmi_mce;
        break;
    case VEC_FWNMI_SRESET:
        hook = hook_fwnmi_sreset;
        break;
    case 0x200:
        hook = hook_mce_0x200;
        break;
    case 0x100:
        hook = hook_sreset_0x100;
        break;
    case 0x500:
        hook = hook_external;
        break;
    default:
        hook = hook_other;
        break;
    }
    if (hook) {
        struct percpu *pc = this_cpu();
        struct regs *outer = pc->cur_regs;

        pc->cur_regs = r;
        hook(r);
        pc->cur_regs = outer;
        return;
    }
    fail("CPU%lu: unexpected interrupt 0x%lx (%s): SRR0 %016lx SRR1 %016lx "
         "DAR %016lx DSISR %08lx", this_cpu()->cpu_id, r->vector,
         vector_name(r->vector), r->nip, r->msr, r->dar, r->dsisr);
}

/* lib/head.S: a FWNMI entry of the little-endian guest ran big-endian */
void wrong_endian_entry(u64 vector);
void wrong_endian_entry(u64 vector)
{
    fail("CPU%lu: %s entry point entered big-endian although H_SET_MODE "
         "set LPCR[ILE] (SRR0/SRR1 lost)", this_cpu()->cpu_id,
         vector == VEC_FWNMI_MCE ? "FWNMI machine check" : "FWNMI system reset");
}

void check_handler_msr(const char *what, bool need_me)
{
    /* as entered: exc_common sets RI once SRR0/SRR1 are saved */
    const struct regs *r = this_cpu()->cur_regs;
    u64 msr = r ? r->entry_msr : mfmsr();
    u64 must_clear = MSR_IR | MSR_DR | MSR_EE | MSR_PR | MSR_RI | MSR_HV;

    if (!(msr & MSR_SF) || (msr & must_clear) || (need_me && !(msr & MSR_ME)) ||
        !!(msr & MSR_LE) != GUEST_LE) {
        fail("CPU%lu: %s runs with MSR %016lx: expected SF%s%s set, "
             "IR DR EE PR RI HV clear", this_cpu()->cpu_id, what, msr,
             need_me ? " ME" : "", GUEST_LE ? " LE" : "");
    }
}
