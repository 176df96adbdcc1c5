/*
 * Software CPU: loads and stores in both byte orders, update and indexed
 * forms, byte reversal, load/store multiple, reservations (including two
 * vCPU threads incrementing one counter), cache instructions, storage
 * interrupts with translation on, and decoded-code invalidation.
 * Expected values follow Power ISA v3.0 Book I 3.3.2-3.3.6 and Book II 4.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

static const uint8_t pattern[16] = {
    0x80, 0x91, 0xA2, 0xB3, 0xC4, 0xD5, 0xE6, 0xF7,
    0x08, 0x19, 0x2A, 0x3B, 0x4C, 0x5D, 0x6E, 0x7F,
};

static void put_pattern(InterpHarness *h, uint64_t addr)
{
    g_assert_cmpint(guest_write(&h->ram, addr, pattern, sizeof(pattern)), ==, 0);
}

static uint64_t load_r3(InterpHarness *h, uint32_t insn)
{
    h->env->gpr[4] = HARNESS_DATA;
    exec1(h, insn);
    return h->env->gpr[3];
}

static uint8_t *data(InterpHarness *h, uint64_t offset)
{
    return h->ram.host + HARNESS_DATA + offset;
}

HARNESS_TEST(test_load_forms_big_endian)
{
    put_pattern(h, HARNESS_DATA);
    g_assert_cmphex(load_r3(h, enc_d(34, 3, 4, 0)), ==, 0x80);
    g_assert_cmphex(load_r3(h, enc_d(40, 3, 4, 0)), ==, 0x8091);
    g_assert_cmphex(load_r3(h, enc_d(42, 3, 4, 0)), ==, 0xFFFFFFFFFFFF8091ULL);
    g_assert_cmphex(load_r3(h, enc_d(32, 3, 4, 0)), ==, 0x8091A2B3);
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 0, 2)), ==,
                    0xFFFFFFFF8091A2B3ULL);                         /* lwa */
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 8, 0)), ==,
                    0x08192A3B4C5D6E7FULL);                         /* ld */
    g_assert_cmphex(load_r3(h, enc_d(34, 3, 4, 15)), ==, 0x7F);
    h->env->gpr[4] = HARNESS_DATA + 1;
    exec1(h, enc_d(34, 3, 4, -1));
    g_assert_cmphex(h->env->gpr[3], ==, 0x80);
}

HARNESS_TEST(test_load_forms_little_endian)
{
    h->env->msr |= MSR_LE;
    put_pattern(h, HARNESS_DATA);
    g_assert_cmphex(load_r3(h, enc_d(34, 3, 4, 0)), ==, 0x80);
    g_assert_cmphex(load_r3(h, enc_d(40, 3, 4, 0)), ==, 0x9180);
    g_assert_cmphex(load_r3(h, enc_d(42, 3, 4, 0)), ==, 0xFFFFFFFFFFFF9180ULL);
    g_assert_cmphex(load_r3(h, enc_d(32, 3, 4, 0)), ==, 0xB3A29180);
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 0, 2)), ==,
                    0xFFFFFFFFB3A29180ULL);
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 0, 0)), ==,
                    0xF7E6D5C4B3A29180ULL);
}

HARNESS_TEST(test_load_update_and_indexed)
{
    put_pattern(h, HARNESS_DATA);
    /* lwzu r3,4(r4) */
    g_assert_cmphex(load_r3(h, enc_d(33, 3, 4, 4)), ==, 0xC4D5E6F7);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 4);
    /* lwzx r3,r4,r5 and lwzux */
    h->env->gpr[5] = 8;
    g_assert_cmphex(load_r3(h, enc_x31(23, 3, 4, 5, 0)), ==, 0x08192A3B);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA);
    g_assert_cmphex(load_r3(h, enc_x31(55, 3, 4, 5, 0)), ==, 0x08192A3B);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 8);
    /* lbzx r3,0,r5: RA=0 means 0 */
    h->env->gpr[0] = 0x1234;
    h->env->gpr[5] = HARNESS_DATA + 1;
    exec1(h, enc_x31(87, 3, 0, 5, 0));
    g_assert_cmphex(h->env->gpr[3], ==, 0x91);
    /* ldu r3,8(r4), lhaux, lwaux */
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 8, 1)), ==, 0x08192A3B4C5D6E7FULL);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 8);
    h->env->gpr[5] = 2;
    g_assert_cmphex(load_r3(h, enc_x31(375, 3, 4, 5, 0)), ==,
                    0xFFFFFFFFFFFFA2B3ULL);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 2);
    h->env->gpr[5] = 4;
    g_assert_cmphex(load_r3(h, enc_x31(373, 3, 4, 5, 0)), ==,
                    0xFFFFFFFFC4D5E6F7ULL);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 4);
    /* ldx, lhzux, lbzu */
    h->env->gpr[5] = 0;
    g_assert_cmphex(load_r3(h, enc_x31(21, 3, 4, 5, 0)), ==, 0x8091A2B3C4D5E6F7ULL);
    h->env->gpr[5] = 14;
    g_assert_cmphex(load_r3(h, enc_x31(311, 3, 4, 5, 0)), ==, 0x6E7F);
    g_assert_cmphex(load_r3(h, enc_d(35, 3, 4, 3)), ==, 0xB3);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 3);
}

