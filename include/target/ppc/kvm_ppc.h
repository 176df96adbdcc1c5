/*
 * KVM accelerator for POWER hosts (-accel kvm): target/ppc/kvm.c, built
 * only when the host is ppc64 Linux (CONFIG_KVM); elsewhere
 * target/ppc/kvm-stub.c answers that KVM is not available.
 *
 * The VM runs as a KVM-HV PAPR guest (radix MMU). Exits come back to the
 * same machine code the software CPU uses: hypercalls to
 * spapr_hypercall(), machine checks (KVM_EXIT_NMI, once the guest
 * registered with ibm,nmi-register and KVM_CAP_PPC_FWNMI is on) to
 * spapr_mce_req_event(). Register state is copied from KVM after every
 * exit and back before every KVM_RUN, so the FWNMI code, the work queue and
 * the monitor see and change CPUPPCState exactly as with the software CPU.
 */
#ifndef TARGET_PPC_KVM_PPC_H
#define TARGET_PPC_KVM_PPC_H

#include <stdbool.h>
#include <glib.h>

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

/** kvm_built: this binary has the KVM accelerator (a ppc64 Linux build). */
bool kvm_built(void);

/** kvm_enabled: the machine runs under KVM (set by kvm_ppc_init). */
bool kvm_enabled(void);

/**
 * kvm_ppc_init: open /dev/kvm, create the HV VM, register guest RAM,
 * create every vCPU (PAPR mode, PVR, kvm_run mapped) and, with
 * cap-fwnmi=on, check that KVM can hand machine checks to us
 * (KVM_CAP_PPC_FWNMI). 0, or -1 with @error set to one line.
 * Called once at start-up, before the vCPU threads exist, BQL held.
 */
int kvm_ppc_init(SpaprMachineState *spapr, GError **error);

/** kvm_ppc_start_threads: one thread per vCPU running KVM_RUN. BQL held. */
void kvm_ppc_start_threads(SpaprMachineState *spapr);

/**
 * kvm_ppc_set_fwnmi: enable KVM_CAP_PPC_FWNMI through @cpu, the vCPU that
 * calls ibm,nmi-register (on its own thread, so it is not in KVM_RUN).
 * From then on the kernel exits with KVM_EXIT_NMI instead of delivering
 * 0x200 itself. 0 or -errno. BQL held.
 */
int kvm_ppc_set_fwnmi(PowerPCCPU *cpu);

#endif
