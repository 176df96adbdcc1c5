/*
 * Block compiler, one guest instruction at a time: x86-64 code for the
 * fixed-point and LR/CTR instructions that make up most of what a kernel
 * runs, in 64-bit mode, with the same results as the interpreter's
 * handlers (the differential tests, test-interp-jit*, hold the two
 * together); loads and stores are jit-mem.c's. Register use and the
 * guest-register cache: jit.h.
 */
#include "jit.h"

#include <stddef.h>

/* ---- small pieces ---- */

/* r &= mask, through r9 when the mask is no sign-extended imm32. */
static void and_mask(X86Emit *e, X86Reg r, uint64_t mask)
{
    if (mask == ~0ULL) {
        return;
    }
    if ((int64_t)mask == (int32_t)mask) {
        x86_alu_imm(e, ALU_AND, r, (int32_t)mask);
    } else {
        x86_mov_imm(e, R9, mask);
        x86_alu_rr(e, ALU_AND, r, R9);
    }
}

/* r op= zero-extended @imm (the logical immediates). */
static void alu_uimm(X86Emit *e, X86Alu op, X86Reg r, uint32_t imm)
{
    if (imm <= 0x7FFFFFFFu) {
        x86_alu_imm(e, op, r, (int32_t)imm);
    } else {
        x86_mov_imm(e, R9, imm);
        x86_alu_rr(e, op, r, R9);
    }
}

/*
 * CR field @bf from the flags of the compare just made: LT, GT, EQ
 * (signed or unsigned reading of the flags) and a copy of XER[SO].
 */
static void cr_field_from_flags(X86Emit *e, unsigned bf, bool is_signed)
{
    unsigned shift = 28 - 4 * bf;

    x86_mov_imm(e, R8, 2);              /* mov does not touch the flags */
    x86_mov_imm(e, R9, 4);
    x86_cmov(e, is_signed ? CC_G : CC_A, R8, R9);
    x86_mov_imm(e, R9, 8);
    x86_cmov(e, is_signed ? CC_L : CC_B, R8, R9);
    jit_load(e, R9, JIT_XER);
    x86_shift_imm(e, true, SH_SHR, R9, 31);         /* XER[SO] */
    x86_alu32_imm(e, ALU_AND, R9, 1);
    x86_alu_rr(e, ALU_OR, R8, R9);
    if (shift) {
        x86_shift_imm(e, false, SH_SHL, R8, shift);
    }
    x86_load32(e, R9, RDI, ENV(cr));
    x86_alu32_imm(e, ALU_AND, R9, (int32_t)~(0xFu << shift));
    x86_alu32_rr(e, ALU_OR, R9, R8);
    x86_store32(e, R9, RDI, ENV(cr));
}

/* Rc=1: CR0 from the 64-bit result in rax (set_cr0 in 64-bit mode). */
static void cr0_from_rax(X86Emit *e)
{
    x86_test_rr(e, RAX, RAX);
    cr_field_from_flags(e, 0, true);
}

/* rax = ROTL32(low word of rax, n): the word doubled, then rotated. */
static void rotl32_rax(X86Emit *e, unsigned n)
{
    x86_zext32(e, RAX, RAX);
    x86_mov_rr(e, RCX, RAX);
    x86_shift_imm(e, true, SH_SHL, RCX, 32);
    x86_alu_rr(e, ALU_OR, RAX, RCX);
    if (n & 31) {
        x86_shift_imm(e, true, SH_ROL, RAX, n & 31);
    }
}

/* ---- add/subtract with carry ---- */

typedef enum { CIN_ZERO, CIN_ONE, CIN_CA } CarryIn;
typedef enum { B_REG, B_ZERO, B_ONES, B_IMM } AddendB;

/*
 * RT = (~)RA + b + cin with XER[CA] (carry out of bit 0) and XER[CA32]
 * (bit 32 of a ^ b ^ sum), as add3() and add_carry64() compute them.
 */
