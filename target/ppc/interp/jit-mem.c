/*
 * Block compiler: loads and stores (D, DS and X forms, with update) on the
 * interpreter's fast path, mem_fast() and store_done() as x86-64 code.
 * An access that would need more (TLB miss, misalignment, the end of RAM)
 * leaves the block before the instruction changes anything; a store to a
 * decoded line or under the dirty log finishes in the interpreter.
 */
#include "jit.h"

#include <stddef.h>

_Static_assert(sizeof(PPCTlbEntry) == 32, "TLB index scaling below");
_Static_assert(PPC_REAL_ADDR_MASK == ~0ULL >> 4, "real-mode mask below");

/* rcx = EA of a D/DS-form (RA|0) + imm or an X-form (RA|0) + RB. */
static void ea_d(X86Emit *e, unsigned ra, int32_t imm)
{
    if (!ra) {
        x86_mov_imm(e, RCX, (uint64_t)(int64_t)imm);
        return;
    }
    jit_load(e, RCX, ra);
    if (imm) {
        x86_alu_imm(e, ALU_ADD, RCX, imm);
    }
}

static void ea_x(X86Emit *e, unsigned ra, unsigned rb)
{
    jit_load(e, RCX, rb);
    if (ra) {
        jit_alu(e, ALU_ADD, RCX, ra);
    }
}

static void exit_if(JitBlock *b, X86Cond cc)
{
    jit_add_exit(b, x86_jcc_fwd(&b->e, cc), 0);
}

/*
 * r8 = host address of the naturally aligned @size-byte access at EA rcx,
 * on the interpreter's fast path (mem_fast()); anything else leaves the
 * block to the interpreter, which redoes the instruction.
 */
static void translate(JitBlock *b, unsigned size, bool store)
{
    X86Emit *e = &b->e;

    if (size > 1) {
        x86_test32_imm(e, RCX, size - 1);
        exit_if(b, CC_NE);
    }
    if (b->translated) {
        x86_zext32(e, RAX, RCX);
        x86_shift_imm(e, false, SH_SHR, RAX, GUEST_PAGE_SHIFT - 5);
        x86_alu32_imm(e, ALU_AND, RAX, (TLB_ENTRIES - 1) << 5);
        x86_alu_rr(e, ALU_ADD, RAX, R10);           /* the entry */
        x86_mov_rr(e, R8, RCX);
        x86_alu_imm(e, ALU_AND, R8, -(int32_t)GUEST_PAGE_SIZE);
        x86_alu_rm(e, ALU_CMP, R8, RAX,
                   store ? (int32_t)offsetof(PPCTlbEntry, tag_write)
                         : (int32_t)offsetof(PPCTlbEntry, tag_read));
        exit_if(b, CC_NE);
        x86_zext32(e, R8, RCX);
        x86_alu32_imm(e, ALU_AND, R8, GUEST_PAGE_SIZE - 1);
        x86_alu_rm(e, ALU_ADD, R8, RAX, (int32_t)offsetof(PPCTlbEntry, ra));
    } else {
        x86_mov_rr(e, R8, RCX);
        x86_shift_imm(e, true, SH_SHL, R8, 4);      /* & PPC_REAL_ADDR_MASK */
        x86_shift_imm(e, true, SH_SHR, R8, 4);
        x86_lea(e, RAX, R8, (int32_t)size);
        x86_alu_rr(e, ALU_CMP, RAX, R10);           /* ra + size > RAM */
        exit_if(b, CC_A);
    }
    x86_alu_rr(e, ALU_ADD, R8, R11);
    b->uses_memory = true;
}

static void emit_load(JitBlock *b, unsigned rt, unsigned ra, unsigned size,
                      bool sign, bool update)
{
    X86Emit *e = &b->e;

    translate(b, size, false);
    switch (size) {
    case 1:
        x86_load8zx(e, RAX, R8, 0);
        break;
    case 2:
        x86_load16zx(e, RAX, R8, 0);
        if (!b->le) {
            x86_bswap(e, false, RAX);
            x86_shift_imm(e, false, SH_SHR, RAX, 16);
        }
        if (sign) {
            x86_sext16(e, RAX, RAX);
        }
        break;
    case 4:
        x86_load32(e, RAX, R8, 0);
        if (!b->le) {
            x86_bswap(e, false, RAX);
        }
        if (sign) {
            x86_sext32(e, RAX, RAX);
        }
        break;
    default:
        x86_load64(e, RAX, R8, 0);
        if (!b->le) {
            x86_bswap(e, true, RAX);
        }
        break;
    }
    jit_store(e, RAX, rt);
    if (update) {
        jit_store(e, RCX, ra);
    }
}

/*
 * After a store to r8: the dirty log or a decoded line there (store_done())
 * finish through interp_store_done_slow().
 */
