/*
 * FWNMI (LoPAPR "FWNMI Option") seen from the guest side: registration,
 * machine-check delivery to the registered handler with its error log,
 * the interlock and the queue behind it, nested machine checks, the
 * architected fallbacks, system reset, machine reset, and a stress run.
 *
 * Logs are decoded here the way a Linux guest does it
 * (arch/powerpc/platforms/pseries/ras.c): range-check R3 against the RTAS
 * area, take the saved R3, then walk the v6 extended log's sections to the
 * "MC" one. Nothing is taken from the VMM's headers.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "libqtest.h"

/* MSR and LPCR bits (Power ISA; IBM bit n is 1 << (63 - n)) */
#define MSR_SF          (1ULL << 63)
#define MSR_EE          (1ULL << 15)
#define MSR_PR          (1ULL << 14)
#define MSR_FP          (1ULL << 13)
#define MSR_ME          (1ULL << 12)
#define MSR_IR          (1ULL << 5)
#define MSR_DR          (1ULL << 4)
#define MSR_RI          (1ULL << 1)
#define MSR_LE          (1ULL << 0)
#define LPCR_ILE        (1ULL << 25)
#define SRR1_CAUSE_MASK 0x00000000783F0000ULL
#define SRR1_LOADSTORE  0x0000000000200000ULL   /* SRR1 bit 42: D-side */

/* A kernel-like interrupted context */
#define KERNEL_MSR      (MSR_SF | MSR_EE | MSR_FP | MSR_ME | MSR_IR | MSR_DR | MSR_RI)
#define OLD_NIP         0xC000000000123450ULL
#define OLD_DAR         0xC00000000BADDA70ULL
#define OLD_R3          0x1122334455667788ULL

/* Handler addresses (real, low, as Linux registers trampolines) */
#define SRESET_HANDLER  0x3000u
#define MCE_HANDLER     0x3100u
#define UNREGISTERED    UINT64_MAX

#define RTAS_PARAM_ERROR (-3)

/* RTAS area layout facts the guest relies on */
#define LOG_BUFFER_OFFSET   0x30        /* R3 points here at MCE entry */
#define SRESET_SLOTS_OFFSET 0x840       /* one 16-byte slot per vCPU */
#define RTAS_ERROR_LOG_MAX  2048

/* Summary word (LoPAPR "RTAS Error Return Format, Fixed Part") */
#define SUMMARY_RECOVERED       0x06641000u    /* v6, ERROR_SYNC, fully recovered */
#define SUMMARY_NOT_RECOVERED   0x06741000u    /* v6, ERROR_SYNC, not recovered */
#define SUMMARY_EXTENDED        0x00040000u

/* "MC" section error types and sub_err_type flags */
enum { MC_UE = 0, MC_SLB = 1, MC_ERAT = 2, MC_TLB = 4 };
#define UE_EA_PROVIDED  0x40
#define EA_PROVIDED     0x80    /* SLB, ERAT, TLB */

/* ---- helpers ---- */

static int32_t nmi_register(QTestState *qts, uint32_t sreset, uint32_t mce)
{
    uint32_t args[2] = { sreset, mce }, ret = 0;
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,nmi-register", 2, args, 1, &ret), ==, 0);
    return (int32_t)ret;
}

static void register_handlers(QTestState *qts)
{
    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, 0);
}

static int32_t nmi_interlock(QTestState *qts, int cpu)
{
    uint32_t ret = 0;
    g_assert_cmpint(qtest_rtas_call_cpu(qts, cpu, "ibm,nmi-interlock", 0, NULL, 1,
                                        &ret), ==, 0);
    return (int32_t)ret;
}

static void fwnmi_state(QTestState *qts, QTestFwnmi *f)
{
    qtest_fwnmi(qts, f);
}

static void assert_pending(const QTestFwnmi *f, const char *expected)
{
    g_autofree char *pending = qtest_fwnmi_pending_str(f);
    g_assert_cmpstr(pending, ==, expected);
}

static void assert_machine_state(QTestState *qts, const char *expected)
{
    g_autofree char *state = qtest_machine_state(qts);
    g_assert_cmpstr(state, ==, expected);
}

static void assert_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                       uint64_t dar, bool recovered, const char *expected)
{
    g_assert_cmpstr(qtest_mce(qts, cpu, srr1, dsisr, dar, recovered), ==, expected);
}

/* Give vCPU @cpu a recognisable interrupted context. */
static void set_context(QTestState *qts, int cpu, uint64_t nip, uint64_t msr,
                        uint64_t r3)
{
    qtest_cpu_set(qts, cpu, "nip", nip);
    qtest_cpu_set(qts, cpu, "msr", msr);
    qtest_cpu_set(qts, cpu, "r3", r3);
}

typedef struct RtasArea {
    uint64_t base, size;
} RtasArea;

