/*
 * Software CPU: the per-vCPU software TLB over the radix MMU, the
 * translated slow paths for data and instruction fetch, and the MMU
 * instructions (tlbie, tlbiel, tlbsync, slbie, slbia).
 *
 * Threads: the TLB (PPCInterpState.tlb) belongs to the vCPU's own thread.
 * A broadcast invalidation (tlbie on another vCPU, H_REGISTER_PROC_TBL,
 * machine reset) bumps PPCRadixPartition.flush_gen; every TLB hit checks
 * it (one relaxed load of a line that is almost never written), and the
 * owner flushes its whole TLB on a mismatch. So once the issuing vCPU's
 * tlbie has retired, no other vCPU starts a new access through a stale
 * entry: tlbsync has nothing left to wait for.
 *
 * Faults (Book III 6.5.3/6.5.5): DSI with DAR = EA and DSISR = cause |
 * 0x02000000 for stores; ISI with the cause in SRR1; data/instruction
 * segment interrupt (0x380/0x480, DAR = EA for data) for quadrants 1 and 2
 * and EAs beyond the tree. A real address outside RAM (or poisoned), and
 * a table entry outside RAM, are UE machine checks through the machine's
 * hook, with the EA and the RA.
 */
#include "interp-internal.h"

#include "system/trace.h"

#define IS_SHIFT        10      /* RB bits 52:53 */
#define AP_SHIFT        5       /* RB bits 56:58 */
#define IS_VA           0       /* invalidate the entries for one page */

/* ---- the TLB ---- */

void interp_tlb_flush_all(PPCInterpState *st)
{
    memset(st->tlb, 0xFF, sizeof(st->tlb));     /* every tag TLB_TAG_NONE */
}

void interp_tlb_sync(PPCRun *run)
{
    uint64_t gen = __atomic_load_n(run->flush_gen, __ATOMIC_ACQUIRE);

    if (gen != run->st->tlb_gen) {
        interp_tlb_flush_all(run->st);
        run->st->tlb_gen = gen;
    }
}

static bool tag_fits(uint64_t tag, uint64_t page)
{
    return tag == page || tag == TLB_TAG_NONE;
}

/* Cache a translation: tags share the entry's RA, so reset on conflict. */
static void tlb_insert(PPCTlbEntry *e, uint64_t page, uint64_t page_ra,
                       unsigned prot)
{
    if (e->ra != page_ra || !tag_fits(e->tag_read, page) ||
        !tag_fits(e->tag_write, page) || !tag_fits(e->tag_exec, page)) {
        e->tag_read = e->tag_write = e->tag_exec = TLB_TAG_NONE;
        e->ra = page_ra;
    }
    if (prot & RADIX_PROT_READ) {
        e->tag_read = page;
    }
    if (prot & RADIX_PROT_WRITE) {
        e->tag_write = page;
    }
    if (prot & RADIX_PROT_EXEC) {
        e->tag_exec = page;
    }
}

/* Invalidate what covers [epn, epn + 2^shift) in both privilege tables. */
static void tlb_flush_range(PPCInterpState *st, uint64_t epn, unsigned shift)
{
    uint64_t pages = 1ULL << (shift - GUEST_PAGE_SHIFT);
    uint64_t end = epn + (1ULL << shift) - 1;

    if (pages >= TLB_ENTRIES) {
        interp_tlb_flush_all(st);
        return;
    }
    for (uint64_t i = 0; i < pages; i++) {
        unsigned idx = tlb_index(epn) + (unsigned)i;
        for (unsigned pr = 0; pr < 2; pr++) {
            PPCTlbEntry *e = &st->tlb[pr][idx & (TLB_ENTRIES - 1)];
            uint64_t tag = e->tag_read != TLB_TAG_NONE ? e->tag_read
                         : e->tag_write != TLB_TAG_NONE ? e->tag_write
                         : e->tag_exec;
            if (tag >= epn && tag <= end) {
                e->tag_read = e->tag_write = e->tag_exec = TLB_TAG_NONE;
            }
        }
    }
}

/* ---- faults ---- */

static void data_fault(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                       uint64_t ea, PPCAccessKind kind, uint32_t cause)
{
    env->dar = ea;
    env->dsisr = cause | (kind == PPC_ACCESS_STORE ? RADIX_DSISR_STORE : 0);
    interp_raise(env, run, d, EXCP_DSI, 0);
}

