/*
 * SLOF's device-tree exchange (hw/ppc/spapr_hcall_cas.c): KVMPPC_H_CAS
 * and KVMPPC_H_UPDATE_DT called as SLOF makes them, with the option
 * vectors, the buffer and the trees in guest RAM. Checks the exact
 * status, the exact bytes written (and that nothing is written on an
 * error), and where FWNMI's error log goes after SLOF's tree arrives.
 */
#include <string.h>
#include <glib.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_cas.h"
#include "system/bql.h"
#include "test-machine.h"

#define RAM         (256ULL << 20)
#define VEC         0x100000ULL     /* CAS option-vector table */
#define BUF         0x200000ULL     /* SLOF's CAS buffer */
#define BUF_SIZE    0x200000ULL     /* SLOF's cas-buffer-size (2 MiB) */
#define DT          0x600000ULL     /* SLOF's flattened tree at quiesce */
#define POISON      0xa5

static SpaprMachineState *spapr;

static int64_t hcall(uint64_t opcode, uint64_t r4, uint64_t r5, uint64_t r6)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    int64_t ret = 0;
    cpu->env.gpr[4] = r4;
    cpu->env.gpr[5] = r5;
    cpu->env.gpr[6] = r6;
    g_assert_true(spapr_cas_hcall(spapr, cpu, opcode, &ret));
    return ret;
}

static void put_cas_table(uint8_t mmu, uint8_t radix)
{
    test_put_cas_table(spapr, VEC, mmu, radix);
}

static void poison(uint64_t addr, uint64_t len)
{
    guest_fill(&spapr->ram, addr, POISON, len);
}

/* Every byte of [addr, addr + len) still holds the poison. */
static void assert_untouched(uint64_t addr, uint64_t len)
{
    const uint8_t *p = guest_ptr(&spapr->ram, addr, len);
    for (uint64_t i = 0; i < len; i++) {
        if (p[i] != POISON) {
            g_test_message("byte 0x%" G_GINT64_MODIFIER "x written: 0x%02x", addr + i, p[i]);
            g_assert_cmphex(p[i], ==, POISON);
        }
    }
}

static void reset(void)
{
    spapr_machine_reset(spapr);
    g_assert_false(spapr->cas.done);
}

/* The size of the tree H_CAS writes for this machine. */
static uint32_t cas_tree_size(void)
{
    put_cas_table(0x40, 0x40);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, BUF_SIZE), ==, H_SUCCESS);
    uint32_t total = fdt_totalsize(guest_ptr(&spapr->ram, BUF + 4, 40));
    reset();
    return total;
}

static void test_cas_writes_header_and_tree(void)
{
    reset();
    put_cas_table(0x40, 0x40);
    poison(BUF, BUF_SIZE);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, BUF_SIZE), ==, H_SUCCESS);

    /* The update header: version_id = 1, 32-bit big-endian. */
    static const uint8_t hdr[4] = { 0x00, 0x00, 0x00, 0x01 };
    g_assert_cmpmem(guest_ptr(&spapr->ram, BUF, 4), 4, hdr, 4);
    /* libfdt wants its trees 8-byte aligned; SLOF's parser does not */
    g_autofree void *fdt = g_memdup2(guest_ptr(&spapr->ram, BUF + 4, BUF_SIZE - 4),
                                     BUF_SIZE - 4);
    g_assert_cmpint(fdt_check_full(fdt, BUF_SIZE - 4), ==, 0);
    uint32_t total = fdt_totalsize(fdt);
    /* exactly the machine's rebuilt tree, packed, and nothing after it */
    g_assert_cmpuint(total, ==, fdt_totalsize(spapr->fdt));
    g_assert_cmpmem(fdt, total, spapr->fdt, total);
    g_assert_cmpuint(spapr->cas.fdt_initial_size, ==, total);
    assert_untouched(BUF + 4 + total, BUF_SIZE - 4 - total);

    int chosen = fdt_path_offset(fdt, "/chosen"), len;
    const uint8_t *v5 = fdt_getprop(fdt, chosen, "ibm,architecture-vec-5", &len);
    g_assert_nonnull(v5);
    g_assert_cmpint(len, ==, SPAPR_OV5_LEN);
    g_assert_cmphex(v5[23], ==, 0);         /* XICS although XIVE was asked */
    g_assert_cmphex(v5[24], ==, 0x40);
    g_assert_cmphex(v5[26], ==, 0x40);
    g_assert_true(spapr->cas.done);
    /* SLOF deletes nodes missing from this tree: all must be there. */
    const char *nodes[] = { "/cpus", "/memory@0", "/rtas", "/vdevice/vty@71000000",
                            "/chosen" };
    for (size_t i = 0; i < G_N_ELEMENTS(nodes); i++) {
        g_assert_cmpint(fdt_path_offset(fdt, nodes[i]), >=, 0);
    }
}

