/*
 * Streaming JSON lexer and splitter for QMP input (include/system/qmp-json.h).
 *
 * Tokens follow QEMU's lexer (RFC 8259 plus single-quoted strings):
 * structural characters, strings, numbers -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?, and keywords [a-z]+ (the parser decides whether a
 * keyword is true, false or null). Whitespace separates tokens. The
 * splitter counts '{' '[' against '}' ']' and hands out the value when
 * the count returns to zero, or at once when it goes negative (a stray
 * closing bracket, which the parser then rejects).
 */
#include "system/qmp-json.h"

#include <string.h>

enum {
    LEX_START,
    LEX_STRING,
    LEX_ESCAPE,
    LEX_HEX,
    LEX_NUMBER,
    LEX_KEYWORD,
    LEX_RECOVERY,
};

void qmp_json_init(QmpJsonStreamer *s, QmpJsonEmit emit, void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->emit = emit;
    s->opaque = opaque;
    s->token = g_string_new(NULL);
    s->value = g_string_new(NULL);
    s->str = g_string_new(NULL);
}

static void value_clear(QmpJsonStreamer *s)
{
    g_string_truncate(s->value, 0);
    s->depth = 0;
    s->any_token = false;
    g_clear_pointer(&s->value_error, g_free);
}

void qmp_json_reset(QmpJsonStreamer *s)
{
    value_clear(s);
    g_string_truncate(s->token, 0);
    s->state = LEX_START;
}

void qmp_json_destroy(QmpJsonStreamer *s)
{
    value_clear(s);
    g_string_free(s->token, TRUE);
    g_string_free(s->value, TRUE);
    g_string_free(s->str, TRUE);
}

