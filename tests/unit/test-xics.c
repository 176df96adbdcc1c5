/*
 * XICS through its guest interface, in process: the hypercalls (H_CPPR,
 * H_EOI, H_XIRR, H_XIRR_X, H_IPI, H_IPOLL) and RTAS calls (ibm,set-xive,
 * get-xive, int-on, int-off) on a 4-vCPU machine without vCPU threads,
 * plus the device-tree node. Sources are fired directly (xics_set_irq),
 * as a device model would. Expected values follow LoPAPR's interrupt
 * presentation layer, QEMU's and KVM's XICS where it is silent.
 */
#include <glib.h>
#include <libfdt.h>

#include "hw/intc/xics.h"
#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"
#include "test-machine.h"

#define NCPUS       4
#define SRC0        XICS_IRQ_BASE
#define RTAS_CELLS  0x100000ULL

static SpaprMachineState *spapr;

static void setup(void)
{
    spapr = test_machine_new(64ULL << 20, NCPUS);
    bql_lock();
}

static void teardown(void)
{
    bql_unlock();
    spapr_machine_destroy(spapr);
    spapr = NULL;
}

/* Hypercall @op as vCPU @cpu with r4..r5 = @a1, @a2; returns r3. */
static int64_t hcall(int cpu, uint64_t op, uint64_t a1, uint64_t a2)
{
    PowerPCCPU *c = spapr->cpus[cpu];
    bool stop;

    c->env.gpr[4] = a1;
    c->env.gpr[5] = a2;
    return spapr_hypercall(spapr, c, op, &stop);
}

static uint64_t r4(int cpu)
{
    return spapr->cpus[cpu]->env.gpr[4];
}

static uint64_t r5(int cpu)
{
    return spapr->cpus[cpu]->env.gpr[5];
}

/* H_IPOLL(@server) from vCPU 0, which must succeed: XIRR, MFRR in *@mfrr. */
static uint32_t ipoll(int server, uint64_t *mfrr)
{
    g_assert_cmpint(hcall(0, H_IPOLL, (uint64_t)server, 0), ==, H_SUCCESS);
    if (mfrr) {
        *mfrr = r5(0);
    }
    return (uint32_t)r4(0);
}

/* H_XIRR on @cpu: the accepted XIRR. */
static uint32_t xirr(int cpu)
{
    g_assert_cmpint(hcall(cpu, H_XIRR, 0, 0), ==, H_SUCCESS);
    return (uint32_t)r4(cpu);
}

static int line(int cpu)
{
    return __atomic_load_n(&spapr->cpus[cpu]->irq_pending, __ATOMIC_SEQ_CST);
}

/* RTAS @token with @nargs args, @nret rets (rets[0] returned). */
static int32_t rtas(uint32_t token, uint32_t nargs, const uint32_t *args,
                    uint32_t nret, uint32_t *rets)
{
    uint32_t status;

    for (uint32_t i = 0; i < nargs; i++) {
        guest_st_be32(&spapr->ram, RTAS_CELLS + 4 * i, args[i]);
    }
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, nargs, RTAS_CELLS,
                                    nret, RTAS_CELLS + 4 * nargs), ==, H_SUCCESS);
    for (uint32_t i = 0; i < nret; i++) {
        guest_ld_be32(&spapr->ram, RTAS_CELLS + 4 * (nargs + i), &status);
        if (rets) {
            rets[i] = status;
        }
    }
    guest_ld_be32(&spapr->ram, RTAS_CELLS + 4 * nargs, &status);
    return (int32_t)status;
}

static int32_t set_xive(uint32_t nr, uint32_t server, uint32_t prio)
{
    uint32_t args[3] = { nr, server, prio };
    return rtas(RTAS_IBM_SET_XIVE, 3, args, 1, NULL);
}

