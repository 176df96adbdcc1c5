/*
 * pseries capabilities (-machine pseries,cap-NAME=on|off), table driven
 * so a new capability is one line. Only the ones this machine implements
 * are accepted; anything else is an error rather than silently ignored.
 */
#include <errno.h>
#include <string.h>

#include "system/options.h"

typedef struct SpaprCapInfo {
    const char *name;
    const char *description;
    size_t offset;              /* bool inside SpaprCaps */
    bool default_value;
} SpaprCapInfo;

static const SpaprCapInfo spapr_caps_table[] = {
    { "cap-fwnmi", "Implements PAPR FWNMI option",
      offsetof(SpaprCaps, fwnmi), true },
};

SpaprCaps spapr_caps_default(void)
{
    SpaprCaps caps;
    for (size_t i = 0; i < G_N_ELEMENTS(spapr_caps_table); i++) {
        *(bool *)((char *)&caps + spapr_caps_table[i].offset) =
            spapr_caps_table[i].default_value;
    }
    return caps;
}

static int parse_on_off(const char *value, bool *out)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true")) {
        *out = true;
    } else if (!strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false")) {
        *out = false;
    } else {
        return -EINVAL;
    }
    return 0;
}

int spapr_caps_set(SpaprCaps *caps, const char *name, const char *value, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(spapr_caps_table); i++) {
        const SpaprCapInfo *cap = &spapr_caps_table[i];
        if (strcmp(cap->name, name) != 0) {
            continue;
        }
        if (!value || parse_on_off(value, (bool *)((char *)caps + cap->offset)) < 0) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "-machine %s=%s: Parameter '%s' expects 'on' or 'off'",
                        name, value ? value : "", name);
            return -EINVAL;
        }
        return 0;
    }
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "-machine %s: Property 'pseries.%s' not found", name, name);
    return -EINVAL;
}
