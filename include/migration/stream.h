/*
 * Migration stream format: a versioned, self-describing sequence of
 * checksummed sections (migration/stream.c).
 *
 *   stream  := magic "FWNMIMIG" | u32 version | u32 config digest | section* | end
 *   section := u8 MIG_FRAME_SECTION | u8 name-length | name |
 *              u32 section-version | u32 instance | u32 payload-length |
 *              payload | u32 crc32(name-length .. payload)
 *   end     := u8 MIG_FRAME_END | u32 sections-sent | u32 crc32 of that count
 *
 * The config digest is the CRC32 of the "config" section's payload (-m,
 * -smp, caps; include/migration/vmstate.h), which must come first: a
 * destination compares it with its own before reading anything else.
 *
 * All integers are big-endian. A payload is at most MIG_SECTION_MAX bytes;
 * a reader rejects anything else (unknown frame, bad length, bad CRC,
 * truncation) with a one-line error and never hands a section on before
 * its checksum matched.
 *
 * MigBuf builds a payload; MigCursor reads one back with bounds checks (a
 * read past the end sets an error flag and returns zeros, so decoders
 * check once at the end). MigStream is one end of a transport, a file
 * descriptor. No locking: one thread owns a stream.
 */
#ifndef MIGRATION_STREAM_H
#define MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define MIG_MAGIC           "FWNMIMIG"
#define MIG_MAGIC_LEN       8
#define MIG_STREAM_VERSION  1
#define MIG_FRAME_SECTION   0x01
#define MIG_FRAME_END       0xEE
#define MIG_SECTION_MAX     (8u << 20)
#define MIG_NAME_MAX        32

#define MIG_ERROR (mig_error_quark())
GQuark mig_error_quark(void);

/* ---- payload building and parsing ---- */

typedef struct MigBuf {
    GByteArray *data;
} MigBuf;

void mig_buf_init(MigBuf *b);
void mig_buf_free(MigBuf *b);
void mig_put_u8(MigBuf *b, uint8_t v);
void mig_put_u32(MigBuf *b, uint32_t v);
void mig_put_u64(MigBuf *b, uint64_t v);
void mig_put_bytes(MigBuf *b, const void *p, size_t len);
/** mig_put_blob: u32 length then the bytes. */
void mig_put_blob(MigBuf *b, const void *p, uint32_t len);

typedef struct MigCursor {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool overrun;           /* a read went past the end */
} MigCursor;

void mig_cursor_init(MigCursor *c, const void *p, size_t len);
uint8_t mig_get_u8(MigCursor *c);
uint32_t mig_get_u32(MigCursor *c);
uint64_t mig_get_u64(MigCursor *c);
/** mig_get_bytes: copy @len bytes out (zeros and overrun when short). */
void mig_get_bytes(MigCursor *c, void *out, size_t len);
/** mig_get_ptr: @len bytes in place, or NULL (overrun) when short. */
const uint8_t *mig_get_ptr(MigCursor *c, size_t len);
/** mig_cursor_done: true when no overrun and every byte was consumed. */
bool mig_cursor_done(const MigCursor *c);

/* ---- transport ---- */

typedef struct MigStream {
    int fd;
    bool writing;
    uint64_t bytes;         /* bytes moved so far (atomically readable) */
    uint32_t sections;      /* sections moved so far */
    volatile int *cancel;   /* optional: non-zero aborts blocking I/O */
    GByteArray *mem;        /* optional: writes append here instead of fd */
} MigStream;

/** One section as read from a stream (payload owned by the caller). */
typedef struct MigSection {
    char name[MIG_NAME_MAX + 1];
    uint32_t version;
    uint32_t instance;
    GBytes *payload;
} MigSection;

void mig_stream_init(MigStream *s, int fd, bool writing);

/** mig_write_raw: bytes as they are (a buffered stream's content). */
int mig_write_raw(MigStream *s, const void *buf, size_t len, GError **error);

/**
 * mig_write_header / mig_read_header: magic, stream version and the
 * machine configuration digest (mig_digest() of the config payload).
 * 0 or -1 with @error (bad magic, unsupported version, truncated).
 */
int mig_write_header(MigStream *s, uint32_t config_digest, GError **error);
int mig_read_header(MigStream *s, uint32_t *config_digest, GError **error);
/** mig_digest: CRC32 of a payload. */
uint32_t mig_digest(const MigBuf *b);

/** mig_write_section: one framed, checksummed section. 0 or -1 with @error. */
int mig_write_section(MigStream *s, const char *name, uint32_t version,
                      uint32_t instance, const MigBuf *payload, GError **error);
/** mig_write_end: the end marker with the number of sections sent. */
int mig_write_end(MigStream *s, GError **error);

/**
 * mig_read_section: the next section into @sec (1), the end marker (0,
 * after checking the section count), or -1 with @error: truncated
 * stream, unknown frame type, oversized or bad-checksum section.
 */
int mig_read_section(MigStream *s, MigSection *sec, GError **error);
void mig_section_clear(MigSection *sec);

#endif
