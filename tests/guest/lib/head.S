/*
 * Boot entry, interrupt vectors and the common interrupt entry/exit.
 *
 * Layout (guest.ld): this file's .head section sits at physical address
 * 0: vectors 0x100..0xFE0 (one stub every 0x20, so every architected
 * vector is covered), then exc_common, the FWNMI entry points and the
 * secondary-vCPU entry from 0x1000. _start is placed at 0x8000 (.text
 * start), leaving the page at 0x7000 alone: LoPAPR lets firmware use it
 * once FWNMI is registered.
 *
 * Interrupt entry (all vectors and both FWNMI entries):
 *   SPRG1 <- r1, SPRG2 <- r3, r3 <- vector number, then exc_common
 *   builds a struct regs frame on this vCPU's exception stack (its top is
 *   percpu.exc_sp; SPRG0 = &percpu[this vCPU]), calls
 *   exception_dispatch(regs) and restores everything from the frame,
 *   SRR0/SRR1 included, before rfid. Handlers change r->nip, r->gpr[] ...
 *   to steer the return.
 *
 * Nesting (an NMI or a program check inside a C handler): percpu.exc_depth
 * counts the interrupts being handled. The outermost frame sits at the
 * top of the exception stack; a nested one goes below the interrupted r1
 * and its ABI red zone, i.e. below everything the interrupted handler
 * still uses (its frame, its C stack). Two windows stay unrecoverable, as
 * on hardware with MSR[RI] = 0: an NMI before exc_common has saved
 * SPRG1/SPRG2 and its entry stash, and one after SRR0/SRR1 are loaded
 * for the rfid.
 */
#include "asm.h"

    .section .head.vectors, "ax"

.macro VECTOR v
    .org    \v
    mtsprg  1, r1
    mtsprg  2, r3
    li      r3, \v
    b       exc_common
.endm

    .irp v, 0x100,0x120,0x140,0x160,0x180,0x1a0,0x1c0,0x1e0
    VECTOR \v
    .endr
    .irp hi, 0x200,0x300,0x400,0x500,0x600,0x700,0x800,0x900,0xa00,0xb00,0xc00,0xd00,0xe00,0xf00
    .irp lo, 0x00,0x20,0x40,0x60,0x80,0xa0,0xc0,0xe0
    VECTOR (\hi + \lo)
    .endr
    .endr

    .org    0x1000
/*
 * exc_common: r3 = vector, SPRG1 = interrupted r1, SPRG2 = interrupted r3,
 * every other register still interrupted state (CR and XER included: the
 * stub used none of the instructions that set them).
 */
FUNC(exc_common)
    mfsprg  r1, 0                   /* r1 = this vCPU's percpu */
    std     r3, PC_ENTRY_VEC(r1)    /* the vector, until the frame exists */
    mfcr    r3
    std     r3, PC_ENTRY_CR(r1)     /* CR, before the compare below sets it */
    ld      r3, PC_EXC_DEPTH(r1)
    addi    r3, r3, 1
    std     r3, PC_EXC_DEPTH(r1)
    cmpdi   r3, 1
    ld      r1, PC_EXC_SP(r1)       /* outermost: top of the exception stack */
    beq     1f
    mfsprg  r1, 1                   /* nested: below the interrupted r1 ... */
    addi    r1, r1, -RED_ZONE       /* ... and the red zone it may use */
    clrrdi  r1, r1, 4
1:  addi    r1, r1, -EXC_FRAME
    std     r0, FRAME_HDR + R_GPR(0)(r1)
    std     r2, FRAME_HDR + R_GPR(2)(r1)
    .irp n, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    std     r\n, FRAME_HDR + R_GPR(\n)(r1)
    .endr
    mfsprg  r4, 0
    ld      r0, PC_ENTRY_VEC(r4)
    std     r0, FRAME_HDR + R_VEC(r1)
    ld      r0, PC_ENTRY_CR(r4)
    std     r0, FRAME_HDR + R_CR(r1)
    mfsprg  r0, 1
    std     r0, FRAME_HDR + R_GPR(1)(r1)
    mfsprg  r0, 2
    std     r0, FRAME_HDR + R_GPR(3)(r1)
    mflr    r0
    std     r0, FRAME_HDR + R_LR(r1)
    mfctr   r0
    std     r0, FRAME_HDR + R_CTR(r1)
    mfxer   r0
    std     r0, FRAME_HDR + R_XER(r1)
    mfsrr0  r0
    std     r0, FRAME_HDR + R_NIP(r1)
    mfsrr1  r0
    std     r0, FRAME_HDR + R_MSR(r1)
    mfmsr   r0
    std     r0, FRAME_HDR + R_ENTRY_MSR(r1)
    SET_RI                          /* SRR0/SRR1 are saved: recoverable */
    mfspr   r0, SPRN_DAR
    std     r0, FRAME_HDR + R_DAR(r1)
    mfspr   r0, SPRN_DSISR
    std     r0, FRAME_HDR + R_DSISR(r1)
    li      r0, 0
    std     r0, 0(r1)               /* back chain: end of stack */
    LOAD_TOC
    addi    r3, r1, FRAME_HDR
    bl      exception_dispatch
    nop
    ld      r0, FRAME_HDR + R_LR(r1)
    mtlr    r0
    ld      r0, FRAME_HDR + R_CTR(r1)
    mtctr   r0
    ld      r0, FRAME_HDR + R_XER(r1)
    mtxer   r0
    ld      r0, FRAME_HDR + R_CR(r1)
    mtcrf   0xff, r0
    mfsprg  r4, 0
    ld      r5, PC_EXC_DEPTH(r4)
    addi    r5, r5, -1
    CLEAR_RI                        /* from here SRR0/SRR1 are live again */
    ld      r0, FRAME_HDR + R_NIP(r1)
    mtsrr0  r0
    ld      r0, FRAME_HDR + R_MSR(r1)
    mtsrr1  r0
    /* SRR0/SRR1 are loaded: from here an NMI is unrecoverable anyway, so
     * this frame may be given up now. */
    std     r5, PC_EXC_DEPTH(r4)
    ld      r0, FRAME_HDR + R_GPR(0)(r1)
    .irp n, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      r\n, FRAME_HDR + R_GPR(\n)(r1)
    .endr
    ld      r1, FRAME_HDR + R_GPR(1)(r1)
    rfid
