/*
 * Software CPU: fixed-point arithmetic, logical, compare, rotate and shift
 * instructions. Expected values are worked out from Power ISA v3.0 Book I
 * chapter 3 (3.3.9-3.3.14), not from running the interpreter.
 *
 * Convention: operands in r4 (RA or RS) and r5 (RB), result in r3.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

#define XER_FLAGS (XER_SO | XER_OV | XER_CA | XER_OV32 | XER_CA32)

/* XO-form op RT=3, RA=4, RB=5 */
static uint64_t xo_op(InterpHarness *h, unsigned xo, unsigned oe, unsigned rc,
                      uint64_t a, uint64_t b)
{
    h->env->gpr[4] = a;
    h->env->gpr[5] = b;
    exec1(h, enc_xo(xo, 3, 4, 5, oe, rc));
    return h->env->gpr[3];
}

/* X-form op with RS=4, RA=3 (destination), RB=5 */
static uint64_t x_op(InterpHarness *h, unsigned xo, unsigned rc, uint64_t s,
                     uint64_t b)
{
    h->env->gpr[4] = s;
    h->env->gpr[5] = b;
    exec1(h, enc_x31(xo, 4, 3, 5, rc));
    return h->env->gpr[3];
}

/* Any instruction with r4 (and r5) preset; returns r3. */
static uint64_t op_r3(InterpHarness *h, uint32_t insn, uint64_t r4, uint64_t r5)
{
    h->env->gpr[4] = r4;
    h->env->gpr[5] = r5;
    exec1(h, insn);
    return h->env->gpr[3];
}

static uint64_t xer_flags(const InterpHarness *h)
{
    return h->env->xer & XER_FLAGS;
}

/* ---- add ---- */

HARNESS_TEST(test_add_basic)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 266, 0, 0, 5, 7), ==, 12);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(xo_op(h, 266, 0, 0, ~0ULL, 2), ==, 1);
    g_assert_cmphex(xer_flags(h), ==, 0);     /* add never sets CA */
}

HARNESS_TEST(test_addo_sets_ov_so)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 266, 1, 1, 0x7FFFFFFFFFFFFFFFULL, 1), ==,
                    0x8000000000000000ULL);
    /* low words: -1 + 1 = 0 does not overflow */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_SO);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT | CR_SO);
}

HARNESS_TEST(test_addo_sets_ov32_only)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 266, 1, 1, 0x7FFFFFFF, 1), ==, 0x80000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_OV32);  /* OV32 does not set SO */
    g_assert_cmphex(cr_field(h, 0), ==, CR_GT);
}

HARNESS_TEST(test_addo_clears_ov_keeps_so)
{
    h->env->xer = XER_SO | XER_OV | XER_OV32;
    g_assert_cmphex(xo_op(h, 266, 1, 1, 1, 1), ==, 2);
    g_assert_cmphex(xer_flags(h), ==, XER_SO);
    g_assert_cmphex(cr_field(h, 0), ==, CR_GT | CR_SO);
}

HARNESS_TEST(test_add_rc_zero_is_eq)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 266, 0, 1, 5, -5ULL), ==, 0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ);
}

HARNESS_TEST(test_addc_sets_ca_and_ca32)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 10, 0, 0, ~0ULL, 1), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(xo_op(h, 10, 0, 0, 0xFFFFFFFF, 1), ==, 0x100000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA32);
    g_assert_cmphex(xo_op(h, 10, 0, 0, 0xFFFFFFFF00000000ULL, 0x100000000ULL),
                    ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA);
}

HARNESS_TEST(test_adde_uses_ca)
{
    h->env->xer = XER_CA;
    g_assert_cmphex(xo_op(h, 138, 0, 0, 1, 2), ==, 4);
    g_assert_cmphex(xer_flags(h), ==, 0);
    h->env->xer = XER_CA;
    g_assert_cmphex(xo_op(h, 138, 0, 0, ~0ULL, 0), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
}

HARNESS_TEST(test_addme_addze)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 234, 0, 0, 0, 0), ==, ~0ULL);    /* 0 + -1 */
    g_assert_cmphex(xer_flags(h), ==, 0);
    h->env->xer = XER_CA;
    g_assert_cmphex(xo_op(h, 234, 0, 0, 5, 0), ==, 5);        /* 5 - 1 + 1 */
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    h->env->xer = XER_CA;
    g_assert_cmphex(xo_op(h, 202, 0, 0, ~0ULL, 0), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 202, 0, 0, 41, 0), ==, 41);
    g_assert_cmphex(xer_flags(h), ==, 0);
}

