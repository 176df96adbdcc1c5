/*
 * FWNMI: stale registrations (design principle 6, issue #14 item 1).
 *
 * A registration belongs to the kernel that made it. Linux's pseries
 * kexec path (machine_kexec -> default_machine_kexec, kexec_cpu_down ->
 * pseries_kexec_cpu_down) tells the platform nothing about FWNMI: there is
 * no "unregister" RTAS call, the VPA/SLB-shadow/DTL deregistrations are
 * skipped on a crash (kdump) kexec, and the new kernel runs a long way
 * (early_setup ... pSeries_setup_arch) before fwnmi_init registers again.
 * What the VMM can always see is guest memory: a kexec loads the new
 * kernel's own code over the old one's, exactly as it would have
 * overwritten a trampoline at 0x200.
 *
 * So at ibm,nmi-register the VMM keeps a snapshot of the first
 * FWNMI_GUARD_WINDOW bytes at each registered handler (real addresses,
 * the handlers run in real mode), and before it enters a handler it
 * compares them with guest memory, instruction word by word. The
 * registration is stale when at least half of the words of either window
 * changed: a new kernel's unrelated code (or zeroed memory) differs almost
 * everywhere, while a kernel that patches its own text (static keys,
 * mitigation fallbacks: one to a few instructions per site) changes a
 * handful. Reading guest RAM works for every accelerator (the software CPU
 * and KVM alike) and costs nothing until a machine check or system reset
 * arrives. A stale registration is dropped (both handlers, as one kernel
 * made them) and the event goes to the architected vector instead.
 *
 * A second, cheaper signal catches what the snapshot cannot (a kexec into
 * the same image at the same address leaves the handler bytes unchanged):
 * a pseries Linux registers its MMU's process table (H_REGISTER_PROC_TBL)
 * exactly once, early in boot, long before fwnmi_init; a registration of
 * the process table after ibm,nmi-register therefore means a new kernel is
 * starting (kexec, kdump), and the old registration is dropped at once.
 *
 * State: SpaprFwnmiGuard lives in SpaprFwnmiState and, like it, is guarded
 * by the BQL.
 */
#ifndef HW_PPC_SPAPR_FWNMI_STALE_H
#define HW_PPC_SPAPR_FWNMI_STALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SpaprMachineState SpaprMachineState;

#define FWNMI_GUARD_WINDOW      256     /* bytes snapshotted per handler */
#define FWNMI_GUARD_WORDS       (FWNMI_GUARD_WINDOW / 4)
#define FWNMI_GUARD_REASON_MAX  160

typedef enum SpaprFwnmiGuardHandler {
    FWNMI_GUARD_SRESET,
    FWNMI_GUARD_MCE,
    FWNMI_GUARD_N,
} SpaprFwnmiGuardHandler;

typedef struct SpaprFwnmiGuard {
    /* Snapshot taken at ibm,nmi-register; len 0: nothing registered. */
    uint8_t snap[FWNMI_GUARD_N][FWNMI_GUARD_WINDOW];
    uint32_t snap_len[FWNMI_GUARD_N];   /* bytes, clipped to RAM; multiple of 4 */
    /* The last drop for staleness, kept until the next registration. */
    bool stale;
    char reason[FWNMI_GUARD_REASON_MAX];
    uint64_t stale_handler;             /* address of the overwritten handler */
    uint32_t stale_changed;             /* words that differed ... */
    uint32_t stale_words;               /* ... out of this many */
    const char *stale_event;            /* "machine-check" or "system-reset" */
    uint64_t stale_drops;               /* registrations dropped as stale */
} SpaprFwnmiGuard;

/**
 * spapr_fwnmi_words_changed: how many of the @len / 4 aligned 4-byte words
 * differ between @a and @b.
 */
uint32_t spapr_fwnmi_words_changed(const uint8_t *a, const uint8_t *b, uint32_t len);

/** spapr_fwnmi_window_stale: the rule: at least half of the words changed. */
bool spapr_fwnmi_window_stale(uint32_t changed, uint32_t words);

/**
 * spapr_fwnmi_guard_note: ibm,nmi-register succeeded for @sreset/@mce:
 * snapshot both handlers' windows. BQL held.
 */
void spapr_fwnmi_guard_note(SpaprMachineState *spapr, uint64_t sreset, uint64_t mce);

/**
 * spapr_fwnmi_guard_check: before entering a registered handler for
 * @event ("machine-check" or "system-reset"): true when the registration
 * is stale, in which case it has been dropped (both addresses cleared),
 * the reason recorded for query-fwnmi, a warning printed and a "fwnmi"
 * trace point emitted; the caller then delivers architecturally. BQL held.
 */
bool spapr_fwnmi_guard_check(SpaprMachineState *spapr, const char *event);

/**
 * spapr_fwnmi_guard_kernel_start: a kernel is starting up (@what, e.g.
 * "H_REGISTER_PROC_TBL"): a registration made before it is stale and is
 * dropped, recorded and reported as for an overwritten handler (not while
 * the interlock is held or machine checks wait, as above). BQL held.
 */
void spapr_fwnmi_guard_kernel_start(SpaprMachineState *spapr, const char *what);

#endif