static RtasArea rtas_area(QTestState *qts)
{
    RtasArea a = {
        .base = qtest_rtas_prop(qts, "linux,rtas-base"),
        .size = qtest_rtas_prop(qts, "rtas-size"),
    };
    return a;
}

static uint64_t be64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* What a Linux guest gets out of the buffer R3 points to. */
typedef struct GuestMceLog {
    bool valid;                 /* every check passed */
    uint64_t saved_r3;
    uint32_t summary;
    uint32_t ext_len;
    uint8_t log[RTAS_ERROR_LOG_MAX];    /* fixed part + extended part */
    size_t log_len;
    int mc;                     /* offset of "MC" in log, or -1 */
    int uh;                     /* offset of "UH" in log, or -1 */
    uint8_t error_type, sub_err_type;
    uint64_t ea, la;
} GuestMceLog;

/* Offset in @l->log of section @id, walking as get_pseries_errorlog(). */
static int find_section(const GuestMceLog *l, uint16_t id)
{
    size_t end = 8 + (size_t)l->ext_len;
    size_t p = 8 + 16;          /* after the fixed part and the v6 header */

    while (p + 4 <= end && p + 4 <= l->log_len) {
        uint16_t len = be16_at(&l->log[p + 2]);
        if (be16_at(&l->log[p]) == id) {
            return (int)p;
        }
        if (len < 8) {
            break;
        }
        p += len;
    }
    return -1;
}

/*
 * Decode the FWNMI buffer at @r3 like Linux's fwnmi_get_errinfo() and
 * get_pseries_errorlog(), asserting each thing Linux relies on.
 */
static void read_guest_log(QTestState *qts, const RtasArea *a, uint64_t r3,
                           GuestMceLog *l)
{
    uint64_t savep = r3 & ~(3ULL << 62);
    uint8_t head[16];

    memset(l, 0, sizeof(*l));
    l->mc = l->uh = -1;
    /* VALID_FWNMI_BUFFER: inside [rtas.base, rtas.base + rtas.size - 16] */
    g_assert_cmphex(savep, >=, a->base);
    g_assert_cmphex(savep, <=, a->base + a->size - 16);
    if (savep < a->base || savep > a->base + a->size - 16) {
        return;
    }
    qtest_memread(qts, savep, head, sizeof(head));
    l->saved_r3 = be64_at(head);
    l->summary = be32_at(head + 8);
    l->ext_len = be32_at(head + 12);
    l->log_len = MIN(8 + (size_t)l->ext_len, (size_t)RTAS_ERROR_LOG_MAX);
    /* The whole log stays inside the area, clear of the sreset slots. */
    g_assert_cmphex(savep + 8 + l->log_len, <=, a->base + SRESET_SLOTS_OFFSET);
    qtest_memread(qts, savep + 8, l->log, l->log_len);

    g_assert_cmphex(l->summary & SUMMARY_EXTENDED, !=, 0);
    g_assert_cmpuint(l->ext_len, >=, 16);
    g_assert_cmphex(l->log[8 + 2] & 0x0F, ==, 14);          /* platform event log */
    g_assert_cmphex(be32_at(&l->log[8 + 12]), ==, 0x49424D00);  /* "IBM\0" */
    l->mc = find_section(l, 0x4D43);
    l->uh = find_section(l, 0x5548);
    g_assert_cmpint(l->mc, >=, 0);
    if (l->mc < 0 || (size_t)l->mc + 40 > l->log_len) {
        return;
    }
    g_assert_cmpuint(be16_at(&l->log[l->mc + 2]), ==, 40);
    l->error_type = l->log[l->mc + 0x10];
    l->sub_err_type = l->log[l->mc + 0x11];
    l->ea = be64_at(&l->log[l->mc + 0x18]);
    l->la = be64_at(&l->log[l->mc + 0x20]);
    l->valid = true;
}

/* After an MCE on @cpu: its handler runs, R3 at the buffer; decode it. */
static void read_delivered_log(QTestState *qts, const RtasArea *a, int cpu,
                               GuestMceLog *l)
{
    uint64_t r3 = qtest_cpu_get(qts, cpu, "r3");
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "nip"), ==, MCE_HANDLER);
    g_assert_cmphex(r3, ==, a->base + LOG_BUFFER_OFFSET);
    read_guest_log(qts, a, r3, l);
}

/* ---- registration ---- */

static void test_register_accepts_handlers(void)
{
    QTestState *qts = qtest_init(NULL);
    QTestFwnmi f;

    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, UNREGISTERED);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, 0);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, SRESET_HANDLER);
    g_assert_cmphex(f.mce, ==, MCE_HANDLER);
    g_assert_cmpint(f.holder, ==, -1);
    qtest_quit(qts);
}

