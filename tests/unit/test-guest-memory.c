/*
 * Guest RAM accessors: every range is checked against the RAM size, with
 * no overflow at the top of the address space, and big-endian accessors
 * store in PAPR byte order whatever the host.
 */
#include <glib.h>

#include "system/guest-memory.h"

#define RAM (16ULL << 20)

static GuestMemory gm;

static void test_bounds_reject_outside_and_overflow(void)
{
    uint8_t buf[16] = { 0 };
    g_assert_true(guest_range_valid(&gm, 0, RAM));
    g_assert_true(guest_range_valid(&gm, RAM, 0));
    g_assert_false(guest_range_valid(&gm, RAM - 1, 2));
    g_assert_false(guest_range_valid(&gm, UINT64_MAX, 2));      /* wraps */
    g_assert_false(guest_range_valid(&gm, 8, UINT64_MAX - 4));   /* wraps */
    g_assert_cmpint(guest_read(&gm, RAM - 8, buf, 16), ==, -EFAULT);
    g_assert_cmpint(guest_write(&gm, UINT64_MAX - 3, buf, 8), ==, -EFAULT);
    g_assert_cmpint(guest_fill(&gm, RAM, 0, 1), ==, -EFAULT);
    g_assert_null(guest_ptr(&gm, RAM - 3, 4));
}

static void test_be_accessors_store_big_endian(void)
{
    uint8_t bytes[8];
    uint64_t v64;
    uint32_t v32;
    uint16_t v16;

    g_assert_cmpint(guest_st_be64(&gm, 0x1000, 0x0102030405060708ULL), ==, 0);
    g_assert_cmpint(guest_read(&gm, 0x1000, bytes, 8), ==, 0);
    for (int i = 0; i < 8; i++) {
        g_assert_cmpuint(bytes[i], ==, i + 1);
    }
    g_assert_cmpint(guest_ld_be32(&gm, 0x1004, &v32), ==, 0);
    g_assert_cmphex(v32, ==, 0x05060708);
    g_assert_cmpint(guest_ld_be16(&gm, 0x1000, &v16), ==, 0);
    g_assert_cmphex(v16, ==, 0x0102);
    g_assert_cmpint(guest_ld_be64(&gm, 0x1000, &v64), ==, 0);
    g_assert_cmphex(v64, ==, 0x0102030405060708ULL);
    v32 = 0xdeadbeef;
    g_assert_cmpint(guest_ld_be32(&gm, RAM - 2, &v32), ==, -EFAULT);
    g_assert_cmphex(v32, ==, 0xdeadbeef);    /* untouched on error */
}

static void test_poison_reported_once_per_page(void)
{
    g_assert_false(guest_poison_take(&gm, 0x5000, 8));
    g_assert_cmpint(guest_poison_page(&gm, 0x5123), ==, 0);
    g_assert_cmpint(guest_poison_page(&gm, RAM), ==, -EFAULT);
    g_assert_false(guest_poison_take(&gm, 0x4ff8, 8));      /* page before */
    g_assert_true(guest_poison_take(&gm, 0x4ffc, 8));       /* straddles */
    g_assert_false(guest_poison_take(&gm, 0x5000, 8));      /* healed */
    g_assert_cmpint(guest_poison_page(&gm, 0x9000), ==, 0);
    guest_poison_clear(&gm);
    g_assert_false(guest_poison_take(&gm, 0x9000, 1));
}

static void test_clear_zeroes_ram(void)
{
    guest_st_be64(&gm, 0x2000, 0x1122334455667788ULL);
    guest_memory_clear(&gm);
    uint64_t v;
    guest_ld_be64(&gm, 0x2000, &v);
    g_assert_cmphex(v, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(guest_memory_init(&gm, RAM), ==, 0);
    g_test_add_func("/guest-memory/bounds/reject-outside-and-overflow",
                    test_bounds_reject_outside_and_overflow);
    g_test_add_func("/guest-memory/be/store-big-endian", test_be_accessors_store_big_endian);
    g_test_add_func("/guest-memory/poison/reported-once-per-page",
                    test_poison_reported_once_per_page);
    g_test_add_func("/guest-memory/clear/zeroes-ram", test_clear_zeroes_ram);
    int ret = g_test_run();
    guest_memory_destroy(&gm);
    return ret;
}
