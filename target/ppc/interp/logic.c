/*
 * Fixed-point logical, compare and bit-manipulation instructions
 * (Power ISA v3.0 Book I 3.3.10-3.3.13): and/or/xor family and their
 * immediate forms, sign extension, count leading/trailing zeros, population
 * count, parity, cmpb, bpermd, compares (cmp, cmpl, cmprb, cmpeqb), isel,
 * setb, mcrxrx.
 *
 * X-form logical instructions write RA from RS (the rt field) and RB.
 */
#include "interp-internal.h"

#define RS (env->gpr[d->rt])
#define RB (env->gpr[d->rb])

#define DEFINE_LOGIC(name, expr)                                            \
    static inline uint64_t calc_##name(const CPUPPCState *env,             \
                                       const PPCInsn *d)                    \
    {                                                                       \
        return (expr);                                                      \
    }                                                                       \
    DEFINE_TO_RA(name)

DEFINE_LOGIC(and, RS & RB)
DEFINE_LOGIC(or, RS | RB)
DEFINE_LOGIC(xor, RS ^ RB)
DEFINE_LOGIC(nand, ~(RS & RB))
DEFINE_LOGIC(nor, ~(RS | RB))
DEFINE_LOGIC(eqv, ~(RS ^ RB))
DEFINE_LOGIC(andc, RS & ~RB)
DEFINE_LOGIC(orc, RS | ~RB)
DEFINE_LOGIC(extsb, (uint64_t)(int64_t)(int8_t)RS)
DEFINE_LOGIC(extsh, (uint64_t)(int64_t)(int16_t)RS)
DEFINE_LOGIC(extsw, (uint64_t)(int64_t)(int32_t)RS)
DEFINE_LOGIC(cntlzw, (uint32_t)RS ? (uint64_t)__builtin_clz((uint32_t)RS) : 32)
DEFINE_LOGIC(cntlzd, RS ? (uint64_t)__builtin_clzll(RS) : 64)
DEFINE_LOGIC(cnttzw, (uint32_t)RS ? (uint64_t)__builtin_ctz((uint32_t)RS) : 32)
DEFINE_LOGIC(cnttzd, RS ? (uint64_t)__builtin_ctzll(RS) : 64)

/* ---- immediate logical forms (D-form: RA <- RS op UI) ---- */

INTERP_OP(op_ori)
{
    env->gpr[d->ra] = RS | d->imm;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_xori)
{
    env->gpr[d->ra] = RS ^ d->imm;
    return next_insn(env, run, d + 1);
}

/* andi. / andis. always record. */
INTERP_OP(op_andi_rc)
{
    uint64_t r = RS & d->imm;
    env->gpr[d->ra] = r;
    set_cr0(env, r);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_nop)
{
    return next_insn(env, run, d + 1);
}

/* ---- population count, parity, byte compare, permute ---- */

/* popcntb: count of 1 bits of each byte, in that byte. */
INTERP_OP(op_popcntb)
{
    uint64_t x = RS;
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    env->gpr[d->ra] = x;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_popcntw)
{
    uint64_t x = RS;
    env->gpr[d->ra] = ((uint64_t)__builtin_popcount((uint32_t)(x >> 32)) << 32) |
                      (uint64_t)__builtin_popcount((uint32_t)x);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_popcntd)
{
    env->gpr[d->ra] = (uint64_t)__builtin_popcountll(RS);
    return next_insn(env, run, d + 1);
}

/* prtyw: per word, the parity of the least significant bit of each byte. */
INTERP_OP(op_prtyw)
{
    uint64_t lsb = RS & 0x0101010101010101ULL;
    lsb ^= lsb >> 16;
    lsb ^= lsb >> 8;
    env->gpr[d->ra] = lsb & 0x0000000100000001ULL;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_prtyd)
{
    env->gpr[d->ra] = __builtin_parityll(RS & 0x0101010101010101ULL);
    return next_insn(env, run, d + 1);
}

/* cmpb: bytes of RA are 0xff where RS and RB bytes are equal. */
INTERP_OP(op_cmpb)
{
    uint64_t x = RS ^ RB, r = 0;

    for (unsigned i = 0; i < 64; i += 8) {
        if (((x >> i) & 0xFF) == 0) {
            r |= 0xFFULL << i;
        }
    }
    env->gpr[d->ra] = r;
    return next_insn(env, run, d + 1);
}

/*
 * bpermd: for each byte i of RS (IBM numbering), the bit of RB it indexes
 * (0 if the index is >= 64) becomes bit 56+i of RA.
 */
