/*
 * Branch facility (Power ISA v3.0 Book I chapter 2): b, bc, bclr, bcctr,
 * bctar with their AA/LK forms, condition register logical instructions,
 * mcrf, mfcr/mfocrf, mtcrf/mtocrf.
 *
 * Relative and absolute targets are resolved at decode time (the decoded
 * page belongs to one effective address and mode), together with the slot
 * of the target when it lies in the same page, so a taken in-page branch
 * costs two checks (exit request, page still valid) and no lookup.
 *
 * BO (2.4): 0x10 ignore the CR bit; 0x08 the value the CR bit must have;
 * 0x04 do not decrement CTR; 0x02 branch if CTR == 0 (else != 0).
 */
#include "interp-internal.h"

#define BO_IGNORE_CR    0x10
#define BO_CR_VALUE     0x08
#define BO_KEEP_CTR     0x04
#define BO_CTR_ZERO     0x02

static inline void set_link(CPUPPCState *env, PPCRun *run, PPCInsn *d)
{
    env->lr = next_insn_addr(run, d);
}

/* Decrement CTR and test it (only bits 32:63 count in 32-bit mode). */
static inline bool ctr_condition(CPUPPCState *env, unsigned bo)
{
    uint64_t ctr = --env->ctr;

    if (!(env->msr & MSR_SF)) {
        ctr = (uint32_t)ctr;
    }
    return (ctr == 0) == ((bo & BO_CTR_ZERO) != 0);
}

/* The full BO semantics, for the less common forms. */
static inline bool bc_condition(CPUPPCState *env, unsigned bo, unsigned bi)
{
    bool ctr_ok = (bo & BO_KEEP_CTR) || ctr_condition(env, bo);
    bool cond_ok = (bo & BO_IGNORE_CR) ||
                   cr_bit(env, bi) == ((bo & BO_CR_VALUE) ? 1u : 0u);
    return ctr_ok && cond_ok;
}

/* ---- b / bc: target and in-page slot fixed at decode time ---- */

INTERP_OP(op_b)
{
    return branch_taken(env, run, d, d->target, d->slot);
}

INTERP_OP(op_bl)
{
    set_link(env, run, d);
    return branch_taken(env, run, d, d->target, d->slot);
}

/* bc testing one CR bit only (beq, bne, blt ...): f1 = BI, f2 = value. */
INTERP_OP(op_bc_cr)
{
    if (cr_bit(env, d->f1) == d->f2) {
        return branch_taken(env, run, d, d->target, d->slot);
    }
    return next_insn(env, run, d + 1);
}

/* bc with CTR decrement only (bdnz, bdz): f2 = BO. */
INTERP_OP(op_bc_ctr)
{
    if (ctr_condition(env, d->f2)) {
        return branch_taken(env, run, d, d->target, d->slot);
    }
    return next_insn(env, run, d + 1);
}

/* Any other bc/bcl: f1 = BI, f2 = BO, rc = LK. */
INTERP_OP(op_bc_generic)
{
    bool taken = bc_condition(env, d->f2, d->f1);

    if (d->rc) {
        set_link(env, run, d);
    }
    if (taken) {
        return branch_taken(env, run, d, d->target, d->slot);
    }
    return next_insn(env, run, d + 1);
}

/* ---- bclr / bcctr / bctar: computed targets ---- */

static inline PPCInsn *branch_to_reg(CPUPPCState *env, PPCRun *run,
                                     PPCInsn *d, uint64_t reg)
{
    uint64_t target = reg & ~3ULL & run->ea_mask;
    return branch_taken(env, run, d, target, local_slot(run, target));
}

/* blr: the common function return. */
INTERP_OP(op_blr)
{
    return branch_to_reg(env, run, d, env->lr);
}

/* bclr/bcctr/bctar in every form: f1 = BI, f2 = BO, rc = LK, ra = SPR. */
enum { BRANCH_REG_LR, BRANCH_REG_CTR, BRANCH_REG_TAR };

INTERP_OP(op_bc_reg)
{
    uint64_t reg;
    bool taken;

    switch (d->ra) {
    case BRANCH_REG_LR:
        reg = env->lr;
        break;
    case BRANCH_REG_CTR:
        reg = env->ctr;
        break;
    default:
        reg = run->st->tar;
        break;
    }
    /* Evaluated before LR is written: bclrl branches to the old LR. */
    taken = bc_condition(env, d->f2, d->f1);
    if (d->rc) {
        set_link(env, run, d);
    }
    if (taken) {
        return branch_to_reg(env, run, d, reg);
    }
    return next_insn(env, run, d + 1);
}

/* ---- condition register (2.5) ---- */

