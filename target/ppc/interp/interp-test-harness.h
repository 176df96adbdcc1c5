/*
 * Helpers for the interpreter's unit tests (tests/unit/test-interp-*.c):
 * a bare vCPU (no machine) over its own guest RAM, and encoders that
 * assemble Power ISA instructions from their fields (Book I 1.6).
 *
 * Every interrupt vector holds "b ." so that a test that takes an
 * interrupt stops there: after ppc_interp_run(), NIP is the vector.
 */
#ifndef TARGET_PPC_INTERP_TEST_HARNESS_H
#define TARGET_PPC_INTERP_TEST_HARNESS_H

#include <glib.h>
#include <string.h>

#include "system/clock.h"
#include "target/ppc/interp.h"
#include "target/ppc/mmu-radix64.h"

#define HARNESS_RAM_SIZE    (16ULL << 20)
#define HARNESS_CODE        0x10000ULL      /* where tests put code */
#define HARNESS_DATA        0x80000ULL      /* and data */

typedef struct InterpHarness {
    GuestMemory ram;
    PPCRadixPartition radix;    /* the vCPU's process-table registration */
    PowerPCCPU cpu;
    CPUPPCState *env;
    uint64_t pc;            /* where emit() puts the next instruction */
} InterpHarness;

/* ---- encoders ---- */

static inline uint32_t enc_d(unsigned op, unsigned rt, unsigned ra, int32_t imm)
{
    return (op << 26) | (rt << 21) | (ra << 16) | ((uint32_t)imm & 0xFFFF);
}

static inline uint32_t enc_ds(unsigned op, unsigned rt, unsigned ra, int32_t ds,
                              unsigned xo)
{
    return (op << 26) | (rt << 21) | (ra << 16) | ((uint32_t)ds & 0xFFFC) | xo;
}

