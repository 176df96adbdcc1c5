/*
 * The software CPU's TLB and decoded-code cache under translation: a
 * cached translation survives a PTE change until the guest invalidates it
 * (tlbiel, tlbie from this or another vCPU, a PIDR switch), decoded code
 * is keyed on the translation, and icbi works by EA.
 */
#include <glib.h>

#include "radix-test-harness.h"

#define MSR_VIRT        (MSR_IR | MSR_DR)
#define KCODE           RT_KERNEL(HARNESS_CODE)
#define DATA_EA         0xC000000010000000ULL
#define DATA_RA         0x90000ULL
#define DATA2_RA        0xA0000ULL
#define USER_EA         0x0000000010000000ULL
#define USER_RA1        0x30000ULL
#define USER_RA2        0x31000ULL

/* tlbie/tlbiel RB,RS,RIC,PRS,R (X-form, Book III 5.9.3.3) */
static uint32_t enc_tlbi(bool global, unsigned rb, unsigned rs, unsigned ric,
                         unsigned prs, unsigned r)
{
    return enc_x31(global ? 306 : 274, rs, (ric << 2) | (prs << 1) | r, rb, 0);
}

#define RB_IS_ALL       (3ULL << 10)


static void exec_virt(InterpHarness *h, uint32_t insn)
{
    h->pc = HARNESS_CODE;
    emit(h, insn);
    h->env->nip = KCODE;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, KCODE + 4);
}

/* ld r3,0(r4) with r4 = @ea */
static uint64_t load_virt(InterpHarness *h, uint64_t ea)
{
    h->env->gpr[4] = ea;
    exec_virt(h, enc_ds(58, 3, 4, 0, 0));
    return h->env->gpr[3];
}

/* DATA_EA on DATA_RA (value 1); the PTE is then moved to DATA2_RA (2). */
static void remap_behind_tlb(InterpHarness *h, RadixTables *t)
{
    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_RW);
    put64(h, DATA_RA, 1);
    put64(h, DATA2_RA, 2);
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 1);
    rt_map(t, 0, DATA_EA, DATA2_RA, RT_PRIV | RT_RW);
    /* Like hardware, the cached translation stays until invalidated. */
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 1);
}

MMU_TEST(test_tlbiel_page_drops_cached_translation)
{
    remap_behind_tlb(h, t);
    h->env->gpr[5] = DATA_EA;                           /* IS=0, AP=0 (4K) */
    exec_virt(h, enc_tlbi(false, 5, 0, 0, 1, 1));
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 2);
}

MMU_TEST(test_tlbiel_of_other_page_keeps_translation)
{
    remap_behind_tlb(h, t);
    h->env->gpr[5] = DATA_EA + 0x1000;
    exec_virt(h, enc_tlbi(false, 5, 0, 0, 1, 1));
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 1);
}

MMU_TEST(test_tlbie_all_drops_cached_translation)
{
    remap_behind_tlb(h, t);
    h->env->gpr[5] = RB_IS_ALL;
    exec_virt(h, enc_tlbi(true, 5, 0, 2, 1, 1));        /* RIC=2: all */
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 2);
}

/* Linux's 64K-page tlbie (AP=5) covers the 4 KiB entries inside it. */
MMU_TEST(test_tlbie_64k_page_covers_its_4k_entries)
{
    remap_behind_tlb(h, t);
    h->env->gpr[5] = (DATA_EA & ~0xFFFFULL) | (5 << 5);
    exec_virt(h, enc_tlbi(true, 5, 0, 0, 1, 1));
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 2);
}

/* Another vCPU's tlbie reaches this vCPU's TLB. */
MMU_TEST(test_tlbie_on_other_vcpu_drops_cached_translation)
{
    PowerPCCPU other;

    remap_behind_tlb(h, t);
    memset(&other, 0, sizeof(other));
    ppc_cpu_reset(&other);
    other.radix = &h->radix;
    harness_write_insn(h, HARNESS_CODE + 0x100,
                       enc_tlbi(true, 5, 0, 0, 1, 1), false);
    other.env.gpr[5] = DATA_EA;
    other.env.nip = HARNESS_CODE + 0x100;               /* real mode */
    ppc_interp_run(&other, &h->ram, 1);
    g_assert_cmphex(other.env.nip, ==, HARNESS_CODE + 0x104);
    ppc_interp_cpu_finalize(&other);
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 2);
}

