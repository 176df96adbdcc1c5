/*
 * FWNMI journal (hw/ppc/spapr_fwnmi_journal*.c): the record format byte
 * for byte, the validating reader on torn, corrupt and foreign files, and
 * the machine's journal file across "restarts", write failures and fatal
 * events.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"

#define SRESET_HANDLER 0x2000
#define MCE_HANDLER 0x3000

/* An independent bitwise CRC-32 (IEEE, reflected), to check the file's. */
static uint32_t ref_crc32(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static uint32_t be32_at(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint64_t be64_at(const uint8_t *p) { return (uint64_t)be32_at(p) << 32 | be32_at(p + 4); }

static FwnmiJournalRecord *mce_record(uint64_t seq, uint16_t log_len)
{
    FwnmiJournalRecord *r = g_new0(FwnmiJournalRecord, 1);
    r->type = FWNMI_JREC_MCE;
    r->seq = seq;
    r->time_ns = 0x1122334455667788ULL;
    r->boot = 3;
    r->cpu = 5;
    r->disposition = FWNMI_JDISP_DELIVERED;
    r->flags = FWNMI_JFLAG_RECOVERED;
    r->log_len = log_len;
    r->log = g_malloc(log_len + 1);
    for (unsigned i = 0; i < log_len; i++) {
        r->log[i] = (uint8_t)(i * 7 + seq);
    }
    r->srr1 = 0x8000000000201003ULL;
    r->dar = 0x20001000;
    r->nip = 0x823c;
    r->dsisr = 0x8000;
    return r;
}

static GByteArray *file_with(GBytes **recs, int n)
{
    GByteArray *f = g_byte_array_new();
    uint8_t hdr[FWNMI_JOURNAL_HEADER_LEN];
    fwnmi_journal_header(hdr, 42);
    g_byte_array_append(f, hdr, sizeof(hdr));
    for (int i = 0; i < n; i++) {
        g_byte_array_append(f, g_bytes_get_data(recs[i], NULL), g_bytes_get_size(recs[i]));
    }
    return f;
}

static void test_record_layout(void)
{
    g_autoptr(FwnmiJournalRecord) r = mce_record(9, 136);
    g_autoptr(GBytes) b = fwnmi_journal_encode(r);
    size_t len;
    const uint8_t *p = g_bytes_get_data(b, &len);
    uint8_t hdr[FWNMI_JOURNAL_HEADER_LEN];

    g_assert_cmpuint(len, ==, 24 + 56 + 136 + 4);
    g_assert_cmpmem(p, 4, "FJRC", 4);
    g_assert_cmphex(p[4] << 8 | p[5], ==, 1);               /* version */
    g_assert_cmphex(p[6] << 8 | p[7], ==, FWNMI_JREC_MCE);
    g_assert_cmpuint(be32_at(p + 8), ==, len);
    g_assert_cmpuint(be32_at(p + 12), ==, 0);
    g_assert_cmpuint(be64_at(p + 16), ==, 9);
    g_assert_cmphex(be64_at(p + 24), ==, 0x1122334455667788ULL);
    g_assert_cmpuint(be64_at(p + 32), ==, 3);               /* boot */
    g_assert_cmpuint(be32_at(p + 40), ==, 5);               /* cpu */
    g_assert_cmpuint(p[44], ==, FWNMI_JDISP_DELIVERED);
    g_assert_cmpuint(p[45], ==, FWNMI_JFLAG_RECOVERED);
    g_assert_cmpuint(p[46] << 8 | p[47], ==, 136);
    g_assert_cmphex(be64_at(p + 48), ==, 0x8000000000201003ULL);
    g_assert_cmphex(be64_at(p + 56), ==, 0x20001000);
    g_assert_cmphex(be64_at(p + 64), ==, 0x823c);
    g_assert_cmphex(be32_at(p + 72), ==, 0x8000);
    g_assert_cmpmem(p + 80, 136, r->log, 136);
    g_assert_cmphex(be32_at(p + len - 4), ==, ref_crc32(p, len - 4));

    fwnmi_journal_header(hdr, 0x0102030405060708ULL);
    g_assert_cmpmem(hdr, 8, "FWNMIJNL", 8);
    g_assert_cmphex(hdr[8] << 8 | hdr[9], ==, 1);
    g_assert_cmphex(hdr[10] << 8 | hdr[11], ==, 32);
    g_assert_cmphex(be64_at(hdr + 16), ==, 0x0102030405060708ULL);
    g_assert_cmphex(be32_at(hdr + 28), ==, ref_crc32(hdr, 28));

    /* Invalid records are not encoded. */
    r->disposition = 0;
    g_assert_null(fwnmi_journal_encode(r));
    r->disposition = FWNMI_JDISP_LEGACY;
    r->log_len = FWNMI_JREC_LOG_MAX + 1;
    g_assert_null(fwnmi_journal_encode(r));
}

static void test_parse_roundtrip(void)
{
    g_autoptr(FwnmiJournalRecord) m = mce_record(1, 136);
    FwnmiJournalRecord fatal = { .type = FWNMI_JREC_FATAL, .seq = 2, .time_ns = 7, .boot = 3,
                                 .nrefs = 2, .refs = { 1, 77 }, .reason = (char *)"boom" };
    FwnmiJournalRecord hand = { .type = FWNMI_JREC_HANDED_OVER, .seq = 3, .time_ns = 8,
                                .boot = 4, .ref = 1, .via = FWNMI_JVIA_CHECK_EXCEPTION };
    GBytes *recs[3] = { fwnmi_journal_encode(m), fwnmi_journal_encode(&fatal),
                        fwnmi_journal_encode(&hand) };
    g_autoptr(GByteArray) f = file_with(recs, 3);
    FwnmiJournalParse p;

    fwnmi_journal_parse(f->data, f->len, &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_OK);
    g_assert_cmpuint(p.records->len, ==, 3);
    g_assert_cmpuint(p.warnings->len, ==, 0);
    g_assert_cmpuint(p.valid_end, ==, f->len);
    FwnmiJournalRecord *r0 = g_ptr_array_index(p.records, 0);
    g_assert_cmpuint(r0->seq, ==, 1);
    g_assert_cmpuint(r0->log_len, ==, 136);
    g_assert_cmpmem(r0->log, 136, m->log, 136);
    g_assert_cmphex(r0->srr1, ==, m->srr1);
    FwnmiJournalRecord *r1 = g_ptr_array_index(p.records, 1);
    g_assert_cmpuint(r1->nrefs, ==, 2);
    g_assert_cmpuint(r1->refs[1], ==, 77);
    g_assert_cmpstr(r1->reason, ==, "boom");
    FwnmiJournalRecord *r2 = g_ptr_array_index(p.records, 2);
    g_assert_cmpuint(r2->ref, ==, 1);
    g_assert_cmpuint(r2->via, ==, FWNMI_JVIA_CHECK_EXCEPTION);
    fwnmi_journal_parse_clear(&p);
    for (int i = 0; i < 3; i++) {
        g_bytes_unref(recs[i]);
    }
}

/* A torn last record is ignored; every record before it survives. */
static void test_parse_torn_tail(void)
{
    g_autoptr(FwnmiJournalRecord) a = mce_record(1, 136), b = mce_record(2, 136);
    GBytes *recs[2] = { fwnmi_journal_encode(a), fwnmi_journal_encode(b) };
    g_autoptr(GByteArray) f = file_with(recs, 2);
    size_t full = f->len, first_end = 32 + g_bytes_get_size(recs[0]);
    FwnmiJournalParse p;

    for (size_t cut = first_end + 1; cut < full; cut += 37) {
        fwnmi_journal_parse(f->data, cut, &p);
        g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_OK);
        g_assert_cmpuint(p.records->len, ==, 1);
        g_assert_cmpuint(p.valid_end, ==, first_end);
        g_assert_cmpuint(p.torn, ==, cut - first_end);
        g_assert_cmpuint(p.warnings->len, ==, 1);
        g_autofree char *want = g_strdup_printf(
            "ignored %zu bytes of a torn or corrupt record at offset %zu (the end of the file)",
            cut - first_end, first_end);
        g_assert_cmpstr(g_ptr_array_index(p.warnings, 0), ==, want);
        fwnmi_journal_parse_clear(&p);
    }
    for (int i = 0; i < 2; i++) {
        g_bytes_unref(recs[i]);
    }
}

/* A corrupt record in the middle hides nothing after it. */
static void test_parse_corrupt_middle(void)
{
    g_autoptr(FwnmiJournalRecord) a = mce_record(1, 136), b = mce_record(2, 100),
                                  c = mce_record(3, 136);
    GBytes *recs[3] = { fwnmi_journal_encode(a), fwnmi_journal_encode(b),
                        fwnmi_journal_encode(c) };
    g_autoptr(GByteArray) f = file_with(recs, 3);
    size_t off_b = 32 + g_bytes_get_size(recs[0]), len_b = g_bytes_get_size(recs[1]);
    FwnmiJournalParse p;

    f->data[off_b + 60] ^= 0x10;                    /* one bit of b's payload */
    fwnmi_journal_parse(f->data, f->len, &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_OK);
    g_assert_cmpuint(p.records->len, ==, 2);
    g_assert_cmpuint(((FwnmiJournalRecord *)g_ptr_array_index(p.records, 0))->seq, ==, 1);
    g_assert_cmpuint(((FwnmiJournalRecord *)g_ptr_array_index(p.records, 1))->seq, ==, 3);
    g_assert_cmpuint(p.skipped, ==, len_b);
    g_assert_cmpuint(p.valid_end, ==, f->len);
    g_autofree char *want = g_strdup_printf("skipped %zu corrupt bytes at offset %zu", len_b, off_b);
    g_assert_cmpuint(p.warnings->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(p.warnings, 0), ==, want);
    fwnmi_journal_parse_clear(&p);

    /* Valid CRC but an inconsistent payload (log length): not trusted. */
    f->data[off_b + 60] ^= 0x10;
    f->data[off_b + 24 + 23] = 99;                  /* log_len 100 -> 99 */
    uint32_t crc = ref_crc32(f->data + off_b, len_b - 4);
    for (int i = 0; i < 4; i++) {
        f->data[off_b + len_b - 4 + i] = (uint8_t)(crc >> (24 - 8 * i));
    }
    fwnmi_journal_parse(f->data, f->len, &p);
    g_assert_cmpuint(p.records->len, ==, 2);
    g_assert_cmpuint(p.skipped, ==, len_b);
    fwnmi_journal_parse_clear(&p);
    for (int i = 0; i < 3; i++) {
        g_bytes_unref(recs[i]);
    }
}

static void test_parse_headers(void)
{
    uint8_t hdr[FWNMI_JOURNAL_HEADER_LEN];
    FwnmiJournalParse p;

    fwnmi_journal_parse(NULL, 0, &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_EMPTY);
    fwnmi_journal_parse_clear(&p);
    fwnmi_journal_header(hdr, 1);
    fwnmi_journal_parse(hdr, 11, &p);                           /* torn header */
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_EMPTY);
    g_assert_cmpstr(g_ptr_array_index(p.warnings, 0), ==, "torn 11-byte file header ignored");
    fwnmi_journal_parse_clear(&p);
    fwnmi_journal_parse((const uint8_t *)"hello world\n", 12, &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_NOT_JOURNAL);
    fwnmi_journal_parse_clear(&p);
    hdr[20] ^= 1;                                               /* CRC mismatch */
    fwnmi_journal_parse(hdr, sizeof(hdr), &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_NOT_JOURNAL);
    fwnmi_journal_parse_clear(&p);
    fwnmi_journal_header(hdr, 1);
    hdr[9] = 2;                                                 /* version 2 */
    uint32_t crc = ref_crc32(hdr, 28);
    for (int i = 0; i < 4; i++) {
        hdr[28 + i] = (uint8_t)(crc >> (24 - 8 * i));
    }
    fwnmi_journal_parse(hdr, sizeof(hdr), &p);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_NEWER);
    fwnmi_journal_parse_clear(&p);
}

