/*
 * Decoder front end: extracts the fields every form shares, offers the
 * instruction to each area's decoder, and classifies what nobody claimed.
 *
 * Floating-point, VMX and VSX instructions are not emulated (apart from
 * the FP loads and stores and the VMX register moves of vmx.c, which only
 * move bits): they raise the facility
 * unavailable interrupt when the facility is off (Book III 6.5.12-6.5.14),
 * so a guest that lazily enables FP/VMX/VSX works as on hardware, and an
 * illegal instruction interrupt when it is on.
 */
#include "interp-internal.h"

typedef enum Facility {
    FACILITY_NONE,
    FACILITY_FP,
    FACILITY_VEC,
    FACILITY_VSX,
} Facility;

INTERP_OP(op_fp_insn)
{
    if (!(env->msr & MSR_FP)) {
        return interp_raise(env, run, d, EXCP_FPU_UNAVAIL, 0);
    }
    return interp_op_illegal_insn(env, run, d);
}

INTERP_OP(op_vec_insn)
{
    if (!(env->msr & MSR_VEC)) {
        return interp_raise(env, run, d, EXCP_VEC_UNAVAIL, 0);
    }
    return interp_op_illegal_insn(env, run, d);
}

INTERP_OP(op_vsx_insn)
{
    if (!(env->msr & MSR_VSX)) {
        return interp_raise(env, run, d, EXCP_VSX_UNAVAIL, 0);
    }
    return interp_op_illegal_insn(env, run, d);
}

/* Primary opcode 31: VMX and VSX loads, stores and register moves. */
static Facility facility_of_x31(unsigned xo)
{
    switch (xo) {
    case 6: case 38:                    /* lvsl, lvsr */
    case 7: case 39: case 71:           /* lvebx, lvehx, lvewx */
    case 103: case 359:                 /* lvx, lvxl */
    case 135: case 167: case 199:       /* stvebx, stvehx, stvewx */
    case 231: case 487:                 /* stvx, stvxl */
        return FACILITY_VEC;
    case 12: case 76: case 140:         /* lxsiwzx, lxsiwax, stxsiwx */
    case 51: case 115: case 307:        /* mfvsrd, mfvsrwz, mfvsrld */
    case 179: case 211: case 243:       /* mtvsrd, mtvsrwa, mtvsrwz */
    case 403: case 435:                 /* mtvsrws, mtvsrdd */
    case 268: case 269: case 301:       /* lxvx, lxvl, lxvll */
    case 396: case 397: case 429:       /* stxvx, stxvl, stxvll */
    case 332: case 364:                 /* lxvdsx, lxvwsx */
    case 524: case 588: case 652: case 716:     /* lxsspx .. stxsdx */
    case 780: case 812: case 844: case 876:     /* lxvw4x .. lxvb16x */
    case 908: case 940: case 972: case 1004:    /* stxvw4x .. stxvb16x */
    case 781: case 813: case 909: case 941:     /* lxsibzx .. stxsihx */
        return FACILITY_VSX;
    case 791: case 919:                 /* lfdpx, stfdpx */
        return FACILITY_FP;
    default:
        return FACILITY_NONE;
    }
}

static Facility facility_of(uint32_t insn)
{
    switch (insn_opcd(insn)) {
    case 4:
        return FACILITY_VEC;
    case 59:
    case 63:
        return FACILITY_FP;
    case 60:
        return FACILITY_VSX;
    case 57:    /* lfdp | lxsd | lxssp */
    case 61:    /* stfdp | lxv/stxv | stxsd | stxssp */
        switch (insn & 3) {
        case 0:
            return FACILITY_FP;
        case 1:
            return FACILITY_VSX;
        default:
            return FACILITY_VEC;
        }
    case 31:
        return facility_of_x31(insn_xo10(insn));
    default:
        return FACILITY_NONE;
    }
}

/* Keep the word of an illegal instruction so that it can be reported. */
static void decode_illegal(PPCInsn *d, uint32_t insn)
{
    d->fn = interp_op_illegal_insn;
    d->target = insn;
}

void interp_decode(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    d->imm = insn_si(insn);
    d->slot = NULL;
    d->rt = insn_rt(insn);
    d->ra = insn_ra(insn);
    d->rb = insn_rb(insn);
    d->rc = insn_rc(insn);
    d->oe = insn_oe(insn);
    d->f1 = d->f2 = d->pad = 0;
    d->fn = interp_op_illegal;

    if (interp_decode_arith(d, insn, ctx) ||
        interp_decode_logic(d, insn, ctx) ||
        interp_decode_rotate(d, insn, ctx) ||
        interp_decode_branch(d, insn, ctx) ||
        interp_decode_loadstore(d, insn, ctx) ||
        interp_decode_storage(d, insn, ctx) ||
        interp_decode_system(d, insn, ctx) ||
        interp_decode_mmu(d, insn, ctx) ||
        interp_decode_vmx(d, insn, ctx)) {
        if (d->fn == interp_op_illegal) {   /* a claimed but invalid form */
            decode_illegal(d, insn);
        }
        return;
    }
    d->target = insn;   /* the facility handlers report it when illegal */
    switch (facility_of(insn)) {
    case FACILITY_FP:
        d->fn = op_fp_insn;
        break;
    case FACILITY_VEC:
        d->fn = op_vec_insn;
        break;
    case FACILITY_VSX:
        d->fn = op_vsx_insn;
        break;
    case FACILITY_NONE:
        decode_illegal(d, insn);
        break;
    }
}
