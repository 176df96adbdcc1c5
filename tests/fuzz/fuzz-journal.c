/*
 * The FWNMI journal reader (hw/ppc/spapr_fwnmi_journal_fmt.c): any bytes
 * as a journal file. It must never crash or read out of bounds (ASan),
 * everything it accepts must re-encode to exactly the bytes it came from
 * (nothing is invented), valid records stay in order and inside the
 * valid part, and every warning is one line.
 */
#include <string.h>

#include "fuzz-common.h"
#include "hw/ppc/spapr_fwnmi_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = g_memdup2(data, size);      /* exact size: ASan sees overruns */
    FwnmiJournalParse p;

    fwnmi_journal_parse(copy, size, &p);
    g_assert_cmpuint(p.valid_end + p.torn, <=, size);
    g_assert_cmpuint(p.skipped, <=, p.valid_end);
    if (p.status != FWNMI_JOURNAL_OK) {
        g_assert_cmpuint(p.records->len, ==, 0);
    } else {
        g_assert_cmpuint(p.valid_end + p.torn, ==, size);
    }
    size_t from = FWNMI_JOURNAL_HEADER_LEN;
    for (guint i = 0; i < p.records->len; i++) {
        const FwnmiJournalRecord *r = g_ptr_array_index(p.records, i);
        g_autoptr(GBytes) b = fwnmi_journal_encode(r);
        g_assert_nonnull(b);
        size_t len;
        const uint8_t *enc = g_bytes_get_data(b, &len);
        /* The record's bytes are in the file, in order, inside the valid part. */
        const uint8_t *at = NULL;
        for (size_t off = from; off + len <= p.valid_end; off++) {
            if (!memcmp(copy + off, enc, len)) {
                at = copy + off;
                break;
            }
        }
        g_assert_nonnull(at);
        from = (size_t)(at - copy) + len;
        if (r->type == FWNMI_JREC_MCE) {
            g_assert_cmpuint(r->log_len, <=, FWNMI_JREC_LOG_MAX);
            g_assert_nonnull(fwnmi_journal_disposition_name(r->disposition));
        }
    }
    for (guint i = 0; i < p.warnings->len; i++) {
        g_assert_null(strchr(g_ptr_array_index(p.warnings, i), '\n'));
    }
    fwnmi_journal_parse_clear(&p);
    g_free(copy);
    return 0;
}
