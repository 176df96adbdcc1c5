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
    .section .note.GNU-stack, "", @progbits
