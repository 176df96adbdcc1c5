/*
 * Open Firmware client-interface entry for -M pseries,x-vof=on
 * (20 bytes, big-endian). prom_init calls it in 32-bit big-endian real
 * mode with r3 = the real address of its argument block (service name,
 * nargs, nret, args, rets); the VMM serves every service behind the
 * KVMPPC_H_VOF_CLIENT hypercall (0xf005, QEMU's number) and the block
 * holds the results when it returns. The same bytes are embedded in
 * hw/ppc/spapr_vof_blob.c and shipped as spapr-vof.bin.
 */
    .text
    .globl  spapr_vof_entry
spapr_vof_entry:
    mr      4,3             /* the argument block becomes the hcall's r4 */
    lis     3,0             /* r3 = KVMPPC_H_VOF_CLIENT */
    ori     3,3,0xf005
    sc      1               /* into the VMM */
    blr                     /* r3 = 0, or -1 when the block was unreadable */