static void emit_carrying(X86Emit *e, unsigned rt, unsigned ra, bool not_a,
                          AddendB bkind, unsigned rb, int32_t imm, CarryIn cin)
{
    jit_load(e, RAX, ra);
    if (not_a) {
        x86_group3(e, 2, RAX);                      /* not */
    }
    switch (bkind) {
    case B_REG:  jit_load(e, RCX, rb); break;
    case B_ZERO: x86_mov_imm(e, RCX, 0); break;
    case B_ONES: x86_mov_imm(e, RCX, ~0ULL); break;
    case B_IMM:  x86_mov_imm(e, RCX, (uint64_t)(int64_t)imm); break;
    }
    x86_mov_rr(e, R8, RAX);
    x86_alu_rr(e, ALU_XOR, R8, RCX);                /* a ^ b */
    switch (cin) {
    case CIN_ZERO:
        x86_alu_rr(e, ALU_ADD, RAX, RCX);
        break;
    case CIN_ONE:
        x86_byte(e, 0xF9);                          /* stc */
        x86_alu_rr(e, ALU_ADC, RAX, RCX);
        break;
    case CIN_CA:
        jit_load(e, R9, JIT_XER);
        x86_bt_imm(e, R9, 29);                      /* CF = XER[CA] */
        x86_alu_rr(e, ALU_ADC, RAX, RCX);
        break;
    }
    x86_alu_rr(e, ALU_SBB, R9, R9);                 /* -carry */
    x86_alu32_imm(e, ALU_AND, R9, (int32_t)XER_CA);
    x86_alu_rr(e, ALU_XOR, R8, RAX);
    x86_shift_imm(e, true, SH_SHR, R8, 32 - 18);    /* bit 32 -> CA32 */
    x86_alu32_imm(e, ALU_AND, R8, (int32_t)XER_CA32);
    x86_alu_rr(e, ALU_OR, R9, R8);
    jit_load(e, RCX, JIT_XER);
    x86_alu_imm(e, ALU_AND, RCX, (int32_t)~(XER_CA | XER_CA32));
    x86_alu_rr(e, ALU_OR, RCX, R9);
    jit_store(e, RCX, JIT_XER);
    jit_store(e, RAX, rt);
}

/* ---- fixed-point ---- */

static bool emit_compare(X86Emit *e, uint32_t insn, bool with_rb, bool is_signed)
{
    unsigned bf = (insn >> 23) & 7, ra = F_RA(insn);
    bool l = (insn >> 21) & 1;

    jit_load(e, RAX, ra);
    if (!l) {
        (is_signed ? x86_sext32 : x86_zext32)(e, RAX, RAX);
    }
    if (with_rb) {
        unsigned rb = F_RB(insn);
        jit_load(e, RCX, rb);
        if (!l) {
            (is_signed ? x86_sext32 : x86_zext32)(e, RCX, RCX);
        }
        x86_alu_rr(e, ALU_CMP, RAX, RCX);
    } else {
        x86_alu_imm(e, ALU_CMP, RAX, is_signed ? F_SIMM(insn)
                                               : (int32_t)F_UIMM(insn));
    }
    cr_field_from_flags(e, bf, is_signed);
    return true;
}

/* MASK(mb, me) in IBM bit numbering (ppc_mask in rotate.c). */
static uint64_t mask64(unsigned mb, unsigned me)
{
    uint64_t from_mb = ~0ULL >> mb, to_me = ~0ULL << (63 - me);
    return mb <= me ? (from_mb & to_me) : (from_mb | to_me);
}

/*
 * The rotated value in rax: RA = it & @mask, or with RA & ~@mask for the
 * inserting forms; CR0 for Rc=1.
 */
static bool finish_rotate(X86Emit *e, uint32_t insn, uint64_t mask, bool insert)
{
    unsigned ra = F_RA(insn);

    and_mask(e, RAX, mask);
    if (insert) {
        jit_load(e, RCX, ra);
        and_mask(e, RCX, ~mask);
        x86_alu_rr(e, ALU_OR, RAX, RCX);
    }
    jit_store(e, RAX, ra);
    if (F_RC(insn)) {
        cr0_from_rax(e);
    }
    return true;
}

