/*
 * The RTAS entry blob (pc-bios/spapr-rtas/spapr-rtas.S), the only code of
 * ours in guest memory. Big-endian instructions; RTAS is entered in
 * big-endian mode with translation off. It turns an RTAS call (r3 = the
 * argument block) into the H_RTAS hypercall.
 */
#include "hw/ppc/spapr.h"

const uint8_t spapr_rtas_blob[RTAS_BLOB_SIZE] = {
    0x7c, 0x64, 0x1b, 0x78,     /* mr    r4,r3        argument block */
    0x3c, 0x60, 0x00, 0x00,     /* lis   r3,0                        */
    0x60, 0x63, 0xf0, 0x00,     /* ori   r3,r3,0xf000  H_RTAS        */
    0x44, 0x00, 0x00, 0x22,     /* sc    1             hypercall     */
    0x4e, 0x80, 0x00, 0x20,     /* blr                               */
};
