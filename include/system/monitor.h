/*
 * Monitors: QMP (JSON, json-glib) and HMP (human commands) endpoints.
 */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include <stdbool.h>
#include <glib.h>

#include "system/options.h"

typedef struct SpaprMachineState SpaprMachineState;

/** monitor_init_all: open every -qmp / -monitor endpoint. 0 or -1 with @error. */
int monitor_init_all(SpaprMachineState *spapr, const VMOptions *opts, GError **error);
/** monitor_start_all: start serving them (threads). */
void monitor_start_all(SpaprMachineState *spapr);
/** monitor_attached: true when any monitor endpoint exists. */
bool monitor_attached(void);

#endif
