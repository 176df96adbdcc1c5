/*
 * Monitors: QMP (JSON, json-glib) and HMP (human commands) endpoints.
 *
 *   -qmp unix:PATH,server=on[,wait=off]   QMP on a unix socket (mode 0600),
 *                                         one client at a time, the next
 *                                         accepted when it leaves
 *   -qmp unix:PATH                        QMP as a socket client
 *   -qmp stdio                            QMP on stdin/stdout
 *   -monitor stdio                        HMP on stdin/stdout ("(qemu) ")
 *
 * Each endpoint is served by its own threads; every command runs with the
 * BQL held. Asynchronous events (STOP, RESUME, RESET, SHUTDOWN,
 * GUEST_PANICKED, FWNMI_MACHINE_CHECK) reach every QMP client that has
 * negotiated capabilities, through the machine's event bus (system/events.h).
 */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "system/options.h"

typedef struct SpaprMachineState SpaprMachineState;

/** monitor_init_all: open every -qmp / -monitor endpoint. 0 or -1 with @error. */
int monitor_init_all(SpaprMachineState *spapr, const VMOptions *opts, GError **error);
/** monitor_start_all: start serving them (threads). */
void monitor_start_all(SpaprMachineState *spapr);
/**
 * monitor_flush_all: wait until every client's queued replies and events
 * have been written (or @timeout_us passes). Called without the BQL
 * before the process exits, so SHUTDOWN and last replies are not lost.
 */
void monitor_flush_all(gint64 timeout_us);
/** monitor_attached: true when any monitor endpoint exists. */
bool monitor_attached(void);

/*
 * FWNMI_MACHINE_CHECK events. The machine reports every machine check it
 * disposes of, whatever its source (monitor, qtest, the software CPU's
 * memory path): spapr_mce_req_event() calls monitor_fwnmi_mce_result()
 * with its result. Safe without any monitor (the event bus has no
 * listener then). BQL held.
 */

/** monitor_mce_kind: the event's "kind" for @result: "fwnmi", "legacy",
 *  "queued", "nested-ignored", "nested-panic", or "ignored" (stopped vCPU). */
const char *monitor_mce_kind(SpaprMachineState *spapr, PowerPCCPU *cpu,
                             SpaprMceResult result);
/**
 * monitor_fwnmi_event: emit FWNMI_MACHINE_CHECK with data
 * {"cpu": N, "kind": KIND, "error-type": "UE"|"SLB"|..., "error-subtype":
 * "Load/Store"|..., "recovered": bool}, classified from @info's SRR1/DSISR.
 */
void monitor_fwnmi_event(SpaprMachineState *spapr, int cpu, const char *kind,
                         const SpaprMceInfo *info);
/** monitor_fwnmi_mce_result: monitor_fwnmi_event() with monitor_mce_kind(@result). */
void monitor_fwnmi_mce_result(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info, SpaprMceResult result);

/**
 * monitor_memory_error_recovered: the "recovered" disposition that
 * x-inject-memory-error gave the page holding real address @ra (true when
 * the page was not poisoned through the monitor). Consumes the record.
 * For the machine-check hook of poisoned accesses. Any thread.
 */
bool monitor_memory_error_recovered(uint64_t ra);

#endif
