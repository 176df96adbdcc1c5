/*
 * Software CPU: program interrupts (illegal, privileged, trap) with exact
 * SRR0/SRR1/NIP, SPR access rules, MSR instructions and rfid, system
 * call, decrementer, facility-unavailable interrupts, and the machine
 * hooks (hypercall, machine check on an access outside RAM or to a
 * poisoned page) through a real pseries machine.
 * Expected values follow Power ISA v3.0 Book III chapters 3, 5 and 6.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

#include "hw/ppc/spapr.h"
#include "test-machine.h"

#define MSR_BASE    (MSR_SF | MSR_ME)

/* Check a program interrupt taken at HARNESS_CODE with @cause. */
static void assert_program(InterpHarness *h, uint64_t msr_before, uint64_t cause)
{
    g_assert_cmphex(h->env->nip, ==, EXCP_PROGRAM);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
    g_assert_cmphex(h->env->srr1, ==, (msr_before & ~SRR1_CAUSE_MASK) | cause);
    g_assert_cmphex(h->env->msr, ==, MSR_BASE);
}

static void exec_expect_program(InterpHarness *h, uint64_t msr, uint32_t insn,
                                uint64_t cause)
{
    h->env->msr = msr;
    exec1(h, insn);
    assert_program(h, msr, cause);
}

HARNESS_TEST(test_illegal_instruction)
{
    static const uint32_t illegal[] = {
        0x00000000,                     /* primary 0 */
        0x00000200,                     /* attn */
        1u << 26,                       /* primary 1 (prefix, not in v3.0) */
        (31u << 26) | (1023u << 1),     /* unassigned extended opcode */
        (19u << 26) | (274u << 1),      /* hrfid: hypervisor only */
        (19u << 26) | (370u << 1),      /* stop */
        (31u << 26) | (3u << 21) | (150u << 1),     /* stwcx without "." */
        (56u << 26),                    /* lq: not provided */
        (17u << 26) | 1,                /* scv */
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(illegal); i++) {
        exec_expect_program(h, MSR_BASE | MSR_EE, illegal[i], SRR1_PROGRAM_ILLEGAL);
        exec_expect_program(h, MSR_BASE | MSR_PR, illegal[i], SRR1_PROGRAM_ILLEGAL);
    }
}

HARNESS_TEST(test_privileged_in_problem_state)
{
    static const uint32_t privileged[] = {
        (31u << 26) | (3u << 21) | (83u << 1),      /* mfmsr r3 */
        (31u << 26) | (3u << 21) | (178u << 1),     /* mtmsrd r3 */
        (31u << 26) | (3u << 21) | (146u << 1),     /* mtmsr r3 */
        (19u << 26) | (18u << 1),                   /* rfid */
    };
    uint64_t pr = MSR_BASE | MSR_PR;

    for (unsigned i = 0; i < G_N_ELEMENTS(privileged); i++) {
        exec_expect_program(h, pr, privileged[i], SRR1_PROGRAM_PRIV);
    }
    exec_expect_program(h, pr, enc_mfspr(3, SPR_SRR0), SRR1_PROGRAM_PRIV);
    exec_expect_program(h, pr, enc_mtspr(SPR_SPRG0, 3), SRR1_PROGRAM_PRIV);
    exec_expect_program(h, pr, enc_mfspr(3, 17), SRR1_PROGRAM_PRIV);   /* DSCR */
    exec_expect_program(h, pr, enc_mfspr(3, SPR_DEC), SRR1_PROGRAM_PRIV);
    exec_expect_program(h, pr, enc_mfspr(3, 1011), SRR1_PROGRAM_PRIV);
    /* user SPRs are fine */
    h->env->msr = pr;
    h->env->lr = 0x1234;
    exec1(h, enc_mfspr(3, SPR_LR));
    g_assert_cmphex(h->env->gpr[3], ==, 0x1234);
    exec1(h, enc_mfspr(3, 3));                      /* user DSCR */
    g_assert_cmphex(h->env->gpr[3], ==, 0);
    h->env->sprg[3] = 0x55;
    exec1(h, enc_mfspr(3, SPR_SPRG3_R));
    g_assert_cmphex(h->env->gpr[3], ==, 0x55);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
}

