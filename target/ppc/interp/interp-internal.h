/*
 * Software CPU internals shared by the interpreter's source files.
 *
 * Execution model: guest code is decoded lazily into per-page arrays of
 * PPCInsn (one slot per instruction word, plus an end-of-page sentinel).
 * Each slot holds a handler and the operand fields it needs, extracted
 * once. The run loop calls handlers back to back; a handler returns the
 * next slot to execute (d + 1 for straight-line code, the target slot for
 * an in-page taken branch), or NULL after it has stored env->nip itself
 * (branch elsewhere, interrupt, MSR change ...), which sends the run loop
 * back through its slow path (instruction fetch, mode and exit checks).
 *
 * NIP is not maintained while running straight-line code: it is derived
 * from the slot address (see insn_addr()) whenever it is needed.
 */
#ifndef TARGET_PPC_INTERP_INTERNAL_H
#define TARGET_PPC_INTERP_INTERNAL_H

#include "target/ppc/interp.h"
#include "target/ppc/mmu-radix64.h"

#include <string.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALWAYS_INLINE inline __attribute__((always_inline))

typedef struct PPCInsn PPCInsn;
typedef struct PPCRun PPCRun;
typedef struct PPCDecodedPage PPCDecodedPage;

typedef PPCInsn *(*PPCHandler)(CPUPPCState *env, PPCRun *run, PPCInsn *d);

/* Every handler has this shape; `d` is the executing slot. */
#define INTERP_OP(name) \
    static PPCInsn *name(CPUPPCState *env, PPCRun *run, PPCInsn *d)

/*
 * One decoded instruction. 32 bytes so that a slot's index is a shift of
 * its offset in the page (insn_addr()).
 */
struct PPCInsn {
    PPCHandler fn;
    union {
        int64_t imm;        /* sign-extended immediate / displacement */
        uint64_t mask;      /* rotate mask */
        uint64_t target;    /* absolute branch target, SPR number ... */
    };
    PPCInsn *slot;          /* in-page branch target slot, or NULL */
    uint8_t rt;             /* bits 6:10: RT, RS, BO, BT, BF<<2, TO */
    uint8_t ra;             /* bits 11:15: RA, BI, BA */
    uint8_t rb;             /* bits 16:20: RB, SH, NB, BB */
    uint8_t rc;             /* Rc (record) bit */
    uint8_t oe;             /* OE (overflow enable) bit */
    uint8_t f1, f2;         /* form specific: SH, MB, ME, BF, L, BC ... */
    uint8_t pad;
};
_Static_assert(sizeof(PPCInsn) == 32, "PPCInsn must stay 32 bytes");

#define INSNS_PER_PAGE  (GUEST_PAGE_SIZE / 4)

/*
 * Cached decode of one 4 KiB page of guest code, for one (EA, LE, SF) and
 * the real page it was translated to: several processes map the same EA
 * to different code, so the translation is part of the identity.
 */
struct PPCDecodedPage {
    uint64_t key;           /* page EA | PAGE_KEY_LE | PAGE_KEY_SF */
    uint64_t ra;            /* real address of the page */
    uint32_t gen;           /* code_page_gen[gen_index] when filled */
    uint32_t gen_index;
    uint32_t entries;       /* fetches into it since filled */
    uint32_t jit_next;      /* compile (more of) it at this many (jit.c) */
    uint64_t jit_done[INSNS_PER_PAGE / 64];     /* slots inside blocks */
    PPCInsn insn[INSNS_PER_PAGE + 1];   /* + end-of-page sentinel */
};

#define PAGE_KEY_LE     1ULL
#define PAGE_KEY_SF     2ULL
#define PAGE_KEY_NONE   ((uint64_t)-1)

/* Real mode ignores the 4 high-order bits of the EA (Book III 5.7.3). */
#define REAL_ADDR_MASK  PPC_REAL_ADDR_MASK

/*
 * Software TLB (tlb.c): direct-mapped, one entry per 4 KiB EA page, one
 * table per privilege (MSR[PR]) because privileged-only pages translate
 * differently in problem state. An entry caches one translation; each
 * tag is the page EA when that kind of access may use it without a walk
 * (stores only once the PTE's C bit is set), else TLB_TAG_NONE. Entries
 * only ever point into guest RAM. Only the vCPU's own thread touches it;
 * other vCPUs make it flush through PPCRadixPartition.flush_gen.
 */
#define TLB_BITS        9
#define TLB_ENTRIES     (1u << TLB_BITS)
#define TLB_TAG_NONE    ((uint64_t)-1)      /* never a page address */