HARNESS_TEST(test_store_forms)
{
    static const uint8_t be[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    static const uint8_t le[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };

    h->env->gpr[3] = 0x1122334455667788ULL;
    h->env->gpr[4] = HARNESS_DATA;
    exec1(h, enc_ds(62, 3, 4, 0, 0));                       /* std */
    g_assert_cmpmem(data(h, 0), 8, be, 8);
    exec1(h, enc_d(36, 3, 4, 8));                           /* stw */
    g_assert_cmpmem(data(h, 8), 4, be + 4, 4);
    exec1(h, enc_d(44, 3, 4, 12));                          /* sth */
    g_assert_cmpmem(data(h, 12), 2, be + 6, 2);
    exec1(h, enc_d(38, 3, 4, 14));                          /* stb */
    g_assert_cmphex(*data(h, 14), ==, 0x88);
    /* stwu r3,16(r4) updates r4; stdux r3,r4,r5 */
    exec1(h, enc_d(37, 3, 4, 16));
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 16);
    g_assert_cmpmem(data(h, 16), 4, be + 4, 4);
    h->env->gpr[5] = 8;
    exec1(h, enc_x31(181, 3, 4, 5, 0));
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 24);
    g_assert_cmpmem(data(h, 24), 8, be, 8);
    /* stbux, sthx, stwx */
    h->env->gpr[5] = 8;
    exec1(h, enc_x31(247, 3, 4, 5, 0));
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 32);
    g_assert_cmphex(*data(h, 32), ==, 0x88);
    exec1(h, enc_x31(407, 3, 4, 5, 0));
    g_assert_cmpmem(data(h, 40), 2, be + 6, 2);
    exec1(h, enc_x31(151, 3, 4, 5, 0));
    g_assert_cmpmem(data(h, 40), 4, be + 4, 4);

    /* little-endian */
    h->env->msr |= MSR_LE;
    h->env->gpr[4] = HARNESS_DATA + 64;
    exec1(h, enc_ds(62, 3, 4, 0, 0));
    g_assert_cmpmem(data(h, 64), 8, le, 8);
    exec1(h, enc_d(36, 3, 4, 8));
    g_assert_cmpmem(data(h, 72), 4, le, 4);
    exec1(h, enc_d(44, 3, 4, 12));
    g_assert_cmpmem(data(h, 76), 2, le, 2);
    exec1(h, enc_ds(62, 3, 4, 16, 1));                      /* stdu */
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 80);
    g_assert_cmpmem(data(h, 80), 8, le, 8);
}

static void assert_illegal(InterpHarness *h, uint32_t insn)
{
    uint64_t r4 = h->env->gpr[4];

    h->env->msr &= ~MSR_LE;
    exec1(h, insn);
    g_assert_cmphex(h->env->nip, ==, EXCP_PROGRAM);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->srr1 & SRR1_PROGRAM_ILLEGAL, !=, 0);
    g_assert_cmphex(h->env->gpr[4], ==, r4);
}