MMU_TEST(test_process_table_registration_drops_cached_translation)
{
    remap_behind_tlb(h, t);
    ppc_radix_partition_set(&h->radix, true, RT_PRTB, 0);
    g_assert_cmphex(load_virt(h, DATA_EA), ==, 2);
}

MMU_TEST(test_tlbie_in_problem_state_is_privileged)
{
    rt_map(t, 1, USER_EA, HARNESS_CODE, RT_READ | RT_EXEC);
    h->env->pidr = 1;
    h->pc = HARNESS_CODE;
    emit(h, enc_tlbi(true, 5, 0, 0, 1, 1));
    h->env->nip = USER_EA;
    h->env->msr |= MSR_VIRT | MSR_PR;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_PROGRAM);
    g_assert_cmphex(h->env->srr0, ==, USER_EA);
    g_assert_cmphex(h->env->srr1 & SRR1_PROGRAM_PRIV, ==, SRR1_PROGRAM_PRIV);
}

MMU_TEST(test_tlbsync_slbie_slbia_are_no_ops)
{
    exec_virt(h, enc_x31(566, 0, 0, 0, 0));             /* tlbsync */
    exec_virt(h, enc_x31(434, 0, 0, 5, 0));             /* slbie r5 */
    exec_virt(h, enc_x31(498, 7 << 2, 0, 0, 0));        /* slbia IH=7 */
}

/* ---- the user quadrant follows PIDR ---- */

MMU_TEST(test_pidr_switch_changes_user_translation)
{
    rt_map(t, 1, USER_EA, DATA_RA, RT_RW);
    rt_map(t, 2, USER_EA, DATA2_RA, RT_RW);
    put64(h, DATA_RA, 0x111);
    put64(h, DATA2_RA, 0x222);
    h->env->gpr[6] = 1;
    exec_virt(h, enc_mtspr(SPR_PIDR, 6));
    g_assert_cmphex(load_virt(h, USER_EA), ==, 0x111);
    h->env->gpr[6] = 2;
    exec_virt(h, enc_mtspr(SPR_PIDR, 6));
    g_assert_cmphex(load_virt(h, USER_EA), ==, 0x222);
    exec_virt(h, enc_mfspr(7, SPR_PIDR));
    g_assert_cmphex(h->env->gpr[7], ==, 2);
    h->env->gpr[6] = 3;         /* zero process-table entry: no tree */
    exec_virt(h, enc_mtspr(SPR_PIDR, 6));
    h->env->gpr[4] = USER_EA;
    h->pc = HARNESS_CODE;
    emit(h, enc_ds(58, 3, 4, 0, 0));
    h->env->nip = KCODE;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->dsisr, ==, 0x00080000);     /* RPDS 0: bad tree */
}

/*
 * Kernel code at KCODE: mtspr PIDR,r6; mtctr r7; bctr to USER_EA, where
 * each process has "li r3,PID; b .". Returns r3.
 */
static uint64_t run_user_code(InterpHarness *h, unsigned pid)
{
    h->pc = HARNESS_CODE;
    emit(h, enc_mtspr(SPR_PIDR, 6));
    emit(h, enc_mtspr(SPR_CTR, 7));
    emit(h, enc_xl(528, 20, 0, 0, 0));                  /* bctr */
    h->env->gpr[3] = 0;
    h->env->gpr[6] = pid;
    h->env->gpr[7] = USER_EA;
    h->env->nip = KCODE;
    h->env->msr |= MSR_VIRT;
    run(h, 5);
    g_assert_cmphex(h->env->nip, ==, USER_EA + 4);
    return h->env->gpr[3];
}

MMU_TEST(test_decoded_code_is_keyed_on_translation)
{
    rt_map(t, 1, USER_EA, USER_RA1, RT_READ | RT_EXEC);
    rt_map(t, 2, USER_EA, USER_RA2, RT_READ | RT_EXEC);
    harness_write_insn(h, USER_RA1, enc_li(3, 1), false);
    harness_write_insn(h, USER_RA1 + 4, enc_b_self(), false);
    harness_write_insn(h, USER_RA2, enc_li(3, 2), false);
    harness_write_insn(h, USER_RA2 + 4, enc_b_self(), false);
    g_assert_cmpuint(run_user_code(h, 1), ==, 1);
    g_assert_cmpuint(run_user_code(h, 2), ==, 2);
    g_assert_cmpuint(run_user_code(h, 1), ==, 1);
}

