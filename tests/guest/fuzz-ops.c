/*
 * fuzz-ops: what the fuzz guest (mce-burst.c built with BURST_FUZZ) does
 * between injected machine checks: one random operation per step, from a
 * per-vCPU seeded PRNG, of five kinds:
 *   - a random fixed-point instruction (arithmetic, logical, rotate,
 *     compare, in every form) on scratch registers;
 *   - a random word from the primary opcodes with no valid instruction or
 *     a disabled facility (FP, VMX, VSX), or a trap: it must raise the
 *     architected program or unavailable interrupt;
 *   - mfspr/mtspr of a random SPR number;
 *   - a hypercall with a random opcode and random arguments;
 *   - an RTAS call with a random token, nargs, nret and arguments, its
 *     argument block in a scratch page, past the end of RAM, or straddling it.
 * Every instruction runs from a per-vCPU buffer as [insn][blr]. The guest
 * survives everything it does to the VMM: operations that would end or
 * reconfigure the machine (power-off, reboot, os-term, stop-self,
 * start-cpu, nmi-register, H_SET_MODE, H_CEDE, H_SIGNAL_SYS_RESET, console
 * output) are left out, and nothing writes memory except RTAS replies,
 * which land in the scratch page or outside RAM.
 */
#include "guest.h"

#define SCRATCH_SIZE    0x1000

static u32 code_buf[MAX_CPUS][16] __attribute__((aligned(128)));
static u32 scratch[MAX_CPUS][SCRATCH_SIZE / 4] __attribute__((aligned(4096)));
static u32 tokens[16];
static int ntokens;

struct fuzz_stats {
    u64 ops, interrupts, hcalls, rtas;
};
static struct fuzz_stats stats[MAX_CPUS];

/* xorshift64*: a different stream per vCPU and seed */
static u64 next_rand(u64 *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DUL;
}

void fuzz_init(void);
void fuzz_init(void)
{
    static const char *const names[] = {
        "get-time-of-day", "event-scan", "check-exception",
        "query-cpu-stopped-state", "ibm,get-xive", "ibm,set-xive",
        "ibm,int-on", "ibm,int-off", "ibm,nmi-interlock",
    };
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        u32 t = rtas_token(names[i]);
        if (t) {
            tokens[ntokens++] = t;
        }
    }
}

/* Registers a random instruction may write: volatile, not r0/r1/r2/r13 */
static unsigned scratch_reg(u64 r)
{
    return 5 + (unsigned)(r % 8);
}

/* CR fields a random compare may write: the volatile ones */
static unsigned scratch_crf(u64 r)
{
    static const unsigned crf[] = { 0, 1, 5, 6, 7 };
    return crf[r % ARRAY_SIZE(crf)];
}

/* XO-form arithmetic on primary 31: RT <- f(RA, RB) (OE and Rc random) */
static const u16 xo_arith[] = {
    266, 40, 235, 233, 73, 9, 75, 11, 489, 457, 491, 459, 393, 425, 395, 427,
    10, 138, 8, 136, 202, 200, 234, 232, 104, 779, 267, 777, 265,
};
/* X-form logical, shift and count on primary 31: RA <- f(RS, RB) */
static const u16 xo_logical[] = {
    28, 444, 316, 476, 124, 284, 60, 412, 24, 536, 792, 27, 539, 794, 26, 58,
    506, 378, 122, 954, 922, 986, 508, 252, 824,
};

static u32 pick(u64 r, const u16 *list, unsigned n)
{
    return list[r % n];
}

