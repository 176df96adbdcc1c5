/*
 * The block compiler (target/ppc/interp/jit.c) against the interpreter:
 * every program here runs on two vCPUs from the same state, one with the
 * compiler off (the reference) and one with it on, run often enough that
 * its code page is compiled first (ppc_interp_jit_stats proves it was).
 * All GPRs, CR, XER, LR, CTR, CFAR, NIP, MSR, SRR0/1, DAR, DSISR, the
 * instruction count, the data region and the code page must be identical.
 *
 *   - random straight-line runs of the instructions the compiler knows
 *     (with some it does not, and short forward branches, in between),
 *     big- and little-endian, real mode and radix translation, some
 *     stopped by budgets in the middle of blocks;
 *   - a counted loop stepped with small budgets;
 *   - stores into the code page from a compiled block;
 *   - DSIs, TLB misses and a machine check from inside a block;
 *   - misaligned and page-crossing accesses inside a block.
 *
 * A mismatch reports the instruction words and the differing fields, and
 * the random test shrinks its program to a minimal reproducer first.
 * Longer campaigns: JIT_TEST_SEQS=4000 JIT_TEST_SEED=7 test-interp-jit.
 */
#include <stdio.h>

#include "radix-test-harness.h"

#include "hw/ppc/spapr.h"
#include "test-machine.h"

#define JIT_THRESHOLD   2           /* compiled at the second page entry */
#define MAX_WARM        8           /* warm-up runs before the measured one */

#define CODE_RA         HARNESS_CODE
#define REGION_RA       HARNESS_DATA            /* compared and restored */
#define REGION_SIZE     0x12000u                /* 0x80000..0x92000 */
#define DATA_SIZE       0x4000u                 /* random data 0x80000.. */
#define RO_RA           0x90000ULL              /* 4K read-only (virt) */
#define RW4K_RA         0x91000ULL              /* 4K read/write (virt) */
#define RO_EA           0xC000000010000000ULL
#define RW4K_EA         0xC000000010001000ULL
#define UNMAPPED_EA     0xC000000020000000ULL
/* Past the 2 MiB linear map, but its real-mode alias is in RAM too. */
#define ALIAS_EA        RT_KERNEL(0x300000ULL)  /* -> RW4K_RA */
#define OUTSIDE_RAM     0x2000000ULL            /* 32 MiB: past the RAM */
#define MAX_WORDS       64

#define XER_FLAGS (XER_SO | XER_OV | XER_CA | XER_OV32 | XER_CA32)

/* ---- the two vCPUs ---- */

typedef struct Side {
    InterpHarness *h;           /* a bare harness ... */
    SpaprMachineState *spapr;   /* ... or a machine (machine checks) */
    PowerPCCPU *cpu;
    GuestMemory *ram;
} Side;

static bool host_has_jit;

/* The threshold of the next cases (random programs vary it). */
static unsigned jit_threshold = JIT_THRESHOLD;

static void jit_on(void)
{
    g_assert_true(ppc_interp_set_jit(jit_threshold));
}

static void jit_off(void)
{
    ppc_interp_set_jit(0);
}

/* Problem state, PID 1: user pages at USER_BASE + the real address. */
#define USER_BASE       0x10000000ULL
#define USER_PID        1

static const char *space_name(int virt)
{
    return virt == 2 ? "user radix" : virt ? "radix" : "real";
}

static uint64_t space_msr(int virt)
{
    return virt == 2 ? MSR_IR | MSR_DR | MSR_PR : virt ? MSR_IR | MSR_DR : 0;
}

static uint64_t code_ea(int virt)
{
    return virt == 2 ? USER_BASE + CODE_RA : virt ? RT_KERNEL(CODE_RA) : CODE_RA;
}

static uint64_t data_ea(int virt, uint64_t ra)
{
    return virt == 2 ? USER_BASE + ra : virt ? RT_KERNEL(ra) : ra;
}

static void side_init(Side *s, int virt)
{
    memset(s, 0, sizeof(*s));
    s->h = g_new0(InterpHarness, 1);
    harness_init(s->h);
    if (virt) {
        RadixTables t;
        rt_init(&t, &s->h->ram);
        rt_init_linear_map(&t);
        rt_map(&t, 0, RO_EA, RO_RA, RT_PRIV | RT_READ | RPTE_R | RPTE_C);
        rt_map(&t, 0, RW4K_EA, RW4K_RA, RT_PRIV | RT_RW | RPTE_R | RPTE_C);
        rt_map(&t, 0, ALIAS_EA, RW4K_RA, RT_PRIV | RT_RW | RPTE_R | RPTE_C);
        /* PID 1: the code pages (read/execute) and the data (read/write) */
        for (uint64_t ra = CODE_RA; ra < CODE_RA + 2 * GUEST_PAGE_SIZE;
             ra += GUEST_PAGE_SIZE) {
            rt_map(&t, USER_PID, USER_BASE + ra, ra, RT_READ | RT_EXEC | RPTE_R | RPTE_C);
        }
        for (uint64_t ra = REGION_RA - 0x4000; ra < REGION_RA + REGION_SIZE;
             ra += GUEST_PAGE_SIZE) {
            rt_map(&t, USER_PID, USER_BASE + ra, ra, RT_RW | RPTE_R | RPTE_C);
        }
        ppc_radix_partition_set(&s->h->radix, true, RT_PRTB, 0);
        s->h->env->pidr = virt == 2 ? USER_PID : 0;
    }
    s->cpu = &s->h->cpu;
    s->ram = &s->h->ram;
}

static void side_init_machine(Side *s)
{
    static const uint64_t vectors[] = {
        0x100, 0x200, 0x300, 0x380, 0x400, 0x480, 0x500, 0x600, 0x700,
        0x800, 0x900, 0xC00, 0xD00, 0xF20, 0xF40,
    };

    memset(s, 0, sizeof(*s));
    s->spapr = test_machine_new(SPAPR_MIN_RAM, 1);
    s->cpu = s->spapr->cpus[0];
    s->ram = &s->spapr->ram;
    for (unsigned i = 0; i < G_N_ELEMENTS(vectors); i++) {
        g_assert_cmpint(guest_st_be32(s->ram, vectors[i], enc_b_self()), ==, 0);
        ppc_interp_invalidate(vectors[i], 4);
    }
}

static void side_cleanup(Side *s)
{
    if (s->h) {
        harness_cleanup(s->h);
        g_free(s->h);
    } else {
        ppc_interp_cpu_finalize(s->cpu);
        spapr_machine_destroy(s->spapr);
    }
}

/* ---- state, snapshots ---- */

typedef struct State {
    uint64_t gpr[32];
    uint64_t lr, ctr, xer, msr, nip;
    uint32_t cr;
    uint8_t *mem;               /* REGION_SIZE bytes at REGION_RA */
} State;

typedef struct Snap {
    uint64_t gpr[32];
    uint64_t lr, ctr, xer, nip, msr, srr0, srr1, dar, cfar, icount;
    uint32_t cr, dsisr;
    int why;
    uint8_t *mem;
    uint8_t code[2 * GUEST_PAGE_SIZE];     /* the code page and the next */
} Snap;

static void state_init(State *st)
{
    memset(st, 0, sizeof(*st));
    st->mem = g_malloc0(REGION_SIZE);
}

static void state_copy(State *dst, const State *src)
{
    uint8_t *mem = dst->mem;

    *dst = *src;
    dst->mem = mem;
    memcpy(dst->mem, src->mem, REGION_SIZE);
}

static void state_free(State *st)
{
    g_free(st->mem);
}

static void set_state(Side *s, const State *st)
{
    CPUPPCState *env = &s->cpu->env;

    memcpy(env->gpr, st->gpr, sizeof(env->gpr));
    env->lr = st->lr;
    env->ctr = st->ctr;
    env->xer = st->xer;
    env->cr = st->cr;
    env->msr = st->msr;
    env->nip = st->nip;
    env->srr0 = env->srr1 = env->dar = env->cfar = 0;
    env->dsisr = 0;
    s->cpu->icount = 0;
    s->cpu->exit_request = 0;
    /* Data only: no decoded code lives in the region. */
    memcpy(s->ram->host + REGION_RA, st->mem, REGION_SIZE);
}

