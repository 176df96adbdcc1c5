/*
 * FWNMI error logs seen from the guest side: how SRR1/DSISR are classified
 * into the "MC" section, the register state at handler entry, the saved R3
 * at the head of the buffer, where the buffer sits in the RTAS area, and
 * the whole log byte for byte.
 *
 * Registration, the interlock and queue, nested machine checks, the
 * architected fallbacks, system reset and the stress run are in
 * fwnmi-test.c; both share fwnmi-helpers.h.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fwnmi-helpers.h"

/* ---- classification: SRR1/DSISR -> MC section ---- */

enum { EA_NONE, EA_NIP, EA_DAR };

typedef struct MceCase {
    const char *name;
    uint64_t srr1;
    uint32_t dsisr;
    uint8_t error_type;
    uint8_t sub_err_type;       /* subtype | EA flag */
    int ea;
} MceCase;

static const MceCase mce_cases[] = {
    /* I side: SRR1 & 0x081C0000; the EA is the interrupted NIP */
    { "iside/ue-ifetch", 0x40000, 0, MC_UE, UE_EA_PROVIDED | 1, EA_NIP },
    { "iside/slb-parity", 0x80000, 0, MC_SLB, EA_PROVIDED | 0, EA_NIP },
    { "iside/slb-multihit", 0xC0000, 0, MC_SLB, EA_PROVIDED | 1, EA_NIP },
    { "iside/erat-multihit", 0x100000, 0, MC_ERAT, EA_PROVIDED | 2, EA_NIP },
    { "iside/tlb-multihit", 0x140000, 0, MC_TLB, EA_PROVIDED | 2, EA_NIP },
    { "iside/ue-page-table-walk-ifetch", 0x180000, 0, MC_UE, UE_EA_PROVIDED | 2, EA_NIP },
    { "iside/unmatched-0x1c0000-is-ue-indeterminate", 0x1C0000, 0, MC_UE, 0, EA_NONE },
    { "iside/unmatched-with-bit36-is-ue-indeterminate", 0x08040000, 0, MC_UE, 0, EA_NONE },
    { "iside/no-cause-is-ue-indeterminate", 0, 0, MC_UE, 0, EA_NONE },
    /* D side: SRR1 bit 42, DSISR bits in priority order; the EA is DAR */
    { "dside/ue-load-store-without-ea", SRR1_LOADSTORE, 0x8000, MC_UE, 3, EA_NONE },
    { "dside/ue-page-table-walk-load-store", SRR1_LOADSTORE, 0x4000, MC_UE,
      UE_EA_PROVIDED | 4, EA_DAR },
    { "dside/erat-multihit", SRR1_LOADSTORE, 0x800, MC_ERAT, EA_PROVIDED | 2, EA_DAR },
    { "dside/tlb-multihit", SRR1_LOADSTORE, 0x400, MC_TLB, EA_PROVIDED | 2, EA_DAR },
    { "dside/slb-multihit", SRR1_LOADSTORE, 0x80, MC_SLB, EA_PROVIDED | 1, EA_DAR },
    { "dside/slb-parity", SRR1_LOADSTORE, 0x100, MC_SLB, EA_PROVIDED | 0, EA_DAR },
    { "dside/no-cause-is-ue-indeterminate", SRR1_LOADSTORE, 0, MC_UE, 0, EA_NONE },
    { "dside/unlisted-dsisr-bits-are-ue-indeterminate", SRR1_LOADSTORE, 0x02000040,
      MC_UE, 0, EA_NONE },
    { "dside/priority/ue-first", SRR1_LOADSTORE, 0xCD80, MC_UE, 3, EA_NONE },
    { "dside/priority/page-table-walk-before-erat", SRR1_LOADSTORE, 0x4D80, MC_UE,
      UE_EA_PROVIDED | 4, EA_DAR },
    { "dside/priority/erat-before-tlb-and-slb", SRR1_LOADSTORE, 0xD80, MC_ERAT,
      EA_PROVIDED | 2, EA_DAR },
    { "dside/priority/tlb-before-slb", SRR1_LOADSTORE, 0x580, MC_TLB,
      EA_PROVIDED | 2, EA_DAR },
    { "dside/priority/slb-multihit-before-parity", SRR1_LOADSTORE, 0x180, MC_SLB,
      EA_PROVIDED | 1, EA_DAR },
    { "dside/srr1-bit42-overrides-iside-cause", SRR1_LOADSTORE | 0xC0000, 0x400, MC_TLB,
      EA_PROVIDED | 2, EA_DAR },
};

