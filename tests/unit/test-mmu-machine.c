/*
 * The radix MMU inside the pseries machine: H_REGISTER_PROC_TBL as Linux
 * calls it (and what it must refuse), reset, and UE machine checks for
 * translated accesses that reach no RAM.
 */
#include <glib.h>

#include "../../target/ppc/interp/interp-test-harness.h"
#include "hw/ppc/spapr.h"
#include "radix-test-tables.h"
#include "test-machine.h"

#define MSR_BASE        (MSR_SF | MSR_ME)
#define MSR_VIRT        (MSR_IR | MSR_DR)
#define KCODE           RT_KERNEL(HARNESS_CODE)
#define DATA_EA         0xC000000010000000ULL
#define FLAGS_LINUX     0x1DULL     /* NEW | RADIX | GTSE */

static SpaprMachineState *make_machine(void)
{
    return test_machine_new(SPAPR_MIN_RAM, 1);
}

static void destroy_machine(SpaprMachineState *spapr)
{
    ppc_interp_cpu_finalize(spapr->cpus[0]);
    spapr_machine_destroy(spapr);
}

static void write_insn(SpaprMachineState *spapr, uint64_t ra, uint32_t insn)
{
    g_assert_cmpint(guest_st_be32(&spapr->ram, ra, insn), ==, 0);
    ppc_interp_invalidate(ra, 4);
}

/* H_REGISTER_PROC_TBL(flags, base, page_size, size) through `sc 1`. */
static int64_t register_proc_tbl(SpaprMachineState *spapr, uint64_t flags,
                                 uint64_t base, uint64_t page_size,
                                 uint64_t size)
{
    PowerPCCPU *cpu = spapr->cpus[0];

    write_insn(spapr, HARNESS_CODE, enc_sc(1));
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE;
    cpu->env.gpr[3] = H_REGISTER_PROC_TBL;
    cpu->env.gpr[4] = flags;
    cpu->env.gpr[5] = base;
    cpu->env.gpr[6] = page_size;
    cpu->env.gpr[7] = size;
    ppc_interp_run(cpu, &spapr->ram, 1);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 4);
    return (int64_t)cpu->env.gpr[3];
}

static void test_register_proc_tbl_as_linux_does(void)
{
    SpaprMachineState *spapr = make_machine();
    uint64_t gen = spapr->radix.flush_gen;

    g_assert_cmphex(spapr->radix.proc_tbl, ==, 0);
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, 0x3E000000,
                                      0, 12), ==, H_SUCCESS);
    g_assert_cmphex(spapr->radix.proc_tbl, ==, PATE1_GR | 0x3E000000 | 12);
    g_assert_cmpuint(spapr->radix.flush_gen, >, gen);
    /* "keep the current registration" with matching type */
    g_assert_cmpint(register_proc_tbl(spapr, 0x04, 0, 0, 0), ==, H_SUCCESS);
    g_assert_cmpint(register_proc_tbl(spapr, 0x00, 0, 0, 0), ==, H_PARAMETER);
    g_assert_cmphex(spapr->radix.proc_tbl, ==, PATE1_GR | 0x3E000000 | 12);
    /* deregister, then machine reset also forgets it */
    g_assert_cmpint(register_proc_tbl(spapr, 0x10, 0, 0, 0), ==, H_SUCCESS);
    g_assert_cmphex(spapr->radix.proc_tbl, ==, 0);
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, RT_PRTB, 0, 0), ==,
                    H_SUCCESS);
    spapr_machine_reset(spapr);
    g_assert_cmphex(spapr->radix.proc_tbl, ==, 0);
    destroy_machine(spapr);
}

static void test_register_proc_tbl_rejects_bad_arguments(void)
{
    SpaprMachineState *spapr = make_machine();

    g_assert_cmpint(register_proc_tbl(spapr, 0x3D, RT_PRTB, 0, 0), ==,
                    H_PARAMETER);                       /* reserved flag */
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, RT_PRTB + 0x800, 0, 0),
                    ==, H_PARAMETER);                   /* not 4K aligned */
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, 1ULL << 60, 0, 0),
                    ==, H_PARAMETER);                   /* base too high */
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, RT_PRTB, 16, 0), ==,
                    H_PARAMETER);                       /* page size: hash */
    g_assert_cmpint(register_proc_tbl(spapr, FLAGS_LINUX, RT_PRTB, 0, 25), ==,
                    H_PARAMETER);                       /* size > 2^36 */
    g_assert_cmpint(register_proc_tbl(spapr, 0x1A, RT_PRTB, 0, 0), ==,
                    H_PARAMETER);                       /* segment tables */
    g_assert_cmphex(spapr->radix.proc_tbl, ==, 0);
    /* Hash with SLB is accepted and leaves no radix table. */
    g_assert_cmpint(register_proc_tbl(spapr, 0x18, 0, 0, 0), ==, H_SUCCESS);
    g_assert_cmphex(spapr->radix.proc_tbl, ==, 0);
    destroy_machine(spapr);
}

/* ---- machine checks through translation ---- */

typedef struct MmuMachine {
    SpaprMachineState *spapr;
    PowerPCCPU *cpu;
    RadixTables t;
} MmuMachine;

