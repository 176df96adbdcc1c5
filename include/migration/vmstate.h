/*
 * Per-device migration sections: each device saves its state into a
 * payload (MigBuf) and loads it back from one (MigCursor), next to the
 * device's code. migration/savevm.c holds the registry that orders the
 * sections on the wire and dispatches them by name on load.
 *
 * Sections (name, version, instance):
 *   config  1 0     -m, -smp, caps: checked first, a mismatch is refused
 *   ram     1 0     runs of pages (migration/ram.c), zero pages as markers
 *   machine 1 0     run state, clock, RTAS/FDT placement, radix registration
 *   cpu     1 N     vCPU N's registers, SPRs, decrementer, reservation, run state
 *   xics    1 0     every ICP and ICS source (hw/intc/xics.c)
 *   console 1 0     console input not yet read by the guest
 *   fwnmi   1 0     registration, interlock holder, queue, counters
 *                   (hw/ppc/spapr_fwnmi_vmstate.c)
 *
 * Every save/load runs with the BQL held and no vCPU executing; loads
 * return 0 or -1 with a one-line @error naming the section.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include "migration/stream.h"

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;
typedef struct XicsState XicsState;

void ppc_cpu_vmstate_save(PowerPCCPU *cpu, MigBuf *b);
int ppc_cpu_vmstate_load(PowerPCCPU *cpu, MigCursor *c, GError **error);

void xics_vmstate_save(const XicsState *xics, MigBuf *b);
int xics_vmstate_load(XicsState *xics, MigCursor *c, GError **error);

void spapr_fwnmi_vmstate_save(SpaprMachineState *spapr, MigBuf *b);
/** Loads and validates; on success the holder's delivery is re-armed. */
int spapr_fwnmi_vmstate_load(SpaprMachineState *spapr, MigCursor *c, GError **error);

/**
 * mig_save_config / mig_check_config: the machine configuration; the check
 * refuses a destination started differently, e.g.
 * "-smp: the source has 4 vCPUs, this machine 2".
 */
void mig_save_config(SpaprMachineState *spapr, MigBuf *b);
int mig_check_config(SpaprMachineState *spapr, MigCursor *c, GError **error);

/**
 * mig_save_devices: every section after RAM (machine, cpus, xics, console,
 * fwnmi) onto @s. 0 or -1 with @error.
 */
int mig_save_devices(SpaprMachineState *spapr, MigStream *s, GError **error);

/**
 * mig_load_stream: read a whole stream into @spapr (header, config first,
 * every section, end marker) and check that every mandatory section came.
 * On failure the machine is left half loaded and must not run.
 * Returns 0 or -1 with @error. *@was_running: the source's run state.
 * With @take_bql, sections are read without the BQL and applied with it
 * (the incoming thread); otherwise the caller owns the machine.
 */
int mig_load_stream(SpaprMachineState *spapr, MigStream *s, bool take_bql,
                    bool *was_running, GError **error);

/**
 * mig_save_stream: a whole stream of a stopped machine (header, config,
 * all RAM, devices, end). For save to a file and tests.
 */
int mig_save_stream(SpaprMachineState *spapr, MigStream *s, GError **error);

#endif
