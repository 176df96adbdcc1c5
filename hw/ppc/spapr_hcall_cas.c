/*
 * SLOF's device-tree exchange with the hypervisor (include/hw/ppc/spapr_cas.h):
 *
 * KVMPPC_H_CAS (0xF002): SLOF's ibm,client-architecture-support method
 * passes r4 = the client's option-vector table, r5/r6 = a buffer SLOF
 * allocated and its size. The VMM negotiates (hw/ppc/spapr_cas.c),
 * rebuilds its device tree with the answer and writes an update header
 * (a 32-bit version, 1) followed by the flattened tree into the buffer;
 * SLOF merges that tree into its own (fdt-fix-cas-node) so prom_init and
 * Linux see the negotiated /chosen/ibm,architecture-vec-5.
 *
 * KVMPPC_H_UPDATE_DT (0xF003): at quiesce SLOF flattens its tree and
 * passes r4 = its address. The VMM keeps a checked copy and takes from
 * it where Linux instantiated RTAS (/rtas/linux,rtas-base, which prom_init
 * set after calling instantiate-rtas): the FWNMI error log and the
 * system-reset save slots live in that area (spapr->rtas_base), so the
 * guest's check that r3 points into its RTAS area passes. QEMU reads the
 * same property from the same tree (spapr_get_rtas_addr).
 *
 * Both treat their arguments as a device model treats a command block:
 * every range is checked against guest RAM before it is touched, and bad
 * input is answered with H_PARAMETER and a guest-error trace. Where QEMU
 * 7.2 exits (a CAS buffer too small for the tree) this answers
 * H_PARAMETER instead. BQL held, like every hypercall.
 */
#include "hw/ppc/spapr_cas.h"

#include <errno.h>
#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "system/trace.h"
#include "target/ppc/interp.h"

/* QEMU's SpaprDeviceTreeUpdateHeader: just a version, 1. QEMU stores it
 * in host byte order; SLOF reads it big-endian and only checks >= 1, so
 * the guest-visible big-endian form is written here. */
typedef struct SpaprDtUpdateHeader {
    uint32_t version_id;        /* big-endian */
} SpaprDtUpdateHeader;
#define SPAPR_DT_UPDATE_VERSION 1

/* An H_UPDATE_DT tree may grow to twice the last tree the VMM gave the
 * firmware (QEMU's bound): SLOF adds phandles, aliases and its own nodes. */
#define UPDATE_DT_GROWTH        2

static int64_t h_client_architecture_support(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t vec = cpu->env.gpr[4] & PPC_REAL_ADDR_MASK;
    uint64_t buf = cpu->env.gpr[5] & PPC_REAL_ADDR_MASK;
    uint64_t size = cpu->env.gpr[6];
    SpaprCasState before = spapr->cas;
    uint8_t ov5[SPAPR_OV5_LEN];

    if (size < sizeof(SpaprDtUpdateHeader) || !guest_range_valid(&spapr->ram, buf, size)) {
        trace_guest_error("H_CAS: buffer 0x%" G_GINT64_MODIFIER "x (%" G_GUINT64_FORMAT
                          " bytes) is not a buffer in guest RAM", buf, size);
        return H_PARAMETER;
    }
    int ret = spapr_cas_negotiate(spapr, vec, ov5);
    if (ret < 0) {
        /* QEMU: no option vector is H_PARAMETER; a guest the machine
         * cannot serve, H_HARDWARE (its failed-PVR answer). */
        return ret == -ENOTSUP ? H_HARDWARE : H_PARAMETER;
    }
    /* The whole tree again, as QEMU's CAS (SLOF deletes the nodes it got
     * from the first tree that are missing from this one). */
    void *fdt = spapr_build_fdt(spapr);
    g_assert(fdt);      /* sized from its inputs: failure is our bug */
    g_assert(fdt_pack(fdt) == 0);
    uint32_t total = fdt_totalsize(fdt);
    if (total > size - sizeof(SpaprDtUpdateHeader)) {
        trace_guest_error("H_CAS: buffer of %" G_GUINT64_FORMAT " bytes is too small for "
                          "the header and the %u-byte device tree", size, total);
        g_free(fdt);
        spapr->cas = before;        /* nothing negotiated: the guest saw an error */
        return H_PARAMETER;
    }
    SpaprDtUpdateHeader hdr = { .version_id = GUINT32_TO_BE(SPAPR_DT_UPDATE_VERSION) };
    guest_write(&spapr->ram, buf, &hdr, sizeof(hdr));
    guest_write(&spapr->ram, buf + sizeof(hdr), fdt, total);
    ppc_interp_invalidate(buf, sizeof(hdr) + total);
    /* The copy in RAM at fdt_addr stays what the firmware started from. */
    g_free(spapr->fdt);
    spapr->fdt = fdt;
    spapr->cas.fdt_initial_size = total;
    trace_event("cas", "H_CAS: %u-byte tree written at 0x%" G_GINT64_MODIFIER "x", total, buf);
    return H_SUCCESS;
}

