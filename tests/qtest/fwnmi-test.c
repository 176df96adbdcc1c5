/*
 * FWNMI (LoPAPR "FWNMI Option") seen from the guest side: registration,
 * the interlock and the queue behind it, nested machine checks, the
 * architected fallbacks, system reset, machine reset, and a stress run.
 *
 * The contents of the error log (classification, handler entry state,
 * saved R3, buffer placement, the full log bytes) are checked in
 * fwnmi-log-test.c; both share fwnmi-helpers.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fwnmi-helpers.h"

/* ---- helpers ---- */

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

/* ---- registration ---- */

static void test_register_accepts_handlers(void)
{
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running("-m 2G");

    assert_registration_refused(qts, 32u << 20, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, 32u << 20);
    assert_registration_refused(qts, SRESET_HANDLER, 0x80000000u);
    /* the last word below 32 MiB is fine */
    g_assert_cmpint(nmi_register(qts, (32u << 20) - 4, (32u << 20) - 4), ==, 0);
    qtest_quit(qts);
}

static void test_register_rejects_unaligned(void)
{
    QTestState *qts = qtest_init_running(NULL);

    assert_registration_refused(qts, SRESET_HANDLER + 2, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, MCE_HANDLER + 1);
    qtest_quit(qts);
}

/* With 16 MiB of RAM the RMA ends below 32 MiB: the handler must be in it. */
static void test_register_rejects_beyond_rma(void)
{
    QTestState *qts = qtest_init_running("-m 16M");

    assert_registration_refused(qts, 16u << 20, MCE_HANDLER);
    assert_registration_refused(qts, SRESET_HANDLER, 16u << 20);
    assert_registration_refused(qts, SRESET_HANDLER, 24u << 20);
    g_assert_cmpint(nmi_register(qts, (16u << 20) - 4, (16u << 20) - 8), ==, 0);
    qtest_quit(qts);
}

static void test_register_rejects_wrong_nargs_nret(void)
{
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running("-M pseries,cap-fwnmi=off");
    QTestFwnmi f;

    g_assert_cmpint(nmi_register(qts, SRESET_HANDLER, MCE_HANDLER), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(nmi_interlock(qts, 0), ==, RTAS_PARAM_ERROR);
    fwnmi_state(qts, &f);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    qtest_quit(qts);
}

/* ---- interlock and queue ---- */

/* One error at a time: vCPU 1's machine check waits, untouched, until
 * vCPU 0 calls ibm,nmi-interlock; then vCPU 1 gets the buffer. */
static void test_queue_second_vcpu_waits_for_interlock(void)
{
    QTestState *qts = qtest_init_running("-smp 2");
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
    QTestState *qts = qtest_init_running("-smp 4");
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
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running("-smp 3");
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
    QTestState *qts = qtest_init_running("-smp 2");

    g_assert_cmpint(nmi_interlock(qts, 0), ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(nmi_interlock(qts, 1), ==, RTAS_PARAM_ERROR);
    qtest_quit(qts);
}

/* ---- nested machine checks ---- */

static void test_nested_recovered_ignored(void)
{
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running(NULL);
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
    QTestState *qts = qtest_init_running("-smp 2");
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
    QTestState *qts = qtest_init_running("-M pseries,cap-fwnmi=off");
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
    QTestState *qts = qtest_init_running("-smp 2");
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
    QTestState *qts = qtest_init_running("-smp 4");
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
    QTestState *qts = qtest_init_running(args);
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
    QTestState *qts = qtest_init_running("-smp 2");
    QTestFwnmi f;

    register_handlers(qts);
    assert_mce(qts, 0, 0x40000, 0, 0, true, "delivered");
    assert_mce(qts, 1, 0x40000, 0, 0, true, "queued");
    qtest_system_reset(qts);
    qtest_start_cpus(qts);      /* reset stops the secondary vCPUs, as QEMU */

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

/* The vCPU holds the buffer or waits for it in the model's queue. */
static bool stress_outstanding(StressModel *m, int cpu)
{
    if (cpu == m->holder) {
        return true;
    }
    for (GList *l = m->pending.head; l; l = l->next) {
        if (((StressMce *)l->data)->cpu == cpu) {
            return true;
        }
    }
    return false;
}

static bool stress_mce(StressModel *m, int cpu, uint64_t seq)
{
    StressMce e = {
        .cpu = cpu,
        .dar = 0xD000000000000000ULL | seq << 4,
        .recovered = g_test_rand_int_range(0, 2),
    };

    if (stress_outstanding(m, cpu)) {
        /* a second one before the interlock (held or still queued) is
         * nested: only recovered ones, which are ignored */
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
    QTestState *qts = qtest_initf_running("-smp %d", STRESS_CPUS);
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
