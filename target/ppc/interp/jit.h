/*
 * The block compiler's interface to the interpreter (jit.c), and the
 * per-instruction emitter's to the block frame (jit-insn.c).
 */
#ifndef TARGET_PPC_INTERP_JIT_H
#define TARGET_PPC_INTERP_JIT_H

#include "interp-internal.h"
#include "x86-emit.h"

#include <stddef.h>

/* Page entries before a page is compiled (ppc_interp_set_jit; 0 = off). */
extern unsigned interp_jit_threshold;

/* Compile @page's decoded straight-line runs (run->page, just looked up). */
void interp_jit_page(PPCRun *run, PPCDecodedPage *page);
/* Drop all compiled code and, with it, every decoded page of the vCPU. */
void interp_jit_flush(PPCInterpState *st);
void interp_jit_free(PPCInterpState *st);
/* Tests: treat each code buffer as full after @bytes (at least one block). */
void interp_jit_set_buffer_limit(size_t bytes);

/* The first execution of a slot (interp.c): not decoded yet. */
PPCInsn *interp_op_decode(CPUPPCState *env, PPCRun *run, PPCInsn *d);

/* ---- jit.c <-> jit-insn.c ---- */

#define JIT_BLOCK_MAX       48      /* guest instructions in one block */
#define JIT_INSN_MAX_BYTES  256     /* host code one of them may take */

/*
 * A way out of the block at slot @slot (relative to the head) before that
 * instruction changed anything (store_len 0), or after a store of
 * @store_len bytes at the host address in r8 that needs
 * interp_store_done_slow().
 */
typedef struct JitExit {
    uint8_t *at;            /* rel32 of the jump to patch */
    unsigned slot;
    unsigned store_len;
    uint64_t dirty;         /* cached guest registers to write back there */
} JitExit;

/* Host registers that may cache guest registers (callee-saved: pushed). */
#define JIT_CACHE_REGS      6
/* What may be cached: GPR 0..31, and XER as number 32. */
#define JIT_XER             32
#define JIT_CACHEABLE       33

/*
 * The block being emitted. Register use in its code: rdi = env, rsi = run,
 * rdx = the head slot (the handler arguments, kept throughout); r10 =
 * run->dtlb (translated) or run->fast_limit (real mode), r11 = run->host;
 * rax, rcx, r8, r9 are scratch. The guest GPRs (and XER) the block uses most are
 * loaded into rbx, rbp, r12..r15 at entry (host_reg[]) and written back
 * to env, as far as they were changed, wherever the block is left; the
 * others, and everything else, live in env.
 */
typedef struct JitBlock {
    X86Emit e;              /* first: jit-insn.c finds the block from it */
    int8_t host_reg[JIT_CACHEABLE];     /* guest register -> host, or -1 */
    uint64_t dirty;         /* cached registers changed so far (bits) */
    X86Reg saved[JIT_CACHE_REGS];       /* pushed at entry, in this order */
    unsigned n_saved;
    bool le;                /* the page's MSR[LE]: data byte order */
    bool translated;        /* compiled for MSR[DR]=1 (else real mode) */
    bool uses_memory;       /* some instruction accesses storage */
    unsigned slot;          /* instruction being emitted, from the head */
    JitExit exits[3 * JIT_BLOCK_MAX];      /* at most 3 an instruction */
    unsigned n_exits;
    uint8_t *fallback[8 + 2 * JIT_BLOCK_MAX];
    unsigned n_fallback;
} JitBlock;

/*
 * Emit guest instruction @insn (64-bit mode) at b->e; false, with
 * anything emitted to be discarded, when it is not one the compiler knows.
 */
bool jit_emit_insn(JitBlock *b, uint32_t insn);

/* A jump (rel32 at @at) out of the block: see JitExit. */
void jit_add_exit(JitBlock *b, uint8_t *at, unsigned store_len);
/* Leaving the block: the @dirty cached registers back to env, pops. */
void jit_cache_release(JitBlock *b, uint64_t dirty);

