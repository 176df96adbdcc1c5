/*
 * VMX register moves (target/ppc/interp/vmx.c): lvx/stvx/lvxl/stvxl and
 * mfvscr/mtvscr, the subset Linux's copypage_power7 and VMX context
 * switch use. Vector arithmetic stays illegal.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

static const uint8_t quad[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
};

#define VMX_MSR (MSR_SF | MSR_ME | MSR_VEC)

static uint32_t enc_vx(unsigned vrt, unsigned vra, unsigned vrb, unsigned xo)
{
    return (4u << 26) | (vrt << 21) | (vra << 16) | (vrb << 11) | xo;
}

HARNESS_TEST(test_vmx_off_raises_vector_unavailable)
{
    h->env->gpr[4] = HARNESS_DATA;
    exec1(h, enc_x31(103, 1, 0, 4, 0));                 /* lvx v1,0,r4 */
    g_assert_cmphex(h->env->nip, ==, EXCP_VEC_UNAVAIL);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
}

/* Big-endian: the register holds the quadword's bytes in order; the EA's
 * low four bits are ignored for both the load and the store. */
HARNESS_TEST(test_lvx_stvx_big_endian)
{
    h->env->msr = VMX_MSR;
    g_assert_cmpint(guest_write(&h->ram, HARNESS_DATA, quad, 16), ==, 0);
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0x0B;                              /* misaligned index */
    exec1(h, enc_x31(103, 1, 4, 5, 0));                 /* lvx v1,r4,r5 */
    g_assert_cmpmem(h->env->vr[1], 16, quad, 16);
    h->env->gpr[5] = 0x47;
    exec1(h, enc_x31(231, 1, 4, 5, 0));                 /* stvx -> +0x40 */
    uint8_t back[16];
    g_assert_cmpint(guest_read(&h->ram, HARNESS_DATA + 0x40, back, 16), ==, 0);
    g_assert_cmpmem(back, 16, quad, 16);
    h->env->gpr[5] = 0x80;
    exec1(h, enc_x31(487, 1, 4, 5, 0));                 /* stvxl -> +0x80 */
    exec1(h, enc_x31(359, 2, 4, 5, 0));                 /* lvxl v2 */
    g_assert_cmpmem(h->env->vr[2], 16, quad, 16);
}

/* Little-endian: element order reversed, so the bytes are; a store of what
 * was loaded writes the same memory back. */
HARNESS_TEST(test_lvx_stvx_little_endian)
{
    uint8_t rev[16], back[16];

    for (int i = 0; i < 16; i++) {
        rev[i] = quad[15 - i];
    }
    h->env->msr = VMX_MSR | MSR_LE;
    g_assert_cmpint(guest_write(&h->ram, HARNESS_DATA, quad, 16), ==, 0);
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    exec1(h, enc_x31(103, 3, 4, 5, 0));
    g_assert_cmpmem(h->env->vr[3], 16, rev, 16);
    h->env->gpr[5] = 0x10;
    exec1(h, enc_x31(231, 3, 4, 5, 0));
    g_assert_cmpint(guest_read(&h->ram, HARNESS_DATA + 0x10, back, 16), ==, 0);
    g_assert_cmpmem(back, 16, quad, 16);
}

HARNESS_TEST(test_mfvscr_mtvscr)
{
    h->env->msr = VMX_MSR;
    memset(h->env->vr[7], 0xEE, 16);
    h->env->vr[7][12] = 0x00;
    h->env->vr[7][13] = 0x01;
    h->env->vr[7][14] = 0x00;
    h->env->vr[7][15] = 0x01;
    exec1(h, enc_vx(0, 0, 7, 1604));                    /* mtvscr v7 */
    g_assert_cmphex(h->env->vscr, ==, 0x00010001);
    memset(h->env->vr[8], 0x55, 16);
    exec1(h, enc_vx(8, 0, 0, 1540));                    /* mfvscr v8 */
    static const uint8_t want[16] = { [13] = 0x01, [15] = 0x01 };
    g_assert_cmpmem(h->env->vr[8], 16, want, 16);
}

HARNESS_TEST(test_vector_arithmetic_still_illegal)
{
    h->env->msr = VMX_MSR;
    exec1(h, enc_vx(1, 2, 3, 1156));                    /* vor v1,v2,v3 */
    g_assert_cmphex(h->env->nip, ==, EXCP_PROGRAM);
    g_assert_cmphex(h->env->srr1 & SRR1_PROGRAM_ILLEGAL, ==, SRR1_PROGRAM_ILLEGAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/vmx/off-raises-vector-unavailable",
                    test_vmx_off_raises_vector_unavailable);
    g_test_add_func("/interp/vmx/lvx-stvx-big-endian", test_lvx_stvx_big_endian);
    g_test_add_func("/interp/vmx/lvx-stvx-little-endian", test_lvx_stvx_little_endian);
    g_test_add_func("/interp/vmx/mfvscr-mtvscr", test_mfvscr_mtvscr);
    g_test_add_func("/interp/vmx/vector-arithmetic-still-illegal",
                    test_vector_arithmetic_still_illegal);
    return g_test_run();
}
