/*
 * Block compiler: the branch that ends a block (jit.c), emitted as the
 * interpreter's branch handlers and branch_taken() behave: b/bc with their
 * BO/BI conditions and LK, and the unconditional bclr/bcctr. A target in
 * the page continues the chain there (a loop onto the block's head goes
 * round inside the block); any other leaves as continue_at() does.
 */
#include "jit.h"

#include <stddef.h>

/*
 * A b/bc (any AA, LK) ending a block: its target, and the slot of that
 * target when it is in the page (else -1). False for other words.
 */
bool jit_block_branch(uint32_t w, uint64_t cia, uint64_t page_ea,
                         uint64_t *target, int *local)
{
    unsigned op = w >> 26;
    int64_t disp;

    if (op != 16 && op != 18) {
        return false;
    }
    disp = op == 18 ? (int64_t)(int32_t)((w & 0x03FFFFFC) << 6) >> 6
                    : (int64_t)(int16_t)(w & 0xFFFC);
    *target = ((w & 2) ? 0 : cia) + (uint64_t)disp;     /* AA */
    *local = (*target & ~(uint64_t)(GUEST_PAGE_SIZE - 1)) == page_ea
             ? (int)((*target & (GUEST_PAGE_SIZE - 1)) >> 2) : -1;
    return true;
}

/*
 * branch_taken()'s tests for a target in the page: an exit was requested
 * or the page was modified; jumps for either go to @slow (patched by the
 * caller). Clobbers rax, r8.
 */
static void emit_local_checks(JitBlock *b, uint8_t **slow)
{
    X86Emit *e = &b->e;

    x86_load64(e, RAX, RSI, RUN_OFF(cpu));
    x86_cmp_mem_imm(e, false, RAX, (int32_t)offsetof(PowerPCCPU, exit_request), 0);
    slow[0] = x86_jcc_fwd(e, CC_NE);
    x86_load64(e, RAX, RSI, RUN_OFF(gen_ptr));
    x86_load32(e, RAX, RAX, 0);
    x86_load64(e, R8, RSI, RUN_OFF(page));
    x86_op_mem(e, false, X86_OP(0x3B), RAX, R8,
               (int32_t)offsetof(PPCDecodedPage, gen), false);
    slow[1] = x86_jcc_fwd(e, CC_NE);
}

/*
 * The rest of branch_taken() for the target slot in rcx: the segment
 * ending with the branch (slot @last_off) is counted, a new one starts at
 * the target with what is left of the budget, and the target runs (the
 * block's own body for a loop onto its head, while it fits) or, with no
 * budget left, is returned to the run loop.
 */
static void emit_local_taken(JitBlock *b, int32_t last_off, uint8_t *loop_body)
{
    X86Emit *e = &b->e;
    uint8_t *budget_done;

    /* chained += last - seg + 1; seg = target; left = budget - chained */
    x86_lea(e, RAX, RDX, last_off);
    x86_alu_rm(e, ALU_SUB, RAX, RSI, RUN_OFF(seg));
    x86_shift_imm(e, true, SH_SAR, RAX, 5);
    x86_alu_imm(e, ALU_ADD, RAX, 1);
    x86_alu_rm(e, ALU_ADD, RAX, RSI, RUN_OFF(chained));
    x86_store64(e, RAX, RSI, RUN_OFF(chained));
    x86_store64(e, RCX, RSI, RUN_OFF(seg));
    x86_load64(e, R8, RSI, RUN_OFF(budget));
    x86_alu_rr(e, ALU_SUB, R8, RAX);
    budget_done = x86_jcc_fwd(e, CC_E);
    x86_shift_imm(e, true, SH_SHL, R8, 5);
    x86_alu_rr(e, ALU_ADD, R8, RCX);
    x86_store64(e, R8, RSI, RUN_OFF(limit));
    if (loop_body) {
        /* Round the body again, registers kept, if the block still fits. */
        x86_lea(e, RAX, RDX, last_off + (int32_t)sizeof(PPCInsn));
        x86_alu_rr(e, ALU_CMP, RAX, R8);
        x86_patch(x86_jcc_fwd(e, CC_BE), loop_body);
    }
    jit_cache_release(b, b->dirty);
    x86_mov_rr(e, RDX, RCX);
    x86_jmp_mem(e, RDX, (int32_t)offsetof(PPCInsn, fn));
    x86_patch(budget_done, e->p);
    jit_cache_release(b, b->dirty);
    x86_mov_rr(e, RAX, RCX);
    x86_ret(e);
}

/* continue_at(target in r9): NIP, the branch is the last slot executed. */
static void emit_continue_at(JitBlock *b, int32_t last_off)
{
    X86Emit *e = &b->e;

    jit_cache_release(b, b->dirty);
    x86_store64(e, R9, RDI, (int32_t)offsetof(CPUPPCState, nip));
    x86_lea(e, RAX, RDX, last_off);
    x86_store64(e, RAX, RSI, RUN_OFF(last));
    x86_alu32_rr(e, ALU_XOR, RAX, RAX);
    x86_ret(e);
}