/* A hostile file of plausible headers: bounded work, nothing dropped. */
static void test_parse_resync_budget(void)
{
    size_t len = FWNMI_JOURNAL_HEADER_LEN + (1u << 20);
    g_autofree uint8_t *f = g_malloc0(len);
    static const uint8_t fake[12] = { 'F', 'J', 'R', 'C', 0, 1, 0, 1, 0, 0, 0x10, 0 };
    FwnmiJournalParse p;

    fwnmi_journal_header(f, 1);
    for (size_t off = FWNMI_JOURNAL_HEADER_LEN; off + 16 <= len; off += 16) {
        memcpy(f + off, fake, sizeof(fake));
    }
    gint64 t0 = g_get_monotonic_time();
    fwnmi_journal_parse(f, len, &p);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_OK);
    g_assert_cmpuint(p.records->len, ==, 0);
    g_assert_cmpuint(p.valid_end, ==, len);             /* not cut: appended after */
    g_assert_cmpuint(p.torn, ==, 0);
    g_assert_cmpuint(p.warnings->len, ==, 1);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(p.warnings, 0),
                                   "gave up looking for records after offset "));
    fwnmi_journal_parse_clear(&p);
}

/* ---- the machine's journal ---- */

static char *dir;

static void remove_tmp_dir(void)
{
    g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_remove(p);
    }
    if (dir) {
        g_rmdir(dir);
    }
}

