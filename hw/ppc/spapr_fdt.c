/*
 * The device tree the machine presents (built with libfdt at every reset).
 * /rtas is generated from the RTAS table, so every registered call is
 * advertised and nothing else is.
 *
 * What a paravirtualised Linux needs beyond the basics (Linux 6.1):
 * /rtas/ibm,hypertas-functions makes it run as an LPAR (probe_fw_features
 * in platforms/pseries/firmware.c), /chosen/ibm,architecture-vec-5 picks
 * the radix MMU and the XICS interrupt controller (early_check_vec5 in
 * mm/init_64.c), and the CPU properties describe a POWER9 without VMX,
 * VSX, DFP or HTM (feature_properties and ibm_pa_features in
 * kernel/prom.c): the software CPU implements none of those.
 */
#include "hw/ppc/spapr.h"

#include <libfdt.h>

#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr_fdt_check.h"
#include "hw/ppc/spapr_rtas.h"

#define SPAPR_CPU_CLOCK_HZ  1000000000U

/* POWER9 caches as QEMU describes them: 128-byte lines, 32 KiB L1 I and D. */
#define P9_CACHE_LINE       128
#define P9_L1_CACHE_SIZE    0x8000

/*
 * Hypercall sets we implement (LoPAPR 14.5.4.2, "ibm,hypertas-functions").
 * Only list a set when every call in it works: Linux switches paths on
 * them (hcall-splpar means VPA, hcall-pft means a hash page table).
 *   hcall-term      H_GET_TERM_CHAR, H_PUT_TERM_CHAR
 *   hcall-set-mode  H_SET_MODE (and FW_FEATURE_LPAR in Linux)
 */
static const char spapr_hypertas[] = "hcall-term\0hcall-set-mode";

/*
 * ibm,pa-features: current QEMU's POWER9 table (LoPAPR B.6.1.1: "length,
 * 0", then the attribute bytes), which no longer advertises what a
 * software CPU lacks: SSO (byte 4), MMR (30), SPR SO (36), copy/paste (38). Linux 6.1 reads byte 0 bit
 * 0-1 (MMU, FPU), 0 bit 3 (CTRL), 0 bit 6 (NX), 1 bit 2 (CI large pages),
 * 5 bit 0 (true LE), 22 bit 0 (HTM: left 0, no transactional memory),
 * 40 bit 0 (radix) and 64 bit 0 (DAWR1: 0).
 */
static const uint8_t p9_pa_features[2 + 66] = {
    66, 0,
    0xf6, 0x1f, 0xc7, 0xc0, 0x00, 0xf0, /*  0 -  5 */
    0x80, 0x00, 0x00, 0x00, 0x00, 0x00, /*  6 - 11 */
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, /* 12 - 17 */
    0x80, 0x00, 0x80, 0x00, 0x00, 0x00, /* 18 - 23: 22 = HTM off */
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, /* 24 - 29 */
    0x00, 0x00, 0x80, 0x00, 0xc0, 0x00, /* 30 - 35 */
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, /* 36 - 41: 40 = radix */
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, /* 42 - 47 */
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, /* 48 - 53 */
    0x80, 0x00, 0x80, 0x00, 0x80, 0x00, /* 54 - 59 */
    0x80, 0x00, 0x80, 0x00, 0x00, 0x00, /* 60 - 65 */
};

/*
 * ibm,processor-radix-AP-encodings: the page sizes radix supports, each
 * as AP (top 3 bits) | log2(size): 4K (AP 0), 64K (5), 2M (1), 1G (2).
 */
static const uint32_t p9_radix_ap[] = {
    0x0000000c, 0xa0000010, 0x20000015, 0x4000001e,
};


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

static void fdt_prop_u32_array(void *fdt, const char *name, const uint32_t *v, size_t n)
{
    g_autofree fdt32_t *cells = g_new(fdt32_t, n);
    for (size_t i = 0; i < n; i++) {
        cells[i] = cpu_to_fdt32(v[i]);
    }
    FDT_CHECK(fdt_property(fdt, name, cells, (int)(n * sizeof(*cells))));
}

uint32_t spapr_fdt_size(int smp_cpus, size_t cmdline_len)
{
    uint64_t size = SPAPR_FDT_BASE_SIZE + (uint64_t)smp_cpus * SPAPR_FDT_CPU_SIZE +
                    MIN(cmdline_len, (size_t)SPAPR_CMDLINE_MAX) + 1;
    return (uint32_t)((size + GUEST_PAGE_SIZE - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1));
}

/*
 * What SLOF needs to boot -kernel (QEMU's spapr_dt_chosen): qemu,boot-kernel
 * = <load address, size> as two 64-bit cells (SLOF's check-boot-from-ram
 * then enters it with the client interface), qemu,boot-kernel-le for a
 * little-endian image, and the initrd as 32-bit cells: SLOF's call-client
 * reads them with decode-int to pass the initrd to prom_init in r3/r4.
 */