static void take_snap(Side *s, Snap *sn, int why)
{
    CPUPPCState *env = &s->cpu->env;

    memcpy(sn->gpr, env->gpr, sizeof(sn->gpr));
    sn->lr = env->lr;
    sn->ctr = env->ctr;
    sn->xer = env->xer;
    sn->nip = env->nip;
    sn->msr = env->msr;
    sn->srr0 = env->srr0;
    sn->srr1 = env->srr1;
    sn->dar = env->dar;
    sn->cfar = env->cfar;
    sn->icount = s->cpu->icount;
    sn->cr = env->cr;
    sn->dsisr = env->dsisr;
    sn->why = why;
    if (!sn->mem) {
        sn->mem = g_malloc(REGION_SIZE);
    }
    memcpy(sn->mem, s->ram->host + REGION_RA, REGION_SIZE);
    memcpy(sn->code, s->ram->host + CODE_RA, sizeof(sn->code));
}

/* Differences between the reference @r and the compiled run @j. */
static unsigned snap_diff(const Snap *r, const Snap *j, GString *out)
{
    unsigned n = 0;

#define DIFF(field, name)                                                   \
    do {                                                                    \
        if (r->field != j->field) {                                         \
            g_string_append_printf(out, "  %-6s interp 0x%016" G_GINT64_MODIFIER \
                                   "x  jit 0x%016" G_GINT64_MODIFIER "x\n", \
                                   name, (uint64_t)r->field, (uint64_t)j->field); \
            n++;                                                            \
        }                                                                   \
    } while (0)

    for (unsigned i = 0; i < 32; i++) {
        char name[8];
        snprintf(name, sizeof(name), "r%u", i);
        DIFF(gpr[i], name);
    }
    DIFF(cr, "cr");
    DIFF(xer, "xer");
    DIFF(lr, "lr");
    DIFF(ctr, "ctr");
    DIFF(cfar, "cfar");
    DIFF(nip, "nip");
    DIFF(msr, "msr");
    DIFF(srr0, "srr0");
    DIFF(srr1, "srr1");
    DIFF(dar, "dar");
    DIFF(dsisr, "dsisr");
    DIFF(icount, "icount");
    DIFF(why, "exit");
#undef DIFF
    for (unsigned i = 0; i < REGION_SIZE; i++) {
        if (r->mem[i] != j->mem[i]) {
            g_string_append_printf(out, "  mem[0x%" G_GINT64_MODIFIER "x] interp 0x%02x "
                                   "jit 0x%02x (first differing byte)\n",
                                   (uint64_t)(REGION_RA + i), r->mem[i], j->mem[i]);
            n++;
            break;
        }
    }
    for (unsigned i = 0; i < sizeof(r->code); i++) {
        if (r->code[i] != j->code[i]) {
            g_string_append_printf(out, "  code[0x%" G_GINT64_MODIFIER "x] interp 0x%02x "
                                   "jit 0x%02x (first differing byte)\n",
                                   (uint64_t)(CODE_RA + i), r->code[i], j->code[i]);
            n++;
            break;
        }
    }
    return n;
}

/* ---- one differential case ---- */

typedef struct Case {
    const uint32_t *words;
    unsigned n;
    bool le;
    const State *warm;          /* state of the warm-up runs (compiles) */
    const State *meas;          /* state of the measured run */
    uint64_t warm_budget;
    const uint64_t *chunks;     /* the measured run's budgets, in turn */
    unsigned n_chunks;
    unsigned code_off;          /* the program starts at CODE_RA + this */
    bool dirty_log;             /* the measured run under the dirty log */
    uint64_t poison_ra;         /* poisoned before the measured run (machine) */
    void (*before_meas)(Side *s);   /* after its state is set */
} Case;

typedef struct Outcome {
    unsigned mismatches;        /* differing fields at the first bad chunk */
    unsigned bad_chunk;
    uint64_t blocks, insns;     /* compiled for this case */
    unsigned warm_runs;
    bool interrupted;           /* the measured run ended at a vector */
} Outcome;

/* Put the program at CODE_RA, then "b ." */
static void load_code(Side *s, const Case *c)
{
    for (unsigned i = 0; i < MAX_WORDS + 8; i++) {
        uint32_t w = i < c->n ? c->words[i] : enc_b_self();
        uint32_t raw = c->le ? GUINT32_TO_LE(w) : GUINT32_TO_BE(w);
        g_assert_cmpint(guest_write(s->ram, CODE_RA + c->code_off + 4 * i, &raw, 4),
                        ==, 0);
    }
    ppc_interp_invalidate(CODE_RA, 2 * GUEST_PAGE_SIZE);
}

static int run_side(Side *s, uint64_t budget)
{
    s->cpu->exit_request = 0;
    return ppc_interp_run(s->cpu, s->ram, budget);
}

/* Returns the dirty bitmap of the run when c->dirty_log (g_free it). */
static unsigned long *run_measured(Side *s, const Case *c, Snap *snaps)
{
    unsigned long *dirty = NULL;

    set_state(s, c->meas);
    if (c->poison_ra) {
        g_assert_cmpint(guest_poison_page(s->ram, c->poison_ra), ==, 0);
    }
    if (c->before_meas) {
        c->before_meas(s);
    }
    if (c->dirty_log) {
        guest_dirty_log_start(s->ram);
    }
    for (unsigned k = 0; k < c->n_chunks; k++) {
        int why = run_side(s, c->chunks[k]);
        take_snap(s, &snaps[k], why);
    }
    if (c->dirty_log) {
        dirty = g_new0(unsigned long, guest_dirty_bitmap_longs(s->ram));
        guest_dirty_log_sync(s->ram, dirty);
        guest_dirty_log_stop(s->ram);
    }
    guest_poison_clear(s->ram);
    return dirty;
}

static Snap *snaps_new(unsigned n)
{
    return g_new0(Snap, n);
}

static void snaps_free(Snap *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        g_free(s[i].mem);
    }
    g_free(s);
}

/*
 * Run @c on @jit (compiler on: warm-up runs until its page has blocks,
 * then the measured run) and on @ref (compiler off: as many warm-up runs,
 * then the measured run); compare after every chunk of the measured run.
 */
static Outcome diff_case(Side *ref, Side *jit, const Case *c, GString *report)
{
    Outcome o = { 0 };
    PPCJitStats s0, s1;
    Snap *js = snaps_new(c->n_chunks), *rs = snaps_new(c->n_chunks);
    const State *warm = c->warm ? c->warm : c->meas;

    jit_on();
    ppc_interp_jit_stats(jit->cpu, &s0);
    load_code(jit, c);
    do {
        set_state(jit, warm);
        run_side(jit, c->warm_budget);
        o.warm_runs++;
        ppc_interp_jit_stats(jit->cpu, &s1);
    } while (s1.blocks == s0.blocks && o.warm_runs < MAX_WARM);
    unsigned long *jdirty = run_measured(jit, c, js);
    ppc_interp_jit_stats(jit->cpu, &s1);
    o.blocks = s1.blocks - s0.blocks;
    o.insns = s1.insns - s0.insns;
    o.interrupted = js[c->n_chunks - 1].nip < 0x1000;

    jit_off();
    ppc_interp_jit_stats(ref->cpu, &s0);
    load_code(ref, c);
    for (unsigned i = 0; i < o.warm_runs; i++) {
        set_state(ref, warm);
        run_side(ref, c->warm_budget);
    }
    unsigned long *rdirty = run_measured(ref, c, rs);
    ppc_interp_jit_stats(ref->cpu, &s1);
    g_assert_cmpuint(s1.blocks, ==, s0.blocks);     /* the reference is */
    g_assert_cmpuint(s1.blocks, ==, 0);             /* never compiled */

    for (unsigned k = 0; k < c->n_chunks; k++) {
        GString *d = g_string_new(NULL);
        unsigned n = snap_diff(&rs[k], &js[k], d);
        if (n) {
            o.mismatches = n;
            o.bad_chunk = k;
            if (report) {
                g_string_append_printf(report, " after measured chunk %u of %u "
                                       "(budget %" G_GUINT64_FORMAT "):\n%s",
                                       k + 1, c->n_chunks, c->chunks[k], d->str);
            }
            g_string_free(d, TRUE);
            break;
        }
        g_string_free(d, TRUE);
    }
    if (c->dirty_log) {
        size_t longs = guest_dirty_bitmap_longs(ref->ram);
        for (size_t i = 0; i < longs; i++) {
            if (jdirty[i] != rdirty[i]) {
                o.mismatches++;
                if (report) {
                    g_string_append_printf(report, "  dirty log, pages %zu..: interp 0x%lx "
                                           "jit 0x%lx\n", i * 8 * sizeof(long),
                                           rdirty[i], jdirty[i]);
                }
                break;
            }
        }
    }
    g_free(jdirty);
    g_free(rdirty);
    snaps_free(js, c->n_chunks);
    snaps_free(rs, c->n_chunks);
    return o;
}

