/*
 * Fixed-point arithmetic (Power ISA v3.0 Book I 3.3.9): add/subtract with
 * their carrying/extended forms, multiply, divide, modulo.
 *
 * Every XO-form instruction has a plain handler (OE=0, Rc=0: the common,
 * fast case) and a "flags" handler that honours OE and Rc at run time.
 * XER[CA]/[OV] are the carry out of / signed overflow of the 64-bit
 * operation, XER[CA32]/[OV32] the same for the low 32 bits (3.3.9); in
 * 32-bit mode CA and OV follow CA32 and OV32 (set_xer_ca/set_xer_ov).
 */
#include "interp-internal.h"

typedef unsigned __int128 uint128_t;
typedef __int128 int128_t;

/*
 * a + b + cin (cin 0 or 1): the sum, its carry out of bit 0 in @ca and
 * out of bit 32 (the carry into bit 31, 3.3.9) in @ca32.
 */
static ALWAYS_INLINE uint64_t add3(uint64_t a, uint64_t b, uint64_t cin,
                                   bool *ca, bool *ca32)
{
    uint64_t partial, sum;

    *ca = __builtin_add_overflow(a, b, &partial);
    *ca |= __builtin_add_overflow(partial, cin, &sum);
    *ca32 = ((a ^ b ^ sum) >> 32) & 1;
    return sum;
}

/*
 * RT = a + b + cin, with optional CA/CA32 update, and OV/OV32 and CR0
 * as the instruction's OE and Rc bits ask. subf and friends pass ~RA.
 */
static ALWAYS_INLINE void add_generic(CPUPPCState *env, const PPCInsn *d,
                                      uint64_t a, uint64_t b, uint64_t cin,
                                      bool set_ca)
{
    bool ca, ca32;
    uint64_t sum = add3(a, b, cin, &ca, &ca32);

    if (set_ca) {
        set_xer_ca(env, ca, ca32);
    }
    if (d->oe) {
        uint64_t ovf = (a ^ sum) & (b ^ sum);
        set_xer_ov(env, ovf >> 63, (ovf >> 31) & 1);
    }
    env->gpr[d->rt] = sum;
    if (d->rc) {
        set_cr0(env, sum);
    }
}

#define RA (env->gpr[d->ra])
#define RB (env->gpr[d->rb])

/* ---- add / subtract ---- */

INTERP_OP(op_add)
{
    env->gpr[d->rt] = RA + RB;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_add_flags)
{
    add_generic(env, d, RA, RB, 0, false);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_subf)
{
    env->gpr[d->rt] = RB - RA;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_subf_flags)
{
    add_generic(env, d, ~RA, RB, 1, false);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_neg)
{
    env->gpr[d->rt] = -RA;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_neg_flags)
{
    add_generic(env, d, ~RA, 0, 1, false);
    return next_insn(env, run, d + 1);
}

/*
 * The carrying forms: NAME honours OE, Rc and the mode at run time;
 * NAME_64 is the common case the decoder picks for a 64-bit page with
 * OE=0 and Rc=0, where CA is simply the carry out of bit 0.
 */
static ALWAYS_INLINE PPCInsn *add_carry64(CPUPPCState *env, PPCRun *run,
                                          PPCInsn *d, uint64_t a, uint64_t b,
                                          uint64_t cin)
{
    bool ca, ca32;
    uint64_t sum = add3(a, b, cin, &ca, &ca32);

    env->xer = (env->xer & ~(XER_CA | XER_CA32)) | (ca ? XER_CA : 0) |
               (ca32 ? XER_CA32 : 0);
    env->gpr[d->rt] = sum;
    return next_insn(env, run, d + 1);
}

