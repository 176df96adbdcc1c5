/*
 * FWNMI state as a first-class migration section (include/migration/vmstate.h):
 * registration, the interlock holder and its machine check, whether its
 * handler was entered or it waits for MSR[RI]=1, the queue of waiting
 * machine checks in arrival order with their full information, sequence
 * number, log id and counters, and the stale-registration guard (the
 * snapshots of the handlers taken at ibm,nmi-register, the last drop):
 * without it a destination would deliver to a handler a kexec'd kernel
 * has overwritten. Design principle 7: pending error state is guest state
 * and travels with the VM.
 */
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_fwnmi.h"
#include "migration/vmstate.h"

static void put_request(MigBuf *b, const SpaprMceRequest *r)
{
    const SpaprMceInfo *i = &r->info;

    mig_put_u32(b, (uint32_t)r->cpu_index);
    mig_put_u64(b, r->seq);
    mig_put_u64(b, i->srr1);
    mig_put_u32(b, i->dsisr);
    mig_put_u64(b, i->dar);
    mig_put_u64(b, i->nip);
    mig_put_u64(b, i->ra);
    mig_put_u8(b, (uint8_t)(i->recovered | i->ea_known << 1 | i->ra_known << 2 |
                            i->synchronous << 3));
}

static void get_request(MigCursor *c, SpaprMceRequest *r)
{
    SpaprMceInfo *i = &r->info;

    r->cpu_index = (int)mig_get_u32(c);
    r->seq = mig_get_u64(c);
    i->srr1 = mig_get_u64(c);
    i->dsisr = mig_get_u32(c);
    i->dar = mig_get_u64(c);
    i->nip = mig_get_u64(c);
    i->ra = mig_get_u64(c);
    uint8_t fl = mig_get_u8(c);
    i->recovered = fl & 1;
    i->ea_known = fl & 2;
    i->ra_known = fl & 4;
    i->synchronous = fl & 8;
}

#define COUNTERS(X) X(requests) X(delivered) X(legacy) X(queued) X(nested) \
    X(ignored) X(interlocks) X(sresets) X(dropped) X(deferred) X(unrecoverable) X(stale)

/* SpaprFwnmiGuard.stale_event is one of these static strings (or NULL). */
static const char *const guard_events[] = {
    NULL, "machine-check", "system-reset", "H_REGISTER_PROC_TBL",
};

static void put_guard(MigBuf *b, const SpaprFwnmiGuard *g)
{
    uint8_t ev = 0;

    for (uint8_t i = 1; i < G_N_ELEMENTS(guard_events); i++) {
        if (g->stale_event && !strcmp(g->stale_event, guard_events[i])) {
            ev = i;
        }
    }
    for (int i = 0; i < FWNMI_GUARD_N; i++) {
        mig_put_blob(b, g->snap[i], g->snap_len[i]);
    }
    mig_put_u8(b, g->stale);
    mig_put_blob(b, g->reason, (uint32_t)strnlen(g->reason, sizeof(g->reason) - 1));
    mig_put_u64(b, g->stale_handler);
    mig_put_u32(b, g->stale_changed);
    mig_put_u32(b, g->stale_words);
    mig_put_u8(b, ev);
    mig_put_u64(b, g->stale_drops);
}

static bool get_guard(MigCursor *c, SpaprFwnmiGuard *g)
{
    bool ok = true;

    for (int i = 0; i < FWNMI_GUARD_N; i++) {
        uint32_t len = mig_get_u32(c);
        ok &= len <= FWNMI_GUARD_WINDOW && len % 4 == 0;
        g->snap_len[i] = ok ? len : 0;
        mig_get_bytes(c, g->snap[i], g->snap_len[i]);
    }
    g->stale = mig_get_u8(c) != 0;
    uint32_t rlen = mig_get_u32(c);
    ok &= rlen < sizeof(g->reason);
    mig_get_bytes(c, g->reason, ok ? rlen : 0);
    g->stale_handler = mig_get_u64(c);
    g->stale_changed = mig_get_u32(c);
    g->stale_words = mig_get_u32(c);
    uint8_t ev = mig_get_u8(c);
    ok &= ev < G_N_ELEMENTS(guard_events) && (ev != 0) == g->stale &&
          g->stale_changed <= g->stale_words && g->stale_words <= FWNMI_GUARD_WORDS;
    g->stale_event = ok ? guard_events[ev] : NULL;
    g->stale_drops = mig_get_u64(c);
    return ok;
}

