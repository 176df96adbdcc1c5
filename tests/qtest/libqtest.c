/*
 * libqtest: client for the VMM's qtest protocol (see libqtest.h).
 *
 * This file holds the process management and the line protocol (sending a
 * command, reading its reply, the raw and checked command helpers); the
 * typed helpers built on them (guest memory, RTAS, registers, machine
 * checks, device tree) are in libqtest-helpers.c.
 *
 * One VMM process per QTestState, talked to over two pipes. Replies are
 * read with poll() and a deadline, so a hung VMM fails the test instead of
 * hanging it; the VMM going away is noticed on EOF or EPIPE (SIGPIPE is
 * ignored in the test process).
 */
#define _GNU_SOURCE     /* pipe2 */
#include "libqtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define QTEST_DEFAULT_ARGS \
    "-M pseries -accel qtest -qtest stdio -display none -nodefaults"

struct QTestState {
    pid_t pid;
    int to_vmm;                 /* VMM stdin (write end), -1 when closed */
    int from_vmm;               /* VMM stdout (read end) */
    GString *rbuf;              /* bytes read past the last reply line */
    bool dead;                  /* EOF, EPIPE or timeout seen */
    bool reaped;
    int status;                 /* waitpid() status once reaped */
    char *args;                 /* extra args, for messages */
};

/* ---- failure reporting ---- */

void libqtest_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* g_test_message keeps every message; g_test_fail marks the test. */
    g_test_message("libqtest: %s", msg);
    g_test_fail();
}

/* ---- process handling ---- */

static const char *qtest_binary(void)
{
    const char *bin = getenv("QTEST_QEMU_BINARY");
    if (!bin || !*bin) {
        g_error("libqtest: QTEST_QEMU_BINARY is not set (meson sets it; "
                "set it to the path of qemu-system-ppc64 to run by hand)");
    }
    return bin;
}

/* Reap the VMM if it has exited, waiting at most @timeout_ms. */
static bool qtest_reap(QTestState *qts, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    while (!qts->reaped && qts->pid > 0) {
        pid_t r = waitpid(qts->pid, &qts->status, WNOHANG);
        if (r == qts->pid || (r < 0 && errno != EINTR)) {
            qts->reaped = true;
            if (r < 0) {
                qts->status = -1;
            }
            break;
        }
        if (g_get_monotonic_time() >= deadline) {
            break;
        }
        g_usleep(2000);
    }
    return qts->reaped;
}

