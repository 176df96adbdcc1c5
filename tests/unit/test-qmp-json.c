/*
 * The QMP stream splitter (system/qmp-json.c): values and errors come out
 * the same whether the input arrives whole, byte by byte or in odd chunks.
 */
#include <string.h>
#include <glib.h>

#include "system/qmp-json.h"

static void collect(void *opaque, const char *json, const char *error)
{
    GString *out = opaque;
    g_string_append_printf(out, "%s%s\n", json ? "V " : "E ", json ? json : error);
}

/* What the splitter emits for @in fed in pieces of @chunk bytes (0: whole). */
static char *split(const char *in, size_t len, size_t chunk)
{
    GString *out = g_string_new(NULL);
    QmpJsonStreamer s;
    qmp_json_init(&s, collect, out);
    if (!chunk) {
        qmp_json_feed(&s, in, len);
    } else {
        for (size_t i = 0; i < len; i += chunk) {
            qmp_json_feed(&s, in + i, MIN(chunk, len - i));
        }
    }
    qmp_json_destroy(&s);
    return g_string_free(out, FALSE);
}

static void check(const char *in, const char *want)
{
    size_t len = strlen(in);
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        g_autofree char *got = split(in, len, chunk);
        g_assert_cmpstr(got, ==, want);
    }
}

static void test_values(void)
{
    check("{\"execute\": \"a\"}{\"execute\": \"b\"}",
          "V { \"execute\" : \"a\" }\nV { \"execute\" : \"b\" }\n");
    check("{\"execute\":\n\"a\"\n}\n", "V { \"execute\" : \"a\" }\n");
    check("[1, -2.5e3, true, null] ", "V [ 1 , -2.5e3 , true , null ]\n");
    check("42 ", "V 42\n");
    check("}", "V }\n");
}

static void test_single_quotes(void)
{
    check("{'execute': 'a\"b\\'c'}", "V { \"execute\" : \"a\\\"b'c\" }\n");
    check("'\\u00e9' ", "V \"\\u00e9\"\n");
}

static void test_lexical_errors(void)
{
    check("@@@ {\"a\": 1}", "E JSON parse error, stray '@'\nV { \"a\" : 1 }\n");
    check("{\"a\"\x01 {}", "E JSON parse error, stray '\x01'\nV { }\n");
    check("{\"a\": %d}", "E JSON parse error, stray '%'\nV }\n");
    check("nul\n", "E JSON parse error, invalid keyword 'nul'\n");
    check("\"a\\qb\" ", "E JSON parse error, invalid escape sequence in string\n");
    check("01 ", "E JSON parse error, invalid number '01'\n");
}

static void test_nesting_limit(void)
{
    g_autofree char *deep = g_strnfill(QMP_JSON_MAX_NESTING + 1, '[');
    check(deep, "E JSON nesting depth limit exceeded\n");
    g_autofree char *ok = g_strnfill(QMP_JSON_MAX_NESTING, '[');
    g_autofree char *close = g_strnfill(QMP_JSON_MAX_NESTING, ']');
    g_autofree char *both = g_strconcat(ok, close, NULL);
    g_autofree char *got = split(both, strlen(both), 0);
    g_assert_true(g_str_has_prefix(got, "V [ [ "));
}

static void test_size_limit(void)
{
    GString *big = g_string_new("\"");
    while (big->len <= QMP_JSON_MAX_SIZE + 1) {
        g_string_append(big, "abcdefgh");
    }
    g_string_append(big, "\" {}");
    g_autofree char *got = split(big->str, big->len, 4096);
    g_assert_cmpstr(got, ==, "E JSON token size limit exceeded\nV { }\n");
    g_string_free(big, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp-json/values", test_values);
    g_test_add_func("/qmp-json/single-quotes", test_single_quotes);
    g_test_add_func("/qmp-json/lexical-errors", test_lexical_errors);
    g_test_add_func("/qmp-json/nesting-limit", test_nesting_limit);
    g_test_add_func("/qmp-json/size-limit", test_size_limit);
    return g_test_run();
}
