/*
 * The block compiler against the interpreter, targeted cases (the
 * harness: jit-diff-harness.h; random programs: test-interp-jit.c):
 *   - a counted loop stepped with small budgets;
 *   - stores into the code page from a compiled block;
 *   - DSIs, TLB misses and a machine check from inside a block;
 *   - misaligned and page-crossing accesses inside a block;
 *   - the dirty log, MMU mode switches, remapped data, SF=0 after SF=1.
 */
#include "jit-diff-harness.h"

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
