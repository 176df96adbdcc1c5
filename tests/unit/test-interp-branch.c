/*
 * Software CPU: branches, CTR loops, condition register instructions, run
 * loop accounting (budget, exit requests, page crossings). Expected values
 * follow Power ISA v3.0 Book I chapter 2.
 *
 * With -m perf, /interp/branch/loop-speed reports guest instructions per
 * second on an integer loop.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

#define BO_ALWAYS   20
#define BO_TRUE     12      /* branch if CR bit set */
#define BO_FALSE    4       /* branch if CR bit clear */
#define BO_DNZ      16      /* decrement CTR, branch if != 0 */
#define BO_DZ       18      /* decrement CTR, branch if == 0 */
#define CR0_EQ_BIT  2

HARNESS_TEST(test_b_relative)
{
    emit(h, enc_b(8, 0, 0));            /* skip the next one */
    emit(h, enc_li(3, 1));
    emit(h, enc_li(3, 2));
    g_assert_cmpint(run(h, 2), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmphex(h->env->gpr[3], ==, 2);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 12);

    /* backwards, across a page */
    h->pc = HARNESS_CODE + 0x2000;
    emit(h, enc_b(-0x2000, 0, 0));
    h->env->nip = HARNESS_CODE + 0x2000;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE);
}

HARNESS_TEST(test_ba_absolute)
{
    emit(h, enc_b(0x20000, 1, 0));
    h->pc = 0x20000;
    emit(h, enc_li(3, 7));
    run(h, 2);
    g_assert_cmphex(h->env->gpr[3], ==, 7);
    g_assert_cmphex(h->env->nip, ==, 0x20004);
}

HARNESS_TEST(test_bl_sets_lr)
{
    emit(h, enc_b(0x40, 0, 1));
    run(h, 1);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x40);
}

HARNESS_TEST(test_bc_condition)
{
    h->env->cr = 0x20000000;                        /* CR0[EQ] */
    exec1(h, enc_bc(BO_TRUE, CR0_EQ_BIT, 0x100, 0, 0));   /* beq */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x100);
    exec1(h, enc_bc(BO_FALSE, CR0_EQ_BIT, 0x100, 0, 0));  /* bne */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    h->env->cr = 0;
    exec1(h, enc_bc(BO_TRUE, CR0_EQ_BIT, 0x100, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    exec1(h, enc_bc(BO_FALSE, CR0_EQ_BIT, -0x100, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE - 0x100);
    /* bca: absolute */
    h->env->cr = 0x80000000;
    exec1(h, enc_bc(BO_TRUE, 0, 0x3000, 1, 0));
    g_assert_cmphex(h->env->nip, ==, 0x3000);
}

HARNESS_TEST(test_bdnz_loop_counts_ctr)
{
    emit(h, enc_addi(3, 3, 1));
    emit(h, enc_bc(BO_DNZ, 0, -4, 0, 0));
    emit(h, enc_b_self());
    h->env->gpr[3] = 0;
    h->env->ctr = 5;
    run(h, 10);
    g_assert_cmphex(h->env->gpr[3], ==, 5);
    g_assert_cmphex(h->env->ctr, ==, 0);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 8);
}

HARNESS_TEST(test_bc_ctr_and_condition)
{
    h->env->ctr = 1;
    exec1(h, enc_bc(BO_DZ, 0, 0x40, 0, 0));                /* bdz */
    g_assert_cmphex(h->env->ctr, ==, 0);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x40);
    /* bdnzt (BO=8): CTR-1 != 0 and CR bit set */
    h->env->ctr = 3;
    h->env->cr = 0x80000000;
    exec1(h, enc_bc(8, 0, 0x40, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x40);
    h->env->cr = 0;
    exec1(h, enc_bc(8, 0, 0x40, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->ctr, ==, 1);
    /* bdzf (BO=2): CTR-1 == 0 and CR bit clear */
    exec1(h, enc_bc(2, 0, 0x40, 0, 0));
    g_assert_cmphex(h->env->ctr, ==, 0);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x40);
    /* CTR wraps from 0 */
    exec1(h, enc_bc(BO_DNZ, 0, 0x40, 0, 0));
    g_assert_cmphex(h->env->ctr, ==, ~0ULL);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x40);
}