HARNESS_TEST(test_unknown_spr_is_illegal)
{
    exec_expect_program(h, MSR_BASE, enc_mfspr(3, 1000), SRR1_PROGRAM_ILLEGAL);
    exec_expect_program(h, MSR_BASE, enc_mtspr(1000, 3), SRR1_PROGRAM_ILLEGAL);
    exec_expect_program(h, MSR_BASE, enc_mfspr(3, 1011), SRR1_PROGRAM_ILLEGAL);
    exec_expect_program(h, MSR_BASE | MSR_PR, enc_mfspr(3, 1000),
                        SRR1_PROGRAM_ILLEGAL);
    /* read-only registers */
    exec_expect_program(h, MSR_BASE, enc_mtspr(SPR_PVR, 3), SRR1_PROGRAM_ILLEGAL);
    exec_expect_program(h, MSR_BASE, enc_mtspr(SPR_PIR, 3), SRR1_PROGRAM_ILLEGAL);
    exec_expect_program(h, MSR_BASE, enc_mtspr(SPR_TBL_R, 3), SRR1_PROGRAM_ILLEGAL);
}

HARNESS_TEST(test_inert_sprs_read_zero)
{
    static const unsigned inert[] = { 896, 898, 3, 17, 13, 29, 61, 157, 153 };

    for (unsigned i = 0; i < G_N_ELEMENTS(inert); i++) {
        h->env->gpr[3] = 0x1234;
        exec1(h, enc_mtspr(inert[i], 3));
        g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
        exec1(h, enc_mfspr(3, inert[i]));
        g_assert_cmphex(h->env->gpr[3], ==, 0);
    }
}

static uint64_t spr_roundtrip(InterpHarness *h, unsigned spr, uint64_t value)
{
    h->env->gpr[3] = value;
    exec1(h, enc_mtspr(spr, 3));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    h->env->gpr[4] = 0;
    exec1(h, enc_mfspr(4, spr));
    return h->env->gpr[4];
}

HARNESS_TEST(test_spr_roundtrip)
{
    static const unsigned plain[] = {
        SPR_LR, SPR_CTR, SPR_SRR0, SPR_SRR1, SPR_DAR, SPR_SPRG0, SPR_SPRG1,
        SPR_SPRG2, SPR_SPRG3, SPR_CFAR, 815 /* TAR */,
    };
    uint64_t v = 0x0123456789ABCDEFULL;

    for (unsigned i = 0; i < G_N_ELEMENTS(plain); i++) {
        g_assert_cmphex(spr_roundtrip(h, plain[i], v + i), ==, v + i);
    }
    g_assert_cmphex(h->env->lr, ==, v);
    g_assert_cmphex(h->env->sprg[2], ==, v + 7);
    g_assert_cmphex(spr_roundtrip(h, SPR_DSISR, v), ==, 0x89ABCDEF);
    /* PIDR is a 32-bit register (Book III 5.7.6.1). */
    g_assert_cmphex(spr_roundtrip(h, SPR_PIDR, v), ==, 0x89ABCDEF);
    g_assert_cmphex(spr_roundtrip(h, SPR_XER, ~0ULL), ==,
                    XER_SO | XER_OV | XER_CA | XER_OV32 | XER_CA32 | 0x7F);
    exec1(h, enc_mfspr(3, SPR_PVR));
    g_assert_cmphex(h->env->gpr[3], ==, PVR_POWER9);
    h->cpu.index = 3;
    exec1(h, enc_mfspr(3, SPR_PIR));
    g_assert_cmphex(h->env->gpr[3], ==, 3);
}