static void describe_case(GString *out, const Case *c, int virt)
{
    const State *st = c->meas;

    g_string_append_printf(out, "  mode: MSR 0x%016" G_GINT64_MODIFIER "x (%s, %s), code at "
                           "EA 0x%" G_GINT64_MODIFIER "x\n  words:",
                           st->msr, c->le ? "LE" : "BE",
                           space_name(virt), code_ea(virt) + c->code_off);
    for (unsigned i = 0; i < c->n; i++) {
        g_string_append_printf(out, "%s 0x%08x", i % 8 ? "" : "\n   ", c->words[i]);
    }
    g_string_append_printf(out, "\n    then 0x%08x (b .)\n  initial:", enc_b_self());
    for (unsigned i = 0; i < 32; i++) {
        g_string_append_printf(out, "%s r%u=0x%" G_GINT64_MODIFIER "x",
                               i % 4 ? "" : "\n   ", i, st->gpr[i]);
    }
    g_string_append_printf(out, "\n    cr=0x%08x xer=0x%" G_GINT64_MODIFIER "x lr=0x%"
                           G_GINT64_MODIFIER "x ctr=0x%" G_GINT64_MODIFIER "x\n",
                           st->cr, st->xer, st->lr, st->ctr);
    if (c->warm && c->warm != c->meas) {
        const State *w = c->warm;
        g_string_append(out, "  warm-up runs differ from the measured one in:");
        for (unsigned i = 0; i < 32; i++) {
            if (w->gpr[i] != st->gpr[i]) {
                g_string_append_printf(out, " r%u=0x%" G_GINT64_MODIFIER "x", i, w->gpr[i]);
            }
        }
        if (w->cr != st->cr) {
            g_string_append_printf(out, " cr=0x%08x", w->cr);
        }
        if (w->ctr != st->ctr) {
            g_string_append_printf(out, " ctr=0x%" G_GINT64_MODIFIER "x", w->ctr);
        }
        if (w->lr != st->lr) {
            g_string_append_printf(out, " lr=0x%" G_GINT64_MODIFIER "x", w->lr);
        }
        if (w->xer != st->xer) {
            g_string_append_printf(out, " xer=0x%" G_GINT64_MODIFIER "x", w->xer);
        }
        g_string_append(out, "\n");
    }
    if (c->dirty_log) {
        g_string_append(out, "  measured run under the dirty log\n");
    }
    g_string_append_printf(out, "  ppc_interp_set_jit(%u), warm-up runs until blocks are "
                           "compiled, then the measured run\n", jit_threshold);
    g_string_append(out, "  budgets:");
    for (unsigned k = 0; k < c->n_chunks; k++) {
        g_string_append_printf(out, " %" G_GUINT64_FORMAT, c->chunks[k]);
    }
    g_string_append(out, "\n");
}

/* A targeted case must match and must have been compiled. */
static void check_case(Side *ref, Side *jit, const Case *c, int virt,
                       const char *what)
{
    GString *rep = g_string_new(NULL);
    Outcome o = diff_case(ref, jit, c, rep);

    if (o.blocks == 0) {
        g_test_message("%s: nothing was compiled", what);
        g_test_fail();
    }
    if (o.mismatches) {
        GString *d = g_string_new(NULL);
        describe_case(d, c, virt);
        g_printerr("\nJIT MISMATCH in %s\n%s%s", what, d->str, rep->str);
        g_test_message("JIT mismatch in %s\n%s%s", what, d->str, rep->str);
        g_string_free(d, TRUE);
        g_test_fail();
    }
    g_string_free(rep, TRUE);
}

