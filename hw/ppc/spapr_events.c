/*
 * Events (QEMU keeps the same in its spapr_events.c): the RTAS error log
 * encoder for FWNMI machine checks (pure functions, see
 * include/hw/ppc/spapr_events.h), the RTAS event calls event-scan and
 * check-exception, and the machine-check request every source goes
 * through (spapr_mce_req_event(), declared in spapr_fwnmi.h).
 *
 * Layout references are to LoPAPR "RTAS Error/Event Return Format"
 * (LoPAR sec_rtas_error_reporting_return_format): the fixed part, the
 * "General Extended Event Log Format, Version 6", and the Platform Event
 * Log sections Main-A, Main-B and "Failing Memory Address" ('MC').
 */
#include "hw/ppc/spapr_events.h"

#include <errno.h>
#include <string.h>
#include <glib.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_fwnmi_journal.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/monitor.h"

/* Wire types: big-endian whatever the host; convert only at assignment. */
typedef uint16_t be16;
typedef uint32_t be32;
typedef uint64_t be64;

#define SPAPR_PACKED __attribute__((packed))

/* Fixed part (LoPAPR "RTAS Event Return Format (Fixed Part)") */
typedef struct SPAPR_PACKED RtasErrorLogFixed {
    be32 summary;               /* RTAS_LOG_* in spapr_events.h */
    be32 extended_length;       /* bytes after this word */
} RtasErrorLogFixed;
_Static_assert(sizeof(RtasErrorLogFixed) == 8, "fixed part");

/* "RTAS General Extended Event Log Format, Version 6", bytes 0-15 */
typedef struct SPAPR_PACKED RtasLogV6 {
    uint8_t b0;
#define RTAS_LOG_V6_B0_VALID            0x80
#define RTAS_LOG_V6_B0_NEW_LOG          0x04
#define RTAS_LOG_V6_B0_BIGENDIAN        0x02
    uint8_t b1;                 /* reserved */
    uint8_t b2;
#define RTAS_LOG_V6_B2_POWERPC_FORMAT   0x80
#define RTAS_LOG_V6_B2_LOG_FORMAT_PLATFORM_EVENT 0x0E
    uint8_t reserved[9];        /* byte 3 and bytes 4-11 */
    be32 company;
#define RTAS_LOG_V6_COMPANY_IBM         0x49424D00  /* "IBM\0" */
} RtasLogV6;
_Static_assert(sizeof(RtasLogV6) == 16, "v6 header");

/* Header common to every Platform Event Log section */
typedef struct SPAPR_PACKED RtasSectionHeader {
    be16 section_id;            /* two ASCII characters */
    be16 section_length;        /* including this header */
    uint8_t section_version;
    uint8_t section_subtype;
    be16 creator_component_id;
} RtasSectionHeader;
_Static_assert(sizeof(RtasSectionHeader) == 8, "section header");

/*
 * Main-A, Private Header (LoPAPR "Platform Event Log Format, Main-A
 * Section"). Offsets follow that table and agree with QEMU's
 * struct rtas_event_log_v6_maina; the only difference is that QEMU stores
 * plid in host order, where we byte-swap it like every other field.
 */
typedef struct SPAPR_PACKED RtasLogV6MainA {
    RtasSectionHeader hdr;
#define RTAS_LOG_V6_SECTION_ID_MAINA    0x5048  /* "PH" */
    be32 creation_date;         /* 0x08: BCD YYYYMMDD */
    be32 creation_time;         /* 0x0C: BCD HHMMSSCC (CC: hundredths) */
    uint8_t platform1[8];       /* 0x10 */
    char creator_id;            /* 0x18 */
#define RTAS_LOG_V6_MAINA_CREATOR_HYPERVISOR 'H'
    uint8_t reserved1[2];       /* 0x19 */
    uint8_t section_count;      /* 0x1B: including this section */
    uint8_t reserved2[4];       /* 0x1C */
    uint8_t platform2[8];       /* 0x20 */
    be32 plid;                  /* 0x28: platform log id */
    uint8_t platform3[4];       /* 0x2C */
} RtasLogV6MainA;
_Static_assert(sizeof(RtasLogV6MainA) == 48, "Main-A");

