/*
 * Software CPU: run loop, decoded-page cache and its invalidation,
 * interrupt and memory-fault slow paths.
 *
 * The decode cache is private to each vCPU (cpu->accel_priv), so only its
 * own thread ever touches it. Code modification is made visible across
 * threads through two global tables (interp-internal.h): a bitmap of the
 * 128-byte lines something was decoded from, and per-page generation
 * counters. A store to a marked line, icbi, or ppc_interp_invalidate()
 * bumps the generation; a vCPU revalidates its page against it on every
 * page entry and taken branch, and after isync, so cross-modifying code
 * that follows the architected sequence (store; sync; icbi; isync, Book II
 * 1.8) always sees the new instructions.
 */
#include "interp-internal.h"
#include "jit.h"

#include "system/trace.h"

#include <stdlib.h>

#define SLICE_INSNS     4096    /* exit_request is checked at least this often */
#define DEC_NEGATIVE    0x80000000u
/*
 * Longest handler chain (next_insn) between two returns to the run loop.
 * With tail calls a chain costs no stack; the bound keeps it small where
 * the compiler keeps the calls. A straight-line chain also ends at the
 * page's end (its sentinel returns to the loop).
 */
#define CHAIN_MAX       1024

/* Walks of vCPUs that belong to no machine (tests): no process table. */
static PPCRadixPartition no_partition;

uint8_t interp_code_lines[1u << (CODE_LINE_BITS - 3)];
uint32_t interp_code_gen[1u << CODE_GEN_BITS];

/* ---- Code-modification tracking ---- */

void interp_mark_code_line(uint64_t ra)
{
    uint64_t line = (ra >> CODE_LINE_SHIFT) & ((1u << CODE_LINE_BITS) - 1);
    uint8_t bit = (uint8_t)(1u << (line & 7));

    if (!(__atomic_load_n(&interp_code_lines[line >> 3], __ATOMIC_RELAXED) &
          bit)) {
        /* Ordered before the instruction word is read: see interp_decode. */
        __atomic_fetch_or(&interp_code_lines[line >> 3], bit,
                          __ATOMIC_SEQ_CST);
    }
}

void interp_bump_code_gen(uint64_t ra, uint64_t len)
{
    uint64_t first = ra >> GUEST_PAGE_SHIFT;
    uint64_t last = (ra + (len ? len - 1 : 0)) >> GUEST_PAGE_SHIFT;
    uint64_t n = last - first + 1;

    if (n > (1u << CODE_GEN_BITS)) {
        n = 1u << CODE_GEN_BITS;    /* every counter once is enough */
    }
    for (uint64_t i = 0; i < n; i++) {
        __atomic_fetch_add(&interp_code_gen[(first + i) &
                                            ((1u << CODE_GEN_BITS) - 1)],
                           1, __ATOMIC_SEQ_CST);
    }
}

void ppc_interp_invalidate(uint64_t addr, uint64_t len)
{
    if (len == 0) {
        return;
    }
    interp_bump_code_gen(addr & REAL_ADDR_MASK, len);
}

/*
 * A store hit a line that some vCPU decoded: invalidate the page(s) and
 * leave the fast path, so that this vCPU, too, refetches what follows.
 * The marks are cleared first (a vCPU that decodes the line again marks
 * it again before reading it), so code pages recycled as data stop
 * paying for this after the first store.
 */
PPCInsn *interp_code_written(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                             uint64_t ra, uint64_t len)
{
    for (uint64_t line = ra >> CODE_LINE_SHIFT;
         line <= (ra + len - 1) >> CODE_LINE_SHIFT; line++) {
        uint64_t bit = line & ((1u << CODE_LINE_BITS) - 1);
        __atomic_fetch_and(&interp_code_lines[bit >> 3],
                           (uint8_t)~(1u << (bit & 7)), __ATOMIC_SEQ_CST);
    }
    interp_bump_code_gen(ra, len);
    return continue_at(env, run, d, next_insn_addr(run, d));
}

