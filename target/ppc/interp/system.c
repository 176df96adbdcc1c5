/*
 * System instructions (Power ISA v3.0 Book I 3.3.11, 3.3.17, Book III
 * chapters 3 and 5): mfspr/mtspr/mftb, mfmsr/mtmsr/mtmsrd, rfid, sc,
 * traps, darn, wait.
 *
 * Privilege (Book III 5.4.4): SPR numbers with bit 0x10 set are privileged
 * for both mfspr and mtspr, checked before anything else. Hypervisor
 * resources (LPCR ...) are out of a pseries guest's reach: it runs with
 * MSR[HV]=0, so it gets the privileged-instruction program interrupt,
 * as under QEMU (its guest changes LPCR[ILE] only through H_SET_MODE).
 * SPRs we do not
 * know raise the illegal instruction interrupt, except a few that guests
 * touch routinely and that have no effect here (they read as 0).
 *
 * Everything that changes the MSR, the decrementer or LPCR ends with
 * stop_at(), so the run loop re-reads the mode and checks for a pending
 * decrementer interrupt before the next instruction.
 */
#include "interp-internal.h"

#include "system/trace.h"

#define SPR_TAR         815
#define SPR_PRIVILEGED  0x10

/* XER bits that exist (Book I 3.2.2): SO OV CA OV32 CA32 and the count. */
#define XER_IMPLEMENTED (XER_SO | XER_OV | XER_CA | XER_OV32 | XER_CA32 | 0x7F)

/* MSR bits a pseries guest can change (no TM, no split little-endian). */
#define MSR_GUEST_BITS  (MSR_SF | MSR_VEC | MSR_VSX | MSR_EE | MSR_PR |    \
                         MSR_FP | MSR_FE0 | MSR_SE | MSR_BE | MSR_FE1 |    \
                         MSR_IR | MSR_DR | MSR_PMM | MSR_RI | MSR_LE)

/* ---- special purpose registers ---- */

/* Registers with no effect here: reads return 0, writes are dropped. */
static bool spr_is_inert(unsigned spr)
{
    switch (spr) {
    case 3: case 17:                /* DSCR */
    case 13: case 29:               /* AMR */
    case 61:                        /* IAMR */
    case 128 ... 131:               /* TFHAR, TFIAR, TEXASR, TEXASRU */
    case 136: case 152:             /* CTRL (read, write) */
    case 144:                       /* TIDR */
    case 153:                       /* FSCR */
    case 157:                       /* UAMOR */
    case 159:                       /* PSPB */
    case 256:                       /* VRSAVE */
    case 768 ... 798:               /* performance monitor */
    case 800 ... 806:               /* event-based branch */
    case 896: case 898:             /* PPR, PPR32 */
        return true;
    default:
        return false;
    }
}

static bool spr_read(CPUPPCState *env, PPCRun *run, unsigned spr,
                     uint64_t *val)
{
    PowerPCCPU *cpu = run->cpu;

    switch (spr) {
    case SPR_XER:    *val = env->xer & XER_IMPLEMENTED; return true;
    case SPR_LR:     *val = env->lr; return true;
    case SPR_CTR:    *val = env->ctr; return true;
    case SPR_DSISR:  *val = env->dsisr; return true;
    case SPR_DAR:    *val = env->dar; return true;
    case SPR_SRR0:   *val = env->srr0; return true;
    case SPR_SRR1:   *val = env->srr1; return true;
    case SPR_CFAR:   *val = env->cfar; return true;
    case SPR_PIDR:   *val = env->pidr; return true;
    case SPR_PVR:    *val = env->pvr; return true;
    case SPR_PIR:    *val = (uint64_t)cpu->index; return true;
    case SPR_TAR:    *val = run->st->tar; return true;
    case SPR_SPRG3_R:
        *val = env->sprg[3];
        return true;
    case SPR_SPRG0 ... SPR_SPRG3:
        *val = env->sprg[spr - SPR_SPRG0];
        return true;
    case SPR_DEC:
        /* The 32-bit decrementer reads sign-extended (LPCR[LD] = 0). */
        *val = (uint64_t)(int64_t)(int32_t)ppc_cpu_get_dec(cpu);
        return true;
    case SPR_TBL_R:
        *val = ppc_cpu_get_tb(cpu);
        return true;
    case SPR_TBU_R:
        *val = ppc_cpu_get_tb(cpu) >> 32;
        return true;
    case SPR_PURR:
    case SPR_SPURR:
    case SPR_VTB:
        /*
         * Linux reads PURR/SPURR for idle accounting and VTB for its
         * running clock. One thread per core that is never preempted
         * by another partition: all three advance with the time base.
         */
        *val = ppc_cpu_get_tb(cpu);
        return true;
    default:
        *val = 0;
        return spr_is_inert(spr);
    }
}