typedef struct PPCTlbEntry {
    uint64_t tag_read;
    uint64_t tag_write;
    uint64_t tag_exec;
    uint64_t ra;            /* real address of the 4 KiB page */
} PPCTlbEntry;

static inline unsigned tlb_index(uint64_t ea)
{
    return (ea >> GUEST_PAGE_SHIFT) & (TLB_ENTRIES - 1);
}

/* Per-vCPU interpreter state (cpu->accel_priv). */
#define ICACHE_PAGES    4096
typedef struct PPCJit PPCJit;
typedef struct PPCInterpState {
    uint8_t *host;          /* RAM mapping the cache was filled from */
    uint64_t tar;           /* Target Address Register (bctar) */
    uint64_t tlb_gen;       /* PPCRadixPartition.flush_gen the TLB matches */
    PPCTlbEntry tlb[2][TLB_ENTRIES];        /* [MSR[PR]] */
    PPCDecodedPage *pages[ICACHE_PAGES];
    PPCJit *jit;            /* compiled code of these pages (jit.c) */
    bool jit_full;          /* its buffer filled: flush before a lookup */
} PPCInterpState;

#define BOUNCE_SIZE     128     /* largest access: lmw/stmw, dcbz */

/* State of one ppc_interp_run() call, shared with the handlers. */
struct PPCRun {
    PowerPCCPU *cpu;
    GuestMemory *ram;
    uint8_t *host;
    uint64_t fast_limit;    /* RAM size; 0 when MSR[DR]=1 (TLB path) */
    PPCTlbEntry *dtlb;      /* data TLB when MSR[DR]=1, else NULL */
    PPCTlbEntry *itlb;      /* TLB for fetches (used when MSR[IR]=1) */
    PPCRadixPartition *radix;
    const uint64_t *flush_gen;  /* &radix->flush_gen */
    uint64_t ea_mask;       /* ~0 in 64-bit mode, 0xffffffff in 32-bit mode */
    uint64_t ra_mask;       /* EA -> real address */
    PPCInterpState *st;
    PPCDecodedPage *page;   /* page being executed */
    uint64_t page_ea;
    uint64_t page_ra;       /* its real address */
    uint32_t *gen_ptr;      /* &code_page_gen[page->gen_index] */
    int uncounted;          /* sentinel pseudo-instructions executed */
    /* The chain the run loop started (next_insn(), branch_taken()). */
    uintptr_t limit;        /* first slot of this segment not to execute */
    PPCInsn *seg;           /* first slot of the current segment */
    PPCInsn *last;          /* slot that returned NULL (leave_from()) */
    uint64_t chained;       /* instructions of earlier segments */
    uint64_t budget;        /* instructions the chain may execute */
    bool stop;              /* leave the slice: MSR/mode/exit re-check */
    bool halt;              /* a hypercall asked to leave the run loop */
    /* An access straddling two pages whose real pages are not adjacent:
     * loads read a copy, stores write here and store_done() scatters. */
    uint64_t bounce_ra[2];
    unsigned bounce_len0;   /* bytes in the first page */
    uint8_t bounce[BOUNCE_SIZE];
};

/* ---- Code-modification tracking (interp.c) ---- */

/*
 * One bit per 128-byte line of real memory (modulo 1 GiB) that was decoded
 * by some vCPU, and one generation counter per 4 KiB page (modulo 256 MiB):
 * a store to a marked line bumps the page generation, which every vCPU
 * compares with its decoded copy before using it.
 */
#define CODE_LINE_SHIFT 7
#define CODE_LINE_BITS  23
#define CODE_GEN_BITS   16
extern uint8_t interp_code_lines[1u << (CODE_LINE_BITS - 3)];
extern uint32_t interp_code_gen[1u << CODE_GEN_BITS];

static inline bool code_line_marked(uint64_t ra)
{
    uint64_t line = (ra >> CODE_LINE_SHIFT) & ((1u << CODE_LINE_BITS) - 1);
    uint8_t byte = __atomic_load_n(&interp_code_lines[line >> 3],
                                   __ATOMIC_RELAXED);
    return (byte >> (line & 7)) & 1;
}

void interp_mark_code_line(uint64_t ra);
void interp_bump_code_gen(uint64_t ra, uint64_t len);

/* ---- Addresses, control flow ---- */

static inline PowerPCCPU *env_cpu(CPUPPCState *env)
{
    return (PowerPCCPU *)((char *)env - offsetof(PowerPCCPU, env));
}

