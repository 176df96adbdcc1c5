/*
 * libqtest: client for the VMM's qtest protocol (see libqtest.h).
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
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libfdt.h>

#define QTEST_DEFAULT_ARGS \
    "-M pseries -accel qtest -qtest stdio -display none -nodefaults"
#define QTEST_RTAS_FILL 0xDEADBEEFu

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

static void qtest_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void qtest_fail(const char *fmt, ...)
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
        qtest_fail("bad VMM arguments '%s': %s", args, err->message);
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
        qtest_fail("fork: %s", g_strerror(errno));
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
        qtest_fail("pipe: %s", g_strerror(errno));
        qts->dead = true;
        return qts;
    }
    if (pipe2(from, O_CLOEXEC) < 0) {
        qtest_fail("pipe: %s", g_strerror(errno));
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
            qtest_fail("VMM started with '%s' did not come up", qts->args);
        } else if (strcmp(reply, "OK big") != 0) {
            qtest_fail("VMM started with '%s' answered 'endianness' with '%s'",
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
        qtest_fail("VMM (pid %d, args '%s') still running %d ms after its "
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
        qtest_fail("cannot set up the VMM's stdio: %s", g_strerror(errno));
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
        qtest_fail("VMM '%s' still running after %d ms: killed", args,
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
            qtest_fail("'%s' not sent: the VMM is no longer there", shown);
        }
        return NULL;
    }
    if (!write_all(qts->to_vmm, line, strlen(line))) {
        qts->dead = true;
        if (!eof_ok) {
            g_autofree char *why = describe_death(qts);
            qtest_fail("'%s': cannot send (%s): %s", shown, g_strerror(errno), why);
        }
        return NULL;
    }
    int r = read_line(qts, &reply);
    if (r == -ETIMEDOUT) {
        qts->dead = true;       /* out of step with the VMM from now on */
        qtest_fail("'%s': no reply within %d ms", shown, QTEST_REPLY_TIMEOUT_MS);
        return NULL;
    }
    if (r == 0) {
        qts->dead = true;
        if (!eof_ok) {
            g_autofree char *why = describe_death(qts);
            qtest_fail("'%s': no reply: %s", shown, why);
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

/* The text after "OK " of the reply to @cmd, or NULL (test failed). */
static char *cmd_ok(QTestState *qts, const char *cmd)
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
    qtest_fail("'%s' answered '%.200s'", shown, reply);
    return NULL;
}

char *qtest_cmd(QTestState *qts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *value = cmd_ok(qts, cmd);
    return value ? value : g_strdup("");
}

static bool parse_number(const char *s, uint64_t *out)
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

static uint64_t cmd_number(QTestState *qts, const char *cmd)
{
    g_autofree char *value = cmd_ok(qts, cmd);
    uint64_t n;

    if (!value) {
        return 0;
    }
    if (!parse_number(value, &n)) {
        g_autofree char *shown = cmd_for_message(cmd);
        qtest_fail("'%s' answered 'OK %.200s', expected a number", shown, value);
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
    return cmd_number(qts, cmd);
}

/* ---- guest memory ---- */

static uint64_t readx(QTestState *qts, char width, uint64_t addr)
{
    g_autofree char *cmd = g_strdup_printf("read%c 0x%" PRIx64, width, addr);
    return cmd_number(qts, cmd);
}

static void writex(QTestState *qts, char width, uint64_t addr, uint64_t val)
{
    g_autofree char *cmd = g_strdup_printf("write%c 0x%" PRIx64 " 0x%" PRIx64,
                                           width, addr, val);
    g_free(cmd_ok(qts, cmd));
}

uint8_t qtest_readb(QTestState *qts, uint64_t addr)
{
    return (uint8_t)readx(qts, 'b', addr);
}

uint16_t qtest_readw(QTestState *qts, uint64_t addr)
{
    return (uint16_t)readx(qts, 'w', addr);
}

uint32_t qtest_readl(QTestState *qts, uint64_t addr)
{
    return (uint32_t)readx(qts, 'l', addr);
}

uint64_t qtest_readq(QTestState *qts, uint64_t addr)
{
    return readx(qts, 'q', addr);
}

void qtest_writeb(QTestState *qts, uint64_t addr, uint8_t val)
{
    writex(qts, 'b', addr, val);
}

void qtest_writew(QTestState *qts, uint64_t addr, uint16_t val)
{
    writex(qts, 'w', addr, val);
}

void qtest_writel(QTestState *qts, uint64_t addr, uint32_t val)
{
    writex(qts, 'l', addr, val);
}

void qtest_writeq(QTestState *qts, uint64_t addr, uint64_t val)
{
    writex(qts, 'q', addr, val);
}

void qtest_memread(QTestState *qts, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("read 0x%" PRIx64 " 0x%zx", addr, size);
    g_autofree char *value = cmd_ok(qts, cmd);
    uint8_t *out = buf;

    memset(buf, 0, size);
    if (!value) {
        return;
    }
    if (strncmp(value, "0x", 2) != 0 || strlen(value) != 2 + 2 * size) {
        qtest_fail("'%s' answered 'OK %.80s' (%zu chars), expected 0x and %zu hex digits",
                   cmd, value, strlen(value), 2 * size);
        return;
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(value[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(value[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            qtest_fail("'%s': bad hex digit at byte %zu of the reply", cmd, i);
            memset(buf, 0, size);
            return;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

void qtest_memwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size)
{
    const uint8_t *in = buf;
    GString *cmd = g_string_sized_new(40 + 2 * size);

    g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr, size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(cmd, "%02x", in[i]);
    }
    if (size == 0) {
        g_string_append(cmd, "00");     /* the protocol wants some data */
    }
    g_free(cmd_ok(qts, cmd->str));
    g_string_free(cmd, TRUE);
}

void qtest_bufread(QTestState *qts, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("b64read 0x%" PRIx64 " 0x%zx", addr, size);
    g_autofree char *value = cmd_ok(qts, cmd);
    gsize len = 0;

    memset(buf, 0, size);
    if (!value) {
        return;
    }
    g_autofree guchar *data = g_base64_decode(value, &len);
    if (len != size) {
        qtest_fail("'%s' answered %zu bytes of base64 data, expected %zu",
                   cmd, (size_t)len, size);
        return;
    }
    memcpy(buf, data, size);
}

void qtest_bufwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size)
{
    g_autofree char *b64 = g_base64_encode(buf, size);
    g_autofree char *cmd = g_strdup_printf("b64write 0x%" PRIx64 " 0x%zx %s",
                                           addr, size, b64);
    g_free(cmd_ok(qts, cmd));
}

void qtest_memset(QTestState *qts, uint64_t addr, uint8_t byte, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("memset 0x%" PRIx64 " 0x%zx 0x%02x",
                                           addr, size, byte);
    g_free(cmd_ok(qts, cmd));
}

/* ---- RTAS ---- */

int qtest_rtas_call_at(QTestState *qts, int cpu, const char *name,
                       uint32_t nargs, uint64_t args_addr, uint32_t nret,
                       uint64_t rets_addr)
{
    g_autofree char *cmd = NULL;

    if (cpu < 0) {
        cmd = g_strdup_printf("rtas %s %u 0x%" PRIx64 " %u 0x%" PRIx64,
                              name, nargs, args_addr, nret, rets_addr);
    } else {
        cmd = g_strdup_printf("rtas-cpu %d %s %u 0x%" PRIx64 " %u 0x%" PRIx64,
                              cpu, name, nargs, args_addr, nret, rets_addr);
    }
    g_autofree char *value = cmd_ok(qts, cmd);
    uint64_t status;
    if (!value) {
        return -1;
    }
    if (!parse_number(value, &status) || ((int64_t)status != 0 &&
                                          (int64_t)status != -4)) {
        qtest_fail("'%s' answered 'OK %s', expected OK 0 or OK -4", cmd, value);
        return -1;
    }
    return (int)(int64_t)status;
}

static int rtas_call(QTestState *qts, int cpu, const char *name, uint32_t nargs,
                     const uint32_t *args, uint32_t nret, uint32_t *rets)
{
    uint64_t args_addr = QTEST_RTAS_SCRATCH;
    uint64_t rets_addr = QTEST_RTAS_SCRATCH + 4ULL * nargs;

    if (nargs > QTEST_RTAS_MAX_CELLS || nret > QTEST_RTAS_MAX_CELLS) {
        qtest_fail("rtas %s: %u args / %u rets: at most %d cells are staged",
                   name, nargs, nret, QTEST_RTAS_MAX_CELLS);
        return -1;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        qtest_writel(qts, args_addr + 4ULL * i, args[i]);
    }
    for (uint32_t i = 0; i < nret; i++) {
        qtest_writel(qts, rets_addr + 4ULL * i, QTEST_RTAS_FILL);
    }
    int status = qtest_rtas_call_at(qts, cpu, name, nargs, args_addr, nret,
                                    rets_addr);
    for (uint32_t i = 0; i < nret && rets; i++) {
        rets[i] = status == 0 ? qtest_readl(qts, rets_addr + 4ULL * i)
                              : QTEST_RTAS_FILL;
    }
    return status;
}

int qtest_rtas_call(QTestState *qts, const char *name, uint32_t nargs,
                    const uint32_t *args, uint32_t nret, uint32_t *rets)
{
    return rtas_call(qts, -1, name, nargs, args, nret, rets);
}

int qtest_rtas_call_cpu(QTestState *qts, int cpu, const char *name,
                        uint32_t nargs, const uint32_t *args, uint32_t nret,
                        uint32_t *rets)
{
    return rtas_call(qts, cpu, name, nargs, args, nret, rets);
}

/* ---- vCPUs and machine ---- */

uint64_t qtest_cpu_get(QTestState *qts, int cpu, const char *reg)
{
    g_autofree char *cmd = g_strdup_printf("cpu-get %d %s", cpu, reg);
    return cmd_number(qts, cmd);
}

void qtest_cpu_set(QTestState *qts, int cpu, const char *reg, uint64_t value)
{
    g_autofree char *cmd = g_strdup_printf("cpu-set %d %s 0x%" PRIx64, cpu, reg, value);
    g_free(cmd_ok(qts, cmd));
}

char *qtest_machine_state(QTestState *qts)
{
    return qtest_cmd(qts, "machine-state");
}

void qtest_system_reset(QTestState *qts)
{
    g_free(cmd_ok(qts, "system_reset"));
}

int64_t qtest_clock_step(QTestState *qts, int64_t ns)
{
    g_autofree char *cmd = g_strdup_printf("clock_step %" PRId64, ns);
    return (int64_t)cmd_number(qts, cmd);
}

/* ---- device tree ---- */

void *qtest_fdt_get(QTestState *qts, size_t *len)
{
    g_autofree char *value = cmd_ok(qts, "fdt");
    size_t digits, size;
    uint8_t *blob;

    if (len) {
        *len = 0;
    }
    if (!value) {
        return NULL;
    }
    digits = strlen(value);
    if (strncmp(value, "0x", 2) != 0 || digits % 2 || digits < 2 + 2 * 40) {
        qtest_fail("'fdt' answered 'OK %.80s': not 0x and a blob", value);
        return NULL;
    }
    size = (digits - 2) / 2;
    blob = g_malloc(size);
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(value[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(value[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            qtest_fail("'fdt': bad hex digit at byte %zu", i);
            g_free(blob);
            return NULL;
        }
        blob[i] = (uint8_t)(hi << 4 | lo);
    }
    int err = fdt_check_header(blob);
    if (err < 0 || fdt_totalsize(blob) != size) {
        qtest_fail("'fdt': blob of %zu bytes is not a device tree (%s, totalsize %u)",
                   size, err < 0 ? fdt_strerror(err) : "header ok",
                   err < 0 ? 0 : fdt_totalsize(blob));
        g_free(blob);
        return NULL;
    }
    if (len) {
        *len = size;
    }
    return blob;
}

bool qtest_fdt_rtas_u32(const void *fdt, const char *prop, uint32_t *value)
{
    int node = fdt ? fdt_path_offset(fdt, "/rtas") : -FDT_ERR_NOTFOUND;
    int len = 0;

    if (node < 0) {
        return false;
    }
    const fdt32_t *cell = fdt_getprop(fdt, node, prop, &len);
    if (!cell || len != (int)sizeof(*cell)) {
        return false;
    }
    *value = fdt32_to_cpu(*cell);
    return true;
}

uint32_t qtest_rtas_prop(QTestState *qts, const char *prop)
{
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint32_t value = 0;

    if (fdt && !qtest_fdt_rtas_u32(fdt, prop, &value)) {
        qtest_fail("device tree has no one-cell /rtas/%s", prop);
    }
    return value;
}

/* ---- FWNMI ---- */

const char *qtest_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                      uint64_t dar, bool recovered)
{
    static const char *const words[] = { "delivered", "queued", "ignored", "panicked" };
    g_autofree char *cmd = g_strdup_printf("mce %d 0x%" PRIx64 " 0x%x 0x%" PRIx64 " %d",
                                           cpu, srr1, dsisr, dar, recovered ? 1 : 0);
    g_autofree char *value = cmd_ok(qts, cmd);

    if (!value) {
        return "";
    }
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strcmp(value, words[i]) == 0) {
            return words[i];
        }
    }
    qtest_fail("'%s' answered 'OK %s': not a result word", cmd, value);
    return "";
}

void qtest_nmi(QTestState *qts, int cpu)
{
    g_autofree char *cmd = cpu < 0 ? g_strdup("nmi") : g_strdup_printf("nmi %d", cpu);
    g_free(cmd_ok(qts, cmd));
}

static bool parse_pending(const char *s, QTestFwnmi *f)
{
    f->npending = 0;
    if (strcmp(s, "-") == 0) {
        return true;
    }
    g_auto(GStrv) items = g_strsplit(s, ",", -1);
    for (char **p = items; *p; p++) {
        uint64_t n;
        if (!parse_number(*p, &n) || n > INT32_MAX) {
            return false;
        }
        if (f->npending < (int)G_N_ELEMENTS(f->pending)) {
            f->pending[f->npending] = (int)n;
        }
        f->npending++;
    }
    return f->npending > 0;
}

void qtest_fwnmi(QTestState *qts, QTestFwnmi *out)
{
    g_autofree char *value = cmd_ok(qts, "fwnmi");
    struct {
        const char *key;
        uint64_t *dst;
        bool seen;
    } fields[] = {
        { .key = "sreset", .dst = &out->sreset },
        { .key = "mce", .dst = &out->mce },
        { .key = "delivered", .dst = &out->delivered },
        { .key = "legacy", .dst = &out->legacy },
        { .key = "queued", .dst = &out->queued },
        { .key = "nested", .dst = &out->nested },
        { .key = "interlocks", .dst = &out->interlocks },
        { .key = "sresets", .dst = &out->sresets },
    };
    bool have_holder = false, have_pending = false;

    memset(out, 0, sizeof(*out));
    out->holder = -1;
    if (!value) {
        return;
    }
    g_auto(GStrv) words = g_strsplit(value, " ", -1);
    for (char **w = words; *w; w++) {
        g_auto(GStrv) kv = g_strsplit(*w, "=", 2);
        uint64_t n;
        if (!kv[0] || !kv[1]) {
            goto bad;
        }
        if (strcmp(kv[0], "holder") == 0) {
            if (!parse_number(kv[1], &n)) {
                goto bad;
            }
            out->holder = (int)(int64_t)n;
            have_holder = true;
        } else if (strcmp(kv[0], "pending") == 0) {
            if (!parse_pending(kv[1], out)) {
                goto bad;
            }
            have_pending = true;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
            if (strcmp(kv[0], fields[i].key) == 0) {
                if (!parse_number(kv[1], fields[i].dst)) {
                    goto bad;
                }
                fields[i].seen = true;
            }
        }
    }
    if (!have_holder || !have_pending) {
        goto bad;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (!fields[i].seen) {
            goto bad;
        }
    }
    return;
bad:
    qtest_fail("'fwnmi' answered 'OK %s': cannot decode it", value);
    memset(out, 0, sizeof(*out));
    out->holder = -1;
}

char *qtest_fwnmi_pending_str(const QTestFwnmi *f)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < f->npending && i < (int)G_N_ELEMENTS(f->pending); i++) {
        g_string_append_printf(s, "%s%d", i ? "," : "", f->pending[i]);
    }
    if (f->npending > (int)G_N_ELEMENTS(f->pending)) {
        g_string_append(s, ",...");
    }
    if (f->npending == 0) {
        g_string_append(s, "-");
    }
    return g_string_free(s, FALSE);
}
