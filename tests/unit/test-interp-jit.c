/*
 * The block compiler (target/ppc/interp/jit.c) against the interpreter,
 * on random programs (the harness: jit-diff-harness.h; targeted cases:
 * test-interp-jit-cases.c): straight runs of the instructions the
 * compiler knows, with some it does not, short forward branches, calls
 * and returns, and loops onto the first instruction in between;
 * big- and little-endian, real mode, radix and problem state under radix;
 * measured runs split by budgets that stop inside blocks, some under the
 * dirty log. All GPRs, CR, XER, LR, CTR, CFAR, NIP, MSR, SRR0/1, DAR,
 * DSISR, the instruction count, the data region and the code page must be
 * identical. A mismatch shrinks its program to a minimal reproducer and
 * reports the instruction words and the differing fields. Longer
 * campaigns: JIT_TEST_SEQS=4000 JIT_TEST_SEED=7 test-interp-jit.
 */
#include "jit-diff-harness.h"

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
    return g_test_run();
}