static char *tmp_path(const char *name)
{
    if (!dir) {
        dir = g_dir_make_tmp("fwnmi-journal-XXXXXX", NULL);
        g_assert_nonnull(dir);
    }
    char *p = g_build_filename(dir, name, NULL);
    g_unlink(p);
    return p;
}

static SpaprMachineState *machine_on(const char *path, GError **err)
{
    SpaprMachineConfig cfg = {
        .ram_size = 256ULL << 20, .smp_cpus = 2, .caps = { .fwnmi = true },
        .fwnmi_journal = path,
    };
    vm_clock_init(true);
    return spapr_machine_create(&cfg, err);
}

static SpaprMachineState *registered_on(const char *path)
{
    g_autoptr(GError) err = NULL;
    SpaprMachineState *spapr = machine_on(path, &err);
    g_assert_no_error(err);
    for (int i = 1; i < spapr->smp_cpus; i++) {
        spapr->cpus[i]->state = CPU_STATE_RUNNING;     /* as after start-cpu */
    }
    uint64_t base = 0x100000;
    guest_st_be32(&spapr->ram, base, SRESET_HANDLER);
    guest_st_be32(&spapr->ram, base + 4, MCE_HANDLER);
    bql_lock();
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], RTAS_IBM_NMI_REGISTER, 2, base, 1,
                                    base + 8), ==, H_SUCCESS);
    for (int i = 0; i < 2; i++) {
        spapr->cpus[i]->env.msr = MSR_SF | MSR_ME | MSR_RI;
    }
    bql_unlock();
    return spapr;
}