/* Effective address of the instruction in slot @d. */
static inline uint64_t insn_addr(const PPCRun *run, const PPCInsn *d)
{
    return run->page_ea +
           (((uintptr_t)d - (uintptr_t)run->page->insn) >> 3);
}

/* Address of the next sequential instruction (truncated in 32-bit mode). */
static inline uint64_t next_insn_addr(const PPCRun *run, const PPCInsn *d)
{
    return (insn_addr(run, d) + 4) & run->ea_mask;
}

static inline bool exit_requested(const PPCRun *run)
{
    return __atomic_load_n(&run->cpu->exit_request, __ATOMIC_RELAXED) != 0;
}

static inline bool page_still_valid(const PPCRun *run)
{
    return __atomic_load_n(run->gen_ptr, __ATOMIC_RELAXED) == run->page->gen;
}

/*
 * Leaving the fast path from slot @d (the last instruction executed):
 * handlers return NULL through here or through interp_raise() /
 * interp_mem_slow(), which all record @d so that the run loop can count
 * what the chain executed (see next_insn()).
 */
static inline PPCInsn *leave_from(PPCRun *run, PPCInsn *d)
{
    run->last = d;
    return NULL;
}

/* Leave the straight-line path and continue at @nip via the slow path. */
static inline PPCInsn *continue_at(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                                   uint64_t nip)
{
    env->nip = nip;
    return leave_from(run, d);
}

/* Like continue_at() but also re-evaluate the mode, exits, decrementer. */
static inline PPCInsn *stop_at(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                               uint64_t nip)
{
    run->stop = true;
    env->nip = nip;
    return leave_from(run, d);
}

/*
 * Straight-line continuation: run the next slot directly (a tail call,
 * so the host stack does not grow) unless the run loop's budget ends
 * there, in which case it gets the slot back. Chaining keeps the hot
 * path off the run loop's single indirect call: every handler jumps to
 * its successor from its own site, which the host predicts far better.
 *
 * Nothing is counted per instruction: a straight-line segment's length
 * is the distance between its first slot (run->seg) and the slot the
 * chain returns, or the slot that left the fast path (run->last); taken
 * branches inside the page close a segment (branch_taken()). The only
 * per-instruction cost is comparing the slot with run->limit, which
 * nothing writes while the segment runs.
 */
static ALWAYS_INLINE PPCInsn *next_insn(CPUPPCState *env, PPCRun *run,
                                        PPCInsn *next)
{
    if (likely((uintptr_t)next < run->limit)) {
        return next->fn(env, run, next);
    }
    return next;
}

/*
 * A taken branch from slot @d to @target. @local is the target's slot when
 * it lies in the current page: stay on the fast path unless an exit was
 * requested or the page was modified; the segment ending with the branch
 * is counted and a new one starts at the target, with what is left of
 * the budget.
 */
static ALWAYS_INLINE PPCInsn *branch_taken(CPUPPCState *env, PPCRun *run,
                                           PPCInsn *d, uint64_t target,
                                           PPCInsn *local)
{
    env->cfar = insn_addr(run, d);
    if (likely(local != NULL) && likely(!exit_requested(run)) &&
        likely(page_still_valid(run))) {
        uint64_t left;

        run->chained += (uint64_t)(d - run->seg) + 1;
        run->seg = local;
        left = run->budget - run->chained;
        if (unlikely(left == 0)) {
            return local;
        }
        run->limit = (uintptr_t)local + left * sizeof(PPCInsn);
        return local->fn(env, run, local);
    }
    return continue_at(env, run, d, target);
}

/* The slot for @target if it is in the current page, else NULL. */
static inline PPCInsn *local_slot(const PPCRun *run, uint64_t target)
{
    if ((target & ~(GUEST_PAGE_SIZE - 1)) == run->page_ea) {
        return &run->page->insn[(target & (GUEST_PAGE_SIZE - 1)) >> 2];
    }
    return NULL;
}

/* ---- Interrupts (interp.c) ---- */

/* Deliver @vector with SRR0 = this instruction; leaves the fast path. */
PPCInsn *interp_raise(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                      uint64_t vector, uint64_t srr1_cause);
PPCInsn *interp_raise_program(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                              uint64_t cause);
/* Alignment interrupt (0x600) for an access at @ea. */
PPCInsn *interp_raise_alignment(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                                uint64_t ea);