/* ---- random programs ---- */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rnd64(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static unsigned rnd(Rng *r, unsigned n)
{
    return (unsigned)((rnd64(r) >> 11) % n);
}

/* An operand register: r3..r12, now and then r0. */
static unsigned rreg(Rng *r)
{
    static const unsigned others[] = {
        1, 2, 13, 14, 15, 16, 17, 18, 19, 24, 25, 26, 27, 28, 29, 30, 31,
    };
    unsigned k = rnd(r, 16);

    if (k == 0) {
        return 0;
    }
    if (k < 4) {
        /* registers the block may not cache (it caches at most 6) */
        return others[rnd(r, G_N_ELEMENTS(others))];
    }
    return 3 + rnd(r, 10);
}

static int32_t rimm(Rng *r)
{
    static const int32_t edge[] = {
        0, 1, -1, 0x7FFF, -0x8000, 0xFFFF, 2, 0x100, -2, 0x8000, 31, 32, 63,
    };
    switch (rnd(r, 4)) {
    case 0:
        return edge[rnd(r, G_N_ELEMENTS(edge))];
    case 1:
        return (int32_t)rnd(r, 64) - 32;
    default:
        return (int32_t)(rnd64(r) & 0xFFFF);
    }
}

static uint64_t rval(Rng *r)
{
    static const uint64_t edge[] = {
        0, 1, ~0ULL, 0x7FFFFFFFULL, 0x80000000ULL, 0xFFFFFFFFULL,
        0x100000000ULL, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL,
        0xFFFFFFFF80000000ULL, 0xFFFF0000ULL, 0xFFFFFFFF7FFFFFFFULL, 2, 63, 64,
        0x8000000080000000ULL,
    };
    switch (rnd(r, 4)) {
    case 0:
    case 1:
        return edge[rnd(r, G_N_ELEMENTS(edge))];
    case 2:
        return (uint64_t)(int64_t)(int32_t)rnd64(r);
    default:
        return rnd64(r);
    }
}

typedef struct MemForm {
    char kind;                  /* 'D', 'S' (DS-form), 'X' */
    unsigned op, xo, size;
} MemForm;

static const MemForm mem_forms[] = {
    { 'D', 34, 0, 1 }, { 'D', 35, 0, 1 },           /* lbz lbzu */
    { 'D', 40, 0, 2 }, { 'D', 41, 0, 2 },           /* lhz lhzu */
    { 'D', 42, 0, 2 },                              /* lha */
    { 'D', 32, 0, 4 }, { 'D', 33, 0, 4 },           /* lwz lwzu */
    { 'S', 58, 0, 8 }, { 'S', 58, 1, 8 },           /* ld ldu */
    { 'S', 58, 2, 4 },                              /* lwa */
    { 'D', 38, 0, 1 }, { 'D', 39, 0, 1 },           /* stb stbu */
    { 'D', 44, 0, 2 }, { 'D', 45, 0, 2 },           /* sth sthu */
    { 'D', 36, 0, 4 }, { 'D', 37, 0, 4 },           /* stw stwu */
    { 'S', 62, 0, 8 }, { 'S', 62, 1, 8 },           /* std stdu */
    { 'X', 31, 87, 1 }, { 'X', 31, 119, 1 },        /* lbzx lbzux */
    { 'X', 31, 279, 2 }, { 'X', 31, 343, 2 },       /* lhzx lhax */
    { 'X', 31, 23, 4 }, { 'X', 31, 55, 4 },         /* lwzx lwzux */
    { 'X', 31, 341, 4 },                            /* lwax */
    { 'X', 31, 21, 8 }, { 'X', 31, 53, 8 },         /* ldx ldux */
    { 'X', 31, 215, 1 }, { 'X', 31, 407, 2 },       /* stbx sthx */
    { 'X', 31, 151, 4 }, { 'X', 31, 183, 4 },       /* stwx stwux */
    { 'X', 31, 149, 8 }, { 'X', 31, 181, 8 },       /* stdx stdux */
};

static uint32_t gen_mem(Rng *r)
{
    const MemForm *f = &mem_forms[rnd(r, G_N_ELEMENTS(mem_forms))];
    unsigned rt = rreg(r), base = 20 + rnd(r, 2), idx = 22 + rnd(r, 2);
    int32_t disp = (int32_t)f->size * ((int32_t)rnd(r, 9) - 4);
    bool store = f->op == 62 || (f->op >= 36 && f->op <= 39) ||
                 (f->op >= 44 && f->op <= 45) ||
                 (f->op == 31 && (f->xo == 215 || f->xo == 407 || f->xo == 151 ||
                                  f->xo == 183 || f->xo == 149 || f->xo == 181));

    if (store && rnd(r, 6) == 0) {
        /* a store of its own base or index (the old value, for updates) */
        rt = rnd(r, 2) ? base : idx;
    }

    switch (f->kind) {
    case 'D':
        return enc_d(f->op, rt, base, disp);
    case 'S':
        return enc_ds(f->op, rt, base, disp, f->xo);
    default:
        return enc_x31(f->xo, rt, base, idx, 0);
    }
}

static uint32_t gen_alu(Rng *r)
{
    static const unsigned xo_arith[] = {
        266, 40, 104, 10, 138, 8, 136, 202, 200, 234, 232, 233, 235, 9, 73,
    };
    static const unsigned x_logic[] = { 28, 60, 444, 412, 316, 476, 124, 284 };
    static const unsigned x_shift[] = { 24, 536, 27, 539 };
    static const unsigned x_exts[] = { 954, 922, 986 };
    unsigned rt = rreg(r), ra = rreg(r), rb = rreg(r);

    switch (rnd(r, 14)) {
    case 0:
        return enc_addi(rt, ra, rimm(r));
    case 1:
        return enc_addis(rt, ra, rimm(r));
    case 2:
        return enc_d(24 + rnd(r, 4), rt, ra, rimm(r));  /* ori oris xori xoris */
    case 3:
        return enc_d(28 + rnd(r, 2), rt, ra, rimm(r));  /* andi. andis. */
    case 4:
        return enc_d(rnd(r, 2) ? 8 : 7, rt, ra, rimm(r));   /* subfic mulli */
    case 5:
        return enc_m(20 + rnd(r, 2), rt, ra, rnd(r, 32), rnd(r, 32), rnd(r, 32),
                     rnd(r, 2));                        /* rlwimi rlwinm */
    case 6:
        return enc_md(rnd(r, 4), rt, ra, rnd(r, 64), rnd(r, 64), rnd(r, 2));
    case 7:
    case 8:
        return enc_xo(xo_arith[rnd(r, G_N_ELEMENTS(xo_arith))], rt, ra, rb, 0, 0);
    case 9:
    case 10:
        return enc_x31(x_logic[rnd(r, G_N_ELEMENTS(x_logic))], rt, ra, rb, 0);
    case 11:
        return enc_x31(x_exts[rnd(r, 3)], rt, ra, 0, rnd(r, 2));
    case 12:
        return enc_x31(x_shift[rnd(r, 4)], rt, ra, rb, 0);
    default:                                            /* isel */
        return (31u << 26) | (rt << 21) | (ra << 16) | (rb << 11) |
               (rnd(r, 32) << 6) | (15u << 1);
    }
}

static uint32_t gen_cmp(Rng *r)
{
    unsigned bf = rnd(r, 8), l = rnd(r, 2), ra = rreg(r), rb = rreg(r);

    switch (rnd(r, 4)) {
    case 0:
        return enc_d(11, (bf << 2) | l, ra, rimm(r));           /* cmpi */
    case 1:
        return enc_d(10, (bf << 2) | l, ra, rimm(r));           /* cmpli */
    case 2:
        return enc_x31(0, (bf << 2) | l, ra, rb, 0);            /* cmp */
    default:
        return enc_x31(32, (bf << 2) | l, ra, rb, 0);           /* cmpl */
    }
}

static uint32_t gen_spr(Rng *r)
{
    unsigned reg = rreg(r), spr = rnd(r, 2) ? SPR_LR : SPR_CTR;

    return rnd(r, 2) ? enc_mfspr(reg, spr) : enc_mtspr(spr, reg);
}

/* Instructions the compiler leaves to the interpreter: blocks end there. */
static uint32_t gen_other(Rng *r)
{
    unsigned rt = rreg(r), ra = rreg(r), rb = rreg(r);

    switch (rnd(r, 14)) {
    case 0:
        return enc_d(12 + rnd(r, 2), rt, ra, rimm(r));          /* addic[.] */
    case 1:
        return enc_xo(266, rt, ra, rb, rnd(r, 2), 1);           /* add[o]. */
    case 2:
        return enc_xo(138, rt, ra, rb, 1, 0);                   /* addeo */
    case 3:
        return enc_xo(457, rt, ra, rb, 0, 0);                   /* divdu */
    case 4:
        return enc_xo(75, rt, ra, rb, 0, 0);                    /* mulhw */
    case 5:
        return enc_x31(58, rt, ra, 0, rnd(r, 2));               /* cntlzd */
    case 6:
        return enc_x31(792, rt, ra, rb, 0);                     /* sraw */
    case 7:
        return enc_xs(413, rt, ra, rnd(r, 64), rnd(r, 2));      /* sradi */
    case 8:
        return enc_m(23, rt, ra, rb, rnd(r, 32), rnd(r, 32), 0); /* rlwnm */
    case 9:
        return enc_x31(19, rt, 0, 0, 0);                        /* mfcr */
    case 10:
        return (31u << 26) | (rt << 21) | (rnd(r, 256) << 12) |
               (144u << 1);                                     /* mtcrf */
    case 11:
        return rnd(r, 2) ? enc_mtspr(SPR_XER, rt) : enc_mfspr(rt, SPR_XER);
    case 12:
        return enc_x31(316, rt, ra, rb, 1);                     /* xor. */
    default:
        return enc_d(43, rt, 20, 2 * ((int32_t)rnd(r, 17) - 8)); /* lhau */
    }
}

/* A short forward branch from slot @i (at most to the final b . at @n). */
static uint32_t gen_branch(Rng *r, unsigned i, unsigned n)
{
    static const unsigned bos[] = { 12, 4, 16, 18, 20 };
    unsigned skip = 2 + rnd(r, 2);

    if (i + skip > n) {
        skip = n - i;
    }
    if (skip < 1) {
        skip = 1;
    }
    if (rnd(r, 4) == 0) {
        return enc_b(4 * (int32_t)skip, 0, 1);                  /* bl */
    }
    return enc_bc(bos[rnd(r, G_N_ELEMENTS(bos))], rnd(r, 32),
                  4 * (int32_t)skip, 0, rnd(r, 4) == 0);
}

static bool is_mtlr(uint32_t w)
{
    return (w & 0xFC1FFFFE) == enc_mtspr(SPR_LR, 0);
}

/*
 * @loop: the last word is a bdnz back to the first (the compiler runs
 * such a block round and round); blr only after a bl, to the word after
 * it, while no mtlr came in between.
 */
static unsigned gen_program(Rng *r, uint32_t *w, bool with_other, bool loop)
{
    unsigned n = 8 + rnd(r, 33);
    unsigned body = loop ? n - 1 : n;
    bool lr_valid = false;

    for (unsigned i = 0; i < body; i++) {
        unsigned k = rnd(r, 100);
        if (k >= 91 && k < 94 && with_other) {
            if (lr_valid && rnd(r, 3) == 0) {
                w[i] = enc_xl(16, 20, 0, 0, 0);         /* blr */
            } else {
                w[i] = gen_branch(r, i, body);
                lr_valid |= (w[i] >> 26) == 18;         /* bl */
                lr_valid |= (w[i] >> 26) == 16 && (w[i] & 1);
            }
            continue;
        }
        if (k < 42) {
            w[i] = gen_alu(r);
        } else if (k < 76) {
            w[i] = gen_mem(r);
        } else if (k < 86) {
            w[i] = gen_cmp(r);
        } else if (k < 91) {
            w[i] = gen_spr(r);
        } else if (with_other) {
            w[i] = gen_other(r);
        } else {
            w[i] = gen_alu(r);
        }
        if (is_mtlr(w[i])) {
            lr_valid = false;
        }
    }
    if (loop) {
        w[n - 1] = enc_bc(16, 0, -4 * (int32_t)(n - 1), 0, 0);     /* bdnz */
    }
    /* A branch may skip the bl: LR then is the initial one (set into the
     * program), which no mtlr may change. */
    for (unsigned i = 0; i < n; i++) {
        if (w[i] == enc_xl(16, 20, 0, 0, 0)) {
            for (unsigned j = 0; j < n; j++) {
                if (is_mtlr(w[j])) {
                    w[j] = enc_mfspr((w[j] >> 21) & 31, SPR_LR);
                }
            }
            break;
        }
    }
    return n;
}

static void gen_state(Rng *r, State *st, bool le, int virt)
{
    uint64_t base = data_ea(virt, REGION_RA + 0x2000);

    for (unsigned i = 0; i < 32; i++) {
        st->gpr[i] = rval(r);
    }
    st->gpr[20] = base;
    st->gpr[21] = base + 0x800;
    if (rnd(r, 8) == 0) {
        st->gpr[21] += 1 + rnd(r, 7);               /* misaligned accesses */
    }
    if (rnd(r, 10) == 0) {
        st->gpr[21] = base - 0x1000 - 4 + rnd(r, 8);    /* page crossings */
    }
    if (!virt && rnd(r, 4) == 0) {
        /* real mode ignores the top 4 bits of the address */
        st->gpr[20] |= 0xC000000000000000ULL;
        st->gpr[21] |= 0x8000000000000000ULL;
    }
    st->gpr[22] = (uint64_t)(8 * ((int64_t)rnd(r, 9) - 4));
    st->gpr[23] = (uint64_t)(8 * ((int64_t)rnd(r, 9) - 4));
    st->cr = (uint32_t)rnd64(r);
    st->xer = 0;
    for (unsigned b = 0; b < 5; b++) {
        static const uint64_t bits[] = { XER_SO, XER_OV, XER_CA, XER_OV32, XER_CA32 };
        if (rnd(r, 2)) {
            st->xer |= bits[b];
        }
    }
    if (rnd(r, 4) == 0) {
        st->xer |= rnd(r, 128);                     /* byte count */
    }
    st->lr = rval(r);
    st->ctr = rnd(r, 3) ? rnd(r, 4) : rval(r);
    st->msr = MSR_SF | MSR_ME | (le ? MSR_LE : 0) | space_msr(virt);
    st->nip = code_ea(virt);
    memset(st->mem, 0, REGION_SIZE);
    for (unsigned i = 0; i < DATA_SIZE; i += 8) {
        uint64_t v = rnd(r, 4) ? rnd64(r) : rval(r);
        memcpy(st->mem + i, &v, 8);
    }
}

/* Shrink a failing program: drop words while it still fails. */
static unsigned minimize(Side *ref, Side *jit, Case *c, uint32_t *w)
{
    uint64_t total = 0;
    uint64_t chunk;

    for (unsigned k = 0; k < c->n_chunks; k++) {
        total += c->chunks[k];
    }
    /* one budget: the whole run */
    chunk = total;
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned i = 0; i < c->n && c->n > 1; i++) {
            uint32_t saved[MAX_WORDS];
            unsigned n = c->n;
            memcpy(saved, w, sizeof(uint32_t) * n);
            memmove(&w[i], &w[i + 1], sizeof(uint32_t) * (n - i - 1));
            c->n = n - 1;
            if (diff_case(ref, jit, c, NULL).mismatches) {
                changed = true;
                i--;
                continue;
            }
            memcpy(w, saved, sizeof(uint32_t) * n);
            c->n = n;
        }
    }
    (void)chunk;
    return c->n;
}

