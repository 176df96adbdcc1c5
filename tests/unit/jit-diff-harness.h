/*
 * The differential harness of the block compiler tests
 * (test-interp-jit.c: random programs, test-interp-jit-cases.c: targeted
 * cases): two vCPUs started from the same state, one with the compiler
 * off (the reference) and one with it on, run often enough that the code
 * page is compiled first (ppc_interp_jit_stats proves it was), and every
 * architected field, the instruction count, the data region and the code
 * page compared after each budget piece.
 */
#ifndef TESTS_UNIT_JIT_DIFF_HARNESS_H
#define TESTS_UNIT_JIT_DIFF_HARNESS_H

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

static inline void jit_on(void)
{
    g_assert_true(ppc_interp_set_jit(jit_threshold));
}

static inline void jit_off(void)
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

static inline uint64_t space_msr(int virt)
{
    return virt == 2 ? MSR_IR | MSR_DR | MSR_PR : virt ? MSR_IR | MSR_DR : 0;
}

static inline uint64_t code_ea(int virt)
{
    return virt == 2 ? USER_BASE + CODE_RA : virt ? RT_KERNEL(CODE_RA) : CODE_RA;
}

static inline uint64_t data_ea(int virt, uint64_t ra)
{
    return virt == 2 ? USER_BASE + ra : virt ? RT_KERNEL(ra) : ra;
}

static inline void side_init(Side *s, int virt)
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

static inline void side_init_machine(Side *s)
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

static inline void side_cleanup(Side *s)
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

static inline void state_init(State *st)
{
    memset(st, 0, sizeof(*st));
    st->mem = g_malloc0(REGION_SIZE);
}

static inline void state_copy(State *dst, const State *src)
{
    uint8_t *mem = dst->mem;

    *dst = *src;
    dst->mem = mem;
    memcpy(dst->mem, src->mem, REGION_SIZE);
}

static inline void state_free(State *st)
{
    g_free(st->mem);
}

static inline void set_state(Side *s, const State *st)
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

static inline void take_snap(Side *s, Snap *sn, int why)
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
static inline unsigned snap_diff(const Snap *r, const Snap *j, GString *out)
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
static inline void load_code(Side *s, const Case *c)
{
    for (unsigned i = 0; i < MAX_WORDS + 8; i++) {
        uint32_t w = i < c->n ? c->words[i] : enc_b_self();
        uint32_t raw = c->le ? GUINT32_TO_LE(w) : GUINT32_TO_BE(w);
        g_assert_cmpint(guest_write(s->ram, CODE_RA + c->code_off + 4 * i, &raw, 4),
                        ==, 0);
    }
    ppc_interp_invalidate(CODE_RA, 2 * GUEST_PAGE_SIZE);
}

static inline int run_side(Side *s, uint64_t budget)
{
    s->cpu->exit_request = 0;
    return ppc_interp_run(s->cpu, s->ram, budget);
}

/* Returns the dirty bitmap of the run when c->dirty_log (g_free it). */
static inline unsigned long *run_measured(Side *s, const Case *c, Snap *snaps)
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

static inline Snap *snaps_new(unsigned n)
{
    return g_new0(Snap, n);
}

static inline void snaps_free(Snap *s, unsigned n)
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
static inline Outcome diff_case(Side *ref, Side *jit, const Case *c, GString *report)
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

static inline void describe_case(GString *out, const Case *c, int virt)
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
static inline void check_case(Side *ref, Side *jit, const Case *c, int virt,
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

typedef struct Mode {
    bool le;
    int virt;                   /* 0 real, 1 kernel radix, 2 user radix */
} Mode;

static inline bool need_jit(void)
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

#endif