static char *describe_status(int status)
{
    if (status == -1) {
        return g_strdup("could not be reaped");
    }
    if (WIFEXITED(status)) {
        return g_strdup_printf("exited with status %d", WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return g_strdup_printf("was killed by signal %d (%s)", WTERMSIG(status),
                               strsignal(WTERMSIG(status)));
    }
    return g_strdup_printf("ended with wait status 0x%x", status);
}

static char *describe_death(QTestState *qts)
{
    if (qtest_reap(qts, 1000)) {
        g_autofree char *st = describe_status(qts->status);
        return g_strdup_printf("the VMM %s", st);
    }
    return g_strdup("the VMM closed its stdout but is still running");
}

/* Split @args into words and append them to @argv. Fails the test on bad quoting. */
static bool append_words(GPtrArray *argv, const char *args)
{
    g_auto(GStrv) words = NULL;
    g_autoptr(GError) err = NULL;

    if (!args || !*args) {
        return true;
    }
    if (!g_shell_parse_argv(args, NULL, &words, &err)) {
        if (g_error_matches(err, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING)) {
            return true;
        }
        libqtest_fail("bad VMM arguments '%s': %s", args, err->message);
        return false;
    }
    for (char **w = words; *w; w++) {
        g_ptr_array_add(argv, g_strdup(*w));
    }
    return true;
}

/*
 * fork/exec @argv with stdin, stdout and stderr on the given fds (-1:
 * inherit). Returns the pid, or -1 with the test failed.
 */
static pid_t spawn(char **argv, int in_fd, int out_fd, int err_fd)
{
    static gsize sigpipe_ignored;
    if (g_once_init_enter(&sigpipe_ignored)) {
        signal(SIGPIPE, SIG_IGN);
        g_once_init_leave(&sigpipe_ignored, 1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        libqtest_fail("fork: %s", g_strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if ((in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) ||
            (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
            (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)) {
            _exit(126);
        }
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "libqtest: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

bool qtest_alive(QTestState *qts)
{
    return !qts->dead;
}

static QTestState *qtest_start(const char *extra_args)
{
    QTestState *qts = g_new0(QTestState, 1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    int to[2], from[2];

    qts->to_vmm = qts->from_vmm = -1;
    qts->pid = -1;
    qts->rbuf = g_string_new(NULL);
    qts->args = g_strdup(extra_args ? extra_args : "");
    g_ptr_array_add(argv, g_strdup(qtest_binary()));
    append_words(argv, QTEST_DEFAULT_ARGS);
    if (!append_words(argv, extra_args)) {
        qts->dead = true;
        return qts;
    }
    g_ptr_array_add(argv, NULL);

    if (pipe2(to, O_CLOEXEC) < 0) {
        libqtest_fail("pipe: %s", g_strerror(errno));
        qts->dead = true;
        return qts;
    }
    if (pipe2(from, O_CLOEXEC) < 0) {
        libqtest_fail("pipe: %s", g_strerror(errno));
        close(to[0]);
        close(to[1]);
        qts->dead = true;
        return qts;
    }
    qts->pid = spawn((char **)argv->pdata, to[0], from[1], -1);
    close(to[0]);
    close(from[1]);
    qts->to_vmm = to[1];
    qts->from_vmm = from[0];
    if (qts->pid < 0) {
        qts->dead = true;
    }
    return qts;
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *qts = qtest_start(extra_args);

    if (!qts->dead) {
        /* Handshake: a VMM that rejected its arguments fails here, clearly. */
        g_autofree char *reply = qtest_cmd_raw(qts, "endianness");
        if (!reply) {
            libqtest_fail("VMM started with '%s' did not come up", qts->args);
        } else if (strcmp(reply, "OK big") != 0) {
            libqtest_fail("VMM started with '%s' answered 'endianness' with '%s'",
                       qts->args, reply);
        }
    }
    return qts;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

int qtest_wait_exit(QTestState *qts, int timeout_ms)
{
    return qtest_reap(qts, timeout_ms) ? qts->status : -1;
}

int qtest_quit(QTestState *qts)
{
    if (!qts) {
        return -1;
    }
    if (qts->to_vmm >= 0) {
        close(qts->to_vmm);
        qts->to_vmm = -1;
    }
    if (qts->pid > 0 && !qtest_reap(qts, QTEST_QUIT_TIMEOUT_MS)) {
        libqtest_fail("VMM (pid %d, args '%s') still running %d ms after its "
                   "stdin was closed: killed", (int)qts->pid, qts->args,
                   QTEST_QUIT_TIMEOUT_MS);
        kill(qts->pid, SIGKILL);
        qtest_reap(qts, QTEST_QUIT_TIMEOUT_MS);
    }
    int status = qts->reaped ? qts->status : -1;
    if (qts->from_vmm >= 0) {
        close(qts->from_vmm);
    }
    g_string_free(qts->rbuf, TRUE);
    g_free(qts->args);
    g_free(qts);
    return status;
}

int qtest_run_cmdline(const char *args, char **err_out)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) err = g_string_new(NULL);
    QTestState proc = { .pid = -1 };
    int errp[2];

    if (err_out) {
        *err_out = NULL;
    }
    g_ptr_array_add(argv, g_strdup(qtest_binary()));
    if (!append_words(argv, args)) {
        return -1;
    }
    g_ptr_array_add(argv, NULL);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        libqtest_fail("cannot set up the VMM's stdio: %s", g_strerror(errno));
        if (devnull >= 0) {
            close(devnull);
        }
        return -1;
    }
    proc.pid = spawn((char **)argv->pdata, devnull, devnull, errp[1]);
    close(devnull);
    close(errp[1]);
    if (proc.pid < 0) {
        close(errp[0]);
        return -1;
    }
    /* Collect stderr until EOF or the deadline. */
    gint64 deadline = g_get_monotonic_time() + QTEST_QUIT_TIMEOUT_MS * 1000LL;
    for (;;) {
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        struct pollfd p = { .fd = errp[0], .events = POLLIN };
        if (left <= 0) {
            break;
        }
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            continue;
        }
        char buf[4096];
        ssize_t n = read(errp[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        g_string_append_len(err, buf, n);
    }
    close(errp[0]);
    if (!qtest_reap(&proc, QTEST_QUIT_TIMEOUT_MS)) {
        libqtest_fail("VMM '%s' still running after %d ms: killed", args,
                   QTEST_QUIT_TIMEOUT_MS);
        kill(proc.pid, SIGKILL);
        qtest_reap(&proc, QTEST_QUIT_TIMEOUT_MS);
    }
    if (err_out) {
        *err_out = g_strdup(err->str);
    }
    return proc.reaped ? proc.status : -1;
}

/* ---- line I/O ---- */

/* One reply line into *@line: 1, or 0 on EOF, or -ETIMEDOUT. */
static int read_line(QTestState *qts, char **line)
{
    gint64 deadline = g_get_monotonic_time() + QTEST_REPLY_TIMEOUT_MS * 1000LL;

    for (;;) {
        char *nl = memchr(qts->rbuf->str, '\n', qts->rbuf->len);
        if (nl) {
            gsize n = (gsize)(nl - qts->rbuf->str);
            *line = g_strndup(qts->rbuf->str, n);
            g_string_erase(qts->rbuf, 0, (gssize)n + 1);
            return 1;
        }
        int left = (int)((deadline - g_get_monotonic_time()) / 1000);
        if (left <= 0) {
            return -ETIMEDOUT;
        }
        struct pollfd p = { .fd = qts->from_vmm, .events = POLLIN };
        int r = poll(&p, 1, left);
        if (r < 0 && errno != EINTR) {
            return 0;
        }
        if (r <= 0) {
            continue;
        }
        char buf[65536];
        ssize_t n = read(qts->from_vmm, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return 0;
        }
        g_string_append_len(qts->rbuf, buf, n);
    }
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Shorten long commands (write, b64write) in messages. */
static char *cmd_for_message(const char *cmd)
{
    size_t len = strlen(cmd);
    if (len <= 120) {
        return g_strdup(cmd);
    }
    return g_strdup_printf("%.100s... (%zu bytes)", cmd, len);
}

/*
 * Send @cmd and return the reply line. NULL if the VMM is (or goes) away:
 * that fails the test unless @eof_ok. A timeout always fails it.
 */
static char *exchange(QTestState *qts, const char *cmd, bool eof_ok)
{
    g_autofree char *shown = cmd_for_message(cmd);
    g_autofree char *line = g_strdup_printf("%s\n", cmd);
    char *reply = NULL;

    if (qts->dead) {
        if (!eof_ok) {
            libqtest_fail("'%s' not sent: the VMM is no longer there", shown);
        }
        return NULL;
    }
    if (!write_all(qts->to_vmm, line, strlen(line))) {
        qts->dead = true;
        if (!eof_ok) {
            g_autofree char *why = describe_death(qts);
            libqtest_fail("'%s': cannot send (%s): %s", shown, g_strerror(errno), why);
        }
        return NULL;
    }
    int r = read_line(qts, &reply);
    if (r == -ETIMEDOUT) {
        qts->dead = true;       /* out of step with the VMM from now on */
        libqtest_fail("'%s': no reply within %d ms", shown, QTEST_REPLY_TIMEOUT_MS);
        return NULL;
    }
    if (r == 0) {
        qts->dead = true;
        if (!eof_ok) {
            g_autofree char *why = describe_death(qts);
            libqtest_fail("'%s': no reply: %s", shown, why);
        }
        return NULL;
    }
    return reply;
}

char *qtest_cmd_raw(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return exchange(qts, cmd, false);
}

char *qtest_cmd_try(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return exchange(qts, cmd, true);
}

char *libqtest_cmd_ok(QTestState *qts, const char *cmd)
{
    g_autofree char *reply = exchange(qts, cmd, false);
    g_autofree char *shown = cmd_for_message(cmd);

    if (!reply) {
        return NULL;
    }
    if (strcmp(reply, "OK") == 0) {
        return g_strdup("");
    }
    if (g_str_has_prefix(reply, "OK ")) {
        return g_strdup(reply + 3);
    }
    libqtest_fail("'%s' answered '%.200s'", shown, reply);
    return NULL;
}

char *qtest_cmd(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *value = libqtest_cmd_ok(qts, cmd);
    return value ? value : g_strdup("");
}

bool libqtest_parse_number(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s) {
        return false;
    }
    errno = 0;
    if (s[0] == '-') {
        *out = (uint64_t)g_ascii_strtoll(s, &end, 10);
    } else {
        *out = g_ascii_strtoull(s, &end, 0);
    }
    return errno == 0 && end != s && *end == '\0';
}

uint64_t libqtest_cmd_number(QTestState *qts, const char *cmd)
{
    g_autofree char *value = libqtest_cmd_ok(qts, cmd);
    uint64_t n;

    if (!value) {
        return 0;
    }
    if (!libqtest_parse_number(value, &n)) {
        g_autofree char *shown = cmd_for_message(cmd);
        libqtest_fail("'%s' answered 'OK %.200s', expected a number", shown, value);
        return 0;
    }
    return n;
}

uint64_t qtest_cmd_u64(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return libqtest_cmd_number(qts, cmd);
}
