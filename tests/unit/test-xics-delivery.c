/*
 * External interrupt delivery from the XICS to the software CPU: 0x500 is
 * taken at an instruction boundary only while MSR[EE] is set, with exact
 * SRR0/SRR1/NIP/MSR (Power ISA v3.0 Book III 6.5.7), right after the
 * mtmsrd or hypercall that made it deliverable, and before a pending
 * decrementer. One vCPU, no vCPU thread: ppc_interp_run is driven here.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

#include "hw/intc/xics.h"
#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr.h"
#include "test-machine.h"

#define MSR_BASE    (MSR_SF | MSR_ME)

static SpaprMachineState *make_machine(void)
{
    SpaprMachineState *spapr = test_machine_new(SPAPR_MIN_RAM, 2);

    /* the 0x500 handler spins, so NIP shows the interrupt was taken */
    g_assert_cmpint(guest_st_be32(&spapr->ram, EXCP_EXTERNAL, enc_b_self()), ==, 0);
    ppc_interp_invalidate(EXCP_EXTERNAL, 4);
    return spapr;
}

static void destroy_machine(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        ppc_interp_cpu_finalize(spapr->cpus[i]);
    }
    spapr_machine_destroy(spapr);
}

static void put_insns(SpaprMachineState *spapr, uint64_t addr, const uint32_t *insns,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpint(guest_st_be32(&spapr->ram, addr + 4 * i, insns[i]), ==, 0);
    }
    ppc_interp_invalidate(addr, 4 * n);
}

static void run_n(PowerPCCPU *cpu, SpaprMachineState *spapr, uint64_t n)
{
    cpu->exit_request = 0;
    ppc_interp_run(cpu, &spapr->ram, n);
}

/* CPU 0 opens its CPPR and gets an IPI at priority 5 from CPU 1. */
static void present_ipi(SpaprMachineState *spapr)
{
    xics_icp_set_cppr(spapr->xics, 0, 0xff);
    xics_icp_set_mfrr(spapr->xics, 0, 5);
    g_assert_cmpint(spapr->cpus[0]->irq_pending, ==, 1);
}

static void assert_external_from(PowerPCCPU *cpu, uint64_t srr0, uint64_t msr_before)
{
    g_assert_cmphex(cpu->env.nip, ==, EXCP_EXTERNAL);
    g_assert_cmphex(cpu->env.srr0, ==, srr0);
    g_assert_cmphex(cpu->env.srr1, ==, msr_before);    /* no cause bits */
    g_assert_cmphex(cpu->env.msr, ==, MSR_BASE);       /* EE, RI off */
}

static void test_not_taken_while_ee_is_off(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    const uint32_t code[] = { enc_li(3, 1), enc_li(4, 2), enc_li(5, 3) };

    put_insns(spapr, HARNESS_CODE, code, G_N_ELEMENTS(code));
    present_ipi(spapr);
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE | MSR_RI;
    run_n(cpu, spapr, 3);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 12);
    g_assert_cmphex(cpu->env.gpr[5], ==, 3);
    g_assert_cmphex(cpu->env.srr0, ==, 0);
    /* the line stays up: it is taken as soon as EE is set */
    cpu->env.msr |= MSR_EE;
    run_n(cpu, spapr, 1);
    assert_external_from(cpu, HARNESS_CODE + 12, MSR_BASE | MSR_RI | MSR_EE);
    destroy_machine(spapr);
}

static void test_taken_right_after_mtmsrd_sets_ee(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    const uint32_t code[] = {
        enc_li(3, 0), enc_ori(3, 3, 0x8000),    /* r3 = MSR_EE */
        enc_x31(178, 3, 1, 0, 0),               /* mtmsrd r3,1 */
        enc_li(4, 44),                          /* must not run first */
    };

    put_insns(spapr, HARNESS_CODE, code, G_N_ELEMENTS(code));
    present_ipi(spapr);
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE;
    cpu->env.gpr[4] = 0;
    run_n(cpu, spapr, 10);
    assert_external_from(cpu, HARNESS_CODE + 12, MSR_BASE | MSR_EE);
    g_assert_cmphex(cpu->env.gpr[4], ==, 0);
    destroy_machine(spapr);
}

