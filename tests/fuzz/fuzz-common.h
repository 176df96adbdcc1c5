/*
 * Shared set-up of the libFuzzer harnesses (tests/fuzz/, see README.md
 * "Fuzzing"): a small machine (16 MiB, 2 vCPUs, cap-fwnmi=on, no kernel,
 * qtest-style: no vCPU threads) created once per process, and the reset
 * that brings it back to the same state before every input.
 */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "migration/migration.h"
#include "hw/ppc/spapr.h"
#include "system/bql.h"
#include "system/clock.h"
#include "system/options.h"

#define FUZZ_RAM_SIZE   (16ULL << 20)

/** fuzz_machine: the process's machine, created on first use (virtual clock). */
static inline SpaprMachineState *fuzz_machine(void)
{
    static SpaprMachineState *spapr;
    if (!spapr) {
        SpaprMachineConfig cfg = {
            .ram_size = FUZZ_RAM_SIZE, .smp_cpus = 2, .caps = spapr_caps_default(),
        };
        g_autoptr(GError) err = NULL;
        vm_clock_init(true);
        /* QMP input must not write files or run exec: commands. */
        migration_set_enabled(false);
        spapr = spapr_machine_create(&cfg, &err);
        g_assert_no_error(err);
    }
    return spapr;
}

/** fuzz_reset: machine reset, running again, clean exit state. BQL held. */
static inline void fuzz_reset(SpaprMachineState *spapr)
{
    spapr_machine_reset(spapr);
    spapr->runstate = RUN_STATE_RUNNING;
    spapr->exit_code = 0;
    spapr->quit_requested = false;
    spapr->reset_requested = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