/* Found by the fuzz guest: a pseries guest could clear LPCR[ILE] itself. */
HARNESS_TEST(test_hypervisor_sprs_are_privileged)
{
    static const unsigned hv[] = { 304, 305, 310, 314, 315, SPR_LPCR, 319, 336, 464 };

    h->env->lpcr = 0x40000;     /* LPCR[LPES]-ish: anything but ILE */
    for (unsigned i = 0; i < G_N_ELEMENTS(hv); i++) {
        h->env->gpr[3] = 0;
        exec_expect_program(h, MSR_BASE, enc_mtspr(hv[i], 3), SRR1_PROGRAM_PRIV);
        exec_expect_program(h, MSR_BASE, enc_mfspr(3, hv[i]), SRR1_PROGRAM_PRIV);
    }
    g_assert_cmphex(h->env->lpcr, ==, 0x40000);
    /* PURR and SPURR: read by the OS (Linux's idle accounting), written
     * only by the hypervisor. */
    exec1(h, enc_mfspr(3, SPR_PURR));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    exec_expect_program(h, MSR_BASE, enc_mtspr(SPR_PURR, 3), SRR1_PROGRAM_PRIV);
    exec_expect_program(h, MSR_BASE, enc_mtspr(SPR_SPURR, 3), SRR1_PROGRAM_PRIV);
}

HARNESS_TEST(test_timebase_and_decrementer)
{
    uint64_t tb0, tb1;

    exec1(h, enc_x31(371, 3, SPR_TBL_R & 31, SPR_TBL_R >> 5, 0));     /* mftb */
    tb0 = h->env->gpr[3];
    vm_clock_step(1000000);         /* 1 ms = 512000 ticks */
    exec1(h, enc_mfspr(3, SPR_TBL_R));
    tb1 = h->env->gpr[3];
    g_assert_cmpuint(tb1 - tb0, ==, 512000);
    exec1(h, enc_x31(371, 3, SPR_TBU_R & 31, SPR_TBU_R >> 5, 0));
    g_assert_cmphex(h->env->gpr[3], ==, tb1 >> 32);

    g_assert_cmphex(spr_roundtrip(h, SPR_DEC, 1000), ==, 1000);
    vm_clock_step(1000);            /* 512 ticks */
    exec1(h, enc_mfspr(3, SPR_DEC));
    g_assert_cmphex(h->env->gpr[3], ==, 1000 - 512);
    /* the 32-bit decrementer reads sign-extended; EE=0: no interrupt */
    g_assert_cmphex(spr_roundtrip(h, SPR_DEC, 0xFFFFFFF0), ==,
                    0xFFFFFFFFFFFFFFF0ULL);
}

HARNESS_TEST(test_decrementer_interrupt)
{
    emit(h, enc_li(3, 1));
    emit(h, enc_li(4, 2));
    ppc_cpu_set_dec(&h->cpu, 0xFFFFFFFF);
    run(h, 1);                      /* EE=0: not taken */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);

    h->env->msr |= MSR_EE;
    run(h, 1);                      /* taken before the next instruction */
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->srr1 & MSR_EE, ==, MSR_EE);
    g_assert_cmphex(h->env->msr & MSR_EE, ==, 0);
    g_assert_cmphex(h->env->nip, ==, EXCP_DECREMENTER);
    g_assert_cmphex(h->env->gpr[4], ==, 0);

    /* enabling EE with mtmsrd L=1 takes it right after the mtmsrd */
    h->env->msr = MSR_BASE;
    h->pc = HARNESS_CODE;
    h->env->gpr[5] = MSR_EE;
    emit(h, enc_x31(178, 5, 1, 0, 0));              /* mtmsrd r5,1 */
    emit(h, enc_li(3, 7));
    h->env->nip = HARNESS_CODE;
    h->env->gpr[3] = 0;
    run(h, 2);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->gpr[3], ==, 0);
    g_assert_cmphex(h->env->nip, ==, EXCP_DECREMENTER);

    /* positive decrementer: nothing */
    ppc_cpu_set_dec(&h->cpu, 100);
    h->env->msr = MSR_BASE | MSR_EE;
    h->env->nip = HARNESS_CODE + 4;
    run(h, 1);
    g_assert_cmphex(h->env->gpr[3], ==, 7);
}

