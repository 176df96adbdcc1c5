/* Reporting channels: see include/system/trace.h. */
#include "system/trace.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool trace_guest_errors_enabled;
bool trace_unimp_enabled;
bool trace_any_enabled;
static GMutex trace_lock;        /* guards trace_groups and keeps lines whole */
static GPtrArray *trace_groups;

static void report_line(const char *prefix, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    g_mutex_lock(&trace_lock);
    fprintf(stderr, "qemu-system-ppc64: %s%s\n", prefix, msg);
    fflush(stderr);
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
    g_ptr_array_add(trace_groups, g_strdup(group));
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
    g_mutex_lock(&trace_lock);
    fprintf(stderr, "trace %s: %s\n", group, msg);
    g_mutex_unlock(&trace_lock);
}
