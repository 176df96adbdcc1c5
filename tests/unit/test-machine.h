/*
 * A pseries machine for unit tests: FWNMI capable, on the virtual clock
 * (time moves only when a test steps it), no vCPU threads.
 */
#ifndef TESTS_UNIT_TEST_MACHINE_H
#define TESTS_UNIT_TEST_MACHINE_H

#include <glib.h>

#include "hw/ppc/spapr.h"
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

#endif
