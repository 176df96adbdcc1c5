/*
 * The machine's FWNMI journal: in-memory records of every machine check,
 * the durable file behind -machine pseries,fwnmi-journal=PATH, the
 * records of a fatal event (GUEST_PANICKED, query-fwnmi) and their
 * handing over to the next boot. Format: include/hw/ppc/spapr_fwnmi_journal.h.
 *
 * Locking: everything in SpaprFwnmiJournal is guarded by the BQL. Records
 * are written and fdatasync()ed with the BQL held, on the thread that
 * disposes of the machine check (the vCPU's own thread for deliveries),
 * before that vCPU enters the guest again: a VMM killed at any point
 * afterwards has the record on disk. Machine checks are rare; the
 * machine's other threads wait for the disk meanwhile.
 */
#include "hw/ppc/spapr_fwnmi_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "qemu/cutils.h"
#include "system/trace.h"

#define JOURNAL_RECENT_MAX      16          /* shown by query-fwnmi */
#define JOURNAL_FILE_MAX        (256u << 20) /* larger files are refused */
#define JOURNAL_LOW_SPACE       (1u << 20)   /* warn below this much free space */
#define JOURNAL_MEM_MAX         65536        /* machine-check records kept in memory */

struct SpaprFwnmiJournal {
    char *path;                 /* NULL: in memory only */
    int fd;                     /* -1: in memory only */
    uint64_t file_end;          /* the next record goes here: after the last valid one */
    uint64_t file_records;      /* valid records in the file */
    uint64_t next_seq;
    uint64_t boot;              /* this boot's number */
    bool started;               /* the first machine reset has happened */
    GHashTable *mce;            /* seq -> FwnmiJournalRecord* (machine checks, owned) */
    GQueue mce_order;           /* their seqs (GUINT_TO_POINTER), oldest first */
    GPtrArray *warnings;        /* start-up warnings, one line each */
    uint64_t write_errors;
    char *last_error;
    /* This boot. */
    uint64_t *cpu_last;         /* per vCPU: its latest delivered record, 0: none */
    uint64_t *cpu_nested;       /* per vCPU: a nested record after that one, 0: none */
    int ncpus;
    uint64_t last_mce;          /* latest machine-check record of this boot */
    uint64_t nested[2];         /* a fatal nested pair waiting for the panic */
    bool nested_fatal;
    /* The last fatal event (this boot or, from the file, an earlier one). */
    GPtrArray *fatal;           /* FwnmiJournalRecord* copies */
    char *fatal_reason;
    uint64_t fatal_boot;
    GArray *fatal_refs;         /* uint64_t: this boot's fatal records, for the next boot */
    GArray *handover;           /* uint64_t: records waiting to be handed to this boot */
    GHashTable *handed;         /* seq -> its handed-over record (a copy, owned) */
};

/* ---- file I/O ---- */

static int write_all_at(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? -errno : -ENOSPC;
        }
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static void journal_set_error(SpaprFwnmiJournal *j, uint64_t seq, int err)
{
    j->write_errors++;
    g_free(j->last_error);
    j->last_error = g_strdup_printf("record %" G_GUINT64_FORMAT " not written: %s",
                                    seq, g_strerror(err));
    error_report_ratelimited("fwnmi-journal %s: cannot append record %" G_GUINT64_FORMAT
                             ": %s; it is kept in memory only", j->path, seq, g_strerror(err));
}

/* Append @r (its seq assigned here) to memory and file. Returns the seq. */
static uint64_t journal_append(SpaprFwnmiJournal *j, FwnmiJournalRecord *r)
{
    r->seq = j->next_seq++;
    if (j->fd >= 0) {
        g_autoptr(GBytes) bytes = fwnmi_journal_encode(r);
        size_t len;
        const uint8_t *data = g_bytes_get_data(bytes, &len);
        int ret = write_all_at(j->fd, data, len, j->file_end);
        if (ret == 0 && fdatasync(j->fd) < 0) {
            ret = -errno;
        }
        if (ret == 0) {
            j->file_end += len;
            j->file_records++;
        } else {
            /* Never leave a partial record: cut back to the last valid one. */
            if (ftruncate(j->fd, (off_t)j->file_end) < 0) {
                /* the reader skips a torn record anyway */
            }
            journal_set_error(j, r->seq, -ret);
        }
    }
    return r->seq;
}