HARNESS_TEST(test_subf_family)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 40, 0, 0, 3, 10), ==, 7);        /* RB - RA */
    /* subfc: CA = no borrow */
    g_assert_cmphex(xo_op(h, 8, 0, 0, 3, 10), ==, 7);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(xo_op(h, 8, 0, 0, 10, 3), ==, -7ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(xo_op(h, 8, 0, 0, 9, 9), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    /* subfe: ~RA + RB + CA */
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 136, 0, 0, 3, 10), ==, 6);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    /* subfme: ~RA - 1 + CA */
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 232, 0, 0, 0, 0), ==, 0xFFFFFFFFFFFFFFFEULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    /* subfze: ~RA + CA */
    h->env->xer = XER_CA;
    g_assert_cmphex(xo_op(h, 200, 0, 0, 0, 0), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
}

HARNESS_TEST(test_subfo_overflow)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 40, 1, 1, 1, 0x8000000000000000ULL), ==,
                    0x7FFFFFFFFFFFFFFFULL);
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_SO);
    g_assert_cmphex(cr_field(h, 0), ==, CR_GT | CR_SO);
}

HARNESS_TEST(test_neg)
{
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 104, 0, 0, 5, 0), ==, -5ULL);
    g_assert_cmphex(xo_op(h, 104, 1, 0, 0x8000000000000000ULL, 0), ==,
                    0x8000000000000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_SO);
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 104, 1, 0, 0x80000000ULL, 0), ==,
                    0xFFFFFFFF80000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_OV32);
}

/* ---- immediate arithmetic ---- */

HARNESS_TEST(test_addi_addis_li)
{
    h->env->gpr[0] = 100;   /* RA=0 means the value 0, not r0 */
    g_assert_cmphex(op_r3(h, enc_addi(3, 4, -1), 10, 0), ==, 9);
    g_assert_cmphex(op_r3(h, enc_addi(3, 0, -5), 0, 0), ==, -5ULL);
    g_assert_cmphex(op_r3(h, enc_addis(3, 0, -1), 0, 0), ==,
                    0xFFFFFFFFFFFF0000ULL);
    g_assert_cmphex(op_r3(h, enc_addis(3, 4, 1), 5, 0), ==, 0x10005);
}