/* Both limits are for each of the two addresses. */
static void assert_registration_refused(QTestState *qts, uint32_t sreset, uint32_t mce)
{
    QTestFwnmi f;
    g_test_message("ibm,nmi-register 0x%x 0x%x", sreset, mce);
    g_assert_cmpint(nmi_register(qts, sreset, mce), ==, RTAS_PARAM_ERROR);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, UNREGISTERED);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
}

static void test_register_rejects_above_32MiB(void)
{
    QTestState *qts = qtest_init("-m 2G");

    assert_registration_refused(qts, 32u << 20, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, 32u << 20);
    assert_registration_refused(qts, SRESET_HANDLER, 0x80000000u);
    /* the last word below 32 MiB is fine */
    g_assert_cmpint(nmi_register(qts, (32u << 20) - 4, (32u << 20) - 4), ==, 0);
    qtest_quit(qts);
}

static void test_register_rejects_unaligned(void)
{
    QTestState *qts = qtest_init(NULL);

    assert_registration_refused(qts, SRESET_HANDLER + 2, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, MCE_HANDLER + 1);
    qtest_quit(qts);
}

/* With 16 MiB of RAM the RMA ends below 32 MiB: the handler must be in it. */
static void test_register_rejects_beyond_rma(void)
{
    QTestState *qts = qtest_init("-m 16M");

    assert_registration_refused(qts, 16u << 20, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, 16u << 20);
    assert_registration_refused(qts, SRESET_HANDLER, 24u << 20);
    g_assert_cmpint(nmi_register(qts, (16u << 20) - 4, (16u << 20) - 8), ==, 0);
    qtest_quit(qts);
}

static void test_register_rejects_wrong_nargs_nret(void)
{
    QTestState *qts = qtest_init(NULL);
    uint32_t args[3] = { SRESET_HANDLER, MCE_HANDLER, 0 }, rets[2];
    const struct { uint32_t nargs, nret; } shapes[] = { { 1, 1 }, { 3, 1 }, { 2, 2 },
                                                        { 2, 0 } };
    QTestFwnmi f;

    for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
        g_test_message("nargs %u nret %u", shapes[i].nargs, shapes[i].nret);
        g_assert_cmpint(qtest_rtas_call(qts, "ibm,nmi-register", shapes[i].nargs,
                                        args, shapes[i].nret, rets), ==, 0);
        if (shapes[i].nret) {
            g_assert_cmpint((int32_t)rets[0], ==, RTAS_PARAM_ERROR);
        }
        fwnmi_state(qts, &f);
        g_assert_cmphex(f.mce, ==, UNREGISTERED);
    }
    qtest_quit(qts);
}

static void test_register_second_replaces_first(void)
{
    QTestState *qts = qtest_init(NULL);
    RtasArea a = rtas_area(qts);
    QTestFwnmi f;

    register_handlers(qts);
    g_assert_cmpint(nmi_register(qts, 0x5000, 0x5100), ==, 0);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, 0x5000);
    g_assert_cmphex(f.mce, ==, 0x5100);
    assert_mce(qts, 0, 0xC0000, 0, 0, true, "delivered");
    g_assert_cmphex(qtest_cpu_get(qts, 0, "nip"), ==, 0x5100);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "r3"), ==, a.base + LOG_BUFFER_OFFSET);
    qtest_quit(qts);
}

/* Validation comes first: a refused registration leaves the old one. */
static void test_register_refused_keeps_previous(void)
{
    QTestState *qts = qtest_init(NULL);
    QTestFwnmi f;

    register_handlers(qts);
    g_assert_cmpint(nmi_register(qts, 0x5000, 64u << 20), ==, RTAS_PARAM_ERROR);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, SRESET_HANDLER);
    g_assert_cmphex(f.mce, ==, MCE_HANDLER);
    qtest_quit(qts);
}

static void test_register_refused_with_cap_off(void)
{
    QTestState *qts = qtest_init("-M pseries,cap-fwnmi=off");
    QTestFwnmi f;

    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(nmi_interlock(qts, 0), ==, RTAS_PARAM_ERROR);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    qtest_quit(qts);
}

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
    QTestState *qts = qtest_init(NULL);
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
    QTestState *qts = qtest_init("-smp 2");
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
    QTestState *qts = qtest_init(NULL);
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
    QTestState *qts = qtest_initf("-m %s -smp 64", mem);
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
    QTestState *qts = qtest_init(NULL);
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

/* ---- interlock and queue ---- */

/* One error at a time: vCPU 1's machine check waits, untouched, until
 * vCPU 0 calls ibm,nmi-interlock; then vCPU 1 gets the buffer. */