HARNESS_TEST(test_update_form_invalid_is_illegal)
{
    h->env->gpr[4] = HARNESS_DATA;
    assert_illegal(h, enc_d(33, 3, 0, 4));          /* lwzu r3,4(0) */
    assert_illegal(h, enc_d(33, 4, 4, 4));          /* lwzu r4,4(r4) */
    assert_illegal(h, enc_d(37, 3, 0, 4));          /* stwu r3,4(0) */
    assert_illegal(h, enc_ds(58, 4, 4, 8, 1));      /* ldu r4,8(r4) */
    assert_illegal(h, enc_d(46, 28, 30, 0));        /* lmw r28,0(r30) */
}

HARNESS_TEST(test_byte_reverse)
{
    static const uint8_t rev[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };

    put_pattern(h, HARNESS_DATA);
    h->env->gpr[5] = 0;
    g_assert_cmphex(load_r3(h, enc_x31(790, 3, 4, 5, 0)), ==, 0x9180);
    g_assert_cmphex(load_r3(h, enc_x31(534, 3, 4, 5, 0)), ==, 0xB3A29180);
    g_assert_cmphex(load_r3(h, enc_x31(532, 3, 4, 5, 0)), ==,
                    0xF7E6D5C4B3A29180ULL);
    h->env->gpr[3] = 0x1122334455667788ULL;
    h->env->gpr[5] = 0x40;
    exec1(h, enc_x31(660, 3, 4, 5, 0));                     /* stdbrx */
    g_assert_cmpmem(data(h, 0x40), 8, rev, 8);
    exec1(h, enc_x31(662, 3, 4, 5, 0));                     /* stwbrx */
    g_assert_cmpmem(data(h, 0x40), 4, rev, 4);
    exec1(h, enc_x31(918, 3, 4, 5, 0));                     /* sthbrx */
    g_assert_cmpmem(data(h, 0x40), 2, rev, 2);
    /* in little-endian mode the reversed forms read big-endian */
    h->env->msr |= MSR_LE;
    h->env->gpr[5] = 0;
    g_assert_cmphex(load_r3(h, enc_x31(534, 3, 4, 5, 0)), ==, 0x8091A2B3);
}

HARNESS_TEST(test_load_store_multiple)
{
    uint32_t w;

    put_pattern(h, HARNESS_DATA);
    h->env->gpr[4] = HARNESS_DATA;
    exec1(h, enc_d(46, 29, 4, 4));                          /* lmw r29,4(r4) */
    g_assert_cmphex(h->env->gpr[29], ==, 0xC4D5E6F7);
    g_assert_cmphex(h->env->gpr[30], ==, 0x08192A3B);
    g_assert_cmphex(h->env->gpr[31], ==, 0x4C5D6E7F);
    h->env->gpr[30] = 0xFFFFFFFF11223344ULL;
    exec1(h, enc_d(47, 30, 4, 0x20));                       /* stmw r30 */
    g_assert_cmpint(guest_ld_be32(&h->ram, HARNESS_DATA + 0x20, &w), ==, 0);
    g_assert_cmphex(w, ==, 0x11223344);
    g_assert_cmpint(guest_ld_be32(&h->ram, HARNESS_DATA + 0x24, &w), ==, 0);
    g_assert_cmphex(w, ==, 0x4C5D6E7F);
    /* little-endian mode: alignment interrupt, DAR = EA */
    h->env->msr |= MSR_LE;
    exec1(h, enc_d(46, 29, 4, 4));
    g_assert_cmphex(h->env->nip, ==, EXCP_ALIGNMENT);
    g_assert_cmphex(h->env->dar, ==, HARNESS_DATA + 4);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
}

HARNESS_TEST(test_misaligned_access)
{
    uint64_t page_end = HARNESS_DATA + 0x1000 - 4;
    uint8_t expect[8];

    put_pattern(h, HARNESS_DATA);
    g_assert_cmphex(load_r3(h, enc_d(32, 3, 4, 1)), ==, 0x91A2B3C4);
    g_assert_cmphex(load_r3(h, enc_ds(58, 3, 4, 4, 0)) >> 8, ==,
                    0xC4D5E6F708192AULL);                   /* ld at +4 */
    /* across a page boundary */
    put_pattern(h, page_end);
    h->env->gpr[4] = page_end;
    exec1(h, enc_ds(58, 3, 4, 0, 0));
    g_assert_cmphex(h->env->gpr[3], ==, 0x8091A2B3C4D5E6F7ULL);
    h->env->gpr[3] = 0x0102030405060708ULL;
    exec1(h, enc_ds(62, 3, 4, 0, 0));
    for (int i = 0; i < 8; i++) {
        expect[i] = (uint8_t)(i + 1);
    }
    g_assert_cmpmem(h->ram.host + page_end, 8, expect, 8);
}

