/*
 * Unit tests for the RTAS machine-check error log encoder
 * (hw/ppc/spapr_events.c). Expected logs are written out byte by byte from
 * LoPAPR's layouts, so a change in any field shows up as a byte diff.
 */
#include "hw/ppc/spapr_events.h"

#include <errno.h>
#include <string.h>
#include <glib.h>

#define LOG_LEN SPAPR_ELOG_MCE_LEN

/* 2024-03-05 13:07:09.42 UTC, and an arbitrary platform log id */
static const SpaprElogTime fixed_time = { 2024, 3, 5, 13, 7, 9, 42 };
#define TEST_PLID 0x12345678u

#define SRR1_LOADSTORE  0x200000ULL     /* SRR1 bit 42 */
#define TEST_NIP        0xc000000000abcdefULL
#define TEST_DAR        0xc000000012345678ULL
#define TEST_RA         0x0000000012345000ULL

/*
 * Common bytes: fixed part after the summary, v6 header, PH (the
 * creation date/time and plid above) and UH header.
 */
#define EXT_LEN_128     0x00, 0x00, 0x00, 0x80
#define V6_HEADER       0x86, 0x00, 0x8E, 0x00, 0, 0, 0, 0, \
                        0, 0, 0, 0, 'I', 'B', 'M', 0x00
#define PH_SECTION      'P', 'H', 0x00, 0x30, 0x01, 0x00, 0x00, 0x00, \
                        0x20, 0x24, 0x03, 0x05, 0x13, 0x07, 0x09, 0x42, \
                        0, 0, 0, 0, 0, 0, 0, 0, \
                        'H', 0x00, 0x00, 0x03, 0, 0, 0, 0, \
                        0, 0, 0, 0, 0, 0, 0, 0, \
                        0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0
#define UH_HEADER       'U', 'H', 0x00, 0x18, 0x01, 0x00, 0x00, 0x00
#define MC_HEADER       'M', 'C', 0x00, 0x28, 0x01, 0x00, 0x00, 0x00, \
                        0, 0, 0, 0, 0, 0, 0, 0      /* fru_id, proc_id */

/* Print both images, marking differing bytes, then fail. */
static void assert_log_bytes(const uint8_t *expected, const uint8_t *actual,
                             size_t len)
{
    size_t first = 0;

    if (memcmp(expected, actual, len) == 0) {
        return;
    }
    for (size_t row = 0; row < len; row += 8) {
        GString *e = g_string_new(NULL), *a = g_string_new(NULL);
        bool diff = false;

        for (size_t i = row; i < row + 8 && i < len; i++) {
            g_string_append_printf(e, " %02x", expected[i]);
            g_string_append_printf(a, " %02x", actual[i]);
            diff |= expected[i] != actual[i];
        }
        g_test_message("+0x%02zx expected%s  actual%s%s", row, e->str,
                       a->str, diff ? "  <--" : "");
        g_string_free(e, TRUE);
        g_string_free(a, TRUE);
    }
    while (expected[first] == actual[first]) {
        first++;
    }
    g_test_message("first difference at +0x%02zx", first);
    g_assert_cmphex(actual[first], ==, expected[first]);
}

static void build_and_check(const SpaprMceInfo *mce, const uint8_t *expected)
{
    uint8_t buf[LOG_LEN];

    memset(buf, 0xAA, sizeof(buf));
    g_assert_cmpint(spapr_elog_build_mce(mce, &fixed_time, TEST_PLID,
                                         buf, sizeof(buf)), ==, LOG_LEN);
    assert_log_bytes(expected, buf, LOG_LEN);
}

