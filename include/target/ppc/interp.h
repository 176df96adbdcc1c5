/*
 * The software CPU: an interpreter for the 64-bit Power ISA v3.0 (POWER9
 * class, pseries guest privilege: no hypervisor state), selected with
 * -accel tcg. It executes guest code straight out of guest RAM, in real
 * mode or with the radix MMU (target/ppc/mmu-radix64.h) through a
 * per-vCPU software TLB.
 *
 * It runs only on the vCPU's own thread and owns the register state while
 * it runs (see target/ppc/cpu.h). Everything outside the CPU is reached
 * through the hooks below, implemented by the machine (hw/ppc/).
 */
#ifndef TARGET_PPC_INTERP_H
#define TARGET_PPC_INTERP_H

#include "target/ppc/cpu.h"
#include "system/guest-memory.h"

typedef enum PPCInterpExit {
    PPC_INTERP_EXIT_BUDGET,   /* executed the requested number of instructions */
    PPC_INTERP_EXIT_REQUEST,  /* cpu->exit_request was set (kick, work, stop) */
    PPC_INTERP_EXIT_HALT,     /* the guest ceded (H_CEDE) or stopped itself */
} PPCInterpExit;

/**
 * ppc_interp_run: execute instructions on @cpu until @budget have retired,
 * cpu->exit_request becomes non-zero (checked at least every 4096
 * instructions, and at every taken branch), or a hook asks to stop.
 * Guest faults become architected interrupts (program, DSI/ISI, alignment,
 * decrementer, machine check through ppc_hook_machine_check()).
 * Adds the retired count to cpu->icount.
 */
PPCInterpExit ppc_interp_run(PowerPCCPU *cpu, GuestMemory *ram, uint64_t budget);

/**
 * ppc_interp_invalidate: drop any cached decode of guest code in
 * [addr, addr+len) (the VMM wrote guest memory: loader, qtest, DMA).
 * Safe from any thread.
 */
void ppc_interp_invalidate(uint64_t addr, uint64_t len);

/**
 * ppc_interp_cpu_finalize: free the interpreter's per-vCPU state (its
 * decode cache, kept in cpu->accel_priv). Call when the vCPU is destroyed,
 * from any thread, once it no longer runs. ppc_interp_run() recreates the
 * state if it runs again.
 */
void ppc_interp_cpu_finalize(PowerPCCPU *cpu);

/**
 * ppc_interp_set_jit: the block compiler (x86-64 hosts only). A decoded
 * code page entered @threshold times gets its straight-line runs of
 * common fixed-point, load/store and LR/CTR instructions (64-bit mode)
 * compiled to host code, which runs them with the interpreter's exact
 * semantics and falls back to it for anything else (TLB misses, faults,
 * stores to decoded code, the dirty log, the end of a run's budget).
 * 0 turns it off for pages decoded from then on. Process-wide; call
 * before vCPUs run. Returns false (and changes nothing) when the host has
 * no compiler.
 */
bool ppc_interp_set_jit(unsigned threshold);

/** The compiler's default threshold (page entries before compiling). */
#define PPC_JIT_DEFAULT_THRESHOLD 16

/** What the block compiler did for one vCPU (ppc_interp_jit_stats). */
typedef struct PPCJitStats {
    uint64_t blocks;        /* blocks compiled */
    uint64_t insns;         /* guest instructions in them */
    uint64_t code_bytes;    /* host code emitted */
    uint64_t flushes;       /* times the code buffer filled and was reset */
} PPCJitStats;

void ppc_interp_jit_stats(PowerPCCPU *cpu, PPCJitStats *out);

/* ---- Hooks the interpreter calls, implemented by the machine ---- */

/**
 * ppc_hook_hypercall: `sc 1` from supervisor state. Arguments in r3 (opcode)
 * and r4.., result goes to r3 (the hook writes it). NIP already points after
 * the sc. Returns true if the vCPU must leave the run loop (H_CEDE, machine
 * stop, power-off).
 */
bool ppc_hook_hypercall(PowerPCCPU *cpu);

/** Access kinds for ppc_hook_machine_check_access(). */
typedef enum PPCAccessKind {
    PPC_ACCESS_LOAD,
    PPC_ACCESS_STORE,
    PPC_ACCESS_IFETCH,
    PPC_ACCESS_TABLEWALK,           /* radix walk for a load or store */
    PPC_ACCESS_IFETCH_TABLEWALK,    /* radix walk for a fetch */
} PPCAccessKind;

/**
 * ppc_hook_machine_check_access: an access at effective address @ea (real
 * address @ra, translated or not) hit no RAM, or hit a poisoned page; for
 * the _TABLEWALK kinds @ra is the page-table entry the walk for @ea could
 * not read. NIP is the
 * faulting instruction; nothing of it has retired. The machine raises a UE
 * machine check (FWNMI or architected 0x200) and sets the new NIP/MSR.
 */
void ppc_hook_machine_check_access(PowerPCCPU *cpu, uint64_t ea, uint64_t ra,
                                   PPCAccessKind kind);

#endif