HARNESS_TEST(test_real_mode_ignores_top_address_bits)
{
    put_pattern(h, HARNESS_DATA);
    h->env->gpr[4] = 0xC000000000000000ULL | HARNESS_DATA;
    exec1(h, enc_ds(58, 3, 4, 0, 0));
    g_assert_cmphex(h->env->gpr[3], ==, 0x8091A2B3C4D5E6F7ULL);
    /* instruction fetch too */
    h->pc = HARNESS_CODE;
    emit(h, enc_li(3, 9));
    h->env->nip = 0xC000000000000000ULL | HARNESS_CODE;
    run(h, 1);
    g_assert_cmphex(h->env->gpr[3], ==, 9);
    g_assert_cmphex(h->env->nip, ==, 0xC000000000000000ULL | (HARNESS_CODE + 4));
}

HARNESS_TEST(test_32bit_mode_truncates_ea)
{
    put_pattern(h, HARNESS_DATA);
    h->env->msr &= ~MSR_SF;
    h->env->gpr[4] = 0xFFFFFFFF00000000ULL | HARNESS_DATA;
    g_assert_cmphex(load_r3(h, enc_d(32, 3, 4, 0)) , ==, 0x8091A2B3);
    h->env->gpr[4] = 0xFFFFFFFF00000000ULL | HARNESS_DATA;
    exec1(h, enc_d(33, 3, 4, 4));                           /* lwzu */
    g_assert_cmphex(h->env->gpr[3], ==, 0xC4D5E6F7);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA + 4);
}

/* ---- reservations ---- */

#define LWARX(rt, ra, rb)   enc_x31(20, rt, ra, rb, 0)
#define STWCX(rs, ra, rb)   enc_x31(150, rs, ra, rb, 1)

HARNESS_TEST(test_larx_stcx_success)
{
    h->env->xer = XER_SO;
    g_assert_cmpint(guest_st_be32(&h->ram, HARNESS_DATA, 41), ==, 0);
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    emit(h, LWARX(3, 4, 5));
    emit(h, enc_addi(3, 3, 1));
    emit(h, STWCX(3, 4, 5));
    run(h, 3);
    uint32_t v;
    guest_ld_be32(&h->ram, HARNESS_DATA, &v);
    g_assert_cmpuint(v, ==, 42);
    g_assert_cmphex(cr_field(h, 0), ==, CR_EQ | CR_SO);
    g_assert_cmphex(h->env->reserve_addr, ==, (uint64_t)-1);
}

HARNESS_TEST(test_stcx_without_reservation_fails)
{
    h->env->xer = 0;
    g_assert_cmpint(guest_st_be32(&h->ram, HARNESS_DATA, 5), ==, 0);
    h->env->gpr[3] = 99;
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    h->env->reserve_addr = (uint64_t)-1;
    h->env->cr = 0xF0000000;
    exec1(h, STWCX(3, 4, 5));
    uint32_t v;
    guest_ld_be32(&h->ram, HARNESS_DATA, &v);
    g_assert_cmpuint(v, ==, 5);
    g_assert_cmphex(cr_field(h, 0), ==, 0);
}

HARNESS_TEST(test_stcx_fails_after_other_store)
{
    g_assert_cmpint(guest_st_be32(&h->ram, HARNESS_DATA, 1), ==, 0);
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    exec1(h, LWARX(3, 4, 5));
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    /* another vCPU stores a different value to the reserved word */
    g_assert_cmpint(guest_st_be32(&h->ram, HARNESS_DATA, 7), ==, 0);
    h->env->gpr[3] = 2;
    exec1(h, STWCX(3, 4, 5));
    uint32_t v;
    guest_ld_be32(&h->ram, HARNESS_DATA, &v);
    g_assert_cmpuint(v, ==, 7);
    g_assert_cmphex(cr_field(h, 0) & CR_EQ, ==, 0);
}