HARNESS_TEST(test_addic_sets_ca)
{
    h->env->xer = 0;
    g_assert_cmphex(op_r3(h, enc_d(12, 3, 4, 1), ~0ULL, 0), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(op_r3(h, enc_d(13, 3, 4, -1), 0, 0), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT);
}

HARNESS_TEST(test_subfic)
{
    h->env->xer = 0;
    g_assert_cmphex(op_r3(h, enc_d(8, 3, 4, 10), 3, 0), ==, 7);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(op_r3(h, enc_d(8, 3, 4, 0), 1, 0), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(op_r3(h, enc_d(8, 3, 4, 0), 0, 0), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
}

HARNESS_TEST(test_addpcis)
{
    /* addpcis RT,D: RT = NIA + (D << 16); D = d0 || d1 || d2 */
    uint32_t plus_one = (19u << 26) | (3u << 21) | (2u << 1) | 1;
    uint32_t minus_one = (19u << 26) | (3u << 21) | (0x1Fu << 16) |
                         (0x3FFu << 6) | (2u << 1) | 1;
    exec1(h, plus_one);
    g_assert_cmphex(h->env->gpr[3], ==, HARNESS_CODE + 4 + 0x10000);
    exec1(h, minus_one);
    g_assert_cmphex(h->env->gpr[3], ==, HARNESS_CODE + 4 - 0x10000);
}

/* ---- multiply ---- */

HARNESS_TEST(test_multiply)
{
    h->env->xer = 0;
    g_assert_cmphex(op_r3(h, enc_d(7, 3, 4, -3), 7, 0), ==, -21ULL);
    /* mullw: product of the low words, all 64 bits */
    g_assert_cmphex(xo_op(h, 235, 0, 0, 0x12345678FFFFFFFFULL, 3), ==, -3ULL);
    g_assert_cmphex(xo_op(h, 235, 1, 0, 0x10000, 0x10000), ==, 0x100000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 233, 0, 0, 0x100000000ULL, 0x100000000ULL), ==, 0);
    g_assert_cmphex(xo_op(h, 233, 1, 0, 0x100000000ULL, 0x100000000ULL), ==, 0);
    g_assert_cmphex(xer_flags(h) & XER_OV, ==, XER_OV);
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 233, 1, 0, -3ULL, 5), ==, -15ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    /* high halves: only RT[32:63] is defined for the word forms */
    g_assert_cmphex((uint32_t)xo_op(h, 75, 0, 0, -2ULL, 3), ==, 0xFFFFFFFF);
    g_assert_cmphex((uint32_t)xo_op(h, 11, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF), ==,
                    0xFFFFFFFE);
    g_assert_cmphex(xo_op(h, 73, 0, 0, -1ULL, 1), ==, ~0ULL);
    g_assert_cmphex(xo_op(h, 9, 0, 0, ~0ULL, ~0ULL), ==, 0xFFFFFFFFFFFFFFFEULL);
    g_assert_cmphex(xo_op(h, 73, 0, 0, 1ULL << 62, 8), ==, 2);
}

HARNESS_TEST(test_multiply_add)
{
    /* VA-form: maddld 51, maddhd 48, maddhdu 49; RC in bits 21:25 */
    h->env->gpr[6] = 10;
    g_assert_cmphex(op_r3(h, (4u << 26) | (3u << 21) | (4u << 16) | (5u << 11) |
                             (6u << 6) | 51, 7, 6), ==, 52);
    h->env->gpr[6] = ~0ULL;     /* -1 */
    g_assert_cmphex(op_r3(h, (4u << 26) | (3u << 21) | (4u << 16) | (5u << 11) |
                             (6u << 6) | 48, 0, 0), ==, ~0ULL);
    g_assert_cmphex(op_r3(h, (4u << 26) | (3u << 21) | (4u << 16) | (5u << 11) |
                             (6u << 6) | 49, 0, 0), ==, 0);
}

/* ---- divide and modulo ---- */

HARNESS_TEST(test_divide)
{
    h->env->xer = 0;
    g_assert_cmphex((uint32_t)xo_op(h, 491, 0, 0, -7ULL, 2), ==, 0xFFFFFFFD);
    g_assert_cmphex((uint32_t)xo_op(h, 459, 0, 0, 0xFFFFFFFF, 2), ==, 0x7FFFFFFF);
    g_assert_cmphex(xo_op(h, 489, 0, 0, -7ULL, 2), ==, -3ULL);
    g_assert_cmphex(xo_op(h, 457, 0, 0, ~0ULL, 2), ==, 0x7FFFFFFFFFFFFFFFULL);
    /* extended: the dividend is RA shifted up by the operand width */
    g_assert_cmphex((uint32_t)xo_op(h, 427, 0, 0, 1, 4), ==, 0x40000000);
    g_assert_cmphex((uint32_t)xo_op(h, 395, 0, 0, 1, 2), ==, 0x80000000);
    g_assert_cmphex(xo_op(h, 425, 0, 0, 1, 4), ==, 1ULL << 62);
    g_assert_cmphex(xo_op(h, 393, 0, 0, 3, 4), ==, 0xC000000000000000ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
}

HARNESS_TEST(test_divide_overflow_sets_ov)
{
    /* Results are undefined: only the flags and "no crash" are checked. */
    h->env->xer = 0;
    xo_op(h, 491, 1, 1, 5, 0);                              /* divwo. /0 */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    g_assert_cmphex(cr_field(h, 0) & CR_SO, ==, CR_SO);
    h->env->xer = 0;
    xo_op(h, 491, 1, 0, 0x80000000ULL, ~0ULL);              /* INT_MIN/-1 */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 489, 1, 0, 0x8000000000000000ULL, ~0ULL);      /* divdo */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 489, 0, 0, 1, 0);                              /* divd: no OE */
    g_assert_cmphex(xer_flags(h), ==, 0);
    xo_op(h, 457, 1, 0, 1, 0);                              /* divduo /0 */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 427, 1, 0, 1, 1);                              /* 2^32 / 1 */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 427, 1, 0, 0x80000000ULL, ~0ULL);              /* divweo */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 393, 1, 0, 4, 4);                              /* divdeuo */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 425, 1, 0, 0x8000000000000000ULL, ~0ULL);      /* divdeo */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    h->env->xer = 0;
    xo_op(h, 425, 1, 0, 0, 0);                              /* divdeo /0 */
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
}

HARNESS_TEST(test_modulo)
{
    g_assert_cmphex((uint32_t)xo_op(h, 779, 0, 0, -7ULL, 2), ==, 0xFFFFFFFF);
    g_assert_cmphex(xo_op(h, 267, 0, 0, 17, 5), ==, 2);
    g_assert_cmphex(xo_op(h, 777, 0, 0, -7ULL, 2), ==, ~0ULL);
    g_assert_cmphex(xo_op(h, 265, 0, 0, 17, 5), ==, 2);
    /* undefined cases must not trap the host */
    xo_op(h, 779, 0, 0, 0x80000000ULL, ~0ULL);
    xo_op(h, 267, 0, 0, 7, 0);
    xo_op(h, 777, 0, 0, 0x8000000000000000ULL, ~0ULL);
    xo_op(h, 265, 0, 0, 7, 0);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
}

/* ---- compare ---- */