PPCInsn *interp_store_done_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                                const uint8_t *p, unsigned len)
{
    uint64_t ra = (uint64_t)(p - run->host);

    if (p == run->bounce) {
        return interp_bounce_store(env, run, d, len);
    }
    guest_mark_dirty(run->ram, ra, len);     /* migration's dirty log */
    if (code_line_marked(ra) || code_line_marked(ra + len - 1)) {
        return interp_code_written(env, run, d, ra, len);
    }
    return d + 1;
}

/* ---- Per-vCPU decoded-page cache ---- */

static PPCInterpState *interp_state(PowerPCCPU *cpu, GuestMemory *ram)
{
    PPCInterpState *st = cpu->accel_priv;

    if (!st) {
        st = g_new0(PPCInterpState, 1);
        interp_tlb_flush_all(st);
        cpu->accel_priv = st;
    }
    if (st->host != ram->host) {
        interp_tlb_flush_all(st);
        /* Another RAM behind the same vCPU (tests): nothing is valid. */
        for (unsigned i = 0; i < ICACHE_PAGES; i++) {
            if (st->pages[i]) {
                st->pages[i]->key = PAGE_KEY_NONE;
            }
        }
        st->host = ram->host;
    }
    return st;
}

void ppc_interp_cpu_finalize(PowerPCCPU *cpu)
{
    PPCInterpState *st = cpu->accel_priv;

    if (!st) {
        return;
    }
    for (unsigned i = 0; i < ICACHE_PAGES; i++) {
        free(st->pages[i]);
    }
    interp_jit_free(st);
    g_free(st);
    cpu->accel_priv = NULL;
}

/* op_decode is interp_op_decode (jit.c tells decoded slots by it). */
INTERP_OP(op_page_end);

static void page_reset(PPCDecodedPage *page, uint64_t key, uint32_t gen_index,
                       uint32_t gen)
{
    page->key = key;
    page->gen_index = gen_index;
    page->gen = gen;
    page->entries = 0;
    page->jit_next = interp_jit_threshold ? interp_jit_threshold : UINT32_MAX;
    memset(page->jit_done, 0, sizeof(page->jit_done));
    for (unsigned i = 0; i < INSNS_PER_PAGE; i++) {
        page->insn[i].fn = interp_op_decode;
    }
    page->insn[INSNS_PER_PAGE].fn = op_page_end;
}

/*
 * Consecutive EA pages get consecutive slots; the EA -> RA offset is
 * mixed in so that processes mapping one EA to different code do not all
 * fight over one slot (the offset is constant for real mode and for the
 * kernel's linear map).
 */
static unsigned page_hash(uint64_t key, uint64_t ra)
{
    uint64_t offset = (ra - (key & ~(GUEST_PAGE_SIZE - 1))) >> GUEST_PAGE_SHIFT;

    return ((key >> GUEST_PAGE_SHIFT) ^ ((key & 3) << 6) ^
            ((offset * 0x9E3779B97F4A7C15ULL) >> 56)) & (ICACHE_PAGES - 1);
}

/* The decoded page for @key translated to the real page @ra. */
static PPCDecodedPage *page_lookup(PPCRun *run, uint64_t key, uint64_t ra)
{
    PPCDecodedPage **slot = &run->st->pages[page_hash(key, ra)];
    PPCDecodedPage *page = *slot;
    uint32_t gen_index = (ra >> GUEST_PAGE_SHIFT) & ((1u << CODE_GEN_BITS) - 1);
    uint32_t gen = __atomic_load_n(&interp_code_gen[gen_index],
                                   __ATOMIC_ACQUIRE);

    if (!page) {
        void *mem = NULL;
        if (posix_memalign(&mem, 64, sizeof(PPCDecodedPage)) != 0) {
            g_error("interp: out of memory for the decode cache");
        }
        page = mem;
        page->key = PAGE_KEY_NONE;
        *slot = page;
    }
    if (page->key != key || page->ra != ra || page->gen != gen ||
        page->gen_index != gen_index) {
        page_reset(page, key, gen_index, gen);
        page->ra = ra;
    }
    return page;
}

