/*
 * RTAS entry blob for the pseries machine (20 bytes, big-endian).
 * The OS calls RTAS with r3 = real address of the argument block; the
 * VMM implements every call behind the H_RTAS hypercall (0xf000).
 * The same bytes are embedded in hw/ppc/spapr_rtas_blob.c and shipped as
 * spapr-rtas.bin; tests/unit check that all three agree.
 */
    .text
    .globl  spapr_rtas_entry
spapr_rtas_entry:
    mr      4,3             /* the argument block becomes the hcall's r4 */
    lis     3,0             /* r3 = H_RTAS */
    ori     3,3,0xf000
    sc      1               /* into the VMM */
    blr                     /* r3 holds the hcall status */
