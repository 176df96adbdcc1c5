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
