/*
 * FWNMI (LoPAPR "FWNMI Option"): ibm,nmi-register / ibm,nmi-interlock,
 * machine-check delivery to the registered handler through a VMM-owned
 * error-log buffer, and system reset through the registered handler.
 *
 * All FWNMI state lives in SpaprFwnmiState so that it can be saved and
 * restored as one piece. It is guarded by the BQL: every entry point below
 * is called with the BQL held (RTAS calls, qtest, monitor, vCPU hooks).
 *
 * One error at a time: the vCPU that was handed the log buffer holds the
 * interlock until it calls ibm,nmi-interlock; machine checks for other vCPUs
 * wait in `pending` (in arrival order, never lost) and are delivered one at
 * a time afterwards. A vCPU with a machine check pending executes nothing
 * until it is delivered (as if it were held in firmware), except that the
 * holder always runs once its handler was entered, so it can interlock.
 * A vCPU has at most one machine check outstanding, from its arrival to
 * its interlock: another one for it meanwhile (queued, being delivered or
 * being handled) is nested.
 */
#ifndef HW_PPC_SPAPR_FWNMI_H
#define HW_PPC_SPAPR_FWNMI_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "hw/ppc/spapr_events.h"
#include "hw/ppc/spapr_fwnmi_stale.h"

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

#define FWNMI_ADDR_NONE      ((uint64_t)-1)
#define FWNMI_HOLDER_NONE    (-1)
/* LoPAPR: handlers must be real addresses within the first 32 MiB */
#define FWNMI_HANDLER_LIMIT  (32ULL << 20)

/** One machine check waiting for the interlock (or being delivered). */
typedef struct SpaprMceRequest {
    int cpu_index;
    SpaprMceInfo info;
    uint64_t seq;               /* arrival number, for ordering and tracing */
} SpaprMceRequest;

/*
 * Every request ends as exactly one of delivered, legacy, nested, ignored
 * or dropped; until then it is outstanding (queued, or assigned and not
 * yet entered, or an architected delivery not yet made):
 *   requests == delivered + legacy + nested + ignored + dropped + outstanding
 */
typedef struct SpaprFwnmiCounters {
    uint64_t requests;          /* spapr_mce_req_event() calls */
    uint64_t delivered;         /* FWNMI deliveries (handler entered) */
    uint64_t legacy;            /* architected 0x200 deliveries made */
    uint64_t queued;            /* requests that had to wait for the interlock */
    uint64_t nested;            /* nested machine checks (ignored or fatal) */
    uint64_t ignored;           /* for a stopped vCPU: nobody to deliver to */
    uint64_t interlocks;        /* successful releases by the holder */
    uint64_t sresets;           /* system resets through the registered handler */
    uint64_t dropped;           /* outstanding requests dropped by machine reset */
    uint64_t deferred;          /* deliveries that waited for MSR[RI]=1 */
    uint64_t unrecoverable;     /* injected ones delivered with MSR[RI]=0 all the same */
    uint64_t stale;             /* found the registration stale: went to 0x200 (in legacy) */
} SpaprFwnmiCounters;

typedef struct SpaprFwnmiState {
    uint64_t sreset_addr;       /* FWNMI_ADDR_NONE: not registered */
    uint64_t mce_addr;          /* FWNMI_ADDR_NONE: not registered */
    int interlock_holder;       /* vCPU index or FWNMI_HOLDER_NONE */
    bool holder_entered;        /* the holder's handler has been entered */
    /* The holder's machine check (valid while interlock_holder is set):
     * kept so that an assigned, not yet entered one can migrate. */
    SpaprMceRequest holder_req;
    /*
     * An injected (asynchronous) machine check assigned to the holder
     * that waits for the holder to reach MSR[RI]=1 (see spapr_fwnmi.c);
     * NULL otherwise. The holder runs meanwhile.
     */
    struct FwnmiDelivery *deferred;
    int64_t deferred_deadline_us;   /* delivered anyway after this (host time) */
    GQueue pending;             /* SpaprMceRequest*, arrival order */
    uint64_t next_seq;
    uint32_t next_plid;         /* platform log id for the next log */
    SpaprFwnmiCounters count;
    SpaprFwnmiGuard guard;      /* stale-registration detection (spapr_fwnmi_stale.h) */
} SpaprFwnmiState;