/* Each case recovered, then (after the interlock) not recovered: the MC
 * section is the same, the summary word's disposition differs. */
static void test_mce_classification(const void *data)
{
    const MceCase *c = data;
    QTestState *qts = qtest_init_running(NULL);
    RtasArea a = rtas_area(qts);
    uint64_t expected_ea = c->ea == EA_NIP ? OLD_NIP : c->ea == EA_DAR ? OLD_DAR : 0;

    register_handlers(qts);
    for (int recovered = 1; recovered >= 0; recovered--) {
        GuestMceLog l;
        g_test_message("%s", recovered ? "recovered" : "not recovered");
        set_context(qts, 0, OLD_NIP, KERNEL_MSR, OLD_R3);
        assert_mce(qts, 0, c->srr1, c->dsisr, OLD_DAR, recovered, "delivered");
        read_delivered_log(qts, &a, 0, &l);
        g_assert_cmphex(l.summary, ==, recovered ? SUMMARY_RECOVERED : SUMMARY_NOT_RECOVERED);
        g_assert_cmpuint(l.error_type, ==, c->error_type);
        g_assert_cmphex(l.sub_err_type, ==, c->sub_err_type);
        g_assert_cmphex(l.ea, ==, expected_ea);
        g_assert_cmphex(l.la, ==, 0);
        g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    }
    qtest_quit(qts);
}

/* ---- handler entry state ---- */

typedef struct EntryCase {
    uint64_t old_msr;
    uint64_t lpcr;
    uint64_t expected_msr;
} EntryCase;

static const EntryCase entry_64bit = { KERNEL_MSR | MSR_PR, 0, MSR_SF | MSR_ME };
static const EntryCase entry_32bit = { KERNEL_MSR & ~MSR_SF, 0, MSR_ME };
static const EntryCase entry_ile = { KERNEL_MSR, LPCR_ILE, MSR_SF | MSR_ME | MSR_LE };

/*
 * At the handler: NIP = handler, R3 = buffer, SRR0 = interrupted NIP,
 * SRR1 = interrupted MSR with the cause bits replaced, DAR/DSISR as
 * reported, real mode with ME (and SF kept, LE from LPCR[ILE]); other
 * registers untouched. The given SRR1 carries junk outside the cause bits,
 * which must not leak in.
 */
static void test_mce_entry_state(const void *data)
{
    const EntryCase *e = data;
    QTestState *qts = qtest_init_running("-smp 2");
    RtasArea a = rtas_area(qts);
    const uint64_t given_srr1 = 0x8000000000000002ULL | SRR1_LOADSTORE | 0x00040000;
    const uint32_t dsisr = 0x4000;

    register_handlers(qts);
    set_context(qts, 1, OLD_NIP, e->old_msr, OLD_R3);
    qtest_cpu_set(qts, 1, "lpcr", e->lpcr);
    qtest_cpu_set(qts, 1, "r4", 0x4444);
    qtest_cpu_set(qts, 1, "lr", 0x1111);
    assert_mce(qts, 1, given_srr1, dsisr, OLD_DAR, true, "delivered");

    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, MCE_HANDLER);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "r3"), ==, a.base + LOG_BUFFER_OFFSET);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "srr0"), ==, OLD_NIP);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "srr1"), ==,
                    (e->old_msr & ~SRR1_CAUSE_MASK) | (given_srr1 & SRR1_CAUSE_MASK));
    g_assert_cmphex(qtest_cpu_get(qts, 1, "dar"), ==, OLD_DAR);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "dsisr"), ==, dsisr);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "msr"), ==, e->expected_msr);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "r4"), ==, 0x4444);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "lr"), ==, 0x1111);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "lpcr"), ==, e->lpcr);
    /* vCPU 0 is not involved */
    g_assert_cmphex(qtest_cpu_get(qts, 0, "nip"), !=, MCE_HANDLER);
    /* The log is big-endian whatever the handler's endianness. */
    GuestMceLog l;
    read_guest_log(qts, &a, a.base + LOG_BUFFER_OFFSET, &l);
    g_assert_cmphex(l.summary, ==, SUMMARY_RECOVERED);
    g_assert_cmphex(l.ea, ==, OLD_DAR);
    qtest_quit(qts);
}