static void test_ue_load_store_recovered_bytes(void)
{
    const SpaprMceInfo mce = {
        .srr1 = SRR1_LOADSTORE, .dsisr = 0x8000, .dar = TEST_DAR,
        .nip = TEST_NIP, .recovered = true,
        .ea_known = true, .ra_known = true, .ra = TEST_RA,
    };
    static const uint8_t expected[LOG_LEN] = {
        0x06, 0x64, 0x10, 0x00, EXT_LEN_128,
        V6_HEADER,
        PH_SECTION,
        UH_HEADER,
        0x10, 0x00, 0x10, 0x00,             /* processor, recovered */
        0, 0, 0, 0, 0, 0, 0x20, 0x00,       /* action: report externally */
        0, 0, 0, 0,
        MC_HEADER,
        0x00, 0x63, 0, 0, 0, 0, 0, 0,       /* UE, load/store|EA|LA */
        0xc0, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78,
        0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x50, 0x00,
    };

    build_and_check(&mce, expected);
}

static void test_slb_multihit_ifetch_not_recovered_bytes(void)
{
    const SpaprMceInfo mce = {
        /* bits outside the I-side mask must not matter */
        .srr1 = 0x8000000000001000ULL | 0xC0000, .nip = TEST_NIP,
        .dar = TEST_DAR, .dsisr = 0x8000,
    };
    static const uint8_t expected[LOG_LEN] = {
        0x06, 0x74, 0x10, 0x00, EXT_LEN_128,
        V6_HEADER,
        PH_SECTION,
        UH_HEADER,
        0x10, 0x00, 0x40, 0x00,             /* processor, unrecoverable */
        0, 0, 0, 0, 0, 0, 0xA0, 0x00,       /* service | report ext. */
        0, 0, 0, 0,
        MC_HEADER,
        0x01, 0x81, 0, 0, 0, 0, 0, 0,       /* SLB, multihit|EA */
        0xc0, 0x00, 0x00, 0x00, 0x00, 0xab, 0xcd, 0xef,
        0, 0, 0, 0, 0, 0, 0, 0,
    };

    build_and_check(&mce, expected);
}

static void test_unmatched_bytes(void)
{
    /* QEMU TCG's ifetch transaction failure: SRR1 bits 36|44|45 */
    const SpaprMceInfo mce = { .srr1 = 0x080C0000, .nip = TEST_NIP };
    static const uint8_t expected[LOG_LEN] = {
        0x06, 0x74, 0x10, 0x00, EXT_LEN_128,    /* still ERROR_SYNC */
        V6_HEADER,
        PH_SECTION,
        UH_HEADER,
        0x10, 0x00, 0x40, 0x00,
        0, 0, 0, 0, 0, 0, 0xA0, 0x00,
        0, 0, 0, 0,
        MC_HEADER,
        0x00, 0x00, 0, 0, 0, 0, 0, 0,       /* UE indeterminate, no EA */
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
    };

    build_and_check(&mce, expected);
}

/* The logical address slot is reserved for SLB/ERAT/TLB (LoPAPR). */
static void test_la_reserved_for_non_ue(void)
{
    const SpaprMceInfo mce = {
        .srr1 = SRR1_LOADSTORE, .dsisr = 0x0400, .dar = TEST_DAR,
        .ra_known = true, .ra = TEST_RA,
    };
    static const uint8_t mc_tail[24] = {
        0x04, 0x82, 0, 0, 0, 0, 0, 0,       /* TLB, multihit(2)|EA */
        0xc0, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78,
        0, 0, 0, 0, 0, 0, 0, 0,
    };
    uint8_t buf[LOG_LEN];

    g_assert_cmpint(spapr_elog_build_mce(&mce, &fixed_time, 0, buf,
                                         sizeof(buf)), ==, LOG_LEN);
    assert_log_bytes(mc_tail, buf + 96 + 16, sizeof(mc_tail));
}

static void test_bcd_creation_time(void)
{
    const SpaprElogTime t = { 1999, 12, 31, 23, 59, 59, 99 };
    const SpaprMceInfo mce = { 0 };
    static const uint8_t expected[8] = {
        0x19, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59, 0x99,
    };
    uint8_t buf[LOG_LEN];

    g_assert_cmpint(spapr_elog_build_mce(&mce, &t, 0, buf, sizeof(buf)),
                    ==, LOG_LEN);
    assert_log_bytes(expected, buf + 24 + 8, sizeof(expected));
}

