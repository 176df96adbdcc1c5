/*
 * FWNMI journal file format: encoder and validating reader. Pure functions
 * (no machine, no I/O, no locks): the layout is described in
 * include/hw/ppc/spapr_fwnmi_journal.h. tests/fuzz/fuzz-journal.c feeds
 * the reader arbitrary bytes.
 */
#include "hw/ppc/spapr_fwnmi_journal.h"

#include <string.h>
#include <zlib.h>

uint32_t fwnmi_journal_crc32(const uint8_t *buf, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) {
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, buf, n);
        buf += n;
        len -= n;
    }
    return (uint32_t)crc;
}

const char *fwnmi_journal_disposition_name(unsigned disposition)
{
    static const char *const names[] = {
        [FWNMI_JDISP_DELIVERED] = "delivered",
        [FWNMI_JDISP_LEGACY] = "legacy",
        [FWNMI_JDISP_NESTED_IGNORED] = "nested-ignored",
        [FWNMI_JDISP_NESTED_FATAL] = "nested-fatal",
    };
    return disposition < G_N_ELEMENTS(names) && names[disposition] ? names[disposition]
                                                                     : "unknown";
}

void fwnmi_journal_record_free(FwnmiJournalRecord *r)
{
    if (r) {
        g_free(r->log);
        g_free(r->reason);
        g_free(r);
    }
}

FwnmiJournalRecord *fwnmi_journal_record_dup(const FwnmiJournalRecord *r)
{
    FwnmiJournalRecord *d = g_memdup2(r, sizeof(*r));
    d->log = r->log ? g_memdup2(r->log, r->log_len) : NULL;
    d->reason = g_strdup(r->reason);
    return d;
}

/* ---- big-endian helpers ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

/* ---- encoding ---- */

void fwnmi_journal_header(uint8_t out[FWNMI_JOURNAL_HEADER_LEN], uint64_t time_ns)
{
    memset(out, 0, FWNMI_JOURNAL_HEADER_LEN);
    memcpy(out, FWNMI_JOURNAL_MAGIC, 8);
    put16(out + 8, FWNMI_JOURNAL_VERSION);
    put16(out + 10, FWNMI_JOURNAL_HEADER_LEN);
    put64(out + 16, time_ns);
    put32(out + 28, fwnmi_journal_crc32(out, 28));
}

static size_t payload_len(const FwnmiJournalRecord *r)
{
    switch (r->type) {
    case FWNMI_JREC_MCE:
        return r->log_len <= FWNMI_JREC_LOG_MAX && (r->log || !r->log_len) &&
               r->disposition >= 1 && r->disposition <= FWNMI_JDISP_MAX
               ? FWNMI_JREC_MCE_FIXED + r->log_len : 0;
    case FWNMI_JREC_FATAL: {
        size_t rl = r->reason ? strlen(r->reason) : 0;
        return r->nrefs >= 1 && r->nrefs <= FWNMI_JREC_MAX_REFS &&
               rl <= FWNMI_JREC_REASON_MAX ? 24 + 8 * (size_t)r->nrefs + rl : 0;
    }
    case FWNMI_JREC_HANDED_OVER:
        return 32;
    default:
        return 0;
    }
}

GBytes *fwnmi_journal_encode(const FwnmiJournalRecord *r)
{
    size_t plen = payload_len(r);
    if (!plen) {
        return NULL;
    }
    size_t len = FWNMI_JREC_HDR_LEN + plen + 4;
    uint8_t *b = g_malloc0(len), *p = b + FWNMI_JREC_HDR_LEN;

    put32(b, FWNMI_JREC_MAGIC);
    put16(b + 4, FWNMI_JREC_VERSION);
    put16(b + 6, r->type);
    put32(b + 8, (uint32_t)len);
    put64(b + 16, r->seq);
    put64(p, r->time_ns);
    put64(p + 8, r->boot);
    switch (r->type) {
    case FWNMI_JREC_MCE:
        put32(p + 16, r->cpu);
        p[20] = r->disposition;
        p[21] = r->flags;
        put16(p + 22, r->log_len);
        put64(p + 24, r->srr1);
        put64(p + 32, r->dar);
        put64(p + 40, r->nip);
        put32(p + 48, r->dsisr);
        if (r->log_len) {
            memcpy(p + FWNMI_JREC_MCE_FIXED, r->log, r->log_len);
        }
        break;
    case FWNMI_JREC_FATAL: {
        size_t rl = r->reason ? strlen(r->reason) : 0;
        put16(p + 16, r->nrefs);
        put16(p + 18, (uint16_t)rl);
        for (unsigned i = 0; i < r->nrefs; i++) {
            put64(p + 24 + 8 * i, r->refs[i]);
        }
        if (rl) {
            memcpy(p + 24 + 8 * r->nrefs, r->reason, rl);
        }
        break;
    }
    case FWNMI_JREC_HANDED_OVER:
        put64(p + 16, r->ref);
        put32(p + 24, r->via);
        break;
    }
    put32(b + len - 4, fwnmi_journal_crc32(b, len - 4));
    return g_bytes_new_take(b, len);
}