static unsigned compare(InterpHarness *h, uint32_t insn, uint64_t a, uint64_t b,
                        unsigned bf)
{
    h->env->cr = 0;
    op_r3(h, insn, a, b);
    return cr_field(h, bf);
}

HARNESS_TEST(test_compare)
{
    h->env->xer = 0;
    /* cmp BF=1, L=0 (word) and L=1 (doubleword) */
    g_assert_cmphex(compare(h, enc_x31(0, 1 << 2, 4, 5, 0), 0x80000000ULL, 0, 1),
                    ==, CR_LT);
    g_assert_cmphex(compare(h, enc_x31(0, (1 << 2) | 1, 4, 5, 0), 0x80000000ULL,
                            0, 1), ==, CR_GT);
    /* cmpl BF=2 */
    g_assert_cmphex(compare(h, enc_x31(32, 2 << 2, 4, 5, 0), 1, 0xFFFFFFFF, 2),
                    ==, CR_LT);
    g_assert_cmphex(compare(h, enc_x31(32, 2 << 2, 4, 5, 0), 0x100000005ULL, 5,
                            2), ==, CR_EQ);
    g_assert_cmphex(compare(h, enc_x31(32, (2 << 2) | 1, 4, 5, 0),
                            0x100000005ULL, 5, 2), ==, CR_GT);
    /* cmpi BF=7 L=1, cmpli BF=0 L=0 (UI is not sign-extended) */
    g_assert_cmphex(compare(h, enc_d(11, (7 << 2) | 1, 4, -5), -5ULL, 0, 7), ==,
                    CR_EQ);
    g_assert_cmphex(compare(h, enc_d(10, 0, 4, 0xFFFF), 0xFFFFFFFF, 0, 0), ==,
                    CR_GT);
    g_assert_cmphex(compare(h, enc_d(11, 0, 4, 0xFFFF), 0xFFFFFFFF, 0, 0), ==,
                    CR_EQ);     /* cmpwi -1: the word is -1 too */
    /* SO is copied into every compare result */
    h->env->xer = XER_SO;
    g_assert_cmphex(compare(h, enc_x31(0, 3 << 2, 4, 5, 0), 9, 9, 3), ==,
                    CR_EQ | CR_SO);
}

HARNESS_TEST(test_cmprb_cmpeqb)
{
    h->env->xer = 0;
    /* one range '0'..'9' in RB[48:63] */
    g_assert_cmphex(compare(h, enc_x31(192, 0, 4, 5, 0), '5', 0x3930, 0), ==,
                    CR_GT);
    g_assert_cmphex(compare(h, enc_x31(192, 0, 4, 5, 0), 'a', 0x3930, 0), ==, 0);
    /* L=1: 'a'..'z' in RB[32:47] or 'A'..'Z' in RB[48:63] */
    g_assert_cmphex(compare(h, enc_x31(192, 1, 4, 5, 0), 'q', 0x7A615A41, 0), ==,
                    CR_GT);
    g_assert_cmphex(compare(h, enc_x31(192, 1, 4, 5, 0), 'Q', 0x7A615A41, 0), ==,
                    CR_GT);
    g_assert_cmphex(compare(h, enc_x31(192, 1, 4, 5, 0), '@', 0x7A615A41, 0), ==,
                    0);
    /* L=0 ignores the first range */
    g_assert_cmphex(compare(h, enc_x31(192, 0, 4, 5, 0), 'q', 0x7A615A41, 0), ==,
                    0);
    g_assert_cmphex(compare(h, enc_x31(224, 0, 4, 5, 0), 0x155,
                            0x1122334455667788ULL, 0), ==, CR_GT);
    g_assert_cmphex(compare(h, enc_x31(224, 0, 4, 5, 0), 0x99,
                            0x1122334455667788ULL, 0), ==, 0);
}

/* ---- logical ---- */

HARNESS_TEST(test_logical)
{
    uint64_t s = 0xF0F0F0F0F0F0F0F0ULL, b = 0xFF00FF00FF00FF00ULL;

    g_assert_cmphex(x_op(h, 28, 0, s, b), ==, s & b);
    g_assert_cmphex(x_op(h, 444, 0, s, b), ==, s | b);
    g_assert_cmphex(x_op(h, 316, 0, s, b), ==, s ^ b);
    g_assert_cmphex(x_op(h, 476, 0, s, b), ==, ~(s & b));
    g_assert_cmphex(x_op(h, 124, 0, s, b), ==, ~(s | b));
    g_assert_cmphex(x_op(h, 284, 0, s, b), ==, ~(s ^ b));
    g_assert_cmphex(x_op(h, 60, 0, s, b), ==, s & ~b);
    g_assert_cmphex(x_op(h, 412, 0, s, b), ==, s | ~b);
    h->env->xer = 0;
    g_assert_cmphex(x_op(h, 28, 1, 0xF0, 0x0F), ==, 0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ);
    g_assert_cmphex(x_op(h, 444, 1, s, 0), ==, s);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT);
}