static void assert_xive(uint32_t nr, uint32_t server, uint32_t prio)
{
    uint32_t rets[3];
    g_assert_cmpint(rtas(RTAS_IBM_GET_XIVE, 1, &nr, 3, rets), ==, 0);
    g_assert_cmphex(rets[1], ==, server);
    g_assert_cmphex(rets[2], ==, prio);
}

#define XICS_TEST(path, fn)                                                 \
    static void fn##_wrapped(void) { setup(); fn(); teardown(); }           \
    static void fn##_register(void) { g_test_add_func(path, fn##_wrapped); }

/* ---- presentation ---- */

static void test_reset_state_masks_everything(void)
{
    uint64_t mfrr;

    for (int s = 0; s < NCPUS; s++) {
        g_assert_cmphex(ipoll(s, &mfrr), ==, 0x00000000);   /* CPPR 0, XISR 0 */
        g_assert_cmphex(mfrr, ==, 0xff);
        g_assert_cmpint(line(s), ==, 0);
    }
    assert_xive(SRC0, 0, 0xff);
    assert_xive(SRC0 + XICS_NR_SOURCES - 1, 0, 0xff);
}
XICS_TEST("/xics/reset/everything-masked", test_reset_state_masks_everything)

static void test_ipi_waits_for_h_cppr(void)
{
    uint64_t mfrr;

    g_assert_cmpint(hcall(0, H_IPI, 1, 5), ==, H_SUCCESS);
    /* CPPR 0 after reset: nothing is more favoured, nothing presented */
    g_assert_cmphex(ipoll(1, &mfrr), ==, 0x00000000);
    g_assert_cmphex(mfrr, ==, 5);
    g_assert_cmpint(line(1), ==, 0);
    /* the OS opens up (Linux: H_CPPR(0xff) in xics_setup_cpu) */
    g_assert_cmpint(hcall(1, H_CPPR, 0xff, 0), ==, H_SUCCESS);
    g_assert_cmphex(ipoll(1, NULL), ==, 0xff000002);
    g_assert_cmpint(line(1), ==, 1);
    g_assert_cmpint(line(0), ==, 0);
}
XICS_TEST("/xics/ipi/waits-for-h-cppr", test_ipi_waits_for_h_cppr)

static void test_accept_and_eoi_restore_cppr(void)
{
    hcall(1, H_CPPR, 0xff, 0);
    hcall(0, H_IPI, 1, 5);
    g_assert_cmphex(xirr(1), ==, 0xff000002);
    /* accepted: CPPR is the IPI's priority, XISR empty, line down */
    g_assert_cmphex(ipoll(1, NULL), ==, 0x05000000);
    g_assert_cmpint(line(1), ==, 0);
    /* Linux's IPI action clears MFRR, then EOIs with the old CPPR */
    g_assert_cmpint(hcall(1, H_IPI, 1, 0xff), ==, H_SUCCESS);
    g_assert_cmpint(hcall(1, H_EOI, 0xff000002, 0), ==, H_SUCCESS);
    g_assert_cmphex(ipoll(1, NULL), ==, 0xff000000);
    g_assert_cmpint(line(1), ==, 0);
}
XICS_TEST("/xics/xirr/accept-then-eoi-restores-cppr", test_accept_and_eoi_restore_cppr)

static void test_eoi_with_mfrr_still_set_represents_ipi(void)
{
    hcall(2, H_CPPR, 0xff, 0);
    hcall(0, H_IPI, 2, 4);
    g_assert_cmphex(xirr(2), ==, 0xff000002);
    g_assert_cmpint(hcall(2, H_EOI, 0xff000002, 0), ==, H_SUCCESS);
    g_assert_cmphex(ipoll(2, NULL), ==, 0xff000002);
    g_assert_cmpint(line(2), ==, 1);
}
XICS_TEST("/xics/ipi/eoi-with-mfrr-set-presents-again", test_eoi_with_mfrr_still_set_represents_ipi)