static inline uint32_t enc_x(unsigned op, unsigned rt, unsigned ra,
                             unsigned rb, unsigned xo, unsigned rc)
{
    return (op << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc;
}

/* XO-form arithmetic: primary 31 with OE and Rc. */
static inline uint32_t enc_xo(unsigned xo, unsigned rt, unsigned ra,
                              unsigned rb, unsigned oe, unsigned rc)
{
    return (31u << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) |
           (xo << 1) | rc;
}

/* X-form with primary 31 */
static inline uint32_t enc_x31(unsigned xo, unsigned rt, unsigned ra,
                               unsigned rb, unsigned rc)
{
    return enc_x(31, rt, ra, rb, xo, rc);
}

/* M-form rotates: rlwimi 20, rlwinm 21, rlwnm 23 */
static inline uint32_t enc_m(unsigned op, unsigned rs, unsigned ra,
                             unsigned sh, unsigned mb, unsigned me, unsigned rc)
{
    return (op << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) |
           (me << 1) | rc;
}

/* MD-form: rldicl 0, rldicr 1, rldic 2, rldimi 3 */
static inline uint32_t enc_md(unsigned xo, unsigned rs, unsigned ra,
                              unsigned sh, unsigned mbe, unsigned rc)
{
    unsigned mfield = ((mbe & 31) << 1) | (mbe >> 5);
    return (30u << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) |
           (mfield << 5) | (xo << 2) | ((sh >> 5) << 1) | rc;
}

/* MDS-form: rldcl 8, rldcr 9 */
static inline uint32_t enc_mds(unsigned xo, unsigned rs, unsigned ra,
                               unsigned rb, unsigned mbe, unsigned rc)
{
    unsigned mfield = ((mbe & 31) << 1) | (mbe >> 5);
    return (30u << 26) | (rs << 21) | (ra << 16) | (rb << 11) |
           (mfield << 5) | (xo << 1) | rc;
}

/* XS-form: sradi 413, extswsli 445 */
static inline uint32_t enc_xs(unsigned xo, unsigned rs, unsigned ra,
                              unsigned sh, unsigned rc)
{
    return (31u << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) |
           (xo << 2) | ((sh >> 5) << 1) | rc;
}

static inline uint32_t enc_addi(unsigned rt, unsigned ra, int32_t si)
{
    return enc_d(14, rt, ra, si);
}

static inline uint32_t enc_li(unsigned rt, int32_t si)
{
    return enc_addi(rt, 0, si);
}

static inline uint32_t enc_addis(unsigned rt, unsigned ra, int32_t si)
{
    return enc_d(15, rt, ra, si);
}

static inline uint32_t enc_ori(unsigned ra, unsigned rs, uint32_t ui)
{
    return enc_d(24, rs, ra, (int32_t)ui);
}

static inline uint32_t enc_nop(void)
{
    return enc_ori(0, 0, 0);
}

/* I-form b/ba/bl/bla: @offset is the byte displacement or address */
static inline uint32_t enc_b(int32_t offset, unsigned aa, unsigned lk)
{
    return (18u << 26) | ((uint32_t)offset & 0x03FFFFFC) | (aa << 1) | lk;
}

static inline uint32_t enc_bc(unsigned bo, unsigned bi, int32_t bd,
                              unsigned aa, unsigned lk)
{
    return (16u << 26) | (bo << 21) | (bi << 16) | ((uint32_t)bd & 0xFFFC) |
           (aa << 1) | lk;
}

/* XL-form with primary 19: bclr 16, bcctr 528, bctar 560, CR ops ... */
static inline uint32_t enc_xl(unsigned xo, unsigned bt, unsigned ba,
                              unsigned bb, unsigned lk)
{
    return enc_x(19, bt, ba, bb, xo, lk);
}

static inline uint32_t enc_mtspr(unsigned spr, unsigned rs)
{
    return enc_x31(467, rs, spr & 31, spr >> 5, 0);
}

static inline uint32_t enc_mfspr(unsigned rt, unsigned spr)
{
    return enc_x31(339, rt, spr & 31, spr >> 5, 0);
}

static inline uint32_t enc_sc(unsigned lev)
{
    return (17u << 26) | (lev << 5) | 2;
}

static inline uint32_t enc_rfid(void)
{
    return enc_xl(18, 0, 0, 0, 0);
}

/* "b ." */
static inline uint32_t enc_b_self(void)
{
    return enc_b(0, 0, 0);
}

/* ---- the vCPU and its RAM ---- */

static inline void harness_write_insn(InterpHarness *h, uint64_t addr,
                                      uint32_t insn, bool le)
{
    uint32_t raw = le ? GUINT32_TO_LE(insn) : GUINT32_TO_BE(insn);
    g_assert_cmpint(guest_write(&h->ram, addr, &raw, 4), ==, 0);
    ppc_interp_invalidate(addr, 4);
}

static inline void harness_init(InterpHarness *h)
{
    static const uint64_t vectors[] = {
        0x100, 0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700,
        0x800, 0x900, 0xC00, 0xD00, 0xF20, 0xF40,
    };

    memset(h, 0, sizeof(*h));
    vm_clock_init(true);
    g_assert_cmpint(guest_memory_init(&h->ram, HARNESS_RAM_SIZE), ==, 0);
    ppc_interp_invalidate(0, HARNESS_RAM_SIZE);
    ppc_cpu_reset(&h->cpu);
    h->cpu.radix = &h->radix;
    h->env = &h->cpu.env;
    h->env->nip = HARNESS_CODE;
    h->pc = HARNESS_CODE;
    for (unsigned i = 0; i < G_N_ELEMENTS(vectors); i++) {
        harness_write_insn(h, vectors[i], enc_b_self(), false);
    }
}

static inline void harness_cleanup(InterpHarness *h)
{
    ppc_interp_cpu_finalize(&h->cpu);
    guest_memory_destroy(&h->ram);
}

static inline bool harness_le(const InterpHarness *h)
{
    return (h->env->msr & MSR_LE) != 0;
}

/* Append @insn at h->pc, in the byte order of the current MSR[LE]. */
static inline void emit(InterpHarness *h, uint32_t insn)
{
    harness_write_insn(h, h->pc, insn, harness_le(h));
    h->pc += 4;
}

static inline PPCInterpExit run(InterpHarness *h, uint64_t budget)
{
    return ppc_interp_run(&h->cpu, &h->ram, budget);
}

/* Execute the single instruction @insn at HARNESS_CODE. */
static inline void exec1(InterpHarness *h, uint32_t insn)
{
    h->pc = HARNESS_CODE;
    emit(h, insn);
    h->env->nip = HARNESS_CODE;
    g_assert_cmpint(run(h, 1), ==, PPC_INTERP_EXIT_BUDGET);
}

/* CR field @bf as a 4-bit value (LT GT EQ SO). */
static inline unsigned cr_field(const InterpHarness *h, unsigned bf)
{
    return (h->env->cr >> (28 - 4 * bf)) & 0xF;
}

#define CR_LT 8u
#define CR_GT 4u
#define CR_EQ 2u
#define CR_SO 1u

/* Tests with a fresh harness each: g_test_add_func wrappers. */
#define HARNESS_TEST(fn)                                                    \
    static void fn##_body(InterpHarness *h);                                \
    static void fn(void)                                                    \
    {                                                                       \
        InterpHarness h;                                                    \
        harness_init(&h);                                                   \
        fn##_body(&h);                                                      \
        harness_cleanup(&h);                                                \
    }                                                                       \
    static void fn##_body(InterpHarness *h)

#endif
