/* Text protocol helpers: see include/qemu/cutils.h. */
#include "qemu/cutils.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

char **qemu_split_words(const char *line, int *argc)
{
    char **words = g_strsplit_set(line, " \t", -1);
    int n = 0;

    /* Runs of blanks leave empty words: drop them in place. */
    for (int i = 0; words[i]; i++) {
        if (words[i][0]) {
            words[n++] = words[i];
        } else {
            g_free(words[i]);
        }
    }
    words[n] = NULL;
    *argc = n;
    return words;
}

bool qemu_parse_u64(const char *s, uint64_t *out)
{
    int saved_errno = errno;
    char *end;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    uint64_t value = g_ascii_strtoull(s, &end, 0);
    bool ok = errno == 0 && *end == '\0';
    errno = saved_errno;
    if (ok) {
        *out = value;
    }
    return ok;
}

bool qemu_parse_i64(const char *s, int64_t *out)
{
    int saved_errno = errno;
    char *end;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    int64_t value = g_ascii_strtoll(s, &end, 0);
    bool ok = errno == 0 && *end == '\0';
    errno = saved_errno;
    if (ok) {
        *out = value;
        return true;
    }
    uint64_t u;             /* also accept 0xffffffffffffffff style */
    if (qemu_parse_u64(s, &u)) {
        *out = (int64_t)u;
        return true;
    }
    return false;
}

char *qemu_one_line(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            g_string_append_printf(out, "\\x%02x", *p);
        } else {
            g_string_append_c(out, (char)*p);
        }
    }
    return g_string_free(out, FALSE);
}

char *qemu_json_quote(const char *s)
{
    g_autofree char *valid = g_utf8_make_valid(s, -1);
    GString *out = g_string_sized_new(strlen(valid) + 2);

    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
        switch (*p) {
        case '"':  g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                g_string_append_printf(out, "\\u%04x", *p);
            } else {
                g_string_append_c(out, (char)*p);   /* UTF-8 passes through */
            }
        }
    }
    g_string_append_c(out, '"');
    return g_string_free(out, FALSE);
}