static void test_queue_second_vcpu_waits_for_interlock(void)
{
    QTestState *qts = qtest_init("-smp 2");
    RtasArea a = rtas_area(qts);
    GuestMceLog l;
    QTestFwnmi f;

    register_handlers(qts);
    set_context(qts, 0, OLD_NIP, KERNEL_MSR, 0xA0);
    set_context(qts, 1, OLD_NIP + 0x100, KERNEL_MSR, 0xA1);
    assert_mce(qts, 0, SRR1_LOADSTORE, 0x400, 0xD000, true, "delivered");
    assert_mce(qts, 1, SRR1_LOADSTORE, 0x400, 0xD001, false, "queued");

    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, 0);
    assert_pending(&f, "1");
    g_assert_cmpuint(f.queued, ==, 1);
    g_assert_cmpuint(f.delivered, ==, 1);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, OLD_NIP + 0x100);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "r3"), ==, 0xA1);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "msr"), ==, KERNEL_MSR);
    read_delivered_log(qts, &a, 0, &l);         /* still vCPU 0's log */
    g_assert_cmphex(l.ea, ==, 0xD000);
    g_assert_cmphex(l.saved_r3, ==, 0xA0);

    g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, 1);
    assert_pending(&f, "-");
    g_assert_cmpuint(f.delivered, ==, 2);
    g_assert_cmpuint(f.interlocks, ==, 1);
    read_delivered_log(qts, &a, 1, &l);
    g_assert_cmphex(l.ea, ==, 0xD001);
    g_assert_cmphex(l.saved_r3, ==, 0xA1);
    g_assert_cmphex(l.summary, ==, SUMMARY_NOT_RECOVERED);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "srr0"), ==, OLD_NIP + 0x100);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "dar"), ==, 0xD001);
    qtest_quit(qts);
}

/* Waiting machine checks are delivered in arrival order. */
static void test_queue_fifo_order_4_vcpus(void)
{
    QTestState *qts = qtest_init("-smp 4");
    RtasArea a = rtas_area(qts);
    const int order[4] = { 0, 3, 1, 2 };
    QTestFwnmi f;

    register_handlers(qts);
    for (int i = 0; i < 4; i++) {
        int cpu = order[i];
        set_context(qts, cpu, OLD_NIP + cpu * 0x100, KERNEL_MSR, 0xA0 + cpu);
        assert_mce(qts, cpu, SRR1_LOADSTORE, 0x800, 0xD000 + cpu, true,
                   i == 0 ? "delivered" : "queued");
    }
    fwnmi_state(qts, &f);
    assert_pending(&f, "3,1,2");
    for (int i = 0; i < 4; i++) {
        int cpu = order[i];
        GuestMceLog l;
        fwnmi_state(qts, &f);
        g_assert_cmpint(f.holder, ==, cpu);
        read_delivered_log(qts, &a, cpu, &l);
        g_assert_cmphex(l.ea, ==, 0xD000 + cpu);
        g_assert_cmphex(l.saved_r3, ==, 0xA0 + cpu);
        g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr0"), ==, OLD_NIP + cpu * 0x100);
        /* the vCPUs still waiting have not moved */
        for (int j = i + 1; j < 4; j++) {
            g_assert_cmphex(qtest_cpu_get(qts, order[j], "nip"), ==,
                            OLD_NIP + order[j] * 0x100);
        }
        g_assert_cmpint(nmi_interlock(qts, cpu), ==, 0);
    }
    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, -1);
    assert_pending(&f, "-");
    g_assert_cmpuint(f.delivered, ==, 4);
    g_assert_cmpuint(f.queued, ==, 3);
    g_assert_cmpuint(f.interlocks, ==, 4);
    qtest_quit(qts);
}

/* After the interlock the buffer is free: the next MCE on the same vCPU
 * is delivered, not nested; a repeated interlock changes nothing. */
static void test_interlock_releases_buffer(void)
{
    QTestState *qts = qtest_init(NULL);
    QTestFwnmi f;

    register_handlers(qts);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, -1);
    g_assert_cmpuint(f.interlocks, ==, 1);
    assert_mce(qts, 0, 0x40000, 0, 0, false, "delivered");
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.nested, ==, 0);
    assert_machine_state(qts, "running");
    qtest_quit(qts);
}

/* PowerVM/QEMU behaviour: success for a caller without the buffer, which
 * keeps belonging to its holder. */
static void test_interlock_by_non_holder(void)
{
    QTestState *qts = qtest_init("-smp 3");
    QTestFwnmi f;

    register_handlers(qts);
    g_assert_cmpint(nmi_interlock(qts, 1), ==, 0);      /* nobody holds it */
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    assert_mce(qts, 2, 0x40000, 0, 0, true, "queued");
    g_assert_cmpint(nmi_interlock(qts, 1), ==, 0);
    g_assert_cmpint(nmi_interlock(qts, 2), ==, 0);      /* waiting, not holding */
    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, 0);
    assert_pending(&f, "2");
    g_assert_cmpuint(f.interlocks, ==, 0);
    assert_mce(qts, 1, 0x40000, 0, 0, true, "queued");
    qtest_quit(qts);
}