/* icbi by EA drops the decoded copy of the real page behind it. */
MMU_TEST(test_icbi_with_translation_refetches_code)
{
    uint32_t li2 = GUINT32_TO_BE(enc_li(3, 2));

    rt_map(t, 1, USER_EA, USER_RA1, RT_READ | RT_EXEC);
    harness_write_insn(h, USER_RA1, enc_li(3, 1), false);
    harness_write_insn(h, USER_RA1 + 4, enc_b_self(), false);
    g_assert_cmpuint(run_user_code(h, 1), ==, 1);
    /* Rewritten behind the CPU's back (like DMA): stale until icbi. */
    memcpy(h->ram.host + USER_RA1, &li2, 4);
    g_assert_cmpuint(run_user_code(h, 1), ==, 1);
    h->env->gpr[8] = USER_EA;
    exec_virt(h, enc_x31(982, 0, 0, 8, 0));             /* icbi 0,r8 */
    g_assert_cmpuint(run_user_code(h, 1), ==, 2);
}

MMU_TEST(test_icbi_on_unmapped_page_raises_dsi)
{
    h->env->gpr[8] = USER_EA;
    h->pc = HARNESS_CODE;
    emit(h, enc_x31(982, 0, 0, 8, 0));
    h->env->nip = KCODE;
    h->env->msr |= MSR_VIRT;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->dar, ==, USER_EA);
    g_assert_cmphex(h->env->dsisr, ==, 0x40000000);
}

/* ---- translation for the machine ---- */

MMU_TEST(test_translate_data_has_no_side_effects)
{
    uint64_t ra = 0;

    rt_map(t, 0, DATA_EA, DATA_RA, RT_PRIV | RT_EXEC);  /* not even readable */
    h->env->msr |= MSR_VIRT;
    g_assert_cmpint(ppc_radix_translate_data(&h->cpu, &h->ram, DATA_EA + 0x123,
                                             &ra), ==, 0);
    g_assert_cmphex(ra, ==, DATA_RA + 0x123);
    g_assert_cmphex(rt_ld(t, rt_pte_addr(t, 0, DATA_EA)) & RPTE_R, ==, 0);
    g_assert_cmpint(ppc_radix_translate_data(&h->cpu, &h->ram,
                                             DATA_EA + 0x1000, &ra), ==,
                    -EFAULT);
    g_assert_cmpint(ppc_radix_translate_data(&h->cpu, &h->ram,
                                             0x4000000000000000ULL, &ra), ==,
                    -EFAULT);
    h->env->msr &= ~MSR_DR;                             /* real mode */
    g_assert_cmpint(ppc_radix_translate_data(&h->cpu, &h->ram, DATA_EA, &ra),
                    ==, 0);
    g_assert_cmphex(ra, ==, 0x10000000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/tlb/tlbiel-page-drops-cached-translation",
                    test_tlbiel_page_drops_cached_translation);
    g_test_add_func("/interp/tlb/tlbiel-of-other-page-keeps-translation",
                    test_tlbiel_of_other_page_keeps_translation);
    g_test_add_func("/interp/tlb/tlbie-all-drops-cached-translation",
                    test_tlbie_all_drops_cached_translation);
    g_test_add_func("/interp/tlb/tlbie-64k-page-covers-its-4k-entries",
                    test_tlbie_64k_page_covers_its_4k_entries);
    g_test_add_func("/interp/tlb/tlbie-on-other-vcpu-drops-cached-translation",
                    test_tlbie_on_other_vcpu_drops_cached_translation);
    g_test_add_func("/interp/tlb/process-table-registration-drops-cached-translation",
                    test_process_table_registration_drops_cached_translation);
    g_test_add_func("/interp/tlb/tlbie-in-problem-state-is-privileged",
                    test_tlbie_in_problem_state_is_privileged);
    g_test_add_func("/interp/tlb/tlbsync-slbie-slbia-are-no-ops",
                    test_tlbsync_slbie_slbia_are_no_ops);
    g_test_add_func("/interp/tlb/pidr-switch-changes-user-translation",
                    test_pidr_switch_changes_user_translation);
    g_test_add_func("/interp/tlb/decoded-code-is-keyed-on-translation",
                    test_decoded_code_is_keyed_on_translation);
    g_test_add_func("/interp/tlb/icbi-with-translation-refetches-code",
                    test_icbi_with_translation_refetches_code);
    g_test_add_func("/interp/tlb/icbi-on-unmapped-page-raises-dsi",
                    test_icbi_on_unmapped_page_raises_dsi);
    g_test_add_func("/interp/tlb/translate-data-has-no-side-effects",
                    test_translate_data_has_no_side_effects);
    return g_test_run();
}
