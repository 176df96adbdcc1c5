/*
 * Reporting to stderr: a stderr that does not drain never blocks the
 * reporter (lines are dropped and counted, the count reported once it
 * drains), and the rate-limited variants let a burst out per second and
 * say how many they held back.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "system/trace.h"

typedef struct StderrPipe {
    int saved;                  /* the real stderr */
    int rd;                     /* the pipe's read end; fd 2 is its write end */
} StderrPipe;

static void pipe_stderr(StderrPipe *p)
{
    int fds[2];
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    p->saved = dup(STDERR_FILENO);
    p->rd = fds[0];
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
}

static void restore_stderr(StderrPipe *p)
{
    dup2(p->saved, STDERR_FILENO);
    close(p->saved);
    close(p->rd);
}

/* Everything in the pipe right now. */
static char *drain(StderrPipe *p)
{
    GString *out = g_string_new(NULL);
    char buf[4096];
    int flags = fcntl(p->rd, F_GETFL);
    fcntl(p->rd, F_SETFL, flags | O_NONBLOCK);
    ssize_t n;
    while ((n = read(p->rd, buf, sizeof(buf))) > 0) {
        g_string_append_len(out, buf, n);
    }
    fcntl(p->rd, F_SETFL, flags);
    return g_string_free(out, FALSE);
}

static unsigned count_lines(const char *s, const char *needle)
{
    unsigned n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    return n;
}

/* Fill the pipe behind stderr until it takes nothing more. The file
 * description is left blocking, as a real stderr is. */
static void fill(void)
{
    static char junk[4096];
    int flags = fcntl(STDERR_FILENO, F_GETFL);
    fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
    while (write(STDERR_FILENO, junk, sizeof(junk)) > 0 ||
           write(STDERR_FILENO, junk, 1) > 0) {
    }
    fcntl(STDERR_FILENO, F_SETFL, flags);
}

static void test_full_stderr_never_blocks(void)
{
    StderrPipe p;
    pipe_stderr(&p);
    fill();
    alarm(10);      /* a blocking write would hang here: fail loudly instead */
    for (int i = 0; i < 3; i++) {
        warn_report("line %d while stderr is full", i);
    }
    error_report("an error while stderr is full");
    alarm(0);
    g_assert_cmpuint(trace_stderr_dropped(), ==, 4);
    g_free(drain(&p));
    warn_report("after draining");
    g_autofree char *out = drain(&p);
    restore_stderr(&p);
    g_assert_cmpstr(out, ==, "qemu-system-ppc64: warning: 4 line(s) to stderr dropped: "
                             "stderr was not writable\n"
                             "qemu-system-ppc64: warning: after draining\n");
    g_assert_cmpuint(trace_stderr_dropped(), ==, 0);
}

static void test_overlong_line_stays_one_line(void)
{
    StderrPipe p;
    pipe_stderr(&p);
    g_autofree char *big = g_strnfill(100000, 'x');
    warn_report("%s", big);
    g_autofree char *out = drain(&p);
    restore_stderr(&p);
    g_assert_cmpuint(count_lines(out, "\n"), ==, 1);
    g_assert_true(g_str_has_suffix(out, "...\n"));
}

static void report_storm(int n)
{
    for (int i = 0; i < n; i++) {
        warn_report_ratelimited("FWNMI: storm %d", i);
    }
}

static void test_ratelimited_burst_then_summary(void)
{
    StderrPipe p;
    pipe_stderr(&p);
    report_storm(100);
    g_autofree char *first = drain(&p);
    g_assert_cmpuint(count_lines(first, "FWNMI: storm"), ==, REPORT_RATELIMIT_BURST);
    g_usleep(REPORT_RATELIMIT_WINDOW_US + 100000);
    report_storm(1);
    g_autofree char *second = drain(&p);
    restore_stderr(&p);
    g_assert_cmpstr(second, ==, "qemu-system-ppc64: warning: FWNMI: storm 0 "
                                "(95 similar messages suppressed)\n");
    /* The plain functions are never limited. */
}

static void test_plain_reports_not_limited(void)
{
    StderrPipe p;
    pipe_stderr(&p);
    for (int i = 0; i < 50; i++) {
        warn_report("plain %d", i);
    }
    g_autofree char *out = drain(&p);
    restore_stderr(&p);
    g_assert_cmpuint(count_lines(out, "plain"), ==, 50);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/trace/stderr/full-never-blocks-drops-and-counts",
                    test_full_stderr_never_blocks);
    g_test_add_func("/trace/stderr/overlong-line-stays-one-line", test_overlong_line_stays_one_line);
    g_test_add_func("/trace/ratelimited/burst-then-summary", test_ratelimited_burst_then_summary);
    g_test_add_func("/trace/plain-reports-not-limited", test_plain_reports_not_limited);
    return g_test_run();
}
