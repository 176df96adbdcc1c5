/* Machine events: see include/system/events.h. Listeners are added at
 * start-up before any thread runs; the list is read-only afterwards. */
#include "system/events.h"

#include <glib.h>

typedef struct Listener {
    VMEventListener fn;
    void *opaque;
} Listener;

static GArray *listeners;

void vm_event_add_listener(VMEventListener fn, void *opaque)
{
    if (!listeners) {
        listeners = g_array_new(FALSE, FALSE, sizeof(Listener));
    }
    Listener l = { fn, opaque };
    g_array_append_val(listeners, l);
}

void vm_event_emit(SpaprMachineState *spapr, const char *name, const char *data_json)
{
    for (guint i = 0; listeners && i < listeners->len; i++) {
        Listener *l = &g_array_index(listeners, Listener, i);
        l->fn(name, data_json, l->opaque);
    }
}

bool vm_event_has_listeners(void)
{
    return listeners && listeners->len > 0;
}
