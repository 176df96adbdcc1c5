/*
 * In-process FWNMI tests: the interlock protocol under real concurrency.
 * Eight threads play eight vCPUs; each injects machine checks on itself,
 * waits until it has been handed the buffer, checks that the log in the
 * buffer is its own, and interlocks. Every machine check must be delivered
 * exactly once, in order per vCPU, with nothing lost.
 */
#include <glib.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"
#include "test-machine.h"

#define STORM_CPUS 8
#define STORM_MCES 1000
#define MCE_HANDLER 0x3000
#define SRESET_HANDLER 0x2000
/* "MC" section EA inside the buffer: saved R3 (8) + log offset 96 + 0x18 */
#define BUF_MC_EA_OFFSET (8 + 96 + 0x18)

static SpaprMachineState *make_machine(int cpus)
{
    SpaprMachineState *spapr = test_machine_new(256ULL << 20, cpus);

    for (int i = 1; i < cpus; i++) {
        spapr->cpus[i]->state = CPU_STATE_RUNNING;     /* as after start-cpu */
    }
    return spapr;
}

static void register_fwnmi(SpaprMachineState *spapr)
{
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };
    bql_lock();
    g_assert_cmpint(rtas_as(spapr, spapr->cpus[0], RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    bql_unlock();
}

typedef struct StormCtx {
    SpaprMachineState *spapr;
    int index;
    uint64_t delivered;         /* checked by the main thread */
} StormCtx;

static StormCtx storm_ctx[STORM_CPUS];
static GCond storm_changed;

static bool holds_buffer(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    return spapr->fwnmi.interlock_holder == cpu->index && spapr->fwnmi.holder_entered;
}

static gpointer storm_vcpu(gpointer opaque)
{
    StormCtx *ctx = opaque;
    SpaprMachineState *spapr = ctx->spapr;
    PowerPCCPU *cpu = spapr->cpus[ctx->index];

    for (uint64_t n = 0; n < STORM_MCES; n++) {
        uint64_t dar = ((uint64_t)ctx->index << 32) | n;
        SpaprMceInfo info = {
            .srr1 = SRR1_MC_LOADSTORE, .dsisr = 0x800 /* ERAT multihit: EA = DAR */,
            .dar = dar, .recovered = true,
        };
        bql_lock();
        SpaprMceResult r = spapr_mce_req_event(spapr, cpu, &info);
        g_assert(r == SPAPR_MCE_DELIVERED || r == SPAPR_MCE_QUEUED);
        while (!holds_buffer(spapr, cpu)) {
            bql_cond_wait(&storm_changed);
        }
        /* The handler would run now: everything must describe our own error. */
        uint64_t ea, saved_r3;
        g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
        g_assert_cmphex(cpu->env.dar, ==, dar);
        g_assert_cmphex(cpu->env.gpr[3], ==, spapr->rtas_base + RTAS_ERROR_LOG_OFFSET);
        guest_ld_be64(&spapr->ram, cpu->env.gpr[3] + BUF_MC_EA_OFFSET, &ea);
        guest_ld_be64(&spapr->ram, cpu->env.gpr[3], &saved_r3);
        g_assert_cmphex(ea, ==, dar);
        g_assert_cmphex(saved_r3, ==, n);       /* set below before the next one */
        ctx->delivered++;
        cpu->env.gpr[3] = n + 1;                /* the handler restores R3 ... */
        cpu->env.nip = 0x4000;                  /* ... and returns */
        g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
        g_cond_broadcast(&storm_changed);
        bql_unlock();
    }
    return NULL;
}

static void test_storm_all_delivered_once(void)
{
    SpaprMachineState *spapr = make_machine(STORM_CPUS);
    GThread *threads[STORM_CPUS];

    register_fwnmi(spapr);
    for (int i = 0; i < STORM_CPUS; i++) {
        spapr->cpus[i]->env.gpr[3] = 0;
        storm_ctx[i] = (StormCtx){ .spapr = spapr, .index = i };
        threads[i] = g_thread_new("storm", storm_vcpu, &storm_ctx[i]);
    }
    for (int i = 0; i < STORM_CPUS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpuint(storm_ctx[i].delivered, ==, STORM_MCES);
    }
    SpaprFwnmiCounters *c = &spapr->fwnmi.count;
    g_assert_cmpuint(c->delivered, ==, STORM_CPUS * STORM_MCES);
    g_assert_cmpuint(c->interlocks, ==, STORM_CPUS * STORM_MCES);
    g_assert_cmpuint(c->nested, ==, 0);
    g_assert_cmpint(spapr->fwnmi.interlock_holder, ==, FWNMI_HOLDER_NONE);
    g_assert_true(g_queue_is_empty(&spapr->fwnmi.pending));
    spapr_machine_destroy(spapr);
}

static void test_queue_is_fifo_and_reset_drops(void)
{
    SpaprMachineState *spapr = make_machine(4);
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    register_fwnmi(spapr);
    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[2], &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[3], &info), ==, SPAPR_MCE_QUEUED);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[1], &info), ==, SPAPR_MCE_QUEUED);
    g_assert_true(spapr_fwnmi_cpu_waiting(spapr, spapr->cpus[3]));
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, spapr->cpus[0]));
    /* Order of arrival: 3 then 1. */
    g_assert_cmpint(rtas_as(spapr, spapr->cpus[2], RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_cmpint(spapr->fwnmi.interlock_holder, ==, 3);
    g_assert_cmphex(spapr->cpus[3]->env.nip, ==, MCE_HANDLER);
    g_assert_cmphex(spapr->cpus[1]->env.nip, ==, 0);
    /* Reset drops cpu 1's pending machine check and the registration. */
    spapr_machine_reset(spapr);
    g_assert_cmpint(spapr->fwnmi.interlock_holder, ==, FWNMI_HOLDER_NONE);
    g_assert_true(g_queue_is_empty(&spapr->fwnmi.pending));
    g_assert_cmpuint(spapr->fwnmi.count.dropped, ==, 1);
    g_assert_cmphex(spapr->fwnmi.mce_addr, ==, FWNMI_ADDR_NONE);
    /* Reset stops the secondary vCPUs again (start-cpu restarts them). */
    g_assert_cmpint(spapr->cpus[1]->state, ==, CPU_STATE_STOPPED);
    spapr->cpus[1]->state = CPU_STATE_RUNNING;
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[1], &info), ==, SPAPR_MCE_LEGACY);
    g_assert_cmphex(spapr->cpus[1]->env.nip, ==, EXCP_MACHINE_CHECK);
    bql_unlock();
    spapr_machine_destroy(spapr);
}