HARNESS_TEST(test_stcx_size_or_address_mismatch_fails)
{
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    exec1(h, enc_x31(84, 3, 4, 5, 0));                      /* ldarx */
    exec1(h, STWCX(3, 4, 5));
    g_assert_cmphex(cr_field(h, 0) & CR_EQ, ==, 0);
    exec1(h, LWARX(3, 4, 5));
    h->env->gpr[5] = 4;
    exec1(h, STWCX(3, 4, 5));
    g_assert_cmphex(cr_field(h, 0) & CR_EQ, ==, 0);
}

HARNESS_TEST(test_larx_stcx_sizes_and_le)
{
    static const struct { unsigned larx, stcx, size; } ops[] = {
        { 52, 694, 1 }, { 116, 726, 2 }, { 20, 150, 4 }, { 84, 214, 8 },
    };

    for (int le = 0; le < 2; le++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
            uint64_t mask = ops[i].size == 8 ? ~0ULL
                            : (1ULL << (8 * ops[i].size)) - 1;
            uint64_t addr = HARNESS_DATA + 0x100 + 8 * i;

            h->env->msr = (h->env->msr & ~MSR_LE) | (le ? MSR_LE : 0);
            memcpy(h->ram.host + addr, pattern, 8);
            h->env->gpr[4] = addr;
            h->env->gpr[5] = 0;
            exec1(h, enc_x31(ops[i].larx, 3, 4, 5, 0));
            uint64_t be_val = 0;
            for (unsigned b = 0; b < ops[i].size; b++) {
                unsigned byte = le ? ops[i].size - 1 - b : b;
                be_val = (be_val << 8) | pattern[byte];
            }
            g_assert_cmphex(h->env->gpr[3], ==, be_val);
            h->env->gpr[3] = 0x0102030405060708ULL & mask;
            exec1(h, enc_x31(ops[i].stcx, 3, 4, 5, 1));
            g_assert_cmphex(cr_field(h, 0) & CR_EQ, ==, CR_EQ);
            for (unsigned b = 0; b < ops[i].size; b++) {
                unsigned shift = le ? 8 * b : 8 * (ops[i].size - 1 - b);
                g_assert_cmphex(h->ram.host[addr + b], ==,
                                (h->env->gpr[3] >> shift) & 0xFF);
            }
        }
    }
}

HARNESS_TEST(test_larx_misaligned_raises_alignment)
{
    h->env->gpr[4] = HARNESS_DATA + 2;
    h->env->gpr[5] = 0;
    exec1(h, LWARX(3, 4, 5));
    g_assert_cmphex(h->env->nip, ==, EXCP_ALIGNMENT);
    g_assert_cmphex(h->env->dar, ==, HARNESS_DATA + 2);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    exec1(h, STWCX(3, 4, 5));
    g_assert_cmphex(h->env->nip, ==, EXCP_ALIGNMENT);
}

HARNESS_TEST(test_interrupt_clears_reservation)
{
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[5] = 0;
    exec1(h, LWARX(3, 4, 5));
    g_assert_cmphex(h->env->reserve_addr, ==, HARNESS_DATA);
    exec1(h, 0);                                            /* illegal */
    g_assert_cmphex(h->env->reserve_addr, ==, (uint64_t)-1);
    h->env->msr = MSR_SF | MSR_ME;
    exec1(h, STWCX(3, 4, 5));
    g_assert_cmphex(cr_field(h, 0) & CR_EQ, ==, 0);
}

/* Two vCPU threads increment one word with lwarx/stwcx. */
#define ATOMIC_ITERATIONS 200000

typedef struct AtomicWorker {
    InterpHarness *h;
    PowerPCCPU cpu;
} AtomicWorker;

static gpointer atomic_worker(gpointer opaque)
{
    AtomicWorker *w = opaque;

    while (w->cpu.env.nip != HARNESS_CODE + 20) {
        ppc_interp_run(&w->cpu, &w->h->ram, 100000);
    }
    return NULL;
}