/* Main-B, User Header (LoPAPR "Platform Event Log Format, Main-B Section") */
typedef struct SPAPR_PACKED RtasLogV6MainB {
    RtasSectionHeader hdr;
#define RTAS_LOG_V6_SECTION_ID_MAINB    0x5548  /* "UH" */
    uint8_t subsystem_id;       /* 0x08 */
#define RTAS_LOG_V6_MAINB_SUBSYSTEM_PROCESSOR 0x10  /* incl. internal cache */
    uint8_t platform1;          /* 0x09 */
    uint8_t event_severity;     /* 0x0A */
#define RTAS_LOG_V6_MAINB_SEV_RECOVERED      0x10  /* "Recovered Error, general" */
#define RTAS_LOG_V6_MAINB_SEV_UNRECOVERABLE  0x40  /* "Unrecoverable Error, general" */
    uint8_t event_subtype;      /* 0x0B */
#define RTAS_LOG_V6_MAINB_SUBTYPE_NOT_APPLICABLE 0x00
    uint8_t platform2[4];       /* 0x0C */
    uint8_t reserved1[2];       /* 0x10 */
    be16 action_flags;          /* 0x12 */
#define RTAS_LOG_V6_MAINB_ACTION_SERVICE     0x8000  /* service action required */
#define RTAS_LOG_V6_MAINB_ACTION_HIDDEN      0x4000
#define RTAS_LOG_V6_MAINB_ACTION_REPORT_EXT  0x2000  /* report externally */
    uint8_t reserved2[4];       /* 0x14 */
} RtasLogV6MainB;
_Static_assert(sizeof(RtasLogV6MainB) == 24, "Main-B");

/*
 * 'MC' section (LoPAPR "Platform Event Log Format, Failing Memory
 * Address"). Its table says length 32 but the overview and the layout
 * (logical address at 0x20) need 40; QEMU and Linux use 40.
 */
typedef struct SPAPR_PACKED RtasLogV6Mc {
    RtasSectionHeader hdr;
#define RTAS_LOG_V6_SECTION_ID_MC       0x4D43  /* "MC" */
    be32 fru_id;                /* 0x08 */
    be32 proc_id;               /* 0x0C */
    uint8_t error_type;         /* 0x10: MC_ERROR_TYPE_* */
    uint8_t sub_err_type;       /* 0x11: subtype | MC_*_PROVIDED */
    uint8_t reserved[6];        /* 0x12 */
    be64 effective_address;     /* 0x18 */
    be64 logical_address;       /* 0x20: UE only; reserved otherwise */
} RtasLogV6Mc;
_Static_assert(sizeof(RtasLogV6Mc) == 40, "MC");

/* The whole log as spapr_elog_build_mce() writes it */
typedef struct SPAPR_PACKED SpaprMceLog {
    RtasErrorLogFixed fixed;
    RtasLogV6 v6;
    RtasLogV6MainA maina;
    RtasLogV6MainB mainb;
    RtasLogV6Mc mc;
} SpaprMceLog;
_Static_assert(sizeof(SpaprMceLog) == SPAPR_ELOG_MCE_LEN, "MCE log");

/*
 * Classification tables: the same decoding of SRR1/DSISR as QEMU's pseries
 * machine (spapr_mce_get_elog_type), as data. SRR1 bit 42 selects
 * the D side; otherwise SRR1 & SRR1_MC_IFETCH_MASK names the I-side cause.
 * Bit 36 is part of the mask, so causes that set it match no entry.
 */

typedef struct MceCause {
    uint64_t value;             /* SRR1 cause value, or one DSISR bit */
    uint8_t error_type;
    uint8_t subtype;
    bool ea_provided;
} MceCause;

/* I side: the EA is the interrupted NIP. */
static const MceCause mce_iside[] = {
    { 0x00040000, MC_ERROR_TYPE_UE,   MC_ERROR_UE_IFETCH,       true },
    { 0x00080000, MC_ERROR_TYPE_SLB,  MC_ERROR_SLB_PARITY,      true },
    { 0x000C0000, MC_ERROR_TYPE_SLB,  MC_ERROR_SLB_MULTIHIT,    true },
    { 0x00100000, MC_ERROR_TYPE_ERAT, MC_ERROR_ERAT_MULTIHIT,   true },
    { 0x00140000, MC_ERROR_TYPE_TLB,  MC_ERROR_TLB_MULTIHIT,    true },
    { 0x00180000, MC_ERROR_TYPE_UE,   MC_ERROR_UE_PAGE_TABLE_WALK_IFETCH, true },
};

/* D side: DSISR bits in priority order, first match wins; EA is DAR. */
static const MceCause mce_dside[] = {
    { 0x8000, MC_ERROR_TYPE_UE,   MC_ERROR_UE_LOAD_STORE,   false },
    { 0x4000, MC_ERROR_TYPE_UE,   MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE, true },
    { 0x0800, MC_ERROR_TYPE_ERAT, MC_ERROR_ERAT_MULTIHIT,   true },
    { 0x0400, MC_ERROR_TYPE_TLB,  MC_ERROR_TLB_MULTIHIT,    true },
    { 0x0080, MC_ERROR_TYPE_SLB,  MC_ERROR_SLB_MULTIHIT,    true },
    { 0x0100, MC_ERROR_TYPE_SLB,  MC_ERROR_SLB_PARITY,      true },
};