static void test_cas_buffer_too_small(void)
{
    uint32_t total = cas_tree_size();
    put_cas_table(0x40, 0x40);
    /* Below the header, and one byte short of header + tree: an error,
     * no byte written, nothing negotiated. */
    const uint64_t sizes[] = { 0, 3, 4, 4 + (uint64_t)total - 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        poison(BUF, BUF_SIZE);
        g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, sizes[i]), ==, H_PARAMETER);
        assert_untouched(BUF, BUF_SIZE);
        g_assert_false(spapr->cas.done);
    }
    /* exactly header + tree is enough */
    poison(BUF, BUF_SIZE);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, 4 + (uint64_t)total), ==, H_SUCCESS);
    assert_untouched(BUF + 4 + total, BUF_SIZE - 4 - total);
}

static void test_cas_outside_ram(void)
{
    reset();
    put_cas_table(0x40, 0x40);
    poison(RAM - 0x1000, 0x1000);
    /* a buffer that runs past the end of RAM, one beyond it, one whose
     * size wraps around, and an option-vector table outside RAM */
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, RAM - 0x1000, 0x2000), ==, H_PARAMETER);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, RAM, 0x1000), ==, H_PARAMETER);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, RAM - 0x1000, UINT64_MAX), ==, H_PARAMETER);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, 1ULL << 50, 0x1000), ==, H_PARAMETER);
    assert_untouched(RAM - 0x1000, 0x1000);
    poison(BUF, 0x1000);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, RAM - 8, BUF, BUF_SIZE), ==, H_PARAMETER);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, RAM + 0x1000, BUF, BUF_SIZE), ==, H_PARAMETER);
    assert_untouched(BUF, 0x1000);
    g_assert_false(spapr->cas.done);
}

static void test_cas_refuses_hash(void)
{
    reset();
    put_cas_table(0x00, 0x00);      /* hash MMU only */
    poison(BUF, 0x1000);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, BUF_SIZE), ==, H_HARDWARE);
    assert_untouched(BUF, 0x1000);
    g_assert_false(spapr->cas.done);
    put_cas_table(0x40, 0x00);      /* radix without GTSE */
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, BUF_SIZE), ==, H_HARDWARE);
    assert_untouched(BUF, 0x1000);
}

/* Write the machine's tree at DT, as SLOF would flatten it, with
 * /rtas/linux,rtas-base = @rtas_base (no property when 0). */
static uint32_t put_fw_tree(uint64_t rtas_base)
{
    uint32_t size = fdt_totalsize(spapr->fdt) + 0x100;
    g_autofree void *fdt = g_malloc0(size);
    g_assert_cmpint(fdt_open_into(spapr->fdt, fdt, (int)size), ==, 0);
    int rtas = fdt_path_offset(fdt, "/rtas");
    g_assert_cmpint(fdt_delprop(fdt, rtas, "linux,rtas-base"), ==, 0);
    if (rtas_base) {
        g_assert_cmpint(fdt_setprop_u32(fdt, rtas, "linux,rtas-base", (uint32_t)rtas_base),
                        ==, 0);
    }
    g_assert_cmpint(fdt_pack(fdt), ==, 0);
    uint32_t total = fdt_totalsize(fdt);
    guest_write(&spapr->ram, DT, fdt, total);
    return total;
}

