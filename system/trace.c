/* Reporting channels: see include/system/trace.h. */
#include "system/trace.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool trace_guest_errors_enabled;
bool trace_unimp_enabled;
bool trace_any_enabled;
static GMutex trace_lock;        /* guards trace_groups and keeps lines whole */
static GPtrArray *trace_groups;

/*
 * Every line to stderr goes through stderr_put(): whoever reports may hold
 * the BQL (a vCPU delivering a machine check), so a stderr that does not
 * drain (a pipe nobody reads, a stopped terminal) must never stall it.
 * The line is written only when poll() says stderr takes it at once; a
 * line is at most PIPE_BUF bytes, which a writable pipe takes in one
 * write(). Otherwise it is dropped and counted, and the count is reported
 * before the next line that gets out. (stderr's file description is
 * shared with other processes, so it is not switched to O_NONBLOCK.)
 */
static uint64_t stderr_dropped;     /* guarded by trace_lock */

static bool stderr_writable(void)
{
    struct pollfd p = { .fd = STDERR_FILENO, .events = POLLOUT };
    int r;
    do {
        r = poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    /* poll() failing (no stderr at all) is not a reason to drop. */
    return r < 0 || (r == 1 && (p.revents & POLLOUT));
}

/* One whole line, newline included, trace_lock held. False if dropped. */
static bool stderr_write_now(const char *line, size_t len)
{
    if (!stderr_writable()) {
        return false;
    }
    ssize_t n;
    do {
        n = write(STDERR_FILENO, line, len);
    } while (n < 0 && errno == EINTR);
    return n >= 0 || errno != EAGAIN;
}

static void stderr_put_locked(const char *line)
{
    char buf[PIPE_BUF];
    size_t len = strlen(line);

    if (len > sizeof(buf) - 1) {        /* "...\n" keeps it one line */
        memcpy(buf, line, sizeof(buf) - 5);
        memcpy(buf + sizeof(buf) - 5, "...\n", 5);
        line = buf;
        len = sizeof(buf);
    }
    if (stderr_dropped) {
        g_autofree char *note = g_strdup_printf(
            "qemu-system-ppc64: warning: %" G_GUINT64_FORMAT
            " line(s) to stderr dropped: stderr was not writable\n", stderr_dropped);
        if (!stderr_write_now(note, strlen(note))) {
            stderr_dropped++;
            return;
        }
        stderr_dropped = 0;
    }
    if (!stderr_write_now(line, len)) {
        stderr_dropped++;
    }
}

uint64_t trace_stderr_dropped(void)
{
    g_mutex_lock(&trace_lock);
    uint64_t n = stderr_dropped;
    g_mutex_unlock(&trace_lock);
    return n;
}

static void report_line(const char *prefix, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    g_autofree char *line = g_strdup_printf("qemu-system-ppc64: %s%s\n", prefix, msg);
    g_mutex_lock(&trace_lock);
    fflush(stderr);         /* anything stdio buffered goes first */
    stderr_put_locked(line);
    g_mutex_unlock(&trace_lock);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_line("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_line("warning: ", fmt, ap);
    va_end(ap);
}

/* Whether @rl lets one more line out now; *suppressed gets the number of
 * lines it held back since the last one it let out. trace_lock held. */
static bool ratelimit_pass(ReportRateLimit *rl, uint64_t *suppressed)
{
    gint64 now = g_get_monotonic_time();
    if (!rl->window_start_us || now - rl->window_start_us >= REPORT_RATELIMIT_WINDOW_US) {
        rl->window_start_us = now;
        rl->in_window = 0;
    }
    if (rl->in_window >= REPORT_RATELIMIT_BURST) {
        rl->suppressed++;
        return false;
    }
    rl->in_window++;
    *suppressed = rl->suppressed;
    rl->suppressed = 0;
    return true;
}

void report_ratelimited(ReportRateLimit *rl, bool is_error, const char *fmt, ...)
{
    uint64_t suppressed = 0;
    g_mutex_lock(&trace_lock);
    bool pass = ratelimit_pass(rl, &suppressed);
    g_mutex_unlock(&trace_lock);
    if (!pass) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (suppressed) {
        g_autofree char *more = g_strdup_printf("%s (%" G_GUINT64_FORMAT
                                                " similar messages suppressed)", msg, suppressed);
        (is_error ? error_report : warn_report)("%s", more);
    } else {
        (is_error ? error_report : warn_report)("%s", msg);
    }
}

void trace_guest_error_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_line("guest error: ", fmt, ap);
    va_end(ap);
}

/*
 * Token bucket shared by the reports a looping guest can repeat forever:
 * TRACE_BURST lines at once, then TRACE_RATE per second. What is dropped
 * is counted and announced with the next line that goes out.
 */
#define TRACE_BURST     32
#define TRACE_RATE      10

static struct {
    double tokens;
    gint64 last_us;
    uint64_t suppressed;
    bool started;
} unimp_bucket;

void trace_unimp_log(const char *kind, const char *fmt, ...)
{
    va_list ap;
    uint64_t suppressed;

    g_mutex_lock(&trace_lock);
    gint64 now = g_get_monotonic_time();
    if (!unimp_bucket.started) {
        unimp_bucket.tokens = TRACE_BURST;
        unimp_bucket.started = true;
    } else {
        unimp_bucket.tokens = MIN((double)TRACE_BURST, unimp_bucket.tokens +
                                  (double)(now - unimp_bucket.last_us) * TRACE_RATE / 1e6);
    }
    unimp_bucket.last_us = now;
    if (unimp_bucket.tokens < 1.0) {
        unimp_bucket.suppressed++;
        g_mutex_unlock(&trace_lock);
        return;
    }
    unimp_bucket.tokens -= 1.0;
    suppressed = unimp_bucket.suppressed;
    unimp_bucket.suppressed = 0;
    g_mutex_unlock(&trace_lock);

    if (suppressed) {
        error_report("%s: %" G_GUINT64_FORMAT " similar messages suppressed", kind,
                     suppressed);
    }
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s: %s", kind, msg);
}

int trace_enable_log_items(const char *items)
{
    g_auto(GStrv) parts = g_strsplit(items, ",", -1);
    for (char **p = parts; *p; p++) {
        if (strcmp(*p, "guest_errors") == 0) {
            trace_guest_errors_enabled = true;
        } else if (strcmp(*p, "unimp") == 0) {
            trace_unimp_enabled = true;
        } else {
            return -EINVAL;
        }
    }
    return 0;
}

void trace_enable_group(const char *group)
{
    g_mutex_lock(&trace_lock);
    if (!trace_groups) {
        trace_groups = g_ptr_array_new_with_free_func(g_free);
    }
    bool known = false;
    for (guint i = 0; i < trace_groups->len && !known; i++) {
        known = !strcmp(g_ptr_array_index(trace_groups, i), group);
    }
    if (!known) {       /* "-trace rtas" repeated must not grow the list */
        g_ptr_array_add(trace_groups, g_strdup(group));
    }
    trace_any_enabled = true;
    g_mutex_unlock(&trace_lock);
}

bool trace_group_enabled(const char *group)
{
    bool on = false;
    g_mutex_lock(&trace_lock);
    for (guint i = 0; trace_groups && i < trace_groups->len && !on; i++) {
        const char *g = g_ptr_array_index(trace_groups, i);
        on = strcmp(g, "*") == 0 || strcmp(g, group) == 0;
    }
    g_mutex_unlock(&trace_lock);
    return on;
}

void trace_event_log(const char *group, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *line = g_strdup_printf("trace %s: %s\n", group, msg);
    g_mutex_lock(&trace_lock);
    stderr_put_locked(line);
    g_mutex_unlock(&trace_lock);
}