#define DEFINE_CR_LOGICAL(name, expr)                                       \
    INTERP_OP(op_##name)                                                    \
    {                                                                       \
        uint32_t a = cr_bit(env, d->ra), b = cr_bit(env, d->rb);            \
        uint32_t bit = 1u << (31 - d->rt);                                  \
        env->cr = ((expr) & 1) ? (env->cr | bit) : (env->cr & ~bit);        \
        return next_insn(env, run, d + 1);                                                       \
    }

DEFINE_CR_LOGICAL(crand, a & b)
DEFINE_CR_LOGICAL(cror, a | b)
DEFINE_CR_LOGICAL(crxor, a ^ b)
DEFINE_CR_LOGICAL(crnand, ~(a & b))
DEFINE_CR_LOGICAL(crnor, ~(a | b))
DEFINE_CR_LOGICAL(creqv, ~(a ^ b))
DEFINE_CR_LOGICAL(crandc, a & ~b)
DEFINE_CR_LOGICAL(crorc, a | ~b)

/* mcrf BF,BFA */
INTERP_OP(op_mcrf)
{
    set_cr_field(env, d->f1, env->cr >> (28 - 4 * d->f2));
    return next_insn(env, run, d + 1);
}

/* mfcr RT / mfocrf RT,FXM: d->mask selects the fields copied. */
INTERP_OP(op_mfcr)
{
    env->gpr[d->rt] = env->cr & d->mask;
    return next_insn(env, run, d + 1);
}

/* mtcrf FXM,RS / mtocrf */
INTERP_OP(op_mtcrf)
{
    uint32_t mask = (uint32_t)d->mask;
    env->cr = ((uint32_t)env->gpr[d->rt] & mask) | (env->cr & ~mask);
    return next_insn(env, run, d + 1);
}

/* ---- decoding ---- */

/* CR mask of the fields selected by FXM (bit 0x80 = CR0). */
static uint32_t fxm_mask(unsigned fxm)
{
    uint32_t mask = 0;

    for (unsigned f = 0; f < 8; f++) {
        if (fxm & (0x80u >> f)) {
            mask |= 0xF0000000u >> (4 * f);
        }
    }
    return mask;
}

static void set_target(PPCInsn *d, const PPCDecodeCtx *ctx, uint64_t target)
{
    if (!ctx->sf) {
        target = (uint32_t)target;
    }
    d->target = target;
    d->slot = local_slot(ctx->run, target);
}

/* b/ba/bl/bla (I-form) */
static void decode_b(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    int64_t li = (int32_t)(insn << 6) >> 6 & ~3;    /* EXTS(LI || 0b00) */
    bool aa = (insn >> 1) & 1, lk = insn & 1;

    set_target(d, ctx, (aa ? 0 : ctx->cia) + (uint64_t)li);
    d->fn = lk ? op_bl : op_b;
}

/* bc/bca/bcl/bcla (B-form) */
static void decode_bc(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    unsigned bo = d->rt, bi = d->ra;
    int64_t bd = (int16_t)(insn & 0xFFFC);
    bool aa = (insn >> 1) & 1, lk = insn & 1;

    set_target(d, ctx, (aa ? 0 : ctx->cia) + (uint64_t)bd);
    d->f1 = bi;
    d->f2 = bo;
    d->rc = lk;
    if (lk) {
        d->fn = op_bc_generic;
    } else if ((bo & (BO_IGNORE_CR | BO_KEEP_CTR)) ==
               (BO_IGNORE_CR | BO_KEEP_CTR)) {
        d->fn = op_b;                       /* branch always */
    } else if ((bo & (BO_IGNORE_CR | BO_KEEP_CTR)) == BO_KEEP_CTR) {
        d->f2 = (bo & BO_CR_VALUE) ? 1 : 0;
        d->fn = op_bc_cr;
    } else if ((bo & (BO_IGNORE_CR | BO_KEEP_CTR)) == BO_IGNORE_CR) {
        d->fn = op_bc_ctr;
    } else {
        d->fn = op_bc_generic;
    }
}

/* XL-form branches to LR/CTR/TAR */
static bool decode_bc_reg(PPCInsn *d, uint32_t insn, unsigned reg)
{
    unsigned bo = d->rt;

    if (reg != BRANCH_REG_LR && !(bo & BO_KEEP_CTR)) {
        return false;   /* bcctr/bctar decrementing CTR: invalid form */
    }
    if (reg == BRANCH_REG_LR && (bo & 0x14) == 0x14 && !(insn & 1)) {
        d->fn = op_blr;
        return true;
    }
    d->f1 = d->ra;
    d->f2 = bo;
    d->rc = insn & 1;
    d->ra = reg;
    d->fn = op_bc_reg;
    return true;
}

static bool decode_xl_form(PPCInsn *d, uint32_t insn)
{
    switch (insn_xo10(insn)) {
    case 16:  return decode_bc_reg(d, insn, BRANCH_REG_LR);
    case 528: return decode_bc_reg(d, insn, BRANCH_REG_CTR);
    case 560: return decode_bc_reg(d, insn, BRANCH_REG_TAR);
    case 257: d->fn = op_crand; return true;
    case 449: d->fn = op_cror; return true;
    case 193: d->fn = op_crxor; return true;
    case 225: d->fn = op_crnand; return true;
    case 33:  d->fn = op_crnor; return true;
    case 289: d->fn = op_creqv; return true;
    case 129: d->fn = op_crandc; return true;
    case 417: d->fn = op_crorc; return true;
    case 0:     /* mcrf BF,BFA */
        d->f1 = insn_bf(insn);
        d->f2 = (insn >> 18) & 7;
        d->fn = op_mcrf;
        return true;
    default:
        return false;
    }
}

/* mfcr/mfocrf (xo 19) and mtcrf/mtocrf (xo 144); bit 11 selects "o". */
static bool decode_cr_move(PPCInsn *d, uint32_t insn)
{
    unsigned xo = insn_xo10(insn), fxm = (insn >> 12) & 0xFF;
    bool one_field = (insn >> 20) & 1;

    if (xo == 19) {
        d->mask = one_field ? fxm_mask(fxm) : 0xFFFFFFFFu;
        d->fn = op_mfcr;
        return true;
    }
    if (xo == 144) {
        d->mask = fxm_mask(fxm);
        d->fn = op_mtcrf;
        return true;
    }
    return false;
}

bool interp_decode_branch(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    switch (insn_opcd(insn)) {
    case 18:
        decode_b(d, insn, ctx);
        return true;
    case 16:
        decode_bc(d, insn, ctx);
        return true;
    case 19:
        return decode_xl_form(d, insn);
    case 31:
        return !d->rc && decode_cr_move(d, insn);
    default:
        return false;
    }
}