static void test_enospc_short_buffer(void)
{
    const SpaprMceInfo mce = { .srr1 = 0xC0000 };
    uint8_t buf[LOG_LEN + 64];

    memset(buf, 0xAA, sizeof(buf));
    g_assert_cmpint(spapr_elog_build_mce(&mce, &fixed_time, 1, buf,
                                         LOG_LEN - 1), ==, -ENOSPC);
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xAA);
    }
    g_assert_cmpint(spapr_elog_build_mce(&mce, &fixed_time, 1, NULL, 0),
                    ==, -ENOSPC);
}

static void test_exact_length_writes_only_log(void)
{
    const SpaprMceInfo mce = { .srr1 = 0xC0000 };
    uint8_t buf[LOG_LEN + 64];

    memset(buf, 0xAA, sizeof(buf));
    g_assert_cmpint(spapr_elog_build_mce(&mce, &fixed_time, 1, buf,
                                         sizeof(buf)), ==, LOG_LEN);
    for (size_t i = LOG_LEN; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xAA);
    }
}

static uint16_t be16_at(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)be16_at(p) << 16 | be16_at(p + 2);
}

static uint64_t be64_at(const uint8_t *p)
{
    return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

/*
 * Walk the log as Linux's get_pseries_errorlog() and
 * pseries_machine_check_realmode() do; returns the MC section's offset
 * from the start of the log, or -1.
 */
static int linux_find_mc(const uint8_t *log)
{
    const uint8_t *ext = log + 8;
    uint32_t ext_len = be32_at(log + 4);

    if (!(log[1] & 0x04) || ext_len < 16 || (ext[2] & 0x0F) != 14 ||
        memcmp(ext + 12, "IBM\0", 4) != 0) {
        return -1;
    }
    for (uint32_t off = 16; off + 8 <= ext_len;) {
        uint16_t id = be16_at(ext + off), len = be16_at(ext + off + 2);

        if (id == ('M' << 8 | 'C')) {
            return 8 + off;
        }
        if (len == 0) {
            return -1;
        }
        off += len;
    }
    return -1;
}

static void test_linux_walk_finds_mc(void)
{
    const SpaprMceInfo mce = {
        .srr1 = SRR1_LOADSTORE, .dsisr = 0x4000, .dar = TEST_DAR,
        .recovered = true, .ra_known = true, .ra = TEST_RA,
    };
    uint8_t log[LOG_LEN];
    const uint8_t *mc;
    int off;

    g_assert_cmpint(spapr_elog_build_mce(&mce, &fixed_time, TEST_PLID, log,
                                         sizeof(log)), ==, LOG_LEN);
    /* rtas_error_severity/disposition/extended/initiator */
    g_assert_cmpint(log[0], ==, 6);
    g_assert_cmpint((log[1] & 0xE0) >> 5, ==, 3);       /* ERROR_SYNC */
    g_assert_cmpint((log[1] & 0x18) >> 3, ==, 0);       /* fully recovered */
    g_assert_cmpint((log[1] & 0x04) >> 2, ==, 1);
    g_assert_cmpint(log[2] >> 4, ==, 1);                /* CPU */
    g_assert_cmpuint(8 + be32_at(log + 4), ==, LOG_LEN);

    off = linux_find_mc(log);
    g_assert_cmpint(off, ==, 96);
    mc = log + off;
    g_assert_cmpint(be16_at(mc + 2), ==, 40);
    g_assert_cmpint(mc[0x10], ==, MC_ERROR_TYPE_UE);
    g_assert_cmpint(mc[0x11] & 7, ==, MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE);
    g_assert_true(mc[0x11] & MC_UE_EA_PROVIDED);
    g_assert_cmphex(be64_at(mc + 0x18), ==, TEST_DAR);
    g_assert_true(mc[0x11] & MC_UE_LA_PROVIDED);
    g_assert_cmphex(be64_at(mc + 0x20), ==, TEST_RA);
    g_assert_cmpstr(spapr_mce_subtype_name(mc[0x10], mc[0x11]), ==,
                    "Page table walk Load/Store");
}

typedef struct ClassifyCase {
    uint64_t srr1;
    uint32_t dsisr;
    bool ea_known;
    uint8_t error_type, subtype;
    bool matched, ea_valid;
    uint64_t ea;
} ClassifyCase;

static void check_cases(const ClassifyCase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ClassifyCase *t = &cases[i];
        SpaprMceInfo mce = {
            .srr1 = t->srr1, .dsisr = t->dsisr, .ea_known = t->ea_known,
            .nip = TEST_NIP, .dar = TEST_DAR,
        };
        SpaprMceClass c = spapr_mce_classify(&mce);

        if (c.error_type != t->error_type || c.subtype != t->subtype ||
            c.matched != t->matched || c.ea_valid != t->ea_valid) {
            g_test_message("case %zu: srr1 0x%" G_GINT64_MODIFIER "x dsisr "
                           "0x%x: got type %u subtype %u matched %d ea %d",
                           i, t->srr1, t->dsisr, c.error_type, c.subtype,
                           c.matched, c.ea_valid);
        }
        g_assert_cmpint(c.error_type, ==, t->error_type);
        g_assert_cmpint(c.subtype, ==, t->subtype);
        g_assert_cmpint(c.matched, ==, t->matched);
        g_assert_cmpint(c.ea_valid, ==, t->ea_valid);
        g_assert_cmphex(c.ea, ==, t->ea_valid ? t->ea : 0);
    }
}