/* LR = the instruction after the branch (set_link()). */
static void emit_set_link(X86Emit *e, uint64_t cia)
{
    x86_mov_imm(e, RAX, cia + 4);
    x86_store64(e, RAX, RDI, (int32_t)offsetof(CPUPPCState, lr));
}

static void emit_set_cfar(X86Emit *e, uint64_t cia)
{
    x86_mov_imm(e, RAX, cia);
    x86_store64(e, RAX, RDI, (int32_t)offsetof(CPUPPCState, cfar));
}

/*
 * b/bc in the block's last slot (@last, relative to the head): LR for
 * LK=1, the BO/BI condition (bc_condition()), jumping to @not_taken's
 * patch list when it fails, then branch_taken() with CFAR.
 */
void jit_emit_branch(JitBlock *b, uint32_t w, unsigned last, uint64_t cia,
                        uint64_t target, int local, unsigned head,
                        uint8_t *body, uint8_t **not_taken, unsigned *n_not)
{
    X86Emit *e = &b->e;
    unsigned bo = (w >> 21) & 31, bi = (w >> 16) & 31;
    int32_t last_off = (int32_t)(last * sizeof(PPCInsn));
    uint8_t *slow[2];

    *n_not = 0;
    if (w & 1) {
        emit_set_link(e, cia);
    }
    if ((w >> 26) == 16 && !(bo & 0x04)) {
        /* CTR -= 1; ZF = (CTR == 0) */
        x86_op_mem(e, true, X86_OP(0x83), ALU_SUB, RDI,
                   (int32_t)offsetof(CPUPPCState, ctr), false);
        x86_byte(e, 1);
        not_taken[(*n_not)++] = x86_jcc_fwd(e, (bo & 0x02) ? CC_NE : CC_E);
    }
    if ((w >> 26) == 16 && !(bo & 0x10)) {
        x86_load32(e, RAX, RDI, (int32_t)offsetof(CPUPPCState, cr));
        x86_test32_imm(e, RAX, 1u << (31 - bi));
        not_taken[(*n_not)++] = x86_jcc_fwd(e, (bo & 0x08) ? CC_E : CC_NE);
    }
    emit_set_cfar(e, cia);
    if (local >= 0) {
        emit_local_checks(b, slow);
        x86_lea(e, RCX, RDX, (int32_t)(((int)local - (int)head) *
                                       (int)sizeof(PPCInsn)));
        emit_local_taken(b, last_off, (unsigned)local == head ? body : NULL);
        x86_patch(slow[0], e->p);
        x86_patch(slow[1], e->p);
    }
    x86_mov_imm(e, R9, target);
    emit_continue_at(b, last_off);
}

/* Unconditional bclr/bcctr (BO = 1z1zz), the function return and the
 * indirect call/jump: the target comes from LR or CTR at run time. */
bool jit_is_branch_to_reg(uint32_t w)
{
    unsigned xo = (w >> 1) & 0x3FF, bo = (w >> 21) & 31;

    return (w >> 26) == 19 && (xo == 16 || xo == 528) && (bo & 0x14) == 0x14;
}

void jit_emit_branch_to_reg(JitBlock *b, uint32_t w, unsigned last,
                               uint64_t cia, uint64_t page_ea)
{
    X86Emit *e = &b->e;
    int32_t last_off = (int32_t)(last * sizeof(PPCInsn));
    bool to_ctr = ((w >> 1) & 0x3FF) == 528;
    uint8_t *other_page, *slow[2];

    /* r9 = target: the register's old value, before LK changes LR. */
    x86_load64(e, R9, RDI, to_ctr ? (int32_t)offsetof(CPUPPCState, ctr)
                                  : (int32_t)offsetof(CPUPPCState, lr));
    x86_alu_imm(e, ALU_AND, R9, -4);
    if (w & 1) {
        emit_set_link(e, cia);
    }
    emit_set_cfar(e, cia);
    /* local_slot(): in this page? */
    x86_mov_rr(e, RAX, R9);
    x86_alu_imm(e, ALU_AND, RAX, -(int32_t)GUEST_PAGE_SIZE);
    x86_mov_imm(e, R8, page_ea);
    x86_alu_rr(e, ALU_CMP, RAX, R8);
    other_page = x86_jcc_fwd(e, CC_NE);
    emit_local_checks(b, slow);
    /* rcx = &run->page->insn[(target & 0xfff) >> 2] (32-byte slots) */
    x86_zext32(e, RAX, R9);
    x86_alu32_imm(e, ALU_AND, RAX, GUEST_PAGE_SIZE - 1);
    x86_shift_imm(e, false, SH_SHL, RAX, 3);
    x86_load64(e, RCX, RSI, RUN_OFF(page));
    x86_alu_rr(e, ALU_ADD, RCX, RAX);
    x86_alu_imm(e, ALU_ADD, RCX, (int32_t)offsetof(PPCDecodedPage, insn));
    emit_local_taken(b, last_off, NULL);
    x86_patch(other_page, e->p);
    x86_patch(slow[0], e->p);
    x86_patch(slow[1], e->p);
    emit_continue_at(b, last_off);
}