END(exc_common)

/*
 * FWNMI entry points handed to ibm,nmi-register. They must be entered in
 * the endianness of LPCR[ILE]: in the little-endian guest a big-endian
 * entry is a VMM bug, reported through wrong_endian_entry() (the switch
 * destroyed SRR0/SRR1, so that context cannot be resumed).
 */
    .balign 64
FUNC(fwnmi_sreset_entry)
#ifdef __LITTLE_ENDIAN__
    tdi     0, 0, 0x48
    b       1f
    SWITCH_TO_LE
    li      r3, VEC_FWNMI_SRESET
    b       wrong_endian
1:
#endif
    mtsprg  1, r1
    mtsprg  2, r3
    li      r3, VEC_FWNMI_SRESET
    b       exc_common
END(fwnmi_sreset_entry)

    .balign 64
FUNC(fwnmi_mce_entry)
#ifdef __LITTLE_ENDIAN__
    tdi     0, 0, 0x48
    b       1f
    SWITCH_TO_LE
    li      r3, VEC_FWNMI_MCE
    b       wrong_endian
1:
#endif
    mtsprg  1, r1
    mtsprg  2, r3
    li      r3, VEC_FWNMI_MCE
    b       exc_common
END(fwnmi_mce_entry)

#ifdef __LITTLE_ENDIAN__
wrong_endian:
    mfsprg  r1, 0
    ld      r1, PC_EXC_SP(r1)
    addi    r1, r1, -FRAME_HDR
    li      r0, 0
    std     r0, 0(r1)
    LOAD_TOC
    bl      wrong_endian_entry
    nop
    b       .
#endif

/*
 * secondary_entry: where start-cpu starts the other vCPUs, r3 = &percpu[n]
 * (the start-cpu "r3 value"). Entered in real mode with MSR = SF|ME, which
 * is big-endian: the little-endian guest switches first.
 */
    .balign 64
FUNC(secondary_entry)
    ENDIAN_ENTRY
    mtsprg  0, r3
    ld      r1, PC_STACK_TOP(r3)
    addi    r1, r1, -FRAME_HDR
    li      r0, 0
    std     r0, 0(r1)
    SET_RI
    LOAD_TOC
    bl      secondary_main
    nop
    b       .
END(secondary_entry)

/*
 * _start: the VMM enters here (e_entry) in real mode, MSR = SF|ME (+LE for
 * the little-endian image), r3 = device tree, r4 = load address, r5 = 0,
 * no stack. ENDIAN_ENTRY makes a big-endian entry of the LE image work
 * anyway (it is a no-op when entered as promised).
 */
    .section .text.start, "ax"
FUNC(_start)
    ENDIAN_ENTRY
    mr      r31, r3                 /* device tree */
    mr      r30, r4                 /* load address */
    li      r29, 0                  /* H_SET_MODE status */
#ifdef __LITTLE_ENDIAN__
    /* interrupts are taken big-endian until LPCR[ILE] is set: first thing */
    li      r3, H_SET_MODE
    li      r4, H_SET_MODE_ENDIAN_LITTLE
    li      r5, H_SET_MODE_RESOURCE_LE
    li      r6, 0
    li      r7, 0
    sc      1
    mr      r29, r3
#endif
    LOAD_TOC
    /* clear .bss (stacks and percpu live there) */
    LOAD_ADDR r5, __bss_start
    LOAD_ADDR r6, __bss_end
    li      r0, 0
1:  cmpld   r5, r6
    bge     2f
    std     r0, 0(r5)
    addi    r5, r5, 8
    b       1b
2:
    /* vCPU 0: percpu[0], its stacks, SPRG0 */
    LOAD_ADDR r5, percpu
    mtsprg  0, r5
    LOAD_ADDR r6, exc_stacks + EXC_STACK_SIZE
    std     r6, PC_EXC_SP(r5)
    LOAD_ADDR r6, stacks + STACK_SIZE
    std     r6, PC_STACK_TOP(r5)
    addi    r1, r6, -FRAME_HDR
    SET_RI                          /* as Linux: RI=1 outside SRR windows */
    std     r0, 0(r1)
    mr      r3, r31
    mr      r4, r29
    mr      r5, r30
    bl      boot_main
    nop
    b       .
END(_start)