typedef struct Mode {
    bool le;
    int virt;                   /* 0 real, 1 kernel radix, 2 user radix */
} Mode;

#define SEQS_PER_MODE   160

/* JIT_TEST_SEQS=n (per mode) and JIT_TEST_SEED=x (mixed into the fixed
 * seeds) for longer campaigns; the defaults are what the suite runs. */
static unsigned seqs_per_mode(void)
{
    const char *e = g_getenv("JIT_TEST_SEQS");
    return e ? (unsigned)g_ascii_strtoull(e, NULL, 0) : SEQS_PER_MODE;
}

static uint64_t seed_mix(void)
{
    const char *e = g_getenv("JIT_TEST_SEED");
    return e ? g_ascii_strtoull(e, NULL, 0) * 0x9E3779B97F4A7C15ULL : 0;
}

static void random_mode(Mode m, uint64_t seed)
{
    Side ref, jit;
    Rng r = { seed ^ seed_mix() };
    State warm;
    unsigned seqs = seqs_per_mode();
    State st;
    uint32_t w[MAX_WORDS];
    unsigned compiled = 0, failures = 0, interrupted = 0;
    uint64_t blocks = 0, insns = 0, words = 0;

    side_init(&ref, m.virt);
    side_init(&jit, m.virt);
    state_init(&st);
    state_init(&warm);
    for (unsigned seq = 0; seq < seqs; seq++) {
        uint64_t chunks[4];
        Case c = { .words = w, .le = m.le, .meas = &st };
        GString *rep = g_string_new(NULL);

        bool loop = seq % 5 == 2;
        static const unsigned thresholds[] = { 2, 2, 1, 3, 5 };
        jit_threshold = thresholds[rnd(&r, G_N_ELEMENTS(thresholds))];
        c.n = gen_program(&r, w, seq % 4 != 0, loop);
        gen_state(&r, &st, m.le, m.virt);
        /* now and then across the end of the code page */
        c.code_off = rnd(&r, 6) == 0 ? GUEST_PAGE_SIZE - 4 * (1 + rnd(&r, c.n)) : 0;
        st.nip = code_ea(m.virt) + c.code_off;
        st.lr = st.nip + 4 * rnd(&r, c.n + 1);              /* for blr */
        if (rnd(&r, 4) == 0) {
            /* warm-up on other paths: the measured run meets slots that
             * were never decoded, so never compiled */
            state_copy(&warm, &st);
            warm.cr = (uint32_t)rnd64(&r);
            warm.ctr = rnd(&r, 4);
            warm.xer ^= XER_CA | XER_SO;
            c.warm = &warm;
        }
        c.warm_budget = 3 * c.n + 4;
        if (rnd(&r, 3) == 0) {
            /* stopped (and restarted) inside blocks */
            uint64_t left = c.warm_budget;
            c.n_chunks = 0;
            while (left && c.n_chunks < 3) {
                uint64_t k = 1 + rnd(&r, (unsigned)left);
                chunks[c.n_chunks++] = k;
                left -= k;
            }
            if (left) {
                chunks[c.n_chunks++] = left;
            }
        } else {
            chunks[0] = c.warm_budget;
            c.n_chunks = 1;
        }
        c.chunks = chunks;
        c.dirty_log = rnd(&r, 6) == 0;
        Outcome o = diff_case(&ref, &jit, &c, rep);
        words += c.n;
        blocks += o.blocks;
        insns += o.insns;
        compiled += o.blocks > 0;
        interrupted += o.interrupted;
        if (o.mismatches && failures < 3) {
            GString *d = g_string_new(NULL);
            uint32_t orig[MAX_WORDS];
            unsigned n0 = c.n;
            memcpy(orig, w, sizeof(w[0]) * n0);
            describe_case(d, &c, m.virt);
            g_printerr("\nJIT MISMATCH: %s %s, seed 0x%" G_GINT64_MODIFIER "x, sequence %u\n%s%s",
                       m.le ? "LE" : "BE", space_name(m.virt), seed ^ seed_mix(), seq,
                       d->str, rep->str);
            /* and a minimal program that still differs */
            minimize(&ref, &jit, &c, w);
            g_string_truncate(d, 0);
            g_string_truncate(rep, 0);
            diff_case(&ref, &jit, &c, rep);
            describe_case(d, &c, m.virt);
            g_printerr("minimized (%u of %u words):\n%s%s", c.n, n0, d->str, rep->str);
            g_test_message("JIT mismatch, minimized:\n%s%s", d->str, rep->str);
            g_string_free(d, TRUE);
            failures++;
        }
        if (o.mismatches) {
            g_test_fail();
        }
        g_string_free(rep, TRUE);
    }
    g_test_message("%s %s: %u sequences (%" G_GUINT64_FORMAT " words), %u compiled, "
                   "%" G_GUINT64_FORMAT " blocks, %" G_GUINT64_FORMAT " insns in blocks, "
                   "%u ended in an interrupt",
                   m.le ? "LE" : "BE", space_name(m.virt), seqs,
                   words, compiled, blocks, insns, interrupted);
    /* Most programs must run to their end, not into a vector. */
    g_assert_cmpuint(interrupted, <=, seqs / 5);
    /* The differential test means nothing if the compiler did not run. */
    g_assert_cmpuint(compiled, >=, seqs * 9 / 10);
    g_assert_cmpuint(insns, >=, words / 2);
    jit_threshold = JIT_THRESHOLD;
    state_free(&st);
    state_free(&warm);
    side_cleanup(&ref);
    side_cleanup(&jit);
}

static bool need_jit(void)
{
    if (!host_has_jit) {
#if defined(__x86_64__)
        g_test_message("ppc_interp_set_jit() returned false on an x86-64 host");
        g_test_fail();
#else
        g_test_skip("no block compiler on this host");
#endif
        return false;
    }
    return true;
}

