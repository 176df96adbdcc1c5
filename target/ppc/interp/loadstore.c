/*
 * Fixed-point and floating-point loads and stores (Power ISA v3.0 Book I
 * 3.3.2-3.3.6, 4.6.2-4.6.3): D/DS/X forms, with update, byte-reversed,
 * load/store multiple.
 *
 * Handlers come in pairs specialised for big- and little-endian data: the
 * decoded page belongs to one MSR[LE] value, so the decoder picks the
 * variant and no endianness test is left on the fast path. Misaligned
 * accesses are performed as POWER9 does, without an interrupt.
 *
 * Every handler computes the whole access before changing any register,
 * so a storage interrupt or machine check leaves nothing retired. Update
 * forms with RA=0 (or RA=RT for loads) are invalid forms: we raise the
 * illegal instruction interrupt rather than guess.
 */
#include "interp-internal.h"

/* Effective address computations (1.10.3), truncated in 32-bit mode. */
static inline uint64_t ea_d(const CPUPPCState *env, const PPCRun *run,
                            const PPCInsn *d)
{
    return (reg_or_zero(env, d->ra) + d->imm) & run->ea_mask;
}

static inline uint64_t ea_x(const CPUPPCState *env, const PPCRun *run,
                            const PPCInsn *d)
{
    return (reg_or_zero(env, d->ra) + env->gpr[d->rb]) & run->ea_mask;
}

enum { SIGN_NONE, SIGN_EXTEND };

/* The part of a load after the access has a host pointer @p. */
static ALWAYS_INLINE PPCInsn *load_finish(CPUPPCState *env, PPCRun *run,
                                          PPCInsn *d, const uint8_t *p,
                                          uint64_t ea, unsigned size,
                                          bool sign, bool update, bool le)
{
    uint64_t v = mem_load(p, size, le);

    if (sign) {
        v = size == 2 ? (uint64_t)(int64_t)(int16_t)v
                      : (uint64_t)(int64_t)(int32_t)v;
    }
    env->gpr[d->rt] = v;
    if (update) {
        env->gpr[d->ra] = ea;
    }
    return next_insn(env, run, d + 1);
}

static ALWAYS_INLINE PPCInsn *store_finish(CPUPPCState *env, PPCRun *run,
                                           PPCInsn *d, uint8_t *p,
                                           uint64_t ea, unsigned size,
                                           bool update, bool le)
{
    mem_store(p, size, le, env->gpr[d->rt]);
    if (update) {
        env->gpr[d->ra] = ea;
    }
    return store_done(env, run, d, p, size);
}

/*
 * Accesses that miss mem_fast() (TLB miss, page crossing, outside RAM,
 * poison): one out-of-line function for every variant, entered by a tail
 * call so that the handlers' fast paths need no saved registers.
 */
static __attribute__((noinline)) PPCInsn *
load_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d, uint64_t ea,
          unsigned size, bool sign, bool update, bool le)
{
    uint8_t *p = interp_mem_slow(env, run, d, ea, size, PPC_ACCESS_LOAD);

    return p ? load_finish(env, run, d, p, ea, size, sign, update, le) : NULL;
}

static __attribute__((noinline)) PPCInsn *
store_slow(CPUPPCState *env, PPCRun *run, PPCInsn *d, uint64_t ea,
           unsigned size, bool update, bool le)
{
    uint8_t *p = interp_mem_slow(env, run, d, ea, size, PPC_ACCESS_STORE);

    return p ? store_finish(env, run, d, p, ea, size, update, le) : NULL;
}

static ALWAYS_INLINE PPCInsn *do_load(CPUPPCState *env, PPCRun *run,
                                      PPCInsn *d, uint64_t ea, unsigned size,
                                      bool sign, bool update, bool le)
{
    const uint8_t *p = mem_fast(run, ea, size, PPC_ACCESS_LOAD);

    if (unlikely(!p)) {
        return load_slow(env, run, d, ea, size, sign, update, le);
    }
    return load_finish(env, run, d, p, ea, size, sign, update, le);
}

