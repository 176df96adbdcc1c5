/*
 * Virtual Open Firmware (-M pseries,x-vof=on): the VMM serves the Open
 * Firmware client interface Linux's prom_init uses, so the kernel boots
 * through prom_init and client-architecture-support without SLOF.
 *
 * The guest calls a 20-byte entry blob (pc-bios/spapr-vof) that makes the
 * KVMPPC_H_VOF_CLIENT hypercall with r4 = its argument block
 * { service name address, nargs, nret, args[nargs], rets[nret] }, all
 * 32-bit big-endian cells. The services walk and edit a private copy of
 * the machine's device tree (node handles are its phandles), open
 * instances (ihandles) for the console and nodes, and claim/release RAM.
 *
 * Locking: SpaprVofState lives in SpaprMachineState and is guarded by the
 * BQL, like the rest of it (hypercalls run with the BQL held).
 */
#ifndef HW_PPC_SPAPR_VOF_H
#define HW_PPC_SPAPR_VOF_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define KVMPPC_H_VOF_CLIENT     0xF005
#define SPAPR_VOF_BLOB_SIZE     20
/* The VOF area just below the device tree: the entry blob, then the
 * client's initial stack up to its end. */
#define SPAPR_VOF_AREA_SIZE     0x10000

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

typedef struct SpaprVofState {
    bool enabled;               /* -M pseries,x-vof=on */
    void *fdt;                  /* the tree the client sees and edits */
    GArray *claimed;            /* SpaprVofRange, sorted by start */
    GPtrArray *instances;       /* ihandle - 1 -> SpaprVofInstance */
    uint64_t entry;             /* client-interface entry (the blob) */
    uint64_t stack_top;         /* initial r1 */
} SpaprVofState;

/* The embedded entry blob (big-endian instructions). */
extern const uint8_t spapr_vof_blob[SPAPR_VOF_BLOB_SIZE];

/**
 * spapr_vof_reset: start a client session from @spapr->fdt: copy the tree,
 * give every node a phandle, open stdout into /chosen/stdout, claim the
 * kernel, initrd and VOF area, place the blob, and set the boot vCPU's
 * entry state (r3 = initrd, r4 = its size, r5 = the entry blob, r1 =
 * stack, 32-bit big-endian real mode). BQL held, no vCPU executing.
 */
void spapr_vof_reset(SpaprMachineState *spapr);
void spapr_vof_free(SpaprVofState *vof);

/**
 * spapr_vof_hcall: KVMPPC_H_VOF_CLIENT for @cpu (r4 = argument block).
 * Returns 0, or -1 when the block is not in RAM. BQL held.
 */
int64_t spapr_vof_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu);

#endif