#define RUN_OFF(field)  ((int32_t)offsetof(PPCRun, field))

/* ---- jit.c <-> jit-branch.c: the branch ending a block ---- */

/*
 * A b/bc (any AA, LK) at @cia: its target, and the slot of that target
 * when it is in the page at @page_ea (else -1). False for other words.
 */
bool jit_block_branch(uint32_t w, uint64_t cia, uint64_t page_ea,
                      uint64_t *target, int *local);
/*
 * Emit b/bc @w in slot @last (from @head); @body is where the block's
 * instructions start (for a loop onto the head). The jumps taken when the
 * branch is not are left in @not_taken (*n_not of them, at most 2) for
 * the caller to point at the block's way out.
 */
void jit_emit_branch(JitBlock *b, uint32_t w, unsigned last, uint64_t cia,
                     uint64_t target, int local, unsigned head,
                     uint8_t *body, uint8_t **not_taken, unsigned *n_not);
/* Unconditional bclr/bcctr (blr, bctr, bctrl ...). */
bool jit_is_branch_to_reg(uint32_t w);
void jit_emit_branch_to_reg(JitBlock *b, uint32_t w, unsigned last,
                            uint64_t cia, uint64_t page_ea);

/* ---- guest registers in generated code (jit-insn.c, jit-mem.c) ---- */

/* Instruction fields (Book I 1.6). */
#define F_RT(i)     (((i) >> 21) & 31)
#define F_RA(i)     (((i) >> 16) & 31)
#define F_RB(i)     (((i) >> 11) & 31)
#define F_XO10(i)   (((i) >> 1) & 0x3FF)
#define F_RC(i)     ((i) & 1)
#define F_SIMM(i)   ((int32_t)(int16_t)(i))
#define F_UIMM(i)   ((i) & 0xFFFF)

#define ENV(f)      ((int32_t)offsetof(CPUPPCState, f))

/* Where cacheable register @g (a GPR, or JIT_XER) lives in env. */
static inline int32_t jit_cache_off(unsigned g)
{
    return g == JIT_XER ? ENV(xer)
                        : (int32_t)(offsetof(CPUPPCState, gpr) + 8 * g);
}

static inline JitBlock *jit_block_of(X86Emit *e)
{
    return (JitBlock *)((char *)e - offsetof(JitBlock, e));
}

/*
 * Guest register @g (a GPR, or JIT_XER): its host register when the block
 * caches it, else its place in env. Every emitter reaches them so.
 */
static inline void jit_load(X86Emit *e, X86Reg r, unsigned g)
{
    int h = jit_block_of(e)->host_reg[g];

    if (h >= 0) {
        x86_mov_rr(e, r, (X86Reg)h);
    } else {
        x86_load64(e, r, RDI, jit_cache_off(g));
    }
}

static inline void jit_store(X86Emit *e, X86Reg r, unsigned g)
{
    JitBlock *b = jit_block_of(e);

    if (b->host_reg[g] >= 0) {
        x86_mov_rr(e, (X86Reg)b->host_reg[g], r);
        b->dirty |= 1ULL << g;
    } else {
        x86_store64(e, r, RDI, jit_cache_off(g));
    }
}

/* r op= GPR @g */
static inline void jit_alu(X86Emit *e, X86Alu op, X86Reg r, unsigned g)
{
    int h = jit_block_of(e)->host_reg[g];

    if (h >= 0) {
        x86_alu_rr(e, op, r, (X86Reg)h);
    } else {
        x86_alu_rm(e, op, r, RDI, jit_cache_off(g));
    }
}

/* r = (RA|0) */
static inline void jit_load_or_zero(X86Emit *e, X86Reg r, unsigned g)
{
    if (g) {
        jit_load(e, r, g);
    } else {
        x86_alu32_rr(e, ALU_XOR, r, r);
    }
}

/* Loads and stores (jit-mem.c); false for forms it does not compile. */
bool jit_emit_dform_access(JitBlock *b, uint32_t insn);
bool jit_emit_xform_access(JitBlock *b, uint32_t insn);

#endif