static void test_update_dt_moves_rtas(void)
{
    reset();
    uint64_t base = 0x2000000;
    put_fw_tree(base);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_SUCCESS);
    g_assert_cmphex(spapr->rtas_base, ==, base);
    g_assert_nonnull(spapr->cas.fw_fdt);
    /* The tree that comes back with the RTAS area moved there says so:
     * FWNMI's error log (rtas_base + RTAS_ERROR_LOG_OFFSET) is inside
     * the area the guest owns. */
    g_autofree void *fdt = spapr_build_fdt(spapr);
    uint32_t v;
    int rtas = fdt_path_offset(fdt, "/rtas"), len;
    const fdt32_t *p = fdt_getprop(fdt, rtas, "linux,rtas-base", &len);
    g_assert_nonnull(p);
    v = fdt32_to_cpu(*p);
    g_assert_cmphex(v, ==, base);
    /* the machine reset puts everything back */
    reset();
    g_assert_cmphex(spapr->rtas_base, ==, spapr->rtas_base_default);
    g_assert_null(spapr->cas.fw_fdt);
}

/*
 * End to end: after SLOF's tree moved RTAS, a machine check is delivered
 * with r3 pointing into the new area, its log is written there, and the
 * old default area is left alone.
 */
static void test_update_dt_fwnmi_log_follows(void)
{
    reset();
    uint64_t base = 0x2000000, def = spapr->rtas_base_default;
    PowerPCCPU *cpu = spapr->cpus[0];
    put_fw_tree(base);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_SUCCESS);
    poison(def + RTAS_ERROR_LOG_OFFSET, spapr->rtas_size - RTAS_ERROR_LOG_OFFSET);
    uint32_t args[2] = { 0x2000 /* system reset */, 0x3000 /* machine check */ };
    g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    cpu->env.gpr[3] = 0x1234;
    SpaprMceInfo info = { .srr1 = SRR1_MC_LOADSTORE, .dsisr = 0x800, .dar = 0x5678,
                          .recovered = true };
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmphex(cpu->env.nip, ==, 0x3000);
    g_assert_cmphex(cpu->env.gpr[3], ==, base + RTAS_ERROR_LOG_OFFSET);
    uint64_t saved_r3;
    guest_ld_be64(&spapr->ram, base + RTAS_ERROR_LOG_OFFSET, &saved_r3);
    g_assert_cmphex(saved_r3, ==, 0x1234);
    assert_untouched(def + RTAS_ERROR_LOG_OFFSET, spapr->rtas_size - RTAS_ERROR_LOG_OFFSET);
    g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    reset();
}

static void test_update_dt_without_rtas_base(void)
{
    reset();
    put_fw_tree(0);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_SUCCESS);
    g_assert_cmphex(spapr->rtas_base, ==, spapr->rtas_base_default);
    g_assert_nonnull(spapr->cas.fw_fdt);
}

static void test_update_dt_rejects(void)
{
    reset();
    uint64_t def = spapr->rtas_base_default;
    struct fdt_header *h = guest_ptr(&spapr->ram, DT, sizeof(*h));

    /* outside RAM: the header, or a totalsize reaching past the end */
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, RAM - 8, 0, 0), ==, H_PARAMETER);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, 1ULL << 50, 0, 0), ==, H_PARAMETER);
    uint32_t total = fdt_totalsize(spapr->fdt);
    uint64_t near_end = RAM - total / 2;
    guest_write(&spapr->ram, near_end, spapr->fdt, total / 2);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, near_end, 0, 0), ==, H_PARAMETER);

    /* bad magic */
    put_fw_tree(0x2000000);
    h->magic = cpu_to_fdt32(0x12345678);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);

    /* totalsize beyond twice the tree given (QEMU's bound), or below a header */
    put_fw_tree(0x2000000);
    h->totalsize = cpu_to_fdt32(2 * spapr->cas.fdt_initial_size + 1);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);
    h->totalsize = cpu_to_fdt32(8);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);

    /* fdt_check_full fails: the structure block points past the tree */
    total = put_fw_tree(0x2000000);
    h->off_dt_struct = cpu_to_fdt32(total + 0x100);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);
    /* a truncated tree: totalsize cut short of its strings */
    total = put_fw_tree(0x2000000);
    h->totalsize = cpu_to_fdt32(total - 16);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);

    /* an RTAS base with no room for the area in the RMA, or unaligned */
    put_fw_tree(spapr->rma_size - spapr->rtas_size + 4);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);
    put_fw_tree(0x2000002);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);

    /* none of that moved RTAS or kept a tree */
    g_assert_cmphex(spapr->rtas_base, ==, def);
    g_assert_null(spapr->cas.fw_fdt);
    /* the last byte that still fits is fine */
    put_fw_tree(spapr->rma_size - spapr->rtas_size);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_SUCCESS);
    g_assert_cmphex(spapr->rtas_base, ==, spapr->rma_size - spapr->rtas_size);
}

