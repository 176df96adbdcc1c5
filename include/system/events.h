/*
 * Machine events for the monitor (QMP asynchronous events). The machine
 * emits them with the BQL held; listeners registered by the monitor are
 * called synchronously and must not block.
 */
#ifndef SYSTEM_EVENTS_H
#define SYSTEM_EVENTS_H

#include <stdbool.h>

typedef struct SpaprMachineState SpaprMachineState;

/** A listener gets the event name and its "data" member as JSON text (or NULL). */
typedef void (*VMEventListener)(const char *name, const char *data_json, void *opaque);

void vm_event_add_listener(VMEventListener fn, void *opaque);
void vm_event_emit(SpaprMachineState *spapr, const char *name, const char *data_json);
/** vm_event_has_listeners: false when emitting would reach nobody (skip formatting). */
bool vm_event_has_listeners(void);

#endif