static void test_interlock_unregistered(void)
{
    QTestState *qts = qtest_init("-smp 2");

    g_assert_cmpint(nmi_interlock(qts, 0), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(nmi_interlock(qts, 1), ==, RTAS_PARAM_ERROR);
    qtest_quit(qts);
}

/* ---- nested machine checks ---- */

static void test_nested_recovered_ignored(void)
{
    QTestState *qts = qtest_init(NULL);
    RtasArea a = rtas_area(qts);
    GuestMceLog l;
    QTestFwnmi f;

    register_handlers(qts);
    set_context(qts, 0, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 0, SRR1_LOADSTORE, 0x80, 0xD000, true, "delivered");
    assert_mce(qts, 0, SRR1_LOADSTORE, 0x400, 0xE000, true, "ignored");
    assert_machine_state(qts, "running");
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.nested, ==, 1);
    g_assert_cmpuint(f.delivered, ==, 1);
    g_assert_cmpint(f.holder, ==, 0);
    /* neither the registers nor the buffer changed */
    g_assert_cmphex(qtest_cpu_get(qts, 0, "srr0"), ==, OLD_NIP);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "dar"), ==, 0xD000);
    read_delivered_log(qts, &a, 0, &l);
    g_assert_cmphex(l.ea, ==, 0xD000);
    g_assert_cmpuint(l.error_type, ==, MC_SLB);
    qtest_quit(qts);
}

static void test_nested_unrecovered_panics(void)
{
    QTestState *qts = qtest_init(NULL);
    QTestFwnmi f;

    register_handlers(qts);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    assert_mce(qts, 0, 0x40000, 0, 0, false, "panicked");
    assert_machine_state(qts, "guest-panicked");
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.nested, ==, 1);
    qtest_quit(qts);
}

/* ---- architected delivery ---- */

static void assert_architected_mce(QTestState *qts, int cpu, uint64_t cause)
{
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "nip"), ==, 0x200);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr0"), ==, OLD_NIP);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr1"), ==,
                    (KERNEL_MSR & ~SRR1_CAUSE_MASK) | cause);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "dar"), ==, OLD_DAR);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "dsisr"), ==, 0x8000);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "msr"), ==, MSR_SF | MSR_ME);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "r3"), ==, OLD_R3);
}

/* Without a registration, machine checks go to 0x200 on every vCPU at
 * once (no buffer, no interlock), and the RTAS area is not written. */
static void test_legacy_when_unregistered(void)
{
    QTestState *qts = qtest_init("-smp 2");
    RtasArea a = rtas_area(qts);
    QTestFwnmi f;

    qtest_memset(qts, a.base + LOG_BUFFER_OFFSET, 0x5A, 64);
    for (int cpu = 0; cpu < 2; cpu++) {
        set_context(qts, cpu, OLD_NIP, KERNEL_MSR, OLD_R3);
        assert_mce(qts, cpu, SRR1_LOADSTORE, 0x8000, OLD_DAR, true, "delivered");
    }
    for (int cpu = 0; cpu < 2; cpu++) {
        assert_architected_mce(qts, cpu, SRR1_LOADSTORE);
    }
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.legacy, ==, 2);
    g_assert_cmpuint(f.delivered, ==, 0);
    g_assert_cmpint(f.holder, ==, -1);
    g_assert_cmphex(qtest_readq(qts, a.base + LOG_BUFFER_OFFSET), ==, 0x5A5A5A5A5A5A5A5AULL);
    g_assert_cmphex(qtest_readq(qts, a.base + LOG_BUFFER_OFFSET + 56), ==,
                    0x5A5A5A5A5A5A5A5AULL);
    qtest_quit(qts);
}

static void test_legacy_with_cap_off(void)
{
    QTestState *qts = qtest_init("-M pseries,cap-fwnmi=off");
    QTestFwnmi f;

    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, RTAS_PARAM_ERROR);
    set_context(qts, 0, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 0, 0x40000, 0x8000, OLD_DAR, false, "delivered");
    assert_architected_mce(qts, 0, 0x40000);
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.legacy, ==, 1);
    g_assert_cmpuint(f.delivered, ==, 0);
    qtest_quit(qts);
}

/* ---- system reset ---- */

static uint64_t sreset_slot(const RtasArea *a, int cpu)
{
    return a->base + SRESET_SLOTS_OFFSET + (uint64_t)cpu * 16;
}

/* Through the registered handler: R3 saved in the vCPU's own slot
 * [R3][0], R3 = slot, SRR0 = interrupted NIP, real mode. */