/*
 * Instruction fetch for env->nip, through the page cache: returns the slot
 * to execute, or NULL when an ISI or a machine check was raised instead.
 */
static PPCInsn *fetch_insn(CPUPPCState *env, PPCRun *run)
{
    PowerPCCPU *cpu = run->cpu;
    uint64_t nip = env->nip & run->ea_mask & ~3ULL;
    uint64_t ra = nip & run->ra_mask;
    uint64_t page_ra;
    uint64_t key;

    env->nip = nip;
    if (unlikely(env->msr & MSR_IR)) {
        if (!interp_fetch_xlate(env, run, nip, &page_ra)) {
            return NULL;
        }
        ra = page_ra | (nip & (GUEST_PAGE_SIZE - 1));
    }
    page_ra = ra & ~(GUEST_PAGE_SIZE - 1);
    if (unlikely(!guest_range_valid(run->ram, ra, 4)) ||
        unlikely(guest_poison_take(run->ram, ra, 4))) {
        ppc_hook_machine_check_access(cpu, nip, ra, PPC_ACCESS_IFETCH);
        run->stop = true;
        return NULL;
    }
    key = (nip & ~(GUEST_PAGE_SIZE - 1)) |
          ((env->msr & MSR_LE) ? PAGE_KEY_LE : 0) |
          ((env->msr & MSR_SF) ? PAGE_KEY_SF : 0);
    if (unlikely(run->st->jit_full)) {
        interp_jit_flush(run->st);      /* between chains: no code runs */
    }
    run->page = page_lookup(run, key, page_ra);
    if (unlikely(++run->page->entries >= run->page->jit_next)) {
        interp_jit_page(run, run->page);
    }
    run->page_ea = nip & ~(GUEST_PAGE_SIZE - 1);
    run->page_ra = page_ra;
    run->gen_ptr = &interp_code_gen[run->page->gen_index];
    return &run->page->insn[(nip & (GUEST_PAGE_SIZE - 1)) >> 2];
}

/*
 * First execution of a slot: decode the word in memory (at the page's
 * translated real address), then run it.
 */
PPCInsn *interp_op_decode(CPUPPCState *env, PPCRun *run, PPCInsn *d)
{
    uint64_t cia = insn_addr(run, d);
    uint64_t ra = run->page_ra + (cia & (GUEST_PAGE_SIZE - 1));
    uint32_t raw;
    PPCDecodeCtx ctx = {
        .cia = cia,
        .le = (run->page->key & PAGE_KEY_LE) != 0,
        .sf = (run->page->key & PAGE_KEY_SF) != 0,
        .run = run,
    };

    if (unlikely(!guest_range_valid(run->ram, ra, 4)) ||
        unlikely(guest_poison_take(run->ram, ra, 4))) {
        /* The page runs past the end of RAM. */
        env->nip = cia;
        ppc_hook_machine_check_access(run->cpu, cia, ra, PPC_ACCESS_IFETCH);
        run->stop = true;
        return leave_from(run, d);
    }
    /*
     * Mark the line before reading it: a store that misses the mark was
     * made before our read and is therefore seen by it.
     */
    interp_mark_code_line(ra);
    raw = (uint32_t)mem_load(run->host + ra, 4, ctx.le);
    interp_decode(d, raw, &ctx);
    return d->fn(env, run, d);
}

/* Sentinel after the last slot: fall through into the next page. */
INTERP_OP(op_page_end)
{
    run->uncounted++;   /* not an instruction */
    return continue_at(env, run, d, (run->page_ea + GUEST_PAGE_SIZE) & run->ea_mask);
}

/* ---- Interrupts ---- */

