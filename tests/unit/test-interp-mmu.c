/*
 * Radix MMU in the software CPU: translation through page tables built in
 * guest RAM, every storage-interrupt cause with its exact registers, R/C
 * updates, and accesses that straddle two pages.
 */
#include <glib.h>

#include "radix-test-harness.h"

#define MSR_VIRT        (MSR_IR | MSR_DR)
#define KCODE           RT_KERNEL(HARNESS_CODE)
#define DATA_EA         0xC000000010000000ULL   /* 4 KiB pages mapped by tests */
#define DATA_RA         0x90000ULL
#define DATA2_RA        0xA0000ULL
#define UNMAPPED_EA     0xC000000020000000ULL
#define USER_EA         0x0000000010000000ULL
#define DSISR_CAUSES    0xFFFFFFFFu
#define SRR1_ISI_CAUSES 0x78000000ULL


/* Run the single instruction @insn at the kernel EA of HARNESS_CODE. */
static void exec_virt(InterpHarness *h, uint32_t insn)
{
    h->pc = HARNESS_CODE;
    emit(h, insn);
    h->env->nip = KCODE;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
}

static uint64_t get64(InterpHarness *h, uint64_t ra)
{
    uint64_t v;
    g_assert_cmpint(guest_ld_be64(&h->ram, ra, &v), ==, 0);
    return v;
}

static uint64_t pte_of(RadixTables *t, unsigned pid, uint64_t ea)
{
    return rt_ld(t, rt_pte_addr(t, pid, ea));
}

/* The DSI registers after the instruction at KCODE faulted on @ea. */
static void assert_dsi(InterpHarness *h, uint64_t ea, uint32_t dsisr)
{
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->srr0, ==, KCODE);
    g_assert_cmphex(h->env->dar, ==, ea);
    g_assert_cmphex(h->env->dsisr, ==, dsisr);
    g_assert_cmphex(h->env->srr1 & MSR_VIRT, ==, MSR_VIRT);
    g_assert_cmphex(h->env->srr1 & SRR1_ISI_CAUSES, ==, 0);
    g_assert_cmphex(h->env->msr & MSR_VIRT, ==, 0);
}

/* ---- translation and R/C ---- */

MMU_TEST(test_load_through_4k_page_sets_referenced)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    put64(h, DATA_RA + 8, 0x1122334455667788ULL);
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_ds(58, 3, 4, 8, 0));               /* ld r3,8(r4) */
    g_assert_cmphex(h->env->nip, ==, KCODE + 4);
    g_assert_cmphex(h->env->gpr[3], ==, 0x1122334455667788ULL);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & (RPTE_R | RPTE_C), ==, RPTE_R);
}

MMU_TEST(test_store_sets_referenced_and_changed)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    h->env->gpr[3] = 0xCAFEF00D;
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_d(36, 3, 4, 0x10));                /* stw r3,16(r4) */
    g_assert_cmphex(h->env->nip, ==, KCODE + 4);
    g_assert_cmphex(get64(h, DATA_RA + 0x10) >> 32, ==, 0xCAFEF00D);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & (RPTE_R | RPTE_C), ==,
                    RPTE_R | RPTE_C);
}

/* A load caches the page read-only; the first store must still set C. */
MMU_TEST(test_store_after_load_sets_changed)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_d(32, 3, 4, 0));                   /* lwz */
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & RPTE_C, ==, 0);
    h->env->gpr[3] = 7;
    exec_virt(h, enc_d(36, 3, 4, 0));                   /* stw */
    g_assert_cmphex(h->env->nip, ==, KCODE + 4);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & RPTE_C, ==, RPTE_C);
    g_assert_cmphex(get64(h, DATA_RA) >> 32, ==, 7);
}

MMU_TEST(test_load_through_2m_leaf)
{
    put64(h, HARNESS_DATA + 0x18, 0xABCDEF0123456789ULL);
    h->env->gpr[4] = RT_KERNEL(HARNESS_DATA);
    exec_virt(h, enc_ds(58, 3, 4, 0x18, 0));            /* ld */
    g_assert_cmphex(h->env->gpr[3], ==, 0xABCDEF0123456789ULL);
}

MMU_TEST(test_little_endian_load_through_translation)
{
    uint8_t bytes[4] = { 0x11, 0x22, 0x33, 0x44 };

    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_READ);
    g_assert_cmpint(guest_write(&h->ram, DATA_RA, bytes, 4), ==, 0);
    h->env->msr |= MSR_LE;
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_d(32, 3, 4, 0));                   /* lwz */
    g_assert_cmphex(h->env->gpr[3], ==, 0x44332211);
}

