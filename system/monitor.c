/* Monitor endpoints: placeholder until QMP/HMP land (issue 5). */
#include "system/monitor.h"

int monitor_init_all(SpaprMachineState *spapr, const VMOptions *opts, GError **error)
{
    if (opts->qmp->len || opts->monitor.kind != CHAR_NONE) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-qmp/-monitor: not supported yet");
        return -1;
    }
    return 0;
}

void monitor_start_all(SpaprMachineState *spapr)
{
}

bool monitor_attached(void)
{
    return false;
}