static void assert_sreset_through_handler(QTestState *qts, const RtasArea *a, int cpu)
{
    uint64_t slot = sreset_slot(a, cpu);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "nip"), ==, SRESET_HANDLER);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "r3"), ==, slot);
    g_assert_cmphex(qtest_readq(qts, slot), ==, OLD_R3 + cpu);
    g_assert_cmphex(qtest_readq(qts, slot + 8), ==, 0);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr0"), ==, OLD_NIP + cpu * 4);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr1") & ~SRR1_CAUSE_MASK, ==,
                    KERNEL_MSR & ~SRR1_CAUSE_MASK);
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "msr") & (MSR_IR | MSR_DR | MSR_EE | MSR_PR),
                    ==, 0);
}

static void prepare_sreset(QTestState *qts, const RtasArea *a, int smp)
{
    for (int cpu = 0; cpu < smp; cpu++) {
        set_context(qts, cpu, OLD_NIP + cpu * 4, KERNEL_MSR, OLD_R3 + cpu);
        qtest_writeq(qts, sreset_slot(a, cpu), 0x5A5A5A5A5A5A5A5AULL);
        qtest_writeq(qts, sreset_slot(a, cpu) + 8, 0x5A5A5A5A5A5A5A5AULL);
    }
}

static void test_sreset_one_vcpu(void)
{
    QTestState *qts = qtest_init("-smp 2");
    RtasArea a = rtas_area(qts);
    QTestFwnmi f;

    register_handlers(qts);
    prepare_sreset(qts, &a, 2);
    qtest_nmi(qts, 1);
    assert_sreset_through_handler(qts, &a, 1);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "nip"), ==, OLD_NIP);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "r3"), ==, OLD_R3);
    g_assert_cmphex(qtest_readq(qts, sreset_slot(&a, 0)), ==, 0x5A5A5A5A5A5A5A5AULL);
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.sresets, ==, 1);
    g_assert_cmpint(f.holder, ==, -1);      /* no interlock for system reset */
    qtest_quit(qts);
}

static void test_sreset_all_vcpus(void)
{
    QTestState *qts = qtest_init("-smp 4");
    RtasArea a = rtas_area(qts);
    QTestFwnmi f;

    register_handlers(qts);
    prepare_sreset(qts, &a, 4);
    qtest_nmi(qts, -1);
    for (int cpu = 0; cpu < 4; cpu++) {
        assert_sreset_through_handler(qts, &a, cpu);
    }
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.sresets, ==, 4);
    /* a machine check right after still gets the buffer */
    assert_mce(qts, 2, 0x40000, 0, 0, true, "delivered");
    qtest_quit(qts);
}

static void test_sreset_unregistered(const void *data)
{
    const char *args = data;
    QTestState *qts = qtest_init(args);
    RtasArea a = rtas_area(qts);
    QTestFwnmi f;

    if (strstr(args, "cap-fwnmi=off")) {
        g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==,
                        RTAS_PARAM_ERROR);
    }
    prepare_sreset(qts, &a, 2);
    qtest_nmi(qts, -1);
    for (int cpu = 0; cpu < 2; cpu++) {
        g_assert_cmphex(qtest_cpu_get(qts, cpu, "nip"), ==, 0x100);
        g_assert_cmphex(qtest_cpu_get(qts, cpu, "srr0"), ==, OLD_NIP + cpu * 4);
        g_assert_cmphex(qtest_cpu_get(qts, cpu, "r3"), ==, OLD_R3 + cpu);
        g_assert_cmphex(qtest_readq(qts, sreset_slot(&a, cpu)), ==,
                        0x5A5A5A5A5A5A5A5AULL);
    }
    fwnmi_state(qts, &f);
    g_assert_cmpuint(f.sresets, ==, 0);
    qtest_quit(qts);
}

/* ---- machine reset ---- */

static void test_system_reset_clears_fwnmi_state(void)
{
    QTestState *qts = qtest_init("-smp 2");
    QTestFwnmi f;

    register_handlers(qts);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    assert_mce(qts, 1, 0x40000, 0, 0, true, "queued");
    qtest_system_reset(qts);

    fwnmi_state(qts, &f);
    g_assert_cmphex(f.sreset, ==, UNREGISTERED);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    g_assert_cmpint(f.holder, ==, -1);
    assert_pending(&f, "-");
    g_assert_cmphex(qtest_cpu_get(qts, 0, "nip"), !=, MCE_HANDLER);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), !=, MCE_HANDLER);
    g_assert_cmpint(nmi_interlock(qts, 0), ==, RTAS_PARAM_ERROR);
    /* unregistered now: architected delivery */
    set_context(qts, 1, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 1, 0x40000, 0, 0, true, "delivered");
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, 0x200);

    /* A new registration starts clean: the dropped request stays dropped. */
    register_handlers(qts);
    set_context(qts, 1, OLD_NIP, KERNEL_MSR, OLD_R3);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    g_assert_cmpint(nmi_interlock(qts, 0), ==, 0);
    fwnmi_state(qts, &f);
    g_assert_cmpint(f.holder, ==, -1);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, OLD_NIP);
    qtest_quit(qts);
}

/* ---- stress ---- */