static void journal_keep_mce(SpaprFwnmiJournal *j, FwnmiJournalRecord *r)
{
    if (g_hash_table_contains(j->mce, &r->seq)) {
        fwnmi_journal_record_free(r);   /* duplicate seq in a damaged file: first wins */
        return;
    }
    g_hash_table_insert(j->mce, &r->seq, r);
    g_queue_push_tail(&j->mce_order, GSIZE_TO_POINTER(r->seq));
    while (g_queue_get_length(&j->mce_order) > JOURNAL_MEM_MAX) {
        gsize old = GPOINTER_TO_SIZE(g_queue_pop_head(&j->mce_order));
        uint64_t key = old;
        g_hash_table_remove(j->mce, &key);
    }
}

static FwnmiJournalRecord *journal_find(SpaprFwnmiJournal *j, uint64_t seq)
{
    return seq ? g_hash_table_lookup(j->mce, &seq) : NULL;
}

static void journal_warn(SpaprFwnmiJournal *j, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void journal_warn(SpaprFwnmiJournal *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    warn_report("fwnmi-journal %s: %s", j->path, msg);
    g_ptr_array_add(j->warnings, g_steal_pointer(&msg));
}

static void set_fatal(SpaprFwnmiJournal *j, const FwnmiJournalRecord *fatal)
{
    g_ptr_array_set_size(j->fatal, 0);
    for (unsigned i = 0; i < fatal->nrefs; i++) {
        FwnmiJournalRecord *r = journal_find(j, fatal->refs[i]);
        if (r) {
            g_ptr_array_add(j->fatal, fwnmi_journal_record_dup(r));
        }
    }
    g_free(j->fatal_reason);
    j->fatal_reason = g_strdup(fatal->reason ? fatal->reason : "");
    j->fatal_boot = fatal->boot;
}

/* Adopt what a valid file holds: sequence and boot numbers, records, fatal events. */
static void journal_load(SpaprFwnmiJournal *j, FwnmiJournalParse *p)
{
    g_autoptr(GHashTable) handed = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                         g_free, NULL);
    g_autoptr(GArray) wanted = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t max_boot = 0;

    for (guint i = 0; i < p->records->len; i++) {
        FwnmiJournalRecord *r = g_ptr_array_index(p->records, i);
        j->next_seq = MAX(j->next_seq, r->seq + 1);
        max_boot = MAX(max_boot, r->boot);
        if (r->type == FWNMI_JREC_FATAL) {
            set_fatal(j, r);
            g_array_append_vals(wanted, r->refs, r->nrefs);
        } else if (r->type == FWNMI_JREC_HANDED_OVER) {
            g_hash_table_add(handed, g_memdup2(&r->ref, sizeof(r->ref)));
            g_hash_table_replace(j->handed, g_memdup2(&r->ref, sizeof(r->ref)),
                                 fwnmi_journal_record_dup(r));
        }
        if (r->type == FWNMI_JREC_MCE) {
            p->records->pdata[i] = NULL;        /* ownership moves to the table */
            journal_keep_mce(j, r);
        }
    }
    j->boot = max_boot + 1;
    for (guint i = 0; i < wanted->len; i++) {
        uint64_t seq = g_array_index(wanted, uint64_t, i);
        if (g_hash_table_contains(handed, &seq)) {
            continue;
        }
        if (!journal_find(j, seq)) {
            journal_warn(j, "a fatal event names record %" G_GUINT64_FORMAT
                         ", which is missing or corrupt", seq);
            continue;
        }
        g_hash_table_add(handed, g_memdup2(&seq, sizeof(seq)));  /* once each */
        g_array_append_val(j->handover, seq);
    }
}