HARNESS_TEST(test_bcl_sets_lr_even_if_not_taken)
{
    h->env->cr = 0;
    exec1(h, enc_bc(BO_TRUE, 0, 0x40, 0, 1));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
    /* bcl 20,31,$+4: the position-independent "where am I" idiom */
    h->env->lr = 0;
    exec1(h, enc_bc(BO_ALWAYS, 31, 4, 0, 1));
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
}

HARNESS_TEST(test_branch_to_lr_ctr)
{
    h->env->lr = 0x30001;                    /* low bits are ignored */
    exec1(h, enc_xl(16, BO_ALWAYS, 0, 0, 0));            /* blr */
    g_assert_cmphex(h->env->nip, ==, 0x30000);
    h->env->ctr = 0x40000;
    exec1(h, enc_xl(528, BO_ALWAYS, 0, 0, 0));           /* bctr */
    g_assert_cmphex(h->env->nip, ==, 0x40000);
    /* blrl goes to the old LR and links */
    h->env->lr = 0x50000;
    exec1(h, enc_xl(16, BO_ALWAYS, 0, 0, 1));
    g_assert_cmphex(h->env->nip, ==, 0x50000);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
    h->env->ctr = 0x60000;
    exec1(h, enc_xl(528, BO_ALWAYS, 0, 0, 1));           /* bctrl */
    g_assert_cmphex(h->env->nip, ==, 0x60000);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
    /* conditional beqlr, not taken; bdnzlr taken */
    h->env->cr = 0;
    exec1(h, enc_xl(16, BO_TRUE, CR0_EQ_BIT, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    h->env->ctr = 2;
    h->env->lr = 0x70000;
    exec1(h, enc_xl(16, BO_DNZ, 0, 0, 0));
    g_assert_cmphex(h->env->nip, ==, 0x70000);
    g_assert_cmphex(h->env->ctr, ==, 1);
    /* blr to the same page stays on the fast path: result is the same */
    h->env->lr = HARNESS_CODE + 0x80;
    exec1(h, enc_xl(16, BO_ALWAYS, 0, 0, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x80);
}

HARNESS_TEST(test_bctar)
{
    h->env->gpr[4] = 0x9000;
    emit(h, enc_mtspr(815, 4));
    emit(h, enc_xl(560, BO_ALWAYS, 0, 0, 1));            /* bctarl */
    run(h, 2);
    g_assert_cmphex(h->env->nip, ==, 0x9000);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 8);
}

HARNESS_TEST(test_bcctr_decrementing_is_illegal)
{
    exec1(h, enc_xl(528, BO_DNZ, 0, 0, 0));
    g_assert_cmphex(h->env->nip, ==, EXCP_PROGRAM);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->srr1 & SRR1_PROGRAM_ILLEGAL, !=, 0);
}

static unsigned cr_bit_after(InterpHarness *h, unsigned xo, unsigned a,
                             unsigned b)
{
    /* BT = 5, BA = 0, BB = 1; bit 5 starts with the complement of a */
    h->env->cr = (a << 31) | (b << 30) | ((a ^ 1) << 26);
    exec1(h, enc_xl(xo, 5, 0, 1, 0));
    return (h->env->cr >> 26) & 1;
}

HARNESS_TEST(test_cr_logical)
{
    static const struct {
        unsigned xo;
        unsigned truth;     /* result for (a,b) = 00, 01, 10, 11 in bits 0..3 */
    } ops[] = {
        { 257, 0x8 },   /* crand */
        { 449, 0xE },   /* cror */
        { 193, 0x6 },   /* crxor */
        { 225, 0x7 },   /* crnand */
        { 33, 0x1 },    /* crnor */
        { 289, 0x9 },   /* creqv */
        { 129, 0x4 },   /* crandc: a & ~b */
        { 417, 0xD },   /* crorc: a | ~b */
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (unsigned ab = 0; ab < 4; ab++) {
            unsigned a = ab >> 1, b = ab & 1;
            g_assert_cmpuint(cr_bit_after(h, ops[i].xo, a, b), ==,
                             (ops[i].truth >> ab) & 1);
        }
    }
    /* other bits untouched */
    h->env->cr = 0xC0000000 | 0x0000FFFF;
    exec1(h, enc_xl(257, 5, 0, 1, 0));
    g_assert_cmphex(h->env->cr, ==, 0xC400FFFF);
}

HARNESS_TEST(test_mcrf)
{
    h->env->cr = 0x12345678;
    exec1(h, enc_xl(0, 7 << 2, 1 << 2, 0, 0));
    g_assert_cmphex(h->env->cr, ==, 0x12345672);
}

HARNESS_TEST(test_mfcr_mtcrf)
{
    h->env->cr = 0x12345678;
    h->env->gpr[3] = ~0ULL;
    exec1(h, enc_x31(19, 3, 0, 0, 0));                  /* mfcr */
    g_assert_cmphex(h->env->gpr[3], ==, 0x12345678);
    /* mfocrf r3, FXM=0x20 (CR2): bit 11 set */
    exec1(h, enc_x31(19, 3, 0x10, 0, 0) | (0x20u << 12));
    g_assert_cmphex(h->env->gpr[3], ==, 0x00300000);
    /* mtcrf 0x81, r4 */
    h->env->gpr[4] = 0xFFFFFFFFABCDEF01ULL;
    exec1(h, enc_x31(144, 4, 0, 0, 0) | (0x81u << 12));
    g_assert_cmphex(h->env->cr, ==, 0xA2345671);
    /* mtocrf 0x08, r4 (CR4) */
    h->env->cr = 0x12345678;
    exec1(h, enc_x31(144, 4, 0x10, 0, 0) | (0x08u << 12));
    g_assert_cmphex(h->env->cr, ==, 0x1234E678);
}

HARNESS_TEST(test_cfar_records_taken_branch)
{
    h->pc = HARNESS_CODE + 0x20;
    emit(h, enc_b(0x100, 0, 0));
    h->env->nip = HARNESS_CODE + 0x20;
    run(h, 1);
    g_assert_cmphex(h->env->cfar, ==, HARNESS_CODE + 0x20);
}

HARNESS_TEST(test_page_crossing_fallthrough)
{
    uint64_t before = h->cpu.icount;

    h->pc = HARNESS_CODE + 0xFFC;
    emit(h, enc_li(3, 1));
    emit(h, enc_li(4, 2));
    h->env->nip = HARNESS_CODE + 0xFFC;
    g_assert_cmpint(run(h, 2), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    g_assert_cmphex(h->env->gpr[4], ==, 2);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 0x1004);
    g_assert_cmpuint(h->cpu.icount - before, ==, 2);
}

HARNESS_TEST(test_budget_counts_instructions)
{
    emit(h, enc_b_self());
    g_assert_cmpint(run(h, 10000), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmpuint(h->cpu.icount, ==, 10000);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE);
    g_assert_cmpint(run(h, 0), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmpuint(h->cpu.icount, ==, 10000);
    /* straight-line code stopped mid-page records where it stopped */
    h->pc = HARNESS_CODE;
    for (int i = 0; i < 10; i++) {
        emit(h, enc_addi(3, 3, 1));
    }
    h->env->gpr[3] = 0;
    h->env->nip = HARNESS_CODE;
    run(h, 7);
    g_assert_cmphex(h->env->gpr[3], ==, 7);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 28);
}

/*
 * Handlers chain into their successors without counting each instruction
 * (interp-internal.h, next_insn): the count comes from slot distances, so
 * check it where a chain ends mid-loop, mid-line and in a fault.
 */
HARNESS_TEST(test_chain_counts_exactly)
{
    /* loop: addi r3,r3,1; addi r4,r4,2; bdnz loop (3 instructions) */
    h->env->ctr = 1000;
    emit(h, enc_addi(3, 3, 1));
    emit(h, enc_addi(4, 4, 2));
    emit(h, enc_bc(16, 0, -8, 0, 0));
    emit(h, enc_li(5, 9));
    h->env->gpr[3] = h->env->gpr[4] = h->env->gpr[5] = 0;
    /* 100 iterations and one more addi: the budget ends inside the body */
    g_assert_cmpint(run(h, 301), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmpuint(h->cpu.icount, ==, 301);
    g_assert_cmphex(h->env->gpr[3], ==, 101);
    g_assert_cmphex(h->env->gpr[4], ==, 200);
    g_assert_cmphex(h->env->ctr, ==, 900);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    /* the rest: 899 iterations of 3 from the second addi, then li */
    g_assert_cmpint(run(h, 5000), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmphex(h->env->gpr[5], ==, 9);
    g_assert_cmphex(h->env->ctr, ==, 0);
}

HARNESS_TEST(test_chain_counts_fault)
{
    /* 5 addi, then an illegal word: the program interrupt ends the chain
     * and the faulting instruction counts, as in every interpreter path */
    for (int i = 0; i < 5; i++) {
        emit(h, enc_addi(3, 3, 1));
    }
    emit(h, 0);
    h->env->gpr[3] = 0;
    g_assert_cmpint(run(h, 6), ==, PPC_INTERP_EXIT_BUDGET);
    g_assert_cmpuint(h->cpu.icount, ==, 6);
    g_assert_cmphex(h->env->gpr[3], ==, 5);
    g_assert_cmphex(h->env->nip, ==, 0x700);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 20);
}

HARNESS_TEST(test_exit_request_before_run)
{
    emit(h, enc_li(3, 1));
    h->env->gpr[3] = 0;
    h->cpu.exit_request = 1;
    g_assert_cmpint(run(h, 100), ==, PPC_INTERP_EXIT_REQUEST);
    g_assert_cmphex(h->env->gpr[3], ==, 0);
    g_assert_cmpint(h->cpu.exit_request, ==, 1);    /* not cleared */
    g_assert_cmpuint(h->cpu.icount, ==, 0);
}

static gpointer request_exit_later(gpointer opaque)
{
    PowerPCCPU *cpu = opaque;
    g_usleep(20000);
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

HARNESS_TEST(test_exit_request_stops_loop)
{
    GThread *t;

    emit(h, enc_b_self());
    t = g_thread_new("kick", request_exit_later, &h->cpu);
    g_assert_cmpint(run(h, UINT64_MAX), ==, PPC_INTERP_EXIT_REQUEST);
    g_thread_join(t);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE);
}

HARNESS_TEST(test_32bit_mode_truncates_target)
{
    h->env->msr &= ~MSR_SF;
    h->env->lr = 0xFFFFFFFF00010010ULL;
    exec1(h, enc_xl(16, BO_ALWAYS, 0, 0, 1));
    g_assert_cmphex(h->env->nip, ==, 0x00010010);
    g_assert_cmphex(h->env->lr, ==, HARNESS_CODE + 4);
}

HARNESS_TEST(test_little_endian_code)
{
    h->env->msr |= MSR_LE;
    emit(h, enc_li(3, 5));
    emit(h, enc_b(8, 0, 0));
    emit(h, enc_li(3, 6));
    emit(h, enc_addi(3, 3, 10));
    run(h, 3);
    g_assert_cmphex(h->env->gpr[3], ==, 15);
}

/* An integer loop: 5 instructions per iteration, CTR counted. */
static double measure_mips(InterpHarness *h, uint64_t iterations)
{
    gint64 start, elapsed;
    uint64_t insns = 3 + iterations * 5;

    h->pc = HARNESS_CODE;
    emit(h, enc_addis(4, 0, (int32_t)(iterations >> 16)));
    emit(h, enc_mtspr(SPR_CTR, 4));
    emit(h, enc_li(3, 0));
    emit(h, enc_addi(3, 3, 1));                          /* loop: */
    emit(h, enc_x31(316, 3, 5, 6, 0));                   /* xor r5,r3,r6 */
    emit(h, enc_xo(266, 6, 6, 5, 0, 0));                 /* add r6,r6,r5 */
    emit(h, enc_m(21, 6, 7, 3, 0, 28, 0));               /* rlwinm r7,r6,3,0,28 */
    emit(h, enc_bc(BO_DNZ, 0, -16, 0, 0));
    h->env->nip = HARNESS_CODE;
    start = g_get_monotonic_time();
    g_assert_cmpint(run(h, insns), ==, PPC_INTERP_EXIT_BUDGET);
    elapsed = g_get_monotonic_time() - start;
    g_assert_cmphex(h->env->gpr[3], ==, iterations);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 32);
    return (double)insns / (double)MAX(elapsed, 1);
}

HARNESS_TEST(test_loop_speed)
{
    if (!g_test_perf()) {
        /* functional check only: a short run of the same loop */
        measure_mips(h, 1 << 16);
        return;
    }
    double mips = measure_mips(h, 100ULL << 20);
    g_test_minimized_result(mips, "%.0f million guest instructions/s", mips);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/branch/b-relative", test_b_relative);
    g_test_add_func("/interp/branch/ba-absolute", test_ba_absolute);
    g_test_add_func("/interp/branch/bl-sets-lr", test_bl_sets_lr);
    g_test_add_func("/interp/branch/bc-condition", test_bc_condition);
    g_test_add_func("/interp/branch/bdnz-loop-counts-ctr",
                    test_bdnz_loop_counts_ctr);
    g_test_add_func("/interp/branch/bc-ctr-and-condition",
                    test_bc_ctr_and_condition);
    g_test_add_func("/interp/branch/bcl-sets-lr-even-if-not-taken",
                    test_bcl_sets_lr_even_if_not_taken);
    g_test_add_func("/interp/branch/branch-to-lr-ctr", test_branch_to_lr_ctr);
    g_test_add_func("/interp/branch/bctar", test_bctar);
    g_test_add_func("/interp/branch/bcctr-decrementing-is-illegal",
                    test_bcctr_decrementing_is_illegal);
    g_test_add_func("/interp/branch/cr-logical", test_cr_logical);
    g_test_add_func("/interp/branch/mcrf", test_mcrf);
    g_test_add_func("/interp/branch/mfcr-mtcrf", test_mfcr_mtcrf);
    g_test_add_func("/interp/branch/cfar-records-taken-branch",
                    test_cfar_records_taken_branch);
    g_test_add_func("/interp/branch/page-crossing-fallthrough",
                    test_page_crossing_fallthrough);
    g_test_add_func("/interp/branch/chain-counts-exactly", test_chain_counts_exactly);
    g_test_add_func("/interp/branch/chain-counts-fault", test_chain_counts_fault);
    g_test_add_func("/interp/branch/budget-counts-instructions",
                    test_budget_counts_instructions);
    g_test_add_func("/interp/branch/exit-request-before-run",
                    test_exit_request_before_run);
    g_test_add_func("/interp/branch/exit-request-stops-loop",
                    test_exit_request_stops_loop);
    g_test_add_func("/interp/branch/32bit-mode-truncates-target",
                    test_32bit_mode_truncates_target);
    g_test_add_func("/interp/branch/little-endian-code",
                    test_little_endian_code);
    g_test_add_func("/interp/branch/loop-speed", test_loop_speed);
    return g_test_run();
}