static ALWAYS_INLINE PPCInsn *do_store(CPUPPCState *env, PPCRun *run,
                                       PPCInsn *d, uint64_t ea, unsigned size,
                                       bool update, bool le)
{
    uint8_t *p = mem_fast(run, ea, size, PPC_ACCESS_STORE);

    if (unlikely(!p)) {
        return store_slow(env, run, d, ea, size, update, le);
    }
    return store_finish(env, run, d, p, ea, size, update, le);
}

/*
 * NAME_be / NAME_le handler pairs. EA is ea_d or ea_x; REV byte-reverses
 * (the lhbrx family accesses memory in the opposite byte order).
 */
#define DEFINE_LOAD(name, EA, size, sign, update, rev)                      \
    INTERP_OP(op_##name##_be)                                               \
    {                                                                       \
        return do_load(env, run, d, EA(env, run, d), size, sign, update,   \
                       (rev));                                              \
    }                                                                       \
    INTERP_OP(op_##name##_le)                                               \
    {                                                                       \
        return do_load(env, run, d, EA(env, run, d), size, sign, update,   \
                       !(rev));                                             \
    }

#define DEFINE_STORE(name, EA, size, update, rev)                           \
    INTERP_OP(op_##name##_be)                                               \
    {                                                                       \
        return do_store(env, run, d, EA(env, run, d), size, update, (rev)); \
    }                                                                       \
    INTERP_OP(op_##name##_le)                                               \
    {                                                                       \
        return do_store(env, run, d, EA(env, run, d), size, update,        \
                        !(rev));                                            \
    }

#define DEFINE_LOAD_FORMS(name, size, sign)                                 \
    DEFINE_LOAD(name, ea_d, size, sign, false, false)                       \
    DEFINE_LOAD(name##u, ea_d, size, sign, true, false)                     \
    DEFINE_LOAD(name##x, ea_x, size, sign, false, false)                    \
    DEFINE_LOAD(name##ux, ea_x, size, sign, true, false)

#define DEFINE_STORE_FORMS(name, size)                                      \
    DEFINE_STORE(name, ea_d, size, false, false)                            \
    DEFINE_STORE(name##u, ea_d, size, true, false)                          \
    DEFINE_STORE(name##x, ea_x, size, false, false)                         \
    DEFINE_STORE(name##ux, ea_x, size, true, false)

DEFINE_LOAD_FORMS(lbz, 1, SIGN_NONE)
DEFINE_LOAD_FORMS(lhz, 2, SIGN_NONE)
DEFINE_LOAD_FORMS(lha, 2, SIGN_EXTEND)
DEFINE_LOAD_FORMS(lwz, 4, SIGN_NONE)
DEFINE_LOAD(lwa, ea_d, 4, SIGN_EXTEND, false, false)    /* no lwau */
DEFINE_LOAD(lwax, ea_x, 4, SIGN_EXTEND, false, false)
DEFINE_LOAD(lwaux, ea_x, 4, SIGN_EXTEND, true, false)
DEFINE_LOAD_FORMS(ld, 8, SIGN_NONE)
DEFINE_LOAD(lhbrx, ea_x, 2, SIGN_NONE, false, true)
DEFINE_LOAD(lwbrx, ea_x, 4, SIGN_NONE, false, true)
DEFINE_LOAD(ldbrx, ea_x, 8, SIGN_NONE, false, true)

DEFINE_STORE_FORMS(stb, 1)
DEFINE_STORE_FORMS(sth, 2)
DEFINE_STORE_FORMS(stw, 4)
DEFINE_STORE_FORMS(std, 8)
DEFINE_STORE(sthbrx, ea_x, 2, false, true)
DEFINE_STORE(stwbrx, ea_x, 4, false, true)
DEFINE_STORE(stdbrx, ea_x, 8, false, true)

/* ---- load/store multiple word (3.3.6): big-endian only ---- */

INTERP_OP(op_lmw)
{
    uint64_t ea = ea_d(env, run, d);
    unsigned n = 32 - d->rt;
    uint8_t *p = mem_ptr(env, run, d, ea, 4 * n, PPC_ACCESS_LOAD);

    if (!p) {
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        env->gpr[d->rt + i] = mem_load(p + 4 * i, 4, false);
    }
    return next_insn(env, run, d + 1);
}

INTERP_OP(op_stmw)
{
    uint64_t ea = ea_d(env, run, d);
    unsigned n = 32 - d->rt;
    uint8_t *p = mem_ptr(env, run, d, ea, 4 * n, PPC_ACCESS_STORE);

    if (!p) {
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        mem_store(p + 4 * i, 4, false, env->gpr[d->rt + i]);
    }
    return store_done(env, run, d, p, 4 * n);
}

/* In little-endian mode lmw/stmw cause an alignment interrupt (3.3.6). */
INTERP_OP(op_multiple_le)
{
    uint64_t ea = ea_d(env, run, d);
    return interp_raise_alignment(env, run, d, ea);
}

/* ---- floating-point loads and stores: bit moves only ---- */

/* DOUBLE(): single-precision word to double format (4.6.2). */
static uint64_t fp_single_to_double(uint32_t w)
{
    uint64_t sign = (uint64_t)(w >> 31) << 63;
    unsigned biased = (w >> 23) & 0xFF;
    uint64_t frac = w & 0x7FFFFF;

    if (biased == 0 && frac != 0) {
        /* Denormal: normalise into the wider exponent range. */
        int e = -126;
        while (!(frac & 0x800000)) {
            frac <<= 1;
            e--;
        }
        return sign | ((uint64_t)(e + 1023) << 52) | ((frac & 0x7FFFFF) << 29);
    }
    /* Normal, zero, infinity, NaN: bits 2:4 replicate (or invert) bit 1. */
    uint64_t hi2 = (uint64_t)(w >> 30) << 62;
    uint64_t mid = 0;
    if (biased != 0 && biased != 0xFF) {
        mid = ((w >> 30) & 1) ? 0 : 7;
    } else if ((w >> 30) & 1) {
        mid = 7;
    }
    return hi2 | (mid << 59) | ((uint64_t)(w & 0x3FFFFFFF) << 29);
}

/* SINGLE(): double format to single-precision word (4.6.3). */
static uint32_t fp_double_to_single(uint64_t f)
{
    unsigned biased = (f >> 52) & 0x7FF;

    if (biased >= 874 && biased <= 896) {
        /* Denormalise: the value is below the single normal range. */
        uint32_t sign = (uint32_t)(f >> 63) << 31;
        uint64_t frac = (1ULL << 52) | (f & ((1ULL << 52) - 1));
        frac >>= 897 - biased;
        return sign | (uint32_t)(frac >> 29);
    }
    return (uint32_t)((f >> 62) << 30) | (uint32_t)((f >> 29) & 0x3FFFFFFF);
}

enum { FP_DOUBLE, FP_SINGLE, FP_INT_WORD_ZERO, FP_INT_WORD_SIGNED };

static ALWAYS_INLINE PPCInsn *do_fp_load(CPUPPCState *env, PPCRun *run,
                                         PPCInsn *d, uint64_t ea, int kind,
                                         bool update, bool le)
{
    unsigned size = kind == FP_DOUBLE ? 8 : 4;
    uint8_t *p;
    uint64_t v;

    if (!(env->msr & MSR_FP)) {
        return interp_raise(env, run, d, EXCP_FPU_UNAVAIL, 0);
    }
    p = mem_ptr(env, run, d, ea, size, PPC_ACCESS_LOAD);
    if (!p) {
        return NULL;
    }
    v = mem_load(p, size, le);
    switch (kind) {
    case FP_SINGLE:
        v = fp_single_to_double((uint32_t)v);
        break;
    case FP_INT_WORD_SIGNED:
        v = (uint64_t)(int64_t)(int32_t)v;
        break;
    default:
        break;
    }
    env->fpr[d->rt] = v;
    if (update) {
        env->gpr[d->ra] = ea;
    }
    return next_insn(env, run, d + 1);
}

static ALWAYS_INLINE PPCInsn *do_fp_store(CPUPPCState *env, PPCRun *run,
                                          PPCInsn *d, uint64_t ea, int kind,
                                          bool update, bool le)
{
    unsigned size = kind == FP_DOUBLE ? 8 : 4;
    uint64_t v = env->fpr[d->rt];
    uint8_t *p;

    if (!(env->msr & MSR_FP)) {
        return interp_raise(env, run, d, EXCP_FPU_UNAVAIL, 0);
    }
    p = mem_ptr(env, run, d, ea, size, PPC_ACCESS_STORE);
    if (!p) {
        return NULL;
    }
    if (kind == FP_SINGLE) {
        v = fp_double_to_single(v);
    }
    mem_store(p, size, le, v);
    if (update) {
        env->gpr[d->ra] = ea;
    }
    return store_done(env, run, d, p, size);
}

#define DEFINE_FP(name, fn, EA, kind, update)                               \
    INTERP_OP(op_##name##_be)                                               \
    {                                                                       \
        return fn(env, run, d, EA(env, run, d), kind, update, false);       \
    }                                                                       \
    INTERP_OP(op_##name##_le)                                               \
    {                                                                       \
        return fn(env, run, d, EA(env, run, d), kind, update, true);        \
    }

#define DEFINE_FP_FORMS(name, fn, kind)                                     \
    DEFINE_FP(name, fn, ea_d, kind, false)                                  \
    DEFINE_FP(name##u, fn, ea_d, kind, true)                                \
    DEFINE_FP(name##x, fn, ea_x, kind, false)                               \
    DEFINE_FP(name##ux, fn, ea_x, kind, true)

DEFINE_FP_FORMS(lfd, do_fp_load, FP_DOUBLE)
DEFINE_FP_FORMS(lfs, do_fp_load, FP_SINGLE)
DEFINE_FP_FORMS(stfd, do_fp_store, FP_DOUBLE)
DEFINE_FP_FORMS(stfs, do_fp_store, FP_SINGLE)
DEFINE_FP(lfiwax, do_fp_load, ea_x, FP_INT_WORD_SIGNED, false)
DEFINE_FP(lfiwzx, do_fp_load, ea_x, FP_INT_WORD_ZERO, false)
DEFINE_FP(stfiwx, do_fp_store, ea_x, FP_INT_WORD_ZERO, false)

/* ---- decoding ---- */

typedef struct LoadStoreOp {
    PPCHandler be, le;
    uint8_t kind;
} LoadStoreOp;

enum {
    LS_NONE = 0,
    LS_LOAD,            /* no update */
    LS_LOAD_UPDATE,     /* RA != 0 and RA != RT */
    LS_STORE,
    LS_STORE_UPDATE,    /* RA != 0 */
    LS_FP,              /* FP load/store, no update */
    LS_FP_UPDATE,       /* RA != 0 */
};

#define OP(name, kind) { op_##name##_be, op_##name##_le, kind }

/* D-form, by primary opcode */
static const LoadStoreOp d_form_ops[64] = {
    [32] = OP(lwz, LS_LOAD),   [33] = OP(lwzu, LS_LOAD_UPDATE),
    [34] = OP(lbz, LS_LOAD),   [35] = OP(lbzu, LS_LOAD_UPDATE),
    [40] = OP(lhz, LS_LOAD),   [41] = OP(lhzu, LS_LOAD_UPDATE),
    [42] = OP(lha, LS_LOAD),   [43] = OP(lhau, LS_LOAD_UPDATE),
    [36] = OP(stw, LS_STORE),  [37] = OP(stwu, LS_STORE_UPDATE),
    [38] = OP(stb, LS_STORE),  [39] = OP(stbu, LS_STORE_UPDATE),
    [44] = OP(sth, LS_STORE),  [45] = OP(sthu, LS_STORE_UPDATE),
    [48] = OP(lfs, LS_FP),     [49] = OP(lfsu, LS_FP_UPDATE),
    [50] = OP(lfd, LS_FP),     [51] = OP(lfdu, LS_FP_UPDATE),
    [52] = OP(stfs, LS_FP),    [53] = OP(stfsu, LS_FP_UPDATE),
    [54] = OP(stfd, LS_FP),    [55] = OP(stfdu, LS_FP_UPDATE),
};

/* X-form (primary 31), by extended opcode */
static const LoadStoreOp x_form_ops[1024] = {
    [23] = OP(lwzx, LS_LOAD),    [55] = OP(lwzux, LS_LOAD_UPDATE),
    [87] = OP(lbzx, LS_LOAD),    [119] = OP(lbzux, LS_LOAD_UPDATE),
    [279] = OP(lhzx, LS_LOAD),   [311] = OP(lhzux, LS_LOAD_UPDATE),
    [343] = OP(lhax, LS_LOAD),   [375] = OP(lhaux, LS_LOAD_UPDATE),
    [341] = OP(lwax, LS_LOAD),   [373] = OP(lwaux, LS_LOAD_UPDATE),
    [21] = OP(ldx, LS_LOAD),     [53] = OP(ldux, LS_LOAD_UPDATE),
    [151] = OP(stwx, LS_STORE),  [183] = OP(stwux, LS_STORE_UPDATE),
    [215] = OP(stbx, LS_STORE),  [247] = OP(stbux, LS_STORE_UPDATE),
    [407] = OP(sthx, LS_STORE),  [439] = OP(sthux, LS_STORE_UPDATE),
    [149] = OP(stdx, LS_STORE),  [181] = OP(stdux, LS_STORE_UPDATE),
    [790] = OP(lhbrx, LS_LOAD),  [534] = OP(lwbrx, LS_LOAD),
    [532] = OP(ldbrx, LS_LOAD),
    [918] = OP(sthbrx, LS_STORE), [662] = OP(stwbrx, LS_STORE),
    [660] = OP(stdbrx, LS_STORE),
    [535] = OP(lfsx, LS_FP),     [567] = OP(lfsux, LS_FP_UPDATE),
    [599] = OP(lfdx, LS_FP),     [631] = OP(lfdux, LS_FP_UPDATE),
    [663] = OP(stfsx, LS_FP),    [695] = OP(stfsux, LS_FP_UPDATE),
    [727] = OP(stfdx, LS_FP),    [759] = OP(stfdux, LS_FP_UPDATE),
    [855] = OP(lfiwax, LS_FP),   [887] = OP(lfiwzx, LS_FP),
    [983] = OP(stfiwx, LS_FP),
};

/* DS-form ld/ldu/lwa (58) and std/stdu (62), by the low two bits */
static const LoadStoreOp ds_load_ops[4] = {
    [0] = OP(ld, LS_LOAD), [1] = OP(ldu, LS_LOAD_UPDATE), [2] = OP(lwa, LS_LOAD),
};
static const LoadStoreOp ds_store_ops[4] = {
    [0] = OP(std, LS_STORE), [1] = OP(stdu, LS_STORE_UPDATE),
};

#undef OP

static bool form_is_valid(const PPCInsn *d, unsigned kind)
{
    switch (kind) {
    case LS_LOAD_UPDATE:
        return d->ra != 0 && d->ra != d->rt;
    case LS_STORE_UPDATE:
    case LS_FP_UPDATE:
        return d->ra != 0;
    default:
        return true;
    }
}

static bool use_op(PPCInsn *d, const LoadStoreOp *op,
                   const PPCDecodeCtx *ctx)
{
    if (op->kind == LS_NONE) {
        return false;
    }
    d->fn = !form_is_valid(d, op->kind) ? interp_op_illegal
            : ctx->le ? op->le : op->be;
    return true;
}

bool interp_decode_loadstore(PPCInsn *d, uint32_t insn,
                             const PPCDecodeCtx *ctx)
{
    unsigned opcd = insn_opcd(insn);

    switch (opcd) {
    case 31:
        if (d->rc) {
            return false;
        }
        return use_op(d, &x_form_ops[insn_xo10(insn)], ctx);
    case 58:
        d->imm = (int16_t)(insn & 0xFFFC);
        return use_op(d, &ds_load_ops[insn & 3], ctx);
    case 62:
        d->imm = (int16_t)(insn & 0xFFFC);
        return use_op(d, &ds_store_ops[insn & 3], ctx);
    case 46:    /* lmw: RA in the range loaded is an invalid form */
        d->fn = ctx->le ? op_multiple_le
                : (d->ra >= d->rt) ? interp_op_illegal : op_lmw;
        return true;
    case 47:    /* stmw */
        d->fn = ctx->le ? op_multiple_le : op_stmw;
        return true;
    default:
        return use_op(d, &d_form_ops[opcd], ctx);
    }
}