INTERP_OP(op_bpermd)
{
    uint64_t rs = RS, rb = RB, r = 0;

    for (unsigned i = 0; i < 8; i++) {
        unsigned index = (rs >> (56 - 8 * i)) & 0xFF;
        if (index < 64 && ((rb >> (63 - index)) & 1)) {
            r |= 1ULL << (7 - i);
        }
    }
    env->gpr[d->ra] = r;
    return next_insn(env, run, d + 1);
}

/* ---- compare (3.3.10): the BF field is in f1 ---- */

INTERP_OP(op_cmpw)
{
    set_cr_field(env, d->f1, cmp_signed(env, (int32_t)env->gpr[d->ra],
                                        (int32_t)RB));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmpd)
{
    set_cr_field(env, d->f1, cmp_signed(env, (int64_t)env->gpr[d->ra],
                                        (int64_t)RB));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmplw)
{
    set_cr_field(env, d->f1, cmp_unsigned(env, (uint32_t)env->gpr[d->ra],
                                          (uint32_t)RB));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmpld)
{
    set_cr_field(env, d->f1, cmp_unsigned(env, env->gpr[d->ra], RB));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmpwi)
{
    set_cr_field(env, d->f1, cmp_signed(env, (int32_t)env->gpr[d->ra],
                                        d->imm));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmpdi)
{
    set_cr_field(env, d->f1, cmp_signed(env, (int64_t)env->gpr[d->ra],
                                        d->imm));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmplwi)
{
    set_cr_field(env, d->f1, cmp_unsigned(env, (uint32_t)env->gpr[d->ra],
                                          (uint64_t)d->imm));
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_cmpldi)
{
    set_cr_field(env, d->f1, cmp_unsigned(env, env->gpr[d->ra],
                                          (uint64_t)d->imm));
    return next_insn(env, run, d + 1);
}

/* cmprb BF,L,RA,RB: is byte RA[56:63] in one (L=0) or two (L=1) ranges? */
INTERP_OP(op_cmprb)
{
    unsigned c = env->gpr[d->ra] & 0xFF;
    uint64_t rb = RB;
    bool in_range = (rb & 0xFF) <= c && c <= ((rb >> 8) & 0xFF);

    if (d->f2) {
        in_range |= ((rb >> 16) & 0xFF) <= c && c <= ((rb >> 24) & 0xFF);
    }
    set_cr_field(env, d->f1, in_range ? 4 : 0);
    return next_insn(env, run, d + 1);
}

/* cmpeqb BF,RA,RB: does any byte of RB equal RA[56:63]? */
INTERP_OP(op_cmpeqb)
{
    uint64_t c = env->gpr[d->ra] & 0xFF, rb = RB;
    bool match = false;

    for (unsigned i = 0; i < 64; i += 8) {
        match |= ((rb >> i) & 0xFF) == c;
    }
    set_cr_field(env, d->f1, match ? 4 : 0);
    return next_insn(env, run, d + 1);
}

/* isel RT,RA,RB,BC: RT = CR[BC] ? (RA|0) : RB. BC is in f1. */
INTERP_OP(op_isel)
{
    env->gpr[d->rt] = cr_bit(env, d->f1) ? reg_or_zero(env, d->ra) : RB;
    return next_insn(env, run, d + 1);
}

/* setb RT,BFA: -1 if CR[BFA].LT, else 1 if CR[BFA].GT, else 0. */
INTERP_OP(op_setb)
{
    uint32_t field = (env->cr >> (28 - 4 * d->f1)) & 0xF;
    env->gpr[d->rt] = (field & 8) ? ~0ULL : (field & 4) ? 1 : 0;
    return next_insn(env, run, d + 1);
}

/* mcrxrx BF: CR[BF] = OV || OV32 || CA || CA32. */
INTERP_OP(op_mcrxrx)
{
    uint64_t xer = env->xer;
    uint32_t v = ((xer & XER_OV) ? 8 : 0) | ((xer & XER_OV32) ? 4 : 0) |
                 ((xer & XER_CA) ? 2 : 0) | ((xer & XER_CA32) ? 1 : 0);
    set_cr_field(env, d->f1, v);
    return next_insn(env, run, d + 1);
}

#undef RS
#undef RB

/* ---- decoding ---- */

