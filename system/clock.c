/* VM clock: see include/system/clock.h. */
#include "system/clock.h"

#include <glib.h>

static bool clock_virtual;
static int64_t host_start_us;
static int64_t virtual_ns;      /* atomic */

void vm_clock_init(bool is_virtual)
{
    clock_virtual = is_virtual;
    host_start_us = g_get_monotonic_time();
    __atomic_store_n(&virtual_ns, 0, __ATOMIC_RELAXED);
}

int64_t vm_clock_ns(void)
{
    if (clock_virtual) {
        return __atomic_load_n(&virtual_ns, __ATOMIC_RELAXED);
    }
    return (g_get_monotonic_time() - host_start_us) * 1000;
}

int64_t vm_clock_step(int64_t ns)
{
    if (!clock_virtual || ns < 0) {
        return vm_clock_ns();
    }
    /* Saturate at INT64_MAX: the clock is signed and must never wrap
     * to negative (qtest "clock_step 0x7fffffffffffffff" twice). */
    int64_t old = __atomic_load_n(&virtual_ns, __ATOMIC_RELAXED), new;
    do {
        if (__builtin_add_overflow(old, ns, &new)) {
            new = INT64_MAX;
        }
    } while (!__atomic_compare_exchange_n(&virtual_ns, &old, new, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return new;
}

int64_t vm_clock_set(int64_t ns)
{
    if (clock_virtual && ns > vm_clock_ns()) {
        __atomic_store_n(&virtual_ns, ns, __ATOMIC_RELAXED);
    }
    return vm_clock_ns();
}

int64_t vm_clock_restore(int64_t ns)
{
    if (clock_virtual) {
        __atomic_store_n(&virtual_ns, ns, __ATOMIC_RELAXED);
    } else {
        host_start_us = g_get_monotonic_time() - ns / 1000;
    }
    return vm_clock_ns();
}