static u32 random_fixed_point(u64 *s)
{
    u64 r = next_rand(s);
    unsigned t = scratch_reg(r), a = (unsigned)(r >> 8) & 31,
             b = (unsigned)(r >> 16) & 31, rc = (unsigned)(r >> 24) & 1;
    u32 low16 = (u32)(r >> 48) & 0xFFFF;

    switch ((r >> 32) % 7) {
    case 0: {   /* D-form arithmetic: mulli subfic addic addic. addi addis */
        static const u8 ops[] = { 7, 8, 12, 13, 14, 15 };
        return ((u32)ops[(r >> 40) % ARRAY_SIZE(ops)] << 26) | (t << 21) |
               (a << 16) | low16;
    }
    case 1: {   /* D-form logical: ori oris xori xoris andi. andis. (RA <- RS) */
        static const u8 ops[] = { 24, 25, 26, 27, 28, 29 };
        return ((u32)ops[(r >> 40) % ARRAY_SIZE(ops)] << 26) | (a << 21) |
               (t << 16) | low16;
    }
    case 2:     /* cmpi/cmpli into a volatile CR field, L random */
        return ((10u + (unsigned)((r >> 40) & 1)) << 26) |
               (scratch_crf(r >> 41) << 23) | ((u32)((r >> 44) & 1) << 21) |
               (a << 16) | low16;
    case 3: {   /* M-form rotates rlwimi rlwinm rlwnm (RA <- RS) */
        static const u8 ops[] = { 20, 21, 23 };
        return ((u32)ops[(r >> 40) % ARRAY_SIZE(ops)] << 26) | (a << 21) |
               (t << 16) | (b << 11) | ((u32)(r >> 44 & 0x3FF) << 1) | rc;
    }
    case 4:     /* MD/MDS-form 64-bit rotates, any sub-opcode (RA <- RS) */
        return (30u << 26) | (a << 21) | (t << 16) | (low16 & 0xFFFF);
    case 5:
        if (r & (1UL << 40)) {
            return (31u << 26) | (t << 21) | (a << 16) | (b << 11) |
                   ((u32)(r >> 62 & 1) << 10) |
                   (pick(r >> 41, xo_arith, ARRAY_SIZE(xo_arith)) << 1) | rc;
        }
        if (r & (1UL << 41)) {  /* cmp/cmpl */
            return (31u << 26) | (scratch_crf(r >> 56) << 23) |
                   ((u32)(r >> 60 & 1) << 21) | (a << 16) | (b << 11) |
                   ((r >> 61 & 1) ? 32u << 1 : 0);
        }
        return (31u << 26) | (a << 21) | (t << 16) | (b << 11) |
               (pick(r >> 42, xo_logical, ARRAY_SIZE(xo_logical)) << 1) | rc;
    default: {  /* a word that must raise an interrupt: no such opcode,
                 * a trap, or FP/VMX/VSX with the facility off */
        static const u8 ops[] = { 0, 1, 2, 3, 4, 5, 6, 9, 22, 59, 60, 63 };
        u32 op = ops[(r >> 40) % ARRAY_SIZE(ops)], rest = (u32)(r & 0x03FFFFFF);
        /* primary 4 also holds fixed-point VA-form maddhd/maddhdu/maddld
         * (xo 48, 49, 51), which are not VMX and write RT: keep them out */
        if (op == 4 && (rest & 0x3F) >= 48 && (rest & 0x3F) <= 51) {
            rest &= ~0x30u;
        }
        return (op << 26) | rest;
    }
    }
}

static u32 random_spr_move(u64 *s)
{
    u64 r = next_rand(s);
    unsigned spr = (unsigned)(r % 1024), rt = scratch_reg(r >> 10);
    u32 field = ((spr & 31) << 16) | ((spr >> 5) << 11);

    if (r & (1UL << 20)) {
        /* mtspr, but not LR (the blr after it) nor SPRG0 (this vCPU's
         * struct percpu) nor SPRG1-3 (interrupt entry scratch) */
        if (spr == 8 || (spr >= 272 && spr <= 275)) {
            spr = 9;
            field = ((spr & 31) << 16) | ((spr >> 5) << 11);
        }
        return (31u << 26) | (rt << 21) | field | (467u << 1);
    }
    return (31u << 26) | (rt << 21) | field | (339u << 1);
}

static void run_insn(struct percpu *pc, u32 insn, u64 *s)
{
    u32 *code = code_buf[pc - percpu];
    u64 r5 = next_rand(s), r6 = next_rand(s), r7 = next_rand(s);

    code[0] = insn;
    code[1] = 0x4E800020;       /* blr */
    __asm__ volatile("dcbst 0,%0; sync; icbi 0,%0; sync; isync" :: "r"(code) : "memory");
    register u64 a5 __asm__("r5") = r5, a6 __asm__("r6") = r6, a7 __asm__("r7") = r7;
    __asm__ volatile("mtctr %3; bctrl"
                     : "+r"(a5), "+r"(a6), "+r"(a7)
                     : "r"(code)
                     : "r0", "r3", "r4", "r8", "r9", "r10", "r11", "r12", "cr0",
                       "cr1", "cr5", "cr6", "cr7", "ctr", "lr", "xer", "memory");
}