/* ---- storage interrupts ---- */

MMU_TEST(test_unmapped_load_raises_dsi_no_translation)
{
    h->env->gpr[3] = 0x77;
    h->env->gpr[4] = UNMAPPED_EA;
    exec_virt(h, enc_d(32, 3, 4, 8));                   /* lwz */
    assert_dsi(h, UNMAPPED_EA + 8, 0x40000000);
    g_assert_cmphex(h->env->gpr[3], ==, 0x77);          /* nothing retired */
}

MMU_TEST(test_unmapped_store_raises_dsi_no_translation_store)
{
    h->env->gpr[4] = UNMAPPED_EA;
    exec_virt(h, enc_d(37, 3, 4, 16));                  /* stwu */
    assert_dsi(h, UNMAPPED_EA + 16, 0x42000000);
    g_assert_cmphex(h->env->gpr[4], ==, UNMAPPED_EA);   /* no update */
}

MMU_TEST(test_store_to_read_only_page_raises_protection)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_READ);
    put64(h, DATA_RA, 0x5555);
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_ds(58, 3, 4, 0, 0));               /* ld works */
    g_assert_cmphex(h->env->gpr[3], ==, 0x5555);
    h->env->gpr[3] = 1;
    exec_virt(h, enc_ds(62, 3, 4, 0, 0));               /* std */
    assert_dsi(h, DATA_EA, 0x0A000000);
    g_assert_cmphex(get64(h, DATA_RA), ==, 0x5555);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & RPTE_C, ==, 0);
}

MMU_TEST(test_load_from_execute_only_page_raises_protection)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_EXEC);
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_d(34, 3, 4, 5));                   /* lbz */
    assert_dsi(h, DATA_EA + 5, 0x08000000);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & RPTE_R, ==, 0);
}

MMU_TEST(test_invalid_directory_size_raises_bad_config)
{
    /* A PUD entry claiming a 16-entry PMD: NLS < 5 is an invalid tree. */
    uint64_t ea = 0xC000004000000000ULL;    /* a PUD entry of its own */
    uint64_t pud = rt_entry(t, 0, ea, 1);
    rt_st(t, pud, RPTE_VALID | rt_alloc(t, 9) | 4);
    h->env->gpr[4] = ea;
    exec_virt(h, enc_d(32, 3, 4, 0));
    assert_dsi(h, ea, 0x00080000);
}

MMU_TEST(test_no_process_table_raises_dsi_no_translation)
{
    ppc_radix_partition_reset(&h->radix);
    h->pc = HARNESS_CODE;
    emit(h, enc_d(32, 3, 4, 0));
    h->env->gpr[4] = HARNESS_DATA;
    h->env->nip = HARNESS_CODE;
    h->env->msr |= MSR_DR;                              /* fetch in real mode */
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->dar, ==, HARNESS_DATA);
    g_assert_cmphex(h->env->dsisr, ==, 0x40000000);
}

/* User code (PIDR 1) touching the kernel's privileged page. */
MMU_TEST(test_problem_state_access_to_privileged_page_raises_protection)
{
    rt_map(t, 1, USER_EA, HARNESS_CODE, RT_READ | RT_EXEC);
    rt_map(t, 1, USER_EA + 0x1000, DATA2_RA, RT_RW);
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    put64(h, DATA2_RA, 0x42);
    h->env->pidr = 1;
    h->pc = HARNESS_CODE;
    emit(h, enc_ds(58, 3, 5, 0, 0));                    /* ld r3,0(r5) */
    emit(h, enc_ds(58, 6, 4, 0, 0));                    /* ld r6,0(r4) */
    h->env->gpr[4] = DATA_EA;
    h->env->gpr[5] = USER_EA + 0x1000;
    h->env->nip = USER_EA;
    h->env->msr |= MSR_VIRT | MSR_PR;
    run(h, 2);
    g_assert_cmphex(h->env->gpr[3], ==, 0x42);          /* user page: fine */
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->srr0, ==, USER_EA + 4);
    g_assert_cmphex(h->env->dar, ==, DATA_EA);
    g_assert_cmphex(h->env->dsisr, ==, 0x08000000);
    g_assert_cmphex(h->env->srr1 & MSR_PR, ==, MSR_PR);
    g_assert_cmphex(pte_of(t, 0, DATA_EA) & RPTE_R, ==, 0);
}