static void machine_check(CPUPPCState *env, PPCRun *run, uint64_t nip,
                          uint64_t ea, uint64_t ra, PPCAccessKind kind)
{
    env->nip = nip;
    ppc_hook_machine_check_access(run->cpu, ea, ra, kind);
    run->stop = true;
}

/*
 * Walk for @ea (an access of @kind by the instruction in @d, or the fetch
 * at @ea when @d is NULL), cache the result and return the real page, or
 * raise the interrupt and return false.
 */
static bool tlb_fill(CPUPPCState *env, PPCRun *run, PPCInsn *d, uint64_t ea,
                     PPCAccessKind kind, uint64_t *page_ra)
{
    bool pr = (env->msr & MSR_PR) != 0;
    uint64_t nip = d ? insn_addr(run, d) : ea;
    PPCRadixResult res;
    uint64_t pra;

    switch (ppc_radix_xlate(run->radix, run->ram, env->pidr, pr, ea, kind,
                            true, &res)) {
    case RADIX_OK:
        break;
    case RADIX_STORAGE:
        if (d) {
            data_fault(env, run, d, ea, kind, res.fault);
        } else {
            env->nip = ea;
            ppc_cpu_do_interrupt(run->cpu, EXCP_ISI, ea, res.fault);
            run->stop = true;
        }
        return false;
    case RADIX_SEGMENT:
        if (d) {
            env->dar = ea;
            interp_raise(env, run, d, EXCP_DSEG, 0);
        } else {
            env->nip = ea;
            ppc_cpu_do_interrupt(run->cpu, EXCP_ISEG, ea, 0);
            run->stop = true;
        }
        return false;
    case RADIX_WALK_UE:
        machine_check(env, run, nip, ea, res.ra,
                      d ? PPC_ACCESS_TABLEWALK : PPC_ACCESS_IFETCH_TABLEWALK);
        return false;
    }
    pra = res.ra & ~(GUEST_PAGE_SIZE - 1);
    if (!guest_range_valid(run->ram, pra, GUEST_PAGE_SIZE)) {
        /* Translated to no RAM: never cached, so every access gets here. */
        machine_check(env, run, nip, ea, res.ra, kind);
        return false;
    }
    tlb_insert(&run->st->tlb[pr][tlb_index(ea)], ea & ~(GUEST_PAGE_SIZE - 1),
               pra, res.prot);
    *page_ra = pra;
    return true;
}

/* The real page for a data access at @ea, from the TLB or a walk. */
static bool data_page(CPUPPCState *env, PPCRun *run, PPCInsn *d, uint64_t ea,
                      PPCAccessKind kind, uint64_t *page_ra)
{
    const PPCTlbEntry *e = &run->dtlb[tlb_index(ea)];
    uint64_t tag = kind == PPC_ACCESS_STORE ? e->tag_write : e->tag_read;

    if (tag == (ea & ~(GUEST_PAGE_SIZE - 1))) {
        *page_ra = e->ra;
        return true;
    }
    return tlb_fill(env, run, d, ea, kind, page_ra);
}

uint8_t *interp_mem_xlate(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                          uint64_t ea, unsigned size, PPCAccessKind kind)
{
    uint64_t off = ea & (GUEST_PAGE_SIZE - 1);
    unsigned len0 = (unsigned)MIN((uint64_t)size, GUEST_PAGE_SIZE - off);
    uint64_t ea1 = (ea + len0) & run->ea_mask;
    uint64_t ra0, ra1 = 0;

    interp_tlb_sync(run);
    /* Both pages translate before any byte is accessed. */
    if (!data_page(env, run, d, ea, kind, &ra0) ||
        (len0 < size && !data_page(env, run, d, ea1, kind, &ra1))) {
        return NULL;
    }
    ra0 += off;
    if (guest_poison_take(run->ram, ra0, len0)) {
        machine_check(env, run, insn_addr(run, d), ea, ra0, kind);
        return NULL;
    }
    if (len0 == size || ra1 == ra0 + len0) {
        if (len0 < size && guest_poison_take(run->ram, ra1, size - len0)) {
            machine_check(env, run, insn_addr(run, d), ea1, ra1, kind);
            return NULL;
        }
        return run->host + ra0;
    }
    if (guest_poison_take(run->ram, ra1, size - len0)) {
        machine_check(env, run, insn_addr(run, d), ea1, ra1, kind);
        return NULL;
    }
    g_assert(size <= BOUNCE_SIZE);
    run->bounce_ra[0] = ra0;
    run->bounce_ra[1] = ra1;
    run->bounce_len0 = len0;
    if (kind != PPC_ACCESS_STORE) {
        memcpy(run->bounce, run->host + ra0, len0);
        memcpy(run->bounce + len0, run->host + ra1, size - len0);
    }
    return run->bounce;
}