/* The bound follows the last tree handed over: after CAS it is that one. */
static void test_update_dt_bound_follows_cas(void)
{
    reset();
    put_cas_table(0x40, 0x40);
    g_assert_cmpint(hcall(KVMPPC_H_CAS, VEC, BUF, BUF_SIZE), ==, H_SUCCESS);
    uint32_t initial = spapr->cas.fdt_initial_size;
    g_assert_cmpuint(initial, ==, fdt_totalsize(guest_ptr(&spapr->ram, BUF + 4, 40)));
    put_fw_tree(0x2000000);
    struct fdt_header *h = guest_ptr(&spapr->ram, DT, sizeof(*h));
    h->totalsize = cpu_to_fdt32(2 * initial + 1);
    g_assert_cmpint(hcall(KVMPPC_H_UPDATE_DT, DT, 0, 0), ==, H_PARAMETER);
}

static void test_other_opcodes_not_taken(void)
{
    int64_t ret = 12345;
    g_assert_false(spapr_cas_hcall(spapr, spapr->cpus[0], 0xF001, &ret));
    g_assert_false(spapr_cas_hcall(spapr, spapr->cpus[0], 0xF004, &ret));
    g_assert_cmpint(ret, ==, 12345);
    /* and the dispatcher routes both */
    bool stop;
    spapr->cpus[0]->env.gpr[4] = RAM + 0x1000;
    g_assert_cmpint(spapr_hypercall(spapr, spapr->cpus[0], KVMPPC_H_UPDATE_DT, &stop), ==,
                    H_PARAMETER);
    spapr->cpus[0]->env.gpr[6] = 0;
    g_assert_cmpint(spapr_hypercall(spapr, spapr->cpus[0], KVMPPC_H_CAS, &stop), ==,
                    H_PARAMETER);
    /* SLOF's sc 1 probe gets QEMU's answer (anything else: "broken sc 1") */
    g_assert_cmpint(spapr_hypercall(spapr, spapr->cpus[0], 0x28, &stop), ==, H_HARDWARE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    spapr = test_machine_new(RAM, 1);
    bql_lock();
    g_test_add_func("/hcall-cas/cas/writes-header-and-tree", test_cas_writes_header_and_tree);
    g_test_add_func("/hcall-cas/cas/buffer-too-small", test_cas_buffer_too_small);
    g_test_add_func("/hcall-cas/cas/outside-ram", test_cas_outside_ram);
    g_test_add_func("/hcall-cas/cas/refuses-hash", test_cas_refuses_hash);
    g_test_add_func("/hcall-cas/update-dt/moves-rtas", test_update_dt_moves_rtas);
    g_test_add_func("/hcall-cas/update-dt/fwnmi-log-follows", test_update_dt_fwnmi_log_follows);
    g_test_add_func("/hcall-cas/update-dt/without-rtas-base", test_update_dt_without_rtas_base);
    g_test_add_func("/hcall-cas/update-dt/rejects", test_update_dt_rejects);
    g_test_add_func("/hcall-cas/update-dt/bound-follows-cas", test_update_dt_bound_follows_cas);
    g_test_add_func("/hcall-cas/dispatch", test_other_opcodes_not_taken);
    int ret = g_test_run();
    bql_unlock();
    spapr_machine_destroy(spapr);
    return ret;
}