MMU_TEST(test_fetch_from_no_execute_page_raises_isi_protection)
{
    rt_map(t, 0, DATA_EA, HARNESS_CODE, RT_PRIV | RT_RW);
    h->pc = HARNESS_CODE;
    emit(h, enc_li(3, 1));
    h->env->nip = DATA_EA;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISI);
    g_assert_cmphex(h->env->srr0, ==, DATA_EA);
    g_assert_cmphex(h->env->srr1 & SRR1_ISI_CAUSES, ==, 0x08000000);
    g_assert_cmphex(h->env->srr1 & MSR_VIRT, ==, MSR_VIRT);
    g_assert_cmphex(h->env->gpr[3], ==, 0);
}

MMU_TEST(test_fetch_from_unmapped_page_raises_isi_no_translation)
{
    h->env->nip = UNMAPPED_EA + 0x20;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISI);
    g_assert_cmphex(h->env->srr0, ==, UNMAPPED_EA + 0x20);
    g_assert_cmphex(h->env->srr1 & SRR1_ISI_CAUSES, ==, 0x40000000);
}

MMU_TEST(test_fetch_from_io_page_raises_isi_guarded)
{
    rt_map(t, 0, DATA_EA, HARNESS_CODE, RT_KERNEL_RWX | RPTE_ATT_NI_IO);
    h->env->nip = DATA_EA;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISI);
    g_assert_cmphex(h->env->srr1 & SRR1_ISI_CAUSES, ==, 0x10000000);
}

/* Quadrants 1 and 2 belong to the hypervisor: segment interrupts. */
MMU_TEST(test_hypervisor_quadrants_raise_segment_interrupts)
{
    uint64_t q1 = 0x4000000000001000ULL, q2 = 0x8000000000002000ULL;

    h->env->dsisr = 0x1234;
    h->env->gpr[4] = q1;
    exec_virt(h, enc_d(32, 3, 4, 0));
    g_assert_cmphex(h->env->nip, ==, EXCP_DSEG);
    g_assert_cmphex(h->env->srr0, ==, KCODE);
    g_assert_cmphex(h->env->dar, ==, q1);
    g_assert_cmphex(h->env->dsisr, ==, 0x1234);         /* untouched */

    h->env->nip = q2;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISEG);
    g_assert_cmphex(h->env->srr0, ==, q2);
    g_assert_cmphex(h->env->srr1 & SRR1_ISI_CAUSES, ==, 0);
}

MMU_TEST(test_ea_beyond_tree_raises_segment_interrupt)
{
    uint64_t ea = 0xC010000000000000ULL;                /* bit 11 set */

    h->env->gpr[4] = ea;
    exec_virt(h, enc_d(32, 3, 4, 0));
    g_assert_cmphex(h->env->nip, ==, EXCP_DSEG);
    g_assert_cmphex(h->env->dar, ==, ea);
}

/* ---- accesses that straddle two pages ---- */

MMU_TEST(test_cross_page_access_uses_both_translations)
{
    static const uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
    uint8_t got[8];

    /* Adjacent EA pages on real pages that are not adjacent. */
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    rt_map(t, 0, DATA_EA + 0x1000, DATA2_RA, RT_PRIV | RT_RW);
    g_assert_cmpint(guest_write(&h->ram, DATA_RA + 0xFFC, a, 4), ==, 0);
    g_assert_cmpint(guest_write(&h->ram, DATA2_RA, b, 4), ==, 0);
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_ds(58, 3, 4, 0xFFC, 0));           /* ld r3,0xffc(r4) */
    g_assert_cmphex(h->env->gpr[3], ==, 0x0102030405060708ULL);
    exec_virt(h, enc_d(40, 3, 4, 0xFFF));               /* lhz r3,0xfff(r4) */
    g_assert_cmphex(h->env->gpr[3], ==, 0x0405);

    h->env->gpr[3] = 0xA1A2A3A4A5A6A7A8ULL;
    exec_virt(h, enc_ds(62, 3, 4, 0xFFC, 0));           /* std r3,0xffc(r4) */
    g_assert_cmphex(h->env->nip, ==, KCODE + 4);
    g_assert_cmpint(guest_read(&h->ram, DATA_RA + 0xFFC, got, 4), ==, 0);
    g_assert_cmpint(guest_read(&h->ram, DATA2_RA, got + 4, 4), ==, 0);
    g_assert_cmphex(got[0], ==, 0xA1);
    g_assert_cmphex(got[3], ==, 0xA4);
    g_assert_cmphex(got[4], ==, 0xA5);
    g_assert_cmphex(got[7], ==, 0xA8);
    g_assert_cmphex(pte_of(t, 0, DATA_EA + 0x1000) & RPTE_C, ==, RPTE_C);
}