static void test_accept_with_nothing_pending_keeps_cppr(void)
{
    hcall(0, H_CPPR, 0x07, 0);
    g_assert_cmphex(xirr(0), ==, 0x07000000);
    g_assert_cmphex(ipoll(0, NULL), ==, 0x07000000);
    g_assert_cmpint(line(0), ==, 0);
}
XICS_TEST("/xics/xirr/spurious-keeps-cppr", test_accept_with_nothing_pending_keeps_cppr)

static void test_xirr_x_returns_timebase(void)
{
    hcall(3, H_CPPR, 0xff, 0);
    hcall(0, H_IPI, 3, 0);
    uint64_t before = ppc_cpu_get_tb(spapr->cpus[3]);
    vm_clock_step(1000);
    g_assert_cmpint(hcall(3, H_XIRR_X, 0, 0), ==, H_SUCCESS);
    vm_clock_step(1000);
    uint64_t after = ppc_cpu_get_tb(spapr->cpus[3]);
    g_assert_cmphex(r4(3), ==, 0xff000002);
    g_assert_cmpuint(r5(3), >, before);
    g_assert_cmpuint(r5(3), <, after);
    g_assert_cmphex(ipoll(3, NULL), ==, 0x00000000);    /* CPPR = priority 0 */
}
XICS_TEST("/xics/xirr-x/accepts-and-returns-timebase", test_xirr_x_returns_timebase)

static void test_cppr_masks_equal_and_less_favoured(void)
{
    hcall(0, H_CPPR, 5, 0);
    hcall(1, H_IPI, 0, 5);          /* equal: not more favoured */
    g_assert_cmphex(ipoll(0, NULL), ==, 0x05000000);
    hcall(1, H_IPI, 0, 6);
    g_assert_cmphex(ipoll(0, NULL), ==, 0x05000000);
    hcall(1, H_IPI, 0, 4);
    g_assert_cmphex(ipoll(0, NULL), ==, 0x05000002);
    g_assert_cmpint(line(0), ==, 1);
}
XICS_TEST("/xics/cppr/masks-equal-and-less-favoured", test_cppr_masks_equal_and_less_favoured)

static void test_raising_cppr_withdraws_and_lowering_represents(void)
{
    g_assert_cmpint(set_xive(SRC0 + 7, 0, 5), ==, 0);
    hcall(0, H_CPPR, 0xff, 0);
    xics_set_irq(spapr->xics, SRC0 + 7, 1);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff001007);
    g_assert_cmpint(line(0), ==, 1);
    hcall(0, H_CPPR, 5, 0);         /* as favoured as the pending one */
    g_assert_cmphex(ipoll(0, NULL), ==, 0x05000000);
    g_assert_cmpint(line(0), ==, 0);
    hcall(0, H_CPPR, 0xff, 0);      /* the rejected message comes back */
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff001007);
    g_assert_cmpint(line(0), ==, 1);
}
XICS_TEST("/xics/cppr/raising-withdraws-lowering-represents",
          test_raising_cppr_withdraws_and_lowering_represents)

static void test_more_favoured_source_preempts_ipi(void)
{
    hcall(0, H_CPPR, 0xff, 0);
    hcall(1, H_IPI, 0, 5);
    g_assert_cmpint(set_xive(SRC0 + 1, 0, 3), ==, 0);
    xics_set_irq(spapr->xics, SRC0 + 1, 1);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff001001);
    g_assert_cmphex(xirr(0), ==, 0xff001001);
    g_assert_cmphex(ipoll(0, NULL), ==, 0x03000000);  /* the IPI waits */
    g_assert_cmpint(hcall(0, H_EOI, 0xff001001, 0), ==, H_SUCCESS);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000002);  /* then comes back */
}
XICS_TEST("/xics/priority/source-preempts-less-favoured-ipi", test_more_favoured_source_preempts_ipi)

