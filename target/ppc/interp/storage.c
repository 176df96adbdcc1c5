/*
 * Storage control (Power ISA v3.0 Book II chapters 4 and 5): load and
 * reserve / store conditional, memory barriers, cache management.
 *
 * Reservations (Book II 4.4.2): l*arx records the real address, size and
 * the bits it loaded. st*cx. succeeds only if this vCPU still holds a
 * reservation of the same size on the same address and a host
 * compare-and-swap of the loaded bits for the new ones succeeds, which
 * makes the pair atomic against every other vCPU thread. As with any
 * CAS-based emulation, another vCPU storing back the very value that was
 * reserved goes unnoticed (ABA); guest locks and atomics do not care.
 * Interrupts clear the reservation (ppc_cpu_do_interrupt does it).
 *
 * Cache management is a no-op on coherent host memory, except dcbz
 * (zeroes a 128-byte block) and icbi (invalidates decoded code).
 */
#include "interp-internal.h"

#define CACHE_BLOCK     128u    /* POWER9 cache block size (dcbz) */
#define NO_RESERVATION  ((uint64_t)-1)

static inline uint64_t ea_x(const CPUPPCState *env, const PPCRun *run,
                            const PPCInsn *d)
{
    return (reg_or_zero(env, d->ra) + env->gpr[d->rb]) & run->ea_mask;
}

/* Raw (memory order) bits at an aligned host address, loaded atomically. */
static ALWAYS_INLINE uint64_t atomic_load_raw(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1:
        return __atomic_load_n(p, __ATOMIC_ACQUIRE);
    case 2:
        return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
    case 4:
        return __atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE);
    default:
        return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
    }
}

