/*
 * FWNMI: see include/hw/ppc/spapr_fwnmi.h for the model and locking.
 *
 * LoPAPR 7.3.14 "FWNMI Option": after ibm,nmi-register the platform
 * intercepts machine checks and system resets and enters the registered
 * routines with translation off. For a machine check, R3 points to a buffer
 * in the RTAS area holding the interrupted R3 followed by an RTAS error log;
 * the buffer is held by that CPU until it calls ibm,nmi-interlock.
 */
#include "hw/ppc/spapr_fwnmi.h"

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/monitor.h"
#include "system/trace.h"
#include "target/ppc/kvm_ppc.h"

/* Reset generation: requests made before a machine reset are stale. */
struct FwnmiDelivery {
    SpaprMceRequest req;
    gsize generation;
};
typedef struct FwnmiDelivery FwnmiDelivery;

static gsize fwnmi_generation;      /* guarded by the BQL */

const char *spapr_mce_result_name(SpaprMceResult r)
{
    static const char *const names[] = {
        [SPAPR_MCE_DELIVERED] = "delivered",
        [SPAPR_MCE_LEGACY] = "legacy",
        [SPAPR_MCE_QUEUED] = "queued",
        [SPAPR_MCE_IGNORED] = "ignored",
        [SPAPR_MCE_PANICKED] = "panicked",
    };
    return r < G_N_ELEMENTS(names) ? names[r] : "unknown";
}

void spapr_fwnmi_init(SpaprFwnmiState *fwnmi)
{
    fwnmi->sreset_addr = FWNMI_ADDR_NONE;
    fwnmi->mce_addr = FWNMI_ADDR_NONE;
    fwnmi->interlock_holder = FWNMI_HOLDER_NONE;
    fwnmi->holder_entered = false;
    g_queue_init(&fwnmi->pending);
}

static void fwnmi_clear_deferred(SpaprMachineState *spapr)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    g_clear_pointer(&f->deferred, g_free);
    for (int i = 0; i < spapr->smp_cpus; i++) {
        __atomic_store_n(&spapr->cpus[i]->mce_wait_ri, 0, __ATOMIC_RELEASE);
    }
}

void spapr_fwnmi_reset(SpaprMachineState *spapr)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    /* A registration belongs to the kernel that made it: reset clears it,
     * and machine checks still waiting are dropped (LoPAPR has no way to
     * deliver them to a kernel that has not registered). */
    f->count.dropped += g_queue_get_length(&f->pending);
    if (f->interlock_holder != FWNMI_HOLDER_NONE && !f->holder_entered) {
        f->count.dropped++;     /* assigned, its delivery work now stale */
    }
    g_queue_clear_full(&f->pending, g_free);
    f->sreset_addr = FWNMI_ADDR_NONE;
    f->mce_addr = FWNMI_ADDR_NONE;
    f->interlock_holder = FWNMI_HOLDER_NONE;
    f->holder_entered = false;
    fwnmi_clear_deferred(spapr);
    fwnmi_generation++;
}

static bool fwnmi_mce_registered(SpaprMachineState *spapr)
{
    return spapr->caps.fwnmi && spapr->fwnmi.mce_addr != FWNMI_ADDR_NONE;
}

/* @cpu holds the buffer or waits for it: it has a machine check outstanding. */
static bool fwnmi_cpu_outstanding(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    if (f->interlock_holder == cpu->index) {
        return true;
    }
    for (GList *l = f->pending.head; l; l = l->next) {
        if (((SpaprMceRequest *)l->data)->cpu_index == cpu->index) {
            return true;
        }
    }
    return false;
}

/*
 * A vCPU must not run while its machine check is queued or assigned but
 * not yet entered: it is "in firmware" until then. Once its handler was
 * entered it must run, to reach ibm,nmi-interlock.
 */
bool spapr_fwnmi_cpu_waiting(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    if (f->interlock_holder == cpu->index) {
        return !f->holder_entered && !f->deferred;
    }
    return fwnmi_cpu_outstanding(spapr, cpu);
}

/* ---- delivery (runs on the target vCPU's thread, BQL held) ---- */

static uint64_t fwnmi_log_buffer(SpaprMachineState *spapr)
{
    return spapr->rtas_base + RTAS_ERROR_LOG_OFFSET;
}

static void cpu_wake_for_interrupt(PowerPCCPU *cpu)
{
    if (cpu->state == CPU_STATE_HALTED) {
        cpu->state = CPU_STATE_RUNNING;
    }
}

