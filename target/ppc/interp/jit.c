/*
 * Block compiler: straight-line runs of a hot decoded page become x86-64
 * host code (jit-insn.c emits each guest instruction, jit-branch.c the
 * branch that may end a block). The guest GPRs a block uses most are
 * kept in host registers while it runs (jit.h).
 *
 * A compiled block replaces the handler of its first slot and has the
 * handler's signature and contract (interp-internal.h), so the run loop,
 * the chaining and the counting do not know it exists:
 *
 *   - it runs slots [head, head + n) and then continues with slot
 *     head + n exactly as next_insn() would: a tail jump to its handler,
 *     or that slot returned when the run loop's limit is reached there.
 *     Counting is by slot distance, so a block needs no counter;
 *   - it is entered only when the whole block fits below run->limit and
 *     nothing that the interpreter checks per access is in the way (a
 *     poisoned page, a stale TLB, another MMU mode than it was compiled
 *     for); otherwise it jumps to the slot's original handler;
 *   - any instruction that cannot finish on the fast path (TLB miss,
 *     misalignment, RAM end) leaves the block *before* changing anything,
 *     by jumping to its own slot's handler, so the interpreter redoes it
 *     with every slow path and interrupt it knows. A store that hit a
 *     decoded line or the dirty log finishes through
 *     interp_store_done_slow(), as the interpreter's stores do.
 *
 * The interior slots keep their handlers, so a branch into the middle of
 * a block is interpreted up to the next block head. Only slots already
 * decoded (executed once) are compiled, only in 64-bit mode, and only the
 * instructions jit-insn.c knows; the rest stays interpreted.
 *
 * Code lives in a per-vCPU buffer, like the decoded pages it belongs to
 * (only the vCPU's own thread touches either). When it fills, every
 * decoded page of the vCPU is dropped with it, between two chains.
 * interp_jit_threshold and the buffer limit are process-wide settings,
 * written before vCPU threads run (ppc_interp_set_jit()).
 */
#include "interp-internal.h"
#include "jit.h"

#include <stddef.h>
#include <sys/mman.h>

#if defined(__x86_64__)

unsigned interp_jit_threshold = PPC_JIT_DEFAULT_THRESHOLD;

#define JIT_BUFFER_SIZE     (32u << 20)

/* Room one block may need at most (JIT_BLOCK_MAX instructions). */
#define JIT_BLOCK_ROOM      (JIT_BLOCK_MAX * JIT_INSN_MAX_BYTES + 256)

/* How much of each buffer is used before it counts as full (tests). */
static size_t jit_buffer_limit = JIT_BUFFER_SIZE;

void interp_jit_set_buffer_limit(size_t bytes)
{
    jit_buffer_limit = MIN(MAX(bytes, (size_t)JIT_BLOCK_ROOM), (size_t)JIT_BUFFER_SIZE);
}

struct PPCJit {
    uint8_t *base;
    size_t used;
    PPCJitStats stats;
};

bool ppc_interp_set_jit(unsigned threshold)
{
    interp_jit_threshold = threshold;
    return true;
}

static PPCJit *jit_get(PPCInterpState *st)
{
    if (!st->jit) {
        void *mem = mmap(NULL, JIT_BUFFER_SIZE,
                         PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED) {
            /* No executable memory (hardened host): stay interpreted. */
            return NULL;
        }
        st->jit = g_new0(PPCJit, 1);
        st->jit->base = mem;
    }
    return st->jit;
}

void interp_jit_free(PPCInterpState *st)
{
    if (st->jit) {
        munmap(st->jit->base, JIT_BUFFER_SIZE);
        g_free(st->jit);
        st->jit = NULL;
    }
}

void interp_jit_flush(PPCInterpState *st)
{
    for (unsigned i = 0; i < ICACHE_PAGES; i++) {
        if (st->pages[i]) {
            st->pages[i]->key = PAGE_KEY_NONE;
        }
    }
    st->jit->used = 0;
    st->jit_full = false;
    st->jit->stats.flushes++;
}