static ALWAYS_INLINE bool atomic_cas_raw(uint8_t *p, unsigned size,
                                         uint64_t expected, uint64_t desired)
{
    switch (size) {
    case 1: {
        uint8_t e = (uint8_t)expected;
        return __atomic_compare_exchange_n(p, &e, (uint8_t)desired, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    case 2: {
        uint16_t e = (uint16_t)expected;
        return __atomic_compare_exchange_n((uint16_t *)p, &e,
                                           (uint16_t)desired, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    case 4: {
        uint32_t e = (uint32_t)expected;
        return __atomic_compare_exchange_n((uint32_t *)p, &e,
                                           (uint32_t)desired, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    default: {
        uint64_t e = expected;
        return __atomic_compare_exchange_n((uint64_t *)p, &e, desired, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    }
}

/* Memory-order bits <-> register value, via a scratch buffer. */
static ALWAYS_INLINE uint64_t raw_to_value(uint64_t raw, unsigned size,
                                           bool le)
{
    uint8_t buf[8];
    uint8_t u8 = (uint8_t)raw;
    uint16_t u16 = (uint16_t)raw;
    uint32_t u32 = (uint32_t)raw;

    switch (size) {
    case 1:
        memcpy(buf, &u8, 1);
        break;
    case 2:
        memcpy(buf, &u16, 2);
        break;
    case 4:
        memcpy(buf, &u32, 4);
        break;
    default:
        memcpy(buf, &raw, 8);
        break;
    }
    return mem_load(buf, size, le);
}

static ALWAYS_INLINE uint64_t value_to_raw(uint64_t val, unsigned size,
                                           bool le)
{
    uint8_t buf[8];
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;

    mem_store(buf, size, le, val);
    switch (size) {
    case 1:
        memcpy(&u8, buf, 1);
        return u8;
    case 2:
        memcpy(&u16, buf, 2);
        return u16;
    case 4:
        memcpy(&u32, buf, 4);
        return u32;
    default:
        memcpy(&u64, buf, 8);
        return u64;
    }
}

static ALWAYS_INLINE PPCInsn *do_larx(CPUPPCState *env, PPCRun *run,
                                      PPCInsn *d, unsigned size, bool le)
{
    uint64_t ea = ea_x(env, run, d);
    uint8_t *p;
    uint64_t raw;

    if (ea & (size - 1)) {
        return interp_raise_alignment(env, run, d, ea);
    }
    p = mem_ptr(env, run, d, ea, size, PPC_ACCESS_LOAD);
    if (!p) {
        return NULL;
    }
    raw = atomic_load_raw(p, size);
    env->reserve_addr = (uint64_t)(p - run->host);
    env->reserve_val = raw;
    env->reserve_size = (int)size;
    env->gpr[d->rt] = raw_to_value(raw, size, le);
    return d + 1;
}

static ALWAYS_INLINE PPCInsn *do_stcx(CPUPPCState *env, PPCRun *run,
                                      PPCInsn *d, unsigned size, bool le)
{
    uint64_t ea = ea_x(env, run, d);
    uint8_t *p;
    bool stored = false;

    if (ea & (size - 1)) {
        return interp_raise_alignment(env, run, d, ea);
    }
    p = mem_ptr(env, run, d, ea, size, PPC_ACCESS_STORE);
    if (!p) {
        return NULL;
    }
    if (env->reserve_addr == (uint64_t)(p - run->host) &&
        env->reserve_size == (int)size) {
        stored = atomic_cas_raw(p, size, env->reserve_val,
                                value_to_raw(env->gpr[d->rt], size, le));
    }
    env->reserve_addr = NO_RESERVATION;
    /* CR0 = 0b00 || n || XER[SO] (Book II 4.4.2) */
    env->cr = (env->cr & 0x0FFFFFFFu) |
              (((stored ? 2u : 0u) | xer_so_bit(env)) << 28);
    if (stored) {
        return store_done(env, run, d, p, size);
    }
    return d + 1;
}

#define DEFINE_RESERVED(name, fn, size)                                     \
    INTERP_OP(op_##name##_be) { return fn(env, run, d, size, false); }      \
    INTERP_OP(op_##name##_le) { return fn(env, run, d, size, true); }

DEFINE_RESERVED(lbarx, do_larx, 1)
DEFINE_RESERVED(lharx, do_larx, 2)
DEFINE_RESERVED(lwarx, do_larx, 4)
DEFINE_RESERVED(ldarx, do_larx, 8)
DEFINE_RESERVED(stbcx, do_stcx, 1)
DEFINE_RESERVED(sthcx, do_stcx, 2)
DEFINE_RESERVED(stwcx, do_stcx, 4)
DEFINE_RESERVED(stdcx, do_stcx, 8)

/* ---- barriers (Book II 4.6.3) ---- */

/* sync L=0 (hwsync) and L=2 (ptesync): full barrier. */
INTERP_OP(op_hwsync)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return d + 1;
}

/* lwsync and eieio: everything but store -> load ordering. */
INTERP_OP(op_lwsync)
{
    __atomic_thread_fence(__ATOMIC_ACQ_REL);
    return d + 1;
}

/*
 * isync (Book II 1.7.1): context synchronising. Leave the fast path so the
 * next fetch revalidates the decoded page (cross-modified code).
 */
INTERP_OP(op_isync)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return continue_at(env, run, d, next_insn_addr(run, d));
}

/* ---- cache management (Book II 4.3) ---- */

INTERP_OP(op_cache_hint)
{
    return d + 1;
}

/* dcbst, dcbf: nothing to flush; translation on still faults. */
INTERP_OP(op_cache_flush)
{
    uint64_t ea = ea_x(env, run, d);

    if (env->msr & MSR_DR) {
        return mem_ptr(env, run, d, ea, 1, PPC_ACCESS_LOAD) ? d + 1 : NULL;
    }
    return d + 1;
}

/*
 * icbi: drop decoded copies of the block everywhere. Decoded pages are
 * tracked by real address, so with translation on the EA is translated
 * first (icbi is treated as a load for the storage interrupt, Book II 4.3).
 */
INTERP_OP(op_icbi)
{
    uint64_t ea = ea_x(env, run, d);
    uint64_t ra = ea & run->ra_mask;

    if (env->msr & MSR_DR) {
        uint8_t *p = mem_ptr(env, run, d, ea, 1, PPC_ACCESS_LOAD);
        if (!p) {
            return NULL;
        }
        ra = (uint64_t)(p - run->host);
    }
    interp_bump_code_gen(ra, 1);
    return continue_at(env, run, d, next_insn_addr(run, d));
}

/* dcbz: zero the aligned 128-byte block; a store for every purpose. */
INTERP_OP(op_dcbz)
{
    uint64_t ea = ea_x(env, run, d) & ~(uint64_t)(CACHE_BLOCK - 1);
    uint8_t *p = mem_ptr(env, run, d, ea, CACHE_BLOCK, PPC_ACCESS_STORE);

    if (!p) {
        return NULL;
    }
    /* Doubleword stores: concurrent readers see whole old or new words. */
    for (unsigned i = 0; i < CACHE_BLOCK; i += 8) {
        mem_store(p + i, 8, false, 0);
    }
    return store_done(env, run, d, p, CACHE_BLOCK);
}

/* ---- decoding ---- */

static bool decode_reserved(PPCInsn *d, unsigned xo, bool le)
{
    PPCHandler be, lep;

    switch (xo) {
    case 52:  be = op_lbarx_be; lep = op_lbarx_le; break;
    case 116: be = op_lharx_be; lep = op_lharx_le; break;
    case 20:  be = op_lwarx_be; lep = op_lwarx_le; break;
    case 84:  be = op_ldarx_be; lep = op_ldarx_le; break;
    case 694: be = op_stbcx_be; lep = op_stbcx_le; goto store;
    case 726: be = op_sthcx_be; lep = op_sthcx_le; goto store;
    case 150: be = op_stwcx_be; lep = op_stwcx_le; goto store;
    case 214: be = op_stdcx_be; lep = op_stdcx_le; goto store;
    default:
        return false;
    }
    /* Loads: bit 31 is the EH hint, any value is fine. */
    d->fn = le ? lep : be;
    return true;
store:
    /* Stores: bit 31 must be 1 (the "." is part of the mnemonic). */
    d->fn = !d->rc ? interp_op_illegal : le ? lep : be;
    return true;
}

static bool decode_x_storage(PPCInsn *d, uint32_t insn, bool le)
{
    unsigned xo = insn_xo10(insn);

    if (decode_reserved(d, xo, le)) {
        return true;
    }
    if (d->rc) {
        return false;
    }
    switch (xo) {
    case 598:   /* sync L: bits 9:10 */
        switch ((insn >> 21) & 3) {
        case 1:
            d->fn = op_lwsync;
            return true;
        default:
            d->fn = op_hwsync;
            return true;
        }
    case 854:   /* eieio */
        d->fn = op_lwsync;
        return true;
    case 1014:
        d->fn = op_dcbz;
        return true;
    case 86:    /* dcbf */
    case 54:    /* dcbst */
        d->fn = op_cache_flush;
        return true;
    case 982:
        d->fn = op_icbi;
        return true;
    case 278:   /* dcbt */
    case 246:   /* dcbtst */
    case 22:    /* icbt */
        d->fn = op_cache_hint;
        return true;
    default:
        return false;
    }
}

bool interp_decode_storage(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    switch (insn_opcd(insn)) {
    case 31:
        return decode_x_storage(d, insn, ctx->le);
    case 19:
        if (insn_xo10(insn) == 150) {
            d->fn = op_isync;
            return true;
        }
        return false;
    default:
        return false;
    }
}
