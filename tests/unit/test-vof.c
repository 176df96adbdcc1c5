/*
 * x-vof=on client interface (hw/ppc/spapr_vof.c, spapr_cas.c): the
 * services prom_init uses, called as the guest's entry blob would, with
 * an argument block in guest RAM.
 */
#include <string.h>
#include <glib.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_vof.h"
#include "system/bql.h"
#include "test-machine.h"

#define RAM         (256ULL << 20)
#define BLOCK       0x100000ULL     /* argument block */
#define STRS        0x101000ULL     /* strings the block points to */
#define BUF         0x102000ULL     /* result buffer */
#define VEC         0x103000ULL     /* CAS option-vector table */

static SpaprMachineState *spapr;

/* Call @svc with @nargs args; returns rets[0], fills @rets (nret cells). */
static uint32_t vof_call(const char *svc, int nargs, const uint32_t *args, int nret,
                         uint32_t *rets)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    guest_write(&spapr->ram, STRS, svc, strlen(svc) + 1);
    guest_st_be32(&spapr->ram, BLOCK, (uint32_t)STRS);
    guest_st_be32(&spapr->ram, BLOCK + 4, nargs);
    guest_st_be32(&spapr->ram, BLOCK + 8, nret);
    for (int i = 0; i < nargs; i++) {
        guest_st_be32(&spapr->ram, BLOCK + 12 + 4 * i, args[i]);
    }
    cpu->env.gpr[4] = BLOCK;
    g_assert_cmpint(spapr_vof_hcall(spapr, cpu), ==, 0);
    uint32_t r0 = 0;
    for (int i = 0; i < nret; i++) {
        uint32_t v;
        guest_ld_be32(&spapr->ram, BLOCK + 12 + 4 * (nargs + i), &v);
        if (rets) {
            rets[i] = v;
        }
        if (i == 0) {
            r0 = v;
        }
    }
    return r0;
}

/* A string argument placed after the service name. */
static uint32_t str_arg(const char *s, int slot)
{
    uint64_t a = STRS + 0x100 + 0x100 * slot;
    guest_write(&spapr->ram, a, s, strlen(s) + 1);
    return (uint32_t)a;
}

static void test_tree_walk(void)
{
    uint32_t root = vof_call("peer", 1, (uint32_t[]){ 0 }, 1, NULL);
    g_assert_cmphex(root, !=, 0);
    g_assert_cmphex(vof_call("parent", 1, (uint32_t[]){ root }, 1, NULL), ==, 0);
    uint32_t chosen = vof_call("finddevice", 1, (uint32_t[]){ str_arg("/chosen", 0) }, 1, NULL);
    g_assert_cmphex(chosen, !=, 0xffffffff);
    g_assert_cmphex(vof_call("parent", 1, (uint32_t[]){ chosen }, 1, NULL), ==, root);
    g_assert_cmphex(vof_call("finddevice", 1, (uint32_t[]){ str_arg("/nope", 0) }, 1, NULL),
                    ==, 0xffffffff);
    /* "memory" matches memory@0 without its unit address, as in OF */
    uint32_t mem = vof_call("finddevice", 1, (uint32_t[]){ str_arg("/memory", 0) }, 1, NULL);
    g_assert_cmphex(mem, !=, 0xffffffff);
    uint32_t len = vof_call("package-to-path", 3, (uint32_t[]){ mem, BUF, 64 }, 1, NULL);
    g_assert_cmpuint(len, ==, strlen("/memory@0"));
    g_assert_cmpstr(guest_ptr(&spapr->ram, BUF, 16), ==, "/memory@0");
    /* the synthesized name property */
    len = vof_call("getprop", 4, (uint32_t[]){ mem, str_arg("name", 0), BUF, 64 }, 1, NULL);
    g_assert_cmpuint(len, ==, 7);
    g_assert_cmpstr(guest_ptr(&spapr->ram, BUF, 8), ==, "memory");
    /* nextprop walks every property once, then answers 0 */
    int n = 0;
    guest_write(&spapr->ram, BUF + 0x100, "", 1);
    while (vof_call("nextprop", 3, (uint32_t[]){ mem, BUF + 0x100, BUF + 0x100 }, 1, NULL) == 1) {
        n++;
        g_assert_cmpint(n, <, 10);
    }
    g_assert_cmpint(n, ==, 3);      /* device_type, reg, phandle */
}

