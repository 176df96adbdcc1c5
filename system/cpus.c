/*
 * vCPU threads (include/system/cpus.h).
 *
 * A vCPU thread holds the BQL except while its accelerator runs guest
 * code (the interpreter here, or KVM_RUN: target/ppc/kvm.c). Between runs it drains its work queue (register changes asked for
 * by other threads) and decides whether it may run; if not it parks on
 * cpu->wake. cpus_pause() counts parked threads to know when the machine
 * state may be changed safely.
 */
#include "system/cpus.h"

#include "hw/ppc/spapr.h"
#include "system/bql.h"
#include "target/ppc/interp.h"

/* Instructions per interpreter call: bounds the latency of nothing, since
 * kicks interrupt a run early; it only amortizes the loop overhead. */
#define VCPU_RUN_BUDGET (1u << 22)
/* A halted vCPU re-checks its decrementer at least this often. */
#define HALT_POLL_US 1000

static GCond cpus_parked_cond;      /* broadcast when parked_cpus changes */

static bool vcpu_may_run(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    return !spapr->quit_requested && spapr->runstate == RUN_STATE_RUNNING &&
           spapr->pause_count == 0 && !spapr->reset_requested &&
           cpu->state == CPU_STATE_RUNNING && !spapr_fwnmi_cpu_waiting(spapr, cpu);
}

/*
 * A ceded vCPU wakes when its decrementer expires or an external interrupt
 * is presented to it (H_CEDE enabled EE). The XICS raises irq_pending under
 * the BQL and kicks cpu->wake, so checking here under the BQL before
 * parking cannot miss it.
 */
static void vcpu_check_halt_wakeup(PowerPCCPU *cpu)
{
    if (cpu->state == CPU_STATE_HALTED && (cpu->env.msr & MSR_EE) &&
        ((ppc_cpu_get_dec(cpu) & 0x80000000U) ||
         __atomic_load_n(&cpu->irq_pending, __ATOMIC_SEQ_CST))) {
        cpu->state = CPU_STATE_RUNNING;
    }
}

static void vcpu_park(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    spapr->parked_cpus++;
    g_cond_broadcast(&cpus_parked_cond);
    if (cpu->state == CPU_STATE_HALTED) {
        bql_cond_wait_until(&cpu->wake, g_get_monotonic_time() + HALT_POLL_US);
    } else if (!cpu_has_work(cpu) && !spapr->quit_requested) {
        bql_cond_wait(&cpu->wake);
    }
    spapr->parked_cpus--;
}

/* The software CPU: the interpreter runs the guest without the BQL. */
static void interp_exec(PowerPCCPU *cpu)
{
    ppc_interp_run(cpu, &cpu->machine->ram, VCPU_RUN_BUDGET);
}

static const CpusAccelOps interp_ops = {
    .exec = interp_exec,
};

/* Set before the threads start, read-only afterwards. */
static const CpusAccelOps *accel_ops = &interp_ops;

static gpointer vcpu_thread(gpointer opaque)
{
    PowerPCCPU *cpu = opaque;
    SpaprMachineState *spapr = cpu->machine;

    cpu_set_current(cpu);
    bql_lock();
    if (accel_ops->thread_init) {
        accel_ops->thread_init(cpu);
    }
    while (!spapr->quit_requested) {
        __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST);
        cpu_process_work(cpu);
        spapr_fwnmi_cpu_poll(spapr, cpu);
        vcpu_check_halt_wakeup(cpu);
        if (!vcpu_may_run(spapr, cpu)) {
            vcpu_park(spapr, cpu);
            continue;
        }
        if (accel_ops->pre_exec) {
            accel_ops->pre_exec(cpu);
        }
        bql_unlock();
        accel_ops->exec(cpu);
        bql_lock();
    }
    spapr->parked_cpus++;       /* exiting counts as parked for good */
    g_cond_broadcast(&cpus_parked_cond);
    bql_unlock();
    return NULL;
}

void cpus_start_threads_accel(SpaprMachineState *spapr, const CpusAccelOps *ops)
{
    accel_ops = ops;
    cpus_start_threads(spapr);
}

void cpus_start_threads(SpaprMachineState *spapr)
{
    /* Mark every vCPU threaded before any thread starts: a running vCPU
     * may queue work for the others (H_SET_MODE) right away. */
    for (int i = 0; i < spapr->smp_cpus; i++) {
        spapr->cpus[i]->has_thread = true;
    }
    for (int i = 0; i < spapr->smp_cpus; i++) {
        PowerPCCPU *cpu = spapr->cpus[i];
        g_autofree char *name = g_strdup_printf("vcpu%d", i);
        cpu->thread = g_thread_new(name, vcpu_thread, cpu);
    }
}

static int cpus_with_threads(SpaprMachineState *spapr)
{
    int n = 0;
    for (int i = 0; i < spapr->smp_cpus; i++) {
        n += spapr->cpus[i]->has_thread;
    }
    return n;
}

void cpus_kick_all(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        cpu_kick(spapr->cpus[i]);
    }
}

void cpus_pause(SpaprMachineState *spapr)
{
    spapr->pause_count++;
    cpus_kick_all(spapr);
    int threads = cpus_with_threads(spapr);
    while (spapr->parked_cpus < threads) {
        bql_cond_wait(&cpus_parked_cond);
    }
}

void cpus_resume(SpaprMachineState *spapr)
{
    g_assert(spapr->pause_count > 0);
    spapr->pause_count--;
    cpus_kick_all(spapr);
}

void cpus_join_threads(SpaprMachineState *spapr)
{
    spapr_request_quit(spapr);
    for (int i = 0; i < spapr->smp_cpus; i++) {
        PowerPCCPU *cpu = spapr->cpus[i];
        if (cpu->thread) {
            bql_unlock();
            g_thread_join(cpu->thread);
            bql_lock();
            cpu->thread = NULL;
            cpu->has_thread = false;
        }
    }
}

void vm_system_reset(SpaprMachineState *spapr)
{
    cpus_pause(spapr);
    spapr_machine_reset(spapr);
    /* The guest starts over: a panic before the reset no longer decides
     * the exit status (a later panic or power-off sets it again). */
    spapr->exit_code = 0;
    cpus_resume(spapr);
}
