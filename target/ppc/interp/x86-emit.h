/*
 * A minimal x86-64 instruction encoder for the block compiler (jit.c):
 * just the register/memory forms it emits, each encoded by the rules of
 * the Intel SDM vol. 2 ch. 2 (REX prefix, ModRM, SIB, displacement).
 *
 * Memory operands are always [base + disp32-or-disp8]; no index
 * registers. Every emitter checks the space left only once per guest
 * instruction (jit.c reserves room), so these just append bytes.
 */
#ifndef TARGET_PPC_INTERP_X86_EMIT_H
#define TARGET_PPC_INTERP_X86_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef enum X86Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15,
} X86Reg;

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
typedef enum X86Cond {
    CC_O = 0x0, CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5,
    CC_BE = 0x6, CC_A = 0x7, CC_S = 0x8, CC_L = 0xC, CC_GE = 0xD,
    CC_LE = 0xE, CC_G = 0xF,
} X86Cond;

/* ALU group-1 operations: the /digit of 81/83, and (op << 3) | 3 for r, r/m. */
typedef enum X86Alu {
    ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3,
    ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7,
} X86Alu;

/* Shift/rotate group 2: the /digit of C1 and D3. */
typedef enum X86Shift {
    SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7,
} X86Shift;

typedef struct X86Emit {
    uint8_t *p;
} X86Emit;

static inline void x86_byte(X86Emit *e, uint8_t b)
{
    *e->p++ = b;
}

static inline void x86_u32(X86Emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4;
}

/* REX for operand register @reg and base/rm @rm; emitted when needed. */
static inline void x86_rex(X86Emit *e, bool w, unsigned reg, unsigned rm,
                           bool byte_regs)
{
    uint8_t rex = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0);
    /* SPL/BPL/SIL/DIL need a REX prefix to be addressed as bytes. */
    if (rex != 0x40 || (byte_regs && (reg >= 4 || rm >= 4))) {
        x86_byte(e, rex);
    }
}

/* ModRM (+SIB, +disp) for [base + disp]. */
static inline void x86_modrm_mem(X86Emit *e, unsigned reg, unsigned base,
                                 int32_t disp)
{
    unsigned mod = disp == 0 && (base & 7) != RBP ? 0
                 : disp >= -128 && disp <= 127 ? 1 : 2;

    x86_byte(e, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7)));
    if ((base & 7) == RSP) {
        x86_byte(e, 0x24);          /* SIB: base only */
    }
    if (mod == 1) {
        x86_byte(e, (uint8_t)disp);
    } else if (mod == 2) {
        x86_u32(e, (uint32_t)disp);
    }
}

static inline void x86_modrm_reg(X86Emit *e, unsigned reg, unsigned rm)
{
    x86_byte(e, (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm & 7)));
}

/* op reg, [base + disp] (or the reverse with the store opcodes). */
static inline void x86_op_mem(X86Emit *e, bool w, const uint8_t *op,
                              unsigned oplen, unsigned reg, unsigned base,
                              int32_t disp, bool byte_regs)
{
    x86_rex(e, w, reg, base, byte_regs);
    for (unsigned i = 0; i < oplen; i++) {
        x86_byte(e, op[i]);
    }
    x86_modrm_mem(e, reg, base, disp);
}

static inline void x86_op_rr(X86Emit *e, bool w, const uint8_t *op,
                             unsigned oplen, unsigned reg, unsigned rm)
{
    x86_rex(e, w, reg, rm, false);
    for (unsigned i = 0; i < oplen; i++) {
        x86_byte(e, op[i]);
    }
    x86_modrm_reg(e, reg, rm);
}

#define X86_OP(...) (const uint8_t[]){ __VA_ARGS__ }, \
    sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ---- moves ---- */

static inline void x86_load64(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, true, X86_OP(0x8B), r, base, disp, false);
}

static inline void x86_store64(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, true, X86_OP(0x89), r, base, disp, false);
}