HARNESS_TEST(test_logical_immediate)
{
    h->env->xer = 0;
    g_assert_cmphex(op_r3(h, enc_d(24, 4, 3, 0x8000), 1, 0), ==, 0x8001);
    g_assert_cmphex(op_r3(h, enc_d(25, 4, 3, 0x8000), 1, 0), ==, 0x80000001ULL);
    g_assert_cmphex(op_r3(h, enc_d(26, 4, 3, 0xFFFF), 0xF0F0, 0), ==, 0x0F0F);
    g_assert_cmphex(op_r3(h, enc_d(27, 4, 3, 0xFFFF), 0, 0), ==, 0xFFFF0000ULL);
    g_assert_cmphex(op_r3(h, enc_d(28, 4, 3, 0), ~0ULL, 0), ==, 0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ);
    g_assert_cmphex(op_r3(h, enc_d(29, 4, 3, 0x8000), ~0ULL, 0), ==,
                    0x80000000ULL);
    g_assert_cmphex(cr_field(h, 0), ==, CR_GT);   /* positive in 64-bit mode */
}

HARNESS_TEST(test_sign_extend)
{
    h->env->xer = 0;
    g_assert_cmphex(x_op(h, 954, 0, 0x80, 0), ==, 0xFFFFFFFFFFFFFF80ULL);
    g_assert_cmphex(x_op(h, 954, 0, 0x17F, 0), ==, 0x7F);
    g_assert_cmphex(x_op(h, 922, 0, 0x7FFF, 0), ==, 0x7FFF);
    g_assert_cmphex(x_op(h, 922, 0, 0x18000, 0), ==, 0xFFFFFFFFFFFF8000ULL);
    g_assert_cmphex(x_op(h, 986, 1, 0x80000000ULL, 0), ==, 0xFFFFFFFF80000000ULL);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT);
    /* extswsli: sign-extend the word, shift left by 0..63 */
    g_assert_cmphex(op_r3(h, enc_xs(445, 4, 3, 4, 0), 0x80000001ULL, 0), ==,
                    0xFFFFFFF800000010ULL);
    g_assert_cmphex(op_r3(h, enc_xs(445, 4, 3, 32, 0), 0x80000001ULL, 0), ==,
                    0x8000000100000000ULL);
    g_assert_cmphex(op_r3(h, enc_xs(445, 4, 3, 63, 0), 0x80000001ULL, 0), ==,
                    0x8000000000000000ULL);
}

HARNESS_TEST(test_count_zeros)
{
    h->env->xer = 0;
    g_assert_cmpuint(x_op(h, 26, 0, 0, 0), ==, 32);
    g_assert_cmpuint(x_op(h, 26, 0, 1, 0), ==, 31);
    g_assert_cmpuint(x_op(h, 26, 0, 0xFFFFFFFF00000000ULL, 0), ==, 32);
    g_assert_cmpuint(x_op(h, 58, 0, 0, 0), ==, 64);
    g_assert_cmpuint(x_op(h, 58, 0, 1, 0), ==, 63);
    g_assert_cmpuint(x_op(h, 538, 0, 0, 0), ==, 32);
    g_assert_cmpuint(x_op(h, 538, 0, 0x80000000ULL, 0), ==, 31);
    g_assert_cmpuint(x_op(h, 570, 0, 0, 0), ==, 64);
    g_assert_cmpuint(x_op(h, 570, 0, 0x8000000000000000ULL, 0), ==, 63);
    g_assert_cmpuint(x_op(h, 26, 1, 0, 0), ==, 32);
    g_assert_cmphex(cr_field(h, 0), ==, CR_GT);
}

HARNESS_TEST(test_popcount_parity)
{
    g_assert_cmphex(x_op(h, 122, 0, 0xFF0F030100000080ULL, 0), ==,
                    0x0804020100000001ULL);
    g_assert_cmphex(x_op(h, 378, 0, 0xFFFFFFFF00000001ULL, 0), ==,
                    0x0000002000000001ULL);
    g_assert_cmphex(x_op(h, 506, 0, ~0ULL, 0), ==, 64);
    g_assert_cmphex(x_op(h, 154, 0, 0x0100000001010000ULL, 0), ==,
                    0x0000000100000000ULL);
    g_assert_cmphex(x_op(h, 154, 0, 0xFEFEFEFEFEFEFEFEULL, 0), ==, 0);
    g_assert_cmphex(x_op(h, 186, 0, 0x0101010000000000ULL, 0), ==, 1);
    g_assert_cmphex(x_op(h, 186, 0, 0x0101010100000000ULL, 0), ==, 0);
}

