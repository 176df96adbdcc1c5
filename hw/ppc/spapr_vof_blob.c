/*
 * The client-interface entry blob for x-vof=on (pc-bios/spapr-vof/
 * spapr-vof.S): big-endian instructions, called by prom_init in 32-bit
 * big-endian real mode. It turns a client-interface call (r3 = the
 * argument block) into the KVMPPC_H_VOF_CLIENT hypercall.
 */
#include "hw/ppc/spapr_vof.h"

const uint8_t spapr_vof_blob[SPAPR_VOF_BLOB_SIZE] = {
    0x7c, 0x64, 0x1b, 0x78,     /* mr    r4,r3        argument block */
    0x3c, 0x60, 0x00, 0x00,     /* lis   r3,0                        */
    0x60, 0x63, 0xf0, 0x05,     /* ori   r3,r3,0xf005 VOF client     */
    0x44, 0x00, 0x00, 0x22,     /* sc    1             hypercall     */
    0x4e, 0x80, 0x00, 0x20,     /* blr                               */
};