/*
 * A UE named only by its effective address (an injected one: DAR, or the
 * NIP for the instruction side) gets its real address too, translated as
 * the interrupted context sees the EA (MSR[IR]/[DR], PIDR, the guest's
 * radix tables; real mode: EA without the top bits). Linux takes the page
 * from the log's logical address; without it, it tries addr_to_pfn() and
 * can end in memory_failure(0), "unhandlable page". An EA that does not
 * translate is reported without a real address, as before.
 */
static void fwnmi_fill_ra(SpaprMachineState *spapr, PowerPCCPU *cpu, SpaprMceInfo *info)
{
    SpaprMceClass c = spapr_mce_classify(info);
    uint64_t ra;

    if (info->ra_known || c.error_type != MC_ERROR_TYPE_UE || !c.ea_valid) {
        return;
    }
    bool ifetch = !(info->srr1 & SRR1_MC_LOADSTORE);
    if (ppc_radix_translate_ea(cpu, &spapr->ram, c.ea, ifetch, &ra) == 0) {
        info->ra_known = true;
        info->ra = ra;
        trace_event("fwnmi", "cpu %d: EA 0x%" G_GINT64_MODIFIER "x -> RA 0x%"
                    G_GINT64_MODIFIER "x for the log", cpu->index, c.ea, ra);
    }
}

static void fwnmi_enter_mce_handler(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                    SpaprMceInfo *info)
{
    CPUPPCState *env = &cpu->env;
    SpaprFwnmiState *f = &spapr->fwnmi;
    uint64_t buf = fwnmi_log_buffer(spapr);
    uint8_t log[RTAS_ERROR_LOG_MAX];

    info->nip = env->nip;
    info->srr1 = (env->msr & ~SRR1_CAUSE_MASK) | (info->srr1 & SRR1_CAUSE_MASK);
    fwnmi_fill_ra(spapr, cpu, info);
    SpaprElogTime now = spapr_elog_time_now();
    int len = spapr_elog_build_mce(info, &now, f->next_plid++, log, sizeof(log));
    g_assert(len > 0);

    /* Buffer: [interrupted R3, big-endian][error log]. Inside RAM by
     * construction: the RTAS area is placed inside the RMA at reset. */
    guest_st_be64(&spapr->ram, buf, env->gpr[3]);
    guest_write(&spapr->ram, buf + 8, log, (uint64_t)len);
    /* On disk before the guest runs the handler (journal). */
    spapr_fwnmi_journal_mce(spapr, cpu, FWNMI_JDISP_DELIVERED, info, log, (size_t)len);

    env->srr0 = env->nip;
    env->srr1 = info->srr1;
    env->dar = info->dar;
    env->dsisr = info->dsisr;
    env->gpr[3] = buf;
    /* Real mode, machine checks enabled, endianness from LPCR[ILE]. */
    env->msr = MSR_ME | (env->msr & MSR_SF) |
               (ppc_cpu_interrupts_le(cpu) ? MSR_LE : 0);
    env->nip = f->mce_addr;
    env->reserve_addr = (uint64_t)-1;
    cpu_wake_for_interrupt(cpu);
    f->holder_entered = true;
    f->count.delivered++;
    if (spapr->x_stop_on_fwnmi && spapr->runstate == RUN_STATE_RUNNING) {
        runstate_set(spapr, RUN_STATE_PAUSED);      /* tests: stop in the handler */
    }
    trace_event("fwnmi", "cpu %d: machine check delivered to 0x%" G_GINT64_MODIFIER
                "x, r3 0x%" G_GINT64_MODIFIER "x, log %d bytes",
                cpu->index, env->nip, buf, len);
}

/*
 * MSR[RI]=0 marks the instructions where an interrupt would destroy state
 * the software still needs (SRR0/SRR1 between an interrupt's entry and
 * their save, or between their set-up and rfid): Linux declares a machine
 * check taken there unrecoverable and panics. An error the vCPU's own
 * access raised must be taken at once; one injected from outside stands
 * for an error the platform found elsewhere, whose timing is arbitrary,
 * so it is held (the vCPU keeps running) until the vCPU reaches RI=1, for
 * at most FWNMI_RI_WAIT_US, then delivered all the same. Without this,
 * bursts of injections into Linux would panic it at random.
 */
static bool fwnmi_should_defer(PowerPCCPU *cpu, const FwnmiDelivery *d)
{
    return cpu->has_thread && !d->req.info.synchronous &&
           !(cpu->env.msr & MSR_RI);
}

