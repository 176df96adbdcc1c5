/*
 * The device-tree properties a paravirtualised Linux 6.1 reads to run as
 * an LPAR with the radix MMU and XICS (see hw/ppc/spapr_fdt.c), checked
 * byte for byte, and the ones that must stay absent (VMX, VSX, DFP).
 */
#include <string.h>
#include <glib.h>
#include <libfdt.h>

#include "libqtest.h"

/* Property @prop of node @path, or NULL (with *@len = -1) when missing. */
static const void *prop(const void *fdt, const char *path, const char *prop, int *len)
{
    int node = fdt_path_offset(fdt, path);
    const void *p = node >= 0 ? fdt_getprop(fdt, node, prop, len) : NULL;
    if (!p) {
        *len = -1;
    }
    return p;
}

static void assert_prop_bytes(const void *fdt, const char *path, const char *name,
                              const void *expect, int expect_len)
{
    int len;
    const void *p = prop(fdt, path, name, &len);
    g_test_message("%s/%s: %d bytes (want %d)", path, name, len, expect_len);
    g_assert_nonnull(p);
    g_assert_cmpint(len, ==, expect_len);
    if (p && len == expect_len) {
        g_assert_cmpmem(p, len, expect, expect_len);
    }
}

static void assert_prop_cells(const void *fdt, const char *path, const char *name,
                              const uint32_t *cells, int n)
{
    g_autofree fdt32_t *be = g_new(fdt32_t, n);
    for (int i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    assert_prop_bytes(fdt, path, name, be, n * 4);
}

static void *fetch_fdt(QTestState **qts, const char *args)
{
    *qts = qtest_init(args);
    return qtest_fdt_get(*qts, NULL);
}

static void test_hypertas_lists_implemented_sets(void)
{
    QTestState *qts;
    g_autofree void *fdt = fetch_fdt(&qts, NULL);
    static const char expect[] = "hcall-term\0hcall-set-mode";

    if (fdt) {
        assert_prop_bytes(fdt, "/rtas", "ibm,hypertas-functions", expect, sizeof(expect));
    }
    qtest_quit(qts);
}

static void test_extended_os_term_present(void)
{
    QTestState *qts;
    g_autofree void *fdt = fetch_fdt(&qts, NULL);
    int len;

    if (fdt) {
        g_assert_nonnull(prop(fdt, "/rtas", "ibm,extended-os-term", &len));
        g_assert_cmpint(len, ==, 0);
        /* ...and the call it promises returns a token */
        g_assert_nonnull(prop(fdt, "/rtas", "ibm,os-term", &len));
        g_assert_cmpint(len, ==, 4);
    }
    qtest_quit(qts);
}

/* Radix (byte 24 = 0x40) with GTSE (byte 26 = 0x40), XICS (byte 23 = 0). */
static void test_vec5_radix_gtse_xics(void)
{
    QTestState *qts;
    g_autofree void *fdt = fetch_fdt(&qts, NULL);
    uint8_t expect[27] = { 0 };

    expect[24] = 0x40;
    expect[26] = 0x40;
    if (fdt) {
        assert_prop_bytes(fdt, "/chosen", "ibm,architecture-vec-5", expect, sizeof(expect));
    }
    qtest_quit(qts);
}

static const uint8_t p9_pa_features[] = {
    66, 0,
    0xf6, 0x1f, 0xc7, 0xc0, 0x00, 0xf0, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00,
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0xc0, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00,
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00, 0x80, 0x00,
    0x80, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* Every vCPU node carries the POWER9 properties Linux reads. */
static void test_cpu_properties(const void *data)
{
    int ncpus = GPOINTER_TO_INT(data);
    g_autofree char *args = g_strdup_printf("-smp %d", ncpus);
    QTestState *qts;
    g_autofree void *fdt = fetch_fdt(&qts, args);
    static const uint32_t radix_ap[] = { 0x0000000c, 0xa0000010, 0x20000015, 0x4000001e };

    for (int i = 0; fdt && i < ncpus; i++) {
        g_autofree char *path = g_strdup_printf("/cpus/PowerPC,POWER9@%x", i);
        int len;
        assert_prop_bytes(fdt, path, "ibm,pa-features", p9_pa_features,
                          sizeof(p9_pa_features));
        const uint8_t *pa = prop(fdt, path, "ibm,pa-features", &len);
        if (pa && len == 68) {
            g_assert_cmphex(pa[2 + 40] & 0x80, ==, 0x80);  /* radix */
            g_assert_cmphex(pa[2 + 22] & 0x80, ==, 0);     /* no HTM */
        }
        assert_prop_cells(fdt, path, "ibm,processor-radix-AP-encodings", radix_ap, 4);
        assert_prop_cells(fdt, path, "ibm,ppc-interrupt-gserver#s",
                          (const uint32_t[]){ (uint32_t)i, 0 }, 2);
        assert_prop_cells(fdt, path, "ibm,ppc-interrupt-server#s",
                          (const uint32_t[]){ (uint32_t)i }, 1);
        static const char *const caches[] = {
            "d-cache-block-size", "d-cache-line-size",
            "i-cache-block-size", "i-cache-line-size",
        };
        for (size_t c = 0; c < G_N_ELEMENTS(caches); c++) {
            assert_prop_cells(fdt, path, caches[c], (const uint32_t[]){ 128 }, 1);
        }
        assert_prop_cells(fdt, path, "d-cache-size", (const uint32_t[]){ 0x8000 }, 1);
        assert_prop_cells(fdt, path, "i-cache-size", (const uint32_t[]){ 0x8000 }, 1);
        /* VMX/VSX, AltiVec and DFP are not implemented: not advertised. */
        g_assert_null(prop(fdt, path, "ibm,vmx", &len));
        g_assert_null(prop(fdt, path, "altivec", &len));
        g_assert_null(prop(fdt, path, "ibm,dfp", &len));
    }
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    g_test_add_func("/fdt/rtas/hypertas-functions-lists-implemented-sets",
                    test_hypertas_lists_implemented_sets);
    g_test_add_func("/fdt/rtas/extended-os-term-present", test_extended_os_term_present);
    g_test_add_func("/fdt/chosen/vec5-radix-gtse-xics", test_vec5_radix_gtse_xics);
    g_test_add_data_func("/fdt/cpus/power9-properties/smp-1", GINT_TO_POINTER(1),
                         test_cpu_properties);
    g_test_add_data_func("/fdt/cpus/power9-properties/smp-64", GINT_TO_POINTER(64),
                         test_cpu_properties);
    return g_test_run();
}