void ppc_interp_jit_stats(PowerPCCPU *cpu, PPCJitStats *out)
{
    PPCInterpState *st = cpu->accel_priv;

    memset(out, 0, sizeof(*out));
    if (st && st->jit) {
        *out = st->jit->stats;
    }
}

/* ---- Block frame: entry checks, the way out, exits ---- */


/* Jumps to the fallback (the head slot's own handler), patched at the end. */
static void jcc_fallback(JitBlock *b, X86Cond cc)
{
    g_assert(b->n_fallback < G_N_ELEMENTS(b->fallback));
    b->fallback[b->n_fallback++] = x86_jcc_fwd(&b->e, cc);
}

/*
 * The checks the interpreter makes on every access, made once at entry:
 * they only change from other threads (poison, TLB flushes), whose
 * effects the vCPU may see at any instruction boundary.
 */
static void emit_entry(JitBlock *b, unsigned n)
{
    X86Emit *e = &b->e;

    /* The block runs to slot head + n - 1: head + n may be the limit. */
    x86_lea(e, RAX, RDX, (int32_t)(n * sizeof(PPCInsn)));
    x86_alu_rm(e, ALU_CMP, RAX, RSI, RUN_OFF(limit));
    jcc_fallback(b, CC_A);
    if (!b->uses_memory) {
        return;
    }
    x86_load64(e, RAX, RSI, RUN_OFF(ram));
    x86_cmp_mem_imm(e, false, RAX, (int32_t)offsetof(GuestMemory, poison_count), 0);
    jcc_fallback(b, CC_NE);
    if (b->translated) {
        x86_load64(e, R10, RSI, RUN_OFF(dtlb));
        x86_test_rr(e, R10, R10);
        jcc_fallback(b, CC_E);
        x86_load64(e, RAX, RSI, RUN_OFF(flush_gen));
        x86_load64(e, RAX, RAX, 0);
        x86_load64(e, RCX, RSI, RUN_OFF(st));
        x86_alu_rm(e, ALU_CMP, RAX, RCX, (int32_t)offsetof(PPCInterpState, tlb_gen));
        jcc_fallback(b, CC_NE);
    } else {
        x86_cmp_mem_imm(e, true, RSI, RUN_OFF(dtlb), 0);
        jcc_fallback(b, CC_NE);
        x86_load64(e, R10, RSI, RUN_OFF(fast_limit));
    }
    x86_load64(e, R11, RSI, RUN_OFF(host));
}


/* After the entry checks: save the cache registers, load what they cache. */
static void emit_cache_load(JitBlock *b)
{
    for (unsigned i = 0; i < b->n_saved; i++) {
        x86_rex(&b->e, false, 0, b->saved[i], false);
        x86_byte(&b->e, (uint8_t)(0x50 + (b->saved[i] & 7)));     /* push */
    }
    for (unsigned g = 0; g < JIT_CACHEABLE; g++) {
        if (b->host_reg[g] >= 0) {
            x86_load64(&b->e, (X86Reg)b->host_reg[g], RDI, jit_cache_off(g));
        }
    }
}

/* Leaving the block: changed cached registers back to env, pops. */
void jit_cache_release(JitBlock *b, uint64_t dirty)
{
    for (unsigned g = 0; g < JIT_CACHEABLE; g++) {
        if (b->host_reg[g] >= 0 && (dirty & (1ULL << g))) {
            x86_store64(&b->e, (X86Reg)b->host_reg[g], RDI, jit_cache_off(g));
        }
    }
    for (unsigned i = b->n_saved; i-- > 0;) {
        x86_rex(&b->e, false, 0, b->saved[i], false);
        x86_byte(&b->e, (uint8_t)(0x58 + (b->saved[i] & 7)));     /* pop */
    }
}

/*
 * How often @w touches XER in a block: the carrying adds read and write
 * CA; compares and Rc=1 read SO (roughly: it only weighs the choice).
 */
