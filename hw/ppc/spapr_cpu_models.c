/*
 * -cpu MODEL: QEMU's ppc64 names for the server CPUs this machine models
 * (POWER8, POWER9, POWER10), with QEMU's versioned names and aliases. The
 * model sets each vCPU's PVR and the device tree's "cpu-version"; the
 * software CPU executes the same POWER9-class instruction set for all.
 */
#include <string.h>

#include "system/options.h"
#include "target/ppc/cpu.h"

typedef struct PPCCpuModel {
    const char *name;
    uint32_t pvr;
} PPCCpuModel;

static const PPCCpuModel models[] = {
    { "power8e_v2.1", 0x004b0201 },
    { "power8nvl_v1.0", 0x004c0100 },
    { "power8_v2.0", 0x004d0200 },
    { "power9_v1.0", 0x004e0100 },
    { "power9_v2.0", 0x004e1200 },
    { "power9_v2.2", PVR_POWER9 },
    { "power10_v1.0", 0x00800100 },
    { "power10_v2.0", 0x00800200 },
};

/* QEMU's aliases. "power9" is power9_v2.2, the PVR this machine always had
 * (QEMU 7.2 points it at power9_v2.0, later QEMU at power9_v2.2). */
static const struct { const char *alias, *model; } aliases[] = {
    { "power8e", "power8e_v2.1" },
    { "power8nvl", "power8nvl_v1.0" },
    { "power8", "power8_v2.0" },
    { "power9", "power9_v2.2" },
    { "power10", "power10_v2.0" },
};

bool ppc_cpu_model_lookup(const char *name, uint32_t *pvr, const char **canonical)
{
    for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++) {
        if (!g_ascii_strcasecmp(name, aliases[i].alias)) {
            name = aliases[i].model;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        if (!g_ascii_strcasecmp(name, models[i].name)) {
            *pvr = models[i].pvr;
            *canonical = models[i].name;
            return true;
        }
    }
    return false;
}

const char *ppc_cpu_model_name(uint32_t pvr)
{
    for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
        if (models[i].pvr == pvr) {
            return models[i].name;
        }
    }
    return "power9_v2.2";
}