/* Returns false for unknown or read-only SPRs; sets *resync if needed. */
static bool spr_write(CPUPPCState *env, PPCRun *run, unsigned spr,
                      uint64_t val, bool *resync)
{
    switch (spr) {
    case SPR_XER:    env->xer = val & XER_IMPLEMENTED; return true;
    case SPR_LR:     env->lr = val; return true;
    case SPR_CTR:    env->ctr = val; return true;
    case SPR_DSISR:  env->dsisr = (uint32_t)val; return true;
    case SPR_DAR:    env->dar = val; return true;
    case SPR_SRR0:   env->srr0 = val; return true;
    case SPR_SRR1:   env->srr1 = val; return true;
    case SPR_CFAR:   env->cfar = val; return true;
    case SPR_PIDR:
        /* 32-bit register; quadrant-0 translations now mean another process. */
        env->pidr = (uint32_t)val;
        interp_tlb_flush_all(run->st);
        *resync = true;
        return true;
    case SPR_TAR:    run->st->tar = val; return true;
    case SPR_SPRG0 ... SPR_SPRG3:
        env->sprg[spr - SPR_SPRG0] = val;
        return true;
    case SPR_DEC:
        ppc_cpu_set_dec(run->cpu, (uint32_t)val);
        *resync = true;
        return true;
    default:
        return spr_is_inert(spr);
    }
}

static inline bool problem_state(const CPUPPCState *env)
{
    return (env->msr & MSR_PR) != 0;
}

/*
 * Hypervisor-privileged SPRs (Book III, SPR table: "hypv" access). SPURR
 * and PURR are read at privileged level (Linux's idle and steal-time
 * accounting reads PURR), only written by the hypervisor.
 */
static bool spr_is_hypervisor(unsigned spr, bool store)
{
    switch (spr) {
    case 308:               /* SPURR */
    case 309:               /* PURR */
        return store;
    case 304 ... 307:       /* HSPRG0/1, HDSISR, HDAR */
    case 310 ... 319:       /* HDEC, HRMOR, HSRR0/1, LPCR, LPIDR, ... */
    case 336 ... 339:       /* HMER, HMEER, PCR, HEIR */
    case 464:               /* PTCR */
        return true;
    default:
        return false;
    }
}

/* The privilege checks of mfspr/mtspr, before the SPR is looked at. */
static bool spr_access_denied(const CPUPPCState *env, unsigned spr, bool store)
{
    return ((spr & SPR_PRIVILEGED) && problem_state(env)) ||
           (spr_is_hypervisor(spr, store) && !(env->msr & MSR_HV));
}

/* -d unimp / guest_errors: an SPR we do not know (the opcode is rebuilt
 * from the decoded fields: XFX form, SPR halves swapped). */
static void report_unknown_spr(PPCRun *run, PPCInsn *d, bool store)
{
    unsigned spr = (unsigned)d->target;
    uint32_t insn = (31u << 26) | ((uint32_t)d->rt << 21) | ((spr & 0x1f) << 16) |
                    ((spr >> 5) << 11) | ((store ? 467u : 339u) << 1);
    trace_unimp("guest error", "CPU %d NIP 0x%016" G_GINT64_MODIFIER "x: %s of "
                "unimplemented SPR %u (0x%03x), opcode 0x%08x", run->cpu->index,
                insn_addr(run, d), store ? "mtspr" : "mfspr", spr, spr, insn);
}

INTERP_OP(op_mflr)  { env->gpr[d->rt] = env->lr; return d + 1; }
INTERP_OP(op_mtlr)  { env->lr = env->gpr[d->rt]; return d + 1; }
INTERP_OP(op_mfctr) { env->gpr[d->rt] = env->ctr; return d + 1; }
INTERP_OP(op_mtctr) { env->ctr = env->gpr[d->rt]; return d + 1; }

