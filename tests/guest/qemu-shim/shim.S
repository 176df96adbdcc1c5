/*
 * Dev-only: boot a test guest on Debian's qemu-system-ppc64 (QEMU 7.2),
 * whose boot ABI is not ours. Used as "-bios shim.bin" together with
 * "-kernel GUEST.elf" (see ../README.md). QEMU loads the firmware image at
 * 0 and enters 0x100 big-endian with r3 = device tree; it loaded the guest
 * ELF at the address in /chosen/qemu,boot-kernel. The shim moves itself to
 * its link address (48 MiB), then shim_main() builds the environment our
 * VMM provides (guest image at 0, RTAS blob and linux,rtas-base/-entry in
 * the tree) and enters the guest at 0x8000.
 */
    .section .shim.head, "ax"
    .globl _entry
_entry:
    .org    0x100
    mr      r31, r3
    li      r5, 0                   /* copy [0, _shim_end - base) up */
    lis     r6, 0x300
    lis     r7, _shim_end@h
    ori     r7, r7, _shim_end@l
1:  ld      r0, 0(r5)
    std     r0, 0(r6)
    addi    r5, r5, 8
    addi    r6, r6, 8
    cmpld   r6, r7
    blt     1b
    sync
    lis     r9, 2f@h
    ori     r9, r9, 2f@l
    mtctr   r9
    bctr
2:  bcl     20, 31, 3f
3:  mflr    r2
    addis   r2, r2, (.TOC. - 3b)@ha
    addi    r2, r2, (.TOC. - 3b)@l
    lis     r1, __stack_top@h
    ori     r1, r1, __stack_top@l
    addi    r1, r1, -112
    li      r0, 0
    std     r0, 0(r1)
    mr      r3, r31
    bl      shim_main
    nop
    b       .

/* void shim_enter(u64 entry, u64 msr, u64 fdt): rfid into the guest */
    .globl shim_enter
shim_enter:
    mtsrr0  r3
    mtsrr1  r4
    mr      r3, r5
    li      r4, 0
    li      r5, 0
    rfid

/* long shim_hcall(u64 opcode, u64 a1, u64 a2, u64 a3, u64 a4) */
    .globl shim_hcall
shim_hcall:
    sc      1
    blr