#define STRESS_CPUS     8
#define STRESS_MCES     4000

typedef struct StressMce {
    int cpu;
    uint64_t dar;               /* unique per machine check: its identity */
    bool recovered;
} StressMce;

typedef struct StressModel {
    QTestState *qts;
    RtasArea area;
    int holder;
    GQueue pending;             /* StressMce*, FIFO */
    uint64_t delivered, queued, interlocks, nested, injected;
} StressModel;

static uint64_t stress_nip(int cpu)
{
    return 0x10000 + cpu * 0x100;
}

static uint64_t stress_r3(int cpu)
{
    return 0xA0000000ULL + cpu;
}

/* @m's vCPU @e->cpu was just handed the buffer for @e: check, then put the
 * vCPU back at its own NIP/R3 (as if its handler had returned). */
static bool stress_check_delivery(StressModel *m, const StressMce *e)
{
    GuestMceLog l;
    bool ok;

    m->delivered++;
    m->holder = e->cpu;
    read_delivered_log(m->qts, &m->area, e->cpu, &l);
    g_assert_cmphex(qtest_cpu_get(m->qts, e->cpu, "dar"), ==, e->dar);
    g_assert_cmphex(qtest_cpu_get(m->qts, e->cpu, "srr0"), ==, stress_nip(e->cpu));
    g_assert_cmphex(l.saved_r3, ==, stress_r3(e->cpu));
    g_assert_cmphex(l.ea, ==, e->dar);
    g_assert_cmphex(l.summary, ==, e->recovered ? SUMMARY_RECOVERED : SUMMARY_NOT_RECOVERED);
    ok = l.valid && l.ea == e->dar && l.saved_r3 == stress_r3(e->cpu);
    qtest_cpu_set(m->qts, e->cpu, "nip", stress_nip(e->cpu));
    qtest_cpu_set(m->qts, e->cpu, "r3", stress_r3(e->cpu));
    return ok;
}

static bool stress_interlock(StressModel *m, int cpu)
{
    int32_t ret = nmi_interlock(m->qts, cpu);
    g_assert_cmpint(ret, ==, 0);
    if (cpu != m->holder) {
        return ret == 0;
    }
    m->interlocks++;
    m->holder = -1;
    g_autofree StressMce *next = g_queue_pop_head(&m->pending);
    return next ? stress_check_delivery(m, next) : true;
}

static bool stress_mce(StressModel *m, int cpu, uint64_t seq)
{
    StressMce e = {
        .cpu = cpu,
        .dar = 0xD000000000000000ULL | seq << 4,
        .recovered = g_test_rand_int_range(0, 2),
    };

    if (cpu == m->holder) {
        /* nested on the holder: only recovered ones, which are ignored */
        m->nested++;
        return strcmp(qtest_mce(m->qts, cpu, SRR1_LOADSTORE, 0x4000, e.dar, true),
                      "ignored") == 0;
    }
    m->injected++;
    if (m->holder < 0) {
        if (strcmp(qtest_mce(m->qts, cpu, SRR1_LOADSTORE, 0x4000, e.dar, e.recovered),
                   "delivered") != 0) {
            g_test_message("mce #%" PRIu64 " on vCPU %d not delivered at once", seq, cpu);
            return false;
        }
        return stress_check_delivery(m, &e);
    }
    m->queued++;
    g_queue_push_tail(&m->pending, g_memdup2(&e, sizeof(e)));
    return strcmp(qtest_mce(m->qts, cpu, SRR1_LOADSTORE, 0x4000, e.dar, e.recovered),
                  "queued") == 0;
}

/*
 * Thousands of machine checks on 8 vCPUs, with interlocks (by holders and
 * by others) interleaved at random, against a model of the FIFO: every
 * delivery must be the model's next one (identified by its DAR), and the
 * counters must show each delivered exactly once. Reproducible with
 * --seed (the seed is printed at the start).
 */