HARNESS_TEST(test_atomic_increment_two_threads)
{
    AtomicWorker workers[2];
    GThread *threads[2];
    uint32_t v;

    emit(h, LWARX(3, 4, 5));                       /* 0: */
    emit(h, enc_addi(3, 3, 1));
    emit(h, STWCX(3, 4, 5));
    emit(h, enc_bc(4, 2, -12, 0, 0));              /* bne- 0 */
    emit(h, enc_bc(16, 0, -16, 0, 0));             /* bdnz 0 */
    emit(h, enc_b_self());                         /* 20: */
    guest_st_be32(&h->ram, HARNESS_DATA, 0);
    for (int i = 0; i < 2; i++) {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].h = h;
        ppc_cpu_reset(&workers[i].cpu);
        workers[i].cpu.index = i;
        workers[i].cpu.env.nip = HARNESS_CODE;
        workers[i].cpu.env.gpr[4] = HARNESS_DATA;
        workers[i].cpu.env.ctr = ATOMIC_ITERATIONS;
        threads[i] = g_thread_new("vcpu", atomic_worker, &workers[i]);
    }
    for (int i = 0; i < 2; i++) {
        g_thread_join(threads[i]);
        ppc_interp_cpu_finalize(&workers[i].cpu);
    }
    guest_ld_be32(&h->ram, HARNESS_DATA, &v);
    g_assert_cmpuint(v, ==, 2 * ATOMIC_ITERATIONS);
}

/* ---- cache management ---- */

HARNESS_TEST(test_dcbz_zeroes_block)
{
    memset(h->ram.host + HARNESS_DATA, 0xFF, 0x200);
    h->env->gpr[4] = HARNESS_DATA + 0x90;
    h->env->gpr[5] = 0;
    exec1(h, enc_x31(1014, 0, 4, 5, 0));
    g_assert_cmphex(*data(h, 0x7F), ==, 0xFF);
    for (int i = 0x80; i < 0x100; i++) {
        g_assert_cmphex(*data(h, i), ==, 0);
    }
    g_assert_cmphex(*data(h, 0x100), ==, 0xFF);
    /* hints and flushes do nothing visible */
    exec1(h, enc_x31(278, 0, 4, 5, 0));             /* dcbt */
    exec1(h, enc_x31(246, 0, 4, 5, 0));             /* dcbtst */
    exec1(h, enc_x31(86, 0, 4, 5, 0));              /* dcbf */
    exec1(h, enc_x31(54, 0, 4, 5, 0));              /* dcbst */
    exec1(h, enc_x31(598, 0, 0, 0, 0));             /* sync */
    exec1(h, enc_x31(598, 1, 0, 0, 0));             /* lwsync */
    exec1(h, enc_x31(598, 2, 0, 0, 0));             /* ptesync */
    exec1(h, enc_x31(854, 0, 0, 0, 0));             /* eieio */
    exec1(h, enc_xl(150, 0, 0, 0, 0));              /* isync */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
}

/* ---- storage interrupts with translation on, no process table ---- */

HARNESS_TEST(test_dsi_when_data_translation_on)
{
    h->env->msr |= MSR_DR;
    h->env->gpr[4] = HARNESS_DATA;
    h->env->gpr[3] = 0x77;
    exec1(h, enc_d(32, 3, 4, 8));                   /* lwz */
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->dar, ==, HARNESS_DATA + 8);
    g_assert_cmphex(h->env->dsisr, ==, 0x40000000);
    g_assert_cmphex(h->env->srr1 & MSR_DR, ==, MSR_DR);
    g_assert_cmphex(h->env->msr & MSR_DR, ==, 0);
    g_assert_cmphex(h->env->gpr[3], ==, 0x77);      /* nothing retired */

    h->env->msr |= MSR_DR;
    exec1(h, enc_d(37, 3, 4, 16));                  /* stwu */
    g_assert_cmphex(h->env->nip, ==, EXCP_DSI);
    g_assert_cmphex(h->env->dsisr, ==, 0x42000000);
    g_assert_cmphex(h->env->dar, ==, HARNESS_DATA + 16);
    g_assert_cmphex(h->env->gpr[4], ==, HARNESS_DATA);
}

HARNESS_TEST(test_isi_when_instruction_translation_on)
{
    emit(h, enc_li(3, 1));
    h->env->msr |= MSR_IR;
    run(h, 1);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISI);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->srr1 & PPC_BIT(33), ==, PPC_BIT(33));
    g_assert_cmphex(h->env->srr1 & MSR_IR, ==, MSR_IR);
    g_assert_cmphex(h->env->gpr[3], ==, 0);
}

