/*
 * pseries machine properties (-machine pseries,PROP=VALUE): every
 * capability QEMU 7.2's pseries machine has, and its other properties this
 * machine can take. Values are parsed and validated as QEMU parses them;
 * spapr_caps_check() then says what QEMU's TCG says of them (warnings),
 * and refuses what this machine cannot honour with QEMU's error text.
 * Only cap-fwnmi changes the machine's behaviour.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qemu/cutils.h"
#include "system/options.h"
#include "system/trace.h"

typedef enum CapKind { CAP_BOOL, CAP_TRI, CAP_IBS, CAP_SIZE } CapKind;

typedef struct SpaprCapInfo {
    const char *name;
    CapKind kind;
    size_t offset;              /* bool, uint8_t or uint64_t inside SpaprCaps */
    size_t set_offset;          /* bool "given" flag, or 0 */
} SpaprCapInfo;

#define CAP(n, k, field) { n, k, offsetof(SpaprCaps, field), 0 }
#define CAP_SET(n, k, field) { n, k, offsetof(SpaprCaps, field), offsetof(SpaprCaps, set_##field) }

static const SpaprCapInfo spapr_caps_table[] = {
    CAP("cap-fwnmi", CAP_BOOL, fwnmi),
    CAP("cap-htm", CAP_BOOL, htm),
    CAP_SET("cap-vsx", CAP_BOOL, vsx),
    CAP_SET("cap-dfp", CAP_BOOL, dfp),
    CAP("cap-cfpc", CAP_TRI, cfpc),
    CAP("cap-sbbc", CAP_TRI, sbbc),
    CAP("cap-ibs", CAP_IBS, ibs),
    CAP("cap-hpt-max-page-size", CAP_SIZE, hpt_max_page_size),
    CAP("cap-nested-hv", CAP_BOOL, nested_hv),
    CAP_SET("cap-large-decr", CAP_BOOL, large_decr),
    CAP("cap-ccf-assist", CAP_BOOL, ccf_assist),
    CAP("cap-rpt-invalidate", CAP_BOOL, rpt_invalidate),
    CAP("x-vof", CAP_BOOL, x_vof),
};

/* Other pseries properties that change nothing here whatever their value
 * (no USB, no display, no migration): accepted as booleans. */
static const char *const spapr_bool_props[] = {
    "usb", "graphics", "dump-guest-core", "mem-merge", "suppress-vmdesc",
    "vfio-no-msix-emulation",
};

static const char *const tri_names[] = { "broken", "workaround", "fixed" };
static const char *const ibs_names[] = { "broken", "workaround", "fixed-ibs", "fixed-ccd",
                                         "fixed-na" };

SpaprCaps spapr_caps_default(void)
{
    /* QEMU 7.2's pseries-7.2 defaults, except what the software CPU does
     * not have: VSX, DFP and the large decrementer are off. */
    return (SpaprCaps) {
        .fwnmi = true,
        .cfpc = SPAPR_CAP_WORKAROUND,
        .sbbc = SPAPR_CAP_WORKAROUND,
        .ibs = SPAPR_CAP_WORKAROUND,
        .hpt_max_page_size = 64 * 1024,
        .ccf_assist = true,
    };
}