static unsigned xer_uses(uint32_t w)
{
    unsigned op = w >> 26, xo = (w >> 1) & 0x3FF;

    if (op == 8 || (op == 31 && (xo == 10 || xo == 138 || xo == 234 ||
                                 xo == 202 || xo == 8 || xo == 136 ||
                                 xo == 232 || xo == 200))) {
        return 2;
    }
    return op == 10 || op == 11 || op == 28 || op == 29 ||
           (op == 31 && (xo == 0 || xo == 32)) || (w & 1);
}

/*
 * Cache the guest registers the block names most often (at least twice),
 * counting the register fields each instruction form has, and XER.
 */
static void choose_cached_regs(JitBlock *b, const uint32_t *words, unsigned n)
{
    static const X86Reg cache_regs[JIT_CACHE_REGS] = {
        RBX, RBP, R12, R13, R14, R15,
    };
    unsigned uses[JIT_CACHEABLE] = { 0 };

    for (unsigned i = 0; i < n; i++) {
        uint32_t w = words[i];
        unsigned op = w >> 26;
        uses[(w >> 21) & 31]++;
        uses[(w >> 16) & 31]++;
        if (op == 31) {
            uses[(w >> 11) & 31]++;
        }
        uses[JIT_XER] += xer_uses(w);
    }
    memset(b->host_reg, -1, sizeof(b->host_reg));
    b->n_saved = 0;
    while (b->n_saved < JIT_CACHE_REGS) {
        unsigned best = 0;
        for (unsigned g = 1; g < JIT_CACHEABLE; g++) {
            if (uses[g] > uses[best]) {
                best = g;
            }
        }
        if (uses[best] < 2) {
            break;
        }
        uses[best] = 0;
        b->host_reg[best] = (int8_t)cache_regs[b->n_saved];
        b->saved[b->n_saved] = cache_regs[b->n_saved];
        b->n_saved++;
    }
}

/* After the last instruction: next_insn(env, run, head + n). */
static void emit_way_out(JitBlock *b, unsigned n)
{
    X86Emit *e = &b->e;
    uint8_t *to_ret;

    jit_cache_release(b, b->dirty);
    x86_lea(e, RDX, RDX, (int32_t)(n * sizeof(PPCInsn)));
    x86_alu_rm(e, ALU_CMP, RDX, RSI, RUN_OFF(limit));
    to_ret = x86_jcc_fwd(e, CC_AE);
    x86_jmp_mem(e, RDX, (int32_t)offsetof(PPCInsn, fn));
    x86_patch(to_ret, e->p);
    x86_mov_rr(e, RAX, RDX);
    x86_ret(e);
}

static void emit_exits(JitBlock *b, PPCHandler head_fn)
{
    X86Emit *e = &b->e;

    for (unsigned i = 0; i < b->n_exits; i++) {
        JitExit *x = &b->exits[i];
        int32_t off = (int32_t)(x->slot * sizeof(PPCInsn));

        x86_patch(x->at, e->p);
        jit_cache_release(b, x->dirty);
        if (x->store_len) {
            /* interp_store_done_slow(env, run, slot, p = r8, len) */
            x86_lea(e, RDX, RDX, off);
            x86_mov_rr(e, RCX, R8);
            x86_mov_imm(e, R8, x->store_len);
            x86_mov_imm(e, RAX, (uintptr_t)interp_store_done_slow);
            x86_jmp_reg(e, RAX);
        } else if (x->slot == 0) {
            /* The head's own instruction: its handler redoes it. */
            x86_mov_imm(e, RAX, (uintptr_t)head_fn);
            x86_jmp_reg(e, RAX);
        } else {
            /* Redo this instruction in the interpreter. */
            x86_lea(e, RDX, RDX, off);
            x86_jmp_mem(e, RDX, (int32_t)offsetof(PPCInsn, fn));
        }
    }
    for (unsigned i = 0; i < b->n_fallback; i++) {
        x86_patch(b->fallback[i], e->p);
    }
    x86_mov_imm(e, RAX, (uintptr_t)head_fn);
    x86_jmp_reg(e, RAX);
}

