/*
 * Fixed-point rotate and shift instructions (Power ISA v3.0 Book I
 * 3.3.14): rlwinm/rlwnm/rlwimi, rldicl/rldicr/rldic/rldimi/rldcl/rldcr,
 * slw/srw/sraw/srawi, sld/srd/srad/sradi, extswsli.
 *
 * Masks are computed at decode time when MB/ME are immediate. The 32-bit
 * rotates rotate the low word replicated into both halves (ROTL32), so a
 * wrapping mask (MB > ME) exposes the rotated word in the high half too.
 * Algebraic right shifts set CA and CA32 when the source is negative and
 * any 1 bits were shifted out.
 */
#include "interp-internal.h"

#define RS (env->gpr[d->rt])
#define RB (env->gpr[d->rb])

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

/* ROTL32: rotate of the low word doubled into a doubleword. */
static inline uint64_t rotl32(uint64_t x, unsigned n)
{
    uint64_t w = (uint32_t)x;
    return rotl64(w | (w << 32), n & 31);
}

/* MASK(mb, me) in IBM bit numbering; wraps around when mb > me. */
static uint64_t ppc_mask(unsigned mb, unsigned me)
{
    uint64_t from_mb = ~0ULL >> mb;             /* bits mb..63 */
    uint64_t to_me = ~0ULL << (63 - me);        /* bits 0..me */
    return mb <= me ? (from_mb & to_me) : (from_mb | to_me);
}

/* f1 holds the immediate shift or rotate amount. */
static inline uint64_t calc_rlwinm(CPUPPCState *env, const PPCInsn *d)
{
    return rotl32(RS, d->f1) & d->mask;
}

static inline uint64_t calc_rlwnm(CPUPPCState *env, const PPCInsn *d)
{
    return rotl32(RS, RB & 31) & d->mask;
}

static inline uint64_t calc_rlwimi(CPUPPCState *env, const PPCInsn *d)
{
    return (rotl32(RS, d->f1) & d->mask) | (env->gpr[d->ra] & ~d->mask);
}

static inline uint64_t calc_rldic(CPUPPCState *env, const PPCInsn *d)
{
    return rotl64(RS, d->f1) & d->mask;
}

static inline uint64_t calc_rldc(CPUPPCState *env, const PPCInsn *d)
{
    return rotl64(RS, RB & 63) & d->mask;
}

static inline uint64_t calc_rldimi(CPUPPCState *env, const PPCInsn *d)
{
    return (rotl64(RS, d->f1) & d->mask) | (env->gpr[d->ra] & ~d->mask);
}

/* slw/srw: shift amounts 32..63 give 0 (RB[58:63]). */
static inline uint64_t calc_slw(CPUPPCState *env, const PPCInsn *d)
{
    unsigned n = RB & 63;
    return n < 32 ? (uint32_t)(RS << n) : 0;
}

static inline uint64_t calc_srw(CPUPPCState *env, const PPCInsn *d)
{
    unsigned n = RB & 63;
    return n < 32 ? (uint32_t)RS >> n : 0;
}

/* sld/srd: shift amounts 64..127 give 0 (RB[57:63]). */
static inline uint64_t calc_sld(CPUPPCState *env, const PPCInsn *d)
{
    unsigned n = RB & 127;
    return n < 64 ? RS << n : 0;
}

static inline uint64_t calc_srd(CPUPPCState *env, const PPCInsn *d)
{
    unsigned n = RB & 127;
    return n < 64 ? RS >> n : 0;
}

/* Algebraic right shift of the 32-bit word by n (0..63), setting CA. */
static uint64_t shift_right_algebraic_word(CPUPPCState *env, uint64_t rs,
                                           unsigned n)
{
    int32_t w = (int32_t)rs;
    int64_t r;
    bool lost_ones;

    if (n < 32) {
        r = w >> n;
        lost_ones = n && ((uint32_t)w << (32 - n)) != 0;
    } else {
        r = w < 0 ? -1 : 0;
        lost_ones = w != 0;
    }
    bool ca = w < 0 && lost_ones;
    set_xer_ca(env, ca, ca);
    return (uint64_t)r;
}

/* Algebraic right shift of the doubleword by n (0..127), setting CA. */
static uint64_t shift_right_algebraic_dword(CPUPPCState *env, uint64_t rs,
                                            unsigned n)
{
    int64_t v = (int64_t)rs;
    int64_t r;
    bool lost_ones;

    if (n < 64) {
        r = v >> n;
        lost_ones = n && (rs << (64 - n)) != 0;
    } else {
        r = v < 0 ? -1 : 0;
        lost_ones = v != 0;
    }
    bool ca = v < 0 && lost_ones;
    /* CA32 is set like CA for algebraic shifts (3.3.14.2). */
    env->xer = (env->xer & ~(XER_CA | XER_CA32)) | (ca ? XER_CA | XER_CA32 : 0);
    return (uint64_t)r;
}

static inline uint64_t calc_sraw(CPUPPCState *env, const PPCInsn *d)
{
    return shift_right_algebraic_word(env, RS, RB & 63);
}

static inline uint64_t calc_srawi(CPUPPCState *env, const PPCInsn *d)
{
    return shift_right_algebraic_word(env, RS, d->f1);
}

