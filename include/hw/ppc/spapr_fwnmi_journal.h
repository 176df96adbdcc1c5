/*
 * FWNMI journal: a record of every machine check the VMM disposes of
 * (issue #14 items 3-5), kept in memory and, with
 * -machine pseries,fwnmi-journal=PATH, in a durable append-only file.
 *
 * File format, version 1 (every integer big-endian, CRC-32 as zlib's):
 *
 *   file header, 32 bytes:
 *     +0  "FWNMIJNL"        +8  u16 version (1)   +10 u16 header length (32)
 *     +12 u32 flags (0)     +16 u64 creation time (ns since the epoch)
 *     +24 u32 reserved (0)  +28 u32 CRC-32 of bytes 0..27
 *   then records, each:
 *     +0  u32 magic "FJRC"  +4  u16 record version (1)  +6 u16 type
 *     +8  u32 length of the whole record, CRC included (32 .. 4096)
 *     +12 u32 reserved (0)  +16 u64 sequence number (from 1, increasing)
 *     +24 payload           +length-4 u32 CRC-32 of bytes 0..length-5
 *
 *   type 1, machine check (payload 56 + log length):
 *     +0 u64 time (ns since the epoch)  +8 u64 boot   +16 u32 vCPU
 *     +20 u8 disposition (FwnmiJournalDisposition)    +21 u8 flags (bit 0:
 *     recovered)  +22 u16 log length (0 .. 2048)       +24 u64 SRR1
 *     +32 u64 DAR  +40 u64 NIP  +48 u32 DSISR  +52 u32 reserved
 *     +56 the raw RTAS error log, exactly as built for the guest
 *   type 2, fatal event (payload 24 + 8 * refs + reason length):
 *     +0 u64 time  +8 u64 boot  +16 u16 refs (1..4)  +18 u16 reason length
 *     (0..256)  +20 u32 reserved  +24 u64 sequence numbers of the machine
 *     check records involved, then the reason (bytes, no NUL)
 *   type 3, handed over (payload 32):
 *     +0 u64 time  +8 u64 boot it was handed to  +16 u64 sequence number of
 *     the machine-check record  +24 u32 how (1 event-scan, 2
 *     check-exception)  +28 u32 reserved
 *
 * "boot" numbers the guest's boots in this journal: at start-up it is one
 * more than the highest in the file, and every machine reset adds one.
 * The file is only ever appended to; a record is written whole with one
 * write() and fdatasync()ed before the guest runs again.
 *
 * Reading trusts nothing: a record counts only with the right magic,
 * version, a length in bounds, its CRC and a payload consistent with its
 * type. Bytes that are not a valid record are skipped (the reader looks
 * for the next valid one, so a corrupt record never hides the records
 * after it); a torn record at the end (the VMM killed mid-write) is
 * ignored and cut off, so that appends continue right after the last
 * valid record.
 *
 * Locking: SpaprFwnmiJournal is guarded by the BQL; every function below
 * except the pure format functions (parse, encode, crc) is called with it
 * held.
 */
#ifndef HW_PPC_SPAPR_FWNMI_JOURNAL_H
#define HW_PPC_SPAPR_FWNMI_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "hw/ppc/spapr_events.h"

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

#define FWNMI_JOURNAL_MAGIC         "FWNMIJNL"
#define FWNMI_JOURNAL_VERSION       1
#define FWNMI_JOURNAL_HEADER_LEN    32
#define FWNMI_JREC_MAGIC            0x464A5243u     /* "FJRC" */
#define FWNMI_JREC_VERSION          1
#define FWNMI_JREC_HDR_LEN          24
#define FWNMI_JREC_MIN_LEN          32
#define FWNMI_JREC_MAX_LEN          4096
#define FWNMI_JREC_LOG_MAX          2048
#define FWNMI_JREC_MCE_FIXED        56
#define FWNMI_JREC_MAX_REFS         4
#define FWNMI_JREC_REASON_MAX       256

typedef enum FwnmiJournalType {
    FWNMI_JREC_MCE = 1,
    FWNMI_JREC_FATAL = 2,
    FWNMI_JREC_HANDED_OVER = 3,
} FwnmiJournalType;

typedef enum FwnmiJournalDisposition {
    FWNMI_JDISP_DELIVERED = 1,      /* to the registered FWNMI handler */
    FWNMI_JDISP_LEGACY = 2,         /* architected 0x200 */
    FWNMI_JDISP_NESTED_IGNORED = 3, /* nested, recovered: not delivered */
    FWNMI_JDISP_NESTED_FATAL = 4,   /* nested, not recovered: guest panicked */
    FWNMI_JDISP_MAX = 4,
} FwnmiJournalDisposition;

#define FWNMI_JFLAG_RECOVERED       0x01

typedef enum FwnmiJournalVia {
    FWNMI_JVIA_EVENT_SCAN = 1,
    FWNMI_JVIA_CHECK_EXCEPTION = 2,
} FwnmiJournalVia;

/** One decoded record (any type; the fields of other types are zero). */
typedef struct FwnmiJournalRecord {
    uint16_t type;
    uint64_t seq;
    uint64_t time_ns;
    uint64_t boot;
    /* FWNMI_JREC_MCE */
    uint32_t cpu;
    uint8_t disposition;
    uint8_t flags;
    uint16_t log_len;
    uint64_t srr1, dar, nip;
    uint32_t dsisr;
    uint8_t *log;                   /* log_len bytes (g_malloc) or NULL */
    /* FWNMI_JREC_FATAL */
    uint16_t nrefs;
    uint64_t refs[FWNMI_JREC_MAX_REFS];
    char *reason;                   /* NUL-terminated copy, or NULL */
    /* FWNMI_JREC_HANDED_OVER */
    uint64_t ref;
    uint32_t via;
} FwnmiJournalRecord;

