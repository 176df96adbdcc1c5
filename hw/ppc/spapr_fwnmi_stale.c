/*
 * FWNMI stale-registration guard: see include/hw/ppc/spapr_fwnmi_stale.h
 * for the mechanism and why it was chosen. Everything here runs with the
 * BQL held (RTAS calls, machine-check requests, system-reset work).
 */
#include "hw/ppc/spapr_fwnmi_stale.h"

#include <stdio.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "system/trace.h"

uint32_t spapr_fwnmi_words_changed(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    uint32_t changed = 0;

    for (uint32_t off = 0; off + 4 <= len; off += 4) {
        changed += memcmp(a + off, b + off, 4) != 0;
    }
    return changed;
}

bool spapr_fwnmi_window_stale(uint32_t changed, uint32_t words)
{
    return words > 0 && 2 * changed >= words;
}

static uint32_t guard_window_len(SpaprMachineState *spapr, uint64_t addr)
{
    /* Registration checked addr < RMA <= RAM; clip the window to RAM. */
    uint64_t len = MIN((uint64_t)FWNMI_GUARD_WINDOW, spapr->ram_size - addr);
    return (uint32_t)len & ~3u;
}

void spapr_fwnmi_guard_note(SpaprMachineState *spapr, uint64_t sreset, uint64_t mce)
{
    SpaprFwnmiGuard *g = &spapr->fwnmi.guard;
    const uint64_t addr[FWNMI_GUARD_N] = { [FWNMI_GUARD_SRESET] = sreset,
                                          [FWNMI_GUARD_MCE] = mce };

    memset(g, 0, offsetof(SpaprFwnmiGuard, stale_drops));
    for (int i = 0; i < FWNMI_GUARD_N; i++) {
        g->snap_len[i] = guard_window_len(spapr, addr[i]);
        if (guest_read(&spapr->ram, addr[i], g->snap[i], g->snap_len[i]) < 0) {
            g->snap_len[i] = 0;     /* not reachable: addresses were validated */
        }
    }
}

bool spapr_fwnmi_guard_check(SpaprMachineState *spapr, const char *event)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    SpaprFwnmiGuard *g = &f->guard;
    const uint64_t addr[FWNMI_GUARD_N] = { [FWNMI_GUARD_SRESET] = f->sreset_addr,
                                          [FWNMI_GUARD_MCE] = f->mce_addr };
    static const char *const names[FWNMI_GUARD_N] = {
        [FWNMI_GUARD_SRESET] = "system-reset", [FWNMI_GUARD_MCE] = "machine-check",
    };
    uint8_t now[FWNMI_GUARD_WINDOW];

    /* A vCPU inside its handler (or machine checks queued behind it)
     * means the kernel that registered is alive and handling one: its
     * interlock and the queue must keep working, so nothing is dropped. */
    if (f->interlock_holder != FWNMI_HOLDER_NONE || !g_queue_is_empty(&f->pending)) {
        return false;
    }
    /* The handler about to be entered first, then the other one. */
    int first = strcmp(event, "system-reset") ? FWNMI_GUARD_MCE : FWNMI_GUARD_SRESET;
    for (int n = 0; n < FWNMI_GUARD_N; n++) {
        int i = (first + n) % FWNMI_GUARD_N;
        uint32_t len = g->snap_len[i];
        if (addr[i] == FWNMI_ADDR_NONE || len == 0 ||
            guest_read(&spapr->ram, addr[i], now, len) < 0) {
            continue;
        }
        uint32_t changed = spapr_fwnmi_words_changed(g->snap[i], now, len);
        if (!spapr_fwnmi_window_stale(changed, len / 4)) {
            continue;
        }
        g->stale = true;
        g->stale_handler = addr[i];
        g->stale_changed = changed;
        g->stale_words = len / 4;
        g->stale_event = event;
        g->stale_drops++;
        snprintf(g->reason, sizeof(g->reason),
                 "%s handler at 0x%" G_GINT64_MODIFIER "x was overwritten "
                 "(%u of its first %u instruction words changed since "
                 "ibm,nmi-register)", names[i], addr[i], changed, len / 4);
        warn_report_ratelimited("FWNMI: stale registration dropped at a %s: %s; "
                                "delivering to the architected vector", event, g->reason);
        trace_event("fwnmi", "stale registration dropped at %s: %s", event, g->reason);
        f->sreset_addr = FWNMI_ADDR_NONE;
        f->mce_addr = FWNMI_ADDR_NONE;
        memset(g->snap_len, 0, sizeof(g->snap_len));
        return true;
    }
    return false;
}

void spapr_fwnmi_guard_kernel_start(SpaprMachineState *spapr, const char *what)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    SpaprFwnmiGuard *g = &f->guard;

    if (f->mce_addr == FWNMI_ADDR_NONE && f->sreset_addr == FWNMI_ADDR_NONE) {
        return;
    }
    if (f->interlock_holder != FWNMI_HOLDER_NONE || !g_queue_is_empty(&f->pending)) {
        return;
    }
    g->stale = true;
    g->stale_handler = f->mce_addr;
    g->stale_changed = 0;
    g->stale_words = 0;
    g->stale_event = what;
    g->stale_drops++;
    snprintf(g->reason, sizeof(g->reason),
             "a new kernel is starting (%s after ibm,nmi-register): the handlers at "
             "0x%" G_GINT64_MODIFIER "x/0x%" G_GINT64_MODIFIER "x belong to the old one",
             what, f->sreset_addr, f->mce_addr);
    warn_report_ratelimited("FWNMI: stale registration dropped: %s", g->reason);
    trace_event("fwnmi", "stale registration dropped: %s", g->reason);
    f->sreset_addr = FWNMI_ADDR_NONE;
    f->mce_addr = FWNMI_ADDR_NONE;
    memset(g->snap_len, 0, sizeof(g->snap_len));
}