static void test_random_le_real(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = true, .virt = false }, 0x9E3779B97F4A7C15ULL);
    }
}

static void test_random_be_real(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = false, .virt = false }, 0xD1B54A32D192ED03ULL);
    }
}

static void test_random_le_radix(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = true, .virt = true }, 0x8CB92BA72F3D8DD7ULL);
    }
}

static void test_random_le_user(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = true, .virt = 2 }, 0x1D8E4E27C47D124FULL);
    }
}

static void test_random_be_user(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = false, .virt = 2 }, 0xE7037ED1A0B428DBULL);
    }
}

static void test_random_be_radix(void)
{
    if (need_jit()) {
        random_mode((Mode){ .le = false, .virt = true }, 0xA0761D6478BD642FULL);
    }
}

/* ---- targeted cases ---- */

static const Mode all_modes[] = {
    { .le = true, .virt = false }, { .le = false, .virt = false },
    { .le = true, .virt = true }, { .le = false, .virt = true },
};

static const char *mode_name(Mode m)
{
    static const char *names[2][3] = {
        { "BE real", "BE radix", "BE user radix" },
        { "LE real", "LE radix", "LE user radix" },
    };
    return names[m.le][m.virt];
}

/* A plain starting state: r_i = 0x1111 * i, bases in the data region. */
static void base_state(State *st, Mode m)
{
    memset(st->mem, 0, REGION_SIZE);
    for (unsigned i = 0; i < 32; i++) {
        st->gpr[i] = 0x1111ULL * i;
    }
    for (unsigned i = 0; i < DATA_SIZE; i++) {
        st->mem[i] = (uint8_t)(i * 7 + 3);
    }
    st->gpr[20] = data_ea(m.virt, REGION_RA + 0x1000);
    st->gpr[21] = data_ea(m.virt, REGION_RA + 0x2000);
    st->cr = 0x12345678;
    st->xer = XER_CA;
    st->lr = 0x4444;
    st->ctr = 0x5555;
    st->msr = MSR_SF | MSR_ME | (m.le ? MSR_LE : 0) | space_msr(m.virt);
    st->nip = code_ea(m.virt);
}

/*
 * (a) A counted loop around adds, loads and stores (update forms too),
 * stepped with small budgets: each stop lands somewhere inside the loop's
 * block, and each restart must continue exactly as the interpreter does.
 */
#define LOOP_ITERS  40

static void test_loop_small_budgets(void)
{
    const uint32_t words[] = {
        enc_li(8, LOOP_ITERS),
        enc_mtspr(SPR_CTR, 8),
        enc_addi(3, 3, 1),                      /* 1: */
        enc_xo(266, 4, 4, 3, 0, 0),             /* add r4,r4,r3 */
        enc_ds(62, 4, 20, 0, 0),                /* std r4,0(r20) */
        enc_ds(58, 5, 20, 8, 1),                /* ldu r5,8(r20) */
        enc_x31(316, 6, 6, 5, 0),               /* xor r6,r6,r5 */
        enc_d(37, 4, 21, 4),                    /* stwu r4,4(r21) */
        enc_d(32, 7, 21, -4),                   /* lwz r7,-4(r21) */
        enc_m(21, 7, 9, 3, 0, 28, 0),           /* rlwinm r9,r7,3,0,28 */
        enc_xo(266, 10, 10, 9, 0, 0),           /* add r10,r10,r9 */
        enc_xo(8, 11, 10, 3, 0, 0),             /* subfc r11,r10,r3 */
        enc_xo(138, 12, 12, 11, 0, 0),          /* adde r12,r12,r11 */
        enc_mfspr(13, SPR_CTR),
        enc_x31(21, 14, 21, 22, 0),             /* ldx r14,r21,r22 */
        enc_bc(16, 0, -4 * 13, 0, 0),           /* bdnz 1b */
    };
    const uint64_t total = 2 + 14 * LOOP_ITERS + 5;
    static const unsigned steps[] = { 1, 2, 3, 5, 7, 11, 13, 4, 17, 29, 6, 31, 9 };
    uint64_t chunks[600];
    unsigned n_chunks = 0;

    if (!need_jit()) {
        return;
    }
    for (uint64_t done = 0; done < total; n_chunks++) {
        uint64_t k = MIN(steps[n_chunks % G_N_ELEMENTS(steps)], total - done);
        chunks[n_chunks] = k;
        done += k;
    }
    for (unsigned mi = 0; mi < G_N_ELEMENTS(all_modes); mi++) {
        Mode m = all_modes[mi];
        Side ref, jit;
        State st;
        Case c = {
            .words = words, .n = G_N_ELEMENTS(words), .le = m.le, .meas = &st,
            .warm_budget = total, .chunks = chunks, .n_chunks = n_chunks,
        };
        char what[64];

        side_init(&ref, m.virt);
        side_init(&jit, m.virt);
        state_init(&st);
        base_state(&st, m);
        st.gpr[22] = 0;
        snprintf(what, sizeof(what), "loop with small budgets, %s", mode_name(m));
        check_case(&ref, &jit, &c, m.virt, what);
        /* and in one go */
        c.chunks = &total;
        c.n_chunks = 1;
        check_case(&ref, &jit, &c, m.virt, what);
        state_free(&st);
        side_cleanup(&ref);
        side_cleanup(&jit);
    }
}

/*
 * (b) A compiled block stores a new instruction into its own page: the
 * warm-up runs store to data (so that the page is compiled with the old
 * word), the measured run points the store at slot @target. With @sync,
 * sync; icbi; isync follow the store.
 */
static void smc_case(Mode m, bool sync, unsigned target_slot, const char *what)
{
    uint32_t words[16];
    unsigned n = 0, store_slot;
    Side ref, jit;
    State warm, meas;
    uint64_t budget = 40;

    words[n++] = enc_addi(3, 3, 1);
    words[n++] = enc_addi(4, 4, 2);
    store_slot = n;
    words[n++] = enc_d(36, 5, 20, 0);                   /* stw r5,0(r20) */
    words[n++] = enc_addi(6, 6, 3);
    if (sync) {
        words[n++] = enc_x31(598, 0, 0, 0, 0);          /* sync */
        words[n++] = enc_x31(982, 0, 0, 20, 0);         /* icbi 0,r20 */
        words[n++] = enc_xl(150, 0, 0, 0, 0);           /* isync */
    }
    words[n++] = enc_xo(266, 7, 3, 4, 0, 0);            /* add r7,r3,r4 */
    words[n++] = enc_li(9, 1);                          /* the old word */
    words[n++] = enc_addi(10, 9, 100);
    words[n++] = enc_addi(11, 10, 1);
    words[n++] = enc_xo(266, 12, 11, 7, 0, 0);
    if (target_slot == 0) {
        target_slot = n - 4;                            /* the li */
    }
    g_assert_cmpuint(target_slot, >, store_slot);

    side_init(&ref, m.virt);
    side_init(&jit, m.virt);
    state_init(&warm);
    state_init(&meas);
    base_state(&warm, m);
    /* the new word: li r9,2 -- stw stores it in the code's byte order */
    warm.gpr[5] = enc_li(9, 2);
    state_copy(&meas, &warm);
    meas.gpr[20] = code_ea(m.virt) + 4 * target_slot;
    Case c = {
        .words = words, .n = n, .le = m.le, .warm = &warm, .meas = &meas,
        .warm_budget = budget, .chunks = &budget, .n_chunks = 1,
    };
    check_case(&ref, &jit, &c, m.virt, what);
    state_free(&warm);
    state_free(&meas);
    side_cleanup(&ref);
    side_cleanup(&jit);
}

static void test_self_modifying_code(void)
{
    if (!need_jit()) {
        return;
    }
    for (unsigned mi = 0; mi < G_N_ELEMENTS(all_modes); mi++) {
        Mode m = all_modes[mi];
        char what[96];

        snprintf(what, sizeof(what), "store into the same block, %s", mode_name(m));
        smc_case(m, false, 0, what);
        snprintf(what, sizeof(what), "store to the next insn, %s", mode_name(m));
        smc_case(m, false, 3, what);
        snprintf(what, sizeof(what), "store; sync; icbi; isync, %s", mode_name(m));
        smc_case(m, true, 0, what);
    }
}

/*
 * (c), (d): the block's memory accesses go through r20 (a load) and r21
 * (a store); the warm-up runs use data addresses, the measured run the
 * addresses given.
 */
#define N_ACCESS_WORDS 13

