/*
 * Helpers for the line-oriented text protocols (the qtest server, HMP):
 * splitting a command line into words and whole-string number parsing,
 * in one module so that every endpoint accepts exactly the same forms.
 *
 * The number parsers take C notation with the base chosen by the prefix, as
 * strtoull/strtoll with base 0 in the C locale:
 *   decimal              "42"
 *   hexadecimal          "0x2a", "0X2A" (a prefix alone, "0x", is rejected)
 *   octal                "052" (a leading 0; "08" is rejected)
 * and the whole string must be the number: anything after it, white
 * space included, is rejected ("42 ", "42x", "0x1g").
 *
 * Return value: true with the value stored in *out; false when @s is not
 * accepted, and then *out is left unchanged.
 *
 * errno: saved and restored, so the caller sees the value it had before
 * the call; a failure is reported by the return value only.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

#include <stdbool.h>
#include <stdint.h>

/**
 * qemu_split_words: the words of @line, separated by runs of blanks and
 * tabs (other characters, '\n' and '\r' included, belong to words).
 * Returns a NULL-terminated vector that holds no empty word, to free with
 * g_strfreev() (or g_auto(GStrv)); *@argc is its length, 0 for a line
 * that is empty or all blanks.
 */
char **qemu_split_words(const char *line, int *argc);

/**
 * qemu_parse_u64: parse all of @s as an unsigned 64-bit number.
 *
 * Accepted: the forms above, with an optional '+' ("+42"), from 0 to
 * UINT64_MAX ("0xffffffffffffffff", "18446744073709551615").
 *
 * Rejected: NULL, "", a string that starts with '-' ("-1", "-0"), values
 * above UINT64_MAX ("18446744073709551616", "0x10000000000000000"),
 * trailing characters.
 *
 * Leading white space (isspace() in the C locale) is skipped, as strtoull
 * does (" 42" is 42). The '-' check looks at the first character only, so
 * a '-' after white space is accepted and negates modulo 2^64, as
 * strtoull does: " -1" is UINT64_MAX. (Words from qemu_split_words()
 * never start with a blank or a tab; '\r', '\v' or '\f' still can.)
 */
bool qemu_parse_u64(const char *s, uint64_t *out);

/**
 * qemu_parse_i64: parse all of @s as a signed 64-bit number.
 *
 * Accepted: the forms above with an optional sign ("-42", "+42",
 * "-0x2a"), from INT64_MIN to INT64_MAX; and, failing that, anything
 * qemu_parse_u64() accepts, taken as the two's complement bit pattern,
 * so that 64-bit register values can be written in hexadecimal:
 * "0xffffffffffffffff" is -1, "0x8000000000000000" and
 * "9223372036854775808" are INT64_MIN.
 *
 * Rejected: NULL, "", values below INT64_MIN ("-9223372036854775809")
 * or above UINT64_MAX, trailing characters.
 *
 * Leading white space is skipped, as strtoll does (" -42" is -42); the
 * qemu_parse_u64() fallback brings its white-space quirk along
 * (" -9223372036854775809" is INT64_MAX).
 */
bool qemu_parse_i64(const char *s, int64_t *out);

/**
 * qemu_one_line: @s with every control character (newline included)
 * written as "\\xNN", so that a message echoing user input stays one line.
 * Returns a new string (g_free).
 */
char *qemu_one_line(const char *s);

/**
 * qemu_json_quote: @s as a JSON string literal, quotes included, for
 * building JSON text by hand (event data). Invalid UTF-8 is replaced by
 * U+FFFD; '"', '\\' and control characters are escaped as JSON (not C)
 * escapes, so the result is always valid JSON and valid UTF-8.
 * Returns a new string (g_free).
 */
char *qemu_json_quote(const char *s);

#endif
