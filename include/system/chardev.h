/*
 * Line-oriented character endpoints for the qtest server and the monitors:
 * stdio, a file, or a unix socket (client, or server accepting one client
 * at a time). One reader thread per endpoint; writes are serialized by
 * write_lock so event lines and replies never interleave.
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>

#include "system/options.h"

/* Longest accepted line; a longer one is discarded and reported. */
#define CHAR_LINE_MAX (1 << 20)

typedef struct CharEndpoint {
    CharSpec spec;
    int listen_fd;              /* server sockets, else -1 */
    int in_fd, out_fd;          /* -1 while no client is connected */
    GString *rbuf;              /* unconsumed input; reader thread only */
    GMutex write_lock;          /* guards out_fd writes */
} CharEndpoint;

/** char_open: set up @ep for @spec (binds server sockets, 0600). 0 or -errno with @error. */
int char_open(CharEndpoint *ep, const CharSpec *spec, GError **error);
/** char_connect: wait for a client (server) or connect (client). 0 or -errno. */
int char_connect(CharEndpoint *ep, GError **error);
/**
 * char_read_line: next line without its newline into @line.
 * Returns 1, 0 at end of input, or -E2BIG when the line was longer than
 * CHAR_LINE_MAX (it has been skipped).
 */
int char_read_line(CharEndpoint *ep, GString *line);
/**
 * char_read_some: the next bytes of input, whatever they are (QMP's
 * stream): up to @size into @buf. Returns the count, 0 at end of input.
 */
ssize_t char_read_some(CharEndpoint *ep, char *buf, size_t size);
/** char_write: write all of @buf (dropped silently once the peer is gone). */
void char_write(CharEndpoint *ep, const char *buf, size_t len);
/** char_disconnect: drop the current client (server sockets keep listening). */
void char_disconnect(CharEndpoint *ep);
void char_close(CharEndpoint *ep);
/**
 * char_unlink_sockets: remove every server socket this process bound that
 * is still in place (not one that replaced it). Async-signal-safe: called
 * at exit, after a start-up error and from fatal-signal handlers.
 */
void char_unlink_sockets(void);

struct sockaddr_un;
/** char_unix_address: @addr for a unix socket at @path; -ENAMETOOLONG (with
 * @error) when the path does not fit. */
int char_unix_address(const char *path, struct sockaddr_un *addr, GError **error);
/**
 * char_unix_clear_stale: before binding at @path: nothing there, or a
 * stale socket (nobody accepts; removed). A live socket or anything that
 * is not a socket is refused (-EEXIST / -EADDRINUSE, with @error): a
 * server endpoint never deletes somebody else's file.
 */
int char_unix_clear_stale(const char *path, const struct sockaddr_un *addr, GError **error);

#endif
