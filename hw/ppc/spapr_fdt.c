/*
 * The device tree the machine presents (built with libfdt at every reset).
 * /rtas is generated from the RTAS table, so every registered call is
 * advertised and nothing else is.
 */
#include "hw/ppc/spapr.h"

#include <libfdt.h>

#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr_rtas.h"

#define SPAPR_CPU_CLOCK_HZ  1000000000U

/* Every libfdt call in tree construction goes through this: the tree has a
 * fixed maximum size that the inputs cannot exceed, so failure is our bug. */
#define FDT_CHECK(call)                                                   \
    do {                                                                  \
        int fdt_ret_ = (call);                                            \
        if (fdt_ret_ < 0) {                                               \
            g_error("%s: %s", #call, fdt_strerror(fdt_ret_));             \
        }                                                                 \
    } while (0)

static void fdt_prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
    uint64_t cells[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
    FDT_CHECK(fdt_property(fdt, name, cells, sizeof(cells)));
}

static void spapr_dt_root_props(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_property_string(fdt, "compatible", "qemu,pseries"));
    FDT_CHECK(fdt_property_string(fdt, "model", "IBM pSeries (emulated by fwnmi-vmm)"));
    FDT_CHECK(fdt_property_string(fdt, "device_type", "chrp"));
    FDT_CHECK(fdt_property_cell(fdt, "#address-cells", 2));
    FDT_CHECK(fdt_property_cell(fdt, "#size-cells", 2));
}

static void spapr_dt_chosen(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "chosen"));
    FDT_CHECK(fdt_property_string(fdt, "bootargs",
                                  spapr->kernel_cmdline ? spapr->kernel_cmdline : ""));
    g_autofree char *stdout_path = g_strdup_printf("/vdevice/vty@%x", SPAPR_VTY_REG);
    FDT_CHECK(fdt_property_string(fdt, "linux,stdout-path", stdout_path));
    FDT_CHECK(fdt_property_string(fdt, "stdout-path", stdout_path));
    FDT_CHECK(fdt_end_node(fdt));
}

static void spapr_dt_memory(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "memory@0"));
    FDT_CHECK(fdt_property_string(fdt, "device_type", "memory"));
    fdt_prop_u64_pair(fdt, "reg", 0, spapr->ram_size);
    FDT_CHECK(fdt_end_node(fdt));
}

static void spapr_dt_cpus(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "cpus"));
    FDT_CHECK(fdt_property_cell(fdt, "#address-cells", 1));
    FDT_CHECK(fdt_property_cell(fdt, "#size-cells", 0));
    for (int i = 0; i < spapr->smp_cpus; i++) {
        g_autofree char *name = g_strdup_printf("PowerPC,POWER9@%x", i);
        FDT_CHECK(fdt_begin_node(fdt, name));
        FDT_CHECK(fdt_property_string(fdt, "device_type", "cpu"));
        FDT_CHECK(fdt_property_cell(fdt, "reg", (uint32_t)i));
        FDT_CHECK(fdt_property_cell(fdt, "ibm,ppc-interrupt-server#s", (uint32_t)i));
        FDT_CHECK(fdt_property_cell(fdt, "cpu-version", PVR_POWER9));
        FDT_CHECK(fdt_property_cell(fdt, "timebase-frequency", TIMEBASE_FREQ));
        FDT_CHECK(fdt_property_cell(fdt, "clock-frequency", SPAPR_CPU_CLOCK_HZ));
        FDT_CHECK(fdt_property(fdt, "64-bit", NULL, 0));
        FDT_CHECK(fdt_end_node(fdt));
    }
    FDT_CHECK(fdt_end_node(fdt));
}

static void spapr_dt_rtas_token(const char *name, uint32_t token, void *fdt)
{
    FDT_CHECK(fdt_property_cell(fdt, name, token));
}

static void spapr_dt_rtas(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "rtas"));
    FDT_CHECK(fdt_property_string(fdt, "name", "rtas"));
    FDT_CHECK(fdt_property_cell(fdt, "linux,rtas-base", (uint32_t)spapr->rtas_base));
    FDT_CHECK(fdt_property_cell(fdt, "linux,rtas-entry", (uint32_t)spapr->rtas_base));
    FDT_CHECK(fdt_property_cell(fdt, "rtas-size", spapr->rtas_size));
    FDT_CHECK(fdt_property_cell(fdt, "rtas-error-log-max", RTAS_ERROR_LOG_MAX));
    FDT_CHECK(fdt_property_cell(fdt, "rtas-event-scan-rate", 1));
    spapr_rtas_foreach(spapr_dt_rtas_token, fdt);
    FDT_CHECK(fdt_end_node(fdt));
}

static void spapr_dt_vdevice(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "vdevice"));
    FDT_CHECK(fdt_property_string(fdt, "device_type", "vdevice"));
    FDT_CHECK(fdt_property_string(fdt, "compatible", "IBM,vdevice"));
    FDT_CHECK(fdt_property_cell(fdt, "#address-cells", 1));
    FDT_CHECK(fdt_property_cell(fdt, "#size-cells", 0));
    g_autofree char *vty = g_strdup_printf("vty@%x", SPAPR_VTY_REG);
    FDT_CHECK(fdt_begin_node(fdt, vty));
    FDT_CHECK(fdt_property_string(fdt, "device_type", "serial"));
    FDT_CHECK(fdt_property_string(fdt, "compatible", "hvterm1"));
    FDT_CHECK(fdt_property_cell(fdt, "reg", SPAPR_VTY_REG));
    FDT_CHECK(fdt_end_node(fdt));
    FDT_CHECK(fdt_end_node(fdt));
}

void *spapr_build_fdt(SpaprMachineState *spapr)
{
    void *fdt = g_malloc0(SPAPR_FDT_MAX_SIZE);

    FDT_CHECK(fdt_create(fdt, SPAPR_FDT_MAX_SIZE));
    /* Keep the device tree and the RTAS area out of the OS's allocator. */
    FDT_CHECK(fdt_add_reservemap_entry(fdt, spapr->fdt_addr,
                                       spapr->rtas_base + spapr->rtas_size -
                                       spapr->fdt_addr));
    FDT_CHECK(fdt_finish_reservemap(fdt));
    FDT_CHECK(fdt_begin_node(fdt, ""));
    spapr_dt_root_props(spapr, fdt);
    spapr_dt_chosen(spapr, fdt);
    spapr_dt_memory(spapr, fdt);
    spapr_dt_cpus(spapr, fdt);
    spapr_dt_rtas(spapr, fdt);
    spapr_dt_vdevice(spapr, fdt);
    spapr_dt_xics(spapr, fdt);
    FDT_CHECK(fdt_end_node(fdt));
    FDT_CHECK(fdt_finish(fdt));
    return fdt;
}