static void test_less_favoured_source_rejected_then_resent(void)
{
    hcall(0, H_CPPR, 0xff, 0);
    hcall(1, H_IPI, 0, 3);
    g_assert_cmpint(set_xive(SRC0 + 2, 0, 5), ==, 0);
    xics_set_irq(spapr->xics, SRC0 + 2, 1);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000002);
    g_assert_cmphex(xirr(0), ==, 0xff000002);
    hcall(0, H_IPI, 0, 0xff);
    /* CPPR 3 while the IPI is handled: the message still waits */
    g_assert_cmphex(ipoll(0, NULL), ==, 0x03000000);
    hcall(0, H_EOI, 0xff000002, 0);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff001002);
    g_assert_cmphex(xirr(0), ==, 0xff001002);
    hcall(0, H_EOI, 0xff001002, 0);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000000);  /* delivered once */
}
XICS_TEST("/xics/priority/less-favoured-source-rejected-then-resent",
          test_less_favoured_source_rejected_then_resent)

static void test_source_goes_to_its_server(void)
{
    for (int s = 0; s < NCPUS; s++) {
        hcall(s, H_CPPR, 0xff, 0);
    }
    g_assert_cmpint(set_xive(SRC0 + 0x100, 3, 5), ==, 0);
    xics_set_irq(spapr->xics, SRC0 + 0x100, 1);
    for (int s = 0; s < 3; s++) {
        g_assert_cmpint(line(s), ==, 0);
    }
    g_assert_cmphex(xirr(3), ==, 0xff001100);
}
XICS_TEST("/xics/source/presented-to-its-server", test_source_goes_to_its_server)

static void test_lsi_presented_until_deasserted(void)
{
    xics_set_irq_lsi(spapr->xics, SRC0 + 9, true);
    hcall(1, H_CPPR, 0xff, 0);
    g_assert_cmpint(set_xive(SRC0 + 9, 1, 5), ==, 0);
    xics_set_irq(spapr->xics, SRC0 + 9, 1);
    g_assert_cmphex(xirr(1), ==, 0xff001009);
    hcall(1, H_EOI, 0xff001009, 0);         /* still asserted: again */
    g_assert_cmphex(xirr(1), ==, 0xff001009);
    xics_set_irq(spapr->xics, SRC0 + 9, 0);
    hcall(1, H_EOI, 0xff001009, 0);
    g_assert_cmphex(ipoll(1, NULL), ==, 0xff000000);
    g_assert_cmpint(line(1), ==, 0);
}
XICS_TEST("/xics/source/lsi-presented-until-deasserted", test_lsi_presented_until_deasserted)

/* ---- PAPR errors ---- */

static void test_bad_server_answers_h_parameter(void)
{
    g_assert_cmpint(hcall(0, H_IPI, NCPUS, 5), ==, H_PARAMETER);
    g_assert_cmpint(hcall(0, H_IPI, 1ULL << 32, 5), ==, H_PARAMETER);
    g_assert_cmpint(hcall(0, H_IPI, UINT64_MAX, 5), ==, H_PARAMETER);
    g_assert_cmpint(hcall(0, H_IPOLL, NCPUS, 0), ==, H_PARAMETER);
    g_assert_cmpint(hcall(0, H_IPOLL, UINT64_MAX, 0), ==, H_PARAMETER);
    for (int s = 0; s < NCPUS; s++) {
        uint64_t mfrr;
        g_assert_cmphex(ipoll(s, &mfrr), ==, 0);
        g_assert_cmphex(mfrr, ==, 0xff);    /* nothing changed */
    }
}
XICS_TEST("/xics/hcall/bad-server-is-h-parameter", test_bad_server_answers_h_parameter)

static void test_eoi_of_unknown_source(void)
{
    /* the CPPR part still applies (KVM), the source part is refused */
    g_assert_cmpint(hcall(0, H_EOI, 0xff000123, 0), ==, H_PARAMETER);
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000000);
    g_assert_cmpint(hcall(0, H_EOI, 0xff000000 | (SRC0 + XICS_NR_SOURCES), 0), ==, H_PARAMETER);
    g_assert_cmpint(hcall(0, H_EOI, 0x05000000 | (SRC0 + XICS_NR_SOURCES - 1), 0), ==, H_SUCCESS);
    g_assert_cmphex(ipoll(0, NULL), ==, 0x05000000);
}
XICS_TEST("/xics/hcall/eoi-of-unknown-source-is-h-parameter", test_eoi_of_unknown_source)

