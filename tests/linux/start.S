/*
 * Entry of the test init (ppc64 ELFv2, static, no libc): the kernel starts
 * it with r1 pointing at argc, argv[], NULL, envp[], NULL, auxv. Set up
 * the TOC pointer from our own address, align the stack, make a frame
 * with a NULL back chain and call init_main(sp).
 */
    .abiversion 2
    .section .text
    .globl _start
    .type _start, @function
_start:
    bcl     20, 31, 1f
1:  mflr    12
    addis   2, 12, (.TOC. - 1b)@ha
    addi    2, 2, (.TOC. - 1b)@l
    mr      3, 1
    clrrdi  1, 1, 4
    li      0, 0
    stdu    0, -32(1)
    bl      init_main
    nop
2:  b       2b
    .size _start, . - _start

/*
 * The kexec purgatory (kexec.c copies these bytes into a segment and fills
 * in the two doublewords at its end). Linux's kexec_sequence enters it in
 * real mode, 64-bit, with the running kernel's endianness (little), at
 * image->start, having copied its first 0x100 bytes to 0 (r3 = its
 * physical CPU id, r4 = image->start, r5 = 0). The new kernel's head_64.S
 * expects its own first 0x100 bytes at 0 and copies the rest down itself:
 * copy them, make them visible to instruction fetch, then enter the kernel
 * where it was loaded with r3 = device tree, r4 = kernel, r5 = 0 (no
 * Open Firmware client interface).
 */
    .section .rodata
    .balign 8
    .globl purgatory_start, purgatory_end
purgatory_start:
    bcl     20, 31, 1f
1:  mflr    12
    ld      3, (purgatory_dtb - 1b)(12)
    ld      4, (purgatory_kernel - 1b)(12)
    li      5, 0x100 / 8
    mtctr   5
    li      6, 0
2:  ldx     7, 4, 6
    stdx    7, 0, 6
    addi    6, 6, 8
    bdnz    2b
    li      6, 0
3:  dcbst   0, 6
    sync
    icbi    0, 6
    addi    6, 6, 32
    cmpldi  6, 0x100
    blt     3b
    sync
    isync
    li      5, 0
    mtctr   4
    bctr
    .balign 8
purgatory_dtb:
    .quad   0
purgatory_kernel:
    .quad   0
purgatory_end:
    .section .note.GNU-stack, "", @progbits