/* ---- decoding ---- */

/* The payload of a record whose framing and CRC are valid; NULL: invalid. */
static FwnmiJournalRecord *decode_payload(uint16_t type, uint64_t seq,
                                          const uint8_t *p, size_t plen)
{
    if (plen < 16) {
        return NULL;
    }
    g_autoptr(FwnmiJournalRecord) r = g_new0(FwnmiJournalRecord, 1);
    r->type = type;
    r->seq = seq;
    r->time_ns = get64(p);
    r->boot = get64(p + 8);
    switch (type) {
    case FWNMI_JREC_MCE:
        if (plen < FWNMI_JREC_MCE_FIXED) {
            return NULL;
        }
        r->cpu = get32(p + 16);
        r->disposition = p[20];
        r->flags = p[21];
        r->log_len = get16(p + 22);
        r->srr1 = get64(p + 24);
        r->dar = get64(p + 32);
        r->nip = get64(p + 40);
        r->dsisr = get32(p + 48);
        if (r->disposition < 1 || r->disposition > FWNMI_JDISP_MAX ||
            r->log_len > FWNMI_JREC_LOG_MAX || get32(p + 52) != 0 ||
            (r->flags & ~FWNMI_JFLAG_RECOVERED) ||
            plen != FWNMI_JREC_MCE_FIXED + (size_t)r->log_len) {
            return NULL;
        }
        r->log = r->log_len ? g_memdup2(p + FWNMI_JREC_MCE_FIXED, r->log_len) : NULL;
        break;
    case FWNMI_JREC_FATAL: {
        if (plen < 24) {
            return NULL;
        }
        r->nrefs = get16(p + 16);
        uint16_t rl = get16(p + 18);
        if (r->nrefs < 1 || r->nrefs > FWNMI_JREC_MAX_REFS || rl > FWNMI_JREC_REASON_MAX ||
            get32(p + 20) != 0 || plen != 24 + 8 * (size_t)r->nrefs + rl ||
            memchr(p + 24 + 8 * r->nrefs, 0, rl)) {
            return NULL;
        }
        for (unsigned i = 0; i < r->nrefs; i++) {
            r->refs[i] = get64(p + 24 + 8 * i);
        }
        r->reason = g_strndup((const char *)p + 24 + 8 * r->nrefs, rl);
        break;
    }
    case FWNMI_JREC_HANDED_OVER:
        if (plen != 32 || get32(p + 28) != 0) {
            return NULL;
        }
        r->ref = get64(p + 16);
        r->via = get32(p + 24);
        if (r->via != FWNMI_JVIA_EVENT_SCAN && r->via != FWNMI_JVIA_CHECK_EXCEPTION) {
            return NULL;
        }
        break;
    default:
        return NULL;
    }
    return g_steal_pointer(&r);
}

typedef enum { REC_OK, REC_BAD, REC_SHORT, REC_UNKNOWN } RecResult;

/*
 * Bytes the reader may checksum for candidates that turn out invalid: a
 * hostile file with a plausible header every 4 bytes would otherwise cost
 * a CRC over up to 4 KiB per candidate. Past it, the rest of the file is
 * left alone (kept, not parsed, appended after).
 */
#define RESYNC_CRC_BUDGET   (64u << 20)

/*
 * Try a record at @p (@avail bytes to the end). REC_SHORT: it would be
 * valid framing but runs past the end (a torn write). REC_UNKNOWN: a valid
 * record of a type or version this VMM does not know: skipped whole.
 */