void jit_add_exit(JitBlock *b, uint8_t *at, unsigned store_len)
{
    g_assert(b->n_exits < G_N_ELEMENTS(b->exits));
    b->exits[b->n_exits++] = (JitExit){
        .at = at, .slot = b->slot, .store_len = store_len, .dirty = b->dirty,
    };
}

/* ---- Which slots become blocks ---- */

static bool slot_decoded(const PPCInsn *d)
{
    return d->fn != interp_op_decode && d->fn != interp_op_illegal &&
           d->fn != interp_op_illegal_insn;
}

static bool slot_in_block(const PPCDecodedPage *page, unsigned i)
{
    return (page->jit_done[i / 64] >> (i % 64)) & 1;
}

/* Decoded and not yet part of a block: what a block may cover. */
static bool slot_compilable(const PPCDecodedPage *page, unsigned i)
{
    return !slot_in_block(page, i) && slot_decoded(&page->insn[i]);
}

/* Slots that in-page b/bc branches target: a block must start there. */
static void find_branch_targets(const uint32_t *words, const PPCDecodedPage *page,
                                uint8_t *target)
{
    uint64_t page_ea = page->key & ~(uint64_t)(GUEST_PAGE_SIZE - 1);

    for (unsigned i = 0; i < INSNS_PER_PAGE; i++) {
        uint64_t ea;
        int local;

        if (slot_decoded(&page->insn[i]) && !slot_in_block(page, i) &&
            jit_block_branch(words[i], page_ea + 4 * i, page_ea, &ea, &local) &&
            local >= 0) {
            target[local] = 1;
        }
    }
}

/*
 * Emit the block starting at slot @head; returns how many instructions it
 * covers (0: nothing worth compiling there, nothing emitted).
 */
/* Every guest register the block caches. */
static uint64_t all_cached(const JitBlock *b)
{
    uint64_t m = 0;

    for (unsigned g = 0; g < JIT_CACHEABLE; g++) {
        if (b->host_reg[g] >= 0) {
            m |= 1ULL << g;
        }
    }
    return m;
}

static unsigned compile_block(JitBlock *b, PPCDecodedPage *page,
                              const uint32_t *words, const uint8_t *target,
                              unsigned head)
{
    uint8_t *start = b->e.p, *body;
    uint8_t *not_taken[2];
    unsigned n = 0, n_not = 0;
    uint64_t page_ea = page->key & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
    uint64_t branch_target = 0;
    int local = -1;
    bool branch;

    /* Pass 1: the extent, and whether any access needs the entry checks. */
    b->uses_memory = false;
    memset(b->host_reg, -1, sizeof(b->host_reg));
    b->n_saved = 0;
    while (head + n < INSNS_PER_PAGE && n < JIT_BLOCK_MAX &&
           (n == 0 || !target[head + n]) &&
           slot_compilable(page, head + n)) {
        uint8_t *mark = b->e.p;
        b->n_exits = 0;
        b->n_fallback = 0;
        b->slot = n;
        if (!jit_emit_insn(b, words[head + n])) {
            break;
        }
        b->e.p = mark;
        n++;
    }
    b->e.p = start;
    /* A branch right after the run ends the block. */
    branch = n > 0 && head + n < INSNS_PER_PAGE && !target[head + n] &&
             slot_compilable(page, head + n) &&
             (jit_block_branch(words[head + n], page_ea + 4 * (head + n), page_ea,
                           &branch_target, &local) ||
              jit_is_branch_to_reg(words[head + n]));
    if (branch) {
        n++;
    }
    if (n < 2) {
        return 0;
    }
    /* Pass 2: for real. */
    b->n_exits = 0;
    b->n_fallback = 0;
    choose_cached_regs(b, words + head, n);
    /* Going round a loop, any cached register may be changed already. */
    b->dirty = branch && (unsigned)local == head ? all_cached(b) : 0;
    emit_entry(b, n);
    emit_cache_load(b);
    body = b->e.p;
    for (unsigned i = 0; i < n - branch; i++) {
        b->slot = i;
        if (!jit_emit_insn(b, words[head + i])) {
            g_assert_not_reached();
        }
    }
    if (branch && jit_is_branch_to_reg(words[head + n - 1])) {
        b->slot = n - 1;
        jit_emit_branch_to_reg(b, words[head + n - 1], n - 1,
                           page_ea + 4 * (head + n - 1), page_ea);
    } else if (branch) {
        b->slot = n - 1;
        jit_emit_branch(b, words[head + n - 1], n - 1, page_ea + 4 * (head + n - 1),
                    branch_target, local, head, body, not_taken, &n_not);
    }
    for (unsigned i = 0; i < n_not; i++) {
        x86_patch(not_taken[i], b->e.p);
    }
    emit_way_out(b, n);
    emit_exits(b, page->insn[head].fn);
    return n;
}