static void store_check(JitBlock *b, unsigned size)
{
    X86Emit *e = &b->e;

    x86_mov_rr(e, RAX, R8);
    x86_alu_rr(e, ALU_SUB, RAX, R11);               /* real address */
    x86_shift_imm(e, true, SH_SHR, RAX, CODE_LINE_SHIFT);
    x86_alu32_imm(e, ALU_AND, RAX, (1u << CODE_LINE_BITS) - 1);
    x86_zext32(e, RCX, RAX);
    x86_alu32_imm(e, ALU_AND, RCX, 7);
    x86_shift_imm(e, false, SH_SHR, RAX, 3);
    x86_mov_imm(e, R9, (uintptr_t)interp_code_lines);
    x86_alu_rr(e, ALU_ADD, R9, RAX);
    x86_load8zx(e, RAX, R9, 0);
    x86_shift_cl(e, false, SH_SHR, RAX);
    x86_alu32_imm(e, ALU_AND, RAX, 1);
    x86_load64(e, R9, RSI, (int32_t)offsetof(PPCRun, ram));
    x86_op_mem(e, false, X86_OP(0x0B), RAX, R9,
               (int32_t)offsetof(GuestMemory, dirty_log), false);
    jit_add_exit(b, x86_jcc_fwd(e, CC_NE), size);
}

static void emit_store(JitBlock *b, unsigned rs, unsigned ra, unsigned size,
                       bool update)
{
    X86Emit *e = &b->e;

    translate(b, size, true);
    jit_load(e, RAX, rs);
    if (!b->le && size > 1) {
        x86_bswap(e, size == 8, RAX);
        if (size == 2) {
            x86_shift_imm(e, false, SH_SHR, RAX, 16);
        }
    }
    switch (size) {
    case 1: x86_store8(e, RAX, R8, 0); break;
    case 2: x86_store16(e, RAX, R8, 0); break;
    case 4: x86_store32(e, RAX, R8, 0); break;
    default: x86_store64(e, RAX, R8, 0); break;
    }
    if (update) {
        jit_store(e, RCX, ra);
    }
    store_check(b, size);
}

/* D-form loads and stores (primary opcodes 32..45), DS-form 58/62. */
bool jit_emit_dform_access(JitBlock *b, uint32_t insn)
{
    static const struct { uint8_t size, store, update, sign; } forms[64] = {
        [32] = { 4, 0, 0, 0 }, [33] = { 4, 0, 1, 0 },       /* lwz, lwzu */
        [34] = { 1, 0, 0, 0 }, [35] = { 1, 0, 1, 0 },       /* lbz, lbzu */
        [40] = { 2, 0, 0, 0 }, [41] = { 2, 0, 1, 0 },       /* lhz, lhzu */
        [42] = { 2, 0, 0, 1 },                              /* lha */
        [36] = { 4, 1, 0, 0 }, [37] = { 4, 1, 1, 0 },       /* stw, stwu */
        [38] = { 1, 1, 0, 0 }, [39] = { 1, 1, 1, 0 },       /* stb, stbu */
        [44] = { 2, 1, 0, 0 }, [45] = { 2, 1, 1, 0 },       /* sth, sthu */
    };
    unsigned op = insn >> 26, rt = F_RT(insn), ra = F_RA(insn);
    unsigned size, store, update, sign;
    int32_t disp = F_SIMM(insn);

    if (op == 58 || op == 62) {
        unsigned xo = insn & 3;
        disp &= ~3;
        store = op == 62;
        if (xo > (store ? 1u : 2u)) {
            return false;                   /* lq/stq and friends */
        }
        size = xo == 2 ? 4 : 8;             /* lwa */
        sign = xo == 2;
        update = xo == 1;
    } else {
        if (!forms[op].size) {
            return false;
        }
        size = forms[op].size;
        store = forms[op].store;
        update = forms[op].update;
        sign = forms[op].sign;
    }
    if (update && (ra == 0 || (!store && ra == rt))) {
        return false;                       /* invalid forms: interpreted */
    }
    ea_d(&b->e, ra, disp);
    if (store) {
        emit_store(b, rt, ra, size, update);
    } else {
        emit_load(b, rt, ra, size, sign, update);
    }
    return true;
}

/* X-form loads and stores (primary opcode 31). */
bool jit_emit_xform_access(JitBlock *b, uint32_t insn)
{
    static const struct { uint16_t xo; uint8_t size, store, update, sign; }
    forms[] = {
        { 23, 4, 0, 0, 0 },  { 55, 4, 0, 1, 0 },  /* lwzx, lwzux */
        { 87, 1, 0, 0, 0 },  { 119, 1, 0, 1, 0 }, /* lbzx, lbzux */
        { 279, 2, 0, 0, 0 }, { 343, 2, 0, 0, 1 }, /* lhzx, lhax */
        { 341, 4, 0, 0, 1 },                      /* lwax */
        { 21, 8, 0, 0, 0 },  { 53, 8, 0, 1, 0 },  /* ldx, ldux */
        { 151, 4, 1, 0, 0 }, { 183, 4, 1, 1, 0 }, /* stwx, stwux */
        { 215, 1, 1, 0, 0 }, { 407, 2, 1, 0, 0 }, /* stbx, sthx */
        { 149, 8, 1, 0, 0 }, { 181, 8, 1, 1, 0 }, /* stdx, stdux */
    };
    unsigned xo = F_XO10(insn), rt = F_RT(insn), ra = F_RA(insn);

    if (F_RC(insn)) {
        return false;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(forms); i++) {
        if (forms[i].xo != xo) {
            continue;
        }
        if (forms[i].update && (ra == 0 || (!forms[i].store && ra == rt))) {
            return false;
        }
        ea_x(&b->e, ra, F_RB(insn));
        if (forms[i].store) {
            emit_store(b, rt, ra, forms[i].size, forms[i].update);
        } else {
            emit_load(b, rt, ra, forms[i].size, forms[i].sign, forms[i].update);
        }
        return true;
    }
    return false;
}
