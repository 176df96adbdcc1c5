/*
 * Migration stream framing, payload encoding and fd transport
 * (include/migration/stream.h).
 */
#include "migration/stream.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

G_DEFINE_QUARK(migration-error-quark, mig_error)

/* ---- payloads ---- */

void mig_buf_init(MigBuf *b)
{
    b->data = g_byte_array_new();
}

void mig_buf_free(MigBuf *b)
{
    if (b->data) {
        g_byte_array_free(b->data, TRUE);
        b->data = NULL;
    }
}

void mig_put_u8(MigBuf *b, uint8_t v)
{
    g_byte_array_append(b->data, &v, 1);
}

void mig_put_u32(MigBuf *b, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);
    g_byte_array_append(b->data, (const guint8 *)&be, 4);
}

void mig_put_u64(MigBuf *b, uint64_t v)
{
    uint64_t be = GUINT64_TO_BE(v);
    g_byte_array_append(b->data, (const guint8 *)&be, 8);
}

void mig_put_bytes(MigBuf *b, const void *p, size_t len)
{
    g_byte_array_append(b->data, p, (guint)len);
}

void mig_put_blob(MigBuf *b, const void *p, uint32_t len)
{
    mig_put_u32(b, len);
    mig_put_bytes(b, p, len);
}

void mig_cursor_init(MigCursor *c, const void *p, size_t len)
{
    c->p = p;
    c->len = len;
    c->off = 0;
    c->overrun = false;
}

const uint8_t *mig_get_ptr(MigCursor *c, size_t len)
{
    if (c->overrun || len > c->len - c->off) {
        c->overrun = true;
        return NULL;
    }
    const uint8_t *p = c->p + c->off;
    c->off += len;
    return p;
}

void mig_get_bytes(MigCursor *c, void *out, size_t len)
{
    const uint8_t *p = mig_get_ptr(c, len);
    if (p) {
        memcpy(out, p, len);
    } else {
        memset(out, 0, len);
    }
}

uint8_t mig_get_u8(MigCursor *c)
{
    uint8_t v;
    mig_get_bytes(c, &v, 1);
    return v;
}

uint32_t mig_get_u32(MigCursor *c)
{
    uint32_t v;
    mig_get_bytes(c, &v, 4);
    return GUINT32_FROM_BE(v);
}

uint64_t mig_get_u64(MigCursor *c)
{
    uint64_t v;
    mig_get_bytes(c, &v, 8);
    return GUINT64_FROM_BE(v);
}

bool mig_cursor_done(const MigCursor *c)
{
    return !c->overrun && c->off == c->len;
}

/* ---- transport ---- */

void mig_stream_init(MigStream *s, int fd, bool writing)
{
    memset(s, 0, sizeof(*s));
    s->fd = fd;
    s->writing = writing;
}

static bool cancelled(const MigStream *s)
{
    return s->cancel && __atomic_load_n(s->cancel, __ATOMIC_ACQUIRE);
}

/* Wait for @fd to be ready, waking every 100 ms to notice a cancel. */
static int wait_fd(MigStream *s, short events)
{
    struct pollfd pfd = { .fd = s->fd, .events = events };
    for (;;) {
        if (cancelled(s)) {
            return -ECANCELED;
        }
        int r = poll(&pfd, 1, 100);
        if (r > 0) {
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            return -errno;
        }
    }
}

static int write_all(MigStream *s, const void *buf, size_t len, GError **error)
{
    const uint8_t *p = buf;
    if (s->mem) {
        g_byte_array_append(s->mem, p, (guint)len);
        s->bytes += len;
        return 0;
    }
    while (len) {
        int w = wait_fd(s, POLLOUT);
        /* A peer that goes away must not kill the source: EPIPE, no SIGPIPE
         * (sockets; the exec: pipe is covered by SIGPIPE being ignored). */
        ssize_t n = w < 0 ? w : send(s->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) {
            n = write(s->fd, p, len);
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN) && w == 0) {
            continue;
        }
        if (n <= 0) {
            int err = w < 0 ? -w : (n < 0 ? errno : EPIPE);
            g_set_error(error, MIG_ERROR, 0, "%s",
                        err == ECANCELED ? "migration cancelled" : g_strerror(err));
            return -1;
        }
        p += n;
        len -= (size_t)n;
        __atomic_add_fetch(&s->bytes, (uint64_t)n, __ATOMIC_RELAXED);
    }
    return 0;
}

