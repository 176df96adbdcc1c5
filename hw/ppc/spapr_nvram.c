/*
 * The NVRAM (LoPAPR 7.3.6: nvram-fetch, nvram-store) backed by memory, as
 * QEMU's spapr-nvram without a drive: SPAPR_NVRAM_SIZE bytes, zero when
 * the machine is created, kept across resets, lost at exit. Node
 * /vdevice/nvram@71000001 (compatible "qemu,spapr-nvram", #bytes).
 * SLOF refuses to boot without it; Linux keeps its oops/rtas-log
 * partitions in it. Guarded by the BQL (RTAS runs with it).
 */
#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_fdt_check.h"
#include "hw/ppc/spapr_rtas.h"
#include "target/ppc/interp.h"

/* args: offset, buffer (real address), length; rets: status, length done */
static void rtas_nvram_access(SpaprMachineState *spapr, SpaprRtasCall *call, bool store)
{
    if (!spapr_rtas_check_args(call, 3, 2)) {
        return;
    }
    uint32_t off = call->args[0], buf = call->args[1], len = call->args[2];
    call->rets[1] = 0;
    if (!spapr->nvram || off > SPAPR_NVRAM_SIZE || len > SPAPR_NVRAM_SIZE - off ||
        !guest_range_valid(&spapr->ram, buf, len)) {
        call->rets[0] = RTAS_OUT_PARAM_ERROR;
        return;
    }
    if (store) {
        guest_read(&spapr->ram, buf, spapr->nvram + off, len);
    } else {
        guest_write(&spapr->ram, buf, spapr->nvram + off, len);
        ppc_interp_invalidate(buf, len);
    }
    call->rets[0] = RTAS_OUT_SUCCESS;
    call->rets[1] = len;
}

static void rtas_nvram_fetch(SpaprMachineState *spapr, PowerPCCPU *cpu, SpaprRtasCall *call)
{
    rtas_nvram_access(spapr, call, false);
}

static void rtas_nvram_store(SpaprMachineState *spapr, PowerPCCPU *cpu, SpaprRtasCall *call)
{
    rtas_nvram_access(spapr, call, true);
}

void spapr_nvram_register_rtas(void)
{
    spapr_rtas_register(RTAS_NVRAM_FETCH, "nvram-fetch", rtas_nvram_fetch);
    spapr_rtas_register(RTAS_NVRAM_STORE, "nvram-store", rtas_nvram_store);
}

void spapr_dt_nvram(SpaprMachineState *spapr, void *fdt)
{
    g_autofree char *name = g_strdup_printf("nvram@%x", SPAPR_NVRAM_REG);
    FDT_CHECK(fdt_begin_node(fdt, name));
    FDT_CHECK(fdt_property_string(fdt, "name", "nvram"));
    FDT_CHECK(fdt_property_string(fdt, "device_type", "nvram"));
    FDT_CHECK(fdt_property_string(fdt, "compatible", "qemu,spapr-nvram"));
    FDT_CHECK(fdt_property_cell(fdt, "reg", SPAPR_NVRAM_REG));
    FDT_CHECK(fdt_property_cell(fdt, "#bytes", SPAPR_NVRAM_SIZE));
    FDT_CHECK(fdt_end_node(fdt));
}