static void test_self_ipi_taken_after_the_hcall(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    const uint32_t code[] = {
        enc_li(3, H_IPI), enc_li(4, 0), enc_li(5, 4), enc_sc(1),
        enc_li(6, 66),                          /* must not run first */
    };

    xics_icp_set_cppr(spapr->xics, 0, 0xff);
    put_insns(spapr, HARNESS_CODE, code, G_N_ELEMENTS(code));
    cpu_set_current(cpu);           /* as on its own vCPU thread */
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE | MSR_EE | MSR_RI;
    cpu->env.gpr[6] = 0;
    run_n(cpu, spapr, 10);
    assert_external_from(cpu, HARNESS_CODE + 16, MSR_BASE | MSR_EE | MSR_RI);
    g_assert_cmpint((int64_t)cpu->env.gpr[3], ==, H_SUCCESS);
    g_assert_cmphex(cpu->env.gpr[6], ==, 0);
    /* the handler accepts it: the line drops, nothing more is taken */
    g_assert_cmphex(xics_icp_accept(spapr->xics, 0), ==, 0xff000002);
    g_assert_cmpint(cpu->irq_pending, ==, 0);
    cpu_set_current(NULL);
    destroy_machine(spapr);
}

static void test_cppr_masks_delivery(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    const uint32_t code[] = { enc_nop(), enc_nop() };

    put_insns(spapr, HARNESS_CODE, code, G_N_ELEMENTS(code));
    xics_icp_set_cppr(spapr->xics, 0, 4);
    xics_icp_set_mfrr(spapr->xics, 0, 5);       /* less favoured than CPPR */
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE | MSR_EE;
    run_n(cpu, spapr, 2);
    g_assert_cmphex(cpu->env.nip, ==, HARNESS_CODE + 8);
    destroy_machine(spapr);
}

static void test_external_before_decrementer(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    const uint32_t code[] = { enc_nop() };

    put_insns(spapr, HARNESS_CODE, code, G_N_ELEMENTS(code));
    present_ipi(spapr);
    ppc_cpu_set_dec(cpu, 0xFFFFFFFF);               /* negative: pending too */
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE | MSR_EE;
    run_n(cpu, spapr, 4);
    /* 0x500 first; its handler runs with EE off, so 0x900 waits */
    g_assert_cmphex(cpu->env.srr0, ==, HARNESS_CODE);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_EXTERNAL);
    g_assert_cmphex(cpu->env.msr & MSR_EE, ==, 0);
    destroy_machine(spapr);
}

static void test_source_interrupt_kicks_the_vcpu(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[1];

    xics_icp_set_cppr(spapr->xics, 1, 0xff);
    xics_write_xive(spapr->xics, SPAPR_IRQ_VTY, 1, 5, 5);
    cpu->exit_request = 0;
    spapr_vty_notify_input(spapr);
    g_assert_cmpint(cpu->irq_pending, ==, 1);
    g_assert_cmpint(cpu->exit_request, ==, 1);      /* leaves its run loop */
    g_assert_cmpint(spapr->cpus[0]->exit_request, ==, 0);
    g_assert_cmphex(xics_icp_accept(spapr->xics, 1), ==, 0xff001100);
    destroy_machine(spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xics/delivery/not-taken-while-ee-off", test_not_taken_while_ee_is_off);
    g_test_add_func("/xics/delivery/taken-right-after-mtmsrd-sets-ee",
                    test_taken_right_after_mtmsrd_sets_ee);
    g_test_add_func("/xics/delivery/self-ipi-taken-after-the-hcall",
                    test_self_ipi_taken_after_the_hcall);
    g_test_add_func("/xics/delivery/cppr-masks-delivery", test_cppr_masks_delivery);
    g_test_add_func("/xics/delivery/external-before-decrementer",
                    test_external_before_decrementer);
    g_test_add_func("/xics/delivery/source-interrupt-kicks-the-vcpu",
                    test_source_interrupt_kicks_the_vcpu);
    return g_test_run();
}
