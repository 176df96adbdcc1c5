/* Character endpoints: see include/system/chardev.h. */
#define _GNU_SOURCE
#include "system/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int char_unix_address(const char *path, struct sockaddr_un *addr, GError **error)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                    "unix:%s: socket path too long", path);
        return -ENAMETOOLONG;
    }
    strcpy(addr->sun_path, path);
    return 0;
}

static int set_error_errno(GError **error, int err, const char *what, const char *path)
{
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s %s: %s",
                what, path, g_strerror(err));
    return -err;
}

/*
 * The sockets this process created, so that every exit (normal, start-up
 * error, a fatal signal) can remove them: a fixed table filled at
 * start-up, read by char_unlink_sockets(), which is async-signal-safe.
 * A path is removed only if it is still the socket we bound (same device
 * and inode), never whatever replaced it.
 */
#define MAX_OWNED_SOCKETS 16

typedef struct OwnedSocket {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev;
    ino_t ino;
    volatile sig_atomic_t used;
} OwnedSocket;

static OwnedSocket owned_sockets[MAX_OWNED_SOCKETS];

static void own_socket(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        return;
    }
    for (int i = 0; i < MAX_OWNED_SOCKETS; i++) {
        OwnedSocket *o = &owned_sockets[i];
        if (!o->used) {
            g_strlcpy(o->path, path, sizeof(o->path));
            o->dev = st.st_dev;
            o->ino = st.st_ino;
            o->used = 1;
            return;
        }
    }
}

static void unlink_owned(OwnedSocket *o)
{
    struct stat st;
    if (o->used && lstat(o->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_dev == o->dev && st.st_ino == o->ino) {
        unlink(o->path);
    }
    o->used = 0;
}

void char_unlink_sockets(void)
{
    for (int i = 0; i < MAX_OWNED_SOCKETS; i++) {
        unlink_owned(&owned_sockets[i]);
    }
}

static void disown_socket(const char *path)
{
    for (int i = 0; i < MAX_OWNED_SOCKETS; i++) {
        if (owned_sockets[i].used && !strcmp(owned_sockets[i].path, path)) {
            unlink_owned(&owned_sockets[i]);
        }
    }
}

/*
 * What is at @path before we bind: nothing, or a stale socket (nobody
 * accepts on it), which is removed as QEMU would. A live socket or
 * anything that is not a socket (a regular file, a directory ...) is
 * refused: binding must never delete somebody else's file.
 */
int char_unix_clear_stale(const char *path, const struct sockaddr_un *addr,
                          GError **error)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        return errno == ENOENT ? 0 : set_error_errno(error, errno, "cannot listen on", path);
    }
    if (!S_ISSOCK(st.st_mode)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "cannot listen on %s: it exists and is not a socket", path);
        return -EEXIST;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return set_error_errno(error, errno, "socket", path);
    }
    int live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
    close(fd);
    if (live) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "cannot listen on %s: another process is listening on it", path);
        return -EADDRINUSE;
    }
    unlink(path);
    return 0;
}

static int unix_listen(CharEndpoint *ep, GError **error)
{
    struct sockaddr_un addr;
    int ret = char_unix_address(ep->spec.path, &addr, error);
    if (ret < 0) {
        return ret;
    }
    ret = char_unix_clear_stale(ep->spec.path, &addr, error);
    if (ret < 0) {
        return ret;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return set_error_errno(error, errno, "socket", ep->spec.path);
    }
    /* Only the owner may talk to the VMM: create the socket file 0600.
     * Called at start-up, before any other thread exists. */
    mode_t old = umask(0177);
    ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old);
    if (ret == 0) {
        own_socket(ep->spec.path);      /* bound: ours to remove from now on */
    }
    if (ret < 0 || listen(fd, 1) < 0) {
        int err = errno;
        close(fd);
        if (ret == 0) {
            disown_socket(ep->spec.path);
        }
        return set_error_errno(error, err, "cannot listen on", ep->spec.path);
    }
    ep->listen_fd = fd;
    return 0;
}

static int char_open_kind(CharEndpoint *ep, const CharSpec *spec, GError **error);

int char_open(CharEndpoint *ep, const CharSpec *spec, GError **error)
{
    int ret;

    memset(ep, 0, sizeof(*ep));
    ep->spec = *spec;
    ep->spec.path = g_strdup(spec->path);
    ep->listen_fd = ep->in_fd = ep->out_fd = -1;
    ep->rbuf = g_string_new(NULL);
    g_mutex_init(&ep->write_lock);
    ret = char_open_kind(ep, spec, error);
    if (ret < 0) {
        char_close(ep);     /* a failed open leaves nothing behind */
    }
    return ret;
}