static void test_classify_iside_table(void)
{
    static const ClassifyCase cases[] = {
        { 0x040000, 0, false, MC_ERROR_TYPE_UE, MC_ERROR_UE_IFETCH,
          true, true, TEST_NIP },
        { 0x080000, 0, false, MC_ERROR_TYPE_SLB, MC_ERROR_SLB_PARITY,
          true, true, TEST_NIP },
        { 0x0C0000, 0, false, MC_ERROR_TYPE_SLB, MC_ERROR_SLB_MULTIHIT,
          true, true, TEST_NIP },
        { 0x100000, 0, false, MC_ERROR_TYPE_ERAT, MC_ERROR_ERAT_MULTIHIT,
          true, true, TEST_NIP },
        { 0x140000, 0, false, MC_ERROR_TYPE_TLB, MC_ERROR_TLB_MULTIHIT,
          true, true, TEST_NIP },
        { 0x180000, 0, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_PAGE_TABLE_WALK_IFETCH, true, true, TEST_NIP },
        /* DSISR is ignored on the I side */
        { 0x0C0000, 0x8000, false, MC_ERROR_TYPE_SLB, MC_ERROR_SLB_MULTIHIT,
          true, true, TEST_NIP },
    };

    check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_classify_dside_bits(void)
{
    static const ClassifyCase cases[] = {
        { SRR1_LOADSTORE, 0x8000, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_LOAD_STORE, true, false, 0 },
        { SRR1_LOADSTORE, 0x4000, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0800, false, MC_ERROR_TYPE_ERAT,
          MC_ERROR_ERAT_MULTIHIT, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0400, false, MC_ERROR_TYPE_TLB,
          MC_ERROR_TLB_MULTIHIT, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0080, false, MC_ERROR_TYPE_SLB,
          MC_ERROR_SLB_MULTIHIT, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0100, false, MC_ERROR_TYPE_SLB,
          MC_ERROR_SLB_PARITY, true, true, TEST_DAR },
        /* I-side cause bits are ignored on the D side */
        { SRR1_LOADSTORE | 0x0C0000, 0x0400, false, MC_ERROR_TYPE_TLB,
          MC_ERROR_TLB_MULTIHIT, true, true, TEST_DAR },
    };

    check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_classify_dside_priority(void)
{
    static const ClassifyCase cases[] = {
        { SRR1_LOADSTORE, 0xCD80, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_LOAD_STORE, true, false, 0 },
        { SRR1_LOADSTORE, 0x4D80, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0D80, false, MC_ERROR_TYPE_ERAT,
          MC_ERROR_ERAT_MULTIHIT, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0x0580, false, MC_ERROR_TYPE_TLB,
          MC_ERROR_TLB_MULTIHIT, true, true, TEST_DAR },
        /* SLB multihit (0x80) wins over SLB parity (0x100) */
        { SRR1_LOADSTORE, 0x0180, false, MC_ERROR_TYPE_SLB,
          MC_ERROR_SLB_MULTIHIT, true, true, TEST_DAR },
    };

    check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_classify_unmatched(void)
{
    static const ClassifyCase cases[] = {
        { 0, 0, false, MC_ERROR_TYPE_UE, MC_ERROR_UE_INDETERMINATE,
          false, false, 0 },
        { 0x1C0000, 0, false, MC_ERROR_TYPE_UE, MC_ERROR_UE_INDETERMINATE,
          false, false, 0 },
        { 0x080C0000, 0, false, MC_ERROR_TYPE_UE, MC_ERROR_UE_INDETERMINATE,
          false, false, 0 },
        { SRR1_LOADSTORE, 0, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_INDETERMINATE, false, false, 0 },
        { SRR1_LOADSTORE, 0x0200, false, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_INDETERMINATE, false, false, 0 },
    };

    check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_classify_ea_known(void)
{
    static const ClassifyCase cases[] = {
        /* UE load/store gives no EA unless the source knows it */
        { SRR1_LOADSTORE, 0x8000, true, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_LOAD_STORE, true, true, TEST_DAR },
        { SRR1_LOADSTORE, 0, true, MC_ERROR_TYPE_UE,
          MC_ERROR_UE_INDETERMINATE, false, true, TEST_DAR },
        { 0, 0, true, MC_ERROR_TYPE_UE, MC_ERROR_UE_INDETERMINATE,
          false, true, TEST_NIP },
        { 0x0C0000, 0, true, MC_ERROR_TYPE_SLB, MC_ERROR_SLB_MULTIHIT,
          true, true, TEST_NIP },
    };

    check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_names_error_types(void)
{
    g_assert_cmpstr(spapr_mce_error_type_name(0), ==, "UE");
    g_assert_cmpstr(spapr_mce_error_type_name(1), ==, "SLB");
    g_assert_cmpstr(spapr_mce_error_type_name(2), ==, "ERAT");
    g_assert_cmpstr(spapr_mce_error_type_name(4), ==, "TLB");
    g_assert_cmpstr(spapr_mce_error_type_name(5), ==, "D-Cache");
    g_assert_cmpstr(spapr_mce_error_type_name(7), ==, "I-Cache");
    g_assert_cmpstr(spapr_mce_error_type_name(3), ==, "Unknown");
    g_assert_cmpstr(spapr_mce_error_type_name(6), ==, "Unknown");
    g_assert_cmpstr(spapr_mce_error_type_name(8), ==, "Unknown");
    g_assert_cmpstr(spapr_mce_error_type_name(0xFF), ==, "Unknown");
}

static void test_names_subtypes(void)
{
    static const struct { uint8_t type, sub; const char *name; } cases[] = {
        { MC_ERROR_TYPE_UE, 0, "Indeterminate" },
        { MC_ERROR_TYPE_UE, 1, "Instruction fetch" },
        { MC_ERROR_TYPE_UE, 2, "Page table walk ifetch" },
        { MC_ERROR_TYPE_UE, 3, "Load/Store" },
        { MC_ERROR_TYPE_UE, 4, "Page table walk Load/Store" },
        { MC_ERROR_TYPE_UE, 5, "Indeterminate" },
        { MC_ERROR_TYPE_UE, 0x63, "Load/Store" },   /* raw byte with flags */
        { MC_ERROR_TYPE_SLB, 0, "Parity" },
        { MC_ERROR_TYPE_SLB, 1, "Multihit" },
        { MC_ERROR_TYPE_SLB, 2, "Indeterminate" },
        { MC_ERROR_TYPE_SLB, 0x81, "Multihit" },
        { MC_ERROR_TYPE_ERAT, 0, "Indeterminate" }, /* reserved */
        { MC_ERROR_TYPE_ERAT, 1, "Parity" },
        { MC_ERROR_TYPE_ERAT, 2, "Multihit" },
        { MC_ERROR_TYPE_ERAT, 3, "Indeterminate" },
        { MC_ERROR_TYPE_TLB, 1, "Parity" },
        { MC_ERROR_TYPE_TLB, 0x82, "Multihit" },
        { MC_ERROR_TYPE_TLB, 3, "Indeterminate" },
        { MC_ERROR_TYPE_D_CACHE, 0, "Unknown" },
        { MC_ERROR_TYPE_I_CACHE, 0, "Unknown" },
        { 3, 0, "" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpstr(spapr_mce_subtype_name(cases[i].type, cases[i].sub),
                        ==, cases[i].name);
    }
}

static void test_time_now_in_range(void)
{
    SpaprElogTime t = spapr_elog_time_now();

    g_assert_cmpint(t.year, >=, 2024);
    g_assert_cmpint(t.year, <=, 9999);
    g_assert_cmpint(t.month, >=, 1);
    g_assert_cmpint(t.month, <=, 12);
    g_assert_cmpint(t.day, >=, 1);
    g_assert_cmpint(t.day, <=, 31);
    g_assert_cmpint(t.hour, <=, 23);
    g_assert_cmpint(t.minute, <=, 59);
    g_assert_cmpint(t.second, <=, 59);
    g_assert_cmpint(t.centisecond, >=, 0);
    g_assert_cmpint(t.centisecond, <=, 99);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/elog/mc/ue-load-store-recovered-bytes",
                    test_ue_load_store_recovered_bytes);
    g_test_add_func("/elog/mc/slb-multihit-ifetch-not-recovered-bytes",
                    test_slb_multihit_ifetch_not_recovered_bytes);
    g_test_add_func("/elog/mc/unmatched-bytes", test_unmatched_bytes);
    g_test_add_func("/elog/mc/la-reserved-for-non-ue",
                    test_la_reserved_for_non_ue);
    g_test_add_func("/elog/ph/bcd-creation-time", test_bcd_creation_time);
    g_test_add_func("/elog/build/enospc-short-buffer",
                    test_enospc_short_buffer);
    g_test_add_func("/elog/build/writes-nothing-past-log",
                    test_exact_length_writes_only_log);
    g_test_add_func("/elog/parse/linux-walk-finds-mc",
                    test_linux_walk_finds_mc);
    g_test_add_func("/elog/classify/iside-table", test_classify_iside_table);
    g_test_add_func("/elog/classify/dside-bits", test_classify_dside_bits);
    g_test_add_func("/elog/classify/dside-priority",
                    test_classify_dside_priority);
    g_test_add_func("/elog/classify/unmatched", test_classify_unmatched);
    g_test_add_func("/elog/classify/ea-known-always-reported",
                    test_classify_ea_known);
    g_test_add_func("/elog/names/error-types", test_names_error_types);
    g_test_add_func("/elog/names/subtypes", test_names_subtypes);
    g_test_add_func("/elog/time/now-in-range", test_time_now_in_range);
    return g_test_run();
}
