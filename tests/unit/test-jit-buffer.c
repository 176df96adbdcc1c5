/*
 * The block compiler's code buffer filling up (target/ppc/interp/jit.c):
 * with a buffer that holds only a few blocks, a program whose pages are
 * all hot makes it fill again and again; every fill drops the vCPU's
 * decoded pages with the code, and the program must still compute
 * exactly what the interpreter alone computes, in the same number of
 * instructions.
 */
#include "../../target/ppc/interp/interp-test-harness.h"
#include "../../target/ppc/interp/jit.h"

#define PAGES       12
#define LOOPS       37      /* iterations of each page's loop */
#define RUNS        40      /* times the whole program runs */

/*
 * Page p: li r8,LOOPS; mtctr r8; 1: addi r3,r3,1; addi r5,r5,p+1;
 * xor r6,r6,r3; add r7,r7,r5; std r7,0(r9); ld r10,0(r9); add r11,r11,r10;
 * bdnz 1b; then b to the next page (the last one: b .).
 */
static uint64_t put_program(InterpHarness *h)
{
    uint64_t per_run = 0;

    for (unsigned p = 0; p < PAGES; p++) {
        h->pc = HARNESS_CODE + p * 4096;
        emit(h, enc_li(8, LOOPS));
        emit(h, enc_mtspr(SPR_CTR, 8));
        emit(h, enc_addi(3, 3, 1));
        emit(h, enc_addi(5, 5, (int32_t)p + 1));
        emit(h, enc_x31(316, 3, 6, 3, 0));           /* xor  r6,r6,r3 */
        emit(h, enc_xo(266, 7, 7, 5, 0, 0));         /* add  r7,r7,r5 */
        emit(h, enc_ds(62, 7, 9, 0, 0));             /* std  r7,0(r9) */
        emit(h, enc_ds(58, 10, 9, 0, 0));            /* ld   r10,0(r9) */
        emit(h, enc_xo(266, 11, 11, 10, 0, 0));      /* add  r11,r11,r10 */
        emit(h, enc_bc(16, 0, -28, 0, 0));           /* bdnz 1b */
        if (p + 1 < PAGES) {
            emit(h, enc_b((int32_t)(4096 - 40), 0, 0));
            per_run += 2 + 8 * LOOPS + 1;
        } else {
            per_run += 2 + 8 * LOOPS;               /* stops at b . */
        }
    }
    emit(h, enc_b_self());
    return per_run;
}

typedef struct Result {
    uint64_t gpr[32];
    uint64_t icount;
    PPCJitStats stats;
} Result;

static void run_program(bool le, unsigned threshold, size_t buffer, Result *r)
{
    InterpHarness h;
    uint64_t per_run;

    g_assert_true(ppc_interp_set_jit(threshold));
    interp_jit_set_buffer_limit(buffer);
    harness_init(&h);
    h.env->msr = MSR_SF | MSR_ME | (le ? MSR_LE : 0);
    for (unsigned i = 0; i < 32; i++) {
        h.env->gpr[i] = 0x1111 * i;
    }
    h.env->gpr[9] = HARNESS_DATA;
    per_run = put_program(&h);
    for (unsigned run_no = 0; run_no < RUNS; run_no++) {
        h.env->nip = HARNESS_CODE;
        /* Budgets that end chains mid-block as well. */
        for (uint64_t done = 0; done < per_run;) {
            uint64_t step = MIN(per_run - done, 97 + run_no);
            g_assert_cmpint(run(&h, step), ==, PPC_INTERP_EXIT_BUDGET);
            done += step;
        }
        g_assert_cmphex(h.env->nip, ==, HARNESS_CODE + (PAGES - 1) * 4096 + 40);
    }
    memcpy(r->gpr, h.env->gpr, sizeof(r->gpr));
    r->icount = h.cpu.icount;
    ppc_interp_jit_stats(&h.cpu, &r->stats);
    harness_cleanup(&h);
    interp_jit_set_buffer_limit(SIZE_MAX);
    ppc_interp_set_jit(PPC_JIT_DEFAULT_THRESHOLD);
}

static void check_fills(bool le)
{
    Result ref, small;

    run_program(le, 0, SIZE_MAX, &ref);
    g_assert_cmpuint(ref.stats.blocks, ==, 0);
    /* Full after a block or two (the room one block may need, and a
     * little), and every page compiled early. */
    run_program(le, 2, JIT_BLOCK_MAX * JIT_INSN_MAX_BYTES + 256 + 512, &small);
    g_test_message("%" G_GUINT64_FORMAT " blocks, %" G_GUINT64_FORMAT " fills",
                   small.stats.blocks, small.stats.flushes);
    g_assert_cmpuint(small.stats.flushes, >=, 10);
    g_assert_cmpuint(small.stats.blocks, >, small.stats.flushes);
    g_assert_cmpuint(small.icount, ==, ref.icount);
    for (unsigned i = 0; i < 32; i++) {
        g_assert_cmphex(small.gpr[i], ==, ref.gpr[i]);
    }
    /* What the program computes, independently of either. */
    g_assert_cmphex(ref.gpr[3], ==, 0x1111 * 3 + (uint64_t)RUNS * PAGES * LOOPS);
}

static void test_fills_le(void)
{
    check_fills(true);
}

static void test_fills_be(void)
{
    check_fills(false);
}

static void test_no_compiler(void)
{
    g_test_skip("no block compiler on this host");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!ppc_interp_set_jit(PPC_JIT_DEFAULT_THRESHOLD)) {
        g_test_add_func("/jit-buffer/no-compiler", test_no_compiler);
        return g_test_run();
    }
    g_test_add_func("/jit-buffer/fills-le", test_fills_le);
    g_test_add_func("/jit-buffer/fills-be", test_fills_be);
    return g_test_run();
}