static void deliver_and_interlock(SpaprMachineState *spapr, int cpu_index, bool recovered)
{
    PowerPCCPU *cpu = spapr->cpus[cpu_index];
    SpaprMceInfo info = { .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE, .dar = 0x7000,
                          .recovered = recovered };
    uint64_t base = 0x100100;
    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmpint(spapr_rtas_call(spapr, cpu, RTAS_IBM_NMI_INTERLOCK, 0, base, 1, base),
                    ==, H_SUCCESS);
    bql_unlock();
}

static FwnmiJournalParse parse_file(const char *path)
{
    g_autofree char *data = NULL;
    gsize len;
    FwnmiJournalParse p;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    fwnmi_journal_parse((const uint8_t *)data, len, &p);
    return p;
}

static void test_machine_records_survive_restart(void)
{
    g_autofree char *path = tmp_path("restart.jnl");
    SpaprMachineState *spapr = registered_on(path);
    uint8_t buf_log[SPAPR_ELOG_MCE_LEN];

    deliver_and_interlock(spapr, 0, true);
    /* The record is the log the guest was given, byte for byte. */
    guest_read(&spapr->ram, spapr->rtas_base + RTAS_ERROR_LOG_OFFSET + 8, buf_log,
               sizeof(buf_log));
    deliver_and_interlock(spapr, 1, false);
    FwnmiJournalParse p = parse_file(path);     /* on disk while it runs */
    g_assert_cmpint(p.status, ==, FWNMI_JOURNAL_OK);
    g_assert_cmpuint(p.records->len, ==, 2);
    FwnmiJournalRecord *r0 = g_ptr_array_index(p.records, 0);
    g_assert_cmpuint(r0->seq, ==, 1);
    g_assert_cmpuint(r0->boot, ==, 1);
    g_assert_cmpuint(r0->cpu, ==, 0);
    g_assert_cmpuint(r0->disposition, ==, FWNMI_JDISP_DELIVERED);
    g_assert_cmpuint(r0->flags, ==, FWNMI_JFLAG_RECOVERED);
    g_assert_cmpmem(r0->log, r0->log_len, buf_log, sizeof(buf_log));
    FwnmiJournalRecord *r1 = g_ptr_array_index(p.records, 1);
    g_assert_cmpuint(r1->cpu, ==, 1);
    g_assert_cmpuint(r1->flags, ==, 0);
    fwnmi_journal_parse_clear(&p);
    spapr_machine_destroy(spapr);

    /* A new VMM on the same journal continues the numbering. */
    spapr = registered_on(path);
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    g_assert_nonnull(strstr(json, "\"boot\": 2, \"records\": 2, \"write-errors\": 0"));
    deliver_and_interlock(spapr, 0, true);
    p = parse_file(path);
    g_assert_cmpuint(p.records->len, ==, 3);
    r0 = g_ptr_array_index(p.records, 2);
    g_assert_cmpuint(r0->seq, ==, 3);
    g_assert_cmpuint(r0->boot, ==, 2);
    fwnmi_journal_parse_clear(&p);
    spapr_machine_destroy(spapr);
}