HARNESS_TEST(test_trap)
{
    h->env->gpr[3] = 5;
    h->env->gpr[4] = 5;
    exec_expect_program(h, MSR_BASE, enc_x31(4, 4, 3, 4, 0), SRR1_PROGRAM_TRAP);
    h->env->gpr[4] = 6;
    h->env->msr = MSR_BASE;
    exec1(h, enc_x31(4, 4, 3, 4, 0));               /* tweq: not equal */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    exec_expect_program(h, MSR_BASE, enc_x31(4, 31, 0, 0, 0),
                        SRR1_PROGRAM_TRAP);         /* trap */
    h->env->gpr[3] = ~0ULL;
    exec_expect_program(h, MSR_BASE | MSR_PR, enc_d(3, 16, 3, 0),
                        SRR1_PROGRAM_TRAP);         /* twlti r3,0 */
    h->env->gpr[4] = 1;
    exec_expect_program(h, MSR_BASE, enc_x31(68, 1, 3, 4, 0),
                        SRR1_PROGRAM_TRAP);         /* tdlgt */
    /* tw compares words only: low words 0 and 1 */
    h->env->gpr[3] = 0xFFFFFFFF00000000ULL;
    h->env->msr = MSR_BASE;
    exec1(h, enc_x31(4, 1, 3, 4, 0));
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    h->env->gpr[3] = 5;
    exec_expect_program(h, MSR_BASE, enc_d(2, 8, 3, 4), SRR1_PROGRAM_TRAP);
    h->env->msr = MSR_BASE;
    exec1(h, enc_d(2, 8, 3, 5));                    /* tdgti r3,5: no */
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
}

HARNESS_TEST(test_system_call)
{
    h->env->msr = MSR_BASE | MSR_EE;
    exec1(h, enc_sc(0));
    g_assert_cmphex(h->env->nip, ==, EXCP_SYSCALL);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->srr1, ==, MSR_BASE | MSR_EE);
    g_assert_cmphex(h->env->msr, ==, MSR_BASE);
    /* sc 1 from problem state is a system call too */
    h->env->msr = MSR_BASE | MSR_PR | MSR_EE;
    exec1(h, enc_sc(1));
    g_assert_cmphex(h->env->nip, ==, EXCP_SYSCALL);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->srr1, ==, MSR_BASE | MSR_PR | MSR_EE);
}

HARNESS_TEST(test_rfid_switches_endianness)
{
    emit(h, enc_rfid());
    harness_write_insn(h, 0x20000, enc_li(3, 77), true);
    harness_write_insn(h, 0x20004, enc_rfid(), true);
    harness_write_insn(h, 0x30000, enc_li(4, 88), false);
    h->env->srr0 = 0x20000;
    h->env->srr1 = MSR_BASE | MSR_LE;
    run(h, 2);
    g_assert_cmphex(h->env->gpr[3], ==, 77);
    g_assert_cmphex(h->env->msr, ==, MSR_BASE | MSR_LE);
    g_assert_cmphex(h->env->cfar, ==, HARNESS_CODE);
    /* and back to big-endian */
    h->env->srr0 = 0x30000;
    h->env->srr1 = MSR_BASE;
    run(h, 2);
    g_assert_cmphex(h->env->gpr[4], ==, 88);
    g_assert_cmphex(h->env->msr, ==, MSR_BASE);
}

HARNESS_TEST(test_rfid_msr_rules)
{
    /* PR forces EE, IR, DR; ME and HV are not taken from SRR1; neither
     * are the interrupt cause bits; the low two bits of SRR0 are dropped */
    h->env->srr0 = 0x40003;
    h->env->srr1 = MSR_SF | MSR_PR | MSR_HV | MSR_FP | SRR1_PROGRAM_TRAP;
    exec1(h, enc_rfid());
    g_assert_cmphex(h->env->msr, ==,
                    MSR_SF | MSR_ME | MSR_PR | MSR_FP | MSR_EE | MSR_IR | MSR_DR);
    g_assert_cmphex(h->env->nip, ==, 0x40000);
    /* into 32-bit mode: the high half of SRR0 is dropped */
    h->env->msr = MSR_BASE;
    h->env->srr0 = 0x1234567800050000ULL;
    h->env->srr1 = MSR_ME;
    exec1(h, enc_rfid());
    g_assert_cmphex(h->env->msr, ==, MSR_ME);
    g_assert_cmphex(h->env->nip, ==, 0x50000);
}