static void test_priority_arguments_truncate_to_a_byte(void)
{
    hcall(0, H_CPPR, 0x1ff, 0);         /* as QEMU and KVM: the low byte */
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000000);
    hcall(1, H_IPI, 0, 0x104);
    uint64_t mfrr;
    g_assert_cmphex(ipoll(0, &mfrr), ==, 0xff000002);
    g_assert_cmphex(mfrr, ==, 0x04);
}
XICS_TEST("/xics/hcall/priorities-are-one-byte", test_priority_arguments_truncate_to_a_byte)

/* ---- RTAS ---- */

static void test_set_get_xive_roundtrip(void)
{
    g_assert_cmpint(set_xive(SRC0 + 0x42, 2, 6), ==, 0);
    assert_xive(SRC0 + 0x42, 2, 6);
    g_assert_cmpint(set_xive(SRC0 + 0x42, 1, 0xff), ==, 0);
    assert_xive(SRC0 + 0x42, 1, 0xff);
    assert_xive(SRC0 + 0x43, 0, 0xff);  /* its neighbour untouched */
}
XICS_TEST("/xics/rtas/set-get-xive-roundtrip", test_set_get_xive_roundtrip)

static void test_xive_bad_arguments_answer_minus_3(void)
{
    uint32_t one = SRC0, rets[3];
    uint32_t bad_irqs[] = { 0, XICS_IPI, SRC0 - 1, SRC0 + XICS_NR_SOURCES, UINT32_MAX };

    for (size_t i = 0; i < G_N_ELEMENTS(bad_irqs); i++) {
        g_assert_cmpint(set_xive(bad_irqs[i], 0, 5), ==, RTAS_OUT_PARAM_ERROR);
        g_assert_cmpint(rtas(RTAS_IBM_GET_XIVE, 1, &bad_irqs[i], 3, rets), ==, -3);
        g_assert_cmpint(rtas(RTAS_IBM_INT_ON, 1, &bad_irqs[i], 1, NULL), ==, -3);
        g_assert_cmpint(rtas(RTAS_IBM_INT_OFF, 1, &bad_irqs[i], 1, NULL), ==, -3);
    }
    g_assert_cmpint(set_xive(SRC0, NCPUS, 5), ==, -3);      /* no such server */
    g_assert_cmpint(set_xive(SRC0, UINT32_MAX, 5), ==, -3);
    g_assert_cmpint(set_xive(SRC0, 0, 0x100), ==, -3);      /* not a priority */
    /* wrong argument counts */
    g_assert_cmpint(rtas(RTAS_IBM_SET_XIVE, 2, rets, 1, NULL), ==, -3);
    g_assert_cmpint(rtas(RTAS_IBM_GET_XIVE, 1, &one, 1, NULL), ==, -3);
    g_assert_cmpint(rtas(RTAS_IBM_GET_XIVE, 2, rets, 3, NULL), ==, -3);
    g_assert_cmpint(rtas(RTAS_IBM_INT_ON, 0, NULL, 1, NULL), ==, -3);
    g_assert_cmpint(rtas(RTAS_IBM_INT_OFF, 1, &one, 2, NULL), ==, -3);
    assert_xive(SRC0, 0, 0xff);                             /* untouched */
}
XICS_TEST("/xics/rtas/bad-arguments-are-minus-3", test_xive_bad_arguments_answer_minus_3)