static void test_machine_torn_tail_appends_after_last_valid(void)
{
    g_autofree char *path = tmp_path("torn.jnl");
    SpaprMachineState *spapr = registered_on(path);
    deliver_and_interlock(spapr, 0, true);
    spapr_machine_destroy(spapr);
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    /* A VMM killed in the middle of its second record. */
    g_autoptr(GString) torn = g_string_new_len(data, (gssize)len);
    g_string_append_len(torn, data + 32, 100);
    g_assert_true(g_file_set_contents(path, torn->str, (gssize)torn->len, NULL));

    spapr = registered_on(path);
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_size, ==, len);              /* cut back to the valid end */
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    g_autofree char *want = g_strdup_printf("\"warnings\": [\"ignored 100 bytes of a torn or "
                                            "corrupt record at offset %zu (the end of the "
                                            "file)\"]", len);
    g_assert_nonnull(strstr(json, want));
    deliver_and_interlock(spapr, 1, true);
    FwnmiJournalParse p = parse_file(path);
    g_assert_cmpuint(p.records->len, ==, 2);
    g_assert_cmpuint(p.warnings->len, ==, 0);
    g_assert_cmpuint(((FwnmiJournalRecord *)g_ptr_array_index(p.records, 1))->seq, ==, 2);
    fwnmi_journal_parse_clear(&p);
    spapr_machine_destroy(spapr);
}