HARNESS_TEST(test_cmpb_bpermd)
{
    g_assert_cmphex(x_op(h, 508, 0, 0x1122334455667788ULL, 0x1100334400667700ULL),
                    ==, 0xFF00FFFF00FFFF00ULL);
    g_assert_cmphex(x_op(h, 252, 0, 0x003F4001FF003E3FULL, 0x8000000000000001ULL),
                    ==, 0xC5);
}

HARNESS_TEST(test_isel)
{
    uint32_t isel_eq = (31u << 26) | (3u << 21) | (4u << 16) | (5u << 11) |
                       (2u << 6) | (15u << 1);
    uint32_t isel_ra0 = (31u << 26) | (3u << 21) | (0u << 16) | (5u << 11) |
                        (2u << 6) | (15u << 1);

    h->env->cr = 0x20000000;
    g_assert_cmphex(op_r3(h, isel_eq, 111, 222), ==, 111);
    g_assert_cmphex(op_r3(h, isel_ra0, 111, 222), ==, 0);
    h->env->cr = 0xDFFFFFFF;
    g_assert_cmphex(op_r3(h, isel_eq, 111, 222), ==, 222);
}

HARNESS_TEST(test_setb_mcrxrx)
{
    uint32_t setb_cr3 = enc_x31(128, 3, 3 << 2, 0, 0);

    h->env->cr = 0x00080000;     /* CR3 = LT */
    exec1(h, setb_cr3);
    g_assert_cmphex(h->env->gpr[3], ==, ~0ULL);
    h->env->cr = 0x00040000;     /* GT */
    exec1(h, setb_cr3);
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    h->env->cr = 0x000A0000;     /* LT and EQ: LT wins */
    exec1(h, setb_cr3);
    g_assert_cmphex(h->env->gpr[3], ==, ~0ULL);
    h->env->cr = 0x00020000;     /* EQ */
    exec1(h, setb_cr3);
    g_assert_cmphex(h->env->gpr[3], ==, 0);

    h->env->cr = 0;
    h->env->xer = XER_OV | XER_CA32;
    exec1(h, enc_x31(576, 5 << 2, 0, 0, 0));
    g_assert_cmphex(cr_field(h, 5), ==, 0x9);
}

HARNESS_TEST(test_darn)
{
    exec1(h, enc_x31(755, 3, 1, 0, 0));         /* L=1: 64 bits */
    g_assert_cmphex(h->env->gpr[3], !=, ~0ULL);
    exec1(h, enc_x31(755, 3, 0, 0, 0));         /* L=0: 32 bits */
    g_assert_cmphex(h->env->gpr[3] >> 32, ==, 0);
    g_assert_cmphex(h->env->gpr[3], !=, 0xFFFFFFFFULL);
}

/* ---- rotate ---- */

HARNESS_TEST(test_rotate_word)
{
    /* rlwinm r3,r4,8,24,31: rotate the word left 8, keep the low byte */
    g_assert_cmphex(op_r3(h, enc_m(21, 4, 3, 8, 24, 31, 0), 0x12345678, 0), ==,
                    0x12);
    g_assert_cmphex(op_r3(h, enc_m(21, 4, 3, 0, 0, 31, 0),
                          0xAAAAAAAA12345678ULL, 0), ==, 0x12345678);
    /* MB > ME wraps: MASK(60, 35), and the high half sees the word again */
    g_assert_cmphex(op_r3(h, enc_m(21, 4, 3, 0, 28, 3, 0), 0x12345678, 0), ==,
                    0x1234567810000008ULL);
    /* rlwnm uses RB[59:63] only */
    g_assert_cmphex(op_r3(h, enc_m(23, 4, 3, 5, 0, 31, 0), 0x12345678, 36), ==,
                    0x23456781);
    /* rlwimi r3,r4,4,24,27 inserts into r3 */
    h->env->gpr[3] = ~0ULL;
    g_assert_cmphex(op_r3(h, enc_m(20, 4, 3, 4, 24, 27, 0), 0xA, 0), ==,
                    0xFFFFFFFFFFFFFFAFULL);
    /* record form */
    h->env->xer = 0;
    g_assert_cmphex(op_r3(h, enc_m(21, 4, 3, 0, 16, 31, 1), 0xFFFF0000, 0), ==,
                    0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ);
}