PPCInsn *interp_raise(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                      uint64_t vector, uint64_t srr1_cause)
{
    uint64_t cia = insn_addr(run, d);

    env->nip = cia;
    ppc_cpu_do_interrupt(run->cpu, vector, cia, srr1_cause);
    run->stop = true;
    return leave_from(run, d);
}

PPCInsn *interp_raise_program(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                              uint64_t cause)
{
    return interp_raise(env, run, d, EXCP_PROGRAM, cause);
}

PPCInsn *interp_raise_alignment(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                                uint64_t ea)
{
    env->dar = ea;
    return interp_raise(env, run, d, EXCP_ALIGNMENT, 0);
}

PPCInsn *interp_op_illegal(CPUPPCState *env, PPCRun *run, PPCInsn *d)
{
    return interp_raise_program(env, run, d, SRR1_PROGRAM_ILLEGAL);
}

/* An instruction nobody decodes: its word was kept in d->target. */
PPCInsn *interp_op_illegal_insn(CPUPPCState *env, PPCRun *run, PPCInsn *d)
{
    trace_unimp("guest error", "CPU %d NIP 0x%016" G_GINT64_MODIFIER "x: "
                "illegal instruction 0x%08" G_GINT64_MODIFIER "x",
                run->cpu->index, insn_addr(run, d), d->target);
    return interp_op_illegal(env, run, d);
}

/*
 * Data access that missed the fast path: translation on (TLB miss, page
 * crossing: tlb.c), outside RAM or poisoned (machine check through the
 * machine's hook).
 */
static uint8_t *mem_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                         uint64_t ea, unsigned size, PPCAccessKind kind)
{
    uint64_t ra = ea & run->ra_mask;

    if (run->dtlb) {
        return interp_mem_xlate(env, run, d, ea, size, kind);
    }
    if (!guest_range_valid(run->ram, ra, size) ||
        guest_poison_take(run->ram, ra, size)) {
        env->nip = insn_addr(run, d);
        ppc_hook_machine_check_access(run->cpu, ea, ra, kind);
        run->stop = true;
        return NULL;
    }
    return run->host + ra;
}

uint8_t *interp_mem_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                         uint64_t ea, unsigned size, PPCAccessKind kind)
{
    uint8_t *p = mem_slow(env, run, d, ea, size, kind);

    if (!p) {
        leave_from(run, d);     /* the caller returns NULL */
    }
    return p;
}

/* ---- Run loop ---- */

static void run_sync_mode(PPCRun *run, const CPUPPCState *env)
{
    bool sf = (env->msr & MSR_SF) != 0;
    PPCTlbEntry *tlb = run->st->tlb[(env->msr & MSR_PR) ? 1 : 0];

    run->ea_mask = sf ? ~0ULL : 0xFFFFFFFFULL;
    run->ra_mask = sf ? REAL_ADDR_MASK : 0xFFFFFFFFULL;
    run->fast_limit = (env->msr & MSR_DR) ? 0 : run->ram->size;
    run->dtlb = (env->msr & MSR_DR) ? tlb : NULL;
    run->itlb = tlb;
    run->stop = false;
}

/* Decrementer interrupt (Book III 6.5.11) at an instruction boundary. */
static void check_decrementer(PowerPCCPU *cpu)
{
    if ((cpu->env.msr & MSR_EE) && (ppc_cpu_get_dec(cpu) & DEC_NEGATIVE)) {
        ppc_cpu_do_interrupt(cpu, EXCP_DECREMENTER, cpu->env.nip, 0);
    }
}

/*
 * External interrupt (Book III 6.5.7) at an instruction boundary: the
 * interrupt controller's line is a lock-free flag (PowerPCCPU.irq_pending,
 * raised by hw/intc/xics.c under the BQL, with a kick). It stays up until
 * the guest accepts the interrupt (H_XIRR), so it is level-triggered: with
 * EE off it simply waits. Checked after every hypercall and mtmsr/rfid
 * (they end the slice) and after every kick.
 */