static inline void x86_load32(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0x8B), r, base, disp, false);
}

static inline void x86_store32(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0x89), r, base, disp, false);
}

static inline void x86_store16(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_byte(e, 0x66);
    x86_op_mem(e, false, X86_OP(0x89), r, base, disp, false);
}

static inline void x86_store8(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0x88), r, base, disp, true);
}

/* movzx r32, byte/word [base + disp] */
static inline void x86_load8zx(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0x0F, 0xB6), r, base, disp, false);
}

static inline void x86_load16zx(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0x0F, 0xB7), r, base, disp, false);
}

static inline void x86_mov_rr(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP(0x89), src, dst);
}

/* mov r, imm: the shortest of mov r32 (zero-extends), mov r/m64 imm32
 * (sign-extends) and movabs. */
static inline void x86_mov_imm(X86Emit *e, X86Reg r, uint64_t imm)
{
    if (imm <= 0xFFFFFFFFull) {
        x86_rex(e, false, 0, r, false);
        x86_byte(e, (uint8_t)(0xB8 + (r & 7)));
        x86_u32(e, (uint32_t)imm);
    } else if ((int64_t)imm == (int32_t)imm) {
        x86_rex(e, true, 0, r, false);
        x86_byte(e, 0xC7);
        x86_modrm_reg(e, 0, r);
        x86_u32(e, (uint32_t)imm);
    } else {
        x86_rex(e, true, 0, r, false);
        x86_byte(e, (uint8_t)(0xB8 + (r & 7)));
        x86_u32(e, (uint32_t)imm);
        x86_u32(e, (uint32_t)(imm >> 32));
    }
}

/* movsx r64, r8/r16; movsxd r64, r32 */
static inline void x86_sext8(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_rex(e, true, dst, src, true);
    x86_byte(e, 0x0F);
    x86_byte(e, 0xBE);
    x86_modrm_reg(e, dst, src);
}

static inline void x86_sext16(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP(0x0F, 0xBF), dst, src);
}

static inline void x86_sext32(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP(0x63), dst, src);
}

/* mov r32, r32: zero-extends the low word */
static inline void x86_zext32(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, false, X86_OP(0x89), src, dst);
}

static inline void x86_lea(X86Emit *e, X86Reg r, X86Reg base, int32_t disp)
{
    x86_op_mem(e, true, X86_OP(0x8D), r, base, disp, false);
}

/* ---- arithmetic ---- */

static inline void x86_alu_rr(X86Emit *e, X86Alu op, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP((uint8_t)((op << 3) | 1)), src, dst);
}

static inline void x86_alu_rm(X86Emit *e, X86Alu op, X86Reg dst, X86Reg base,
                              int32_t disp)
{
    x86_op_mem(e, true, X86_OP((uint8_t)((op << 3) | 3)), dst, base, disp, false);
}

/* 32-bit forms (for the CR word and for compares of words). */
static inline void x86_alu32_rr(X86Emit *e, X86Alu op, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, false, X86_OP((uint8_t)((op << 3) | 1)), src, dst);
}

static inline void x86_alu_imm_w(X86Emit *e, bool w, X86Alu op, X86Reg r,
                                 int32_t imm)
{
    x86_rex(e, w, 0, r, false);
    if (imm >= -128 && imm <= 127) {
        x86_byte(e, 0x83);
        x86_modrm_reg(e, op, r);
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_byte(e, 0x81);
        x86_modrm_reg(e, op, r);
        x86_u32(e, (uint32_t)imm);
    }
}

/* op r64, imm32 (sign-extended) */
static inline void x86_alu_imm(X86Emit *e, X86Alu op, X86Reg r, int32_t imm)
{
    x86_alu_imm_w(e, true, op, r, imm);
}

static inline void x86_alu32_imm(X86Emit *e, X86Alu op, X86Reg r, int32_t imm)
{
    x86_alu_imm_w(e, false, op, r, imm);
}