static void fwnmi_deliver_work(PowerPCCPU *cpu, void *opaque)
{
    g_autofree FwnmiDelivery *d = opaque;
    SpaprMachineState *spapr = cpu->machine;
    SpaprFwnmiState *f = &spapr->fwnmi;

    /* Dropped by a machine reset between assignment and delivery. */
    if (d->generation != fwnmi_generation || f->interlock_holder != cpu->index ||
        f->holder_entered) {
        return;
    }
    if (fwnmi_should_defer(cpu, d)) {
        f->deferred = g_steal_pointer(&d);
        f->deferred_deadline_us = g_get_monotonic_time() + FWNMI_RI_WAIT_US;
        f->count.deferred++;
        __atomic_store_n(&cpu->mce_wait_ri, 1, __ATOMIC_RELEASE);
        trace_event("fwnmi", "cpu %d: machine check held until MSR[RI]=1", cpu->index);
        return;
    }
    fwnmi_enter_mce_handler(spapr, cpu, &d->req.info);
}

void spapr_fwnmi_cpu_poll(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    if (!f->deferred || f->interlock_holder != cpu->index) {
        return;
    }
    bool ri = (cpu->env.msr & MSR_RI) != 0;
    if (!ri && g_get_monotonic_time() < f->deferred_deadline_us) {
        return;
    }
    g_autofree FwnmiDelivery *d = g_steal_pointer(&f->deferred);
    __atomic_store_n(&cpu->mce_wait_ri, 0, __ATOMIC_RELEASE);
    if (!ri) {
        f->count.unrecoverable++;
        warn_report_ratelimited("FWNMI: CPU %d stayed at MSR[RI]=0 for %d ms: "
                                "machine check delivered unrecoverable",
                                cpu->index, FWNMI_RI_WAIT_US / 1000);
    }
    fwnmi_enter_mce_handler(spapr, cpu, &d->req.info);
}

/* Hand the buffer to @req's vCPU; it enters the handler on its thread. */
static void fwnmi_assign(SpaprMachineState *spapr, SpaprMceRequest *req)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    PowerPCCPU *cpu = spapr_cpu_by_index(spapr, req->cpu_index);
    FwnmiDelivery *d = g_new0(FwnmiDelivery, 1);

    d->req = *req;
    d->generation = fwnmi_generation;
    f->holder_req = *req;
    f->interlock_holder = req->cpu_index;
    f->holder_entered = false;
    cpu_queue_work(cpu, fwnmi_deliver_work, d);
}

static void legacy_mce_work(PowerPCCPU *cpu, void *opaque)
{
    g_autofree FwnmiDelivery *d = opaque;
    SpaprMceInfo *info = &d->req.info;
    CPUPPCState *env = &cpu->env;

    if (d->generation != fwnmi_generation) {
        cpu->machine->fwnmi.count.dropped++;    /* reset in between */
        return;
    }
    cpu->machine->fwnmi.count.legacy++;
    spapr_fwnmi_journal_mce(cpu->machine, cpu, FWNMI_JDISP_LEGACY, info, NULL, 0);
    env->dar = info->dar;
    env->dsisr = info->dsisr;
    ppc_cpu_do_interrupt(cpu, EXCP_MACHINE_CHECK, env->nip, info->srr1);
    cpu_wake_for_interrupt(cpu);
}

static SpaprMceResult fwnmi_nested(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                   const SpaprMceInfo *info)
{
    /* LoPAPR: a second machine check on a CPU before its interlock is
     * fatal; a recovered one is only reported (as QEMU does). */
    spapr->fwnmi.count.nested++;
    spapr_fwnmi_journal_mce(spapr, cpu, info->recovered ? FWNMI_JDISP_NESTED_IGNORED
                                                        : FWNMI_JDISP_NESTED_FATAL, info, NULL, 0);
    if (info->recovered) {
        warn_report_ratelimited("FWNMI: Unable to deliver machine check to guest: nested "
                                "machine check on CPU %d. Machine check recovered.", cpu->index);
        return SPAPR_MCE_IGNORED;
    }
    error_report("FWNMI: Unable to deliver machine check to guest: nested "
                 "machine check on CPU %d.", cpu->index);
    spapr_guest_panicked(spapr, "nested machine check");
    return SPAPR_MCE_PANICKED;
}

