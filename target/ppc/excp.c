/*
 * Architected interrupt delivery (Power ISA v3.0 Book III chapter 6) for a
 * pseries guest: real-mode vectors, no hypervisor interrupts, AIL treated
 * as 0 (the guest runs with translation off, so the vectors are real).
 */
#include "target/ppc/cpu.h"

void ppc_cpu_do_interrupt(PowerPCCPU *cpu, uint64_t vector, uint64_t srr0,
                          uint64_t srr1_cause)
{
    CPUPPCState *env = &cpu->env;
    uint64_t msr = env->msr;

    env->srr0 = srr0;
    env->srr1 = (msr & ~SRR1_CAUSE_MASK) | (srr1_cause & SRR1_CAUSE_MASK);

    /*
     * New MSR: 64-bit, translation and external interrupts off, supervisor,
     * not recoverable until the handler saves SRR0/1. ME is kept: under
     * PAPR the hypervisor owns it (QEMU's pseries does the same).
     */
    uint64_t new_msr = MSR_SF | (msr & MSR_ME);
    if (ppc_cpu_interrupts_le(cpu)) {
        new_msr |= MSR_LE;
    }
    env->msr = new_msr;
    env->nip = vector;
    env->reserve_addr = (uint64_t)-1;
}