static void test_stress_fifo_exactly_once(void)
{
    QTestState *qts = qtest_initf("-smp %d", STRESS_CPUS);
    StressModel m = { .qts = qts, .holder = -1 };
    uint64_t seq = 0, steps = 0;
    bool ok = true;
    QTestFwnmi f;

    g_queue_init(&m.pending);
    m.area = rtas_area(qts);
    register_handlers(qts);
    for (int cpu = 0; cpu < STRESS_CPUS; cpu++) {
        set_context(qts, cpu, stress_nip(cpu), KERNEL_MSR, stress_r3(cpu));
    }
    while (ok && m.injected < STRESS_MCES && qtest_alive(qts)) {
        int r = g_test_rand_int_range(0, 100);
        /* More releases than machine checks keep the queue short. */
        if (r < 40) {
            int cpu = g_test_rand_int_range(0, STRESS_CPUS);
            if (cpu == m.holder && g_test_rand_int_range(0, 8) != 0) {
                cpu = (cpu + 1) % STRESS_CPUS;  /* a few nested ones only */
            }
            ok = stress_mce(&m, cpu, ++seq);
        } else if (r < 85 && m.holder >= 0) {
            ok = stress_interlock(&m, m.holder);
        } else {
            ok = stress_interlock(&m, g_test_rand_int_range(0, STRESS_CPUS));
        }
        if (++steps % 500 == 0) {
            /* the VMM's view of the queue matches the model's */
            fwnmi_state(qts, &f);
            g_assert_cmpint(f.holder, ==, m.holder);
            g_assert_cmpint(f.npending, ==, (int)g_queue_get_length(&m.pending));
            ok &= f.holder == m.holder;
        }
    }
    while (ok && m.holder >= 0 && qtest_alive(qts)) {
        ok = stress_interlock(&m, m.holder);
    }
    g_assert_true(ok);
    fwnmi_state(qts, &f);
    g_test_message("%" PRIu64 " machine checks: %" PRIu64 " queued, %" PRIu64
                   " nested, %" PRIu64 " interlocks", m.injected, m.queued, m.nested,
                   m.interlocks);
    g_assert_cmpuint(m.injected, ==, STRESS_MCES);
    g_assert_cmpuint(f.delivered, ==, m.injected);      /* none lost */
    g_assert_cmpuint(f.delivered, ==, m.delivered);
    g_assert_cmpuint(f.queued, ==, m.queued);
    g_assert_cmpuint(f.interlocks, ==, m.interlocks);
    g_assert_cmpuint(f.nested, ==, m.nested);
    g_assert_cmpuint(f.legacy, ==, 0);
    g_assert_cmpint(f.holder, ==, -1);
    assert_pending(&f, "-");
    assert_machine_state(qts, "running");
    g_queue_clear_full(&m.pending, g_free);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    g_test_add_func("/fwnmi/register/accepts-handlers", test_register_accepts_handlers);
    g_test_add_func("/fwnmi/register/rejects-handler-above-32MiB",
                    test_register_rejects_above_32MiB);
    g_test_add_func("/fwnmi/register/rejects-unaligned-handler",
                    test_register_rejects_unaligned);
    g_test_add_func("/fwnmi/register/rejects-handler-beyond-rma",
                    test_register_rejects_beyond_rma);
    g_test_add_func("/fwnmi/register/rejects-wrong-nargs-or-nret",
                    test_register_rejects_wrong_nargs_nret);
    g_test_add_func("/fwnmi/register/second-replaces-first",
                    test_register_second_replaces_first);
    g_test_add_func("/fwnmi/register/refused-keeps-previous",
                    test_register_refused_keeps_previous);
    g_test_add_func("/fwnmi/register/refused-with-cap-fwnmi-off",
                    test_register_refused_with_cap_off);

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

    g_test_add_func("/fwnmi/queue/second-vcpu-waits-for-interlock",
                    test_queue_second_vcpu_waits_for_interlock);
    g_test_add_func("/fwnmi/queue/fifo-order-with-4-vcpus", test_queue_fifo_order_4_vcpus);
    g_test_add_func("/fwnmi/interlock/holder-releases-buffer", test_interlock_releases_buffer);
    g_test_add_func("/fwnmi/interlock/non-holder-gets-0-and-does-not-release",
                    test_interlock_by_non_holder);
    g_test_add_func("/fwnmi/interlock/unregistered-answers-minus-3",
                    test_interlock_unregistered);
    g_test_add_func("/fwnmi/nested/recovered-is-ignored", test_nested_recovered_ignored);
    g_test_add_func("/fwnmi/nested/unrecovered-panics-guest", test_nested_unrecovered_panics);
    g_test_add_func("/fwnmi/legacy/unregistered-goes-to-0x200",
                    test_legacy_when_unregistered);
    g_test_add_func("/fwnmi/legacy/cap-fwnmi-off-goes-to-0x200", test_legacy_with_cap_off);

    g_test_add_func("/fwnmi/sreset/one-vcpu-through-handler", test_sreset_one_vcpu);
    g_test_add_func("/fwnmi/sreset/all-vcpus-each-own-slot", test_sreset_all_vcpus);
    g_test_add_data_func("/fwnmi/sreset/unregistered-goes-to-0x100", "-smp 2",
                         test_sreset_unregistered);
    g_test_add_data_func("/fwnmi/sreset/cap-fwnmi-off-goes-to-0x100",
                         "-smp 2 -M pseries,cap-fwnmi=off", test_sreset_unregistered);
    g_test_add_func("/fwnmi/system-reset/clears-registration-interlock-and-pending",
                    test_system_reset_clears_fwnmi_state);
    g_test_add_func("/fwnmi/stress/thousands-of-mces-fifo-exactly-once",
                    test_stress_fifo_exactly_once);
    return g_test_run();
}
