/*
 * Hypercalls, the RTAS entry, and the register-canary probes the tests use
 * to prove an interrupted context survives a machine check or a reset.
 */
#include "asm.h"

    .text

/* long hcall(u64 opcode, u64 a1, u64 a2, u64 a3, u64 a4): args are already in r3..r7 */
FUNC(hcall)
    sc      1
    blr
END(hcall)

/*
 * long rtas_enter(void *args, u64 entry): call the RTAS entry blob
 * (linux,rtas-entry) with r3 = real address of the argument block; returns
 * the blob's r3 (the H_RTAS hcall status). The blob is big-endian code and
 * ends in blr.
 */
FUNC(rtas_enter)
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -FRAME_HDR(r1)
#ifdef __LITTLE_ENDIAN__
    /*
     * Like Linux's enter_rtas: rfid into the blob with MSR[LE] = 0 and
     * translation off (it already is), return through a stub that switches
     * back to little-endian.
     */
    mfmsr   r5
    rldicr  r5, r5, 0, 62           /* clear MSR[LE] */
    CLEAR_RI                        /* SRR0/SRR1 live until the rfid */
    mtsrr0  r4
    mtsrr1  r5
    LOAD_ADDR r6, rtas_return_be
    mtlr    r6
    rfid
rtas_return_be:                     /* entered big-endian by the blob's blr */
    SWITCH_TO_LE
#else
    mtctr   r4
    bctrl
#endif
    addi    r1, r1, FRAME_HDR
    ld      r0, 16(r1)
    mtlr    r0
    blr
END(rtas_enter)

/*
 * Register probes. Each sets (almost) every register to a value derived
 * from a canary, does one thing that the VMM is expected to interrupt
 * (a load with no RAM behind it, an sc, a spin loop), then copies every
 * register as found into a struct probe_regs for the C code to compare.
 *
 * Frame: ABI header | r2, r13..r31 (caller's, restored on return) | LR |
 *        snapshot pointer | snapshot (PR_DWORDS dwords)
 */
#define PR_DWORDS   38              /* struct probe_regs */
#define PR_CR       (32 * 8)
#define PR_CTR      (33 * 8)
#define PR_LR       (34 * 8)
#define PR_XER      (35 * 8)
#define PR_CR0      (36 * 8)        /* CR just before the event */
#define PR_XER0     (37 * 8)        /* XER just before the event */
#define SAVE_OFF    FRAME_HDR
#define LR_OFF      (SAVE_OFF + 20 * 8)
#define PTR_OFF     (LR_OFF + 8)
#define SNAP_OFF    (PTR_OFF + 8)
#define PROBE_FRAME (SNAP_OFF + PR_DWORDS * 8)

.macro PROBE_PROLOGUE snapreg
    stdu    r1, -PROBE_FRAME(r1)
    std     r2, SAVE_OFF(r1)
    .irp n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    std     r\n, SAVE_OFF + 8 * (\n - 12)(r1)
    .endr
    mflr    r0
    std     r0, LR_OFF(r1)
    std     \snapreg, PTR_OFF(r1)
.endm

/* CTR = c+33, LR = c+34, CR = low word of c, XER = CA | (c & 0x7f); record CR and XER as set */
.macro PROBE_SPRS c
    addi    r0, \c, 33
    mtctr   r0
    addi    r0, \c, 34
    mtlr    r0
    mtcrf   0xff, \c
    andi.   r0, \c, 0x7f
    oris    r0, r0, 0x2000
    mtxer   r0
    mfxer   r0
    std     r0, SNAP_OFF + PR_XER0(r1)
    mfcr    r0
    std     r0, SNAP_OFF + PR_CR0(r1)
.endm

/* Snapshot every register (r1 excepted) into the frame, copy it out, return */
.macro PROBE_EPILOGUE
    std     r0, SNAP_OFF + 0(r1)
    std     r1, SNAP_OFF + 8(r1)
    .irp n, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    std     r\n, SNAP_OFF + 8 * \n(r1)
    .endr
    mfcr    r0
    std     r0, SNAP_OFF + PR_CR(r1)
    mfctr   r0
    std     r0, SNAP_OFF + PR_CTR(r1)
    mflr    r0
    std     r0, SNAP_OFF + PR_LR(r1)
    mfxer   r0
    std     r0, SNAP_OFF + PR_XER(r1)
    ld      r3, PTR_OFF(r1)
    addi    r4, r1, SNAP_OFF
    li      r0, PR_DWORDS
    mtctr   r0
1:  ld      r5, 0(r4)
    std     r5, 0(r3)
    addi    r4, r4, 8
    addi    r3, r3, 8
    bdnz    1b
    ld      r0, LR_OFF(r1)
    mtlr    r0
    ld      r2, SAVE_OFF(r1)
    .irp n, 13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      r\n, SAVE_OFF + 8 * (\n - 12)(r1)
    .endr
    addi    r1, r1, PROBE_FRAME
    blr
.endm

/*
 * void probe_bad_load(u64 addr, u64 canary, struct probe_regs *out)
 * Before the load at probe_load_insn: rN = canary + N for every N but 1
 * and 6 (r6 = addr); the load's target is r5, so r5 = canary + 5 after
 * a recovered machine check means the load did not retire.
 */
FUNC(probe_bad_load)
    PROBE_PROLOGUE r5
    mr      r6, r3
    PROBE_SPRS r4
    .irp n, 0,2,3,5,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi    r\n, r4, \n
    .endr
    addi    r4, r4, 4
    .globl  probe_load_insn
probe_load_insn:
    ld      r5, 0(r6)
    PROBE_EPILOGUE
END(probe_bad_load)

/*
 * void probe_hcall(u64 opcode, u64 arg, u64 canary, struct probe_regs *out)
 * sc 1 with r3 = opcode, r4 = arg; r2 and r13..r31 = canary + N (an hcall
 * may clobber r0, r4..r12, CR, CTR and XER). probe_hcall_ret is the
 * instruction after the sc; out->gpr[3] is the hcall's status.
 */
FUNC(probe_hcall)
    PROBE_PROLOGUE r6
    PROBE_SPRS r5
    .irp n, 2,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi    r\n, r5, \n
    .endr
    sc      1
    .globl  probe_hcall_ret
probe_hcall_ret:
    PROBE_EPILOGUE
END(probe_hcall)

/*
 * void probe_spin(volatile u64 *ready, volatile u64 *go, u64 canary,
 *                 struct probe_regs *out)
 * rN = canary + N except r1, r7 (= ready), r8 (loop temporary), r9 (= go);
 * stores 1 to *ready, then spins at probe_spin_loop until *go != 0.
 * CR0 is the loop's; CR1..CR7, CTR, LR and XER hold canaries.
 */
FUNC(probe_spin)
    PROBE_PROLOGUE r6
    mr      r7, r3
    mr      r9, r4
    PROBE_SPRS r5
    .irp n, 0,2,3,4,6,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi    r\n, r5, \n
    .endr
    addi    r5, r5, 5
    li      r8, 1
    std     r8, 0(r7)
    .globl  probe_spin_loop
probe_spin_loop:
    ld      r8, 0(r9)
    cmpdi   r8, 0
    beq     probe_spin_loop
    .globl  probe_spin_end
probe_spin_end:
    PROBE_EPILOGUE
END(probe_spin)