void fwnmi_journal_record_free(FwnmiJournalRecord *r);
FwnmiJournalRecord *fwnmi_journal_record_dup(const FwnmiJournalRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FwnmiJournalRecord, fwnmi_journal_record_free)

/** What fwnmi_journal_parse() found in a file's bytes. */
typedef enum FwnmiJournalStatus {
    FWNMI_JOURNAL_OK,               /* a journal (possibly with skipped bytes) */
    FWNMI_JOURNAL_EMPTY,            /* no bytes, or a torn header: write one */
    FWNMI_JOURNAL_NOT_JOURNAL,      /* something else: never touch it */
    FWNMI_JOURNAL_NEWER,            /* a later format version: never touch it */
} FwnmiJournalStatus;

typedef struct FwnmiJournalParse {
    FwnmiJournalStatus status;
    GPtrArray *records;             /* FwnmiJournalRecord*, file order */
    GPtrArray *warnings;            /* char*, one line each */
    uint64_t valid_end;             /* offset after the last valid byte */
    uint64_t skipped;               /* bytes skipped before valid_end */
    uint64_t torn;                  /* bytes after valid_end (torn tail) */
} FwnmiJournalParse;

/**
 * fwnmi_journal_parse: decode @len bytes of a journal file. Never fails;
 * @out must be released with fwnmi_journal_parse_clear().
 */
void fwnmi_journal_parse(const uint8_t *buf, size_t len, FwnmiJournalParse *out);
void fwnmi_journal_parse_clear(FwnmiJournalParse *p);

/** fwnmi_journal_encode: the bytes of @r as a file record (NULL if it is invalid). */
GBytes *fwnmi_journal_encode(const FwnmiJournalRecord *r);
/** fwnmi_journal_header: the 32-byte file header created at @time_ns. */
void fwnmi_journal_header(uint8_t out[FWNMI_JOURNAL_HEADER_LEN], uint64_t time_ns);
uint32_t fwnmi_journal_crc32(const uint8_t *buf, size_t len);
/** "delivered", "legacy", "nested-ignored", "nested-fatal" or "unknown". */
const char *fwnmi_journal_disposition_name(unsigned disposition);

/* ---- the machine's journal (hw/ppc/spapr_fwnmi_journal.c) ---- */

typedef struct SpaprFwnmiJournal SpaprFwnmiJournal;

/**
 * spapr_fwnmi_journal_open: the journal for @spapr, in memory only when
 * @path is NULL. Problems a user must fix (unwritable, not a journal, a
 * newer version, not a regular file) fail with @error (one line, naming
 * the option); recoverable ones (torn or corrupt records, little free
 * space) are warnings on stderr. NULL on failure.
 */
SpaprFwnmiJournal *spapr_fwnmi_journal_open(SpaprMachineState *spapr, const char *path,
                                            GError **error);
void spapr_fwnmi_journal_close(SpaprFwnmiJournal *j);

/**
 * spapr_fwnmi_journal_mce: record a machine check for @cpu disposed of as
 * @disposition. @log/@log_len: the log given to the guest; NULL to have
 * one built from @info (for FWNMI_JDISP_LEGACY, which must be called on
 * @cpu's thread: SRR1 as the guest sees it and @cpu's NIP; otherwise, from
 * any thread: @info's cause bits and NIP only, @cpu's registers are not
 * read). Returns the record's sequence number. BQL held.
 */
uint64_t spapr_fwnmi_journal_mce(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                 FwnmiJournalDisposition disposition,
                                 const SpaprMceInfo *info, const uint8_t *log,
                                 size_t log_len);

/**
 * spapr_fwnmi_journal_panic: the guest is being declared panicked for
 * @reason. When machine checks caused it (a nested one: both logs; else
 * the vCPU inside its handler, or the latest machine check of this boot
 * if it was not recovered) a fatal-event record naming them is appended.
 * Returns the JSON array of the records involved (g_free), or NULL.
 */
char *spapr_fwnmi_journal_panic(SpaprMachineState *spapr, const char *reason);

/** spapr_fwnmi_journal_reset: machine reset: a new boot begins. */
void spapr_fwnmi_journal_reset(SpaprMachineState *spapr);

/**
 * spapr_fwnmi_journal_json: {"path", "boot", "records", "write-errors",
 * "last-error", "warnings", "recent": [last records], "fatal": [records of
 * the last fatal event]} for query-fwnmi (g_free).
 */
char *spapr_fwnmi_journal_json(SpaprMachineState *spapr);
/** spapr_fwnmi_journal_hmp: the same for "info fwnmi", appended to @out. */
void spapr_fwnmi_journal_hmp(SpaprMachineState *spapr, GString *out);

/**
 * spapr_fwnmi_journal_take_handover: the next record of an earlier boot's
 * fatal event not yet handed to a boot; copies its log (at most @len bytes)
 * to @buf, appends a handed-over record (@via) and returns the log length,
 * or 0 when there is none. BQL held.
 */
size_t spapr_fwnmi_journal_take_handover(SpaprMachineState *spapr, FwnmiJournalVia via,
                                         uint8_t *buf, size_t len);

#endif
