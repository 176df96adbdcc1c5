/*
 * Text protocol helpers (include/qemu/cutils.h), as the qtest server and
 * HMP use them: word splitting; for the number parsers, the accepted
 * forms and their values, the rejected forms (which leave the output
 * alone), and errno untouched. The forms are pinned as the protocols
 * accepted them before the helpers were shared, quirks included, so that
 * any change is a deliberate one.
 */
#include <errno.h>
#include <glib.h>

#include "qemu/cutils.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aULL

typedef struct U64Case {
    const char *s;
    uint64_t value;
} U64Case;

typedef struct I64Case {
    const char *s;
    int64_t value;
} I64Case;

static void check_u64_accepts(const U64Case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = UNTOUCHED;
        g_test_message("qemu_parse_u64(\"%s\")", cases[i].s);
        g_assert_true(qemu_parse_u64(cases[i].s, &v));
        g_assert_cmphex(v, ==, cases[i].value);
    }
}

static void check_u64_rejects(const char *const *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = UNTOUCHED;
        g_test_message("qemu_parse_u64(\"%s\")", cases[i]);
        g_assert_false(qemu_parse_u64(cases[i], &v));
        g_assert_cmphex(v, ==, UNTOUCHED);
    }
}

static void check_i64_accepts(const I64Case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)UNTOUCHED;
        g_test_message("qemu_parse_i64(\"%s\")", cases[i].s);
        g_assert_true(qemu_parse_i64(cases[i].s, &v));
        g_assert_cmpint(v, ==, cases[i].value);
    }
}

static void check_i64_rejects(const char *const *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)UNTOUCHED;
        g_test_message("qemu_parse_i64(\"%s\")", cases[i]);
        g_assert_false(qemu_parse_i64(cases[i], &v));
        g_assert_cmpint(v, ==, (int64_t)UNTOUCHED);
    }
}

/* ---- qemu_split_words ---- */

static void check_words(const char *line, const char *const *expected)
{
    int argc = -1;
    g_auto(GStrv) words = qemu_split_words(line, &argc);
    g_assert_cmpint(argc, ==, g_strv_length((char **)expected));
    g_assert_true(g_strv_equal((const char *const *)words, expected));
}

static void test_split_words(void)
{
    check_words("", (const char *const[]){ NULL });
    check_words("   ", (const char *const[]){ NULL });
    check_words(" \t \t", (const char *const[]){ NULL });
    check_words("info", (const char *const[]){ "info", NULL });
    check_words("info registers 1", (const char *const[]){ "info", "registers", "1", NULL });
    check_words("  writeq\t\t0x1000   0xff \t", (const char *const[]){
                    "writeq", "0x1000", "0xff", NULL });
    /* Only blanks and tabs separate. */
    check_words("a\nb c\r", (const char *const[]){ "a\nb", "c\r", NULL });
    check_words("a\vb", (const char *const[]){ "a\vb", NULL });
}

/* ---- qemu_parse_u64 ---- */

static void test_u64_accepts(void)
{
    static const U64Case cases[] = {
        { "0", 0 },
        { "00", 0 },
        { "0x0", 0 },
        { "42", 42 },
        { "+42", 42 },
        { "0x2a", 42 },
        { "0X2A", 42 },
        { "0x0000002a", 42 },
        { "052", 42 },                                  /* octal */
        { "4096", 4096 },
        { "18446744073709551615", UINT64_MAX },
        { "0xffffffffffffffff", UINT64_MAX },
        { "0xFFFFFFFFFFFFFFFF", UINT64_MAX },
        { "01777777777777777777777", UINT64_MAX },
        { " 42", 42 },                                  /* strtoull skips it */
        { "\t0x2a", 42 },
        /* Quirk: the '-' check is on the first character only. */
        { " -1", UINT64_MAX },
    };
    check_u64_accepts(cases, G_N_ELEMENTS(cases));
}

