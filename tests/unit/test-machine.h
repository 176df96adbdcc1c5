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

/*
 * Write at @addr an option-vector table as Linux's prom_init builds it
 * for ibm,client-architecture-support: 2 PVR pairs (the second ends the
 * list), 5 vectors, vector 5 asking @mmu (byte 24), @radix (26) and XIVE
 * (23; the VMM refuses it and answers XICS).
 */
static inline void test_put_cas_table(SpaprMachineState *spapr, uint64_t addr,
                                      uint8_t mmu, uint8_t radix)
{
    uint8_t t[256] = { 0 };
    size_t o = 0;
    const uint32_t pvrs[4] = { 0xffff0000, 0x004e0000, 0xfffffffe, 0x0f000001 };
    for (int i = 0; i < 4; i++, o += 4) {
        t[o] = pvrs[i] >> 24; t[o + 1] = pvrs[i] >> 16; t[o + 2] = pvrs[i] >> 8; t[o + 3] = pvrs[i];
    }
    t[o++] = 5 - 1;                 /* number of vectors - 1 */
    for (int v = 1; v <= 4; v++) {
        t[o++] = 2 - 1;             /* 2 bytes each */
        o += 2;
    }
    t[o] = 27 - 1;                  /* vector 5: bytes 1..27 */
    t[o + 23] = 0x80;
    t[o + 24] = mmu;
    t[o + 26] = radix;
    guest_write(&spapr->ram, addr, t, sizeof(t));
}

#endif