SpaprMceClass spapr_mce_classify(const SpaprMceInfo *mce)
{
    bool dside = mce->srr1 & SRR1_MC_LOADSTORE;
    const MceCause *found = NULL;
    SpaprMceClass c = {
        .error_type = MC_ERROR_TYPE_UE,
        .subtype = MC_ERROR_UE_INDETERMINATE,
    };

    if (dside) {
        for (size_t i = 0; i < G_N_ELEMENTS(mce_dside) && !found; i++) {
            if (mce->dsisr & mce_dside[i].value) {
                found = &mce_dside[i];
            }
        }
    } else {
        uint64_t cause = mce->srr1 & SRR1_MC_IFETCH_MASK;
        for (size_t i = 0; i < G_N_ELEMENTS(mce_iside) && !found; i++) {
            if (cause == mce_iside[i].value) {
                found = &mce_iside[i];
            }
        }
    }
    if (found) {
        c.error_type = found->error_type;
        c.subtype = found->subtype;
        c.matched = true;
        c.ea_valid = found->ea_provided;
    }
    /* A source that knows the exact EA always reports it. */
    c.ea_valid |= mce->ea_known;
    if (c.ea_valid) {
        c.ea = dside ? mce->dar : mce->nip;
    }
    return c;
}

const char *spapr_mce_error_type_name(uint8_t error_type)
{
    static const char *const names[] = {
        [MC_ERROR_TYPE_UE] = "UE",
        [MC_ERROR_TYPE_SLB] = "SLB",
        [MC_ERROR_TYPE_ERAT] = "ERAT",
        [MC_ERROR_TYPE_TLB] = "TLB",
        [MC_ERROR_TYPE_D_CACHE] = "D-Cache",
        [MC_ERROR_TYPE_I_CACHE] = "I-Cache",
    };

    if (error_type < G_N_ELEMENTS(names) && names[error_type]) {
        return names[error_type];
    }
    return "Unknown";
}

/*
 * Linux (arch/powerpc/platforms/pseries/ras.c) masks the subtype out of
 * sub_err_type and maps reserved values to "Indeterminate"; the words are
 * those of machine_check_print_event_info().
 */
const char *spapr_mce_subtype_name(uint8_t error_type, uint8_t subtype)
{
    static const char *const ue[] = {
        [MC_ERROR_UE_INDETERMINATE] = "Indeterminate",
        [MC_ERROR_UE_IFETCH] = "Instruction fetch",
        [MC_ERROR_UE_PAGE_TABLE_WALK_IFETCH] = "Page table walk ifetch",
        [MC_ERROR_UE_LOAD_STORE] = "Load/Store",
        [MC_ERROR_UE_PAGE_TABLE_WALK_LOAD_STORE] = "Page table walk Load/Store",
    };
    static const char *const slb[4] = {
        [MC_ERROR_SLB_PARITY] = "Parity",
        [MC_ERROR_SLB_MULTIHIT] = "Multihit",
    };
    static const char *const erat_tlb[4] = {   /* same for ERAT and TLB */
        [MC_ERROR_ERAT_PARITY] = "Parity",
        [MC_ERROR_ERAT_MULTIHIT] = "Multihit",
    };
    const char *name = NULL;

    switch (error_type) {
    case MC_ERROR_TYPE_UE:
        subtype &= 7;
        name = subtype < G_N_ELEMENTS(ue) ? ue[subtype] : NULL;
        break;
    case MC_ERROR_TYPE_SLB:
        name = slb[subtype & 3];
        break;
    case MC_ERROR_TYPE_ERAT:
    case MC_ERROR_TYPE_TLB:
        name = erat_tlb[subtype & 3];
        break;
    case MC_ERROR_TYPE_D_CACHE:
    case MC_ERROR_TYPE_I_CACHE:
        return "Unknown";
    default:
        return "";
    }
    return name ? name : "Indeterminate";
}

static uint32_t bcd2(int v)
{
    unsigned u = (unsigned)v % 100;

    return (u / 10) << 4 | u % 10;
}

static void section_header(RtasSectionHeader *h, uint16_t id, uint16_t len)
{
    h->section_id = GUINT16_TO_BE(id);
    h->section_length = GUINT16_TO_BE(len);
    h->section_version = 1;
    h->section_subtype = 0;
    h->creator_component_id = 0;
}