static inline uint64_t calc_srad(CPUPPCState *env, const PPCInsn *d)
{
    return shift_right_algebraic_dword(env, RS, RB & 127);
}

static inline uint64_t calc_sradi(CPUPPCState *env, const PPCInsn *d)
{
    return shift_right_algebraic_dword(env, RS, d->f1);
}

/* extswsli: sign-extend the low word, then shift left by SH (0..63). */
static inline uint64_t calc_extswsli(CPUPPCState *env, const PPCInsn *d)
{
    return (uint64_t)(int64_t)(int32_t)RS << d->f1;
}

DEFINE_TO_RA(rlwinm)
DEFINE_TO_RA(rlwnm)
DEFINE_TO_RA(rlwimi)
DEFINE_TO_RA(rldic)
DEFINE_TO_RA(rldc)
DEFINE_TO_RA(rldimi)
DEFINE_TO_RA(slw)
DEFINE_TO_RA(srw)
DEFINE_TO_RA(sld)
DEFINE_TO_RA(srd)
DEFINE_TO_RA(sraw)
DEFINE_TO_RA(srawi)
DEFINE_TO_RA(srad)
DEFINE_TO_RA(sradi)
DEFINE_TO_RA(extswsli)

#undef RS
#undef RB

/* ---- decoding ---- */

/* M-form: rlwinm (21), rlwnm (23), rlwimi (20). */
static void decode_m_form(PPCInsn *d, uint32_t insn)
{
    unsigned mb = (insn >> 6) & 31, me = (insn >> 1) & 31;

    d->f1 = d->rb;      /* SH for the immediate forms */
    d->mask = ppc_mask(mb + 32, me + 32);
    switch (insn_opcd(insn)) {
    case 20:
        d->fn = SELECT_RC(d, op_rlwimi);
        break;
    case 21:
        d->fn = SELECT_RC(d, op_rlwinm);
        break;
    default:
        d->fn = SELECT_RC(d, op_rlwnm);
        break;
    }
}

/*
 * MD/MDS-form (primary 30). The 6-bit SH is sh[0:4] (bits 16:20) || sh5
 * (bit 30); the 6-bit MB/ME field (bits 21:26) is stored rotated: its low
 * bit is the most significant bit of the value.
 */
static bool decode_md_form(PPCInsn *d, uint32_t insn)
{
    unsigned sh = d->rb | (((insn >> 1) & 1) << 5);
    unsigned field = (insn >> 5) & 63;
    unsigned mbe = ((field & 1) << 5) | (field >> 1);

    d->f1 = sh;
    switch ((insn >> 2) & 7) {
    case 0:     /* rldicl */
        d->mask = ppc_mask(mbe, 63);
        d->fn = SELECT_RC(d, op_rldic);
        return true;
    case 1:     /* rldicr */
        d->mask = ppc_mask(0, mbe);
        d->fn = SELECT_RC(d, op_rldic);
        return true;
    case 2:     /* rldic */
        d->mask = ppc_mask(mbe, 63 - sh);
        d->fn = SELECT_RC(d, op_rldic);
        return true;
    case 3:     /* rldimi */
        d->mask = ppc_mask(mbe, 63 - sh);
        d->fn = SELECT_RC(d, op_rldimi);
        return true;
    case 4:     /* MDS-form: rldcl (8) / rldcr (9) in bits 27:30 */
        switch ((insn >> 1) & 15) {
        case 8:
            d->mask = ppc_mask(mbe, 63);
            d->fn = SELECT_RC(d, op_rldc);
            return true;
        case 9:
            d->mask = ppc_mask(0, mbe);
            d->fn = SELECT_RC(d, op_rldc);
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}

static bool decode_x_shift(PPCInsn *d, uint32_t insn)
{
    unsigned xo = insn_xo10(insn);

    switch (xo) {
    case 24:  d->fn = SELECT_RC(d, op_slw); return true;
    case 536: d->fn = SELECT_RC(d, op_srw); return true;
    case 792: d->fn = SELECT_RC(d, op_sraw); return true;
    case 27:  d->fn = SELECT_RC(d, op_sld); return true;
    case 539: d->fn = SELECT_RC(d, op_srd); return true;
    case 794: d->fn = SELECT_RC(d, op_srad); return true;
    case 824:   /* srawi RA,RS,SH */
        d->f1 = d->rb;
        d->fn = SELECT_RC(d, op_srawi);
        return true;
    default:
        break;
    }
    /* XS-form: 9-bit XO in bits 21:29, sh5 in bit 30. */
    switch (xo >> 1) {
    case 413:   /* sradi */
        d->f1 = d->rb | ((xo & 1) << 5);
        d->fn = SELECT_RC(d, op_sradi);
        return true;
    case 445:   /* extswsli */
        d->f1 = d->rb | ((xo & 1) << 5);
        d->fn = SELECT_RC(d, op_extswsli);
        return true;
    default:
        return false;
    }
}

bool interp_decode_rotate(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    switch (insn_opcd(insn)) {
    case 20:
    case 21:
    case 23:
        decode_m_form(d, insn);
        return true;
    case 30:
        return decode_md_form(d, insn);
    case 31:
        return decode_x_shift(d, insn);
    default:
        return false;
    }
}