/* mfspr RT,SPR: the SPR number is in d->target. */
INTERP_OP(op_mfspr)
{
    unsigned spr = (unsigned)d->target;
    uint64_t val;

    if (spr_access_denied(env, spr, false)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    if (!spr_read(env, run, spr, &val)) {
        report_unknown_spr(run, d, false);
        return interp_op_illegal(env, run, d);
    }
    env->gpr[d->rt] = val;
    return d + 1;
}

INTERP_OP(op_mtspr)
{
    unsigned spr = (unsigned)d->target;
    bool resync = false;

    if (spr_access_denied(env, spr, true)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    if (!spr_write(env, run, spr, env->gpr[d->rt], &resync)) {
        report_unknown_spr(run, d, true);
        return interp_op_illegal(env, run, d);
    }
    if (resync) {
        return stop_at(env, run, d, next_insn_addr(run, d));
    }
    return d + 1;
}

/* mftb RT,TBR (Book II 5.2.1) */
INTERP_OP(op_mftb)
{
    uint64_t tb = ppc_cpu_get_tb(run->cpu);
    env->gpr[d->rt] = d->target == SPR_TBU_R ? tb >> 32 : tb;
    return d + 1;
}

/* ---- machine state register (Book III 5.4.4) ---- */

/* Bits of RS that mtmsrd L=0 and mtmsr L=0 copy (not HV, ME, LE). */
#define MTMSR_LOW_BITS  (0x00000000FFFFFFFFULL & ~(MSR_ME | MSR_LE) &      \
                         ~PPC_BIT(41))
#define MTMSRD_BITS     (MTMSR_LOW_BITS | (0xFFFFFFFF00000000ULL &          \
                         ~MSR_HV & ~(PPC_BIT(29) | PPC_BIT(30) | PPC_BIT(31))))

/*
 * New MSR from @src: bits in @copy come from @src; entering problem state
 * forces EE, IR and DR on (a user program can never run with interrupts
 * off or translation off); the rest stays.
 */
static uint64_t msr_merge(uint64_t msr, uint64_t src, uint64_t copy)
{
    copy &= MSR_GUEST_BITS;
    msr = (msr & ~copy) | (src & copy);
    if (src & MSR_PR) {
        msr |= MSR_EE | MSR_IR | MSR_DR;
    }
    return msr;
}

INTERP_OP(op_mfmsr)
{
    if (problem_state(env)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    env->gpr[d->rt] = env->msr;
    return d + 1;
}

/* mtmsr / mtmsrd: f1 = L, f2 = 1 for mtmsrd. */
INTERP_OP(op_mtmsr)
{
    uint64_t rs = env->gpr[d->rt], old = env->msr;

    if (problem_state(env)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    if (d->f1) {
        /* L=1: only EE and RI, the cheap interrupt enable/disable. */
        env->msr = (old & ~(MSR_EE | MSR_RI)) | (rs & (MSR_EE | MSR_RI));
        if ((env->msr & MSR_EE) && !(old & MSR_EE)) {
            return stop_at(env, run, d, next_insn_addr(run, d));
        }
        return d + 1;
    }
    env->msr = msr_merge(old, rs, d->f2 ? MTMSRD_BITS : MTMSR_LOW_BITS);
    return stop_at(env, run, d, next_insn_addr(run, d));
}

/* Bits rfid takes from SRR1 (Book III 3.3.2): all but HV, ME, TS/TM. */
#define RFID_BITS   (~(MSR_HV | MSR_ME | PPC_BIT(29) | PPC_BIT(30) |        \
                       PPC_BIT(31) | SRR1_CAUSE_MASK))

INTERP_OP(op_rfid)
{
    uint64_t nip;

    if (problem_state(env)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_PRIV);
    }
    env->cfar = insn_addr(run, d);
    env->msr = msr_merge(env->msr, env->srr1, RFID_BITS);
    nip = env->srr0 & ~3ULL;
    if (!(env->msr & MSR_SF)) {
        nip = (uint32_t)nip;
    }
    return stop_at(env, run, d, nip);
}

/* ---- system call (Book III 6.5.13) and hypercall ---- */

/* sc LEV: f1 = LEV */
INTERP_OP(op_sc)
{
    uint64_t nia = next_insn_addr(run, d);

    run->stop = true;
    if (d->f1 == 1 && !problem_state(env)) {
        env->nip = nia;
        if (ppc_hook_hypercall(run->cpu)) {
            run->halt = true;
        }
        return leave_from(run, d);
    }
    /* sc 0, and sc 1 from problem state (the hypervisor reflects it). */
    env->nip = nia;
    ppc_cpu_do_interrupt(run->cpu, EXCP_SYSCALL, nia, 0);
    return leave_from(run, d);
}

/* ---- traps (3.3.11): TO is in rt ---- */