static void test_stdout_and_setprop(void)
{
    uint32_t chosen = vof_call("finddevice", 1, (uint32_t[]){ str_arg("/chosen", 0) }, 1, NULL);
    g_assert_cmpuint(vof_call("getprop", 4,
                              (uint32_t[]){ chosen, str_arg("stdout", 0), BUF, 4 }, 1, NULL),
                     ==, 4);
    uint32_t ih;
    guest_ld_be32(&spapr->ram, BUF, &ih);
    uint32_t len = vof_call("instance-to-path", 3, (uint32_t[]){ ih, BUF, 64 }, 1, NULL);
    g_assert_cmpuint(len, ==, strlen("/vdevice/vty@71000000"));
    uint32_t pkg = vof_call("instance-to-package", 1, (uint32_t[]){ ih }, 1, NULL);
    g_assert_cmphex(pkg, !=, 0xffffffff);
    g_assert_cmphex(vof_call("instance-to-package", 1, (uint32_t[]){ 0x1234 }, 1, NULL), ==,
                    0xffffffff);
    guest_write(&spapr->ram, BUF, "abc", 3);
    g_assert_cmpuint(vof_call("setprop", 4,
                              (uint32_t[]){ chosen, str_arg("x-test", 0), BUF, 3 }, 1, NULL),
                     ==, 3);
    g_assert_cmpuint(vof_call("getproplen", 2, (uint32_t[]){ chosen, str_arg("x-test", 0) },
                              1, NULL), ==, 3);
    /* a buffer outside RAM is refused, nothing written */
    g_assert_cmphex(vof_call("setprop", 4,
                             (uint32_t[]){ chosen, str_arg("y", 0), 0xfffffff0, 64 }, 1, NULL),
                    ==, 0xffffffff);
}

static void test_claim(void)
{
    /* the kernel-less machine has the VOF area claimed near the top */
    uint32_t a = vof_call("claim", 3, (uint32_t[]){ 0x2000000, 0x10000, 0 }, 1, NULL);
    g_assert_cmphex(a, ==, 0x2000000);
    g_assert_cmphex(vof_call("claim", 3, (uint32_t[]){ 0x2008000, 0x1000, 0 }, 1, NULL), ==,
                    0xffffffff);
    g_assert_cmphex(vof_call("claim", 3, (uint32_t[]){ (uint32_t)spapr->fdt_addr, 0x1000, 0 },
                             1, NULL), ==, 0xffffffff);
    uint32_t b = vof_call("claim", 3, (uint32_t[]){ 0, 0x3000, 0x100000 }, 1, NULL);
    g_assert_cmphex(b & 0xfffff, ==, 0);
    g_assert_cmphex(vof_call("claim", 3, (uint32_t[]){ b, 0x1000, 0 }, 1, NULL), ==, 0xffffffff);
    vof_call("release", 2, (uint32_t[]){ 0x2000000, 0x10000 }, 0, NULL);
    g_assert_cmphex(vof_call("claim", 3, (uint32_t[]){ 0x2008000, 0x1000, 0 }, 1, NULL), ==,
                    0x2008000);
    g_assert_cmphex(vof_call("claim", 3, (uint32_t[]){ (uint32_t)RAM - 0x1000, 0x2000, 0 },
                             1, NULL), ==, 0xffffffff);
}

static void put_cas_table(uint8_t mmu, uint8_t radix)
{
    test_put_cas_table(spapr, VEC, mmu, radix);
}