static void test_int_off_masks_and_int_on_restores(void)
{
    uint32_t nr = SRC0 + 5;

    hcall(2, H_CPPR, 0xff, 0);
    g_assert_cmpint(set_xive(nr, 2, 5), ==, 0);
    g_assert_cmpint(rtas(RTAS_IBM_INT_OFF, 1, &nr, 1, NULL), ==, 0);
    assert_xive(nr, 2, 0xff);
    g_assert_cmpint(rtas(RTAS_IBM_INT_OFF, 1, &nr, 1, NULL), ==, 0);   /* twice */
    xics_set_irq(spapr->xics, nr, 1);   /* fires while masked: held */
    g_assert_cmpint(line(2), ==, 0);
    g_assert_cmphex(ipoll(2, NULL), ==, 0xff000000);
    g_assert_cmpint(rtas(RTAS_IBM_INT_ON, 1, &nr, 1, NULL), ==, 0);
    assert_xive(nr, 2, 5);
    g_assert_cmphex(ipoll(2, NULL), ==, 0xff001005);
    g_assert_cmpint(line(2), ==, 1);
    g_assert_cmphex(xirr(2), ==, 0xff001005);
    hcall(2, H_EOI, 0xff001005, 0);
    g_assert_cmphex(ipoll(2, NULL), ==, 0xff000000);    /* exactly once */
}
XICS_TEST("/xics/rtas/int-off-masks-int-on-restores", test_int_off_masks_and_int_on_restores)

static void test_masked_at_fire_then_set_xive_presents(void)
{
    hcall(1, H_CPPR, 0xff, 0);
    xics_set_irq(spapr->xics, SRC0 + 0x20, 1);          /* reset: masked */
    g_assert_cmpint(line(1), ==, 0);
    g_assert_cmpint(set_xive(SRC0 + 0x20, 1, 5), ==, 0);
    g_assert_cmphex(xirr(1), ==, 0xff001020);
}
XICS_TEST("/xics/rtas/set-xive-unmask-presents-held-message",
          test_masked_at_fire_then_set_xive_presents)

static void test_set_xive_moves_rejected_message_to_new_server(void)
{
    hcall(0, H_CPPR, 3, 0);             /* server 0 is busy at priority 3 */
    hcall(1, H_CPPR, 0xff, 0);
    g_assert_cmpint(set_xive(SRC0 + 0x30, 0, 5), ==, 0);
    xics_set_irq(spapr->xics, SRC0 + 0x30, 1);
    g_assert_cmpint(line(0), ==, 0);    /* rejected, waiting for server 0 */
    /* the OS moves its affinity: server 1 gets it at once */
    g_assert_cmpint(set_xive(SRC0 + 0x30, 1, 5), ==, 0);
    g_assert_cmphex(xirr(1), ==, 0xff001030);
    hcall(1, H_EOI, 0xff001030, 0);
    hcall(0, H_CPPR, 0xff, 0);          /* and server 0 does not get it too */
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000000);
    g_assert_cmphex(ipoll(1, NULL), ==, 0xff000000);
}
XICS_TEST("/xics/rtas/set-xive-moves-rejected-message-to-new-server",
          test_set_xive_moves_rejected_message_to_new_server)

static void test_rejected_message_masked_is_held_not_lost(void)
{
    uint32_t nr = SRC0 + 0x31;

    hcall(0, H_CPPR, 3, 0);
    g_assert_cmpint(set_xive(nr, 0, 5), ==, 0);
    xics_set_irq(spapr->xics, nr, 1);                       /* rejected */
    g_assert_cmpint(rtas(RTAS_IBM_INT_OFF, 1, &nr, 1, NULL), ==, 0);
    hcall(0, H_CPPR, 0xff, 0);                              /* still masked */
    g_assert_cmphex(ipoll(0, NULL), ==, 0xff000000);
    g_assert_cmpint(rtas(RTAS_IBM_INT_ON, 1, &nr, 1, NULL), ==, 0);
    g_assert_cmphex(xirr(0), ==, 0xff001031);
}
XICS_TEST("/xics/rtas/rejected-then-masked-message-is-held",
          test_rejected_message_masked_is_held_not_lost)

/* ---- machine ---- */