/* cmp qword [base + disp], imm8/32 */
static inline void x86_cmp_mem_imm(X86Emit *e, bool w, X86Reg base,
                                   int32_t disp, int32_t imm)
{
    bool small = imm >= -128 && imm <= 127;
    const uint8_t op = small ? 0x83 : 0x81;

    x86_op_mem(e, w, &op, 1, ALU_CMP, base, disp, false);
    if (small) {
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_u32(e, (uint32_t)imm);
    }
}

static inline void x86_test_rr(X86Emit *e, X86Reg a, X86Reg b)
{
    x86_op_rr(e, true, X86_OP(0x85), b, a);
}

/* test r32, imm32 */
static inline void x86_test32_imm(X86Emit *e, X86Reg r, uint32_t imm)
{
    x86_rex(e, false, 0, r, false);
    x86_byte(e, 0xF7);
    x86_modrm_reg(e, 0, r);
    x86_u32(e, imm);
}

static inline void x86_shift_imm(X86Emit *e, bool w, X86Shift op, X86Reg r,
                                 unsigned n)
{
    x86_rex(e, w, 0, r, false);
    x86_byte(e, 0xC1);
    x86_modrm_reg(e, op, r);
    x86_byte(e, (uint8_t)n);
}

/* shift r by CL */
static inline void x86_shift_cl(X86Emit *e, bool w, X86Shift op, X86Reg r)
{
    x86_rex(e, w, 0, r, false);
    x86_byte(e, 0xD3);
    x86_modrm_reg(e, op, r);
}

/* F7 group 3: /2 not, /3 neg, /4 mul, /5 imul (rdx:rax = rax * r) */
static inline void x86_group3(X86Emit *e, unsigned digit, X86Reg r)
{
    x86_rex(e, true, 0, r, false);
    x86_byte(e, 0xF7);
    x86_modrm_reg(e, digit, r);
}

static inline void x86_imul_rr(X86Emit *e, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP(0x0F, 0xAF), dst, src);
}

static inline void x86_bswap(X86Emit *e, bool w, X86Reg r)
{
    x86_rex(e, w, 0, r, false);
    x86_byte(e, 0x0F);
    x86_byte(e, (uint8_t)(0xC8 + (r & 7)));
}

/* bt r64, imm8: CF = bit @bit of r */
static inline void x86_bt_imm(X86Emit *e, X86Reg r, unsigned bit)
{
    x86_rex(e, true, 0, r, false);
    x86_byte(e, 0x0F);
    x86_byte(e, 0xBA);
    x86_modrm_reg(e, 4, r);
    x86_byte(e, (uint8_t)bit);
}

static inline void x86_cmov(X86Emit *e, X86Cond cc, X86Reg dst, X86Reg src)
{
    x86_op_rr(e, true, X86_OP(0x0F, (uint8_t)(0x40 | cc)), dst, src);
}

/* ---- control flow ---- */

/* jcc rel32 to a target patched later: returns where the rel32 is. */
static inline uint8_t *x86_jcc_fwd(X86Emit *e, X86Cond cc)
{
    x86_byte(e, 0x0F);
    x86_byte(e, (uint8_t)(0x80 | cc));
    x86_u32(e, 0);
    return e->p - 4;
}

/* Point the rel32 at @at to @target. */
static inline void x86_patch(uint8_t *at, const uint8_t *target)
{
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}

/* jmp qword [base + disp] */
static inline void x86_jmp_mem(X86Emit *e, X86Reg base, int32_t disp)
{
    x86_op_mem(e, false, X86_OP(0xFF), 4, base, disp, false);
}

static inline void x86_jmp_reg(X86Emit *e, X86Reg r)
{
    x86_rex(e, false, 0, r, false);
    x86_byte(e, 0xFF);
    x86_modrm_reg(e, 4, r);
}

static inline void x86_ret(X86Emit *e)
{
    x86_byte(e, 0xC3);
}

#endif
