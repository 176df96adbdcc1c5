/*
 * The QMP input stream as QEMU splits it (qobject/json-lexer.c and
 * json-streamer.c semantics): bytes in, whole top-level JSON values out.
 * No newline is needed; a value may span lines and several may share
 * one. A lexical error (a byte that starts no token) is reported at once,
 * the value being read is dropped, and the lexer skips to the next
 * structural character ('{' '}' '[' ']') or control character, where it
 * resynchronises. Single-quoted strings (QEMU's extension) are re-encoded
 * as standard double-quoted JSON strings, so the text handed out is plain
 * JSON for a standard parser; '%' interpolation is not part of QMP and is
 * a lexical error, as in QEMU.
 *
 * A streamer belongs to one reader thread: no locking.
 */
#ifndef SYSTEM_QMP_JSON_H
#define SYSTEM_QMP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* QEMU's limits: nesting depth; and, smaller than QEMU's 64 MiB, the
 * bytes of one value (memory per client stays bounded). */
#define QMP_JSON_MAX_NESTING 1024
#define QMP_JSON_MAX_SIZE (1u << 20)

/**
 * QmpJsonEmit: one complete value as JSON text (@json, @error NULL), or
 * an error reply text for QMP (@error, "JSON parse error, stray '@'",
 * @json NULL).
 */
typedef void (*QmpJsonEmit)(void *opaque, const char *json, const char *error);

typedef struct QmpJsonStreamer {
    QmpJsonEmit emit;
    void *opaque;
    int state;                  /* lexer state (qmp-json.c) */
    GString *token;             /* the token being lexed, as input */
    GString *value;             /* the value so far, as output JSON */
    GString *str;               /* the string token being re-encoded */
    int depth;                  /* open '{' + '[' of the value */
    bool any_token;             /* value holds at least one token */
    unsigned hex_left;          /* \uXXXX digits still expected */
    char quote;                 /* the string's quote character */
    char *value_error;          /* first parser-level error in the value */
} QmpJsonStreamer;

void qmp_json_init(QmpJsonStreamer *s, QmpJsonEmit emit, void *opaque);
/** qmp_json_feed: lex @len bytes; calls emit for every value they complete. */
void qmp_json_feed(QmpJsonStreamer *s, const char *buf, size_t len);
/** qmp_json_reset: forget a partial value (new client). */
void qmp_json_reset(QmpJsonStreamer *s);
void qmp_json_destroy(QmpJsonStreamer *s);

#endif