HARNESS_TEST(test_rotate_doubleword)
{
    uint64_t v = 0x123456789ABCDEF0ULL;

    g_assert_cmphex(op_r3(h, enc_md(0, 4, 3, 8, 56, 0), v, 0), ==, 0x12);
    g_assert_cmphex(op_r3(h, enc_md(0, 4, 3, 0, 32, 0), v, 0), ==, 0x9ABCDEF0);
    g_assert_cmphex(op_r3(h, enc_md(0, 4, 3, 0, 63, 0), v | 1, 0), ==, 1);
    g_assert_cmphex(op_r3(h, enc_md(1, 4, 3, 4, 59, 0), v, 0), ==,
                    0x23456789ABCDEF00ULL);
    g_assert_cmphex(op_r3(h, enc_md(1, 4, 3, 36, 27, 0), v, 0), ==,
                    0xABCDEF0000000000ULL);
    g_assert_cmphex(op_r3(h, enc_md(2, 4, 3, 8, 48, 0), v, 0), ==, 0xF000);
    h->env->gpr[3] = 0x1111111122222222ULL;
    g_assert_cmphex(op_r3(h, enc_md(3, 4, 3, 32, 0, 0), 0x3333333344444444ULL, 0),
                    ==, 0x4444444422222222ULL);
    g_assert_cmphex(op_r3(h, enc_mds(8, 4, 3, 5, 0, 0), v, 68), ==,
                    0x23456789ABCDEF01ULL);
    g_assert_cmphex(op_r3(h, enc_mds(9, 4, 3, 5, 7, 0), v, 8), ==,
                    0x3400000000000000ULL);
}

/* ---- shift ---- */

static uint64_t shift(InterpHarness *h, unsigned xo, uint64_t s, uint64_t n)
{
    return x_op(h, xo, 0, s, n);
}

HARNESS_TEST(test_shift_word_boundaries)
{
    uint64_t s = 0xFFFFFFFF80000001ULL;

    g_assert_cmphex(shift(h, 24, s, 0), ==, 0x80000001);
    g_assert_cmphex(shift(h, 24, s, 31), ==, 0x80000000);
    g_assert_cmphex(shift(h, 24, s, 32), ==, 0);
    g_assert_cmphex(shift(h, 24, s, 63), ==, 0);
    g_assert_cmphex(shift(h, 24, s, 64), ==, 0x80000001);   /* only RB[58:63] */
    g_assert_cmphex(shift(h, 536, s, 0), ==, 0x80000001);
    g_assert_cmphex(shift(h, 536, s, 31), ==, 1);
    g_assert_cmphex(shift(h, 536, s, 32), ==, 0);
    g_assert_cmphex(shift(h, 536, s, 63), ==, 0);
}

HARNESS_TEST(test_shift_doubleword_boundaries)
{
    g_assert_cmphex(shift(h, 27, 1, 0), ==, 1);
    g_assert_cmphex(shift(h, 27, 1, 63), ==, 0x8000000000000000ULL);
    g_assert_cmphex(shift(h, 27, 1, 64), ==, 0);
    g_assert_cmphex(shift(h, 27, 1, 127), ==, 0);
    g_assert_cmphex(shift(h, 27, 1, 128), ==, 1);           /* only RB[57:63] */
    g_assert_cmphex(shift(h, 539, 0x8000000000000000ULL, 63), ==, 1);
    g_assert_cmphex(shift(h, 539, 0x8000000000000000ULL, 64), ==, 0);
    g_assert_cmphex(shift(h, 539, 0x8000000000000000ULL, 0), ==,
                    0x8000000000000000ULL);
}