static void check_external(PowerPCCPU *cpu)
{
    if ((cpu->env.msr & MSR_EE) &&
        __atomic_load_n(&cpu->irq_pending, __ATOMIC_ACQUIRE)) {
        ppc_cpu_do_interrupt(cpu, EXCP_EXTERNAL, cpu->env.nip, 0);
    }
}

/*
 * Instructions a chain executed that ended with a NULL return: its
 * earlier segments, and the current one up to and including the slot
 * that left the fast path. Every such path records that slot
 * (leave_from()); were one to miss it, the count would only be short.
 */
static uint64_t chain_done(const PPCRun *run)
{
    uintptr_t last = (uintptr_t)run->last, seg = (uintptr_t)run->seg;

    if (unlikely(last < seg || last - seg >= run->budget * sizeof(PPCInsn))) {
        last = seg;
    }
    return run->chained + (last - seg) / sizeof(PPCInsn) + 1;
}

/*
 * Execute up to @slice instructions without re-checking the mode; returns
 * how many were executed (an instruction that raised an interrupt counts).
 */
static uint64_t run_slice(CPUPPCState *env, PPCRun *run, uint64_t slice)
{
    uint64_t left = slice;

    while (left > 0) {
        PPCInsn *d = fetch_insn(env, run);
        if (!d) {
            left--;             /* the fault takes the place of an insn */
            break;
        }
        for (;;) {
            /* A chain of up to @left instructions from @d (next_insn). */
            PPCInsn *r;
            run->seg = d;
            run->last = NULL;
            run->chained = 0;
            run->budget = MIN(left, (uint64_t)CHAIN_MAX);
            run->limit = (uintptr_t)d + run->budget * sizeof(PPCInsn);
            r = d->fn(env, run, d);
            if (likely(r == NULL)) {
                left -= MIN(chain_done(run), left);
                break;
            }
            left -= run->chained + (uint64_t)(r - run->seg);
            d = r;
            if (left == 0) {
                env->nip = insn_addr(run, d);
                return slice;
            }
        }
        left += run->uncounted;
        run->uncounted = 0;
        if (run->stop || exit_requested(run)) {
            break;
        }
    }
    return slice - left;
}

PPCInterpExit ppc_interp_run(PowerPCCPU *cpu, GuestMemory *ram, uint64_t budget)
{
    CPUPPCState *env = &cpu->env;
    PPCRun run = {
        .cpu = cpu,
        .ram = ram,
        .host = ram->host,
        .st = interp_state(cpu, ram),
        .radix = cpu->radix ? cpu->radix : &no_partition,
    };
    PPCInterpExit why = PPC_INTERP_EXIT_BUDGET;
    uint64_t done = 0;

    run.flush_gen = &run.radix->flush_gen;
    while (done < budget) {
        if (exit_requested(&run)) {
            why = PPC_INTERP_EXIT_REQUEST;
            break;
        }
        check_external(cpu);        /* 0x500 is more favoured than 0x900 */
        check_decrementer(cpu);
        run_sync_mode(&run, env);
        done += run_slice(env, &run,
                          MIN(budget - done, (uint64_t)SLICE_INSNS));
        if (run.halt) {
            why = PPC_INTERP_EXIT_HALT;
            break;
        }
        /* A held machine check is due once RI is set (an MSR change always
         * ends the slice, so this sees it at the next instruction). */
        if (unlikely(__atomic_load_n(&cpu->mce_wait_ri, __ATOMIC_RELAXED)) &&
            (env->msr & MSR_RI)) {
            why = PPC_INTERP_EXIT_REQUEST;
            break;
        }
    }
    /* Other threads read it (x-query-icount); only this one writes. */
    __atomic_store_n(&cpu->icount, cpu->icount + done, __ATOMIC_RELAXED);
    return why;
}
