/*
 * The three reporting channels:
 *   - error_report(): a host-side problem the user must see (stderr, one line);
 *   - trace_guest_error(): the guest did something wrong (stderr when
 *     "-d guest_errors" is given, as QEMU's LOG_GUEST_ERROR);
 *   - trace_event(): trace points, printed when "-trace GROUP" (or "*")
 *     enables their group; cheap when disabled.
 * Safe from any thread.
 */
#ifndef SYSTEM_TRACE_H
#define SYSTEM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Rate-limited reports, for messages the guest can trigger at will
 * (ignored or nested machine checks): per call site, at most
 * REPORT_RATELIMIT_BURST lines per REPORT_RATELIMIT_WINDOW_US; the next
 * line that gets out says how many were suppressed, e.g.
 *   qemu-system-ppc64: warning: FWNMI: ... (120 similar messages suppressed)
 * Used as a statement: warn_report_ratelimited("FWNMI: %s", why);
 */
#define REPORT_RATELIMIT_BURST      5
#define REPORT_RATELIMIT_WINDOW_US  G_USEC_PER_SEC

typedef struct ReportRateLimit {
    gint64 window_start_us;     /* 0: no line yet */
    unsigned in_window;         /* lines let out in the current window */
    guint64 suppressed;         /* held back since the last line let out */
} ReportRateLimit;

void report_ratelimited(ReportRateLimit *rl, bool is_error, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
#define warn_report_ratelimited(...) \
    do { static ReportRateLimit rl_; report_ratelimited(&rl_, false, __VA_ARGS__); } while (0)
#define error_report_ratelimited(...) \
    do { static ReportRateLimit rl_; report_ratelimited(&rl_, true, __VA_ARGS__); } while (0)

/**
 * trace_stderr_dropped: lines not written because stderr would have
 * blocked, not yet reported (all report functions write to stderr only
 * when it takes the line at once, so a reporter holding the BQL never
 * waits for a reader).
 */
uint64_t trace_stderr_dropped(void);

extern bool trace_guest_errors_enabled;
extern bool trace_any_enabled;
void trace_guest_error_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define trace_guest_error(...) \
    do { if (trace_guest_errors_enabled) trace_guest_error_log(__VA_ARGS__); } while (0)

bool trace_group_enabled(const char *group);
void trace_event_log(const char *group, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
#define trace_event(group, ...) \
    do { if (trace_any_enabled && trace_group_enabled(group)) \
             trace_event_log(group, __VA_ARGS__); } while (0)

/** trace_enable: "-d guest_errors" / "-trace GROUP" ("*" for all). 0 or -EINVAL. */
int trace_enable_log_items(const char *items);
void trace_enable_group(const char *group);

#endif