/* rlwinm (21), rlwimi (20). */
static bool emit_rlw(X86Emit *e, uint32_t insn)
{
    unsigned rs = F_RT(insn), sh = F_RB(insn);
    unsigned mb = (insn >> 6) & 31, me = (insn >> 1) & 31;
    uint64_t mask = mask64(mb + 32, me + 32);

    jit_load(e, RAX, rs);
    rotl32_rax(e, sh);
    return finish_rotate(e, insn, mask, (insn >> 26) == 20);
}

/* MD-form rldicl/rldicr/rldic/rldimi (30). */
static bool emit_rld(X86Emit *e, uint32_t insn)
{
    unsigned xo = (insn >> 2) & 7, rs = F_RT(insn);
    unsigned sh = F_RB(insn) | (((insn >> 1) & 1) << 5);
    unsigned f = (insn >> 5) & 63, mbe = (f >> 1) | ((f & 1) << 5);
    uint64_t mask;

    switch (xo) {
    case 0: mask = mask64(mbe, 63); break;
    case 1: mask = mask64(0, mbe); break;
    case 2:
    case 3: mask = mask64(mbe, 63 - sh); break;
    default: return false;                  /* MDS-form rldcl/rldcr */
    }
    jit_load(e, RAX, rs);
    if (sh) {
        x86_shift_imm(e, true, SH_ROL, RAX, sh);
    }
    return finish_rotate(e, insn, mask, xo == 3);
}

/* slw/srw (RB[58:63] >= 32 gives 0), sld/srd (RB[57:63] >= 64 gives 0). */
static void emit_shift(X86Emit *e, uint32_t insn, bool word, X86Shift op)
{
    jit_load(e, RCX, F_RB(insn));
    jit_load(e, RAX, F_RT(insn));
    x86_shift_cl(e, !word, op, RAX);    /* a 32-bit shift zero-extends */
    x86_alu32_rr(e, ALU_XOR, R8, R8);
    x86_test32_imm(e, RCX, word ? 32 : 64);
    x86_cmov(e, CC_NE, RAX, R8);
    jit_store(e, RAX, F_RA(insn));
}

/* X-form logical RA = RS op RB, optionally complemented (31). */
static bool emit_logical(X86Emit *e, uint32_t insn)
{
    unsigned rs = F_RT(insn), ra = F_RA(insn), rb = F_RB(insn);
    X86Alu op;
    bool not_b = false, not_result = false;

    switch (F_XO10(insn)) {
    case 28:  op = ALU_AND; break;
    case 60:  op = ALU_AND; not_b = true; break;        /* andc */
    case 444: op = ALU_OR; break;
    case 412: op = ALU_OR; not_b = true; break;         /* orc */
    case 316: op = ALU_XOR; break;
    case 476: op = ALU_AND; not_result = true; break;   /* nand */
    case 124: op = ALU_OR; not_result = true; break;    /* nor */
    case 284: op = ALU_XOR; not_result = true; break;   /* eqv */
    default: return false;
    }
    jit_load(e, RAX, rs);
    if (not_b) {
        jit_load(e, RCX, rb);
        x86_group3(e, 2, RCX);
        x86_alu_rr(e, op, RAX, RCX);
    } else {
        jit_alu(e, op, RAX, rb);
    }
    if (not_result) {
        x86_group3(e, 2, RAX);
    }
    jit_store(e, RAX, ra);
    if (F_RC(insn)) {
        cr0_from_rax(e);
    }
    return true;
}

/* extsb/extsh/extsw (31). */
static bool emit_extend(X86Emit *e, uint32_t insn)
{
    void (*extend)(X86Emit *, X86Reg, X86Reg);

    switch (F_XO10(insn)) {
    case 954: extend = x86_sext8; break;
    case 922: extend = x86_sext16; break;
    case 986: extend = x86_sext32; break;
    default: return false;
    }
    jit_load(e, RAX, F_RT(insn));
    extend(e, RAX, RAX);
    jit_store(e, RAX, F_RA(insn));
    if (F_RC(insn)) {
        cr0_from_rax(e);
    }
    return true;
}