static void mmu_machine_init(MmuMachine *m)
{
    m->spapr = make_machine();
    m->cpu = m->spapr->cpus[0];
    rt_init(&m->t, &m->spapr->ram);
    rt_init_linear_map(&m->t);
    g_assert_cmpint(register_proc_tbl(m->spapr, FLAGS_LINUX, RT_PRTB, 0, 0),
                    ==, H_SUCCESS);
}

/* Run @insn at KCODE with translation on; FWNMI is not registered. */
static void run_virt(MmuMachine *m, uint32_t insn)
{
    write_insn(m->spapr, HARNESS_CODE, insn);
    m->cpu->exit_request = 0;
    m->cpu->env.nip = KCODE;
    m->cpu->env.msr = MSR_BASE | MSR_VIRT;
    ppc_interp_run(m->cpu, &m->spapr->ram, 1);
}

static void test_translated_load_beyond_ram_raises_machine_check(void)
{
    MmuMachine m;

    mmu_machine_init(&m);
    rt_map(&m.t, 0, DATA_EA, SPAPR_MIN_RAM + 0x4000, RT_PRIV | RT_RW);
    m.cpu->env.gpr[3] = 0x33;
    m.cpu->env.gpr[4] = DATA_EA;
    run_virt(&m, enc_d(32, 3, 4, 0x10));                /* lwz r3,16(r4) */
    g_assert_cmphex(m.cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(m.cpu->env.srr0, ==, KCODE);
    g_assert_cmphex(m.cpu->env.srr1 & SRR1_MC_LOADSTORE, ==, SRR1_MC_LOADSTORE);
    g_assert_cmphex(m.cpu->env.srr1 & MSR_VIRT, ==, MSR_VIRT);
    g_assert_cmphex(m.cpu->env.dsisr, ==, DSISR_MC_UE);
    g_assert_cmphex(m.cpu->env.dar, ==, DATA_EA + 0x10);
    g_assert_cmphex(m.cpu->env.gpr[3], ==, 0x33);
    destroy_machine(m.spapr);
}

static void test_page_table_beyond_ram_raises_tablewalk_machine_check(void)
{
    MmuMachine m;

    mmu_machine_init(&m);
    /* The PMD for DATA_EA "lives" beyond the end of RAM. */
    rt_st(&m.t, rt_entry(&m.t, 0, 0xC000004000000000ULL, 1),
          RPTE_VALID | SPAPR_MIN_RAM | 9);
    m.cpu->env.gpr[4] = 0xC000004000000000ULL;
    run_virt(&m, enc_d(36, 3, 4, 0));                   /* stw */
    g_assert_cmphex(m.cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(m.cpu->env.srr0, ==, KCODE);
    g_assert_cmphex(m.cpu->env.dsisr, ==, DSISR_MC_UE_TABLEWALK);
    g_assert_cmphex(m.cpu->env.dar, ==, 0xC000004000000000ULL);
    destroy_machine(m.spapr);
}

static void test_translated_fetch_beyond_ram_raises_machine_check(void)
{
    MmuMachine m;

    mmu_machine_init(&m);
    rt_map(&m.t, 0, DATA_EA, SPAPR_MIN_RAM, RT_KERNEL_RWX);
    m.cpu->env.nip = DATA_EA + 0x40;
    m.cpu->env.msr = MSR_BASE | MSR_VIRT;
    ppc_interp_run(m.cpu, &m.spapr->ram, 1);
    g_assert_cmphex(m.cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(m.cpu->env.srr0, ==, DATA_EA + 0x40);
    g_assert_cmphex(m.cpu->env.srr1 & SRR1_MC_IFETCH_MASK, ==,
                    SRR1_MC_IFETCH_UE);
    destroy_machine(m.spapr);
}

static void test_translated_store_to_poisoned_page_raises_machine_check(void)
{
    MmuMachine m;

    mmu_machine_init(&m);
    rt_map(&m.t, 0, DATA_EA, 0x90000, RT_PRIV | RT_RW);
    g_assert_cmpint(guest_poison_page(&m.spapr->ram, 0x90000), ==, 0);
    m.cpu->env.gpr[4] = DATA_EA;
    run_virt(&m, enc_d(36, 3, 4, 0x20));                /* stw */
    g_assert_cmphex(m.cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(m.cpu->env.dar, ==, DATA_EA + 0x20);
    g_assert_cmphex(m.cpu->env.dsisr, ==, DSISR_MC_UE);
    /* healed: the retry goes through */
    run_virt(&m, enc_d(36, 3, 4, 0x20));
    g_assert_cmphex(m.cpu->env.nip, ==, KCODE + 4);
    destroy_machine(m.spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mmu/h-register-proc-tbl/as-linux-does",
                    test_register_proc_tbl_as_linux_does);
    g_test_add_func("/mmu/h-register-proc-tbl/rejects-bad-arguments",
                    test_register_proc_tbl_rejects_bad_arguments);
    g_test_add_func("/mmu/machine-check/translated-load-beyond-ram",
                    test_translated_load_beyond_ram_raises_machine_check);
    g_test_add_func("/mmu/machine-check/page-table-beyond-ram",
                    test_page_table_beyond_ram_raises_tablewalk_machine_check);
    g_test_add_func("/mmu/machine-check/translated-fetch-beyond-ram",
                    test_translated_fetch_beyond_ram_raises_machine_check);
    g_test_add_func("/mmu/machine-check/translated-store-to-poisoned-page",
                    test_translated_store_to_poisoned_page_raises_machine_check);
    return g_test_run();
}
