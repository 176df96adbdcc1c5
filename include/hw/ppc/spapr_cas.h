/*
 * ibm,client-architecture-support (CAS, LoPAPR B.6.2.3): what the guest
 * asks for in option vector 5 and what the machine grants. The VMM
 * emulates the radix MMU with guest TLB invalidation (GTSE) and the XICS
 * interrupt controller only, so a guest that cannot run that way is
 * refused and the answer is always exactly that.
 *
 * Two callers negotiate: VOF's call-method (x-vof=on, hw/ppc/spapr_vof.c)
 * and SLOF's KVMPPC_H_CAS hypercall (hw/ppc/spapr_hcall_cas.c). The
 * result lives in SpaprMachineState.cas, which the device-tree builder
 * (hw/ppc/spapr_fdt.c) reads for /chosen/ibm,architecture-vec-5.
 *
 * Locking: SpaprCasState is guarded by the BQL (hypercalls run with it
 * held; reset runs with it held and no vCPU executing).
 */
#ifndef HW_PPC_SPAPR_CAS_H
#define HW_PPC_SPAPR_CAS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Option vector 5 as a byte array indexed like Linux's OV5_INDX (byte 0
 * is the vector's length byte, the first option byte is 1), so the
 * bytes that matter here are at their LoPAPR numbers:
 *   byte 23 (OV5_XIVE_SUPPORT)  0     XICS, not XIVE
 *   byte 24 (OV5_MMU_SUPPORT)   0x40  radix only (OV5_MMU_RADIX)
 *   byte 26 (OV5_RADIX_GTSE)    0x40  the guest issues tlbie itself
 */
#define SPAPR_OV5_LEN           27
#define SPAPR_OV5_INTC_BYTE     23
#define SPAPR_OV5_MMU_BYTE      24
#define   SPAPR_OV5_MMU_RADIX   0x40
#define SPAPR_OV5_RADIX_BYTE    26
#define   SPAPR_OV5_RADIX_GTSE  0x40

/* QEMU's private hypercall numbers for SLOF */
#define KVMPPC_H_CAS            0xF002
#define KVMPPC_H_UPDATE_DT      0xF003

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

typedef struct SpaprCasState {
    bool done;                      /* a CAS succeeded since reset (false: none) */
    uint8_t ov5[SPAPR_OV5_LEN];     /* the answer granted; valid when done */
    /* SLOF's device-tree exchange (hw/ppc/spapr_hcall_cas.c): */
    uint32_t fdt_initial_size;      /* bytes of the last tree given to the firmware
                                     * (reset or CAS): bounds H_UPDATE_DT, as QEMU */
    void *fw_fdt;                   /* SLOF's tree from H_UPDATE_DT (NULL: none) */
} SpaprCasState;

/**
 * spapr_cas_negotiate: read option vector 5 from the guest's CAS table at
 * guest physical @vec (PVR mask/value pairs, then the option vectors) and
 * decide. Returns 0 with @answer filled and spapr->cas updated, -EFAULT
 * when the table or its vector 5 is missing or outside guest RAM (a guest
 * error, traced), -ENOTSUP when the guest asks for what the machine does
 * not emulate (hash MMU, no GTSE: reported with error_report). BQL held.
 */
int spapr_cas_negotiate(SpaprMachineState *spapr, uint64_t vec,
                        uint8_t answer[SPAPR_OV5_LEN]);

/**
 * spapr_cas_ov5: the vector 5 to advertise now: the negotiated answer
 * after a CAS, before one what CAS would grant (the same bytes: the
 * machine offers one configuration). BQL held.
 */
void spapr_cas_ov5(const SpaprMachineState *spapr, uint8_t ov5[SPAPR_OV5_LEN]);

/**
 * spapr_dt_cas_chosen: write /chosen's ibm,architecture-vec-5 (what Linux
 * reads after boot, early_check_vec5) and ibm,arch-vec-5-platform-support
 * (what prom_init reads before asking, prom_check_platform_support) into
 * @fdt, which is being built with libfdt's sequential-write calls and is
 * inside the /chosen node.
 */
void spapr_dt_cas_chosen(const SpaprMachineState *spapr, void *fdt);

/** spapr_cas_reset: forget the negotiation and SLOF's tree (machine reset). */
void spapr_cas_reset(SpaprCasState *cas);

/**
 * spapr_cas_hcall: KVMPPC_H_CAS and KVMPPC_H_UPDATE_DT, the hypercalls
 * SLOF makes for Linux (hw/ppc/spapr_hcall_cas.c), with their arguments
 * in @cpu's r4-r6. TRUE with *@ret set (H_SUCCESS, H_PARAMETER or
 * H_HARDWARE) when @opcode is one of them, FALSE otherwise. BQL held.
 */
bool spapr_cas_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode,
                     int64_t *ret);

#endif