void interp_jit_page(PPCRun *run, PPCDecodedPage *page)
{
    PPCJit *jit;
    uint32_t words[INSNS_PER_PAGE];
    uint8_t target[INSNS_PER_PAGE] = { 0 };
    bool le = (page->key & PAGE_KEY_LE) != 0;
    JitBlock b = {
        .le = le,
        .translated = run->dtlb != NULL,
    };

    /* Code decoded later (paths not taken yet) gets its turn later. */
    page->jit_next = page->entries < UINT32_MAX / 4 ? page->entries * 4
                                                    : UINT32_MAX;
    if (!interp_jit_threshold || !(page->key & PAGE_KEY_SF) ||
        !guest_range_valid(run->ram, page->ra, GUEST_PAGE_SIZE) ||
        __atomic_load_n(&interp_code_gen[page->gen_index], __ATOMIC_ACQUIRE) !=
            page->gen) {
        return;
    }
    jit = jit_get(run->st);
    if (!jit || run->st->jit_full) {
        return;
    }
    /* Only what was decoded: the rest of the page may be data that other
     * threads write (and is never compiled). */
    for (unsigned i = 0; i < INSNS_PER_PAGE; i++) {
        words[i] = slot_decoded(&page->insn[i])
                   ? (uint32_t)mem_load(run->host + page->ra + 4 * i, 4, le) : 0;
    }
    find_branch_targets(words, page, target);
    for (unsigned i = 0; i < INSNS_PER_PAGE;) {
        unsigned n;

        if (jit->used + JIT_BLOCK_ROOM > jit_buffer_limit) {
            run->st->jit_full = true;
            return;
        }
        b.e.p = jit->base + jit->used;
        n = compile_block(&b, page, words, target, i);
        if (n == 0) {
            i++;
            continue;
        }
        /* 16-byte aligned entries, as compilers align functions. */
        size_t len = (size_t)(b.e.p - (jit->base + jit->used));
        page->insn[i].fn = (PPCHandler)(void *)(jit->base + jit->used);
        jit->used += (len + 15) & ~(size_t)15;
        for (unsigned k = i; k < i + n; k++) {
            page->jit_done[k / 64] |= 1ULL << (k % 64);
        }
        jit->stats.blocks++;
        jit->stats.insns += n;
        jit->stats.code_bytes += len;
        i += n;
    }
}

#else   /* no compiler for this host */

void interp_jit_set_buffer_limit(size_t bytes)
{
    (void)bytes;
}

unsigned interp_jit_threshold;

bool ppc_interp_set_jit(unsigned threshold)
{
    (void)threshold;
    return false;
}

void interp_jit_page(PPCRun *run, PPCDecodedPage *page)
{
    (void)run;
    (void)page;
}

void interp_jit_free(PPCInterpState *st)
{
    (void)st;
}

void interp_jit_flush(PPCInterpState *st)
{
    (void)st;
}

void ppc_interp_jit_stats(PowerPCCPU *cpu, PPCJitStats *out)
{
    (void)cpu;
    memset(out, 0, sizeof(*out));
}

#endif