static int journal_open_file(SpaprFwnmiJournal *j, GError **error)
{
    const char *path = j->path;
    struct stat st;

    j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "-machine fwnmi-journal=%s: cannot open for writing: %s",
                    path, g_strerror(errno));
        return -1;
    }
    if (fstat(j->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-machine fwnmi-journal=%s: not a regular file", path);
        return -1;
    }
    if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "-machine fwnmi-journal=%s: in use by another process", path);
        return -1;
    }
    if ((uint64_t)st.st_size > JOURNAL_FILE_MAX) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "-machine fwnmi-journal=%s: %" G_GINT64_FORMAT " bytes, larger than "
                    "the %u MiB this VMM reads; move it aside", path,
                    (gint64)st.st_size, JOURNAL_FILE_MAX >> 20);
        return -1;
    }
    g_autofree uint8_t *buf = g_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = pread(j->fd, buf + got, (size_t)st.st_size - got, (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                        "-machine fwnmi-journal=%s: cannot read: %s", path,
                        n < 0 ? g_strerror(errno) : "file shrank");
            return -1;
        }
        got += (size_t)n;
    }

    FwnmiJournalParse p;
    fwnmi_journal_parse(buf, got, &p);
    int ret = 0;
    switch (p.status) {
    case FWNMI_JOURNAL_NOT_JOURNAL:
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-machine fwnmi-journal=%s: not an FWNMI journal (bad header); "
                    "refusing to write to it", path);
        ret = -1;
        break;
    case FWNMI_JOURNAL_NEWER:
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-machine fwnmi-journal=%s: journal format newer than version %d; "
                    "refusing to write to it", path, FWNMI_JOURNAL_VERSION);
        ret = -1;
        break;
    case FWNMI_JOURNAL_EMPTY: {
        uint8_t hdr[FWNMI_JOURNAL_HEADER_LEN];
        for (guint i = 0; i < p.warnings->len; i++) {
            journal_warn(j, "%s", (char *)g_ptr_array_index(p.warnings, i));
        }
        fwnmi_journal_header(hdr, (uint64_t)g_get_real_time() * 1000);
        int err = write_all_at(j->fd, hdr, sizeof(hdr), 0);
        if (!err && (ftruncate(j->fd, sizeof(hdr)) < 0 || fdatasync(j->fd) < 0)) {
            err = -errno;
        }
        if (err) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-err),
                        "-machine fwnmi-journal=%s: cannot write: %s", path, g_strerror(-err));
            ret = -1;
            break;
        }
        /* Make the new file's name durable too. */
        g_autofree char *dir = g_path_get_dirname(path);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        j->file_end = sizeof(hdr);
        break;
    }
    case FWNMI_JOURNAL_OK:
        for (guint i = 0; i < p.warnings->len; i++) {
            journal_warn(j, "%s", (char *)g_ptr_array_index(p.warnings, i));
        }
        j->file_end = p.valid_end;
        j->file_records = p.records->len;
        if (p.torn) {
            /* Appends go right after the last valid record. */
            if (ftruncate(j->fd, (off_t)p.valid_end) < 0 || fdatasync(j->fd) < 0) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                            "-machine fwnmi-journal=%s: cannot cut the torn record: %s",
                            path, g_strerror(errno));
                ret = -1;
                break;
            }
        }
        journal_load(j, &p);
        break;
    }
    fwnmi_journal_parse_clear(&p);
    if (ret == 0) {
        struct statvfs vfs;
        if (fstatvfs(j->fd, &vfs) == 0 &&
            (uint64_t)vfs.f_bavail * vfs.f_frsize < JOURNAL_LOW_SPACE) {
            journal_warn(j, "only %" G_GUINT64_FORMAT " KiB free on its file system: "
                         "records that do not fit are kept in memory only",
                         (uint64_t)vfs.f_bavail * vfs.f_frsize / 1024);
        }
    }
    return ret;
}

SpaprFwnmiJournal *spapr_fwnmi_journal_open(SpaprMachineState *spapr, const char *path,
                                            GError **error)
{
    SpaprFwnmiJournal *j = g_new0(SpaprFwnmiJournal, 1);

    j->fd = -1;
    j->next_seq = 1;
    j->boot = 1;
    j->mce = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                   (GDestroyNotify)fwnmi_journal_record_free);
    g_queue_init(&j->mce_order);
    j->warnings = g_ptr_array_new_with_free_func(g_free);
    j->ncpus = spapr->smp_cpus;
    j->cpu_last = g_new0(uint64_t, spapr->smp_cpus);
    j->cpu_nested = g_new0(uint64_t, spapr->smp_cpus);
    j->fatal = g_ptr_array_new_with_free_func((GDestroyNotify)fwnmi_journal_record_free);
    j->fatal_refs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    j->handover = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    j->handed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)fwnmi_journal_record_free);
    if (path) {
        j->path = g_strdup(path);
        /* A file-size limit (ulimit -f) must fail the write, not kill us. */
        signal(SIGXFSZ, SIG_IGN);
        if (journal_open_file(j, error) < 0) {
            spapr_fwnmi_journal_close(j);
            return NULL;
        }
    }
    return j;
}