static int read_all(MigStream *s, void *buf, size_t len, GError **error)
{
    uint8_t *p = buf;
    while (len) {
        int w = wait_fd(s, POLLIN);
        ssize_t n = w < 0 ? w : read(s->fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN) && w == 0) {
            continue;
        }
        if (n <= 0) {
            g_set_error(error, MIG_ERROR, 0, "%s",
                        n == 0 ? "truncated migration stream (unexpected end of data)"
                        : w == -ECANCELED ? "migration cancelled"
                        : g_strerror(w < 0 ? -w : errno));
            return -1;
        }
        p += n;
        len -= (size_t)n;
        __atomic_add_fetch(&s->bytes, (uint64_t)n, __ATOMIC_RELAXED);
    }
    return 0;
}

int mig_write_raw(MigStream *s, const void *buf, size_t len, GError **error)
{
    return write_all(s, buf, len, error);
}

int mig_write_header(MigStream *s, uint32_t config_digest, GError **error)
{
    uint8_t hdr[MIG_MAGIC_LEN + 8];
    uint32_t v = GUINT32_TO_BE(MIG_STREAM_VERSION);
    uint32_t d = GUINT32_TO_BE(config_digest);

    memcpy(hdr, MIG_MAGIC, MIG_MAGIC_LEN);
    memcpy(hdr + MIG_MAGIC_LEN, &v, 4);
    memcpy(hdr + MIG_MAGIC_LEN + 4, &d, 4);
    return write_all(s, hdr, sizeof(hdr), error);
}

int mig_read_header(MigStream *s, uint32_t *config_digest, GError **error)
{
    uint8_t hdr[MIG_MAGIC_LEN + 8];
    uint32_t v;

    if (read_all(s, hdr, sizeof(hdr), error) < 0) {
        return -1;
    }
    if (memcmp(hdr, MIG_MAGIC, MIG_MAGIC_LEN) != 0) {
        g_set_error(error, MIG_ERROR, 0, "not a migration stream (bad magic)");
        return -1;
    }
    memcpy(&v, hdr + MIG_MAGIC_LEN, 4);
    if (GUINT32_FROM_BE(v) != MIG_STREAM_VERSION) {
        g_set_error(error, MIG_ERROR, 0, "migration stream version %u not supported (expected %u)",
                    GUINT32_FROM_BE(v), MIG_STREAM_VERSION);
        return -1;
    }
    memcpy(&v, hdr + MIG_MAGIC_LEN + 4, 4);
    *config_digest = GUINT32_FROM_BE(v);
    return 0;
}

uint32_t mig_digest(const MigBuf *b)
{
    return (uint32_t)crc32(0L, b->data->data, b->data->len);
}

int mig_write_section(MigStream *s, const char *name, uint32_t version,
                      uint32_t instance, const MigBuf *payload, GError **error)
{
    size_t nlen = strlen(name);
    g_assert(nlen > 0 && nlen <= MIG_NAME_MAX);
    g_assert(payload->data->len <= MIG_SECTION_MAX);

    MigBuf head;
    mig_buf_init(&head);
    mig_put_u8(&head, MIG_FRAME_SECTION);
    mig_put_u8(&head, (uint8_t)nlen);
    mig_put_bytes(&head, name, nlen);
    mig_put_u32(&head, version);
    mig_put_u32(&head, instance);
    mig_put_u32(&head, payload->data->len);

    uLong crc = crc32(0L, head.data->data + 1, head.data->len - 1);
    crc = crc32(crc, payload->data->data, payload->data->len);
    uint32_t crc_be = GUINT32_TO_BE((uint32_t)crc);

    int ret = write_all(s, head.data->data, head.data->len, error);
    if (ret == 0) {
        ret = write_all(s, payload->data->data, payload->data->len, error);
    }
    if (ret == 0) {
        ret = write_all(s, &crc_be, 4, error);
    }
    mig_buf_free(&head);
    if (ret == 0) {
        s->sections++;
    }
    return ret;
}