/* The handler every undecodable instruction gets. */
PPCInsn *interp_op_illegal(CPUPPCState *env, PPCRun *run, PPCInsn *d);
/* The same for an undecodable word kept in d->target, reported under
 * -d unimp / guest_errors (rate limited) with the vCPU, NIP and opcode. */
PPCInsn *interp_op_illegal_insn(CPUPPCState *env, PPCRun *run, PPCInsn *d);

/* ---- Fixed-point condition helpers ---- */

static inline void set_cr_field(CPUPPCState *env, unsigned bf, uint32_t v)
{
    unsigned shift = 28 - 4 * bf;
    env->cr = (env->cr & ~(0xFu << shift)) | ((v & 0xF) << shift);
}

static inline uint32_t xer_so_bit(const CPUPPCState *env)
{
    return (env->xer & XER_SO) ? 1 : 0;
}

/* LT/GT/EQ/SO nibble of a signed comparison. */
static inline uint32_t cmp_signed(const CPUPPCState *env, int64_t a, int64_t b)
{
    return (a < b ? 8 : a > b ? 4 : 2) | xer_so_bit(env);
}

static inline uint32_t cmp_unsigned(const CPUPPCState *env, uint64_t a,
                                    uint64_t b)
{
    return (a < b ? 8 : a > b ? 4 : 2) | xer_so_bit(env);
}

/*
 * CR0 for Rc=1 (Book I 3.3.8): signed compare of the result with 0 (only
 * bits 32:63 in 32-bit mode), plus a copy of XER[SO].
 */
static inline void set_cr0(CPUPPCState *env, uint64_t result)
{
    int64_t v = (env->msr & MSR_SF) ? (int64_t)result
                                    : (int64_t)(int32_t)result;
    env->cr = (env->cr & 0x0FFFFFFFu) | (cmp_signed(env, v, 0) << 28);
}

/* XER[CA] and XER[CA32]; in 32-bit mode CA is the carry out of bit 32. */
static inline void set_xer_ca(CPUPPCState *env, bool ca, bool ca32)
{
    if (!(env->msr & MSR_SF)) {
        ca = ca32;
    }
    env->xer = (env->xer & ~(XER_CA | XER_CA32)) |
               (ca ? XER_CA : 0) | (ca32 ? XER_CA32 : 0);
}

/* XER[OV], XER[OV32], and SO |= OV. */
static inline void set_xer_ov(CPUPPCState *env, bool ov, bool ov32)
{
    if (!(env->msr & MSR_SF)) {
        ov = ov32;
    }
    env->xer = (env->xer & ~(XER_OV | XER_OV32)) |
               (ov ? XER_OV | XER_SO : 0) | (ov32 ? XER_OV32 : 0);
}

static inline uint64_t xer_ca(const CPUPPCState *env)
{
    return (env->xer & XER_CA) ? 1 : 0;
}

/* Bit @n of the CR in IBM numbering (0 = most significant). */
static inline uint32_t cr_bit(const CPUPPCState *env, unsigned n)
{
    return (env->cr >> (31 - n)) & 1;
}

/* ---- Guest memory access ---- */

uint8_t *interp_mem_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                         uint64_t ea, unsigned size, PPCAccessKind kind);

/* ---- Translation (tlb.c) ---- */

/* The TLB still matches the partition's flush generation. */
static ALWAYS_INLINE bool tlb_current(const PPCRun *run)
{
    return __atomic_load_n(run->flush_gen, __ATOMIC_RELAXED) ==
           run->st->tlb_gen;
}

/* Drop every cached translation of this vCPU. */
void interp_tlb_flush_all(PPCInterpState *st);
/* Flush if another vCPU (or the machine) invalidated since the fill. */
void interp_tlb_sync(PPCRun *run);
/* MSR[DR]=1 data access that missed the TLB (DSI, machine check ...). */
uint8_t *interp_mem_xlate(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                          uint64_t ea, unsigned size, PPCAccessKind kind);
/*
 * MSR[IR]=1 fetch at @nip: the real address of its page, or false once
 * an ISI, segment interrupt or machine check was raised.
 */
bool interp_fetch_xlate(CPUPPCState *env, PPCRun *run, uint64_t nip,
                        uint64_t *page_ra);
/* store_done() for a store that went to run->bounce. */
PPCInsn *interp_bounce_store(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                             unsigned len);

/*
 * The fast half of mem_ptr(): a host pointer when the access needs no
 * translation work (real mode inside RAM, or a TLB hit inside one page)
 * and no page is poisoned, else NULL with nothing raised. Handlers that
 * call nothing else on their fast path use it with an outlined slow path
 * (a tail call), so that the hot path saves no registers.
 */
