/*
 * RTAS dispatcher and device tree, in process: argument blocks are
 * bounds-checked before anything runs, /rtas lists exactly the table,
 * and the embedded entry blob is the one shipped in pc-bios/.
 */
#include <glib.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"

#define RAM (64ULL << 20)

static SpaprMachineState *spapr;

static void test_block_outside_ram_is_rejected_untouched(void)
{
    uint32_t token = spapr_rtas_token("get-time-of-day");
    uint32_t cell;

    /* rets would straddle the end of RAM: nothing may be written */
    guest_st_be32(&spapr->ram, RAM - 4, 0xa5a5a5a5);
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, 0, RAM - 4, 8, RAM - 4),
                    ==, H_PARAMETER);
    guest_ld_be32(&spapr->ram, RAM - 4, &cell);
    g_assert_cmphex(cell, ==, 0xa5a5a5a5);
    /* addresses that wrap around */
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, 2, UINT64_MAX - 3, 1, 0x1000),
                    ==, H_PARAMETER);
    /* more cells than any call takes */
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, RTAS_MAX_CELLS + 1, 0x1000,
                                    1, 0x2000), ==, H_PARAMETER);
}

static void test_unknown_token_and_wrong_counts_answer_minus_3(void)
{
    uint32_t status;
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], 0x1234, 0, 0x1000, 1, 0x1000),
                    ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, 0x1000, &status);
    g_assert_cmpint((int32_t)status, ==, RTAS_OUT_PARAM_ERROR);
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], RTAS_IBM_NMI_INTERLOCK, 1, 0x1000,
                                    1, 0x1004), ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, 0x1004, &status);
    g_assert_cmpint((int32_t)status, ==, RTAS_OUT_PARAM_ERROR);
}

static void test_h_rtas_masks_top_bits(void)
{
    /* H_RTAS with the block at 0xc000...2000 (a kernel address in real mode) */
    PowerPCCPU *cpu = spapr->cpus[0];
    uint32_t status;
    bool stop;
    guest_st_be32(&spapr->ram, 0x2000, spapr_rtas_token("query-cpu-stopped-state"));
    guest_st_be32(&spapr->ram, 0x2004, 1);
    guest_st_be32(&spapr->ram, 0x2008, 2);
    guest_st_be32(&spapr->ram, 0x200c, 0);     /* cpu 0 */
    cpu->env.gpr[4] = 0xc000000000002000ULL;
    g_assert_cmpint(spapr_hypercall(spapr, cpu, H_RTAS, &stop), ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, 0x2010, &status);
    g_assert_cmpint(status, ==, 0);
    guest_ld_be32(&spapr->ram, 0x2014, &status);
    g_assert_cmpint(status, ==, 2);            /* running */
    cpu->env.gpr[4] = RAM - 8;                 /* header straddles the end */
    g_assert_cmpint(spapr_hypercall(spapr, cpu, H_RTAS, &stop), ==, H_PARAMETER);
}

static void check_token_in_fdt(const char *name, uint32_t token, void *opaque)
{
    const void *fdt = opaque;
    int node = fdt_path_offset(fdt, "/rtas");
    int len;
    const fdt32_t *prop = fdt_getprop(fdt, node, name, &len);
    g_assert_nonnull(prop);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmphex(fdt32_to_cpu(*prop), ==, token);
}

static void test_fdt_rtas_node_matches_table(void)
{
    const void *fdt = spapr->fdt;
    int node = fdt_path_offset(fdt, "/rtas");
    g_assert_cmpint(node, >=, 0);
    spapr_rtas_foreach(check_token_in_fdt, spapr->fdt);
    const fdt32_t *p = fdt_getprop(fdt, node, "linux,rtas-base", NULL);
    g_assert_cmphex(fdt32_to_cpu(*p), ==, spapr->rtas_base);
    p = fdt_getprop(fdt, node, "rtas-size", NULL);
    g_assert_cmpuint(fdt32_to_cpu(*p), ==, 0x840 + 2 * 16 + 16);
    p = fdt_getprop(fdt, node, "rtas-error-log-max", NULL);
    g_assert_cmpuint(fdt32_to_cpu(*p), ==, 2048);
    g_assert_cmphex(spapr_rtas_token("ibm,nmi-register"), ==, 0x202B);
    g_assert_cmphex(spapr_rtas_token("ibm,nmi-interlock"), ==, 0x202C);
    /* the tree and the blob are in guest RAM too */
    uint8_t blob[RTAS_BLOB_SIZE];
    guest_read(&spapr->ram, spapr->rtas_base, blob, sizeof(blob));
    g_assert_cmpmem(blob, sizeof(blob), spapr_rtas_blob, RTAS_BLOB_SIZE);
    g_assert_cmpint(fdt_check_header(spapr->ram.host + spapr->fdt_addr), ==, 0);
}

static void test_blob_matches_shipped_binary(void)
{
    g_autofree char *path = g_build_filename(g_getenv("SOURCE_ROOT") ?: ".",
                                             "pc-bios", "spapr-rtas", "spapr-rtas.bin", NULL);
    g_autofree gchar *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpmem(data, len, spapr_rtas_blob, RTAS_BLOB_SIZE);
}

/* The x-vof=on client-interface entry blob is shipped the same way. */
static void test_vof_blob_matches_shipped_binary(void)
{
    g_autofree char *path = g_build_filename(g_getenv("SOURCE_ROOT") ?: ".",
                                             "pc-bios", "spapr-vof", "spapr-vof.bin", NULL);
    g_autofree gchar *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpmem(data, len, spapr_vof_blob, SPAPR_VOF_BLOB_SIZE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    SpaprMachineConfig cfg = { .ram_size = RAM, .smp_cpus = 2, .caps = { .fwnmi = true } };
    vm_clock_init(true);
    spapr = spapr_machine_create(&cfg, NULL);
    g_assert_nonnull(spapr);
    bql_lock();
    g_test_add_func("/rtas/dispatch/block-outside-ram-rejected-untouched",
                    test_block_outside_ram_is_rejected_untouched);
    g_test_add_func("/rtas/dispatch/unknown-token-and-wrong-counts",
                    test_unknown_token_and_wrong_counts_answer_minus_3);
    g_test_add_func("/rtas/h-rtas/masks-top-address-bits", test_h_rtas_masks_top_bits);
    g_test_add_func("/rtas/fdt/rtas-node-matches-table", test_fdt_rtas_node_matches_table);
    g_test_add_func("/rtas/blob/matches-shipped-binary", test_blob_matches_shipped_binary);
    g_test_add_func("/vof/blob/matches-shipped-binary", test_vof_blob_matches_shipped_binary);
    int ret = g_test_run();
    bql_unlock();
    spapr_machine_destroy(spapr);
    return ret;
}