/* The buffer starts with the interrupted R3, which the handler restores. */
static void test_mce_buffer_saves_r3(void)
{
    QTestState *qts = qtest_init_running(NULL);
    RtasArea a = rtas_area(qts);
    GuestMceLog l;

    register_handlers(qts);
    set_context(qts, 0, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    g_assert_cmphex(qtest_readq(qts, a.base + LOG_BUFFER_OFFSET), ==, OLD_R3);
    read_delivered_log(qts, &a, 0, &l);
    g_assert_cmphex(l.saved_r3, ==, OLD_R3);
    qtest_quit(qts);
}

/* Linux accepts R3 only in [rtas.base, rtas.base + rtas.size - 16]; the
 * log it then copies (8 + extended length) stays in the area too. */
static void test_mce_buffer_inside_rtas_area(const void *data)
{
    const char *mem = data;
    QTestState *qts = qtest_initf_running("-m %s -smp 64", mem);
    RtasArea a = rtas_area(qts);
    uint64_t r3;

    register_handlers(qts);
    assert_mce(qts, 63, 0xC0000, 0, 0, false, "delivered");
    r3 = qtest_cpu_get(qts, 63, "r3");
    g_assert_cmphex(r3, >=, a.base);
    g_assert_cmphex(r3, <=, a.base + a.size - 16);
    GuestMceLog l;
    read_guest_log(qts, &a, r3, &l);
    g_assert_true(l.valid);
    g_assert_cmphex(r3 + 8 + 8 + l.ext_len, <=, a.base + a.size);
    qtest_quit(qts);
}

/* ---- the whole log, byte for byte ---- */

#define PH_DATE     32          /* log offsets of the variable PH fields */
#define PH_TIME     36
#define PH_PLID     64
#define LOG_LEN     136

#define FIXED(summary) (summary) >> 24, ((summary) >> 16) & 0xFF, \
                       ((summary) >> 8) & 0xFF, (summary) & 0xFF, 0, 0, 0, 0x80
#define V6_HEADER   0x86, 0x00, 0x8E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'I', 'B', 'M', 0
#define PH_SECTION  'P', 'H', 0x00, 0x30, 0x01, 0x00, 0x00, 0x00, \
                    0, 0, 0, 0, 0, 0, 0, 0,     /* date, time: checked apart */ \
                    0, 0, 0, 0, 0, 0, 0, 0, \
                    'H', 0, 0, 3, 0, 0, 0, 0,   /* creator, section count */ \
                    0, 0, 0, 0, 0, 0, 0, 0, \
                    0, 0, 0, 0, 0, 0, 0, 0      /* plid: checked apart */
#define UH_SECTION(severity, action) \
                    'U', 'H', 0x00, 0x18, 0x01, 0x00, 0x00, 0x00, \
                    0x10, 0x00, (severity), 0x00, 0, 0, 0, 0, \
                    0, 0, (action) >> 8, (action) & 0xFF, 0, 0, 0, 0
#define MC_HEADER   'M', 'C', 0x00, 0x28, 0x01, 0x00, 0x00, 0x00, \
                    0, 0, 0, 0, 0, 0, 0, 0      /* fru_id, proc_id */

/* I-side SLB multihit, recovered: EA = NIP 0xC000000000123450 */
static const uint8_t log_recovered_slb[LOG_LEN] = {
    FIXED(SUMMARY_RECOVERED), V6_HEADER, PH_SECTION,
    UH_SECTION(0x10, 0x2000),           /* recovered; report externally */
    MC_HEADER, MC_SLB, EA_PROVIDED | 1, 0, 0, 0, 0, 0, 0,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x50,
    0, 0, 0, 0, 0, 0, 0, 0,
};

/* D-side UE load/store, not recovered: no EA */
static const uint8_t log_unrecovered_ue[LOG_LEN] = {
    FIXED(SUMMARY_NOT_RECOVERED), V6_HEADER, PH_SECTION,
    UH_SECTION(0x40, 0xA000),           /* unrecoverable; service, report */
    MC_HEADER, MC_UE, 3, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
};

typedef struct LogCase {
    uint64_t srr1;
    uint32_t dsisr;
    bool recovered;
    const uint8_t *expected;
} LogCase;

static const LogCase log_case_recovered = { 0xC0000, 0, true, log_recovered_slb };
static const LogCase log_case_unrecovered = { SRR1_LOADSTORE, 0x8000, false,
                                              log_unrecovered_ue };

static bool bcd_ok(uint8_t b, int max)
{
    return (b >> 4) <= 9 && (b & 0xF) <= 9 && (b >> 4) * 10 + (b & 0xF) <= max;
}

static void assert_log_matches(const uint8_t *actual, const uint8_t *expected)
{
    bool same = true;

    for (int i = 0; i < LOG_LEN; i++) {
        bool variable = (i >= PH_DATE && i < PH_TIME + 4) || (i >= PH_PLID && i < PH_PLID + 4);
        if (!variable && actual[i] != expected[i]) {
            g_test_message("log byte +0x%02x: expected 0x%02x, actual 0x%02x", i,
                           expected[i], actual[i]);
            same = false;
        }
    }
    g_assert_true(same);
}

static void test_log_full_bytes(const void *data)
{
    const LogCase *c = data;
    QTestState *qts = qtest_init_running(NULL);
    RtasArea a = rtas_area(qts);
    uint8_t log[LOG_LEN], second[LOG_LEN];
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    register_handlers(qts);
    set_context(qts, 0, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 0, c->srr1, c->dsisr, OLD_DAR, c->recovered, "delivered");
    qtest_memread(qts, a.base + LOG_BUFFER_OFFSET + 8, log, sizeof(log));
    assert_log_matches(log, c->expected);

    /* PH creation date and time: BCD, today (UTC, a day of slack) */
    const uint8_t *d = &log[PH_DATE], *t = &log[PH_TIME];
    int year = ((d[0] >> 4) * 10 + (d[0] & 0xF)) * 100 + (d[1] >> 4) * 10 + (d[1] & 0xF);
    g_assert_true(bcd_ok(d[0], 99) && bcd_ok(d[1], 99));
    g_assert_true(bcd_ok(d[2], 12) && d[2] != 0 && bcd_ok(d[3], 31) && d[3] != 0);
    g_assert_true(bcd_ok(t[0], 23) && bcd_ok(t[1], 59) && bcd_ok(t[2], 60) &&
                  bcd_ok(t[3], 99));
    g_assert_cmpint(abs(year - g_date_time_get_year(now)), <=, 1);

    /* The next log has its own platform log id. */
    g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    assert_mce(qts, 0, c->srr1, c->dsisr, OLD_DAR, c->recovered, "delivered");
    qtest_memread(qts, a.base + LOG_BUFFER_OFFSET + 8, second, sizeof(second));
    g_assert_cmphex(be32_at(&second[PH_PLID]), !=, be32_at(&log[PH_PLID]));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    for (size_t i = 0; i < G_N_ELEMENTS(mce_cases); i++) {
        g_autofree char *path = g_strdup_printf("/fwnmi/mce/classify/%s", mce_cases[i].name);
        g_test_add_data_func(path, &mce_cases[i], test_mce_classification);
    }
    g_test_add_data_func("/fwnmi/mce/entry-state/64-bit", &entry_64bit,
                         test_mce_entry_state);
    g_test_add_data_func("/fwnmi/mce/entry-state/32-bit-keeps-sf-clear", &entry_32bit,
                         test_mce_entry_state);
    g_test_add_data_func("/fwnmi/mce/entry-state/lpcr-ile-sets-msr-le", &entry_ile,
                         test_mce_entry_state);
    g_test_add_func("/fwnmi/mce/buffer-starts-with-saved-r3", test_mce_buffer_saves_r3);
    g_test_add_data_func("/fwnmi/mce/buffer-inside-rtas-area-as-linux-checks/16M", "16M",
                         test_mce_buffer_inside_rtas_area);
    g_test_add_data_func("/fwnmi/mce/buffer-inside-rtas-area-as-linux-checks/4G", "4G",
                         test_mce_buffer_inside_rtas_area);
    g_test_add_data_func("/fwnmi/log/full-bytes/recovered-iside-slb-multihit",
                         &log_case_recovered, test_log_full_bytes);
    g_test_add_data_func("/fwnmi/log/full-bytes/unrecovered-dside-ue",
                         &log_case_unrecovered, test_log_full_bytes);
    return g_test_run();
}