/* XO-form arithmetic with OE=0 and Rc=0 (31): the interpreter's plain
 * handlers and the _64 carrying ones. */
static bool emit_xo_arith(X86Emit *e, uint32_t insn)
{
    unsigned rt = F_RT(insn), ra = F_RA(insn), rb = F_RB(insn);

    switch (F_XO10(insn)) {         /* OE=0 is part of the 10-bit XO */
    case 266:                                               /* add */
        jit_load(e, RAX, ra);
        jit_alu(e, ALU_ADD, RAX, rb);
        break;
    case 40:                                                /* subf */
        jit_load(e, RAX, rb);
        jit_alu(e, ALU_SUB, RAX, ra);
        break;
    case 104:                                               /* neg */
        jit_load(e, RAX, ra);
        x86_group3(e, 3, RAX);
        break;
    case 233:                                               /* mulld */
        jit_load(e, RAX, ra);
        jit_load(e, RCX, rb);
        x86_imul_rr(e, RAX, RCX);
        break;
    case 235:                                               /* mullw */
        jit_load(e, RAX, ra);
        x86_sext32(e, RAX, RAX);
        jit_load(e, RCX, rb);
        x86_sext32(e, RCX, RCX);
        x86_imul_rr(e, RAX, RCX);
        break;
    case 9:                                                 /* mulhdu */
    case 73:                                                /* mulhd */
        jit_load(e, RAX, ra);
        jit_load(e, RCX, rb);
        x86_mov_rr(e, R9, RDX);                     /* mul clobbers rdx */
        x86_group3(e, F_XO10(insn) == 9 ? 4 : 5, RCX);
        x86_mov_rr(e, RAX, RDX);
        x86_mov_rr(e, RDX, R9);
        break;
    case 10:  emit_carrying(e, rt, ra, false, B_REG, rb, 0, CIN_ZERO); return true;
    case 138: emit_carrying(e, rt, ra, false, B_REG, rb, 0, CIN_CA); return true;
    case 234: emit_carrying(e, rt, ra, false, B_ONES, 0, 0, CIN_CA); return true;
    case 202: emit_carrying(e, rt, ra, false, B_ZERO, 0, 0, CIN_CA); return true;
    case 8:   emit_carrying(e, rt, ra, true, B_REG, rb, 0, CIN_ONE); return true;
    case 136: emit_carrying(e, rt, ra, true, B_REG, rb, 0, CIN_CA); return true;
    case 232: emit_carrying(e, rt, ra, true, B_ONES, 0, 0, CIN_CA); return true;
    case 200: emit_carrying(e, rt, ra, true, B_ZERO, 0, 0, CIN_CA); return true;
    default:
        return false;
    }
    jit_store(e, RAX, rt);
    return true;
}

/* isel RT,RA,RB,BC: RT = CR[BC] ? (RA|0) : RB. */
static void emit_isel(X86Emit *e, uint32_t insn)
{
    unsigned bc = (insn >> 6) & 31;

    jit_load_or_zero(e, RAX, F_RA(insn));
    jit_load(e, RCX, F_RB(insn));
    x86_load32(e, R8, RDI, ENV(cr));
    x86_test32_imm(e, R8, 1u << (31 - bc));
    x86_cmov(e, CC_E, RAX, RCX);
    jit_store(e, RAX, F_RT(insn));
}

/* mfspr/mtspr of LR and CTR, the only SPR moves that stay in a block. */
static bool emit_spr_move(X86Emit *e, uint32_t insn, bool to_spr)
{
    unsigned spr = F_RA(insn) | (F_RB(insn) << 5);
    int32_t off;

    if (spr == SPR_LR) {
        off = ENV(lr);
    } else if (spr == SPR_CTR) {
        off = ENV(ctr);
    } else {
        return false;
    }
    if (to_spr) {
        jit_load(e, RAX, F_RT(insn));
        x86_store64(e, RAX, RDI, off);
    } else {
        x86_load64(e, RAX, RDI, off);
        jit_store(e, RAX, F_RT(insn));
    }
    return true;
}

