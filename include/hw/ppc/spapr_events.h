/*
 * RTAS error log encoder (LoPAPR "RTAS Error Reporting Return Format",
 * version 6) for machine checks delivered through FWNMI.
 *
 * Pure functions: no machine state, no locking, no allocation. The result
 * is the exact byte image the guest reads; every multi-byte field is
 * big-endian whatever the guest's endianness.
 *
 * Log produced by spapr_elog_build_mce() (136 bytes):
 *   +0   fixed part (8): summary word, extended-log length (128)
 *   +8   v6 extended header (16): valid|new|big-endian, format 14, "IBM\0"
 *   +24  Main-A "PH" section (48): BCD creation date/time, section count 3
 *   +72  Main-B "UH" section (24): subsystem processor, severity, action
 *   +96  "MC" section (40): error type, subtype|flags, EA, LA
 */
#ifndef HW_PPC_SPAPR_EVENTS_H
#define HW_PPC_SPAPR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTAS_ERROR_LOG_MAX      2048
/* Bytes written by spapr_elog_build_mce(): 8 + 16 + 48 + 24 + 40 */
#define SPAPR_ELOG_MCE_LEN      136

/* Fixed part, summary word (LoPAPR bits 0:31) */
#define RTAS_LOG_VERSION_6              0x06000000U
#define RTAS_LOG_SEVERITY_MASK          0x00E00000U
#define   RTAS_LOG_SEVERITY_NO_ERROR        0x00000000U
#define   RTAS_LOG_SEVERITY_EVENT           0x00200000U
#define   RTAS_LOG_SEVERITY_WARNING         0x00400000U
#define   RTAS_LOG_SEVERITY_ERROR_SYNC      0x00600000U
#define   RTAS_LOG_SEVERITY_ERROR           0x00800000U
#define   RTAS_LOG_SEVERITY_FATAL           0x00A00000U
#define   RTAS_LOG_SEVERITY_ALREADY_REPORTED 0x00C00000U
#define RTAS_LOG_DISPOSITION_MASK       0x00180000U
#define   RTAS_LOG_DISPOSITION_FULLY_RECOVERED   0x00000000U
#define   RTAS_LOG_DISPOSITION_LIMITED_RECOVERY  0x00080000U
#define   RTAS_LOG_DISPOSITION_NOT_RECOVERED     0x00100000U
#define RTAS_LOG_OPTIONAL_PART_PRESENT  0x00040000U
#define RTAS_LOG_INITIATOR_MASK         0x0000F000U
#define   RTAS_LOG_INITIATOR_CPU            0x00001000U
#define RTAS_LOG_TARGET_MASK            0x00000F00U
#define RTAS_LOG_TYPE_MASK              0x000000FFU

/* "MC" section error types (LoPAPR, Linux MC_ERROR_TYPE_*) */
#define MC_ERROR_TYPE_UE        0x00
#define MC_ERROR_TYPE_SLB       0x01
#define MC_ERROR_TYPE_ERAT      0x02
#define MC_ERROR_TYPE_TLB       0x04
#define MC_ERROR_TYPE_D_CACHE   0x05
#define MC_ERROR_TYPE_I_CACHE   0x07

/* Subtypes, UE */
#define MC_ERROR_UE_INDETERMINATE           0
#define MC_ERROR_UE_IFETCH                  1
#define MC_ERROR_UE_PAGE_TABLE_WALK_IFETCH  2
#define MC_ERROR_UE_LOAD_STORE              3
#define MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE 4
/*
 * Subtypes, SLB / ERAT / TLB. These generic values are the SLB encoding
 * only: LoPAPR ("ERAT/TLB Error Information") numbers ERAT and TLB errors
 * from 1, as does Linux; use the per-type constants below.
 */
#define MC_ERROR_PARITY         0
#define MC_ERROR_MULTIHIT       1
#define MC_ERROR_INDETERMINATE  2
#define MC_ERROR_SLB_PARITY         0
#define MC_ERROR_SLB_MULTIHIT       1
#define MC_ERROR_SLB_INDETERMINATE  2
#define MC_ERROR_ERAT_PARITY        1
#define MC_ERROR_ERAT_MULTIHIT      2
#define MC_ERROR_ERAT_INDETERMINATE 3
#define MC_ERROR_TLB_PARITY         1
#define MC_ERROR_TLB_MULTIHIT       2
#define MC_ERROR_TLB_INDETERMINATE  3

/* sub_err_type flag bits */
#define MC_UE_EA_PROVIDED       0x40
#define MC_UE_LA_PROVIDED       0x20
#define MC_EA_PROVIDED          0x80   /* SLB, ERAT, TLB */

/** What the machine knows about one machine check. */
typedef struct SpaprMceInfo {
    uint64_t srr1;      /* SRR1 the guest sees (cause bits decide the class) */
    uint32_t dsisr;     /* D-side cause when SRR1 bit 42 is set */
    uint64_t dar;       /* D-side effective address */
    uint64_t nip;       /* interrupted NIP: the EA of I-side errors */
    bool recovered;     /* the platform fully recovered (disposition) */
    bool ea_known;      /* the source knows the EA exactly: always flag it */
    bool ra_known;      /* the real (logical) address below is known */
    uint64_t ra;
    bool synchronous;   /* raised by the vCPU's own access: delivered at once */
} SpaprMceInfo;

/** Creation time written in the PH section (host clock, UTC). */
typedef struct SpaprElogTime {
    int year, month, day, hour, minute, second, centisecond;
} SpaprElogTime;

/** Result of classifying a machine check from SRR1/DSISR. */
typedef struct SpaprMceClass {
    uint8_t error_type;     /* MC_ERROR_TYPE_* */
    uint8_t subtype;        /* MC_ERROR_* for that type */
    bool matched;           /* false: no table entry, reported as UE indeterminate */
    bool ea_valid;          /* EA is reported (with its flag) */
    uint64_t ea;
} SpaprMceClass;

/**
 * spapr_mce_classify: decide type, subtype and EA from SRR1/DSISR as
 * QEMU's pseries machine does (I-side table on SRR1 & 0x081c0000, D-side
 * DSISR bits in priority order when SRR1 bit 42 is set).
 */
SpaprMceClass spapr_mce_classify(const SpaprMceInfo *mce);

/** spapr_mce_error_type_name: "UE", "SLB", "ERAT", "TLB", "D-Cache", "I-Cache", "Unknown". */
const char *spapr_mce_error_type_name(uint8_t error_type);
/**
 * spapr_mce_subtype_name: Linux's wording ("Load/Store", "Multihit", ...).
 * @subtype may also be the raw sub_err_type byte: flag bits are masked off
 * as Linux does (& 7 for UE, & 3 for SLB/ERAT/TLB). Reserved values read
 * "Indeterminate"; D-/I-Cache give "Unknown" and unknown types "".
 * Never returns NULL.
 */
const char *spapr_mce_subtype_name(uint8_t error_type, uint8_t subtype);

/**
 * spapr_elog_build_mce: write the complete log (fixed + extended part) for
 * @mce, created at @when, with platform log id @plid, into @buf.
 * Returns the number of bytes written (SPAPR_ELOG_MCE_LEN), or -ENOSPC if
 * @len is smaller than that, in which case @buf is left untouched.
 */
int spapr_elog_build_mce(const SpaprMceInfo *mce, const SpaprElogTime *when,
                         uint32_t plid, uint8_t *buf, size_t len);

/** spapr_elog_time_now: the host's UTC time for the PH section. */
SpaprElogTime spapr_elog_time_now(void);

#endif