static bool decode_immediate(PPCInsn *d, uint32_t insn)
{
    uint64_t ui = insn_ui(insn);

    switch (insn_opcd(insn)) {
    case 24:    /* ori (ori 0,0,0 is the preferred nop) */
        d->imm = (int64_t)ui;
        d->fn = (ui == 0 && d->rt == d->ra) ? op_nop : op_ori;
        return true;
    case 25:    /* oris */
        d->imm = (int64_t)(ui << 16);
        d->fn = op_ori;
        return true;
    case 26:    /* xori */
        d->imm = (int64_t)ui;
        d->fn = op_xori;
        return true;
    case 27:    /* xoris */
        d->imm = (int64_t)(ui << 16);
        d->fn = op_xori;
        return true;
    case 28:    /* andi. */
        d->imm = (int64_t)ui;
        d->fn = op_andi_rc;
        return true;
    case 29:    /* andis. */
        d->imm = (int64_t)(ui << 16);
        d->fn = op_andi_rc;
        return true;
    case 11:    /* cmpi BF,L,RA,SI */
        d->f1 = insn_bf(insn);
        d->fn = (insn & PPC_BIT32(10)) ? op_cmpdi : op_cmpwi;
        return true;
    case 10:    /* cmpli BF,L,RA,UI */
        d->f1 = insn_bf(insn);
        d->imm = (int64_t)ui;
        d->fn = (insn & PPC_BIT32(10)) ? op_cmpldi : op_cmplwi;
        return true;
    default:
        return false;
    }
}

/* X-form instructions whose Rc bit selects the recording variant. */
static PPCHandler decode_x_logic_rc(const PPCInsn *d, unsigned xo)
{
    switch (xo) {
    case 28:  return SELECT_RC(d, op_and);
    case 444: return SELECT_RC(d, op_or);
    case 316: return SELECT_RC(d, op_xor);
    case 476: return SELECT_RC(d, op_nand);
    case 124: return SELECT_RC(d, op_nor);
    case 284: return SELECT_RC(d, op_eqv);
    case 60:  return SELECT_RC(d, op_andc);
    case 412: return SELECT_RC(d, op_orc);
    case 954: return SELECT_RC(d, op_extsb);
    case 922: return SELECT_RC(d, op_extsh);
    case 986: return SELECT_RC(d, op_extsw);
    case 26:  return SELECT_RC(d, op_cntlzw);
    case 58:  return SELECT_RC(d, op_cntlzd);
    case 538: return SELECT_RC(d, op_cnttzw);
    case 570: return SELECT_RC(d, op_cnttzd);
    default:  return NULL;
    }
}

/* X-form instructions without a record form (Rc must be 0). */
static PPCHandler decode_x_logic_norc(PPCInsn *d, uint32_t insn, unsigned xo)
{
    switch (xo) {
    case 122: return op_popcntb;
    case 378: return op_popcntw;
    case 506: return op_popcntd;
    case 154: return op_prtyw;
    case 186: return op_prtyd;
    case 508: return op_cmpb;
    case 252: return op_bpermd;
    case 0:     /* cmp BF,L,RA,RB */
        d->f1 = insn_bf(insn);
        return (insn & PPC_BIT32(10)) ? op_cmpd : op_cmpw;
    case 32:    /* cmpl */
        d->f1 = insn_bf(insn);
        return (insn & PPC_BIT32(10)) ? op_cmpld : op_cmplw;
    case 192:   /* cmprb BF,L,RA,RB */
        d->f1 = insn_bf(insn);
        d->f2 = (insn & PPC_BIT32(10)) != 0;
        return op_cmprb;
    case 224:   /* cmpeqb BF,RA,RB */
        d->f1 = insn_bf(insn);
        return op_cmpeqb;
    case 128:   /* setb RT,BFA */
        d->f1 = (insn >> 18) & 7;
        return op_setb;
    case 576:   /* mcrxrx BF */
        d->f1 = insn_bf(insn);
        return op_mcrxrx;
    default:
        return NULL;
    }
}

bool interp_decode_logic(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    unsigned xo = insn_xo10(insn);
    PPCHandler fn;

    if (insn_opcd(insn) != 31) {
        return decode_immediate(d, insn);
    }
    if ((xo & 0x1F) == 15) {        /* isel: A-form, BC in bits 21:25 */
        d->f1 = (insn >> 6) & 31;
        d->fn = op_isel;
        return true;
    }
    fn = decode_x_logic_rc(d, xo);
    if (!fn && !d->rc) {
        fn = decode_x_logic_norc(d, insn, xo);
    }
    if (fn) {
        d->fn = fn;
    }
    return fn != NULL;
}