void spapr_fwnmi_vmstate_save(SpaprMachineState *spapr, MigBuf *b)
{
    SpaprFwnmiState *f = &spapr->fwnmi;

    mig_put_u64(b, f->sreset_addr);
    mig_put_u64(b, f->mce_addr);
    mig_put_u32(b, (uint32_t)f->interlock_holder);
    mig_put_u8(b, f->holder_entered);
    mig_put_u8(b, f->deferred != NULL);
    put_request(b, &f->holder_req);
    mig_put_u64(b, f->next_seq);
    mig_put_u32(b, f->next_plid);
#define PUT(n) mig_put_u64(b, f->count.n);
    COUNTERS(PUT)
#undef PUT
    mig_put_u32(b, g_queue_get_length(&f->pending));
    for (GList *l = f->pending.head; l; l = l->next) {
        put_request(b, l->data);
    }
    put_guard(b, &f->guard);
}

static bool handler_ok(SpaprMachineState *spapr, uint64_t a)
{
    return a == FWNMI_ADDR_NONE ||
           (a < FWNMI_HANDLER_LIMIT && a < spapr->rma_size && (a & 3) == 0);
}

static bool cpu_ok(SpaprMachineState *spapr, int index)
{
    return index >= 0 && index < spapr->smp_cpus;
}

int spapr_fwnmi_vmstate_load(SpaprMachineState *spapr, MigCursor *c, GError **error)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    SpaprFwnmiState n = { 0 };
    bool deferred;
    uint64_t seen = 0;

    n.sreset_addr = mig_get_u64(c);
    n.mce_addr = mig_get_u64(c);
    n.interlock_holder = (int)mig_get_u32(c);
    n.holder_entered = mig_get_u8(c) != 0;
    deferred = mig_get_u8(c) != 0;
    get_request(c, &n.holder_req);
    n.next_seq = mig_get_u64(c);
    n.next_plid = mig_get_u32(c);
#define GET(x) n.count.x = mig_get_u64(c);
    COUNTERS(GET)
#undef GET
    uint32_t npending = mig_get_u32(c);
    if (c->overrun || npending > (uint32_t)spapr->smp_cpus) {
        g_set_error(error, MIG_ERROR, 0, "fwnmi: truncated section or %u queued "
                    "machine checks for %d vCPUs", npending, spapr->smp_cpus);
        return -1;
    }
    if (!handler_ok(spapr, n.sreset_addr) || !handler_ok(spapr, n.mce_addr)) {
        g_set_error(error, MIG_ERROR, 0, "fwnmi: invalid handler address");
        return -1;
    }
    if (n.interlock_holder != FWNMI_HOLDER_NONE &&
        (!cpu_ok(spapr, n.interlock_holder) || n.holder_req.cpu_index != n.interlock_holder ||
         (deferred && n.holder_entered))) {
        g_set_error(error, MIG_ERROR, 0, "fwnmi: invalid interlock holder %d",
                    n.interlock_holder);
        return -1;
    }
    if (n.interlock_holder != FWNMI_HOLDER_NONE) {
        seen |= 1ULL << n.interlock_holder;
    }
    g_queue_init(&n.pending);
    for (uint32_t i = 0; i < npending; i++) {
        SpaprMceRequest *r = g_new0(SpaprMceRequest, 1);
        get_request(c, r);
        g_queue_push_tail(&n.pending, r);
        if (!cpu_ok(spapr, r->cpu_index) || (seen & (1ULL << r->cpu_index))) {
            g_set_error(error, MIG_ERROR, 0, "fwnmi: queued machine check for "
                        "invalid or already busy vCPU %d", r->cpu_index);
            g_queue_clear_full(&n.pending, g_free);
            return -1;
        }
        seen |= 1ULL << r->cpu_index;
    }
    if (!get_guard(c, &n.guard) && !c->overrun) {
        g_set_error(error, MIG_ERROR, 0, "fwnmi: invalid stale-registration guard");
        g_queue_clear_full(&n.pending, g_free);
        return -1;
    }
    if (!mig_cursor_done(c)) {
        g_set_error(error, MIG_ERROR, 0, "fwnmi: section has the wrong length");
        g_queue_clear_full(&n.pending, g_free);
        return -1;
    }
    g_queue_clear_full(&f->pending, g_free);
    n.deferred = f->deferred;       /* replaced by spapr_fwnmi_post_load() */
    *f = n;
    spapr_fwnmi_post_load(spapr, deferred);
    return 0;
}