MMU_TEST(test_cross_page_fault_on_second_page_changes_nothing)
{
    static const uint8_t a[4] = { 1, 2, 3, 4 };
    uint8_t got[4];

    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    g_assert_cmpint(guest_write(&h->ram, DATA_RA + 0xFFC, a, 4), ==, 0);
    h->env->gpr[3] = ~0ULL;
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_ds(62, 3, 4, 0xFFC, 0));           /* std */
    assert_dsi(h, DATA_EA + 0x1000, 0x42000000);
    g_assert_cmpint(guest_read(&h->ram, DATA_RA + 0xFFC, got, 4), ==, 0);
    g_assert_cmpmem(got, 4, a, 4);
}

MMU_TEST(test_store_multiple_across_pages)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    rt_map(t, 0, DATA_EA + 0x1000, DATA2_RA, RT_PRIV | RT_RW);
    for (unsigned i = 28; i < 32; i++) {
        h->env->gpr[i] = 0x100 + i;
    }
    h->env->gpr[4] = DATA_EA;
    exec_virt(h, enc_d(47, 28, 4, 0xFF8));              /* stmw r28,0xff8(r4) */
    g_assert_cmphex(get64(h, DATA_RA + 0xFF8), ==, 0x0000011C0000011DULL);
    g_assert_cmphex(get64(h, DATA2_RA), ==, 0x0000011E0000011FULL);
    exec_virt(h, enc_d(46, 24, 4, 0xFF8));              /* lmw r24,0xff8(r4) */
    g_assert_cmphex(h->env->gpr[24], ==, 0x11C);
    g_assert_cmphex(h->env->gpr[27], ==, 0x11F);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/mmu/load-through-4k-page-sets-referenced",
                    test_load_through_4k_page_sets_referenced);
    g_test_add_func("/interp/mmu/store-sets-referenced-and-changed",
                    test_store_sets_referenced_and_changed);
    g_test_add_func("/interp/mmu/store-after-load-sets-changed",
                    test_store_after_load_sets_changed);
    g_test_add_func("/interp/mmu/load-through-2m-leaf",
                    test_load_through_2m_leaf);
    g_test_add_func("/interp/mmu/little-endian-load-through-translation",
                    test_little_endian_load_through_translation);
    g_test_add_func("/interp/mmu/unmapped-load-raises-dsi-no-translation",
                    test_unmapped_load_raises_dsi_no_translation);
    g_test_add_func("/interp/mmu/unmapped-store-raises-dsi-no-translation-store",
                    test_unmapped_store_raises_dsi_no_translation_store);
    g_test_add_func("/interp/mmu/store-to-read-only-page-raises-protection",
                    test_store_to_read_only_page_raises_protection);
    g_test_add_func("/interp/mmu/load-from-execute-only-page-raises-protection",
                    test_load_from_execute_only_page_raises_protection);
    g_test_add_func("/interp/mmu/invalid-directory-size-raises-bad-config",
                    test_invalid_directory_size_raises_bad_config);
    g_test_add_func("/interp/mmu/no-process-table-raises-dsi-no-translation",
                    test_no_process_table_raises_dsi_no_translation);
    g_test_add_func("/interp/mmu/problem-state-access-to-privileged-page-raises-protection",
                    test_problem_state_access_to_privileged_page_raises_protection);
    g_test_add_func("/interp/mmu/fetch-from-no-execute-page-raises-isi-protection",
                    test_fetch_from_no_execute_page_raises_isi_protection);
    g_test_add_func("/interp/mmu/fetch-from-unmapped-page-raises-isi-no-translation",
                    test_fetch_from_unmapped_page_raises_isi_no_translation);
    g_test_add_func("/interp/mmu/fetch-from-io-page-raises-isi-guarded",
                    test_fetch_from_io_page_raises_isi_guarded);
    g_test_add_func("/interp/mmu/hypervisor-quadrants-raise-segment-interrupts",
                    test_hypervisor_quadrants_raise_segment_interrupts);
    g_test_add_func("/interp/mmu/ea-beyond-tree-raises-segment-interrupt",
                    test_ea_beyond_tree_raises_segment_interrupt);
    g_test_add_func("/interp/mmu/cross-page-access-uses-both-translations",
                    test_cross_page_access_uses_both_translations);
    g_test_add_func("/interp/mmu/cross-page-fault-on-second-page-changes-nothing",
                    test_cross_page_fault_on_second_page_changes_nothing);
    g_test_add_func("/interp/mmu/store-multiple-across-pages",
                    test_store_multiple_across_pages);
    return g_test_run();
}
