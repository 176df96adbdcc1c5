/*
 * Helpers shared by the FWNMI qtests: see fwnmi-helpers.h.
 */
#include <string.h>
#include <glib.h>

#include "fwnmi-helpers.h"

int32_t nmi_register(QTestState *qts, uint32_t sreset, uint32_t mce)
{
    uint32_t args[2] = { sreset, mce }, ret = 0;
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,nmi-register", 2, args, 1, &ret), ==, 0);
    return (int32_t)ret;
}

void register_handlers(QTestState *qts)
{
    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, 0);
}

int32_t nmi_interlock(QTestState *qts, int cpu)
{
    uint32_t ret = 0;
    g_assert_cmpint(qtest_rtas_call_cpu(qts, cpu, "ibm,nmi-interlock", 0, NULL, 1,
                                        &ret), ==, 0);
    return (int32_t)ret;
}

void assert_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                uint64_t dar, bool recovered, const char *expected)
{
    g_assert_cmpstr(qtest_mce(qts, cpu, srr1, dsisr, dar, recovered), ==, expected);
}

/* Give vCPU @cpu a recognisable interrupted context. */
void set_context(QTestState *qts, int cpu, uint64_t nip, uint64_t msr,
                 uint64_t r3)
{
    qtest_cpu_set(qts, cpu, "nip", nip);
    qtest_cpu_set(qts, cpu, "msr", msr);
    qtest_cpu_set(qts, cpu, "r3", r3);
}

RtasArea rtas_area(QTestState *qts)
{
    RtasArea a = {
        .base = qtest_rtas_prop(qts, "linux,rtas-base"),
        .size = qtest_rtas_prop(qts, "rtas-size"),
    };
    return a;
}

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
void read_guest_log(QTestState *qts, const RtasArea *a, uint64_t r3,
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
void read_delivered_log(QTestState *qts, const RtasArea *a, int cpu,
                        GuestMceLog *l)
{
    uint64_t r3 = qtest_cpu_get(qts, cpu, "r3");
    g_assert_cmphex(qtest_cpu_get(qts, cpu, "nip"), ==, MCE_HANDLER);
    g_assert_cmphex(r3, ==, a->base + LOG_BUFFER_OFFSET);
    read_guest_log(qts, a, r3, l);
}
