/*
 * vCPU threads for the software CPU (-accel tcg) and KVM (-accel kvm,
 * target/ppc/kvm.c): one host thread per vCPU running guest code through
 * its accelerator's CpusAccelOps, parked whenever the machine is not
 * running, the vCPU is stopped/halted, or it waits for a machine check to
 * be delivered.
 * Under -accel qtest there are no vCPU threads and all of this is a no-op.
 * Every function here is called with the BQL held.
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

typedef struct SpaprMachineState SpaprMachineState;

typedef struct PowerPCCPU PowerPCCPU;

/*
 * How a vCPU thread runs guest code. The loop around it (work queue,
 * FWNMI delivery, parking) is the same for every accelerator.
 */
typedef struct CpusAccelOps {
    void (*thread_init)(PowerPCCPU *cpu);   /* once, on the vCPU thread, BQL held */
    void (*pre_exec)(PowerPCCPU *cpu);      /* before each exec, BQL held */
    void (*exec)(PowerPCCPU *cpu);          /* run guest code, BQL not held */
} CpusAccelOps;

/** cpus_start_threads: create one thread per vCPU running the software CPU. */
void cpus_start_threads(SpaprMachineState *spapr);
/** cpus_start_threads_accel: the same with another accelerator (KVM). */
void cpus_start_threads_accel(SpaprMachineState *spapr, const CpusAccelOps *ops);
/** cpus_pause: park every vCPU thread and wait until they are parked. Nests. */
void cpus_pause(SpaprMachineState *spapr);
/** cpus_resume: undo one cpus_pause. */
void cpus_resume(SpaprMachineState *spapr);
/** cpus_kick_all: make every vCPU re-check whether it may run (any state). */
void cpus_kick_all(SpaprMachineState *spapr);
/** cpus_join_threads: make the threads exit (quit) and wait for them. */
void cpus_join_threads(SpaprMachineState *spapr);
/** vm_system_reset: reset the machine with every vCPU parked. */
void vm_system_reset(SpaprMachineState *spapr);

#endif
