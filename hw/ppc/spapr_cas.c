/*
 * ibm,client-architecture-support negotiation (include/hw/ppc/spapr_cas.h),
 * shared by VOF (x-vof=on) and SLOF's KVMPPC_H_CAS. The table the client
 * passes is a list of PVR mask/value pairs ended by a pair whose value has
 * bits outside its mask, then a byte "number of option vectors - 1", then
 * each vector as a byte "length - 1" and its bytes (LoPAPR B.6.2.3). Only
 * option vector 5 matters here: the MMU and the interrupt controller.
 * BQL held.
 */
#include "hw/ppc/spapr_cas.h"

#include <errno.h>
#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_fdt_check.h"
#include "system/trace.h"

#define CAS_MAX_PVRS        512     /* as QEMU: a table never ends otherwise */

/* The address of option vector @n's length byte, or 0. */
static uint64_t cas_find_vector(SpaprMachineState *spapr, uint64_t table, int n)
{
    uint64_t addr = table;
    int i;

    for (i = 0; i < CAS_MAX_PVRS; i++) {
        uint32_t mask, val;
        if (guest_ld_be32(&spapr->ram, addr, &mask) ||
            guest_ld_be32(&spapr->ram, addr + 4, &val)) {
            return 0;
        }
        addr += 8;
        if (~mask & val) {
            break;          /* the terminating pair */
        }
    }
    uint8_t count;
    if (i == CAS_MAX_PVRS || guest_read(&spapr->ram, addr, &count, 1) < 0 ||
        count + 1 < n) {
        return 0;
    }
    addr++;
    for (int v = 1; v < n; v++) {
        uint8_t len;
        if (guest_read(&spapr->ram, addr, &len, 1) < 0) {
            return 0;
        }
        addr += 1 + len + 1ULL;
    }
    return addr;
}

/* What the machine grants: radix with GTSE, XICS (byte 23 = 0). */
static void cas_granted(uint8_t ov5[SPAPR_OV5_LEN])
{
    memset(ov5, 0, SPAPR_OV5_LEN);
    ov5[SPAPR_OV5_MMU_BYTE] = SPAPR_OV5_MMU_RADIX;
    ov5[SPAPR_OV5_RADIX_BYTE] = SPAPR_OV5_RADIX_GTSE;
}

int spapr_cas_negotiate(SpaprMachineState *spapr, uint64_t vec,
                        uint8_t answer[SPAPR_OV5_LEN])
{
    uint8_t want[SPAPR_OV5_LEN] = { 0 };
    uint64_t ov5 = cas_find_vector(spapr, vec, 5);
    uint8_t len;

    if (!ov5 || guest_read(&spapr->ram, ov5, &len, 1) < 0) {
        trace_guest_error("CAS: no option vector 5 in the table at 0x%" G_GINT64_MODIFIER "x",
                          vec);
        return -EFAULT;
    }
    /* want[i] is byte i with the length at 0 (Linux's OV5_INDX). */
    uint32_t n = MIN((uint32_t)len + 2, (uint32_t)SPAPR_OV5_LEN);
    if (guest_read(&spapr->ram, ov5, want, n) < 0) {
        trace_guest_error("CAS: option vector 5 at 0x%" G_GINT64_MODIFIER "x ends outside RAM",
                          ov5);
        return -EFAULT;
    }
    if (!(want[SPAPR_OV5_MMU_BYTE] & SPAPR_OV5_MMU_RADIX) ||
        !(want[SPAPR_OV5_RADIX_BYTE] & SPAPR_OV5_RADIX_GTSE)) {
        error_report("CAS: the guest asks for MMU 0x%02x, radix options 0x%02x: "
                     "only radix with GTSE is emulated", want[SPAPR_OV5_MMU_BYTE],
                     want[SPAPR_OV5_RADIX_BYTE]);
        return -ENOTSUP;
    }
    /* XIVE (byte 23) is not offered: the answer says XICS whatever the
     * guest supports, as QEMU's ic-mode=xics. */
    cas_granted(answer);
    memcpy(spapr->cas.ov5, answer, SPAPR_OV5_LEN);
    spapr->cas.done = true;
    trace_event("cas", "guest vec5[23..26] %02x %02x %02x %02x -> radix+GTSE, XICS",
                want[23], want[24], want[25], want[26]);
    return 0;
}

void spapr_cas_ov5(const SpaprMachineState *spapr, uint8_t ov5[SPAPR_OV5_LEN])
{
    if (spapr->cas.done) {
        memcpy(ov5, spapr->cas.ov5, SPAPR_OV5_LEN);
    } else {
        cas_granted(ov5);
    }
}

void spapr_dt_cas_chosen(const SpaprMachineState *spapr, void *fdt)
{
    uint8_t ov5[SPAPR_OV5_LEN];
    /* What CAS can grant, as (OV5 byte, value) pairs: 23 = 0 XICS only,
     * 24 = 0x40 radix only, 25 = 0 no hash options, 26 = 0x40 radix with
     * GTSE. Without it prom_init assumes a hash MMU and asks for that. */
    static const uint8_t platform_support[] = { 23, 0x00, 24, 0x40, 25, 0x00, 26, 0x40 };

    spapr_cas_ov5(spapr, ov5);
    FDT_CHECK(fdt_property(fdt, "ibm,architecture-vec-5", ov5, sizeof(ov5)));
    FDT_CHECK(fdt_property(fdt, "ibm,arch-vec-5-platform-support", platform_support,
                           sizeof(platform_support)));
}

void spapr_cas_reset(SpaprCasState *cas)
{
    cas->done = false;
    memset(cas->ov5, 0, sizeof(cas->ov5));
    cas->fdt_initial_size = 0;
    g_clear_pointer(&cas->fw_fdt, g_free);
}