/* ---- decoded code invalidation ---- */

HARNESS_TEST(test_store_invalidates_decoded_code)
{
    emit(h, enc_li(3, 1));                          /* 0: rewritten below */
    emit(h, enc_d(36, 5, 6, 0));                    /* stw r5,0(r6) */
    emit(h, enc_bc(16, 0, -8, 0, 0));               /* bdnz 0 */
    emit(h, enc_b_self());
    h->env->gpr[5] = enc_li(3, 42);
    h->env->gpr[6] = HARNESS_CODE;
    h->env->ctr = 2;
    run(h, 7);
    g_assert_cmphex(h->env->gpr[3], ==, 42);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 12);
}

HARNESS_TEST(test_store_ahead_in_straight_line_code)
{
    emit(h, enc_d(36, 5, 6, 8));                    /* stw r5,8(r6) */
    emit(h, enc_nop());
    emit(h, enc_li(3, 1));                          /* replaced */
    h->env->gpr[5] = enc_li(3, 43);
    h->env->gpr[6] = HARNESS_CODE;
    /* decode everything once, then run again from the start */
    h->env->gpr[5] = enc_li(3, 1);
    run(h, 3);
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    h->env->gpr[5] = enc_li(3, 43);
    h->env->nip = HARNESS_CODE;
    run(h, 3);
    g_assert_cmphex(h->env->gpr[3], ==, 43);
}

HARNESS_TEST(test_vmm_write_invalidates)
{
    exec1(h, enc_li(3, 1));
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    exec1(h, enc_li(3, 2));         /* exec1 writes through guest_write+invalidate */
    g_assert_cmphex(h->env->gpr[3], ==, 2);
}

HARNESS_TEST(test_icbi_isync_sees_cross_modified_code)
{
    uint64_t target = 0x20000;
    uint32_t raw = GUINT32_TO_BE(enc_li(3, 2));

    harness_write_insn(h, target, enc_li(3, 1), false);
    h->env->nip = target;
    run(h, 1);
    g_assert_cmphex(h->env->gpr[3], ==, 1);
    /* "another vCPU" rewrites it without telling anyone */
    memcpy(h->ram.host + target, &raw, 4);
    h->env->gpr[4] = target;
    h->env->gpr[5] = 0;
    emit(h, enc_x31(982, 0, 4, 5, 0));              /* icbi 0,r4 */
    emit(h, enc_xl(150, 0, 0, 0, 0));               /* isync */
    emit(h, enc_b((int32_t)target, 1, 0));          /* ba target */
    h->env->nip = HARNESS_CODE;
    run(h, 4);
    g_assert_cmphex(h->env->gpr[3], ==, 2);
}

/* ---- floating-point loads and stores (bits only) ---- */