static void spapr_dt_chosen_firmware_boot(SpaprMachineState *spapr, void *fdt)
{
    fdt_prop_u64_pair(fdt, "qemu,boot-kernel", spapr->kernel_load,
                      spapr->kernel_end - spapr->kernel_load);
    if (spapr->kernel_le) {
        FDT_CHECK(fdt_property(fdt, "qemu,boot-kernel-le", NULL, 0));
    }
    if (spapr->initrd_path) {
        FDT_CHECK(fdt_property_cell(fdt, "linux,initrd-start", (uint32_t)spapr->initrd_base));
        FDT_CHECK(fdt_property_cell(fdt, "linux,initrd-end",
                                    (uint32_t)(spapr->initrd_base + spapr->initrd_size)));
    }
}

static void spapr_dt_chosen(SpaprMachineState *spapr, void *fdt)
{
    FDT_CHECK(fdt_begin_node(fdt, "chosen"));
    FDT_CHECK(fdt_property_string(fdt, "bootargs",
                                  spapr->kernel_cmdline ? spapr->kernel_cmdline : ""));
    if (spapr->firmware_boot) {
        spapr_dt_chosen_firmware_boot(spapr, fdt);
    } else if (spapr->initrd_path) {
        FDT_CHECK(fdt_property_u64(fdt, "linux,initrd-start", spapr->initrd_base));
        FDT_CHECK(fdt_property_u64(fdt, "linux,initrd-end",
                                   spapr->initrd_base + spapr->initrd_size));
    }
    spapr_dt_cas_chosen(spapr, fdt);
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
        FDT_CHECK(fdt_property_cell(fdt, "cpu-version", spapr->pvr));
        FDT_CHECK(fdt_property_cell(fdt, "timebase-frequency", TIMEBASE_FREQ));
        FDT_CHECK(fdt_property_cell(fdt, "clock-frequency", SPAPR_CPU_CLOCK_HZ));
        FDT_CHECK(fdt_property(fdt, "64-bit", NULL, 0));
        /* One thread per core; the second cell is the default global
         * interrupt server (xics_update_irq_servers), 0 as in QEMU. */
        fdt_prop_u32_array(fdt, "ibm,ppc-interrupt-gserver#s",
                           (const uint32_t[]){ (uint32_t)i, 0 }, 2);
        FDT_CHECK(fdt_property_cell(fdt, "d-cache-block-size", P9_CACHE_LINE));
        FDT_CHECK(fdt_property_cell(fdt, "d-cache-line-size", P9_CACHE_LINE));
        FDT_CHECK(fdt_property_cell(fdt, "i-cache-block-size", P9_CACHE_LINE));
        FDT_CHECK(fdt_property_cell(fdt, "i-cache-line-size", P9_CACHE_LINE));
        FDT_CHECK(fdt_property_cell(fdt, "d-cache-size", P9_L1_CACHE_SIZE));
        FDT_CHECK(fdt_property_cell(fdt, "i-cache-size", P9_L1_CACHE_SIZE));
        FDT_CHECK(fdt_property(fdt, "ibm,pa-features", p9_pa_features,
                               sizeof(p9_pa_features)));
        fdt_prop_u32_array(fdt, "ibm,processor-radix-AP-encodings", p9_radix_ap,
                           G_N_ELEMENTS(p9_radix_ap));
        /* No ibm,vmx, altivec or ibm,dfp: they would turn on CPU_FTR_ALTIVEC,
         * VSX and DFP in Linux, and the software CPU has none of them. */
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
    FDT_CHECK(fdt_property(fdt, "ibm,hypertas-functions", spapr_hypertas,
                           sizeof(spapr_hypertas)));
    /* ibm,os-term returns (the machine goes to guest-panicked), so Linux
     * may call it from panic (rtas_os_term). Empty, as QEMU's: Linux 6.1
     * tests only that it exists (of_property_read_bool). */
    FDT_CHECK(fdt_property(fdt, "ibm,extended-os-term", NULL, 0));
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
    spapr_dt_nvram(spapr, fdt);
    FDT_CHECK(fdt_end_node(fdt));
}

void *spapr_build_fdt(SpaprMachineState *spapr)
{
    void *fdt = g_malloc0(spapr->fdt_size);

    FDT_CHECK(fdt_create(fdt, (int)spapr->fdt_size));
    /* Keep the device tree and the RTAS area out of the OS's allocator.
     * Boot firmware (SLOF's fdt-claim-reserve) claims the tree itself and
     * then each entry, so for it the entry must not cover the tree. */
    if (spapr->bios_path) {
        FDT_CHECK(fdt_add_reservemap_entry(fdt, spapr->rtas_base, spapr->rtas_size));
    } else {
        FDT_CHECK(fdt_add_reservemap_entry(fdt, spapr->fdt_addr,
                                           spapr->rtas_base + spapr->rtas_size -
                                           spapr->fdt_addr));
    }
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
