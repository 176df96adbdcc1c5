/*
 * Migration transports (include/migration/migration.h): file:, unix:,
 * tcp:, exec:. Each gives a plain blocking file descriptor.
 */
#define _GNU_SOURCE
#include "migration/migration.h"
#include "migration/stream.h"
#include "system/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int mig_uri_check(const char *uri, GError **error)
{
    static const char *const prefixes[] = { "file:", "unix:", "tcp:", "exec:" };
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (g_str_has_prefix(uri, prefixes[i]) && uri[strlen(prefixes[i])]) {
            return 0;
        }
    }
    g_set_error(error, MIG_ERROR, 0, "unknown migration protocol: %s", uri);
    return -1;
}

/* "URI: strerror(errno)" for a socket call that failed; closes @fd. */
static int fail_errno(const char *uri, int fd, GError **error)
{
    g_set_error(error, MIG_ERROR, 0, "%s: %s", uri, g_strerror(errno));
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

/* "file:PATH" opened with @flags (created 0600), or -1 with the error. */
static int open_file(const char *uri, int flags, GError **error)
{
    int fd = open(uri + 5, flags, 0600);

    if (fd < 0) {
        g_set_error(error, MIG_ERROR, 0, "%s: %s", uri, g_strerror(errno));
    }
    return fd;
}

static struct addrinfo *tcp_addr(const char *hostport, GError **error)
{
    g_autofree char *host = g_strdup(hostport);
    char *colon = strrchr(host, ':');
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;

    if (!colon || !colon[1]) {
        g_set_error(error, MIG_ERROR, 0, "tcp:%s: expected HOST:PORT", hostport);
        return NULL;
    }
    *colon = 0;
    char *name = host;
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {     /* tcp:[::1]:PORT */
        name[n - 1] = 0;
        name++;
    }
    int r = getaddrinfo(*name ? name : "127.0.0.1", colon + 1, &hints, &res);
    if (r != 0) {
        g_set_error(error, MIG_ERROR, 0, "tcp:%s: %s", hostport, gai_strerror(r));
        return NULL;
    }
    return res;
}

static int spawn(const char *cmd, bool to_child, GPid *child, GError **error)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    int in = -1, out = -1;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, child, to_child ? &in : NULL,
                                  to_child ? NULL : &out, NULL, error)) {
        return -1;
    }
    return to_child ? in : out;
}

int mig_connect(const char *uri, GPid *child, GError **error)
{
    int fd = -1;

    if (g_str_has_prefix(uri, "file:")) {
        return open_file(uri, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, error);
    }
    if (g_str_has_prefix(uri, "exec:")) {
        return spawn(uri + 5, true, child, error);
    }
    if (g_str_has_prefix(uri, "unix:")) {
        struct sockaddr_un sa;
        if (char_unix_address(uri + 5, &sa, error) < 0) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return fd;
        }
    } else if (g_str_has_prefix(uri, "tcp:")) {
        struct addrinfo *res = tcp_addr(uri + 4, error);
        if (!res) {
            return -1;
        }
        fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int ok = fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0;
        freeaddrinfo(res);
        if (ok) {
            return fd;
        }
    } else {
        mig_uri_check(uri, error);
        return -1;
    }
    return fail_errno(uri, fd, error);
}

int mig_listen(const char *uri, bool *is_stream, GPid *child, GError **error)
{
    int fd = -1, one = 1;

    *is_stream = false;
    if (g_str_has_prefix(uri, "file:")) {
        *is_stream = true;
        return open_file(uri, O_RDONLY | O_CLOEXEC, error);
    }
    if (g_str_has_prefix(uri, "exec:")) {
        *is_stream = true;
        return spawn(uri + 5, false, child, error);
    }
    if (g_str_has_prefix(uri, "unix:")) {
        struct sockaddr_un sa;
        if (char_unix_address(uri + 5, &sa, error) < 0 ||
            char_unix_clear_stale(uri + 5, &sa, error) < 0) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
            listen(fd, 1) == 0) {
            return fd;
        }
    } else if (g_str_has_prefix(uri, "tcp:")) {
        struct addrinfo *res = tcp_addr(uri + 4, error);
        if (!res) {
            return -1;
        }
        fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        }
        int ok = fd >= 0 && bind(fd, res->ai_addr, res->ai_addrlen) == 0 && listen(fd, 1) == 0;
        freeaddrinfo(res);
        if (ok) {
            return fd;
        }
    } else {
        mig_uri_check(uri, error);
        return -1;
    }
    return fail_errno(uri, fd, error);
}

int mig_accept(int listen_fd, GError **error)
{
    int fd;
    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        g_set_error(error, MIG_ERROR, 0, "accept: %s", g_strerror(errno));
    }
    return fd;
}