static void test_nested_on_holder(void)
{
    SpaprMachineState *spapr = make_machine(2);
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    register_fwnmi(spapr);
    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[0], &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[0], &info), ==, SPAPR_MCE_IGNORED);
    g_assert_cmpint(spapr->runstate, ==, RUN_STATE_RUNNING);
    info.recovered = false;
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[0], &info), ==, SPAPR_MCE_PANICKED);
    g_assert_cmpint(spapr->runstate, ==, RUN_STATE_GUEST_PANICKED);
    g_assert_cmpuint(spapr->fwnmi.count.nested, ==, 2);
    bql_unlock();
    spapr_machine_destroy(spapr);
}

/*
 * vCPUs "with a thread" that never runs: deliveries stay queued as work
 * until the test plays the vCPU thread with cpu_process_work(). This is
 * the window real vCPUs have between assignment and handler entry.
 */
static void pretend_threaded(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        spapr->cpus[i]->has_thread = true;
        spapr->cpus[i]->env.msr |= MSR_RI;  /* at a recoverable point */
    }
}

static void unpretend_threaded(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        cpu_process_work(spapr->cpus[i]);
        spapr->cpus[i]->has_thread = false;
    }
}

/* The vCPU thread's turn: run its work, then it would enter the handler. */
static void enter_and_interlock(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    g_assert_true(spapr_fwnmi_cpu_waiting(spapr, cpu));
    cpu_process_work(cpu);
    g_assert_cmpint(spapr->fwnmi.interlock_holder, ==, cpu->index);
    g_assert_true(spapr->fwnmi.holder_entered);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    /* Entered: it must run to interlock, whatever else waits for it. */
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, cpu));
    cpu->env.nip = 0x4000;      /* the handler returns somewhere else */
    g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    cpu->env.msr |= MSR_RI;     /* ... and its rfid restores MSR[RI]=1 */
}