void spapr_fwnmi_journal_close(SpaprFwnmiJournal *j)
{
    if (!j) {
        return;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    g_hash_table_unref(j->mce);
    g_queue_clear(&j->mce_order);
    g_ptr_array_unref(j->warnings);
    g_ptr_array_unref(j->fatal);
    g_array_unref(j->fatal_refs);
    g_array_unref(j->handover);
    g_hash_table_unref(j->handed);
    g_free(j->cpu_last);
    g_free(j->cpu_nested);
    g_free(j->fatal_reason);
    g_free(j->last_error);
    g_free(j->path);
    g_free(j);
}

/* ---- recording ---- */

uint64_t spapr_fwnmi_journal_mce(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                 FwnmiJournalDisposition disposition,
                                 const SpaprMceInfo *info, const uint8_t *log,
                                 size_t log_len)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;
    uint8_t built[RTAS_ERROR_LOG_MAX];
    SpaprMceInfo mce = *info;

    if (!j) {
        return 0;
    }
    if (!log) {
        /*
         * Not given to the guest: the log it would have received. An
         * architected delivery runs on the vCPU's own thread (its work
         * queue), so its registers are ours to read; a nested one is
         * decided on the requesting thread while the vCPU may be executing,
         * so only what the request carries is used (the cause bits, and the
         * NIP the source knew).
         */
        if (disposition == FWNMI_JDISP_LEGACY) {
            mce.nip = cpu->env.nip;
            mce.srr1 = (cpu->env.msr & ~SRR1_CAUSE_MASK) | (info->srr1 & SRR1_CAUSE_MASK);
        } else {
            mce.srr1 = info->srr1 & SRR1_CAUSE_MASK;
        }
        SpaprElogTime now = spapr_elog_time_now();
        int len = spapr_elog_build_mce(&mce, &now, spapr->fwnmi.next_plid++, built,
                                       sizeof(built));
        log = built;
        log_len = len > 0 ? (size_t)len : 0;
    }
    FwnmiJournalRecord *r = g_new0(FwnmiJournalRecord, 1);
    r->type = FWNMI_JREC_MCE;
    r->time_ns = (uint64_t)g_get_real_time() * 1000;
    r->boot = j->boot;
    r->cpu = (uint32_t)cpu->index;
    r->disposition = disposition;
    r->flags = info->recovered ? FWNMI_JFLAG_RECOVERED : 0;
    r->log_len = (uint16_t)MIN(log_len, (size_t)FWNMI_JREC_LOG_MAX);
    r->log = g_memdup2(log, r->log_len);
    r->srr1 = mce.srr1;
    r->dar = info->dar;
    r->nip = mce.nip;
    r->dsisr = info->dsisr;

    uint64_t seq = journal_append(j, r);
    if (disposition == FWNMI_JDISP_NESTED_FATAL) {
        SpaprFwnmiState *f = &spapr->fwnmi;
        bool held = f->interlock_holder == cpu->index && f->holder_entered;
        j->nested[0] = held && cpu->index < j->ncpus ? j->cpu_last[cpu->index] : 0;
        j->nested[1] = seq;
        j->nested_fatal = true;
    }
    if (cpu->index < j->ncpus) {
        if (disposition == FWNMI_JDISP_DELIVERED || disposition == FWNMI_JDISP_LEGACY) {
            j->cpu_last[cpu->index] = seq;
            j->cpu_nested[cpu->index] = 0;
        } else {
            j->cpu_nested[cpu->index] = seq;
        }
    }
    if (disposition == FWNMI_JDISP_DELIVERED || disposition == FWNMI_JDISP_LEGACY) {
        j->last_mce = seq;
    }
    trace_event("fwnmi", "journal: record %" G_GUINT64_FORMAT ": cpu %d %s, %u-byte log",
                seq, cpu->index, fwnmi_journal_disposition_name(disposition), r->log_len);
    journal_keep_mce(j, r);
    return seq;
}

static char *records_json(SpaprFwnmiJournal *j, GPtrArray *recs);