static void test_u64_rejects(void)
{
    static const char *const cases[] = {
        "",
        " ",
        "-1",                                   /* no sign for unsigned */
        "-0",
        "-0x1",
        "+",
        "+-1",
        "18446744073709551616",                 /* overflow */
        "0x10000000000000000",
        "99999999999999999999999",
        "42 ",                                  /* trailing garbage */
        "42x",
        "42\n",
        "4 2",
        "1.5",
        "0x",                                   /* prefix alone */
        "0x1g",
        "x42",
        "08",                                   /* not octal */
        "0b101",
    };
    check_u64_rejects(cases, G_N_ELEMENTS(cases));

    uint64_t v = UNTOUCHED;
    g_assert_false(qemu_parse_u64(NULL, &v));
    g_assert_cmphex(v, ==, UNTOUCHED);
}

/* ---- qemu_parse_i64 ---- */

static void test_i64_accepts(void)
{
    static const I64Case cases[] = {
        { "0", 0 },
        { "-0", 0 },
        { "42", 42 },
        { "+42", 42 },
        { "-42", -42 },
        { "0x2a", 42 },
        { "-0x2a", -42 },
        { "052", 42 },
        { "-052", -42 },
        { "9223372036854775807", INT64_MAX },
        { "-9223372036854775808", INT64_MIN },
        { "0x7fffffffffffffff", INT64_MAX },
        { "-0x8000000000000000", INT64_MIN },
        { " -42", -42 },
        /* Past INT64_MAX: the unsigned bit pattern, as register values. */
        { "0xffffffffffffffff", -1 },
        { "0xfffffffffffffffe", -2 },
        { "0x8000000000000000", INT64_MIN },
        { "9223372036854775808", INT64_MIN },
        { "18446744073709551615", -1 },
        /* Quirk: through the unsigned fallback's white-space quirk. */
        { " -9223372036854775809", INT64_MAX },
    };
    check_i64_accepts(cases, G_N_ELEMENTS(cases));
}

static void test_i64_rejects(void)
{
    static const char *const cases[] = {
        "",
        " ",
        "-",
        "+",
        "--1",
        "-9223372036854775809",                 /* below INT64_MIN */
        "-0x8000000000000001",
        "-0xffffffffffffffff",
        "-18446744073709551616",
        "18446744073709551616",                 /* above UINT64_MAX */
        "0x10000000000000000",
        "42 ",                                  /* trailing garbage */
        "-42x",
        "0x",
        "-0x",
        "0x1g",
        "08",
        "-08",
        "1e3",
    };
    check_i64_rejects(cases, G_N_ELEMENTS(cases));

    int64_t v = (int64_t)UNTOUCHED;
    g_assert_false(qemu_parse_i64(NULL, &v));
    g_assert_cmpint(v, ==, (int64_t)UNTOUCHED);
}

/* ---- errno ---- */

static void test_errno_preserved(void)
{
    uint64_t u;
    int64_t i;

    /* Overflow makes strtoull/strtoll set ERANGE: it must not leak out. */
    errno = EINTR;
    g_assert_false(qemu_parse_u64("18446744073709551616", &u));
    g_assert_cmpint(errno, ==, EINTR);
    g_assert_false(qemu_parse_i64("-9223372036854775809", &i));
    g_assert_cmpint(errno, ==, EINTR);
    /* The signed parser's unsigned fallback after an ERANGE. */
    g_assert_true(qemu_parse_i64("0xffffffffffffffff", &i));
    g_assert_cmpint(errno, ==, EINTR);

    /* Nor does success clear the caller's errno. */
    g_assert_true(qemu_parse_u64("42", &u));
    g_assert_cmpint(errno, ==, EINTR);
    g_assert_true(qemu_parse_i64("-42", &i));
    g_assert_cmpint(errno, ==, EINTR);

    errno = 0;
    g_assert_false(qemu_parse_u64("0x10000000000000000", &u));
    g_assert_cmpint(errno, ==, 0);
    g_assert_false(qemu_parse_i64("x", &i));
    g_assert_cmpint(errno, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/split-words", test_split_words);
    g_test_add_func("/cutils/parse-u64/accepts", test_u64_accepts);
    g_test_add_func("/cutils/parse-u64/rejects", test_u64_rejects);
    g_test_add_func("/cutils/parse-i64/accepts", test_i64_accepts);
    g_test_add_func("/cutils/parse-i64/rejects", test_i64_rejects);
    g_test_add_func("/cutils/errno-preserved", test_errno_preserved);
    return g_test_run();
}