static int char_open_kind(CharEndpoint *ep, const CharSpec *spec, GError **error)
{
    switch (spec->kind) {
    case CHAR_STDIO:
        ep->in_fd = STDIN_FILENO;
        ep->out_fd = STDOUT_FILENO;
        return 0;
    case CHAR_FILE: {
        int fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            return set_error_errno(error, errno, "cannot open", spec->path);
        }
        ep->out_fd = fd;
        return 0;
    }
    case CHAR_UNIX:
        return spec->server ? unix_listen(ep, error) : 0;
    default:
        return 0;
    }
}

int char_connect(CharEndpoint *ep, GError **error)
{
    if (ep->spec.kind != CHAR_UNIX || ep->in_fd >= 0) {
        return 0;
    }
    int fd;
    if (ep->spec.server) {
        do {
            fd = accept4(ep->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            return set_error_errno(error, errno, "accept on", ep->spec.path);
        }
    } else {
        struct sockaddr_un addr;
        int ret = char_unix_address(ep->spec.path, &addr, error);
        if (ret < 0) {
            return ret;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            int err = errno;
            if (fd >= 0) {
                close(fd);
            }
            return set_error_errno(error, err, "cannot connect to", ep->spec.path);
        }
    }
    g_mutex_lock(&ep->write_lock);
    ep->in_fd = ep->out_fd = fd;
    g_mutex_unlock(&ep->write_lock);
    g_string_truncate(ep->rbuf, 0);
    return 0;
}

/* Move one line out of rbuf if it holds a complete one. */
static bool take_line(CharEndpoint *ep, GString *line)
{
    char *nl = memchr(ep->rbuf->str, '\n', ep->rbuf->len);
    if (!nl) {
        return false;
    }
    size_t n = (size_t)(nl - ep->rbuf->str);
    g_string_truncate(line, 0);
    g_string_append_len(line, ep->rbuf->str, (gssize)n);
    if (line->len && line->str[line->len - 1] == '\r') {
        g_string_truncate(line, line->len - 1);
    }
    g_string_erase(ep->rbuf, 0, (gssize)n + 1);
    return true;
}

int char_read_line(CharEndpoint *ep, GString *line)
{
    bool overlong = false;
    char buf[4096];

    for (;;) {
        if (take_line(ep, line)) {
            return overlong ? -E2BIG : 1;
        }
        if (ep->rbuf->len > CHAR_LINE_MAX) {
            /* Keep memory bounded: drop what we have, skip to the newline. */
            overlong = true;
            g_string_truncate(ep->rbuf, 0);
        }
        if (ep->in_fd < 0) {
            return 0;
        }
        ssize_t n = read(ep->in_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (ep->rbuf->len && !overlong) {   /* last line without newline */
                g_string_append_c(ep->rbuf, '\n');
                continue;
            }
            return overlong ? -E2BIG : 0;
        }
        g_string_append_len(ep->rbuf, buf, n);
    }
}

ssize_t char_read_some(CharEndpoint *ep, char *buf, size_t size)
{
    if (ep->rbuf->len) {
        size_t n = MIN(size, ep->rbuf->len);
        memcpy(buf, ep->rbuf->str, n);
        g_string_erase(ep->rbuf, 0, (gssize)n);
        return (ssize_t)n;
    }
    for (;;) {
        if (ep->in_fd < 0) {
            return 0;
        }
        ssize_t n = read(ep->in_fd, buf, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 ? 0 : n;
    }
}

void char_write(CharEndpoint *ep, const char *buf, size_t len)
{
    g_mutex_lock(&ep->write_lock);
    while (ep->out_fd >= 0 && len > 0) {
        ssize_t n = send(ep->out_fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) {
            n = write(ep->out_fd, buf, len);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;      /* peer gone: the reader will see EOF */
        }
        buf += n;
        len -= (size_t)n;
    }
    g_mutex_unlock(&ep->write_lock);
}

void char_disconnect(CharEndpoint *ep)
{
    if (ep->spec.kind != CHAR_UNIX) {
        return;
    }
    g_mutex_lock(&ep->write_lock);
    if (ep->in_fd >= 0) {
        close(ep->in_fd);
    }
    ep->in_fd = ep->out_fd = -1;
    g_mutex_unlock(&ep->write_lock);
    g_string_truncate(ep->rbuf, 0);
}

void char_close(CharEndpoint *ep)
{
    char_disconnect(ep);
    if (ep->listen_fd >= 0) {
        close(ep->listen_fd);
        disown_socket(ep->spec.path);
    }
    if (ep->spec.kind == CHAR_FILE && ep->out_fd >= 0) {
        close(ep->out_fd);
    }
    g_free(ep->spec.path);
    if (ep->rbuf) {
        g_string_free(ep->rbuf, TRUE);
    }
    g_mutex_clear(&ep->write_lock);
}