static void random_hcall(u64 *s, struct fuzz_stats *st)
{
    u64 r = next_rand(s);
    u64 op = (r & 1) ? (r >> 8) % 0x460 & ~3UL : (r >> 8);

    switch (op) {
    case H_SET_MODE: case H_CEDE: case H_SIGNAL_SYS_RESET:
    case H_PUT_TERM_CHAR: case H_RTAS:
        op = 0x4;   /* H_REMOVE: unimplemented */
        break;
    }
    hcall(op, next_rand(s), next_rand(s), next_rand(s), next_rand(s));
    st->hcalls++;
}

static void random_rtas(struct percpu *pc, u64 *s, struct fuzz_stats *st)
{
    u32 *block = scratch[pc - percpu];
    u64 r = next_rand(s);
    u32 token = (ntokens && (r & 3)) ? tokens[(r >> 2) % (u64)ntokens]
                                      : (u32)(r >> 8);
    /* Small counts keep the whole block in the scratch page; huge ones put
     * it past the end of RAM (answered H_PARAMETER, nothing written). A
     * count in between would have the VMM write the status word into
     * this guest's own memory beyond the scratch page, as any firmware
     * would. */
    u32 nargs = (r >> 40) & 1 ? (u32)((r >> 41) % 12) : 0x40000000u | (u32)(r >> 32);
    u32 nret = (r >> 20) & 1 ? (u32)((r >> 21) % 6) : 0x40000000u | (u32)(r >> 44);
    void *where = block;

    if (((r >> 60) & 7) == 0) {
        where = (void *)(uintptr_t)(machine.ram_end + ((r >> 8) & 0xFFF0));
    } else if (((r >> 60) & 7) == 1) {
        where = (void *)(uintptr_t)(machine.ram_end - 8);
    } else {
        put_be32(&block[0], token);
        put_be32(&block[1], nargs);
        put_be32(&block[2], nret);
        for (unsigned i = 3; i < 3 + 16; i++) {
            put_be32(&block[i], (u32)next_rand(s));
        }
    }
    rtas_enter(where, machine.rtas_entry);
    st->rtas++;
}

void fuzz_step(struct percpu *pc);
void fuzz_step(struct percpu *pc)
{
    unsigned me = (unsigned)(pc - percpu);
    struct fuzz_stats *st = &stats[me];
    u64 *s = &pc->arg;
    u64 r;

    if (!*s) {
        *s = 0x9E3779B97F4A7C15UL * (me + 1) ^ machine.ram_size;
    }
    r = next_rand(s);
    switch (r % 8) {
    case 0: case 1: case 2: case 3:
        run_insn(pc, random_fixed_point(s), s);
        break;
    case 4: case 5:
        run_insn(pc, random_spr_move(s), s);
        break;
    case 6:
        random_hcall(s, st);
        break;
    default:
        random_rtas(pc, s, st);
        break;
    }
    st->ops++;
}

/* The interrupts random instructions raise: skip the instruction. */
void fuzz_interrupt(struct regs *r);
void fuzz_interrupt(struct regs *r)
{
    switch (r->vector) {
    case 0x700: case 0x800: case 0xf20: case 0xf40: case 0xf60:
        stats[this_cpu() - percpu].interrupts++;
        r->nip += 4;
        return;
    default:
        fail("CPU%lu: fuzz: unexpected interrupt 0x%lx at 0x%lx (SRR1 0x%lx, "
             "insn 0x%08x)", this_cpu()->cpu_id, r->vector, r->nip, r->msr,
             code_buf[this_cpu() - percpu][0]);
    }
}

void fuzz_report(int ncpus);
void fuzz_report(int ncpus)
{
    for (int i = 0; i < ncpus; i++) {
        printf("fuzz-guest: CPU%u: %lu operations, %lu interrupts, %lu hypercalls, "
               "%lu RTAS calls\n", (unsigned)percpu[i].cpu_id, stats[i].ops,
               stats[i].interrupts, stats[i].hcalls, stats[i].rtas);
    }
}

/* The guest's own access failed: a random operation corrupted its state. */
void fuzz_own_fault(const struct regs *r);
void fuzz_own_fault(const struct regs *r)
{
    unsigned me = (unsigned)(this_cpu() - percpu);

    fail("CPU%lu: fuzz: machine check on the guest's own access at 0x%lx "
         "(DAR 0x%lx, r1 0x%lx); last random instruction 0x%08x",
         this_cpu()->cpu_id, r->nip, r->dar, r->gpr[1], code_buf[me][0]);
}