static void access_words(uint32_t *out)
{
    const uint32_t w[N_ACCESS_WORDS] = {
    enc_addi(3, 3, 1),
    enc_addi(4, 4, 1),
    enc_ds(58, 5, 20, 0, 0),            /* ld r5,0(r20) */
    enc_addi(6, 5, 1),
    enc_ds(62, 6, 21, 0, 0),            /* std r6,0(r21) */
    enc_addi(7, 7, 1),
    enc_d(32, 8, 20, 8),                /* lwz r8,8(r20) */
    enc_d(44, 8, 21, 10),               /* sth r8,10(r21) */
    enc_d(42, 9, 20, 2),                /* lha r9,2(r20) */
    enc_d(39, 9, 21, 1),                /* stbu r9,1(r21) */
    enc_x31(341, 10, 20, 22, 0),        /* lwax r10,r20,r22 */
    enc_xo(266, 11, 10, 9, 0, 0),
    enc_addi(12, 12, 1),
    };
    memcpy(out, w, sizeof(w));
}

/*
 * One access case: the warm-up runs use @warm_load/@warm_store in r20/r21
 * (0: the usual data addresses; aligned-down neighbours of the measured
 * addresses keep their pages in the TLB), the measured run @load/@store.
 */
typedef struct Access {
    uint64_t load, store, warm_load, warm_store;
    uint64_t poison_ra;
    bool dirty_log;
} Access;

static void access_case_on(Side *ref, Side *jit, Mode m, const Access *a,
                           const char *what)
{
    State warm, meas;
    uint64_t budget = 30;
    uint64_t chunks[3] = { 3, 5, 22 };
    uint32_t words[N_ACCESS_WORDS];

    access_words(words);
    state_init(&warm);
    state_init(&meas);
    base_state(&warm, m);
    warm.gpr[22] = 4;
    if (a->warm_load) {
        warm.gpr[20] = a->warm_load;
    }
    if (a->warm_store) {
        warm.gpr[21] = a->warm_store;
    }
    state_copy(&meas, &warm);
    meas.gpr[20] = a->load;
    meas.gpr[21] = a->store;
    Case c = {
        .words = words, .n = N_ACCESS_WORDS, .le = m.le,
        .warm = &warm, .meas = &meas, .warm_budget = budget,
        .chunks = &budget, .n_chunks = 1,
        .dirty_log = a->dirty_log, .poison_ra = a->poison_ra,
    };
    check_case(ref, jit, &c, m.virt, what);
    c.chunks = chunks;
    c.n_chunks = 3;
    check_case(ref, jit, &c, m.virt, what);
    state_free(&warm);
    state_free(&meas);
}

static void access_case(Mode m, const Access *a, const char *what)
{
    Side ref, jit;
    char buf[160];

    side_init(&ref, m.virt);
    side_init(&jit, m.virt);
    snprintf(buf, sizeof(buf), "%s, %s", what, mode_name(m));
    access_case_on(&ref, &jit, m, a, buf);
    side_cleanup(&ref);
    side_cleanup(&jit);
}

/* Misaligned @load/@store, the warm-up on their aligned-down neighbours. */
static void misaligned_case(Mode m, uint64_t load, uint64_t store,
                            const char *what)
{
    Access a = {
        .load = load, .store = store,
        .warm_load = load & ~15ULL, .warm_store = store & ~15ULL,
    };
    access_case(m, &a, what);
}

static void test_faults_with_translation(void)
{
    uint64_t ok = RT_KERNEL(REGION_RA + 0x3000);

    if (!need_jit()) {
        return;
    }
    for (unsigned le = 0; le < 2; le++) {
        Mode m = { .le = le, .virt = true };
        access_case(m, &(Access){ .load = UNMAPPED_EA, .store = ok },
                    "load from an unmapped EA (DSI)");
        access_case(m, &(Access){ .load = ok, .store = UNMAPPED_EA },
                    "store to an unmapped EA (DSI)");
        access_case(m, &(Access){ .load = RO_EA + 0x40, .store = RO_EA + 0x80 },
                    "store to a read-only page (DSI)");
        /* the same, with the read-only page's translation in the TLB */
        access_case(m, &(Access){ .load = RO_EA + 0x40, .store = RO_EA + 0x80,
                                  .warm_load = RO_EA, .warm_store = ok },
                    "store to a read-only page in the TLB (DSI)");
        access_case(m, &(Access){ .load = RW4K_EA + 0x40, .store = RW4K_EA + 0x100 },
                    "4K page: TLB misses");
        access_case(m, &(Access){ .load = RW4K_EA + 0x40, .store = RW4K_EA + 0x100,
                                  .warm_load = RW4K_EA, .warm_store = RW4K_EA + 0x800 },
                    "4K page: TLB hits");
        access_case(m, &(Access){ .load = 0x10000000ULL, .store = ok },
                    "load from an unmapped user EA (DSI)");
        /* the last bytes of the 2 MiB linear map, and past it */
        misaligned_case(m, RT_KERNEL(0x200000 - 4), ok,
                        "load crossing out of the linear map");
        misaligned_case(m, ok, RT_KERNEL(0x200000 - 2),
                        "store crossing out of the linear map");
    }
}

static void test_misaligned_accesses(void)
{
    if (!need_jit()) {
        return;
    }
    for (unsigned mi = 0; mi < G_N_ELEMENTS(all_modes); mi++) {
        Mode m = all_modes[mi];
        uint64_t d = data_ea(m.virt, REGION_RA);

        misaligned_case(m, d + 0x1001, d + 0x2003, "misaligned by 1 and 3");
        misaligned_case(m, d + 0x1006, d + 0x2005, "misaligned by 6 and 5");
        /* across the 4 KiB page boundaries at +0x2000 and +0x3000 */
        misaligned_case(m, d + 0x2000 - 4, d + 0x3000 - 3, "crossing a page");
        misaligned_case(m, d + 0x2000 - 1, d + 0x3000 - 1, "crossing a page by 1");
        /* a misaligned store whose tail lands in the decoded code */
        misaligned_case(m, d + 0x1000, code_ea(m.virt) - 5,
                        "misaligned store into the code line");
    }
}

/* Stores under the dirty log, and into the decoded code line. */
static void test_stores_dirty_log_and_code(void)
{
    if (!need_jit()) {
        return;
    }
    for (unsigned mi = 0; mi < G_N_ELEMENTS(all_modes); mi++) {
        Mode m = all_modes[mi];
        uint64_t d = data_ea(m.virt, REGION_RA);

        access_case(m, &(Access){ .load = d + 0x1000, .store = d + 0x3000,
                                  .dirty_log = true },
                    "stores under the dirty log");
        /* the code's own line (words 0..3 already ran) */
        access_case(m, &(Access){ .load = d + 0x1000, .store = code_ea(m.virt) },
                    "aligned stores into the decoded code line");
    }
}

/* Real mode, an access past the end of RAM or to a poisoned page: a
 * machine check (through a pseries machine, which delivers it). */
static void test_machine_check(void)
{
    if (!need_jit()) {
        return;
    }
    for (unsigned le = 0; le < 2; le++) {
        Mode m = { .le = le, .virt = false };
        Side ref, jit;
        char what[96];

        side_init_machine(&jit);
        side_init_machine(&ref);
        snprintf(what, sizeof(what), "load outside RAM (machine check), %s",
                 mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = OUTSIDE_RAM,
                                                 .store = REGION_RA + 0x3000 }, what);
        snprintf(what, sizeof(what), "store outside RAM (machine check), %s",
                 mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = REGION_RA + 0x3000,
                                                 .store = OUTSIDE_RAM + 8 }, what);
        snprintf(what, sizeof(what), "load at the end of RAM, %s", mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = SPAPR_MIN_RAM - 8,
                                                 .store = REGION_RA + 0x3000,
                                                 .warm_load = SPAPR_MIN_RAM - 16 },
                       what);
        snprintf(what, sizeof(what), "misaligned load across the end of RAM, %s",
                 mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = SPAPR_MIN_RAM - 4,
                                                 .store = REGION_RA + 0x3000,
                                                 .warm_load = SPAPR_MIN_RAM - 16 },
                       what);
        snprintf(what, sizeof(what), "load from a poisoned page, %s", mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = REGION_RA + 0x3000,
                                                 .store = REGION_RA + 0x2000,
                                                 .poison_ra = REGION_RA + 0x3000 },
                       what);
        snprintf(what, sizeof(what), "store to a poisoned page, %s", mode_name(m));
        access_case_on(&ref, &jit, m, &(Access){ .load = REGION_RA + 0x2000,
                                                 .store = REGION_RA + 0x3000,
                                                 .poison_ra = REGION_RA + 0x3000 },
                       what);
        side_cleanup(&ref);
        side_cleanup(&jit);
    }
}