HARNESS_TEST(test_mtmsr_rules)
{
    /* mtmsrd L=1 changes EE and RI only */
    h->env->gpr[3] = MSR_EE | MSR_RI | MSR_PR | MSR_FP;
    exec1(h, enc_x31(178, 3, 1, 0, 0));
    g_assert_cmphex(h->env->msr, ==, MSR_BASE | MSR_EE | MSR_RI);
    /* mtmsrd L=0 leaves LE and ME alone */
    h->env->msr = MSR_BASE;
    h->env->gpr[3] = MSR_SF | MSR_FP | MSR_VEC | MSR_LE;
    exec1(h, enc_x31(178, 3, 0, 0, 0));
    g_assert_cmphex(h->env->msr, ==, MSR_BASE | MSR_FP | MSR_VEC);
    g_assert_cmphex(h->env->nip, ==, HARNESS_CODE + 4);
    /* mtmsr (L=0) leaves the high word alone: SF stays */
    h->env->msr = MSR_BASE;
    h->env->gpr[3] = MSR_FP;
    exec1(h, enc_x31(146, 3, 0, 0, 0));
    g_assert_cmphex(h->env->msr, ==, MSR_BASE | MSR_FP);
    /* mfmsr */
    exec1(h, enc_x31(83, 4, 0, 0, 0));
    g_assert_cmphex(h->env->gpr[4], ==, MSR_BASE | MSR_FP);
    /* entering problem state forces EE, IR, DR: the next fetch faults */
    h->env->msr = MSR_BASE;
    h->env->gpr[3] = MSR_SF | MSR_PR;
    h->pc = HARNESS_CODE;
    emit(h, enc_x31(178, 3, 0, 0, 0));
    emit(h, enc_nop());
    h->env->nip = HARNESS_CODE;
    run(h, 2);
    g_assert_cmphex(h->env->nip, ==, EXCP_ISI);
    g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE + 4);
    g_assert_cmphex(h->env->srr1 & (MSR_PR | MSR_EE | MSR_IR | MSR_DR), ==,
                    MSR_PR | MSR_EE | MSR_IR | MSR_DR);
}

