/*
 * Assembly helpers for the test guests (included by the .S files of lib/).
 * Assembled with -mregnames so r0..r31 can be written by name.
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#include "guest.h"

#define FUNC(name)      .globl name; .type name,@function; name:
#define END(name)       .size name, . - name

/* r2 = .TOC. computed PC-relatively (clobbers LR) */
.macro LOAD_TOC
    bcl     20, 31, .Ltoc\@
.Ltoc\@:
    mflr    r2
    addis   r2, r2, (.TOC. - .Ltoc\@)@ha
    addi    r2, r2, (.TOC. - .Ltoc\@)@l
.endm

/* \reg = address of \sym through the TOC (r2 must be valid) */
.macro LOAD_ADDR reg, sym
    addis   \reg, r2, (\sym)@toc@ha
    addi    \reg, \reg, (\sym)@toc@l
.endm

/*
 * MSR[RI] (Book III 6.4.4): 1 wherever an interrupt could be returned from,
 * 0 while SRR0/SRR1 hold state not yet saved (interrupt entry) or about
 * to be used (before rfid). mtmsrd L=1 sets only EE and RI; EE stays 0.
 * The VMM holds injected machine checks while RI=0, as a recoverable
 * guest wants; Linux does the same bookkeeping.
 */
#define SET_RI      li r0, 2; mtmsrd r0, 1
#define CLEAR_RI    li r0, 0; mtmsrd r0, 1

#ifdef __LITTLE_ENDIAN__
/*
 * Endianness switch for code that may be entered big-endian although it
 * is assembled little-endian (start-cpu entry, return from the big-endian
 * RTAS blob). The ten words below are instructions encoded for a CPU
 * running big-endian: .long stores them byte-reversed in this LE image,
 * so a big-endian fetch sees them as written here. They set MSR[LE] and
 * rfid to the word right after the sequence; r3..r10 and r13..r31 survive,
 * r0, r11, r12, LR, SRR0 and SRR1 are clobbered.
 *
 *   mfmsr  r11          7d6000a6
 *   ori    r11,r11,1    616b0001   MSR[LE] (bit 63)
 *   bcl    20,31,.+4    429f0005
 *   mflr   r12          7d8802a6   r12 = address of this mflr
 *   addi   r12,r12,28   398c001c   -> first word after the rfid
 *   li     r0,0         38000000
 *   mtmsrd r0,1         7c010164   MSR[RI]=0: SRR0/SRR1 live until rfid
 *   mtsrr0 r12          7d9a03a6
 *   mtsrr1 r11          7d7b03a6
 *   rfid                4c000024
 */
#define BE_WORD(x) .long ((((x) >> 24) & 0xff) | (((x) >> 8) & 0xff00) | \
                          (((x) & 0xff00) << 8) | (((x) & 0xff) << 24))

.macro SWITCH_TO_LE
    BE_WORD(0x7d6000a6)
    BE_WORD(0x616b0001)
    BE_WORD(0x429f0005)
    BE_WORD(0x7d8802a6)
    BE_WORD(0x398c001c)
    BE_WORD(0x38000000)
    BE_WORD(0x7c010164)
    BE_WORD(0x7d9a03a6)
    BE_WORD(0x7d7b03a6)
    BE_WORD(0x4c000024)
.endm

/*
 * ENDIAN_ENTRY: first instructions of an entry point that may be entered
 * either way. "tdi 0,0,0x48" is a trap that never traps when fetched
 * little-endian; fetched big-endian its bytes read 0x48000008, "b .+8",
 * which skips the "b" below and runs SWITCH_TO_LE. Both paths then meet
 * at the first instruction after the macro.
 */
.macro ENDIAN_ENTRY
    tdi     0, 0, 0x48
    b       .Lle\@
    SWITCH_TO_LE
.Lle\@:
.endm
#else
.macro ENDIAN_ENTRY
.endm
#endif

#endif
