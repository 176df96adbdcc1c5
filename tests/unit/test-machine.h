/*
 * A pseries machine for unit tests: FWNMI capable, on the virtual clock
 * (time moves only when a test steps it), no vCPU threads.
 */
#ifndef TESTS_UNIT_TEST_MACHINE_H
#define TESTS_UNIT_TEST_MACHINE_H

#include <glib.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/clock.h"

static inline SpaprMachineState *test_machine_new(uint64_t ram_size, int cpus)
{
    SpaprMachineConfig cfg = {
        .ram_size = ram_size, .smp_cpus = cpus, .caps = { .fwnmi = true },
    };
    g_autoptr(GError) err = NULL;
    SpaprMachineState *spapr;

    vm_clock_init(true);
    spapr = spapr_machine_create(&cfg, &err);
    g_assert_no_error(err);
    return spapr;
}

/* Run an RTAS call as @cpu with its cells in a per-vCPU scratch area at
 * 0x100000 + 0x100 * cpu; returns the call's status (rets[0]). */
static inline uint32_t rtas_as(SpaprMachineState *spapr, PowerPCCPU *cpu, uint32_t token,
                               uint32_t nargs, const uint32_t *args)
{
    uint64_t base = 0x100000 + 0x100 * (uint64_t)cpu->index;
    uint32_t status;
    for (uint32_t i = 0; i < nargs; i++) {
        guest_st_be32(&spapr->ram, base + 4 * i, args[i]);
    }
    g_assert_cmpint(spapr_rtas_call(spapr, cpu, token, nargs, base, 1,
                                    base + 4 * nargs), ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, base + 4 * nargs, &status);
    return status;
}

#endif