PPCInsn *interp_bounce_store(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                             unsigned len)
{
    unsigned len0 = run->bounce_len0;
    uint64_t ra[2] = { run->bounce_ra[0], run->bounce_ra[1] };
    unsigned n[2] = { len0, len - len0 };
    PPCInsn *next = d + 1;

    memcpy(run->host + ra[0], run->bounce, n[0]);
    memcpy(run->host + ra[1], run->bounce + len0, n[1]);
    /* Each piece as a store of its own: dirty log, decoded code. */
    for (unsigned i = 0; i < 2; i++) {
        PPCInsn *after = interp_store_done_slow(env, run, d, run->host + ra[i], n[i]);
        if (after != d + 1) {
            next = after;
        }
    }
    return next;
}

bool interp_fetch_xlate(CPUPPCState *env, PPCRun *run, uint64_t nip,
                        uint64_t *page_ra)
{
    const PPCTlbEntry *e = &run->itlb[tlb_index(nip)];

    interp_tlb_sync(run);
    if (e->tag_exec == (nip & ~(GUEST_PAGE_SIZE - 1))) {
        *page_ra = e->ra;
        return true;
    }
    return tlb_fill(env, run, NULL, nip, PPC_ACCESS_IFETCH, page_ra);
}

/* ---- MMU instructions (Book III 5.9.3) ---- */

static inline bool problem_state(const CPUPPCState *env)
{
    return (env->msr & MSR_PR) != 0;
}

/* Page size for tlbie's AP field (ibm,processor-radix-AP-encodings). */
static unsigned ap_page_shift(unsigned ap)
{
    switch (ap) {
    case 0: return 12;
    case 5: return 16;
    case 1: return 21;
    case 2: return 30;
    default: return 0;
    }
}

/*
 * tlbie / tlbiel RB,RS,RIC,PRS,R: f1 = RIC, f2 = 1 for tlbie (broadcast).
 * One page (RIC=0, IS=0) is flushed precisely; everything else (by PID,
 * by LPID, all, page-walk cache) flushes the whole TLB, which is always
 * a correct over-approximation. Leaves the fast path so that the code
 * that follows is fetched through the new state.
 */
INTERP_OP(op_tlbie)
{
    uint64_t rb = env->gpr[d->rb];
    unsigned is = (rb >> IS_SHIFT) & 3;
    unsigned shift = ap_page_shift((rb >> AP_SHIFT) & 7);
    bool precise = d->f1 == 0 && is == IS_VA && shift != 0;
    PPCInterpState *st = run->st;

    if (problem_state(env)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    interp_tlb_sync(run);
    if (d->f2) {
        uint64_t gen = ppc_radix_flush_all_cpus(run->radix);
        /* Only our own bump since the last sync: the precise flush does. */
        precise = precise && gen == st->tlb_gen + 1;
        st->tlb_gen = gen;
    }
    if (precise) {
        tlb_flush_range(st, rb & ~((1ULL << shift) - 1), shift);
    } else {
        interp_tlb_flush_all(st);
    }
    return continue_at(env, run, d, next_insn_addr(run, d));
}

/* tlbsync, slbie, slbia (no segments under radix): privileged no-ops. */
INTERP_OP(op_mmu_nop)
{
    if (problem_state(env)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    return d + 1;
}

bool interp_decode_mmu(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    if (insn_opcd(insn) != 31 || d->rc) {
        return false;
    }
    switch (insn_xo10(insn)) {
    case 306:   /* tlbie */
    case 274:   /* tlbiel */
        d->f1 = (insn >> 18) & 3;               /* RIC */
        d->f2 = insn_xo10(insn) == 306;
        d->fn = op_tlbie;
        return true;
    case 566:   /* tlbsync */
    case 434:   /* slbie */
    case 498:   /* slbia */
        d->fn = op_mmu_nop;
        return true;
    default:
        return false;
    }
}