HARNESS_TEST(test_sraw_sets_ca)
{
    h->env->xer = 0;
    g_assert_cmphex(shift(h, 792, 0x80000001, 0), ==, 0xFFFFFFFF80000001ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(shift(h, 792, 0x80000001, 1), ==, 0xFFFFFFFFC0000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 792, 0x80000001, 31), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 792, 0x80000001, 32), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 792, 0x80000001, 63), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 792, 0x80000000, 31), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);          /* only zeros shifted out */
    g_assert_cmphex(shift(h, 792, 0x7FFFFFFF, 32), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, 0);
    /* srawi */
    g_assert_cmphex(op_r3(h, enc_x31(824, 4, 3, 2, 0), 0xFFFFFFF8, 0), ==, -2ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(op_r3(h, enc_x31(824, 4, 3, 4, 0), 0xFFFFFFF8, 0), ==, -1ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(op_r3(h, enc_x31(824, 4, 3, 0, 0), 0xFFFFFFF8, 0), ==, -8ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
}

HARNESS_TEST(test_srad_sets_ca)
{
    uint64_t neg = 0x8000000000000001ULL;

    h->env->xer = 0;
    g_assert_cmphex(shift(h, 794, neg, 0), ==, neg);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(shift(h, 794, neg, 1), ==, 0xC000000000000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 794, neg, 64), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(shift(h, 794, neg, 127), ==, ~0ULL);
    g_assert_cmphex(shift(h, 794, 5, 64), ==, 0);
    g_assert_cmphex(xer_flags(h), ==, 0);
    /* sradi 63 and 0 */
    g_assert_cmphex(op_r3(h, enc_xs(413, 4, 3, 63, 0), 0x8000000000000000ULL, 0),
                    ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(op_r3(h, enc_xs(413, 4, 3, 63, 0), neg, 0), ==, ~0ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(op_r3(h, enc_xs(413, 4, 3, 0, 1), neg, 0), ==, neg);
    g_assert_cmphex(xer_flags(h), ==, 0);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT);
    g_assert_cmphex(op_r3(h, enc_xs(413, 4, 3, 4, 0), 0x100, 0), ==, 0x10);
}

/* 32-bit mode: CA and OV follow bit 32, CR0 looks at the low word */
HARNESS_TEST(test_32bit_mode_flags)
{
    h->env->msr &= ~MSR_SF;
    h->env->xer = 0;
    g_assert_cmphex(xo_op(h, 10, 1, 1, 0xFFFFFFFF, 1), ==, 0x100000000ULL);
    g_assert_cmphex(xer_flags(h), ==, XER_CA | XER_CA32);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ);
    h->env->xer = 0;
    xo_op(h, 266, 1, 1, 0x7FFFFFFF, 1);
    g_assert_cmphex(xer_flags(h), ==, XER_OV | XER_OV32 | XER_SO);
    g_assert_cmphex(cr_field(h, 0), ==, CR_LT | CR_SO);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/alu/add-basic", test_add_basic);
    g_test_add_func("/interp/alu/addo-sets-ov-so", test_addo_sets_ov_so);
    g_test_add_func("/interp/alu/addo-sets-ov32-only", test_addo_sets_ov32_only);
    g_test_add_func("/interp/alu/addo-clears-ov-keeps-so",
                    test_addo_clears_ov_keeps_so);
    g_test_add_func("/interp/alu/add-rc-zero-is-eq", test_add_rc_zero_is_eq);
    g_test_add_func("/interp/alu/addc-sets-ca-and-ca32",
                    test_addc_sets_ca_and_ca32);
    g_test_add_func("/interp/alu/adde-uses-ca", test_adde_uses_ca);
    g_test_add_func("/interp/alu/addme-addze", test_addme_addze);
    g_test_add_func("/interp/alu/subf-family", test_subf_family);
    g_test_add_func("/interp/alu/subfo-overflow", test_subfo_overflow);
    g_test_add_func("/interp/alu/neg", test_neg);
    g_test_add_func("/interp/alu/addi-addis-li", test_addi_addis_li);
    g_test_add_func("/interp/alu/addic-sets-ca", test_addic_sets_ca);
    g_test_add_func("/interp/alu/subfic", test_subfic);
    g_test_add_func("/interp/alu/addpcis", test_addpcis);
    g_test_add_func("/interp/alu/multiply", test_multiply);
    g_test_add_func("/interp/alu/multiply-add", test_multiply_add);
    g_test_add_func("/interp/alu/divide", test_divide);
    g_test_add_func("/interp/alu/divide-overflow-sets-ov",
                    test_divide_overflow_sets_ov);
    g_test_add_func("/interp/alu/modulo", test_modulo);
    g_test_add_func("/interp/alu/compare", test_compare);
    g_test_add_func("/interp/alu/cmprb-cmpeqb", test_cmprb_cmpeqb);
    g_test_add_func("/interp/alu/logical", test_logical);
    g_test_add_func("/interp/alu/logical-immediate", test_logical_immediate);
    g_test_add_func("/interp/alu/sign-extend", test_sign_extend);
    g_test_add_func("/interp/alu/count-zeros", test_count_zeros);
    g_test_add_func("/interp/alu/popcount-parity", test_popcount_parity);
    g_test_add_func("/interp/alu/cmpb-bpermd", test_cmpb_bpermd);
    g_test_add_func("/interp/alu/isel", test_isel);
    g_test_add_func("/interp/alu/setb-mcrxrx", test_setb_mcrxrx);
    g_test_add_func("/interp/alu/darn", test_darn);
    g_test_add_func("/interp/alu/rotate-word", test_rotate_word);
    g_test_add_func("/interp/alu/rotate-doubleword", test_rotate_doubleword);
    g_test_add_func("/interp/alu/shift-word-boundaries",
                    test_shift_word_boundaries);
    g_test_add_func("/interp/alu/shift-doubleword-boundaries",
                    test_shift_doubleword_boundaries);
    g_test_add_func("/interp/alu/sraw-sets-ca", test_sraw_sets_ca);
    g_test_add_func("/interp/alu/srad-sets-ca", test_srad_sets_ca);
    g_test_add_func("/interp/alu/32bit-mode-flags", test_32bit_mode_flags);
    return g_test_run();
}