static void assert_accounted(const SpaprFwnmiCounters *c)
{
    g_assert_cmpuint(c->requests, ==,
                     c->delivered + c->legacy + c->nested + c->ignored + c->dropped);
}

/* A registered 2-vCPU machine with pretend threads, under the BQL. */
static SpaprMachineState *start_threaded(void)
{
    SpaprMachineState *spapr = make_machine(2);

    register_fwnmi(spapr);
    bql_lock();
    pretend_threaded(spapr);
    return spapr;
}

/* End of a pretend-threaded test: once the vCPUs' work has run, every
 * request is accounted for; then teardown. */
static void finish_threaded(SpaprMachineState *spapr)
{
    unpretend_threaded(spapr);
    assert_accounted(&spapr->fwnmi.count);
    bql_unlock();
    spapr_machine_destroy(spapr);
}

/*
 * A second request for a vCPU whose first is assigned but not entered yet:
 * nested (one outstanding machine check per vCPU), and the first is still
 * delivered, handled and interlocked normally.
 */
static void test_back_to_back_same_free_vcpu(void)
{
    SpaprMachineState *spapr = start_threaded();
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    PowerPCCPU *cpu = spapr->cpus[0];

    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_IGNORED);
    enter_and_interlock(spapr, cpu);
    g_assert_cmpint(spapr->fwnmi.interlock_holder, ==, FWNMI_HOLDER_NONE);
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, cpu));
    /* after the interlock the next one is a fresh, deliverable error */
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    enter_and_interlock(spapr, cpu);
    g_assert_cmpuint(spapr->fwnmi.count.delivered, ==, 2);
    g_assert_cmpuint(spapr->fwnmi.count.interlocks, ==, 2);
    g_assert_cmpuint(spapr->fwnmi.count.nested, ==, 1);
    finish_threaded(spapr);
}

/*
 * vCPU b waits behind holder a and gets a second request meanwhile: nested
 * (recovered: ignored); b must still run once its first is delivered.
 */
static void test_second_for_queued_vcpu_is_nested(void)
{
    SpaprMachineState *spapr = start_threaded();
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    PowerPCCPU *a = spapr->cpus[0], *b = spapr->cpus[1];

    g_assert_cmpint(spapr_mce_req_event(spapr, a, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(a);
    g_assert_cmpint(spapr_mce_req_event(spapr, b, &info), ==, SPAPR_MCE_QUEUED);
    g_assert_cmpint(spapr_mce_req_event(spapr, b, &info), ==, SPAPR_MCE_IGNORED);
    g_assert_cmpuint(g_queue_get_length(&spapr->fwnmi.pending), ==, 1);
    g_assert_true(spapr_fwnmi_cpu_waiting(spapr, b));
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, a));
    a->env.nip = 0x4000;
    g_assert_cmpint(rtas_as(spapr, a, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    enter_and_interlock(spapr, b);
    g_assert_true(g_queue_is_empty(&spapr->fwnmi.pending));
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, b));
    /* not recovered while queued: a second error before the interlock is fatal */
    g_assert_cmpint(spapr_mce_req_event(spapr, b, &info), ==, SPAPR_MCE_DELIVERED);
    info.recovered = false;
    g_assert_cmpint(spapr_mce_req_event(spapr, b, &info), ==, SPAPR_MCE_PANICKED);
    g_assert_cmpuint(spapr->fwnmi.count.delivered, ==, 2);
    g_assert_cmpuint(spapr->fwnmi.count.nested, ==, 2);
    finish_threaded(spapr);
}

/*
 * An injected machine check that finds the vCPU at MSR[RI]=0 is held (the
 * vCPU runs meanwhile) until RI=1; a synchronous one is taken at once.
 */
