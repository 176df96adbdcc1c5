/*
 * The RTAS error-log encoder (hw/ppc/spapr_events.c): any SRR1/DSISR/DAR/
 * NIP/RA and flags, any creation time, any buffer length. The log is
 * SPAPR_ELOG_MCE_LEN bytes exactly when it fits, the buffer is untouched
 * when it does not, and nothing is written past the end (ASan).
 */
#include <string.h>

#include "fuzz-common.h"
#include "hw/ppc/spapr_events.h"

typedef struct ElogInput {
    uint64_t srr1, dar, nip, ra;
    uint32_t dsisr, plid;
    uint8_t flags;              /* recovered, ea_known, ra_known */
    uint8_t len;                /* buffer length is SPAPR_ELOG_MCE_LEN - 8 + len % 16 */
    int16_t year;
    int8_t month, day, hour, minute, second, centisecond;
} ElogInput;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ElogInput in = { 0 };
    memcpy(&in, data, MIN(size, sizeof(in)));
    SpaprMceInfo mce = {
        .srr1 = in.srr1, .dsisr = in.dsisr, .dar = in.dar, .nip = in.nip,
        .recovered = in.flags & 1, .ea_known = in.flags & 2, .ra_known = in.flags & 4,
        .ra = in.ra,
    };
    SpaprElogTime when = {
        .year = in.year, .month = in.month, .day = in.day, .hour = in.hour,
        .minute = in.minute, .second = in.second, .centisecond = in.centisecond,
    };
    size_t len = SPAPR_ELOG_MCE_LEN - 8 + in.len % 16;
    uint8_t *buf = g_malloc(len);           /* exact size: ASan sees overruns */
    memset(buf, 0xA5, len);
    int ret = spapr_elog_build_mce(&mce, &when, in.plid, buf, len);
    if (len >= SPAPR_ELOG_MCE_LEN) {
        g_assert_cmpint(ret, ==, SPAPR_ELOG_MCE_LEN);
    } else {
        g_assert_cmpint(ret, <, 0);
        for (size_t i = 0; i < len; i++) {
            g_assert_cmpuint(buf[i], ==, 0xA5);
        }
    }
    SpaprMceClass cls = spapr_mce_classify(&mce);
    g_assert_nonnull(spapr_mce_error_type_name(cls.error_type));
    g_assert_nonnull(spapr_mce_subtype_name(cls.error_type, cls.subtype));
    g_free(buf);
    return 0;
}
