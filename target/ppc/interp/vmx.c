/*
 * VMX (Altivec) register moves: lvx/lvxl, stvx/stvxl, mfvscr, mtvscr.
 *
 * Why only these: Linux 6.1 copies pages with copypage_power7, which
 * enables kernel VMX (enter_vmx_ops sets MSR[VEC] without looking at
 * CPU_FTR_ALTIVEC) and moves 128 bytes at a time through vector registers
 * with lvx/stvx; its context switch saves and restores them with the same
 * instructions plus mfvscr/mtvscr. Vector arithmetic stays unemulated (an
 * illegal instruction with MSR[VEC] on), and the device tree does not
 * advertise Altivec, so nothing else in the kernel or user space uses it.
 *
 * lvx/stvx (Book I 6.7.2) ignore the low 4 bits of the EA; the quadword is
 * never misaligned and never crosses a page. In little-endian mode the
 * element order is reversed, which for whole-register moves means the
 * bytes are reversed: a stvx of what lvx loaded always writes the same
 * bytes back, in either mode.
 */
#include "interp-internal.h"

#define VX_QUAD 16

static inline uint64_t vx_ea(const CPUPPCState *env, const PPCRun *run,
                             const PPCInsn *d)
{
    return (reg_or_zero(env, d->ra) + env->gpr[d->rb]) & run->ea_mask &
           ~(uint64_t)(VX_QUAD - 1);
}

static ALWAYS_INLINE PPCInsn *do_lvx(CPUPPCState *env, PPCRun *run,
                                     PPCInsn *d, bool le)
{
    uint8_t *p;

    if (!(env->msr & MSR_VEC)) {
        return interp_raise(env, run, d, EXCP_VEC_UNAVAIL, 0);
    }
    p = mem_ptr(env, run, d, vx_ea(env, run, d), VX_QUAD, PPC_ACCESS_LOAD);
    if (!p) {
        return NULL;
    }
    for (int i = 0; i < VX_QUAD; i++) {
        env->vr[d->rt][i] = __atomic_load_n(&p[le ? VX_QUAD - 1 - i : i],
                                            __ATOMIC_RELAXED);
    }
    return d + 1;
}

static ALWAYS_INLINE PPCInsn *do_stvx(CPUPPCState *env, PPCRun *run,
                                      PPCInsn *d, bool le)
{
    uint8_t *p;

    if (!(env->msr & MSR_VEC)) {
        return interp_raise(env, run, d, EXCP_VEC_UNAVAIL, 0);
    }
    p = mem_ptr(env, run, d, vx_ea(env, run, d), VX_QUAD, PPC_ACCESS_STORE);
    if (!p) {
        return NULL;
    }
    for (int i = 0; i < VX_QUAD; i++) {
        __atomic_store_n(&p[le ? VX_QUAD - 1 - i : i], env->vr[d->rt][i],
                         __ATOMIC_RELAXED);
    }
    return store_done(env, run, d, p, VX_QUAD);
}

INTERP_OP(op_lvx_be) { return do_lvx(env, run, d, false); }
INTERP_OP(op_lvx_le) { return do_lvx(env, run, d, true); }
INTERP_OP(op_stvx_be) { return do_stvx(env, run, d, false); }
INTERP_OP(op_stvx_le) { return do_stvx(env, run, d, true); }

/* mfvscr: VRT = 0 || VSCR (word element 3, Book I 6.8.2) */
INTERP_OP(op_mfvscr)
{
    if (!(env->msr & MSR_VEC)) {
        return interp_raise(env, run, d, EXCP_VEC_UNAVAIL, 0);
    }
    memset(env->vr[d->rt], 0, VX_QUAD);
    for (int i = 0; i < 4; i++) {
        env->vr[d->rt][12 + i] = (uint8_t)(env->vscr >> (24 - 8 * i));
    }
    return d + 1;
}

/* mtvscr: VSCR = word element 3 of VRB */
INTERP_OP(op_mtvscr)
{
    const uint8_t *b;

    if (!(env->msr & MSR_VEC)) {
        return interp_raise(env, run, d, EXCP_VEC_UNAVAIL, 0);
    }
    b = env->vr[d->rb];
    env->vscr = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) |
                ((uint32_t)b[14] << 8) | b[15];
    return d + 1;
}

#define XO_LVX      103
#define XO_LVXL     359
#define XO_STVX     231
#define XO_STVXL    487
#define VXO_MFVSCR  1540
#define VXO_MTVSCR  1604

bool interp_decode_vmx(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    switch (insn_opcd(insn)) {
    case 31:
        if (d->rc) {
            return false;
        }
        switch (insn_xo10(insn)) {
        case XO_LVX:
        case XO_LVXL:   /* the "last use" hint changes nothing here */
            d->fn = ctx->le ? op_lvx_le : op_lvx_be;
            return true;
        case XO_STVX:
        case XO_STVXL:
            d->fn = ctx->le ? op_stvx_le : op_stvx_be;
            return true;
        default:
            return false;
        }
    case 4:
        switch (insn & 0x7FF) {
        case VXO_MFVSCR:
            d->fn = (d->ra == 0 && d->rb == 0) ? op_mfvscr : interp_op_illegal;
            return true;
        case VXO_MTVSCR:
            d->fn = (d->rt == 0 && d->ra == 0) ? op_mtvscr : interp_op_illegal;
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}
