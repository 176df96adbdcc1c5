/*
 * XICS on pseries: the PAPR hypercalls (H_CPPR, H_EOI, H_XIRR, H_XIRR_X,
 * H_IPI, H_IPOLL), the RTAS calls of the source controller (ibm,set-xive,
 * ibm,get-xive, ibm,int-on, ibm,int-off) and the /interrupt-controller
 * node Linux's icp_hv_init looks for. The state machines are in
 * include/hw/intc/xics.h; the controller is SpaprMachineState.xics.
 * Everything here runs with the BQL held.
 */
#ifndef HW_INTC_XICS_SPAPR_H
#define HW_INTC_XICS_SPAPR_H

#include <stdint.h>

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

/* Hypercall opcodes (LoPAPR 14.5.4.3) */
#define H_EOI               0x64
#define H_CPPR              0x68
#define H_IPI               0x6C
#define H_IPOLL             0x70
#define H_XIRR              0x74
#define H_XIRR_X            0x2FC

/* The console vty's source: QEMU's SPAPR_IRQ_VIO | (reg & 0xf) */
#define SPAPR_IRQ_VTY       0x1100

/* phandle of /interrupt-controller (QEMU's PHANDLE_INTC) */
#define SPAPR_XICS_PHANDLE  0x1111

/**
 * spapr_xics_hcall: run XICS hypercall @opcode (one of the H_ above) for
 * @cpu with its arguments in r4.., outputs in r4/r5. Returns the status
 * for r3: H_SUCCESS; H_PARAMETER for a server number without an ICP
 * (H_IPI, H_IPOLL) or an H_EOI of a source that does not exist (after
 * CPPR was updated, as KVM does).
 */
int64_t spapr_xics_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode);

/** spapr_xics_register_rtas: add the four ICS RTAS calls to the RTAS table. */
void spapr_xics_register_rtas(void);

/** spapr_dt_xics: write /interrupt-controller (sequential-write @fdt, inside /). */
void spapr_dt_xics(SpaprMachineState *spapr, void *fdt);

/**
 * spapr_vty_notify_input: console input arrived; fires the vty's source
 * (an MSI, as QEMU's spapr-vty pulses it). BQL held.
 */
void spapr_vty_notify_input(SpaprMachineState *spapr);

#endif