static void test_machine_bad_files(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *foreign = tmp_path("foreign.txt");
    g_autofree char *nodir = tmp_path("no/such/dir.jnl");
    g_autofree char *path = tmp_path("busy.jnl");

    g_assert_true(g_file_set_contents(foreign, "precious data\n", -1, NULL));
    g_assert_null(machine_on(foreign, &err));
    g_autofree char *want1 = g_strdup_printf("-machine fwnmi-journal=%s: not an FWNMI journal "
                                             "(bad header); refusing to write to it", foreign);
    g_assert_cmpstr(err->message, ==, want1);
    g_autofree char *after = NULL;
    g_assert_true(g_file_get_contents(foreign, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, "precious data\n");      /* untouched */
    g_clear_error(&err);

    g_assert_null(machine_on(nodir, &err));
    g_autofree char *want2 = g_strdup_printf("-machine fwnmi-journal=%s: cannot open for "
                                             "writing: No such file or directory", nodir);
    g_assert_cmpstr(err->message, ==, want2);
    g_clear_error(&err);

    SpaprMachineState *a = machine_on(path, &err);
    g_assert_no_error(err);
    g_assert_null(machine_on(path, &err));
    g_autofree char *want3 = g_strdup_printf("-machine fwnmi-journal=%s: in use by another "
                                             "process", path);
    g_assert_cmpstr(err->message, ==, want3);
    spapr_machine_destroy(a);
}

/* A full disk (here a file-size limit): the record stays in memory, the file intact. */
static void test_machine_full(void)
{
    g_autofree char *path = tmp_path("full.jnl");
    SpaprMachineState *spapr = registered_on(path);
    struct rlimit old, lim;

    deliver_and_interlock(spapr, 0, true);
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size + 50;
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    deliver_and_interlock(spapr, 1, true);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
    struct stat st2;
    g_assert_cmpint(stat(path, &st2), ==, 0);
    g_assert_cmpuint(st2.st_size, ==, st.st_size);      /* no partial record left */
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    g_assert_nonnull(strstr(json, "\"records\": 1, \"write-errors\": 1, "
                                  "\"last-error\": \"record 2 not written: File too large\""));
    g_assert_nonnull(strstr(json, "\"seq\": 2,"));      /* kept in memory */
    deliver_and_interlock(spapr, 0, true);              /* room again: appended */
    FwnmiJournalParse p = parse_file(path);
    g_assert_cmpuint(p.records->len, ==, 2);
    g_assert_cmpuint(((FwnmiJournalRecord *)g_ptr_array_index(p.records, 1))->seq, ==, 3);
    fwnmi_journal_parse_clear(&p);
    spapr_machine_destroy(spapr);
}

/* Nested before the interlock: both records make the fatal event. */
static void test_machine_nested_fatal(void)
{
    g_autofree char *path = tmp_path("fatal.jnl");
    SpaprMachineState *spapr = registered_on(path);
    PowerPCCPU *cpu = spapr->cpus[0];
    SpaprMceInfo info = { .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE, .dar = 0x7000,
                          .recovered = true };

    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    info.recovered = false;
    info.dar = 0x8000;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_PANICKED);
    g_assert_cmpint(spapr->runstate, ==, RUN_STATE_GUEST_PANICKED);
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    bql_unlock();
    g_assert_nonnull(strstr(json, "\"fatal-reason\": \"nested machine check\""));
    const char *fatal = strstr(json, "\"fatal\": [{\"seq\": 1,");
    g_assert_nonnull(fatal);
    g_assert_nonnull(strstr(fatal, "}, {\"seq\": 2,"));
    g_assert_nonnull(strstr(fatal, "\"disposition\": \"nested-fatal\", \"recovered\": false"));

    FwnmiJournalParse p = parse_file(path);
    g_assert_cmpuint(p.records->len, ==, 3);
    FwnmiJournalRecord *f = g_ptr_array_index(p.records, 2);
    g_assert_cmpuint(f->type, ==, FWNMI_JREC_FATAL);
    g_assert_cmpuint(f->nrefs, ==, 2);
    g_assert_cmpuint(f->refs[0], ==, 1);
    g_assert_cmpuint(f->refs[1], ==, 2);
    g_assert_cmpstr(f->reason, ==, "nested machine check");
    FwnmiJournalRecord *n = g_ptr_array_index(p.records, 1);
    g_assert_cmpuint(n->disposition, ==, FWNMI_JDISP_NESTED_FATAL);
    g_assert_cmphex(n->dar, ==, 0x8000);
    g_assert_cmpuint(n->log_len, ==, SPAPR_ELOG_MCE_LEN);
    fwnmi_journal_parse_clear(&p);
    spapr_machine_destroy(spapr);
}