static void test_cas(void)
{
    uint32_t root_ih = vof_call("open", 1, (uint32_t[]){ str_arg("/", 0) }, 1, NULL);
    uint32_t rets[2];
    g_assert_cmphex(root_ih, !=, 0);
    /* what prom_init reads first: {23: 0, 24: 0x40, 25: 0, 26: 0x40} */
    static const uint8_t support[] = { 23, 0x00, 24, 0x40, 25, 0x00, 26, 0x40 };
    uint32_t chosen_ph = vof_call("finddevice", 1, (uint32_t[]){ str_arg("/chosen", 0) }, 1,
                                  NULL);
    g_assert_cmpuint(vof_call("getprop", 4,
                              (uint32_t[]){ chosen_ph, str_arg("ibm,arch-vec-5-platform-support",
                                                               0), BUF, 64 }, 1, NULL),
                     ==, sizeof(support));
    g_assert_cmpmem(guest_ptr(&spapr->ram, BUF, sizeof(support)), sizeof(support), support,
                    sizeof(support));
    put_cas_table(0x40, 0x40);
    vof_call("call-method", 3,
             (uint32_t[]){ str_arg("ibm,client-architecture-support", 0), root_ih, VEC }, 2, rets);
    g_assert_cmphex(rets[0], ==, 0);
    g_assert_cmphex(rets[1], ==, 0);
    int chosen = fdt_path_offset(spapr->vof.fdt, "/chosen"), len;
    const uint8_t *v5 = fdt_getprop(spapr->vof.fdt, chosen, "ibm,architecture-vec-5", &len);
    g_assert_nonnull(v5);
    g_assert_cmphex(v5[23], ==, 0);
    g_assert_cmphex(v5[24], ==, 0x40);
    g_assert_cmphex(v5[26], ==, 0x40);
    /* hash only: refused */
    put_cas_table(0x00, 0x00);
    vof_call("call-method", 3,
             (uint32_t[]){ str_arg("ibm,client-architecture-support", 0), root_ih, VEC }, 2, rets);
    g_assert_cmphex(rets[1], ==, 0xffffffff);
}

static void test_instantiate_rtas(void)
{
    uint32_t ih = vof_call("open", 1, (uint32_t[]){ str_arg("/rtas", 0) }, 1, NULL);
    uint32_t rets[2];
    uint64_t old = spapr->rtas_base;
    vof_call("call-method", 3, (uint32_t[]){ str_arg("instantiate-rtas", 0), ih, 0x3000000 },
             2, rets);
    g_assert_cmphex(rets[0], ==, 0);
    g_assert_cmphex(rets[1], ==, 0x3000000);
    g_assert_cmphex(spapr->rtas_base, ==, 0x3000000);
    g_assert_cmpmem(guest_ptr(&spapr->ram, 0x3000000, RTAS_BLOB_SIZE), RTAS_BLOB_SIZE,
                    spapr_rtas_blob, RTAS_BLOB_SIZE);
    spapr->rtas_base = old;
}

static void test_bad_block(void)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    cpu->env.gpr[4] = RAM + 0x1000;
    g_assert_cmpint(spapr_vof_hcall(spapr, cpu), ==, -1);
    g_assert_cmphex(vof_call("no-such-service", 0, NULL, 1, NULL), ==, 0xffffffff);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    spapr = test_machine_new(RAM, 1);
    bql_lock();
    spapr->vof.enabled = true;
    spapr_vof_reset(spapr);
    g_test_add_func("/vof/tree-walk", test_tree_walk);
    g_test_add_func("/vof/stdout-and-setprop", test_stdout_and_setprop);
    g_test_add_func("/vof/claim", test_claim);
    g_test_add_func("/vof/cas", test_cas);
    g_test_add_func("/vof/instantiate-rtas", test_instantiate_rtas);
    g_test_add_func("/vof/bad-block", test_bad_block);
    int ret = g_test_run();
    bql_unlock();
    spapr_machine_destroy(spapr);
    return ret;
}