static bool emit_op31(JitBlock *b, uint32_t insn)
{
    X86Emit *e = &b->e;
    unsigned xo = F_XO10(insn);

    if ((xo & 31) == 15) {                  /* A-form isel */
        emit_isel(e, insn);
        return true;
    }
    switch (xo) {
    case 0:   return emit_compare(e, insn, true, true);     /* cmp */
    case 32:  return emit_compare(e, insn, true, false);    /* cmpl */
    case 339: return !F_RC(insn) && emit_spr_move(e, insn, false);
    case 467: return !F_RC(insn) && emit_spr_move(e, insn, true);
    case 24:  if (F_RC(insn)) return false; emit_shift(e, insn, true, SH_SHL); return true;
    case 536: if (F_RC(insn)) return false; emit_shift(e, insn, true, SH_SHR); return true;
    case 27:  if (F_RC(insn)) return false; emit_shift(e, insn, false, SH_SHL); return true;
    case 539: if (F_RC(insn)) return false; emit_shift(e, insn, false, SH_SHR); return true;
    }
    if (emit_logical(e, insn) || emit_extend(e, insn)) {
        return true;
    }
    if (!F_RC(insn) && emit_xo_arith(e, insn)) {
        return true;
    }
    return jit_emit_xform_access(b, insn);
}

/* D-form immediates: addi/addis, logical immediates, andi./andis. */
static bool emit_dform_alu(X86Emit *e, uint32_t insn)
{
    unsigned op = insn >> 26, rt = F_RT(insn), ra = F_RA(insn);
    uint32_t ui = F_UIMM(insn);

    switch (op) {
    case 14:                                        /* addi */
    case 15:                                        /* addis */
        jit_load_or_zero(e, RAX, ra);
        x86_alu_imm(e, ALU_ADD, RAX, op == 14 ? F_SIMM(insn)
                                              : (int32_t)(ui << 16));
        jit_store(e, RAX, rt);
        return true;
    case 24: case 25: case 26: case 27:             /* ori oris xori xoris */
        if (insn == 0x60000000) {
            return true;                            /* nop */
        }
        jit_load(e, RAX, rt);
        alu_uimm(e, op >= 26 ? ALU_XOR : ALU_OR, RAX,
                 (op & 1) ? ui << 16 : ui);
        jit_store(e, RAX, ra);
        return true;
    case 28: case 29:                               /* andi. andis. */
        jit_load(e, RAX, rt);
        alu_uimm(e, ALU_AND, RAX, op == 29 ? ui << 16 : ui);
        jit_store(e, RAX, ra);
        cr0_from_rax(e);
        return true;
    case 7:                                         /* mulli */
        jit_load(e, RAX, ra);
        x86_op_rr(e, true, X86_OP(0x69), RAX, RAX);
        x86_u32(e, (uint32_t)F_SIMM(insn));
        jit_store(e, RAX, rt);
        return true;
    case 8:                                         /* subfic */
        emit_carrying(e, rt, ra, true, B_IMM, 0, F_SIMM(insn), CIN_ONE);
        return true;
    case 10: return emit_compare(e, insn, false, false);   /* cmpli */
    case 11: return emit_compare(e, insn, false, true);    /* cmpi */
    }
    return false;
}

bool jit_emit_insn(JitBlock *b, uint32_t insn)
{
    unsigned op = insn >> 26;

    switch (op) {
    case 20:
    case 21:
        return emit_rlw(&b->e, insn);
    case 30:
        return emit_rld(&b->e, insn);
    case 31:
        return emit_op31(b, insn);
    case 32 ... 45:
    case 58:
    case 62:
        return jit_emit_dform_access(b, insn);
    default:
        return emit_dform_alu(&b->e, insn);
    }
}
