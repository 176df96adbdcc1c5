/*
 * Hypercalls (PAPR 14.5): the console, H_SET_MODE endianness, H_CEDE,
 * H_SIGNAL_SYS_RESET and H_RTAS, plus the software CPU's hypercall hook.
 * The XICS hypercalls are in hw/intc/xics_spapr.c.
 */
#include <string.h>

#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/monitor.h"
#include "system/trace.h"
#include "target/ppc/interp.h"

#define H_P2                -55
#define H_P3                -56
#define H_P4                -57
#define H_UNSUPPORTED_FLAG  -256
#define H_SIGNAL_SYS_RESET_ALL          -1
#define H_SIGNAL_SYS_RESET_ALL_OTHERS   -2
#define TERM_CHARS_MAX      16

void spapr_console_write(SpaprMachineState *spapr, const char *buf, size_t len)
{
    if (spapr->console_write) {
        spapr->console_write(buf, len, spapr->console_opaque);
    }
}

static bool vty_termno_valid(uint64_t termno)
{
    return termno == 0 || termno == SPAPR_VTY_REG;
}

static int64_t h_put_term_char(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t *gpr = cpu->env.gpr;
    uint64_t len = gpr[5];
    char buf[TERM_CHARS_MAX];

    if (!vty_termno_valid(gpr[4]) || len > TERM_CHARS_MAX) {
        return H_PARAMETER;
    }
    /* Characters are packed into r6:r7, first one in the top byte of r6. */
    for (int i = 0; i < 8; i++) {
        buf[i] = (char)(gpr[6] >> (56 - 8 * i));
        buf[i + 8] = (char)(gpr[7] >> (56 - 8 * i));
    }
    spapr_console_write(spapr, buf, len);
    return H_SUCCESS;
}

static int64_t h_get_term_char(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t *gpr = cpu->env.gpr;
    GString *in = spapr->console_input;
    size_t n = in ? MIN(in->len, TERM_CHARS_MAX) : 0;
    uint64_t packed[2] = { 0, 0 };

    if (!vty_termno_valid(gpr[4])) {
        return H_PARAMETER;
    }
    for (size_t i = 0; i < n; i++) {
        packed[i / 8] |= (uint64_t)(uint8_t)in->str[i] << (56 - 8 * (i % 8));
    }
    if (n) {
        g_string_erase(in, 0, (gssize)n);
    }
    gpr[4] = n;
    gpr[5] = packed[0];
    gpr[6] = packed[1];
    return H_SUCCESS;
}

static void set_lpcr_ile_work(PowerPCCPU *cpu, void *opaque)
{
    if (opaque) {
        cpu->env.lpcr |= LPCR_ILE;
    } else {
        cpu->env.lpcr &= ~LPCR_ILE;
    }
}

static int64_t h_set_mode(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t *gpr = cpu->env.gpr;
    uint64_t mflags = gpr[4], resource = gpr[5];

    if (resource != H_SET_MODE_RESOURCE_LE) {
        return H_P2;
    }
    if (gpr[6] != 0) {
        return H_P3;
    }
    if (gpr[7] != 0) {
        return H_P4;
    }
    if (mflags > 1) {
        return H_UNSUPPORTED_FLAG;
    }
    /* Interrupt endianness is a partition-wide setting: every vCPU. */
    for (int i = 0; i < spapr->smp_cpus; i++) {
        PowerPCCPU *c = spapr->cpus[i];
        if (c == cpu) {
            set_lpcr_ile_work(c, GSIZE_TO_POINTER(mflags));
        } else {
            cpu_queue_work(c, set_lpcr_ile_work, GSIZE_TO_POINTER(mflags));
        }
    }
    return H_SUCCESS;
}

static int64_t h_signal_sys_reset(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    int64_t target = (int64_t)cpu->env.gpr[4];

    if (target >= 0) {
        PowerPCCPU *t = spapr_cpu_by_index(spapr, target);
        if (!t) {
            return H_PARAMETER;
        }
        spapr_system_reset_cpu(spapr, t);
        return H_SUCCESS;
    }
    if (target != H_SIGNAL_SYS_RESET_ALL && target != H_SIGNAL_SYS_RESET_ALL_OTHERS) {
        return H_PARAMETER;
    }
    for (int i = 0; i < spapr->smp_cpus; i++) {
        PowerPCCPU *t = spapr->cpus[i];
        if (t != cpu || target == H_SIGNAL_SYS_RESET_ALL) {
            spapr_system_reset_cpu(spapr, t);
        }
    }
    return H_SUCCESS;
}

