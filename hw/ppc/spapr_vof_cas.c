/*
 * ibm,client-architecture-support for x-vof=on (LoPAPR B.6.2.3). The
 * table the client passes is a list of PVR mask/value pairs ended by a
 * pair whose value has bits outside its mask, then a byte "number of
 * option vectors - 1", then each vector as a byte "length - 1" and its
 * bytes. Only option vector 5 matters here: the MMU and the interrupt
 * controller. The VMM emulates radix with guest TLB invalidation (GTSE)
 * and XICS, so a client that cannot run that way is refused, and the
 * answer written to /chosen/ibm,architecture-vec-5 (what Linux's
 * early_check_vec5 reads after prom_init) is exactly that.
 * BQL held (called from the VOF hypercall).
 */
#include "hw/ppc/spapr_vof.h"

#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "system/trace.h"

#define CAS_MAX_PVRS        512
#define OV5_LEN             27
#define OV5_INTC_BYTE       23      /* OV5_XIVE_SUPPORT: 0 = XICS */
#define OV5_MMU_BYTE        24
#define OV5_MMU_RADIX       0x40
#define OV5_RADIX_BYTE      26
#define OV5_RADIX_GTSE      0x40

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

int spapr_vof_cas(SpaprMachineState *spapr, uint64_t vec)
{
    uint8_t want[OV5_LEN] = { 0 }, answer[OV5_LEN] = { 0 };
    uint64_t ov5 = cas_find_vector(spapr, vec, 5);
    uint8_t len;

    if (!ov5 || guest_read(&spapr->ram, ov5, &len, 1) < 0) {
        trace_guest_error("CAS: no option vector 5 in the table at 0x%" G_GINT64_MODIFIER "x",
                          vec);
        return -1;
    }
    /* Bytes are numbered from 1 after the length byte (LoPAPR, and
     * Linux's OV5_INDX), so want[i] is byte i with the length at 0. */
    uint32_t n = MIN((uint32_t)len + 2, (uint32_t)OV5_LEN);
    if (guest_read(&spapr->ram, ov5, want, n) < 0) {
        return -1;
    }
    if (!(want[OV5_MMU_BYTE] & OV5_MMU_RADIX) || !(want[OV5_RADIX_BYTE] & OV5_RADIX_GTSE)) {
        error_report("CAS: the guest asks for MMU 0x%02x, radix options 0x%02x: "
                     "only radix with GTSE is emulated", want[OV5_MMU_BYTE],
                     want[OV5_RADIX_BYTE]);
        return -1;
    }
    /* XIVE (byte 23) and hash are refused: XICS and radix only. */
    answer[OV5_INTC_BYTE] = 0;
    answer[OV5_MMU_BYTE] = OV5_MMU_RADIX;
    answer[OV5_RADIX_BYTE] = OV5_RADIX_GTSE;
    int chosen = fdt_path_offset(spapr->vof.fdt, "/chosen");
    if (chosen < 0 ||
        fdt_setprop(spapr->vof.fdt, chosen, "ibm,architecture-vec-5", answer,
                    sizeof(answer)) < 0) {
        return -1;
    }
    spapr->vof.cas_done = true;
    trace_event("vof", "CAS: guest vec5[23..26] %02x %02x %02x %02x -> radix+GTSE, XICS",
                want[23], want[24], want[25], want[26]);
    return 0;
}