char *spapr_fwnmi_journal_panic(SpaprMachineState *spapr, const char *reason)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;
    SpaprFwnmiState *f = &spapr->fwnmi;
    uint64_t refs[2];
    unsigned n = 0;

    if (!j) {
        return NULL;
    }
    if (j->nested_fatal) {
        for (int i = 0; i < 2; i++) {
            if (j->nested[i]) {
                refs[n++] = j->nested[i];
            }
        }
        j->nested_fatal = false;
    } else if (f->interlock_holder >= 0 && f->interlock_holder < j->ncpus &&
               f->holder_entered && j->cpu_last[f->interlock_holder]) {
        /* Died in its handler, maybe of a second one (nested, recovered,
         * but its access could not complete). */
        refs[n++] = j->cpu_last[f->interlock_holder];
        if (j->cpu_nested[f->interlock_holder]) {
            refs[n++] = j->cpu_nested[f->interlock_holder];
        }
    } else {
        FwnmiJournalRecord *last = journal_find(j, j->last_mce);
        if (last && !(last->flags & FWNMI_JFLAG_RECOVERED)) {
            refs[n++] = last->seq;                          /* died of it later */
        }
    }
    if (!n) {
        return NULL;
    }
    FwnmiJournalRecord fatal = {
        .type = FWNMI_JREC_FATAL, .time_ns = (uint64_t)g_get_real_time() * 1000,
        .boot = j->boot, .nrefs = (uint16_t)n,
    };
    memcpy(fatal.refs, refs, n * sizeof(refs[0]));
    g_autofree char *r256 = g_strndup(reason, FWNMI_JREC_REASON_MAX);
    for (char *c = r256; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '?';       /* one line, whatever the guest passed */
        }
    }
    fatal.reason = r256;
    journal_append(j, &fatal);
    set_fatal(j, &fatal);
    g_array_set_size(j->fatal_refs, 0);
    g_array_append_vals(j->fatal_refs, refs, n);
    trace_event("fwnmi", "journal: fatal event, record %" G_GUINT64_FORMAT ", %u machine "
                "check record(s)", fatal.seq, n);
    return records_json(j, j->fatal);
}

void spapr_fwnmi_journal_reset(SpaprMachineState *spapr)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;

    if (!j) {
        return;
    }
    if (!j->started) {
        j->started = true;      /* the machine's first reset: boot j->boot begins */
        return;
    }
    /* This boot's fatal records are for the next one. */
    g_array_append_vals(j->handover, j->fatal_refs->data, j->fatal_refs->len);
    g_array_set_size(j->fatal_refs, 0);
    j->boot++;
    memset(j->cpu_last, 0, sizeof(uint64_t) * (size_t)j->ncpus);
    memset(j->cpu_nested, 0, sizeof(uint64_t) * (size_t)j->ncpus);
    j->last_mce = 0;
    j->nested_fatal = false;
}

size_t spapr_fwnmi_journal_take_handover(SpaprMachineState *spapr, FwnmiJournalVia via,
                                         uint8_t *buf, size_t len)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;

    while (j && j->handover->len) {
        uint64_t seq = g_array_index(j->handover, uint64_t, 0);
        FwnmiJournalRecord *r = journal_find(j, seq);
        if (r && r->log_len > len) {
            return 0;           /* the buffer is too small: kept for a later call */
        }
        g_array_remove_index(j->handover, 0);
        if (!r || !r->log_len) {
            continue;
        }
        memcpy(buf, r->log, r->log_len);
        FwnmiJournalRecord h = {
            .type = FWNMI_JREC_HANDED_OVER, .time_ns = (uint64_t)g_get_real_time() * 1000,
            .boot = j->boot, .ref = seq, .via = via,
        };
        journal_append(j, &h);
        g_hash_table_replace(j->handed, g_memdup2(&seq, sizeof(seq)),
                             fwnmi_journal_record_dup(&h));
        trace_event("fwnmi", "journal: record %" G_GUINT64_FORMAT " handed to boot %"
                    G_GUINT64_FORMAT " through %s", seq, j->boot,
                    via == FWNMI_JVIA_EVENT_SCAN ? "event-scan" : "check-exception");
        return r->log_len;
    }
    return 0;
}

/* ---- reporting ---- */

static void record_json(SpaprFwnmiJournal *j, GString *o, const FwnmiJournalRecord *r)
{
    const FwnmiJournalRecord *h = g_hash_table_lookup(j->handed, &r->seq);

    g_string_append_printf(o, "{\"seq\": %" G_GUINT64_FORMAT ", \"boot\": %" G_GUINT64_FORMAT
                           ", \"time-ns\": %" G_GUINT64_FORMAT ", \"cpu\": %u, "
                           "\"disposition\": \"%s\", \"recovered\": %s, "
                           "\"srr1\": \"0x%016" G_GINT64_MODIFIER "x\", \"dsisr\": \"0x%08x\", "
                           "\"dar\": \"0x%016" G_GINT64_MODIFIER "x\", \"nip\": \"0x%016"
                           G_GINT64_MODIFIER "x\", \"log\": \"",
                           r->seq, r->boot, r->time_ns, r->cpu,
                           fwnmi_journal_disposition_name(r->disposition),
                           (r->flags & FWNMI_JFLAG_RECOVERED) ? "true" : "false",
                           r->srr1, r->dsisr, r->dar, r->nip);
    for (unsigned i = 0; i < r->log_len; i++) {
        g_string_append_printf(o, "%02x", r->log[i]);
    }
    if (h) {
        g_string_append_printf(o, "\", \"handed-over\": {\"boot\": %" G_GUINT64_FORMAT
                               ", \"time-ns\": %" G_GUINT64_FORMAT ", \"via\": \"%s\"}}",
                               h->boot, h->time_ns, h->via == FWNMI_JVIA_EVENT_SCAN
                               ? "event-scan" : "check-exception");
    } else {
        g_string_append(o, "\", \"handed-over\": null}");
    }
}