static ALWAYS_INLINE uint8_t *mem_fast(const PPCRun *run, uint64_t ea,
                                       unsigned size, PPCAccessKind kind)
{
    if (unlikely(__atomic_load_n(&run->ram->poison_count,
                                 __ATOMIC_RELAXED) != 0)) {
        return NULL;
    }
    if (run->dtlb) {
        /* Translation on: a TLB hit inside one page hands out RAM. */
        const PPCTlbEntry *e = &run->dtlb[tlb_index(ea)];
        uint64_t tag = kind == PPC_ACCESS_STORE ? e->tag_write : e->tag_read;
        uint64_t off = ea & (GUEST_PAGE_SIZE - 1);
        if (likely(tag == ea - off) &&
            likely(off <= GUEST_PAGE_SIZE - size) &&
            likely(tlb_current(run))) {
            return run->host + e->ra + off;
        }
        return NULL;
    }
    uint64_t ra = ea & run->ra_mask;
    return likely(ra + size <= run->fast_limit) ? run->host + ra : NULL;
}

/*
 * Host pointer for a data access of @size bytes at @ea (already truncated
 * to the mode's EA width), or NULL when an interrupt or machine check was
 * raised instead (the handler must then return NULL).
 */
static ALWAYS_INLINE uint8_t *mem_ptr(CPUPPCState *env, PPCRun *run,
                                      PPCInsn *d, uint64_t ea, unsigned size,
                                      PPCAccessKind kind)
{
    uint8_t *p = mem_fast(run, ea, size, kind);

    return likely(p != NULL) ? p : interp_mem_slow(env, run, d, ea, size, kind);
}

PPCInsn *interp_code_written(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                             uint64_t ra, uint64_t len);
/* store_done() when the store needs more than moving on (see there). */
PPCInsn *interp_store_done_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                                const uint8_t *p, unsigned len);

/*
 * After a store of @len bytes at @p: the dirty log (migration), writes to
 * decoded code, and stores that went to run->bounce need the slow path;
 * one combined test keeps the common case to a few instructions.
 */
static ALWAYS_INLINE PPCInsn *store_done(CPUPPCState *env, PPCRun *run,
                                         PPCInsn *d, const uint8_t *p,
                                         unsigned len)
{
    uint64_t ra = (uint64_t)(p - run->host);
    if (unlikely(p == run->bounce) ||
        unlikely(__atomic_load_n(&run->ram->dirty_log, __ATOMIC_RELAXED) != 0) ||
        unlikely(code_line_marked(ra)) ||
        unlikely(((ra ^ (ra + len - 1)) >> CODE_LINE_SHIFT) != 0 &&
                 code_line_marked(ra + len - 1))) {
        return interp_store_done_slow(env, run, d, p, len);
    }
    return next_insn(env, run, d + 1);
}

/*
 * Endian-converting guest memory accessors; @size is a compile-time
 * constant. Naturally aligned accesses are single-copy atomic on Power
 * (Book II 1.4), and other vCPU threads may access the same location
 * concurrently: they are relaxed atomics (plain moves on x86, and what
 * makes the sync/lwsync fences meaningful). Misaligned ones are not
 * atomic on Power either and are copied bytewise.
 */