static bool trap_taken(unsigned to, int64_t a, int64_t b, uint64_t ua,
                       uint64_t ub)
{
    return ((to & 0x10) && a < b) || ((to & 0x08) && a > b) ||
           ((to & 0x04) && a == b) || ((to & 0x02) && ua < ub) ||
           ((to & 0x01) && ua > ub);
}

static PPCInsn *trap_word(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                          uint64_t b)
{
    int32_t a = (int32_t)env->gpr[d->ra];

    if (trap_taken(d->rt, a, (int32_t)b, (uint32_t)a, (uint32_t)b)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_TRAP);
    }
    return d + 1;
}

static PPCInsn *trap_dword(CPUPPCState *env, PPCRun *run, PPCInsn *d,
                           uint64_t b)
{
    uint64_t a = env->gpr[d->ra];

    if (trap_taken(d->rt, (int64_t)a, (int64_t)b, a, b)) {
        return interp_raise_program(env, run, d, SRR1_PROGRAM_TRAP);
    }
    return d + 1;
}

INTERP_OP(op_tw)  { return trap_word(env, run, d, env->gpr[d->rb]); }
INTERP_OP(op_twi) { return trap_word(env, run, d, (uint64_t)d->imm); }
INTERP_OP(op_td)  { return trap_dword(env, run, d, env->gpr[d->rb]); }
INTERP_OP(op_tdi) { return trap_dword(env, run, d, (uint64_t)d->imm); }

/* ---- miscellaneous ---- */

/*
 * darn RT,L (3.3.19): L=0 a 32-bit random number, L=1/2 64 bits. The
 * all-ones "error" value is never produced by a working generator.
 */
INTERP_OP(op_darn)
{
    uint64_t v;

    do {
        v = ((uint64_t)g_random_int() << 32) | g_random_int();
        if (d->f1 == 0) {
            v = (uint32_t)v;
        }
    } while (v == (d->f1 == 0 ? 0xFFFFFFFFULL : ~0ULL));
    env->gpr[d->rt] = d->f1 == 3 ? ~0ULL : v;
    return d + 1;
}

/* wait: nothing is ever pending that a wait could sleep for. */
INTERP_OP(op_wait)
{
    return d + 1;
}

/* ---- decoding ---- */

/* The SPR field holds the two 5-bit halves of the number swapped. */
static unsigned insn_spr(uint32_t insn)
{
    return ((insn >> 16) & 0x1F) | (((insn >> 11) & 0x1F) << 5);
}

static PPCHandler decode_spr_move(PPCInsn *d, uint32_t insn, bool to_spr)
{
    unsigned spr = insn_spr(insn);

    d->target = spr;
    switch (spr) {
    case SPR_LR:
        return to_spr ? op_mtlr : op_mflr;
    case SPR_CTR:
        return to_spr ? op_mtctr : op_mfctr;
    default:
        return to_spr ? op_mtspr : op_mfspr;
    }
}

static PPCHandler decode_x_system(PPCInsn *d, uint32_t insn)
{
    switch (insn_xo10(insn)) {
    case 339: return decode_spr_move(d, insn, false);
    case 467: return decode_spr_move(d, insn, true);
    case 371:   /* mftb */
        d->target = insn_spr(insn);
        return (d->target == SPR_TBL_R || d->target == SPR_TBU_R) ? op_mftb
                                                                : NULL;
    case 83:  return op_mfmsr;
    case 146:   /* mtmsr RS,L */
    case 178:   /* mtmsrd RS,L */
        d->f1 = (insn >> 16) & 1;
        d->f2 = insn_xo10(insn) == 178;
        return op_mtmsr;
    case 4:   return op_tw;
    case 68:  return op_td;
    case 755:   /* darn RT,L */
        d->f1 = (insn >> 16) & 3;
        return op_darn;
    case 30:  return op_wait;
    default:  return NULL;
    }
}

bool interp_decode_system(PPCInsn *d, uint32_t insn, const PPCDecodeCtx *ctx)
{
    PPCHandler fn = NULL;

    switch (insn_opcd(insn)) {
    case 31:
        fn = d->rc ? NULL : decode_x_system(d, insn);
        break;
    case 3:
        fn = op_twi;
        break;
    case 2:
        fn = op_tdi;
        break;
    case 17:    /* sc: bit 30 must be 1 (scv is not provided) */
        if ((insn & 3) == 2) {
            d->f1 = (insn >> 5) & 0x7F;
            fn = op_sc;
        }
        break;
    case 19:
        if (insn_xo10(insn) == 18) {
            fn = op_rfid;
        }
        break;
    default:
        break;
    }
    if (fn) {
        d->fn = fn;
    }
    return fn != NULL;
}