/* RTAS call with @nargs cells at 0x100200, status cell after them. */
static int32_t rtas_cells(SpaprMachineState *spapr, uint32_t token, int nargs,
                          const uint32_t *args)
{
    uint64_t base = 0x100200;
    uint32_t status;
    for (int i = 0; i < nargs; i++) {
        guest_st_be32(&spapr->ram, base + 4 * (uint64_t)i, args[i]);
    }
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, (uint32_t)nargs, base, 1,
                                    base + 4 * (uint64_t)nargs), ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, base + 4 * (uint64_t)nargs, &status);
    return (int32_t)status;
}

/* A fatal event's logs reach the next boot, once each (in memory, and
 * with a file that a new process reads back). */
static void machine_handover_after_reset(const char *path)
{
    g_autoptr(GError) err = NULL;
    SpaprMachineState *spapr = machine_on(path, &err);
    g_assert_no_error(err);
    PowerPCCPU *cpu = spapr->cpus[0];
    uint64_t buf = 0x110000;
    uint8_t held[SPAPR_ELOG_MCE_LEN], got[SPAPR_ELOG_MCE_LEN];
    const uint32_t scan_all[4] = { 0xffffffffu, 0, (uint32_t)buf, 2048 };

    uint64_t base = 0x100000;
    guest_st_be32(&spapr->ram, base, SRESET_HANDLER);
    guest_st_be32(&spapr->ram, base + 4, MCE_HANDLER);
    bql_lock();
    g_assert_cmpint(spapr_rtas_call(spapr, cpu, RTAS_IBM_NMI_REGISTER, 2, base, 1, base + 8),
                    ==, H_SUCCESS);
    /* Nothing to report yet. */
    g_assert_cmpint(rtas_cells(spapr, RTAS_EVENT_SCAN, 4, scan_all), ==, RTAS_OUT_NO_ERRORS_FOUND);
    cpu->env.msr = MSR_SF | MSR_ME | MSR_RI;
    SpaprMceInfo info = { .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE, .dar = 0x7000,
                          .recovered = false };
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    guest_read(&spapr->ram, spapr->rtas_base + RTAS_ERROR_LOG_OFFSET + 8, held, sizeof(held));
    spapr_guest_panicked(spapr, "Machine check");          /* died in its handler */
    spapr_machine_reset(spapr);

    /* Wrong class, then a buffer too small: kept. */
    const uint32_t scan_epow[4] = { 0x40000000u, 0, (uint32_t)buf, 2048 };
    g_assert_cmpint(rtas_cells(spapr, RTAS_EVENT_SCAN, 4, scan_epow), ==, RTAS_OUT_NO_ERRORS_FOUND);
    const uint32_t scan_small[4] = { 0xffffffffu, 0, (uint32_t)buf, 100 };
    g_assert_cmpint(rtas_cells(spapr, RTAS_EVENT_SCAN, 4, scan_small), ==, RTAS_OUT_NO_ERRORS_FOUND);
    const uint32_t check[6] = { 0x200, 0, 0x80000000u, 1, (uint32_t)buf, 2048 };
    g_assert_cmpint(rtas_cells(spapr, RTAS_CHECK_EXCEPTION, 6, check), ==, RTAS_OUT_SUCCESS);
    guest_read(&spapr->ram, buf, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), held, sizeof(held));
    /* Once only. */
    g_assert_cmpint(rtas_cells(spapr, RTAS_EVENT_SCAN, 4, scan_all), ==, RTAS_OUT_NO_ERRORS_FOUND);
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    g_assert_nonnull(strstr(json, "\"boot\": 2, \"records\": 3,"));  /* mce, fatal, handed over */
    g_assert_nonnull(strstr(json, "\"handover-pending\": 0,"));
    g_assert_nonnull(strstr(json, "\"fatal-boot\": 1, \"fatal-reason\": \"Machine check\""));
    /* The record says to which boot and how it was handed over. */
    g_assert_nonnull(strstr(json, "\"handed-over\": {\"boot\": 2, \"time-ns\": "));
    g_assert_nonnull(strstr(json, ", \"via\": \"check-exception\"}}"));
    g_assert_null(strstr(json, "\"handed-over\": null"));
    bql_unlock();
    spapr_machine_destroy(spapr);
}