#define DEFINE_RAW_ACCESS(bits)                                             \
    static ALWAYS_INLINE uint##bits##_t raw_load##bits(const uint8_t *p)    \
    {                                                                       \
        uint##bits##_t v;                                                   \
        if (likely(((uintptr_t)p & (bits / 8 - 1)) == 0)) {                \
            return __atomic_load_n((const uint##bits##_t *)p,               \
                                   __ATOMIC_RELAXED);                       \
        }                                                                   \
        memcpy(&v, p, sizeof(v));                                           \
        return v;                                                           \
    }                                                                       \
    static ALWAYS_INLINE void raw_store##bits(uint8_t *p, uint##bits##_t v) \
    {                                                                       \
        if (likely(((uintptr_t)p & (bits / 8 - 1)) == 0)) {                \
            __atomic_store_n((uint##bits##_t *)p, v, __ATOMIC_RELAXED);     \
        } else {                                                            \
            memcpy(p, &v, sizeof(v));                                       \
        }                                                                   \
    }

DEFINE_RAW_ACCESS(16)
DEFINE_RAW_ACCESS(32)
DEFINE_RAW_ACCESS(64)

static ALWAYS_INLINE uint64_t mem_load(const uint8_t *p, unsigned size,
                                       bool le)
{
    switch (size) {
    case 1:
        return __atomic_load_n(p, __ATOMIC_RELAXED);
    case 2: {
        uint16_t v = raw_load16(p);
        return le ? GUINT16_FROM_LE(v) : GUINT16_FROM_BE(v);
    }
    case 4: {
        uint32_t v = raw_load32(p);
        return le ? GUINT32_FROM_LE(v) : GUINT32_FROM_BE(v);
    }
    default: {
        uint64_t v = raw_load64(p);
        return le ? GUINT64_FROM_LE(v) : GUINT64_FROM_BE(v);
    }
    }
}

static ALWAYS_INLINE void mem_store(uint8_t *p, unsigned size, bool le,
                                    uint64_t val)
{
    switch (size) {
    case 1:
        __atomic_store_n(p, (uint8_t)val, __ATOMIC_RELAXED);
        break;
    case 2:
        raw_store16(p, le ? GUINT16_TO_LE((uint16_t)val)
                          : GUINT16_TO_BE((uint16_t)val));
        break;
    case 4:
        raw_store32(p, le ? GUINT32_TO_LE((uint32_t)val)
                          : GUINT32_TO_BE((uint32_t)val));
        break;
    default:
        raw_store64(p, le ? GUINT64_TO_LE(val) : GUINT64_TO_BE(val));
        break;
    }
}

/* (RA|0): register RA, or 0 when the field is 0. */
static inline uint64_t reg_or_zero(const CPUPPCState *env, unsigned r)
{
    return r ? env->gpr[r] : 0;
}

/* ---- Decoding ---- */

/* What the decoder knows about the instruction being decoded. */
typedef struct PPCDecodeCtx {
    uint64_t cia;           /* its effective address */
    bool le;                /* MSR[LE] of the page */
    bool sf;                /* MSR[SF] of the page */
    const PPCRun *run;      /* for in-page branch slots */
} PPCDecodeCtx;

/* Instruction fields (Book I 1.6.28) */
static inline unsigned insn_opcd(uint32_t insn) { return insn >> 26; }
static inline unsigned insn_rt(uint32_t insn) { return (insn >> 21) & 31; }
static inline unsigned insn_ra(uint32_t insn) { return (insn >> 16) & 31; }
static inline unsigned insn_rb(uint32_t insn) { return (insn >> 11) & 31; }
static inline unsigned insn_xo10(uint32_t insn) { return (insn >> 1) & 0x3FF; }
static inline unsigned insn_xo9(uint32_t insn) { return (insn >> 1) & 0x1FF; }
static inline unsigned insn_rc(uint32_t insn) { return insn & 1; }
static inline unsigned insn_oe(uint32_t insn) { return (insn >> 10) & 1; }
static inline int64_t insn_si(uint32_t insn) { return (int16_t)insn; }
static inline uint64_t insn_ui(uint32_t insn) { return insn & 0xFFFF; }
static inline unsigned insn_bf(uint32_t insn) { return (insn >> 23) & 7; }

/* Fill @d for @insn. Always succeeds: unknown encodings get illegal. */
void interp_decode(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);

/*
 * Per-area decoders: fill @d and return true if @insn belongs to the area.
 * The common fields (rt, ra, rb, rc, oe, imm = SI) are already filled.
 */
bool interp_decode_arith(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_logic(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_rotate(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_branch(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_loadstore(PPCInsn *d, uint32_t insn,
                             const PPCDecodeCtx *ctx);
bool interp_decode_storage(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_system(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_vmx(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);
bool interp_decode_mmu(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx);

/* Select the Rc=0 or Rc=1 variant of a handler pair. */
#define SELECT_RC(d, name) ((d)->rc ? name##_rc : name)

/*
 * A result computed by calc_NAME(env, d) is written to RA; NAME_rc also
 * sets CR0 (3.3.10: Rc=1 records the result).
 */
#define DEFINE_TO_RA(name)                                                  \
    INTERP_OP(op_##name)                                                    \
    {                                                                       \
        env->gpr[d->ra] = calc_##name(env, d);                              \
        return next_insn(env, run, d + 1);                                  \
    }                                                                       \
    INTERP_OP(op_##name##_rc)                                               \
    {                                                                       \
        uint64_t r = calc_##name(env, d);                                   \
        env->gpr[d->ra] = r;                                                \
        set_cr0(env, r);                                                    \
        return next_insn(env, run, d + 1);                                  \
    }

#endif