HARNESS_TEST(test_facility_unavailable)
{
    static const struct {
        uint32_t insn;
        uint64_t enable;
        uint64_t vector;
    } cases[] = {
        { (63u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (21u << 1),
          MSR_FP, EXCP_FPU_UNAVAIL },                       /* fadd */
        { (59u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (21u << 1),
          MSR_FP, EXCP_FPU_UNAVAIL },                       /* fadds */
        { (4u << 26) | (1u << 21) | (2u << 16) | (3u << 11),
          MSR_VEC, EXCP_VEC_UNAVAIL },                      /* vaddubm */
        { (31u << 26) | (1u << 21) | (7u << 1),
          MSR_VEC, EXCP_VEC_UNAVAIL },                      /* lvebx */
        { (60u << 26) | (1u << 21) | (146u << 3),
          MSR_VSX, EXCP_VSX_UNAVAIL },                      /* xxlor */
        { (31u << 26) | (1u << 21) | (844u << 1),
          MSR_VSX, EXCP_VSX_UNAVAIL },                      /* lxvd2x */
        { (61u << 26) | (1u << 21) | 1,
          MSR_VSX, EXCP_VSX_UNAVAIL },                      /* lxv */
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        h->env->msr = MSR_BASE;
        exec1(h, cases[i].insn);
        g_assert_cmphex(h->env->nip, ==, cases[i].vector);
        g_assert_cmphex(h->env->srr0, ==, HARNESS_CODE);
        g_assert_cmphex(h->env->srr1, ==, MSR_BASE);
        /* enabled, but not emulated: illegal */
        exec_expect_program(h, MSR_BASE | cases[i].enable, cases[i].insn,
                            SRR1_PROGRAM_ILLEGAL);
    }
}

HARNESS_TEST(test_interrupts_taken_little_endian_with_ile)
{
    harness_write_insn(h, EXCP_PROGRAM, enc_li(3, 5), true);
    h->env->lpcr = LPCR_ILE;
    exec1(h, 0);
    g_assert_cmphex(h->env->msr, ==, MSR_BASE | MSR_LE);
    run(h, 1);                      /* the handler is fetched little-endian */
    g_assert_cmphex(h->env->gpr[3], ==, 5);
}

/*
 * Random words, executed one at a time in problem state with random
 * registers: the guest takes whatever interrupt it deserves, and the
 * interpreter must never crash or read outside guest RAM. The
 * machine's hooks take the out-of-RAM accesses.
 */
static SpaprMachineState *make_machine(void)
{
    return test_machine_new(SPAPR_MIN_RAM, 1);
}

static void destroy_machine(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        ppc_interp_cpu_finalize(spapr->cpus[i]);
    }
    spapr_machine_destroy(spapr);
}

static void write_be32(SpaprMachineState *spapr, uint64_t addr, uint32_t insn)
{
    g_assert_cmpint(guest_st_be32(&spapr->ram, addr, insn), ==, 0);
    ppc_interp_invalidate(addr, 4);
}

static void test_random_words_never_crash(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    GRand *rand = g_rand_new_with_seed(0x5eed);

    for (int i = 0; i < 20000; i++) {
        uint32_t insn = g_rand_int(rand);
        for (int r = 0; r < 32; r++) {
            uint64_t v = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
            cpu->env.gpr[r] = (r & 1) ? v : v % SPAPR_MIN_RAM;
        }
        cpu->env.msr = MSR_BASE | MSR_PR | (g_rand_boolean(rand) ? MSR_LE : 0) |
                       (g_rand_boolean(rand) ? MSR_FP | MSR_VEC | MSR_VSX : 0);
        cpu->env.nip = HARNESS_CODE;
        cpu->exit_request = 0;
        write_be32(spapr, HARNESS_CODE,
                   (cpu->env.msr & MSR_LE) ? GUINT32_SWAP_LE_BE(insn) : insn);
        ppc_interp_run(cpu, &spapr->ram, 1);
        g_assert_cmphex(cpu->env.nip & 3, ==, 0);
    }
    g_rand_free(rand);
    destroy_machine(spapr);
}

static void test_hypercall_hook(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];

    /* an unsupported hypercall: H_FUNCTION in r3, execution goes on */
    write_be32(spapr, HARNESS_CODE, enc_li(3, 0x7F0));
    write_be32(spapr, HARNESS_CODE + 4, enc_sc(1));
    write_be32(spapr, HARNESS_CODE + 8, enc_li(3, H_CEDE));
    write_be32(spapr, HARNESS_CODE + 12, enc_sc(1));
    write_be32(spapr, HARNESS_CODE + 16, enc_b_self());
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE;
    g_assert_cmpint(ppc_interp_run(cpu, &spapr->ram, 2), ==,
                    PPC_INTERP_EXIT_BUDGET);
    g_assert_cmpint((int64_t)cpu->env.gpr[3], ==, H_FUNCTION);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 8);
    /* H_CEDE: the hook asks the vCPU to leave the run loop */
    g_assert_cmpint(ppc_interp_run(cpu, &spapr->ram, 100), ==,
                    PPC_INTERP_EXIT_HALT);
    g_assert_cmpint(cpu->env.gpr[3], ==, H_SUCCESS);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 16);
    g_assert_cmpint(cpu->state, ==, CPU_STATE_HALTED);
    g_assert_cmpuint(cpu->icount, ==, 4);
    destroy_machine(spapr);
}

