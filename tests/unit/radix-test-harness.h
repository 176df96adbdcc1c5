/*
 * The interpreter harness with radix translation on, shared by the MMU
 * and TLB tests: MMU_TEST(fn) defines a GTest function whose body gets a
 * harness with the kernel linear map (radix-test-tables.h) registered as
 * PID 0's tree.
 */
#ifndef TESTS_UNIT_RADIX_TEST_HARNESS_H
#define TESTS_UNIT_RADIX_TEST_HARNESS_H

#include "../../target/ppc/interp/interp-test-harness.h"
#include "radix-test-tables.h"

#define MMU_TEST(fn)                                                        \
    static void fn##_body(InterpHarness *h, RadixTables *t);                \
    static void fn(void)                                                    \
    {                                                                       \
        InterpHarness h;                                                    \
        RadixTables t;                                                      \
        harness_init(&h);                                                   \
        rt_init(&t, &h.ram);                                                \
        rt_init_linear_map(&t);                                             \
        ppc_radix_partition_set(&h.radix, true, RT_PRTB, 0);                \
        fn##_body(&h, &t);                                                  \
        harness_cleanup(&h);                                                \
    }                                                                       \
    static void fn##_body(InterpHarness *h, RadixTables *t)

/* Store a big-endian doubleword at real address @ra. */
static inline void put64(InterpHarness *h, uint64_t ra, uint64_t v)
{
    g_assert_cmpint(guest_st_be64(&h->ram, ra, v), ==, 0);
}

#endif
