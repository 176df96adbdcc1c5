/*
 * RTAS call table and dispatcher (see include/hw/ppc/spapr_rtas.h).
 * The table is filled once at start-up, before any thread runs, and only
 * read afterwards, so it needs no lock.
 */
#include "hw/ppc/spapr_rtas.h"

#include <string.h>
#include <glib.h>

#include "hw/ppc/spapr.h"
#include "system/trace.h"
#include "target/ppc/kvm_ppc.h"

typedef struct SpaprRtasEntry {
    const char *name;
    SpaprRtasFn fn;
} SpaprRtasEntry;

static SpaprRtasEntry rtas_table[RTAS_TOKEN_MAX - RTAS_TOKEN_BASE];

void spapr_rtas_register(uint32_t token, const char *name, SpaprRtasFn fn)
{
    g_assert(token >= RTAS_TOKEN_BASE && token < RTAS_TOKEN_MAX);
    SpaprRtasEntry *e = &rtas_table[token - RTAS_TOKEN_BASE];
    g_assert(e->name == NULL || strcmp(e->name, name) == 0);
    e->name = name;
    e->fn = fn;
}

uint32_t spapr_rtas_token(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rtas_table); i++) {
        if (rtas_table[i].name && strcmp(rtas_table[i].name, name) == 0) {
            return RTAS_TOKEN_BASE + (uint32_t)i;
        }
    }
    return 0;
}

void spapr_rtas_foreach(void (*fn)(const char *name, uint32_t token, void *opaque),
                        void *opaque)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rtas_table); i++) {
        if (rtas_table[i].name) {
            fn(rtas_table[i].name, RTAS_TOKEN_BASE + (uint32_t)i, opaque);
        }
    }
}

bool spapr_rtas_check_args(SpaprRtasCall *call, uint32_t nargs, uint32_t nret)
{
    if (call->nargs == nargs && call->nret == nret) {
        return true;
    }
    if (call->nret >= 1) {
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
    }
    return false;
}

static const SpaprRtasEntry *rtas_lookup(uint32_t token)
{
    if (token < RTAS_TOKEN_BASE || token >= RTAS_TOKEN_MAX) {
        return NULL;
    }
    const SpaprRtasEntry *e = &rtas_table[token - RTAS_TOKEN_BASE];
    return e->fn ? e : NULL;
}

static bool rtas_read_cells(GuestMemory *ram, uint64_t addr, uint32_t *cells,
                            uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (guest_ld_be32(ram, addr + 4ULL * i, &cells[i]) != 0) {
            return false;
        }
    }
    return true;
}

int64_t spapr_rtas_call(SpaprMachineState *spapr, PowerPCCPU *cpu,
                        uint32_t token, uint32_t nargs, uint64_t args_addr,
                        uint32_t nret, uint64_t rets_addr)
{
    GuestMemory *ram = &spapr->ram;
    SpaprRtasCall call = { .token = token, .nargs = nargs, .nret = nret };

    /* Validate the whole block before touching anything. */
    if (nargs > RTAS_MAX_CELLS || nret > RTAS_MAX_CELLS ||
        !guest_range_valid(ram, args_addr, 4ULL * nargs) ||
        !guest_range_valid(ram, rets_addr, 4ULL * nret) ||
        !rtas_read_cells(ram, args_addr, call.args, nargs)) {
        trace_guest_error("RTAS: argument block out of RAM or too large "
                          "(token 0x%x nargs %u nret %u args 0x%" G_GINT64_MODIFIER "x)",
                          token, nargs, nret, args_addr);
        return H_PARAMETER;
    }

    const SpaprRtasEntry *e = rtas_lookup(token);
    if (e) {
        trace_event("rtas", "cpu %d %s nargs %u nret %u", cpu ? cpu->index : -1,
                    e->name, nargs, nret);
        e->fn(spapr, cpu, &call);
    } else {
        trace_guest_error("RTAS: unknown token 0x%x", token);
        if (nret >= 1) {
            call.rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        }
    }

    for (uint32_t i = 0; i < nret; i++) {
        guest_st_be32(ram, rets_addr + 4ULL * i, call.rets[i]);
    }
    return H_SUCCESS;
}

/* ---- FWNMI (LoPAPR 7.3.14): ibm,nmi-register and ibm,nmi-interlock ---- */


static bool fwnmi_handler_addr_valid(SpaprMachineState *spapr, uint64_t addr)
{
    /* LoPAPR: real addresses in the first 32 MiB; also inside the RMA
     * (real mode) and word aligned, since it is where execution goes. */
    return addr < FWNMI_HANDLER_LIMIT && addr < spapr->rma_size &&
           (addr & 3) == 0;
}

static void rtas_ibm_nmi_register(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                  SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 2, 1)) {
        return;
    }
    if (!spapr->caps.fwnmi) {
        call->rets[0] = (uint32_t)RTAS_OUT_NOT_SUPPORTED;
        return;
    }
    uint64_t sreset = call->args[0], mce = call->args[1];
    if (!fwnmi_handler_addr_valid(spapr, sreset) ||
        !fwnmi_handler_addr_valid(spapr, mce)) {
        trace_guest_error("FWNMI: ibm,nmi-register: handler 0x%" G_GINT64_MODIFIER
                          "x/0x%" G_GINT64_MODIFIER "x not a word-aligned real "
                          "address below 32 MiB and the RMA", sreset, mce);
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    /*
     * As QEMU: only now ask KVM to hand machine checks to us (until then
     * the kernel delivers 0x200 itself), through the calling vCPU, which
     * is on its own thread and not in KVM_RUN. Failing that, -3.
     */
    if (kvm_enabled() && kvm_ppc_set_fwnmi(cpu) < 0) {
        error_report("FWNMI: ibm,nmi-register: KVM_CAP_PPC_FWNMI could not be enabled");
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    spapr->fwnmi.sreset_addr = sreset;
    spapr->fwnmi.mce_addr = mce;
    spapr_fwnmi_guard_note(spapr, sreset, mce);
    trace_event("fwnmi", "cpu %d registered sreset 0x%" G_GINT64_MODIFIER
                "x mce 0x%" G_GINT64_MODIFIER "x", cpu->index, sreset, mce);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

static void rtas_ibm_nmi_interlock(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                   SpaprRtasCall *call)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    if (!spapr_rtas_check_args(call, 0, 1)) {
        return;
    }
    if (!spapr->caps.fwnmi) {
        call->rets[0] = (uint32_t)RTAS_OUT_NOT_SUPPORTED;
        return;
    }
    if (f->mce_addr == FWNMI_ADDR_NONE) {
        trace_guest_error("FWNMI: ibm,nmi-interlock called with FWNMI not registered");
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    /* A caller that does not hold the buffer gets success, as PowerVM and
     * QEMU answer: older Linux interlocks after system resets too, and an
     * error would make it print "nmi-interlock failed". */
    if (f->interlock_holder == cpu->index && f->holder_entered) {
        spapr_fwnmi_release(spapr);
    }
    call->rets[0] = RTAS_OUT_SUCCESS;
}

void spapr_rtas_register_fwnmi(void)
{
    spapr_rtas_register(RTAS_IBM_NMI_REGISTER, "ibm,nmi-register",
                        rtas_ibm_nmi_register);
    spapr_rtas_register(RTAS_IBM_NMI_INTERLOCK, "ibm,nmi-interlock",
                        rtas_ibm_nmi_interlock);
}