static void test_injected_waits_for_ri(void)
{
    SpaprMachineState *spapr = start_threaded();
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    PowerPCCPU *cpu = spapr->cpus[0];

    cpu->env.msr &= ~MSR_RI;
    cpu->env.nip = 0x5000;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_nonnull(spapr->fwnmi.deferred);
    g_assert_false(spapr->fwnmi.holder_entered);
    g_assert_false(spapr_fwnmi_cpu_waiting(spapr, cpu));    /* it runs on */
    g_assert_cmpint(cpu->mce_wait_ri, ==, 1);
    spapr_fwnmi_cpu_poll(spapr, cpu);                       /* RI still 0 */
    g_assert_false(spapr->fwnmi.holder_entered);
    cpu->env.nip = 0x5040;
    cpu->env.msr |= MSR_RI;
    spapr_fwnmi_cpu_poll(spapr, cpu);
    g_assert_true(spapr->fwnmi.holder_entered);
    g_assert_cmpint(cpu->mce_wait_ri, ==, 0);
    g_assert_cmphex(cpu->env.srr0, ==, 0x5040);             /* where RI was set */
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmpuint(spapr->fwnmi.count.deferred, ==, 1);
    g_assert_cmpuint(spapr->fwnmi.count.unrecoverable, ==, 0);
    g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);

    /* Never reaching RI=1: delivered after the wait, counted unrecoverable. */
    cpu->env.msr &= ~MSR_RI;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    spapr->fwnmi.deferred_deadline_us = g_get_monotonic_time() - 1;
    spapr_fwnmi_cpu_poll(spapr, cpu);
    g_assert_true(spapr->fwnmi.holder_entered);
    g_assert_cmpuint(spapr->fwnmi.count.unrecoverable, ==, 1);
    g_assert_cmpint(rtas_as(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);

    /* The vCPU's own access: at once, whatever RI. */
    info.synchronous = true;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_true(spapr->fwnmi.holder_entered);
    g_assert_cmpuint(spapr->fwnmi.count.deferred, ==, 2);
    finish_threaded(spapr);
}

static void test_reset_drops_assigned_and_queued(void)
{
    SpaprMachineState *spapr = make_machine(2);
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    register_fwnmi(spapr);
    bql_lock();
    pretend_threaded(spapr);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[1], &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[0], &info), ==, SPAPR_MCE_QUEUED);
    g_assert_true(spapr_fwnmi_cpu_waiting(spapr, spapr->cpus[1]));
    spapr_machine_reset(spapr);
    unpretend_threaded(spapr);      /* the stale delivery work runs, does nothing */
    g_assert_cmpuint(spapr->fwnmi.count.dropped, ==, 2);
    g_assert_cmpuint(spapr->fwnmi.count.delivered, ==, 0);
    g_assert_cmphex(spapr->cpus[1]->env.nip, !=, MCE_HANDLER);
    assert_accounted(&spapr->fwnmi.count);
    bql_unlock();
    spapr_machine_destroy(spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_cond_init(&storm_changed);
    g_test_add_func("/fwnmi-state/storm/8-vcpus-1000-each-delivered-once",
                    test_storm_all_delivered_once);
    g_test_add_func("/fwnmi-state/queue/fifo-and-reset-drops", test_queue_is_fifo_and_reset_drops);
    g_test_add_func("/fwnmi-state/nested/recovered-ignored-unrecovered-panics",
                    test_nested_on_holder);
    g_test_add_func("/fwnmi-state/burst/second-before-entry-nested-first-delivered",
                    test_back_to_back_same_free_vcpu);
    g_test_add_func("/fwnmi-state/burst/second-for-queued-vcpu-nested-first-runs",
                    test_second_for_queued_vcpu_is_nested);
    g_test_add_func("/fwnmi-state/burst/injected-waits-for-ri",
                    test_injected_waits_for_ri);
    g_test_add_func("/fwnmi-state/burst/reset-drops-assigned-and-queued",
                    test_reset_drops_assigned_and_queued);
    return g_test_run();
}