static void test_machine_handover_after_reset(void)
{
    machine_handover_after_reset(NULL);
}

static void test_machine_handover_in_file(void)
{
    g_autofree char *path = tmp_path("handover.jnl");
    machine_handover_after_reset(path);
    /* A new process: the handed-over record is read back, not handed again. */
    g_autoptr(GError) err = NULL;
    SpaprMachineState *spapr = machine_on(path, &err);
    g_assert_no_error(err);
    g_autofree char *json = spapr_fwnmi_journal_json(spapr);
    g_assert_nonnull(strstr(json, "\"boot\": 3, \"records\": 3,"));
    g_assert_nonnull(strstr(json, "\"handover-pending\": 0,"));
    g_assert_nonnull(strstr(json, "\"handed-over\": {\"boot\": 2, \"time-ns\": "));
    g_assert_nonnull(strstr(json, ", \"via\": \"check-exception\"}}"));
    spapr_machine_destroy(spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fwnmi-journal/format/record-layout", test_record_layout);
    g_test_add_func("/fwnmi-journal/format/roundtrip", test_parse_roundtrip);
    g_test_add_func("/fwnmi-journal/format/torn-tail", test_parse_torn_tail);
    g_test_add_func("/fwnmi-journal/format/corrupt-middle", test_parse_corrupt_middle);
    g_test_add_func("/fwnmi-journal/format/headers", test_parse_headers);
    g_test_add_func("/fwnmi-journal/format/resync-budget", test_parse_resync_budget);
    g_test_add_func("/fwnmi-journal/machine/survives-restart", test_machine_records_survive_restart);
    g_test_add_func("/fwnmi-journal/machine/torn-tail", test_machine_torn_tail_appends_after_last_valid);
    g_test_add_func("/fwnmi-journal/machine/bad-files", test_machine_bad_files);
    g_test_add_func("/fwnmi-journal/machine/full", test_machine_full);
    g_test_add_func("/fwnmi-journal/machine/nested-fatal", test_machine_nested_fatal);
    g_test_add_func("/fwnmi-journal/machine/handover-after-reset", test_machine_handover_after_reset);
    g_test_add_func("/fwnmi-journal/machine/handover-in-file", test_machine_handover_in_file);
    int ret = g_test_run();
    remove_tmp_dir();
    return ret;
}