static void test_out_of_ram_load_raises_machine_check(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    uint64_t ea = 0xC000000000000000ULL | (SPAPR_MIN_RAM + 0x1000);

    write_be32(spapr, HARNESS_CODE, enc_ds(58, 3, 4, 8, 1));    /* ldu r3,8(r4) */
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE | MSR_EE;
    cpu->env.gpr[3] = 0x33;
    cpu->env.gpr[4] = ea - 8;
    ppc_interp_run(cpu, &spapr->ram, 1);
    /* FWNMI not registered: architected 0x200, nothing retired */
    g_assert_cmphex(cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(cpu->env.srr0, ==, HARNESS_CODE);
    g_assert_cmphex(cpu->env.srr1 & SRR1_MC_LOADSTORE, ==, SRR1_MC_LOADSTORE);
    g_assert_cmphex(cpu->env.srr1 & MSR_EE, ==, MSR_EE);
    g_assert_cmphex(cpu->env.dsisr, ==, DSISR_MC_UE);
    g_assert_cmphex(cpu->env.dar, ==, ea);
    g_assert_cmphex(cpu->env.gpr[3], ==, 0x33);
    g_assert_cmphex(cpu->env.gpr[4], ==, ea - 8);

    /* a store to a poisoned page: reported once, then the page is healed */
    cpu->exit_request = 0;
    write_be32(spapr, HARNESS_CODE, enc_d(36, 3, 4, 0));        /* stw */
    g_assert_cmpint(guest_poison_page(&spapr->ram, HARNESS_DATA), ==, 0);
    cpu->env.gpr[4] = HARNESS_DATA + 0x10;
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE;
    ppc_interp_run(cpu, &spapr->ram, 1);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(cpu->env.dar, ==, HARNESS_DATA + 0x10);
    cpu->exit_request = 0;
    cpu->env.nip = HARNESS_CODE;
    ppc_interp_run(cpu, &spapr->ram, 1);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 4);

    /* instruction fetch outside RAM */
    cpu->exit_request = 0;
    cpu->env.nip = SPAPR_MIN_RAM + 0x100;
    cpu->env.msr = MSR_BASE;
    ppc_interp_run(cpu, &spapr->ram, 1);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(cpu->env.srr0, ==, SPAPR_MIN_RAM + 0x100);
    g_assert_cmphex(cpu->env.srr1 & SRR1_MC_IFETCH_MASK, ==, SRR1_MC_IFETCH_UE);
    destroy_machine(spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/sys/illegal-instruction", test_illegal_instruction);
    g_test_add_func("/interp/sys/privileged-in-problem-state",
                    test_privileged_in_problem_state);
    g_test_add_func("/interp/sys/unknown-spr-is-illegal",
                    test_unknown_spr_is_illegal);
    g_test_add_func("/interp/sys/inert-sprs-read-zero",
                    test_inert_sprs_read_zero);
    g_test_add_func("/interp/sys/spr-roundtrip", test_spr_roundtrip);
    g_test_add_func("/interp/sys/timebase-and-decrementer",
                    test_timebase_and_decrementer);
    g_test_add_func("/interp/sys/decrementer-interrupt",
                    test_decrementer_interrupt);
    g_test_add_func("/interp/sys/trap", test_trap);
    g_test_add_func("/interp/sys/system-call", test_system_call);
    g_test_add_func("/interp/sys/rfid-switches-endianness",
                    test_rfid_switches_endianness);
    g_test_add_func("/interp/sys/rfid-msr-rules", test_rfid_msr_rules);
    g_test_add_func("/interp/sys/mtmsr-rules", test_mtmsr_rules);
    g_test_add_func("/interp/sys/hypervisor-sprs-are-privileged",
                    test_hypervisor_sprs_are_privileged);
    g_test_add_func("/interp/sys/facility-unavailable",
                    test_facility_unavailable);
    g_test_add_func("/interp/sys/interrupts-taken-little-endian-with-ile",
                    test_interrupts_taken_little_endian_with_ile);
    g_test_add_func("/interp/sys/hypercall-hook", test_hypercall_hook);
    g_test_add_func("/interp/sys/out-of-ram-load-raises-machine-check",
                    test_out_of_ram_load_raises_machine_check);
    g_test_add_func("/interp/sys/random-words-never-crash",
                    test_random_words_never_crash);
    return g_test_run();
}