/*
 * The same code page (same EA, same LE/SF) warmed up, and compiled, in
 * one MMU mode and then run in another: Linux runs its 0xC000... kernel
 * addresses both in real mode (the top bits are ignored) and through the
 * radix linear map.
 */
static void mode_switch_case(uint64_t warm_msr, uint64_t meas_msr, bool le,
                             bool alias, const char *what)
{
    static const uint64_t budget = 30;
    uint32_t words[N_ACCESS_WORDS];
    Side ref, jit;
    State warm, meas;
    Mode m = { .le = le, .virt = 1 };
    char buf[160];

    access_words(words);
    side_init(&ref, 1);
    side_init(&jit, 1);
    state_init(&warm);
    state_init(&meas);
    base_state(&warm, m);
    warm.gpr[22] = 4;
    warm.msr = MSR_SF | MSR_ME | (le ? MSR_LE : 0) | warm_msr;
    state_copy(&meas, &warm);
    meas.msr = MSR_SF | MSR_ME | (le ? MSR_LE : 0) | meas_msr;
    meas.gpr[20] += 0x100;
    meas.gpr[21] += 0x100;
    if (alias) {
        /* real mode and radix see different bytes at this EA */
        meas.gpr[20] = ALIAS_EA + 0x40;
        meas.gpr[21] = ALIAS_EA + 0x200;
        memset(meas.mem + (RW4K_RA - REGION_RA), 0x5A, GUEST_PAGE_SIZE);
    }
    Case c = {
        .words = words, .n = N_ACCESS_WORDS, .le = le,
        .warm = &warm, .meas = &meas, .warm_budget = budget,
        .chunks = &budget, .n_chunks = 1,
    };
    snprintf(buf, sizeof(buf), "%s%s, %s", what, alias ? " (aliased EA)" : "",
             le ? "LE" : "BE");
    check_case(&ref, &jit, &c, 1, buf);
    state_free(&warm);
    state_free(&meas);
    side_cleanup(&ref);
    side_cleanup(&jit);
}

static void test_mmu_mode_switch(void)
{
    const uint64_t virt = MSR_IR | MSR_DR;

    if (!need_jit()) {
        return;
    }
    for (unsigned k = 0; k < 4; k++) {
        bool le = k & 1, alias = k & 2;
        mode_switch_case(virt, 0, le, alias, "compiled under radix, run in real mode");
        mode_switch_case(0, virt, le, alias, "compiled in real mode, run under radix");
        mode_switch_case(virt, MSR_IR, le, alias, "compiled under radix, run with DR=0");
        mode_switch_case(MSR_IR, virt, le, alias, "compiled with DR=0, run under radix");
        mode_switch_case(0, MSR_DR, le, alias, "compiled in real mode, run with IR=0 DR=1");
        mode_switch_case(MSR_DR, 0, le, alias, "compiled with IR=0 DR=1, run in real mode");
    }
}

/*
 * A data page's translation changes between the warm-up and the measured
 * run (the PTE points elsewhere and the process table is registered
 * again, which drops the TLB): the compiled block must see the new page.
 */
#define REMAP_EA        0xC000000030000000ULL
#define REMAP_RA1       (REGION_RA + 0x4000)
#define REMAP_RA2       (REGION_RA + 0x5000)

static void remap_to_ra2(Side *s)
{
    RadixTables t = { .ram = s->ram, .next = RT_POOL };

    /* rt_map finds the existing directories (t.next is not used then) */
    rt_map(&t, 0, REMAP_EA, REMAP_RA2, RT_PRIV | RT_RW | RPTE_R | RPTE_C);
    ppc_radix_partition_set(&s->h->radix, true, RT_PRTB, 0);
}

static void test_remap_between_runs(void)
{
    static const uint64_t budget = 30;
    uint32_t words[N_ACCESS_WORDS];

    if (!need_jit()) {
        return;
    }
    access_words(words);
    for (unsigned le = 0; le < 2; le++) {
        Mode m = { .le = le, .virt = 1 };
        Side ref, jit;
        State st;

        side_init(&ref, 1);
        side_init(&jit, 1);
        for (unsigned i = 0; i < 2; i++) {
            Side *s = i ? &jit : &ref;
            RadixTables t = { .ram = s->ram, .next = RT_POOL };
            /* above the linear map's directories (from RT_POOL) */
            t.next = 0x1C0000;
            rt_map(&t, 0, REMAP_EA, REMAP_RA1, RT_PRIV | RT_RW | RPTE_R | RPTE_C);
            ppc_radix_partition_set(&s->h->radix, true, RT_PRTB, 0);
        }
        state_init(&st);
        base_state(&st, m);
        st.gpr[22] = 4;
        st.gpr[20] = REMAP_EA + 0x40;
        st.gpr[21] = REMAP_EA + 0x100;
        for (unsigned i = 0; i < 0x2000; i++) {
            st.mem[REMAP_RA1 - REGION_RA + i] = (uint8_t)(i * 13 + 1);
        }
        Case c = {
            .words = words, .n = N_ACCESS_WORDS, .le = le, .meas = &st,
            .warm_budget = budget, .chunks = &budget, .n_chunks = 1,
            .before_meas = remap_to_ra2,
        };
        check_case(&ref, &jit, &c, 1, le ? "remapped data page, LE" : "remapped data page, BE");
        state_free(&st);
        side_cleanup(&ref);
        side_cleanup(&jit);
    }
}

/* A page compiled in 64-bit mode, then run at the same EA in 32-bit mode
 * (a different decoded page: it is not compiled). */
static void test_32bit_mode_after_64bit(void)
{
    static const uint64_t budget = 30;
    uint32_t words[N_ACCESS_WORDS];

    if (!need_jit()) {
        return;
    }
    access_words(words);
    for (unsigned le = 0; le < 2; le++) {
        Mode m = { .le = le, .virt = 0 };
        Side ref, jit;
        State warm, meas;

        side_init(&ref, 0);
        side_init(&jit, 0);
        state_init(&warm);
        state_init(&meas);
        base_state(&warm, m);
        warm.gpr[22] = 4;
        state_copy(&meas, &warm);
        meas.msr &= ~MSR_SF;
        /* 32-bit EAs: the high words are ignored */
        meas.gpr[20] |= 0xFFFFFFFF00000000ULL;
        meas.gpr[21] |= 0x1234567800000000ULL;
        Case c = {
            .words = words, .n = N_ACCESS_WORDS, .le = le,
            .warm = &warm, .meas = &meas, .warm_budget = budget,
            .chunks = &budget, .n_chunks = 1,
        };
        check_case(&ref, &jit, &c, 0, le ? "SF=0 after SF=1, LE" : "SF=0 after SF=1, BE");
        state_free(&warm);
        state_free(&meas);
        side_cleanup(&ref);
        side_cleanup(&jit);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    host_has_jit = ppc_interp_set_jit(JIT_THRESHOLD);
    g_test_add_func("/interp/jit/random-le-real", test_random_le_real);
    g_test_add_func("/interp/jit/random-be-real", test_random_be_real);
    g_test_add_func("/interp/jit/random-le-radix", test_random_le_radix);
    g_test_add_func("/interp/jit/random-be-radix", test_random_be_radix);
    g_test_add_func("/interp/jit/random-le-user", test_random_le_user);
    g_test_add_func("/interp/jit/random-be-user", test_random_be_user);
    g_test_add_func("/interp/jit/loop-small-budgets", test_loop_small_budgets);
    g_test_add_func("/interp/jit/self-modifying-code", test_self_modifying_code);
    g_test_add_func("/interp/jit/faults-with-translation",
                    test_faults_with_translation);
    g_test_add_func("/interp/jit/misaligned-accesses", test_misaligned_accesses);
    g_test_add_func("/interp/jit/stores-dirty-log-and-code",
                    test_stores_dirty_log_and_code);
    g_test_add_func("/interp/jit/machine-check", test_machine_check);
    g_test_add_func("/interp/jit/mmu-mode-switch", test_mmu_mode_switch);
    g_test_add_func("/interp/jit/remap-between-runs", test_remap_between_runs);
    g_test_add_func("/interp/jit/32bit-mode-after-64bit", test_32bit_mode_after_64bit);
    return g_test_run();
}