static void emit_error(QmpJsonStreamer *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void emit_error(QmpJsonStreamer *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    value_clear(s);
    s->emit(s->opaque, NULL, msg);
}

/* A parser-level problem found while lexing: reported, as QEMU's parser
 * does, once the value is complete (only the first one). */
static void value_problem(QmpJsonStreamer *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void value_problem(QmpJsonStreamer *s, const char *fmt, ...)
{
    if (s->value_error) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    s->value_error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* A complete token @text (output JSON) of structural kind @c ('\0' else). */
static void push_token(QmpJsonStreamer *s, const char *text, size_t len, char c)
{
    if (s->value->len) {
        g_string_append_c(s->value, ' ');
    }
    g_string_append_len(s->value, text, (gssize)len);
    s->any_token = true;
    if (c == '{' || c == '[') {
        s->depth++;
    } else if (c == '}' || c == ']') {
        s->depth--;
    }
    if (s->depth > QMP_JSON_MAX_NESTING) {
        emit_error(s, "JSON nesting depth limit exceeded");
        return;
    }
    if (s->value->len > QMP_JSON_MAX_SIZE) {
        emit_error(s, "JSON token size limit exceeded");
        return;
    }
    if (s->depth <= 0) {
        g_autofree char *json = g_strdup(s->value->str);
        g_autofree char *error = g_steal_pointer(&s->value_error);
        value_clear(s);
        s->emit(s->opaque, error ? NULL : json, error);
    }
}

/* A byte that starts no token, or breaks the one being lexed. */
static void lex_error(QmpJsonStreamer *s, unsigned char c)
{
    g_string_append_c(s->token, (char)c);
    g_autofree char *text = g_strndup(s->token->str, s->token->len);
    g_string_truncate(s->token, 0);
    s->state = LEX_RECOVERY;
    emit_error(s, "JSON parse error, stray '%s'", text);
}

static bool number_valid(const char *t)
{
    const char *p = t;
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (g_ascii_isdigit(*p)) {
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    } else {
        return false;
    }
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    return *p == '\0';
}

static void end_word(QmpJsonStreamer *s)
{
    const char *t = s->token->str;
    if (s->state == LEX_KEYWORD && strcmp(t, "true") && strcmp(t, "false") && strcmp(t, "null")) {
        value_problem(s, "JSON parse error, invalid keyword '%s'", t);
    } else if (s->state == LEX_NUMBER && !number_valid(t)) {
        value_problem(s, "JSON parse error, invalid number '%s'", t);
    }
    g_autofree char *text = g_strndup(t, s->token->len);
    g_string_truncate(s->token, 0);
    s->state = LEX_START;
    push_token(s, text, strlen(text), '\0');
}

/* String content @c (not a quote or escape) re-encoded in JSON. */
static void str_add(QmpJsonStreamer *s, unsigned char c)
{
    if (c == '"') {
        g_string_append(s->str, "\\\"");
    } else {
        g_string_append_c(s->str, (char)c);
    }
}

static void lex_byte(QmpJsonStreamer *s, unsigned char c)
{
    for (;;) {
        switch (s->state) {
        case LEX_RECOVERY:
            /* QEMU's resynchronisation points; the byte is then lexed. */
            if (c == '{' || c == '}' || c == '[' || c == ']' ||
                (c < 0x20 && c != '\t') || c >= 0xFE) {
                s->state = LEX_START;
                continue;
            }
            return;
        case LEX_START:
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                return;
            }
            if (strchr("{}[]:,", c) && c) {
                char t = (char)c;
                push_token(s, &t, 1, t);
                return;
            }
            if (c == '"' || c == '\'') {
                s->quote = (char)c;
                s->state = LEX_STRING;
                g_string_assign(s->token, "");
                g_string_append_c(s->token, (char)c);
                g_string_assign(s->str, "\"");
                return;
            }
            if (c == '-' || g_ascii_isdigit(c)) {
                s->state = LEX_NUMBER;
            } else if (c >= 'a' && c <= 'z') {
                s->state = LEX_KEYWORD;
            } else {
                lex_error(s, c);
                return;
            }
            g_string_append_c(s->token, (char)c);
            return;
        case LEX_NUMBER:
            if (g_ascii_isdigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                g_string_append_c(s->token, (char)c);
                return;
            }
            end_word(s);
            continue;
        case LEX_KEYWORD:
            if (c >= 'a' && c <= 'z') {
                g_string_append_c(s->token, (char)c);
                return;
            }
            end_word(s);
            continue;
        case LEX_STRING:
            if (c < 0x20 || c >= 0xFE) {
                lex_error(s, c);
                return;
            }
            g_string_append_c(s->token, (char)c);
            if (s->token->len > QMP_JSON_MAX_SIZE) {
                g_string_truncate(s->token, 0);
                s->state = LEX_RECOVERY;
                emit_error(s, "JSON token size limit exceeded");
                return;
            }
            if (c == (unsigned char)s->quote) {
                g_string_append_c(s->str, '"');
                g_string_truncate(s->token, 0);
                s->state = LEX_START;
                push_token(s, s->str->str, s->str->len, '\0');
            } else if (c == '\\') {
                s->state = LEX_ESCAPE;
            } else {
                str_add(s, c);
            }
            return;
        case LEX_ESCAPE:
            if (c < 0x20 || c >= 0xFE) {
                lex_error(s, c);
                return;
            }
            g_string_append_c(s->token, (char)c);
            s->state = LEX_STRING;
            if (strchr("\"/\\bfnrt", c) && c) {
                g_string_append_c(s->str, '\\');
                g_string_append_c(s->str, (char)c);
            } else if (c == '\'') {
                g_string_append_c(s->str, '\'');
            } else if (c == 'u') {
                g_string_append(s->str, "\\u");
                s->hex_left = 4;
                s->state = LEX_HEX;
            } else {
                value_problem(s, "JSON parse error, invalid escape sequence in string");
            }
            return;
        case LEX_HEX:
            if (!g_ascii_isxdigit(c)) {
                value_problem(s, "JSON parse error, invalid hex escape sequence in string");
                s->state = LEX_STRING;
                continue;
            }
            g_string_append_c(s->token, (char)c);
            g_string_append_c(s->str, (char)c);
            if (--s->hex_left == 0) {
                s->state = LEX_STRING;
            }
            return;
        }
    }
}

void qmp_json_feed(QmpJsonStreamer *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        lex_byte(s, (unsigned char)buf[i]);
    }
}