static char *records_json(SpaprFwnmiJournal *j, GPtrArray *recs)
{
    GString *o = g_string_new("[");
    for (guint i = 0; i < recs->len; i++) {
        if (i) {
            g_string_append(o, ", ");
        }
        record_json(j, o, g_ptr_array_index(recs, i));
    }
    g_string_append(o, "]");
    return g_string_free(o, FALSE);
}

static void json_str_or_null(GString *o, const char *name, const char *s)
{
    g_autofree char *q = s ? qemu_json_quote(s) : NULL;
    g_string_append_printf(o, "\"%s\": %s", name, q ? q : "null");
}

char *spapr_fwnmi_journal_json(SpaprMachineState *spapr)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;
    GString *o = g_string_new("{");

    if (!j) {
        g_string_append(o, "}");
        return g_string_free(o, FALSE);
    }
    json_str_or_null(o, "path", j->path);
    g_string_append_printf(o, ", \"boot\": %" G_GUINT64_FORMAT ", \"records\": %"
                           G_GUINT64_FORMAT ", \"write-errors\": %" G_GUINT64_FORMAT ", ",
                           j->boot, j->path ? j->file_records : j->next_seq - 1,
                           j->write_errors);
    json_str_or_null(o, "last-error", j->last_error);
    g_string_append(o, ", \"warnings\": [");
    for (guint i = 0; i < j->warnings->len; i++) {
        g_autofree char *q = qemu_json_quote(g_ptr_array_index(j->warnings, i));
        g_string_append_printf(o, "%s%s", i ? ", " : "", q);
    }
    g_string_append_printf(o, "], \"handover-pending\": %u, \"recent\": [", j->handover->len);
    guint total = g_queue_get_length(&j->mce_order), skip = total > JOURNAL_RECENT_MAX
                                                         ? total - JOURNAL_RECENT_MAX : 0;
    guint idx = 0;
    for (GList *l = j->mce_order.head; l; l = l->next, idx++) {
        if (idx >= skip) {
            FwnmiJournalRecord *r = journal_find(j, GPOINTER_TO_SIZE(l->data));
            g_string_append(o, idx > skip ? ", " : "");
            record_json(j, o, r);
        }
    }
    g_autofree char *fatal = records_json(j, j->fatal);
    g_string_append_printf(o, "], \"fatal\": %s, \"fatal-boot\": %" G_GUINT64_FORMAT ", ",
                           fatal, j->fatal_boot);
    json_str_or_null(o, "fatal-reason", j->fatal_reason);
    g_string_append(o, "}");
    return g_string_free(o, FALSE);
}

void spapr_fwnmi_journal_hmp(SpaprMachineState *spapr, GString *out)
{
    SpaprFwnmiJournal *j = spapr->fwnmi_journal;

    if (!j) {
        return;
    }
    g_string_append_printf(out, "journal: %s, boot %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                           " records, %" G_GUINT64_FORMAT " write errors\n",
                           j->path ? j->path : "(memory only)", j->boot,
                           j->path ? j->file_records : j->next_seq - 1, j->write_errors);
    for (guint i = 0; i < j->fatal->len; i++) {
        FwnmiJournalRecord *r = g_ptr_array_index(j->fatal, i);
        g_string_append_printf(out, "fatal (boot %" G_GUINT64_FORMAT ", %s): record %"
                               G_GUINT64_FORMAT " CPU %u %s %s, %u-byte log\n",
                               j->fatal_boot, j->fatal_reason, r->seq, r->cpu,
                               fwnmi_journal_disposition_name(r->disposition),
                               (r->flags & FWNMI_JFLAG_RECOVERED) ? "recovered" : "not recovered",
                               r->log_len);
    }
}