SpaprMceResult spapr_fwnmi_mce_request(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                       const SpaprMceInfo *info)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    f->count.requests++;
    if (cpu->state == CPU_STATE_STOPPED) {
        /* A stopped vCPU runs no OS that could handle it (it sits in
         * firmware until start-cpu), so there is nobody to deliver to. */
        f->count.ignored++;
        warn_report_ratelimited("FWNMI: machine check for stopped CPU %d ignored", cpu->index);
        return SPAPR_MCE_IGNORED;
    }
    if (fwnmi_mce_registered(spapr) && spapr_fwnmi_guard_check(spapr, "machine-check")) {
        f->count.stale++;       /* then delivered the architected way */
    }
    if (!fwnmi_mce_registered(spapr)) {
        FwnmiDelivery *d = g_new0(FwnmiDelivery, 1);
        d->req.info = *info;
        d->generation = fwnmi_generation;
        cpu_queue_work(cpu, legacy_mce_work, d);
        return SPAPR_MCE_LEGACY;
    }
    /*
     * One error at a time per vCPU: a vCPU has at most one machine check
     * outstanding, from its arrival until its ibm,nmi-interlock. Another
     * one for it in that time, whether the first is still queued, being
     * delivered or being handled, is a second machine check before the
     * interlock: nested (LoPAPR; design principle 4). Queueing it instead
     * would hand the vCPU its next error the instant it interlocks, still
     * inside its handler, and a burst would nest handlers without bound.
     */
    if (fwnmi_cpu_outstanding(spapr, cpu)) {
        return fwnmi_nested(spapr, cpu, info);
    }
    SpaprMceRequest *req = g_new0(SpaprMceRequest, 1);
    req->cpu_index = cpu->index;
    req->info = *info;
    req->seq = f->next_seq++;
    if (f->interlock_holder == FWNMI_HOLDER_NONE && g_queue_is_empty(&f->pending)) {
        fwnmi_assign(spapr, req);
        g_free(req);
        return SPAPR_MCE_DELIVERED;
    }
    /* One error at a time: wait for the holder's ibm,nmi-interlock. */
    g_queue_push_tail(&f->pending, req);
    f->count.queued++;
    trace_event("fwnmi", "cpu %d: machine check queued behind cpu %d",
                cpu->index, f->interlock_holder);
    return SPAPR_MCE_QUEUED;
}

void spapr_fwnmi_release(SpaprMachineState *spapr)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    g_autofree SpaprMceRequest *next = g_queue_pop_head(&f->pending);

    f->interlock_holder = FWNMI_HOLDER_NONE;
    f->holder_entered = false;
    f->count.interlocks++;
    if (next) {
        fwnmi_assign(spapr, next);
        monitor_fwnmi_event(spapr, next->cpu_index, "fwnmi", &next->info);
    }
}

void spapr_fwnmi_post_load(SpaprMachineState *spapr, bool deferred)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    fwnmi_clear_deferred(spapr);
    fwnmi_generation++;         /* nothing queued before the load applies */
    if (f->interlock_holder == FWNMI_HOLDER_NONE || f->holder_entered) {
        return;
    }
    PowerPCCPU *cpu = spapr_cpu_by_index(spapr, f->interlock_holder);
    if (deferred) {
        FwnmiDelivery *d = g_new0(FwnmiDelivery, 1);
        d->req = f->holder_req;
        d->generation = fwnmi_generation;
        f->deferred = d;
        f->deferred_deadline_us = g_get_monotonic_time() + FWNMI_RI_WAIT_US;
        __atomic_store_n(&cpu->mce_wait_ri, 1, __ATOMIC_RELEASE);
        return;
    }
    SpaprMceRequest req = f->holder_req;
    fwnmi_assign(spapr, &req);
}

/* ---- system reset ---- */

static void sreset_work(PowerPCCPU *cpu, void *opaque)
{
    SpaprMachineState *spapr = cpu->machine;
    SpaprFwnmiState *f = &spapr->fwnmi;
    CPUPPCState *env = &cpu->env;

    if (GPOINTER_TO_SIZE(opaque) != fwnmi_generation) {
        return;     /* the machine was reset in between */
    }
    if (spapr->caps.fwnmi && f->sreset_addr != FWNMI_ADDR_NONE &&
        !spapr_fwnmi_guard_check(spapr, "system-reset")) {
        /* R3 goes to this vCPU's own slot, so resets on several vCPUs at
         * once need no interlock (LoPAPR: none for system reset). */
        uint64_t slot = spapr->rtas_base + RTAS_SRESET_SLOT_OFFSET +
                        (uint64_t)cpu->index * RTAS_SRESET_SLOT_SIZE;
        guest_st_be64(&spapr->ram, slot, env->gpr[3]);
        guest_st_be64(&spapr->ram, slot + 8, 0);
        ppc_cpu_do_interrupt(cpu, EXCP_SYSTEM_RESET, env->nip, 0);
        env->gpr[3] = slot;
        env->nip = f->sreset_addr;
        f->count.sresets++;
    } else {
        ppc_cpu_do_interrupt(cpu, EXCP_SYSTEM_RESET, env->nip, 0);
    }
    cpu_wake_for_interrupt(cpu);
}

void spapr_system_reset_cpu(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    if (cpu->state == CPU_STATE_STOPPED) {
        return;     /* in firmware until start-cpu: nothing to interrupt */
    }
    cpu_queue_work(cpu, sreset_work, GSIZE_TO_POINTER(fwnmi_generation));
}