int spapr_elog_build_mce(const SpaprMceInfo *mce, const SpaprElogTime *when,
                         uint32_t plid, uint8_t *buf, size_t len)
{
    SpaprMceClass c;
    SpaprMceLog log;
    uint8_t flags = 0;

    if (len < sizeof(log)) {
        return -ENOSPC;
    }
    c = spapr_mce_classify(mce);
    memset(&log, 0, sizeof(log));   /* reserved fields are zero (LoPAPR) */

    /*
     * Summary word. A machine check is a synchronous error, so severity is
     * ERROR_SYNC even when no table entry matched (QEMU leaves 0 =
     * NO_ERROR there, which LoPAPR says makes the rest of the log invalid).
     * Type 0 ("Other") and target 0 as QEMU: type "Platform Error" (224)
     * would oblige a Primary SRC section (requirement 4a), and Linux does
     * not look at the type.
     */
    log.fixed.summary = GUINT32_TO_BE(RTAS_LOG_VERSION_6 |
        RTAS_LOG_SEVERITY_ERROR_SYNC |
        (mce->recovered ? RTAS_LOG_DISPOSITION_FULLY_RECOVERED
                        : RTAS_LOG_DISPOSITION_NOT_RECOVERED) |
        RTAS_LOG_OPTIONAL_PART_PRESENT | RTAS_LOG_INITIATOR_CPU);
    log.fixed.extended_length = GUINT32_TO_BE(sizeof(log) - sizeof(log.fixed));

    /*
     * Byte 0 also has recoverable (0x20) / unrecoverable (0x40) bits; like
     * QEMU we leave them clear: the disposition already says it.
     */
    log.v6.b0 = RTAS_LOG_V6_B0_VALID | RTAS_LOG_V6_B0_NEW_LOG |
                RTAS_LOG_V6_B0_BIGENDIAN;
    log.v6.b2 = RTAS_LOG_V6_B2_POWERPC_FORMAT |
                RTAS_LOG_V6_B2_LOG_FORMAT_PLATFORM_EVENT;
    log.v6.company = GUINT32_TO_BE(RTAS_LOG_V6_COMPANY_IBM);

    /*
     * LoPAPR "General Extended Event Log Format, Version 6", requirement 3:
     * every v6 platform event log carries Main-A and Main-B.
     */
    section_header(&log.maina.hdr, RTAS_LOG_V6_SECTION_ID_MAINA,
                   sizeof(log.maina));
    log.maina.creation_date = GUINT32_TO_BE(bcd2(when->year / 100) << 24 |
        bcd2(when->year) << 16 | bcd2(when->month) << 8 | bcd2(when->day));
    log.maina.creation_time = GUINT32_TO_BE(bcd2(when->hour) << 24 |
        bcd2(when->minute) << 16 | bcd2(when->second) << 8 |
        bcd2(when->centisecond));
    log.maina.creator_id = RTAS_LOG_V6_MAINA_CREATOR_HYPERVISOR;
    log.maina.section_count = 3;                /* PH, UH, MC */
    log.maina.plid = GUINT32_TO_BE(plid);

    /*
     * Main-B. Severity: LoPAPR's "Recovered Error, general" (0x10) or
     * "Unrecoverable Error, general" (0x40). Event subtype 0 is "not
     * applicable", the value for error events. Action flags: a recovered
     * error needs no service (LoPAPR suggests "Hidden" there, but partition
     * firmware must not pass hidden logs to the OS, and this log goes
     * straight to the OS), so only "Report Externally"; an unrecoverable
     * one also sets "Service Action Required", as LoPAPR asks for service
     * after an unrecoverable error (ppc64-diag marks it serviceable).
     */
    section_header(&log.mainb.hdr, RTAS_LOG_V6_SECTION_ID_MAINB,
                   sizeof(log.mainb));
    log.mainb.subsystem_id = RTAS_LOG_V6_MAINB_SUBSYSTEM_PROCESSOR;
    log.mainb.event_subtype = RTAS_LOG_V6_MAINB_SUBTYPE_NOT_APPLICABLE;
    if (mce->recovered) {
        log.mainb.event_severity = RTAS_LOG_V6_MAINB_SEV_RECOVERED;
        log.mainb.action_flags = GUINT16_TO_BE(RTAS_LOG_V6_MAINB_ACTION_REPORT_EXT);
    } else {
        log.mainb.event_severity = RTAS_LOG_V6_MAINB_SEV_UNRECOVERABLE;
        log.mainb.action_flags = GUINT16_TO_BE(RTAS_LOG_V6_MAINB_ACTION_SERVICE |
                                               RTAS_LOG_V6_MAINB_ACTION_REPORT_EXT);
    }

    /*
     * 'MC'. The flag bits differ by type (LoPAPR "UE/SLB Error
     * Information"): UE has EA and logical-address flags, SLB/ERAT/TLB
     * only an EA flag, and for them offset 0x20 is reserved (kept zero).
     */
    section_header(&log.mc.hdr, RTAS_LOG_V6_SECTION_ID_MC, sizeof(log.mc));
    log.mc.error_type = c.error_type;
    if (c.error_type == MC_ERROR_TYPE_UE) {
        if (c.ea_valid) {
            flags |= MC_UE_EA_PROVIDED;
        }
        if (mce->ra_known) {
            flags |= MC_UE_LA_PROVIDED;
            log.mc.logical_address = GUINT64_TO_BE(mce->ra);
        }
    } else if (c.ea_valid) {
        flags |= MC_EA_PROVIDED;
    }
    if (c.ea_valid) {
        log.mc.effective_address = GUINT64_TO_BE(c.ea);
    }
    log.mc.sub_err_type = c.subtype | flags;

    memcpy(buf, &log, sizeof(log));
    return sizeof(log);
}