static RecResult try_record(const uint8_t *p, size_t avail, FwnmiJournalRecord **out,
                            uint32_t *len_out, uint64_t *crc_spent)
{
    *out = NULL;
    if (avail < 4 || get32(p) != FWNMI_JREC_MAGIC) {
        return avail < 4 && !memcmp(p, "FJRC", avail) ? REC_SHORT : REC_BAD;
    }
    if (avail < 12) {
        return REC_SHORT;
    }
    uint32_t len = get32(p + 8);
    if (len < FWNMI_JREC_MIN_LEN || len > FWNMI_JREC_MAX_LEN) {
        return REC_BAD;
    }
    if (len > avail) {
        return REC_SHORT;
    }
    if (fwnmi_journal_crc32(p, len - 4) != get32(p + len - 4)) {
        *crc_spent += len;
        return REC_BAD;
    }
    *len_out = len;
    uint16_t version = get16(p + 4), type = get16(p + 6);
    if (version != FWNMI_JREC_VERSION ||
        (type != FWNMI_JREC_MCE && type != FWNMI_JREC_FATAL && type != FWNMI_JREC_HANDED_OVER)) {
        return REC_UNKNOWN;
    }
    if (get32(p + 12) != 0) {
        return REC_BAD;
    }
    *out = decode_payload(type, get64(p + 16), p + FWNMI_JREC_HDR_LEN,
                          len - FWNMI_JREC_HDR_LEN - 4);
    return *out ? REC_OK : REC_BAD;
}

static void warn(FwnmiJournalParse *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void warn(FwnmiJournalParse *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(out->warnings, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static FwnmiJournalStatus check_header(const uint8_t *buf, size_t len, FwnmiJournalParse *out)
{
    if (len == 0) {
        return FWNMI_JOURNAL_EMPTY;
    }
    if (len < FWNMI_JOURNAL_HEADER_LEN) {
        /* Torn while being created: a prefix of some valid header. */
        if (len <= 8 ? !memcmp(buf, FWNMI_JOURNAL_MAGIC, len)
                     : !memcmp(buf, FWNMI_JOURNAL_MAGIC, 8)) {
            warn(out, "torn %zu-byte file header ignored", len);
            out->torn = len;
            return FWNMI_JOURNAL_EMPTY;
        }
        return FWNMI_JOURNAL_NOT_JOURNAL;
    }
    if (memcmp(buf, FWNMI_JOURNAL_MAGIC, 8) ||
        fwnmi_journal_crc32(buf, 28) != get32(buf + 28) ||
        get16(buf + 10) != FWNMI_JOURNAL_HEADER_LEN) {
        return FWNMI_JOURNAL_NOT_JOURNAL;
    }
    if (get16(buf + 8) != FWNMI_JOURNAL_VERSION) {
        return get16(buf + 8) > FWNMI_JOURNAL_VERSION ? FWNMI_JOURNAL_NEWER
                                                      : FWNMI_JOURNAL_NOT_JOURNAL;
    }
    return FWNMI_JOURNAL_OK;
}

void fwnmi_journal_parse(const uint8_t *buf, size_t len, FwnmiJournalParse *out)
{
    memset(out, 0, sizeof(*out));
    out->records = g_ptr_array_new_with_free_func((GDestroyNotify)fwnmi_journal_record_free);
    out->warnings = g_ptr_array_new_with_free_func(g_free);
    out->status = check_header(buf, len, out);
    if (out->status != FWNMI_JOURNAL_OK) {
        return;
    }
    size_t off = FWNMI_JOURNAL_HEADER_LEN, bad_start = 0;
    bool in_bad = false;
    uint64_t crc_spent = 0;
    out->valid_end = off;
    while (off < len) {
        FwnmiJournalRecord *r;
        uint32_t rlen = 0;
        if (crc_spent > RESYNC_CRC_BUDGET) {
            warn(out, "gave up looking for records after offset %zu (too many corrupt "
                 "candidates); the remaining %zu bytes are kept unread", off, len - off);
            out->skipped += len - (in_bad ? bad_start : off);
            out->valid_end = len;
            return;
        }
        RecResult res = try_record(buf + off, len - off, &r, &rlen, &crc_spent);
        if (res == REC_OK || res == REC_UNKNOWN) {
            if (in_bad) {
                warn(out, "skipped %zu corrupt bytes at offset %zu", off - bad_start, bad_start);
                out->skipped += off - bad_start;
                in_bad = false;
            }
            if (res == REC_OK) {
                g_ptr_array_add(out->records, r);
            } else {
                warn(out, "skipped a record of unknown type or version at offset %zu", off);
            }
            off += rlen;
            out->valid_end = off;
            continue;
        }
        if (!in_bad) {
            in_bad = true;
            bad_start = off;
        }
        off++;          /* resynchronise on the next magic */
    }
    if (in_bad) {
        out->torn = len - out->valid_end;
        warn(out, "ignored %" G_GUINT64_FORMAT " bytes of a torn or corrupt record at "
             "offset %" G_GUINT64_FORMAT " (the end of the file)", out->torn, out->valid_end);
    }
}

void fwnmi_journal_parse_clear(FwnmiJournalParse *p)
{
    g_clear_pointer(&p->records, g_ptr_array_unref);
    g_clear_pointer(&p->warnings, g_ptr_array_unref);
}