static int64_t h_rtas(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t block = cpu->env.gpr[4] & PPC_REAL_ADDR_MASK;   /* as QEMU's rtas_ld */
    uint32_t token, nargs, nret;

    if (guest_ld_be32(&spapr->ram, block, &token) ||
        guest_ld_be32(&spapr->ram, block + 4, &nargs) ||
        guest_ld_be32(&spapr->ram, block + 8, &nret)) {
        return H_PARAMETER;
    }
    uint64_t args = block + 12;
    uint64_t rets = args + 4ULL * nargs;
    return spapr_rtas_call(spapr, cpu, token, nargs, args, nret, rets);
}

int64_t spapr_hypercall(SpaprMachineState *spapr, PowerPCCPU *cpu,
                        uint64_t opcode, bool *stop)
{
    *stop = false;
    switch (opcode) {
    case H_PUT_TERM_CHAR:
        return h_put_term_char(spapr, cpu);
    case H_GET_TERM_CHAR:
        return h_get_term_char(spapr, cpu);
    case H_SET_MODE:
        return h_set_mode(spapr, cpu);
    case H_CEDE:
        /* PAPR: H_CEDE enables external interrupts and idles the vCPU. */
        cpu->env.msr |= MSR_EE;
        cpu->state = CPU_STATE_HALTED;
        *stop = true;
        return H_SUCCESS;
    case H_SIGNAL_SYS_RESET:
        return h_signal_sys_reset(spapr, cpu);
    case H_CPPR:
    case H_EOI:
    case H_XIRR:
    case H_XIRR_X:
    case H_IPI:
    case H_IPOLL:
        return spapr_xics_hcall(spapr, cpu, opcode);
    case H_REGISTER_PROC_TBL:
        return h_register_proc_tbl(spapr, cpu);
    case KVMPPC_H_VOF_CLIENT:
        return spapr_vof_hcall(spapr, cpu);
    case H_RTAS: {
        int64_t ret = h_rtas(spapr, cpu);
        /* power-off, stop-self, reset or panic: leave the run loop now */
        *stop = cpu->state != CPU_STATE_RUNNING || !runstate_is_running(spapr) ||
                spapr->reset_requested;
        return ret;
    }
    default: {
        int64_t ret;
        if (spapr_fw_hcall(spapr, cpu, opcode, &ret)) {
            return ret;
        }
    }
        /* cpu->env.nip is past the sc 1 (0x44000022) already */
        trace_unimp("unimplemented", "CPU %d NIP 0x%016" G_GINT64_MODIFIER "x: "
                    "hypercall 0x%" G_GINT64_MODIFIER "x (sc 1, opcode 0x44000022)",
                    cpu->index, cpu->env.nip - 4, opcode);
        return H_FUNCTION;
    }
}

/* ---- software CPU hooks (target/ppc/interp.h), called without the BQL ---- */

bool ppc_hook_hypercall(PowerPCCPU *cpu)
{
    bool stop;

    bql_lock();
    int64_t ret = spapr_hypercall(cpu->machine, cpu, cpu->env.gpr[3], &stop);
    cpu->env.gpr[3] = (uint64_t)ret;
    if (cpu_has_work(cpu)) {
        stop = true;    /* e.g. a system reset aimed at ourselves */
    }
    bql_unlock();
    return stop;
}

void ppc_hook_machine_check_access(PowerPCCPU *cpu, uint64_t ea, uint64_t ra,
                                   PPCAccessKind kind)
{
    SpaprMceInfo info = {
        .nip = cpu->env.nip,
        /* The access was suppressed and nothing corrupted, so recovered,
         * unless the monitor poisoned the page saying otherwise. */
        .recovered = monitor_memory_error_recovered(ra),
        .ea_known = true,
        .ra_known = true,
        .ra = ra,
        .synchronous = true,
    };

    switch (kind) {
    case PPC_ACCESS_IFETCH:
        info.srr1 = SRR1_MC_IFETCH_UE;
        break;
    case PPC_ACCESS_IFETCH_TABLEWALK:
        info.srr1 = SRR1_MC_IFETCH_UE_PTW;
        break;
    case PPC_ACCESS_TABLEWALK:
        info.srr1 = SRR1_MC_LOADSTORE;
        info.dsisr = DSISR_MC_UE_TABLEWALK;
        info.dar = ea;
        break;
    default:
        info.srr1 = SRR1_MC_LOADSTORE;
        info.dsisr = DSISR_MC_UE;
        info.dar = ea;
        break;
    }
    bql_lock();
    if (spapr_mce_req_event(cpu->machine, cpu, &info) == SPAPR_MCE_IGNORED) {
        /* The access cannot complete, so "nothing delivered" would make the
         * vCPU retry it forever: a synchronous nested error is fatal. */
        g_autofree char *reason = g_strdup_printf(
            "nested synchronous machine check on CPU %d at NIP 0x%" G_GINT64_MODIFIER "x",
            cpu->index, cpu->env.nip);
        spapr_guest_panicked(cpu->machine, reason);
    }
    bql_unlock();
    /* Delivery happens from the work queue: leave the run loop at once. */
    cpu_kick(cpu);
}