int mig_write_end(MigStream *s, GError **error)
{
    uint8_t end[9];
    uint32_t count = GUINT32_TO_BE(s->sections);
    uint32_t crc = GUINT32_TO_BE((uint32_t)crc32(0L, (const Bytef *)&count, 4));

    end[0] = MIG_FRAME_END;
    memcpy(end + 1, &count, 4);
    memcpy(end + 5, &crc, 4);
    return write_all(s, end, sizeof(end), error);
}

void mig_section_clear(MigSection *sec)
{
    g_clear_pointer(&sec->payload, g_bytes_unref);
}

static int read_end(MigStream *s, GError **error)
{
    uint8_t end[8];
    uint32_t count, crc;

    if (read_all(s, end, sizeof(end), error) < 0) {
        return -1;
    }
    memcpy(&count, end, 4);
    memcpy(&crc, end + 4, 4);
    if (GUINT32_FROM_BE(crc) != (uint32_t)crc32(0L, end, 4)) {
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: bad end marker checksum");
        return -1;
    }
    if (GUINT32_FROM_BE(count) != s->sections) {
        g_set_error(error, MIG_ERROR, 0, "migration stream ended after %u sections, "
                    "the source sent %u", s->sections, GUINT32_FROM_BE(count));
        return -1;
    }
    return 0;
}

int mig_read_section(MigStream *s, MigSection *sec, GError **error)
{
    uint8_t type, nlen;
    uint8_t head[1 + MIG_NAME_MAX + 12];

    memset(sec, 0, sizeof(*sec));
    if (read_all(s, &type, 1, error) < 0) {
        return -1;
    }
    if (type == MIG_FRAME_END) {
        return read_end(s, error) < 0 ? -1 : 0;
    }
    if (type != MIG_FRAME_SECTION) {
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: unknown frame type 0x%02x",
                    type);
        return -1;
    }
    if (read_all(s, &nlen, 1, error) < 0) {
        return -1;
    }
    if (nlen == 0 || nlen > MIG_NAME_MAX) {
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: section name length %u",
                    nlen);
        return -1;
    }
    head[0] = nlen;
    if (read_all(s, head + 1, (size_t)nlen + 12, error) < 0) {
        return -1;
    }
    uint32_t f[3];
    memcpy(f, head + 1 + nlen, 12);
    uint32_t len = GUINT32_FROM_BE(f[2]);
    memcpy(sec->name, head + 1, nlen);
    sec->name[nlen] = 0;
    for (unsigned i = 0; i < nlen; i++) {
        if (!g_ascii_isgraph(sec->name[i])) {
            g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: bad section name");
            return -1;
        }
    }
    if (len > MIG_SECTION_MAX) {
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: section '%s' "
                    "of %u bytes (at most %u)", sec->name, len, MIG_SECTION_MAX);
        return -1;
    }
    sec->version = GUINT32_FROM_BE(f[0]);
    sec->instance = GUINT32_FROM_BE(f[1]);
    uint8_t *payload = g_malloc(len + 4);
    if (read_all(s, payload, (size_t)len + 4, error) < 0) {
        g_free(payload);
        return -1;
    }
    uint32_t crc_be;
    memcpy(&crc_be, payload + len, 4);
    uLong crc = crc32(0L, head, 1 + nlen + 12);
    crc = crc32(crc, payload, len);
    if ((uint32_t)crc != GUINT32_FROM_BE(crc_be)) {
        g_free(payload);
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: bad checksum in "
                    "section '%s'", sec->name);
        return -1;
    }
    sec->payload = g_bytes_new_take(payload, len);
    s->sections++;
    return 1;
}