static void test_reset_clears_icp_and_line(void)
{
    hcall(0, H_CPPR, 0xff, 0);
    hcall(1, H_IPI, 0, 5);
    set_xive(SRC0, 1, 5);
    g_assert_cmpint(line(0), ==, 1);
    spapr_machine_reset(spapr);
    g_assert_cmpint(line(0), ==, 0);
    uint64_t mfrr;
    g_assert_cmphex(ipoll(0, &mfrr), ==, 0);
    g_assert_cmphex(mfrr, ==, 0xff);
    assert_xive(SRC0, 0, 0xff);
}
XICS_TEST("/xics/reset/clears-icps-sources-and-lines", test_reset_clears_icp_and_line)

static void test_device_tree_node(void)
{
    const void *fdt = spapr->fdt;
    int node = fdt_path_offset(fdt, "/interrupt-controller");
    int len;

    g_assert_cmpint(node, >=, 0);
    g_assert_cmpstr(fdt_getprop(fdt, node, "device_type", NULL), ==,
                    "PowerPC-External-Interrupt-Presentation");
    g_assert_cmpstr(fdt_getprop(fdt, node, "compatible", NULL), ==, "IBM,ppc-xicp");
    g_assert_nonnull(fdt_getprop(fdt, node, "interrupt-controller", &len));
    g_assert_cmpint(len, ==, 0);
    const fdt32_t *ranges = fdt_getprop(fdt, node, "ibm,interrupt-server-ranges", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmpuint(fdt32_to_cpu(ranges[0]), ==, 0);
    g_assert_cmpuint(fdt32_to_cpu(ranges[1]), ==, NCPUS);
    const fdt32_t *cells = fdt_getprop(fdt, node, "#interrupt-cells", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmpuint(fdt32_to_cpu(*cells), ==, 2);
    g_assert_cmpuint(fdt_get_phandle(fdt, node), ==, SPAPR_XICS_PHANDLE);
    /* ics_rtas_init needs all four tokens in /rtas */
    int rtas_node = fdt_path_offset(fdt, "/rtas");
    static const struct { const char *name; uint32_t token; } calls[] = {
        { "ibm,set-xive", RTAS_IBM_SET_XIVE }, { "ibm,get-xive", RTAS_IBM_GET_XIVE },
        { "ibm,int-on", RTAS_IBM_INT_ON }, { "ibm,int-off", RTAS_IBM_INT_OFF },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        const fdt32_t *tok = fdt_getprop(fdt, rtas_node, calls[i].name, &len);
        g_assert_nonnull(tok);
        g_assert_cmphex(fdt32_to_cpu(*tok), ==, calls[i].token);
    }
}
XICS_TEST("/xics/fdt/interrupt-controller-node", test_device_tree_node)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_reset_state_masks_everything_register();
    test_ipi_waits_for_h_cppr_register();
    test_accept_and_eoi_restore_cppr_register();
    test_eoi_with_mfrr_still_set_represents_ipi_register();
    test_accept_with_nothing_pending_keeps_cppr_register();
    test_xirr_x_returns_timebase_register();
    test_cppr_masks_equal_and_less_favoured_register();
    test_raising_cppr_withdraws_and_lowering_represents_register();
    test_more_favoured_source_preempts_ipi_register();
    test_less_favoured_source_rejected_then_resent_register();
    test_source_goes_to_its_server_register();
    test_lsi_presented_until_deasserted_register();
    test_bad_server_answers_h_parameter_register();
    test_eoi_of_unknown_source_register();
    test_priority_arguments_truncate_to_a_byte_register();
    test_set_get_xive_roundtrip_register();
    test_xive_bad_arguments_answer_minus_3_register();
    test_int_off_masks_and_int_on_restores_register();
    test_masked_at_fire_then_set_xive_presents_register();
    test_set_xive_moves_rejected_message_to_new_server_register();
    test_rejected_message_masked_is_held_not_lost_register();
    test_reset_clears_icp_and_line_register();
    test_device_tree_node_register();
    return g_test_run();
}
