/*
 * KVM on a host that is not ppc64 Linux: -accel kvm is refused at
 * start-up with one line (include/target/ppc/kvm_ppc.h).
 */
#include "target/ppc/kvm_ppc.h"

bool kvm_built(void)
{
    return false;
}

bool kvm_enabled(void)
{
    return false;
}

int kvm_ppc_init(SpaprMachineState *spapr, GError **error)
{
    (void)spapr;
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "-accel kvm: KVM is only available when this VMM is built for "
                "a ppc64 Linux host (see README: KVM)");
    return -1;
}

void kvm_ppc_start_threads(SpaprMachineState *spapr)
{
    (void)spapr;
}

int kvm_ppc_set_fwnmi(PowerPCCPU *cpu)
{
    (void)cpu;
    return -1;
}
