/*
 * Machine run state (include/hw/ppc/spapr.h): every change is broadcast on
 * spapr->runstate_changed and kicks the vCPUs so they re-check whether
 * they may run. BQL held throughout.
 */
#include "hw/ppc/spapr.h"
#include "qemu/cutils.h"
#include "system/bql.h"
#include "system/cpus.h"
#include "system/trace.h"
#include "system/events.h"

const char *runstate_name(RunState state)
{
    static const char *const names[] = {
        [RUN_STATE_PRELAUNCH] = "prelaunch",
        [RUN_STATE_RUNNING] = "running",
        [RUN_STATE_PAUSED] = "paused",
        [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
        [RUN_STATE_SHUTDOWN] = "shutdown",
        [RUN_STATE_PRECONFIG] = "preconfig",
        [RUN_STATE_INMIGRATE] = "inmigrate",
        [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
        [RUN_STATE_POSTMIGRATE] = "postmigrate",
    };
    return state < G_N_ELEMENTS(names) ? names[state] : "unknown";
}

/* vCPUs re-check whether they may run; the main loop re-checks its work. */
static void notify_all(SpaprMachineState *spapr)
{
    cpus_kick_all(spapr);
    g_cond_broadcast(&spapr->runstate_changed);
}

void runstate_set(SpaprMachineState *spapr, RunState state)
{
    RunState old = spapr->runstate;
    if (old == state) {
        return;
    }
    spapr->runstate = state;
    notify_all(spapr);
    if (state == RUN_STATE_RUNNING) {
        vm_event_emit(spapr, "RESUME", NULL);
    } else if (old == RUN_STATE_RUNNING) {
        vm_event_emit(spapr, "STOP", NULL);
    }
}

bool runstate_is_running(SpaprMachineState *spapr)
{
    return spapr->runstate == RUN_STATE_RUNNING;
}

void spapr_request_shutdown(SpaprMachineState *spapr, int exit_code)
{
    if (spapr->runstate == RUN_STATE_SHUTDOWN) {
        return;
    }
    spapr->exit_code = exit_code;
    runstate_set(spapr, RUN_STATE_SHUTDOWN);
    vm_event_emit(spapr, "SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
}

void spapr_request_quit(SpaprMachineState *spapr)
{
    spapr->quit_requested = true;
    notify_all(spapr);
}

void spapr_request_reset(SpaprMachineState *spapr)
{
    spapr->reset_requested = true;
    notify_all(spapr);
}

void spapr_guest_panicked(SpaprMachineState *spapr, const char *reason)
{
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED) {
        return;
    }
    error_report("guest panicked: %s", reason);
    spapr->exit_code = 1;
    runstate_set(spapr, RUN_STATE_GUEST_PANICKED);
    /* The reason may carry any guest bytes (ibm,os-term): JSON-escape it. */
    g_autofree char *quoted = qemu_json_quote(reason);
    /* The machine-check records that killed it, when they did. */
    g_autofree char *records = spapr_fwnmi_journal_panic(spapr, reason);
    g_autofree char *data = g_strdup_printf(
        "{\"action\": \"%s\", \"info\": {\"type\": \"pseries\", \"reason\": %s%s%s}}",
        spapr->exit_on_panic ? "poweroff" : "pause", quoted,
        records ? ", \"fwnmi-records\": " : "", records ? records : "");
    vm_event_emit(spapr, "GUEST_PANICKED", data);
    if (spapr->exit_on_panic) {
        spapr_request_quit(spapr);
    }
}