SpaprElogTime spapr_elog_time_now(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    SpaprElogTime t = {
        .year = g_date_time_get_year(now),
        .month = g_date_time_get_month(now),
        .day = g_date_time_get_day_of_month(now),
        .hour = g_date_time_get_hour(now),
        .minute = g_date_time_get_minute(now),
        .second = g_date_time_get_second(now),
        .centisecond = g_date_time_get_microsecond(now) / 10000,
    };

    g_date_time_unref(now);
    return t;
}

/* ---- RTAS event reporting and the machine-check request ---- */

/*
 * event-scan / check-exception (LoPAPR 7.3.3, 7.3.4): the buffer must be
 * guest RAM. The only events reported are the machine-check logs of an
 * earlier boot's fatal error (the FWNMI journal hands each over once, as
 * an internal error, byte for byte as the dying boot received it);
 * otherwise "no errors found".
 */
#define RTAS_EVENT_INTERNAL_ERROR   0x80000000u

static void rtas_answer_event(SpaprMachineState *spapr, SpaprRtasCall *call,
                              uint32_t mask_arg, uint32_t buf_arg, FwnmiJournalVia via)
{
    uint64_t buf = call->args[buf_arg], len = call->args[buf_arg + 1];
    uint8_t log[RTAS_ERROR_LOG_MAX];

    if (!guest_range_valid(&spapr->ram, buf, len)) {
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    if (call->args[mask_arg] & RTAS_EVENT_INTERNAL_ERROR) {
        size_t n = spapr_fwnmi_journal_take_handover(spapr, via, log,
                                                     MIN(len, (uint64_t)sizeof(log)));
        if (n) {
            guest_write(&spapr->ram, buf, log, n);
            call->rets[0] = RTAS_OUT_SUCCESS;
            return;
        }
    }
    call->rets[0] = RTAS_OUT_NO_ERRORS_FOUND;
}

static void rtas_event_scan(SpaprMachineState *spapr, PowerPCCPU *cpu,
                            SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 4, 1)) {
        return;
    }
    rtas_answer_event(spapr, call, 0, 2, FWNMI_JVIA_EVENT_SCAN);
}

static void rtas_check_exception(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                 SpaprRtasCall *call)
{
    /* 6 arguments, or 7 with the extended-information argument */
    if (call->nargs == 7 && call->nret == 1) {
        call->nargs = 6;
    }
    if (!spapr_rtas_check_args(call, 6, 1)) {
        return;
    }
    rtas_answer_event(spapr, call, 2, 4, FWNMI_JVIA_CHECK_EXCEPTION);
}

void spapr_events_register_rtas(void)
{
    spapr_rtas_register(RTAS_CHECK_EXCEPTION, "check-exception", rtas_check_exception);
    spapr_rtas_register(RTAS_EVENT_SCAN, "event-scan", rtas_event_scan);
}

/*
 * A machine check for @cpu, from any source (the vCPU's own access, an
 * injection, KVM's NMI exit): the FWNMI state machine disposes of it
 * (spapr_fwnmi.c) and the monitors hear of the result.
 */
SpaprMceResult spapr_mce_req_event(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                   const SpaprMceInfo *info)
{
    SpaprMceResult r = spapr_fwnmi_mce_request(spapr, cpu, info);
    monitor_fwnmi_mce_result(spapr, cpu, info, r);   /* QMP FWNMI_MACHINE_CHECK */
    return r;
}