#define DEFINE_CARRYING(name, A, B, CIN)                                    \
    INTERP_OP(op_##name)                                                    \
    {                                                                       \
        add_generic(env, d, A, B, CIN, true);                               \
        return next_insn(env, run, d + 1);                                  \
    }                                                                       \
    INTERP_OP(op_##name##_64)                                               \
    {                                                                       \
        return add_carry64(env, run, d, A, B, CIN);                         \
    }

DEFINE_CARRYING(addc, RA, RB, 0)
DEFINE_CARRYING(adde, RA, RB, xer_ca(env))
DEFINE_CARRYING(addme, RA, ~0ULL, xer_ca(env))
DEFINE_CARRYING(addze, RA, 0, xer_ca(env))
DEFINE_CARRYING(subfc, ~RA, RB, 1)
DEFINE_CARRYING(subfe, ~RA, RB, xer_ca(env))
DEFINE_CARRYING(subfme, ~RA, ~0ULL, xer_ca(env))
DEFINE_CARRYING(subfze, ~RA, 0, xer_ca(env))

/* addex RT,RA,RB,0 (3.3.9): add with OV used as the carry in and out. */
INTERP_OP(op_addex)
{
    bool carry, carry32;
    uint64_t sum = add3(RA, RB, (env->xer & XER_OV) ? 1 : 0, &carry, &carry32);

    if (!(env->msr & MSR_SF)) {
        carry = carry32;
    }
    /* OV is the carry here: it does not set SO. */
    env->xer = (env->xer & ~(XER_OV | XER_OV32)) |
               (carry ? XER_OV : 0) | (carry32 ? XER_OV32 : 0);
    env->gpr[d->rt] = sum;
    return next_insn(env, run, d + 1);
}

/* ---- immediate forms ---- */

INTERP_OP(op_addi)
{
    env->gpr[d->rt] = RA + d->imm;
    return next_insn(env, run, d + 1);
}

/* addi/addis with RA=0 (li, lis), and addpcis (value fixed at decode). */
INTERP_OP(op_li)
{
    env->gpr[d->rt] = d->imm;
    return next_insn(env, run, d + 1);
}

/* addic / addic.: CA is always set. */
INTERP_OP(op_addic)
{
    add_generic(env, d, RA, d->imm, 0, true);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_subfic)
{
    add_generic(env, d, ~RA, d->imm, 1, true);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_mulli)
{
    env->gpr[d->rt] = RA * (uint64_t)d->imm;
    return next_insn(env, run, d + 1);
}

/* ---- multiply ---- */

static ALWAYS_INLINE PPCInsn *finish(CPUPPCState *env, PPCRun *run,
                                     PPCInsn *d, uint64_t result)
{
    env->gpr[d->rt] = result;
    if (d->rc) {
        set_cr0(env, result);
    }
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_mullw)
{
    env->gpr[d->rt] = (uint64_t)((int64_t)(int32_t)RA * (int32_t)RB);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_mullw_flags)
{
    int64_t prod = (int64_t)(int32_t)RA * (int32_t)RB;

    if (d->oe) {
        bool ov = prod != (int32_t)prod;
        set_xer_ov(env, ov, ov);
    }
    return finish(env, run, d, (uint64_t)prod);
}

INTERP_OP(op_mulld)
{
    env->gpr[d->rt] = RA * RB;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_mulld_flags)
{
    int64_t prod;
    bool ov = __builtin_mul_overflow((int64_t)RA, (int64_t)RB, &prod);

    if (d->oe) {
        set_xer_ov(env, ov, ov);
    }
    return finish(env, run, d, RA * RB);
}

/* High words: RT[0:31] is undefined by the ISA; we leave it zero. */
INTERP_OP(op_mulhw)
{
    int64_t prod = (int64_t)(int32_t)RA * (int32_t)RB;
    return finish(env, run, d, (uint32_t)((uint64_t)prod >> 32));
}

INTERP_OP(op_mulhwu)
{
    uint64_t prod = (uint64_t)(uint32_t)RA * (uint32_t)RB;
    return finish(env, run, d, prod >> 32);
}

INTERP_OP(op_mulhd)
{
    int128_t prod = (int128_t)(int64_t)RA * (int64_t)RB;
    return finish(env, run, d, (uint64_t)((uint128_t)prod >> 64));
}

INTERP_OP(op_mulhdu)
{
    uint128_t prod = (uint128_t)RA * RB;
    return finish(env, run, d, (uint64_t)(prod >> 64));
}

/* maddhd/maddhdu/maddld (VA-form, 3.3.9): RC is in the f1 field. */
INTERP_OP(op_maddld)
{
    env->gpr[d->rt] = RA * RB + env->gpr[d->f1];
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_maddhd)
{
    int128_t sum = (int128_t)(int64_t)RA * (int64_t)RB +
                   (int64_t)env->gpr[d->f1];
    env->gpr[d->rt] = (uint64_t)((uint128_t)sum >> 64);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_maddhdu)
{
    uint128_t sum = (uint128_t)RA * RB + env->gpr[d->f1];
    env->gpr[d->rt] = (uint64_t)(sum >> 64);
    return next_insn(env, run, d + 1);
}

/* ---- divide ---- */

/*
 * Common tail of the divides: when the quotient is undefined (divide by
 * zero, overflow) the result is 0, OV/OV32 are set if OE=1 (3.3.9), and
 * CR0 reflects the value written.
 */
static PPCInsn *divide_done(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                            uint64_t result, bool overflow)
{
    if (d->oe) {
        set_xer_ov(env, overflow, overflow);
    }
    return finish(env, run, d, overflow ? 0 : result);
}

INTERP_OP(op_divw)
{
    int32_t a = (int32_t)RA, b = (int32_t)RB;
    bool ov = b == 0 || (a == INT32_MIN && b == -1);
    return divide_done(env, run, d, ov ? 0 : (uint32_t)(a / b), ov);
}

INTERP_OP(op_divwu)
{
    uint32_t a = (uint32_t)RA, b = (uint32_t)RB;
    bool ov = b == 0;
    return divide_done(env, run, d, ov ? 0 : a / b, ov);
}

INTERP_OP(op_divd)
{
    int64_t a = (int64_t)RA, b = (int64_t)RB;
    bool ov = b == 0 || (a == INT64_MIN && b == -1);
    return divide_done(env, run, d, ov ? 0 : (uint64_t)(a / b), ov);
}

INTERP_OP(op_divdu)
{
    uint64_t a = RA, b = RB;
    bool ov = b == 0;
    return divide_done(env, run, d, ov ? 0 : a / b, ov);
}

/* divwe: (RA[32:63] || 0x00000000) / RB[32:63], quotient must fit 32 bits. */
INTERP_OP(op_divwe)
{
    int64_t a = (int64_t)((uint64_t)(uint32_t)RA << 32);
    int64_t b = (int32_t)RB;
    int64_t q = 0;
    bool ov = b == 0 || (a == INT64_MIN && b == -1);

    if (!ov) {
        q = a / b;
        ov = q != (int32_t)q;
    }
    return divide_done(env, run, d, (uint32_t)q, ov);
}

INTERP_OP(op_divweu)
{
    uint64_t a = (uint64_t)(uint32_t)RA << 32;
    uint64_t b = (uint32_t)RB;
    bool ov = b == 0 || (uint32_t)RA >= b;
    return divide_done(env, run, d, ov ? 0 : (uint32_t)(a / b), ov);
}

/* divde: (RA || 64 zeros) / RB, quotient must fit 64 bits. */
INTERP_OP(op_divde)
{
    int128_t a = (int128_t)((uint128_t)RA << 64);
    int128_t b = (int64_t)RB;
    int128_t q = 0;
    bool ov = b == 0 || (b == -1 && (int64_t)RA == INT64_MIN);

    if (!ov) {
        q = a / b;
        ov = q != (int64_t)q;
    }
    return divide_done(env, run, d, (uint64_t)q, ov);
}

INTERP_OP(op_divdeu)
{
    uint128_t a = (uint128_t)RA << 64;
    bool ov = RB == 0 || RA >= RB;
    return divide_done(env, run, d, ov ? 0 : (uint64_t)(a / RB), ov);
}

/* ---- modulo (3.3.9): undefined results are 0, no flags ---- */

INTERP_OP(op_modsw)
{
    int32_t a = (int32_t)RA, b = (int32_t)RB;
    bool undef = b == 0 || (a == INT32_MIN && b == -1);
    env->gpr[d->rt] = undef ? 0 : (uint64_t)(int64_t)(a % b);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_moduw)
{
    uint32_t a = (uint32_t)RA, b = (uint32_t)RB;
    env->gpr[d->rt] = b ? a % b : 0;
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_modsd)
{
    int64_t a = (int64_t)RA, b = (int64_t)RB;
    bool undef = b == 0 || (a == INT64_MIN && b == -1);
    env->gpr[d->rt] = undef ? 0 : (uint64_t)(a % b);
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_modud)
{
    env->gpr[d->rt] = RB ? RA % RB : 0;
    return next_insn(env, run, d + 1);
}

#undef RA
#undef RB

/* ---- decoding ---- */

/* XO-form instructions with OE (9-bit extended opcode). */
static bool decode_xo_form(PPCInsn *d, unsigned xo9, bool sf)
{
    bool plain = !d->oe && !d->rc;
    bool fast64 = plain && sf;

    switch (xo9) {
    case 266: d->fn = plain ? op_add : op_add_flags; return true;
    case 40:  d->fn = plain ? op_subf : op_subf_flags; return true;
    case 104: d->fn = plain ? op_neg : op_neg_flags; return true;
    case 10:  d->fn = fast64 ? op_addc_64 : op_addc; return true;
    case 138: d->fn = fast64 ? op_adde_64 : op_adde; return true;
    case 234: d->fn = fast64 ? op_addme_64 : op_addme; return true;
    case 202: d->fn = fast64 ? op_addze_64 : op_addze; return true;
    case 8:   d->fn = fast64 ? op_subfc_64 : op_subfc; return true;
    case 136: d->fn = fast64 ? op_subfe_64 : op_subfe; return true;
    case 232: d->fn = fast64 ? op_subfme_64 : op_subfme; return true;
    case 200: d->fn = fast64 ? op_subfze_64 : op_subfze; return true;
    case 235: d->fn = plain ? op_mullw : op_mullw_flags; return true;
    case 233: d->fn = plain ? op_mulld : op_mulld_flags; return true;
    case 491: d->fn = op_divw; return true;
    case 459: d->fn = op_divwu; return true;
    case 489: d->fn = op_divd; return true;
    case 457: d->fn = op_divdu; return true;
    case 427: d->fn = op_divwe; return true;
    case 395: d->fn = op_divweu; return true;
    case 425: d->fn = op_divde; return true;
    case 393: d->fn = op_divdeu; return true;
    default:  return false;
    }
}

/* X-form arithmetic without OE (10-bit extended opcode). */
static bool decode_x_form(PPCInsn *d, uint32_t insn)
{
    d->oe = 0;
    switch (insn_xo10(insn)) {
    case 75:  d->fn = op_mulhw; return true;
    case 11:  d->fn = op_mulhwu; return true;
    case 73:  d->fn = op_mulhd; return true;
    case 9:   d->fn = op_mulhdu; return true;
    case 779: d->fn = op_modsw; break;
    case 267: d->fn = op_moduw; break;
    case 777: d->fn = op_modsd; break;
    case 265: d->fn = op_modud; break;
    case 170:
        if ((insn >> 9) & 3) {      /* CY != 0 is reserved */
            return false;
        }
        d->fn = op_addex;
        break;
    default:
        return false;
    }
    return !d->rc;                  /* these have no record form */
}

/* addpcis RT,D (DX-form): RT = NIA + EXTS(D || 0x0000). */
static void decode_addpcis(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    uint32_t d0 = (insn >> 6) & 0x3FF, d1 = (insn >> 16) & 0x1F, d2 = insn & 1;
    int16_t dval = (int16_t)((d0 << 6) | (d1 << 1) | d2);
    uint64_t nia = (ctx->cia + 4) & (ctx->sf ? ~0ULL : 0xFFFFFFFFULL);

    d->imm = (int64_t)(nia + (uint64_t)((int64_t)dval * 65536));
    d->fn = op_li;
}

bool interp_decode_arith(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    switch (insn_opcd(insn)) {
    case 14:    /* addi */
        d->fn = d->ra ? op_addi : op_li;
        return true;
    case 15:    /* addis */
        d->imm = insn_si(insn) * 65536;
        d->fn = d->ra ? op_addi : op_li;
        return true;
    case 12:    /* addic */
    case 13:    /* addic. */
        d->oe = 0;
        d->rc = insn_opcd(insn) == 13;
        d->fn = op_addic;
        return true;
    case 8:     /* subfic */
        d->oe = d->rc = 0;
        d->fn = op_subfic;
        return true;
    case 7:     /* mulli */
        d->fn = op_mulli;
        return true;
    case 19:
        if (((insn >> 1) & 0x1F) == 2) {
            decode_addpcis(d, insn, ctx);
            return true;
        }
        return false;
    case 4:     /* VA-form integer multiply-add */
        d->f1 = (insn >> 6) & 31;
        switch (insn & 0x3F) {
        case 48: d->fn = op_maddhd; return true;
        case 49: d->fn = op_maddhdu; return true;
        case 51: d->fn = op_maddld; return true;
        default: return false;
        }
    case 31:
        return decode_xo_form(d, insn_xo9(insn), ctx->sf) || decode_x_form(d, insn);
    default:
        return false;
    }
}
