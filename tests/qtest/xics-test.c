/*
 * XICS seen from outside the real binary over qtest: the device tree has
 * the node Linux's icp_hv_init needs and the four ICS tokens Linux's
 * ics_rtas_init needs, the RTAS calls answer with the PAPR statuses, and
 * a machine reset masks every source again. The state machines themselves
 * are tested in process (tests/unit/test-xics.c).
 */
#include <string.h>
#include <glib.h>
#include <libfdt.h>

#include "libqtest.h"

#define RTAS_PARAM_ERROR    ((uint32_t)-3)
#define SRC                 0x1100u     /* the vty's source */

static QTestState *start(void)
{
    return qtest_init("-M pseries -smp 2 -m 256M");
}

static void test_device_tree_has_xicp_and_ics_tokens(void)
{
    QTestState *qts = start();
    size_t len;
    g_autofree void *fdt = qtest_fdt_get(qts, &len);
    int node = fdt_node_offset_by_compatible(fdt, -1, "IBM,ppc-xicp");
    int plen;

    g_assert_cmpint(node, >=, 0);
    g_assert_cmpstr(fdt_get_name(fdt, node, NULL), ==, "interrupt-controller");
    g_assert_cmpstr(fdt_getprop(fdt, node, "device_type", NULL), ==,
                    "PowerPC-External-Interrupt-Presentation");
    const fdt32_t *ranges = fdt_getprop(fdt, node, "ibm,interrupt-server-ranges", &plen);
    g_assert_cmpint(plen, ==, 8);
    g_assert_cmpuint(fdt32_to_cpu(ranges[0]), ==, 0);
    g_assert_cmpuint(fdt32_to_cpu(ranges[1]), ==, 2);
    static const char *const calls[] = {
        "ibm,set-xive", "ibm,get-xive", "ibm,int-on", "ibm,int-off",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        uint32_t token;
        g_assert_true(qtest_fdt_rtas_u32(fdt, calls[i], &token));
        g_assert_cmphex(token, >=, 0x2000);
    }
    qtest_quit(qts);
}

static void get_xive(QTestState *qts, uint32_t nr, uint32_t *rets)
{
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,get-xive", 1, &nr, 3, rets), ==, 0);
}

static void test_set_xive_over_the_wire_and_reset_masks(void)
{
    QTestState *qts = start();
    uint32_t args[3] = { SRC, 1, 5 }, rets[3], ret;

    g_assert_cmpint(qtest_rtas_call(qts, "ibm,set-xive", 3, args, 1, &ret), ==, 0);
    g_assert_cmpuint(ret, ==, 0);
    get_xive(qts, SRC, rets);
    g_assert_cmpuint(rets[0], ==, 0);
    g_assert_cmpuint(rets[1], ==, 1);
    g_assert_cmpuint(rets[2], ==, 5);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,int-off", 1, args, 1, &ret), ==, 0);
    get_xive(qts, SRC, rets);
    g_assert_cmpuint(rets[2], ==, 0xff);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,int-on", 1, args, 1, &ret), ==, 0);
    get_xive(qts, SRC, rets);
    g_assert_cmpuint(rets[2], ==, 5);
    qtest_system_reset(qts);
    get_xive(qts, SRC, rets);
    g_assert_cmpuint(rets[1], ==, 0);
    g_assert_cmpuint(rets[2], ==, 0xff);
    qtest_quit(qts);
}

static void test_bad_server_irq_and_counts_are_minus_3(void)
{
    QTestState *qts = start();
    uint32_t ret, rets[3];
    uint32_t no_server[3] = { SRC, 2, 5 }, ipi[3] = { 2, 0, 5 }, prio[3] = { SRC, 0, 256 };

    g_assert_cmpint(qtest_rtas_call(qts, "ibm,set-xive", 3, no_server, 1, &ret), ==, 0);
    g_assert_cmphex(ret, ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,set-xive", 3, ipi, 1, &ret), ==, 0);
    g_assert_cmphex(ret, ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,set-xive", 3, prio, 1, &ret), ==, 0);
    g_assert_cmphex(ret, ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,get-xive", 1, ipi, 1, rets), ==, 0);
    g_assert_cmphex(rets[0], ==, RTAS_PARAM_ERROR);
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,int-on", 2, prio, 1, &ret), ==, 0);
    g_assert_cmphex(ret, ==, RTAS_PARAM_ERROR);
    get_xive(qts, SRC, rets);
    g_assert_cmpuint(rets[2], ==, 0xff);    /* nothing changed */
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xics/fdt/xicp-node-and-ics-tokens", test_device_tree_has_xicp_and_ics_tokens);
    g_test_add_func("/xics/rtas/set-xive-int-off-on-and-reset-masks",
                    test_set_xive_over_the_wire_and_reset_masks);
    g_test_add_func("/xics/rtas/bad-server-irq-priority-counts-are-minus-3",
                    test_bad_server_irq_and_counts_are_minus_3);
    return g_test_run();
}