/** How spapr_mce_req_event() disposed of a machine check. */
typedef enum SpaprMceResult {
    SPAPR_MCE_DELIVERED,        /* to the FWNMI handler (or being delivered) */
    SPAPR_MCE_LEGACY,           /* architected delivery to 0x200 */
    SPAPR_MCE_QUEUED,           /* waits for another vCPU's interlock */
    SPAPR_MCE_IGNORED,          /* nested but recovered: warned, not delivered */
    SPAPR_MCE_PANICKED,         /* nested and not recovered: guest panicked */
} SpaprMceResult;

/** Names used by qtest ("delivered", "legacy"...) and QMP events. */
const char *spapr_mce_result_name(SpaprMceResult r);

void spapr_fwnmi_init(SpaprFwnmiState *fwnmi);
/** spapr_fwnmi_reset: machine reset: clear registration, interlock, drop pending. */
void spapr_fwnmi_reset(SpaprMachineState *spapr);
/**
 * spapr_mce_req_event: a machine check for @cpu, from any source (qtest,
 * monitor, the software CPU, KVM). @info->srr1 holds the cause bits (only
 * SRR1_CAUSE_MASK bits are used; the rest come from the MSR at delivery).
 * Without cap-fwnmi or registration: architected 0x200 delivery.
 * BQL held. The register change happens on @cpu's thread (cpu_queue_work).
 * Defined in hw/ppc/spapr_events.c (where QEMU keeps it): it hands the
 * request to spapr_fwnmi_mce_request() and reports the result to the
 * monitors.
 */
SpaprMceResult spapr_mce_req_event(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                   const SpaprMceInfo *info);

/** spapr_fwnmi_mce_request: the FWNMI state machine's part of the above
 * (no monitor event). BQL held. */
SpaprMceResult spapr_fwnmi_mce_request(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                       const SpaprMceInfo *info);

/** spapr_fwnmi_release: the holder interlocked (ibm,nmi-interlock, in
 * hw/ppc/spapr_rtas.c): free the buffer, deliver the next waiting one. BQL held. */
void spapr_fwnmi_release(SpaprMachineState *spapr);

/**
 * spapr_system_reset_cpu: NMI (0x100) for @cpu: through the registered
 * system-reset handler (R3 saved in the vCPU's slot in the RTAS area) or
 * architected. BQL held.
 */
void spapr_system_reset_cpu(SpaprMachineState *spapr, PowerPCCPU *cpu);

/** spapr_fwnmi_cpu_waiting: @cpu has a machine check pending delivery (must not run). */
bool spapr_fwnmi_cpu_waiting(SpaprMachineState *spapr, PowerPCCPU *cpu);

/**
 * spapr_fwnmi_cpu_poll: on @cpu's thread between runs (BQL held): deliver a
 * deferred machine check once @cpu has MSR[RI]=1 or the deadline passed.
 */
void spapr_fwnmi_cpu_poll(SpaprMachineState *spapr, PowerPCCPU *cpu);

/**
 * spapr_fwnmi_post_load: after the FWNMI state was loaded from a migration
 * stream: a holder that had not entered its handler gets its delivery
 * queued again, held for MSR[RI]=1 again when @deferred (with a fresh
 * deadline). BQL held, vCPUs not executing.
 */
void spapr_fwnmi_post_load(SpaprMachineState *spapr, bool deferred);

/* How long an injected machine check may wait for MSR[RI]=1 (host time). */
#define FWNMI_RI_WAIT_US    20000

#endif