/* Where the guest's tree says RTAS is: 0 with *@base set, 1 when the tree
 * does not say (RTAS not instantiated), -1 when it says nonsense. */
static int update_dt_rtas_base(SpaprMachineState *spapr, const void *fdt, uint64_t *base)
{
    int node = fdt_path_offset(fdt, "/rtas"), len;
    const fdt32_t *prop = node < 0 ? NULL : fdt_getprop(fdt, node, "linux,rtas-base", &len);

    if (!prop) {
        return 1;
    }
    if (len != sizeof(*prop)) {
        trace_guest_error("H_UPDATE_DT: /rtas/linux,rtas-base has %d bytes, not 4", len);
        return -1;
    }
    *base = fdt32_to_cpu(*prop);
    if (!spapr_rtas_base_valid(spapr, *base)) {
        trace_guest_error("H_UPDATE_DT: /rtas/linux,rtas-base 0x%" G_GINT64_MODIFIER "x "
                          "leaves no room for the %u-byte RTAS area in the RMA", *base,
                          spapr->rtas_size);
        return -1;
    }
    return 0;
}

static int64_t h_update_dt(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t dt = cpu->env.gpr[4] & PPC_REAL_ADDR_MASK;
    struct fdt_header hdr;

    if (guest_read(&spapr->ram, dt, &hdr, sizeof(hdr)) < 0 ||
        fdt_magic(&hdr) != FDT_MAGIC) {
        trace_guest_error("H_UPDATE_DT: no device tree at 0x%" G_GINT64_MODIFIER "x", dt);
        return H_PARAMETER;
    }
    uint32_t total = fdt_totalsize(&hdr);
    uint64_t max = (uint64_t)spapr->cas.fdt_initial_size * UPDATE_DT_GROWTH;
    if (total < sizeof(hdr) || total > max || !guest_range_valid(&spapr->ram, dt, total)) {
        trace_guest_error("H_UPDATE_DT: tree at 0x%" G_GINT64_MODIFIER "x claims %u bytes "
                          "(at most %" G_GUINT64_FORMAT ", inside guest RAM)", dt, total, max);
        return H_PARAMETER;
    }
    g_autofree void *fdt = g_malloc(total);
    guest_read(&spapr->ram, dt, fdt, total);
    int err = fdt_check_full(fdt, total);
    if (err) {
        trace_guest_error("H_UPDATE_DT: tree at 0x%" G_GINT64_MODIFIER "x is invalid: %s",
                          dt, fdt_strerror(err));
        return H_PARAMETER;
    }
    uint64_t base;
    int found = update_dt_rtas_base(spapr, fdt, &base);
    if (found < 0) {
        return H_PARAMETER;
    }
    if (found == 0 && base != spapr->rtas_base) {
        /* SLOF's instantiate-rtas already copied its entry blob there. */
        trace_event("cas", "H_UPDATE_DT: RTAS moved from 0x%" G_GINT64_MODIFIER "x to 0x%"
                    G_GINT64_MODIFIER "x", spapr->rtas_base, base);
        spapr->rtas_base = base;
    }
    g_free(spapr->cas.fw_fdt);
    spapr->cas.fw_fdt = g_steal_pointer(&fdt);
    trace_event("cas", "H_UPDATE_DT: kept the firmware's %u-byte tree", total);
    return H_SUCCESS;
}

bool spapr_cas_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode,
                     int64_t *ret)
{
    switch (opcode) {
    case KVMPPC_H_CAS:
        *ret = h_client_architecture_support(spapr, cpu);
        return true;
    case KVMPPC_H_UPDATE_DT:
        *ret = h_update_dt(spapr, cpu);
        return true;
    default:
        return false;
    }
}