/* QEMU's boolean spellings (qapi_bool_parse). */
static int parse_bool(const char *value, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(value, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(value, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

/* QEMU's qemu_strtosz: a number with an optional B/K/M/G/T/P/E suffix
 * (a bare number is bytes). */
static int parse_size(const char *value, uint64_t *out)
{
    char *end;
    if (!g_ascii_isdigit(value[0])) {
        return -EINVAL;
    }
    guint64 n = g_ascii_strtoull(value, &end, 10);
    static const char suffixes[] = "BKMGTPE";
    unsigned shift = 0;
    if (*end) {
        const char *s = strchr(suffixes, g_ascii_toupper(*end));
        if (!s || end[1]) {
            return -EINVAL;
        }
        shift = 10 * (unsigned)(s - suffixes);
    }
    if (shift && n > (UINT64_MAX >> shift)) {
        return -EINVAL;
    }
    *out = n << shift;
    return 0;
}

static int parse_mode(const char *value, const char *const *names, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_strcasecmp(value, names[i])) {
            *out = (uint8_t)i;
            return 0;
        }
    }
    return -EINVAL;
}

static int cap_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int cap_error(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
    return -EINVAL;
}

static int set_cap(SpaprCaps *caps, const SpaprCapInfo *cap, const char *value,
                   GError **error)
{
    char *field = (char *)caps + cap->offset;
    switch (cap->kind) {
    case CAP_BOOL:
        if (!value || parse_bool(value, (bool *)field) < 0) {
            return cap_error(error, "Parameter '%s' expects 'on' or 'off'", cap->name);
        }
        break;
    case CAP_TRI:
    case CAP_IBS: {
        bool ibs = cap->kind == CAP_IBS;
        if (!value || parse_mode(value, ibs ? ibs_names : tri_names,
                                 ibs ? G_N_ELEMENTS(ibs_names) : G_N_ELEMENTS(tri_names),
                                 (uint8_t *)field) < 0) {
            return cap_error(error, "Invalid capability mode \"%s\" for %s",
                             value ? value : "", cap->name);
        }
        break;
    }
    case CAP_SIZE: {
        uint64_t size;
        if (!value || parse_size(value, &size) < 0) {
            return cap_error(error, "Parameter '%s' expects size", cap->name);
        }
        if (size & (size - 1)) {
            return cap_error(error, "%s must be a power of 2", cap->name);
        }
        *(uint64_t *)field = size;
        break;
    }
    }
    if (cap->set_offset) {
        *(bool *)((char *)caps + cap->set_offset) = true;
    }
    return 0;
}

int spapr_caps_set(SpaprCaps *caps, const char *name, const char *value, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(spapr_caps_table); i++) {
        if (!strcmp(spapr_caps_table[i].name, name)) {
            return set_cap(caps, &spapr_caps_table[i], value, error);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(spapr_bool_props); i++) {
        bool ignored;
        if (!strcmp(spapr_bool_props[i], name)) {
            if (!value || parse_bool(value, &ignored) < 0) {
                return cap_error(error, "Parameter '%s' expects 'on' or 'off'", name);
            }
            return 0;
        }
    }
    if (!strcmp(name, "ic-mode")) {
        /* This machine has XICS only (README, Interrupt controller). */
        if (!value || strcmp(value, "xics") != 0) {
            return cap_error(error, "Unsupported interrupt mode '%s' "
                             "(this machine has XICS only: ic-mode=xics)", value ? value : "");
        }
        return 0;
    }
    return -ENOENT;
}

/* A capability that cannot be had: QEMU's message and its hint line. */
static int cap_refuse(GError **error, const char *why, const char *cap)
{
    return cap_error(error, "%s\nTry appending -machine %s=off", why, cap);
}

int spapr_caps_check(const SpaprCaps *caps, bool tcg, bool warn, GError **error)
{
    if (!tcg) {
        return 0;       /* as QEMU under qtest: no guest code runs */
    }
    if (caps->htm) {
        return cap_refuse(error, "No Transactional Memory support in TCG", "cap-htm");
    }
    if (caps->vsx) {
        return cap_refuse(error, "VSX support not available", "cap-vsx");
    }
    if (caps->dfp) {
        return cap_refuse(error, "DFP support not available", "cap-dfp");
    }
    if (warn && caps->cfpc != SPAPR_CAP_BROKEN) {
        warn_report("TCG doesn't support requested feature, cap-cfpc=%s", tri_names[caps->cfpc]);
    }
    if (warn && caps->sbbc != SPAPR_CAP_BROKEN) {
        warn_report("TCG doesn't support requested feature, cap-sbbc=%s", tri_names[caps->sbbc]);
    }
    if (warn && caps->ibs != SPAPR_CAP_BROKEN) {
        warn_report("TCG doesn't support requested feature, cap-ibs=%s", ibs_names[caps->ibs]);
    }
    if (caps->hpt_max_page_size < 4096) {
        return cap_error(error, "Require at least 4kiB hpt-max-page-size");
    }
    if (warn && caps->hpt_max_page_size < 64 * 1024) {
        warn_report("Many guests require at least 64kiB hpt-max-page-size");
    }
    if (caps->nested_hv) {
        return cap_refuse(error, "No support for nested virtualisation with this CPU",
                          "cap-nested-hv");
    }
    if (caps->large_decr) {
        return cap_refuse(error, "No large decrementer support", "cap-large-decr");
    }
    if (warn && caps->ccf_assist) {
        warn_report("TCG doesn't support requested feature, cap-ccf-assist=on");
    }
    if (caps->rpt_invalidate) {
        return cap_refuse(error, "No H_RPT_INVALIDATE support in TCG", "cap-rpt-invalidate");
    }
    return 0;
}