HARNESS_TEST(test_fp_load_store)
{
    h->env->gpr[4] = HARNESS_DATA;
    exec1(h, enc_d(50, 1, 4, 0));                   /* lfd f1,0(r4) */
    g_assert_cmphex(h->env->nip, ==, EXCP_FPU_UNAVAIL);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);

    h->env->msr = MSR_SF | MSR_ME | MSR_FP;
    put_pattern(h, HARNESS_DATA);
    exec1(h, enc_d(50, 1, 4, 0));
    g_assert_cmphex(h->env->fpr[1], ==, 0x8091A2B3C4D5E6F7ULL);
    exec1(h, enc_d(54, 1, 4, 0x20));                /* stfd */
    g_assert_cmpmem(data(h, 0x20), 8, pattern, 8);

    guest_st_be32(&h->ram, HARNESS_DATA + 0x40, 0x3F800000);    /* 1.0f */
    guest_st_be32(&h->ram, HARNESS_DATA + 0x44, 0x00000001);    /* 2^-149 */
    guest_st_be32(&h->ram, HARNESS_DATA + 0x48, 0xFF800000);    /* -inf */
    exec1(h, enc_d(48, 2, 4, 0x40));                /* lfs */
    g_assert_cmphex(h->env->fpr[2], ==, 0x3FF0000000000000ULL);
    exec1(h, enc_d(48, 3, 4, 0x44));
    g_assert_cmphex(h->env->fpr[3], ==, 0x36A0000000000000ULL);
    exec1(h, enc_d(48, 4, 4, 0x48));
    g_assert_cmphex(h->env->fpr[4], ==, 0xFFF0000000000000ULL);
    exec1(h, enc_d(52, 3, 4, 0x50));                /* stfs f3 */
    uint32_t w;
    guest_ld_be32(&h->ram, HARNESS_DATA + 0x50, &w);
    g_assert_cmphex(w, ==, 0x00000001);
    exec1(h, enc_d(52, 2, 4, 0x54));
    guest_ld_be32(&h->ram, HARNESS_DATA + 0x54, &w);
    g_assert_cmphex(w, ==, 0x3F800000);
    /* lfiwax / lfiwzx / stfiwx */
    h->env->gpr[5] = 0x48;
    exec1(h, enc_x31(855, 5, 4, 5, 0));
    g_assert_cmphex(h->env->fpr[5], ==, 0xFFFFFFFFFF800000ULL);
    exec1(h, enc_x31(887, 5, 4, 5, 0));
    g_assert_cmphex(h->env->fpr[5], ==, 0xFF800000ULL);
    h->env->gpr[5] = 0x58;
    exec1(h, enc_x31(983, 1, 4, 5, 0));
    guest_ld_be32(&h->ram, HARNESS_DATA + 0x58, &w);
    g_assert_cmphex(w, ==, 0xC4D5E6F7);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/mem/load-forms-big-endian",
                    test_load_forms_big_endian);
    g_test_add_func("/interp/mem/load-forms-little-endian",
                    test_load_forms_little_endian);
    g_test_add_func("/interp/mem/load-update-and-indexed",
                    test_load_update_and_indexed);
    g_test_add_func("/interp/mem/store-forms", test_store_forms);
    g_test_add_func("/interp/mem/update-form-invalid-is-illegal",
                    test_update_form_invalid_is_illegal);
    g_test_add_func("/interp/mem/byte-reverse", test_byte_reverse);
    g_test_add_func("/interp/mem/load-store-multiple",
                    test_load_store_multiple);
    g_test_add_func("/interp/mem/misaligned-access", test_misaligned_access);
    g_test_add_func("/interp/mem/real-mode-ignores-top-address-bits",
                    test_real_mode_ignores_top_address_bits);
    g_test_add_func("/interp/mem/32bit-mode-truncates-ea",
                    test_32bit_mode_truncates_ea);
    g_test_add_func("/interp/mem/larx-stcx-success", test_larx_stcx_success);
    g_test_add_func("/interp/mem/stcx-without-reservation-fails",
                    test_stcx_without_reservation_fails);
    g_test_add_func("/interp/mem/stcx-fails-after-other-store",
                    test_stcx_fails_after_other_store);
    g_test_add_func("/interp/mem/stcx-size-or-address-mismatch-fails",
                    test_stcx_size_or_address_mismatch_fails);
    g_test_add_func("/interp/mem/larx-stcx-sizes-and-le",
                    test_larx_stcx_sizes_and_le);
    g_test_add_func("/interp/mem/larx-misaligned-raises-alignment",
                    test_larx_misaligned_raises_alignment);
    g_test_add_func("/interp/mem/interrupt-clears-reservation",
                    test_interrupt_clears_reservation);
    g_test_add_func("/interp/mem/atomic-increment-two-threads",
                    test_atomic_increment_two_threads);
    g_test_add_func("/interp/mem/dcbz-zeroes-block", test_dcbz_zeroes_block);
    g_test_add_func("/interp/mem/dsi-when-data-translation-on",
                    test_dsi_when_data_translation_on);
    g_test_add_func("/interp/mem/isi-when-instruction-translation-on",
                    test_isi_when_instruction_translation_on);
    g_test_add_func("/interp/mem/store-invalidates-decoded-code",
                    test_store_invalidates_decoded_code);
    g_test_add_func("/interp/mem/store-ahead-in-straight-line-code",
                    test_store_ahead_in_straight_line_code);
    g_test_add_func("/interp/mem/vmm-write-invalidates",
                    test_vmm_write_invalidates);
    g_test_add_func("/interp/mem/icbi-isync-sees-cross-modified-code",
                    test_icbi_isync_sees_cross_modified_code);
    g_test_add_func("/interp/mem/fp-load-store", test_fp_load_store);
    return g_test_run();
}
