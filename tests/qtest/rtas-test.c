/*
 * The baseline RTAS calls (LoPAPR chapter 7) through the qtest "rtas" and
 * "rtas-cpu" commands: each call's effect, its nargs/nret check, and the
 * dispatcher's handling of argument blocks outside guest RAM.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "libqtest.h"

#define RTAS_SUCCESS        0
#define RTAS_HW_ERROR       ((uint32_t)-1)
#define RTAS_PARAM_ERROR    ((uint32_t)-3)
#define RTAS_NO_ERRORS      1

#define MSR_SF              (1ULL << 63)
#define MSR_ME              (1ULL << 12)
#define FILL                0xDEADBEEFu     /* libqtest's return-cell fill */
#define UNREGISTERED        UINT64_MAX

#define STRING_ADDR         ((uint64_t)0x2000)
#define EVENT_BUF           ((uint64_t)0x3000)
#define EVENT_BUF_LEN       2048u

/* rets[0] of a call with one return cell; the hypercall must succeed. */
static uint32_t rtas1(QTestState *qts, int cpu, const char *name,
                      uint32_t nargs, const uint32_t *args)
{
    uint32_t ret = FILL;
    int hc = cpu < 0 ? qtest_rtas_call(qts, name, nargs, args, 1, &ret)
                     : qtest_rtas_call_cpu(qts, cpu, name, nargs, args, 1, &ret);
    g_assert_cmpint(hc, ==, 0);
    return ret;
}

static void assert_state(QTestState *qts, const char *expected)
{
    g_autofree char *state = qtest_machine_state(qts);
    g_assert_cmpstr(state, ==, expected);
}

/* query-cpu-stopped-state for @cpu: 0 stopped, 2 running; -3 for no such CPU. */
static uint32_t cpu_stopped_state(QTestState *qts, uint32_t cpu, uint32_t *status)
{
    uint32_t args[1] = { cpu }, rets[2];
    g_assert_cmpint(qtest_rtas_call(qts, "query-cpu-stopped-state", 1, args, 2,
                                    rets), ==, 0);
    *status = rets[0];
    return rets[1];
}

static void assert_cpu_state(QTestState *qts, uint32_t cpu, uint32_t expected)
{
    uint32_t status;
    uint32_t state = cpu_stopped_state(qts, cpu, &status);
    g_assert_cmpint((int32_t)status, ==, RTAS_SUCCESS);
    g_assert_cmpuint(state, ==, expected);
}

/* ---- display-character ---- */

static void test_display_character_writes_console(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("rtas-test-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *path = g_build_filename(dir, "console", NULL);
    QTestState *qts = qtest_initf("-serial file:%s", path);
    const char *text = "RTAS!\n";

    for (const char *c = text; *c; c++) {
        uint32_t args[1] = { (uint8_t)*c };
        g_assert_cmpint((int32_t)rtas1(qts, -1, "display-character", 1, args), ==,
                        RTAS_SUCCESS);
    }
    g_autofree char *out = NULL;
    g_assert_true(g_file_get_contents(path, &out, NULL, NULL));
    g_assert_cmpstr(out, ==, text);
    qtest_quit(qts);
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- get-time-of-day ---- */

static void test_get_time_of_day_answers_host_utc(void)
{
    QTestState *qts = qtest_init(NULL);
    uint32_t r[8];
    g_autoptr(GDateTime) before = g_date_time_new_now_utc();

    g_assert_cmpint(qtest_rtas_call(qts, "get-time-of-day", 0, NULL, 8, r), ==, 0);
    g_autoptr(GDateTime) after = g_date_time_new_now_utc();
    g_assert_cmpint((int32_t)r[0], ==, RTAS_SUCCESS);
    g_assert_cmpuint(r[1], >=, 2024);
    g_assert_cmpuint(r[1], <=, 2200);
    g_assert_cmpuint(r[2], >=, 1);
    g_assert_cmpuint(r[2], <=, 12);
    g_assert_cmpuint(r[3], >=, 1);
    g_assert_cmpuint(r[3], <=, 31);
    g_assert_cmpuint(r[4], <=, 23);
    g_assert_cmpuint(r[5], <=, 59);
    g_assert_cmpuint(r[6], <=, 60);
    g_assert_cmpuint(r[7], <, 1000000000u);
    /* It is the host's UTC time: between our two readings (1 s slack). */
    g_autoptr(GDateTime) rtas = g_date_time_new_utc((int)r[1], (int)r[2], (int)r[3],
                                                    (int)r[4], (int)r[5], (double)r[6]);
    g_assert_nonnull(rtas);
    if (rtas) {
        gint64 t = g_date_time_to_unix(rtas);
        g_assert_cmpint(t, >=, g_date_time_to_unix(before) - 1);
        g_assert_cmpint(t, <=, g_date_time_to_unix(after) + 1);
    }
    qtest_quit(qts);
}

/* ---- power-off, system-reboot, ibm,os-term ---- */

/* Stage power-off's arguments and send the bare command; the reply may
 * be lost if the VMM exits first (NULL). */
static char *send_power_off(QTestState *qts)
{
    qtest_writel(qts, QTEST_RTAS_SCRATCH, 0xFFFFFFFF);
    qtest_writel(qts, QTEST_RTAS_SCRATCH + 4, 0xFFFFFFFF);
    return qtest_cmd_try(qts, "rtas power-off 2 0x%" PRIx64 " 1 0x%" PRIx64,
                         QTEST_RTAS_SCRATCH, QTEST_RTAS_SCRATCH + 8);
}

/* power-off ends the machine: the run state reads "shutdown" for as long
 * as the process is still there, and it exits with status 0. */
static void test_power_off_shuts_down(void)
{
    QTestState *qts = qtest_init(NULL);
    g_autofree char *reply = send_power_off(qts);

    if (reply) {
        g_assert_cmpstr(reply, ==, "OK 0");
        g_autofree char *state = qtest_cmd_try(qts, "machine-state");
        if (state) {
            g_assert_cmpstr(state, ==, "OK shutdown");
        }
    }
    int status = qtest_wait_exit(qts, QTEST_QUIT_TIMEOUT_MS);
    g_test_message("VMM wait status after power-off: 0x%x", status);
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    qtest_quit(qts);
}

/*
 * Every protocol line gets its reply, the one that powers the machine off
 * included (QEMU answers it before its main loop quits). Repeated, since
 * losing it is a race.
 */
static void test_power_off_answers_before_exiting(void)
{
    int lost = 0;

    for (int i = 0; i < 20; i++) {
        QTestState *qts = qtest_init(NULL);
        g_autofree char *reply = send_power_off(qts);
        if (!reply) {
            lost++;
        } else {
            g_assert_cmpstr(reply, ==, "OK 0");
        }
        qtest_wait_exit(qts, QTEST_QUIT_TIMEOUT_MS);
        qtest_quit(qts);
    }
    g_test_message("power-off replies lost: %d of 20", lost);
    g_assert_cmpint(lost, ==, 0);
}

/* system-reboot resets the machine (asynchronously, in the main loop):
 * the FWNMI registration and the vCPU registers are back to power-on. */
static void test_system_reboot_resets_machine(void)
{
    QTestState *qts = qtest_init(NULL);
    uint32_t reg[2] = { 0x3000, 0x3100 };
    QTestFwnmi f;

    g_assert_cmpint((int32_t)rtas1(qts, -1, "ibm,nmi-register", 2, reg), ==, 0);
    qtest_cpu_set(qts, 0, "r5", 0x1234);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "system-reboot", 0, NULL), ==, 0);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    for (;;) {
        qtest_fwnmi(qts, &f);
        if (f.mce == UNREGISTERED || !qtest_alive(qts) ||
            g_get_monotonic_time() > deadline) {
            break;
        }
        g_usleep(1000);
    }
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    g_assert_cmphex(f.sreset, ==, UNREGISTERED);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "r5"), ==, 0);
    assert_state(qts, "running");
    qtest_quit(qts);
}

static void test_os_term_panics_guest(void)
{
    QTestState *qts = qtest_init(NULL);
    const char msg[] = "rtas-test says goodbye";
    uint32_t args[1] = { (uint32_t)STRING_ADDR };

    qtest_memwrite(qts, STRING_ADDR, msg, sizeof(msg));
    g_assert_cmpint((int32_t)rtas1(qts, -1, "ibm,os-term", 1, args), ==, RTAS_SUCCESS);
    assert_state(qts, "guest-panicked");
    /* The VMM stays up for inspection while qtest is attached. */
    g_assert_cmphex(qtest_readb(qts, STRING_ADDR), ==, 'r');
    qtest_quit(qts);
}

/* ---- CPUs ---- */

/* As QEMU, also under qtest: only the boot vCPU runs until start-cpu, and
 * a machine reset stops the others again. */
static void test_query_cpu_stopped_state_boot_vcpu_only(void)
{
    QTestState *qts = qtest_init("-smp 4");

    assert_cpu_state(qts, 0, 2);
    for (uint32_t cpu = 1; cpu < 4; cpu++) {
        assert_cpu_state(qts, cpu, 0);
    }
    qtest_start_cpus(qts);
    for (uint32_t cpu = 0; cpu < 4; cpu++) {
        assert_cpu_state(qts, cpu, 2);
    }
    qtest_system_reset(qts);
    assert_cpu_state(qts, 0, 2);
    assert_cpu_state(qts, 3, 0);
    qtest_quit(qts);
}

static void test_query_cpu_stopped_state_rejects_unknown_cpu(void)
{
    QTestState *qts = qtest_init("-smp 4");
    uint32_t status;

    cpu_stopped_state(qts, 4, &status);
    g_assert_cmpint((int32_t)status, ==, (int32_t)RTAS_PARAM_ERROR);
    cpu_stopped_state(qts, 0xFFFFFFFF, &status);
    g_assert_cmpint((int32_t)status, ==, (int32_t)RTAS_PARAM_ERROR);
    qtest_quit(qts);
}

static void test_stop_self_stops_calling_vcpu(void)
{
    QTestState *qts = qtest_init_running("-smp 2");

    g_assert_cmpint((int32_t)rtas1(qts, 1, "stop-self", 0, NULL), ==, RTAS_SUCCESS);
    assert_cpu_state(qts, 1, 0);
    assert_cpu_state(qts, 0, 2);
    qtest_quit(qts);
}

/* The plain "rtas" command acts as vCPU 0. */
static void test_stop_self_plain_rtas_is_vcpu0(void)
{
    QTestState *qts = qtest_init_running("-smp 2");

    g_assert_cmpint((int32_t)rtas1(qts, -1, "stop-self", 0, NULL), ==, RTAS_SUCCESS);
    assert_cpu_state(qts, 0, 0);
    assert_cpu_state(qts, 1, 2);
    qtest_quit(qts);
}

/* start-cpu: the vCPU runs again, at the given address, with R3 = the
 * given value, big-endian real mode (MSR = SF | ME). */
static void test_start_cpu_starts_stopped_vcpu(void)
{
    QTestState *qts = qtest_init("-smp 2");
    uint32_t args[3] = { 1, 0x4000, 0x12345678 };

    g_assert_cmpint((int32_t)rtas1(qts, 1, "stop-self", 0, NULL), ==, RTAS_SUCCESS);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "start-cpu", 3, args), ==, RTAS_SUCCESS);
    assert_cpu_state(qts, 1, 2);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, 0x4000);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "r3"), ==, 0x12345678);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "msr"), ==, MSR_SF | MSR_ME);
    qtest_quit(qts);
}

/* A running vCPU (the boot one, or one started already): start-cpu has
 * nothing to start and must leave the vCPU alone. */
static void test_start_cpu_rejects_running_vcpu(void)
{
    QTestState *qts = qtest_init_running("-smp 2");
    uint32_t args[3] = { 1, 0x4000, 0x1 };

    qtest_cpu_set(qts, 1, "nip", 0x8888);
    uint32_t status = rtas1(qts, -1, "start-cpu", 3, args);
    g_assert_cmpint((int32_t)status, ==, (int32_t)RTAS_HW_ERROR);
    g_assert_cmphex(qtest_cpu_get(qts, 1, "nip"), ==, 0x8888);
    assert_cpu_state(qts, 1, 2);
    uint32_t boot[3] = { 0, 0x4000, 0x1 };
    g_assert_cmpint((int32_t)rtas1(qts, -1, "start-cpu", 3, boot), ==, (int32_t)RTAS_HW_ERROR);
    qtest_quit(qts);
}

static void test_start_cpu_rejects_bad_arguments(void)
{
    QTestState *qts = qtest_init("-smp 2 -m 256M");
    uint32_t no_cpu[3] = { 2, 0x4000, 0 };
    uint32_t no_ram[3] = { 1, 256u << 20, 0 };

    g_assert_cmpint((int32_t)rtas1(qts, 1, "stop-self", 0, NULL), ==, RTAS_SUCCESS);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "start-cpu", 3, no_cpu), ==,
                    (int32_t)RTAS_PARAM_ERROR);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "start-cpu", 3, no_ram), ==,
                    (int32_t)RTAS_PARAM_ERROR);
    assert_cpu_state(qts, 1, 0);
    qtest_quit(qts);
}

/* ---- event-scan, check-exception ---- */

static void assert_event_buffer_untouched(QTestState *qts)
{
    g_autofree uint8_t *buf = g_malloc(EVENT_BUF_LEN);
    qtest_memread(qts, EVENT_BUF, buf, EVENT_BUF_LEN);
    for (uint32_t i = 0; i < EVENT_BUF_LEN; i++) {
        if (buf[i] != 0x5A) {
            g_assert_cmphex(buf[i], ==, 0x5A);
            break;
        }
    }
}

static void test_event_scan_answers_no_errors(void)
{
    QTestState *qts = qtest_init(NULL);
    uint32_t args[4] = { 0xFFFFFFFF, 0, (uint32_t)EVENT_BUF, EVENT_BUF_LEN };

    qtest_memset(qts, EVENT_BUF, 0x5A, EVENT_BUF_LEN);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "event-scan", 4, args), ==, RTAS_NO_ERRORS);
    assert_event_buffer_untouched(qts);
    qtest_quit(qts);
}

/* check-exception takes 6 arguments, or 7 with extended information. */
static void test_check_exception_answers_no_errors(void)
{
    QTestState *qts = qtest_init(NULL);
    uint32_t args[7] = { 0x500, 0, 0xFFFFFFFF, 0, (uint32_t)EVENT_BUF,
                         EVENT_BUF_LEN, 0 };

    qtest_memset(qts, EVENT_BUF, 0x5A, EVENT_BUF_LEN);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "check-exception", 6, args), ==,
                    RTAS_NO_ERRORS);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "check-exception", 7, args), ==,
                    RTAS_NO_ERRORS);
    assert_event_buffer_untouched(qts);
    qtest_quit(qts);
}

static void test_event_scan_rejects_buffer_outside_ram(void)
{
    QTestState *qts = qtest_init("-m 256M");
    uint32_t scan[4] = { 0xFFFFFFFF, 0, (256u << 20) - 1024, 2048 };
    uint32_t check[6] = { 0x200, 0, 0xFFFFFFFF, 0, 0xFFFFF000, 2048 };

    g_assert_cmpint((int32_t)rtas1(qts, -1, "event-scan", 4, scan), ==,
                    (int32_t)RTAS_PARAM_ERROR);
    g_assert_cmpint((int32_t)rtas1(qts, -1, "check-exception", 6, check), ==,
                    (int32_t)RTAS_PARAM_ERROR);
    qtest_quit(qts);
}

/* ---- argument checking ---- */

typedef struct CallShape {
    const char *name;
    uint32_t nargs, nret;
    uint32_t bad_nargs;         /* a count the call must refuse */
} CallShape;

static const CallShape call_shapes[] = {
    { "display-character", 1, 1, 2 },
    { "get-time-of-day", 0, 8, 1 },
    { "power-off", 2, 1, 1 },
    { "system-reboot", 0, 1, 1 },
    { "ibm,os-term", 1, 1, 0 },
    { "query-cpu-stopped-state", 1, 2, 0 },
    { "start-cpu", 3, 1, 2 },
    { "stop-self", 0, 1, 1 },
    { "event-scan", 4, 1, 3 },
    { "check-exception", 6, 1, 8 },     /* 7 is valid too */
    { "ibm,nmi-register", 2, 1, 3 },
    { "ibm,nmi-interlock", 0, 1, 1 },
};

/*
 * A call with the wrong number of argument or return cells answers -3 in
 * rets[0] and does nothing: no shutdown, reset, panic or stopped vCPU,
 * no FWNMI registration.
 */
static void assert_refused_and_harmless(QTestState *qts, const CallShape *c,
                                        uint32_t nargs, uint32_t nret)
{
    uint32_t args[16] = { 0, 0x3000, 0x3100 }, rets[16];
    QTestFwnmi f;

    g_test_message("%s with nargs %u nret %u", c->name, nargs, nret);
    qtest_memwrite(qts, STRING_ADDR, "x", 2);
    g_assert_cmpint(qtest_rtas_call(qts, c->name, nargs, args, nret, rets), ==, 0);
    g_assert_cmpint((int32_t)rets[0], ==, (int32_t)RTAS_PARAM_ERROR);
    assert_state(qts, "running");
    assert_cpu_state(qts, 0, 2);
    qtest_fwnmi(qts, &f);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
}

static void test_call_rejects_wrong_nargs(const void *data)
{
    const CallShape *c = data;
    QTestState *qts = qtest_init(NULL);

    assert_refused_and_harmless(qts, c, c->bad_nargs, c->nret);
    qtest_quit(qts);
}

static void test_call_rejects_wrong_nret(const void *data)
{
    const CallShape *c = data;
    QTestState *qts = qtest_init(NULL);

    assert_refused_and_harmless(qts, c, c->nargs, c->nret + 1);
    qtest_quit(qts);
}

/* An argument block that is not entirely guest RAM is refused at the
 * hypercall level (H_PARAMETER, -4): the call does not run and no return
 * cell is written. power-off is used so that running it would show. */
static void test_args_outside_ram_answer_minus4(void)
{
    QTestState *qts = qtest_init("-m 256M");
    const uint64_t end = 256ULL << 20;
    const uint64_t rets = QTEST_RTAS_SCRATCH + 0x40;
    const uint64_t bad_args[] = { end - 4, end, 0xFFFFFFFFFFFFFFFCULL };

    for (size_t i = 0; i < G_N_ELEMENTS(bad_args); i++) {
        qtest_writel(qts, rets, FILL);
        g_test_message("args at 0x%" PRIx64, bad_args[i]);
        g_assert_cmpint(qtest_rtas_call_at(qts, -1, "power-off", 2, bad_args[i], 1,
                                           rets), ==, -4);
        g_assert_cmphex(qtest_readl(qts, rets), ==, FILL);
        assert_state(qts, "running");
    }
    qtest_quit(qts);
}

/* Return cells outside RAM: refused before the call runs (the
 * registration it would have made is not there). */
static void test_rets_outside_ram_answer_minus4(void)
{
    QTestState *qts = qtest_init("-m 256M");
    const uint64_t end = 256ULL << 20;
    QTestFwnmi f;

    qtest_writel(qts, QTEST_RTAS_SCRATCH, 0x3000);
    qtest_writel(qts, QTEST_RTAS_SCRATCH + 4, 0x3100);
    g_assert_cmpint(qtest_rtas_call_at(qts, -1, "ibm,nmi-register", 2,
                                       QTEST_RTAS_SCRATCH, 1, end - 2), ==, -4);
    qtest_fwnmi(qts, &f);
    g_assert_cmphex(f.mce, ==, UNREGISTERED);
    g_assert_cmphex(f.sreset, ==, UNREGISTERED);
    qtest_quit(qts);
}

static void test_unknown_call_fails(void)
{
    QTestState *qts = qtest_init(NULL);
    g_autofree char *reply = qtest_cmd_raw(qts, "rtas ibm,no-such-call 0 0x%" PRIx64
                                           " 1 0x%" PRIx64, QTEST_RTAS_SCRATCH,
                                           QTEST_RTAS_SCRATCH);
    g_autofree char *reply_cpu = qtest_cmd_raw(qts, "rtas-cpu 0 nmi-register 0 0x%"
                                               PRIx64 " 1 0x%" PRIx64,
                                               QTEST_RTAS_SCRATCH, QTEST_RTAS_SCRATCH);

    g_assert_nonnull(reply);
    g_assert_true(reply && g_str_has_prefix(reply, "FAIL"));
    g_assert_true(reply_cpu && g_str_has_prefix(reply_cpu, "FAIL"));
    /* still serving */
    g_assert_cmpint((int32_t)rtas1(qts, -1, "stop-self", 1, (uint32_t[]){ 0 }), ==,
                    (int32_t)RTAS_PARAM_ERROR);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    g_test_add_func("/rtas/display-character/writes-console",
                    test_display_character_writes_console);
    g_test_add_func("/rtas/get-time-of-day/answers-host-utc-time",
                    test_get_time_of_day_answers_host_utc);
    g_test_add_func("/rtas/power-off/shuts-down", test_power_off_shuts_down);
    g_test_add_func("/rtas/power-off/answers-before-exiting",
                    test_power_off_answers_before_exiting);
    g_test_add_func("/rtas/system-reboot/resets-machine",
                    test_system_reboot_resets_machine);
    g_test_add_func("/rtas/ibm,os-term/panics-guest", test_os_term_panics_guest);
    g_test_add_func("/rtas/query-cpu-stopped-state/boot-vcpu-only-until-start-cpu",
                    test_query_cpu_stopped_state_boot_vcpu_only);
    g_test_add_func("/rtas/query-cpu-stopped-state/rejects-unknown-cpu",
                    test_query_cpu_stopped_state_rejects_unknown_cpu);
    g_test_add_func("/rtas/stop-self/stops-calling-vcpu", test_stop_self_stops_calling_vcpu);
    g_test_add_func("/rtas/stop-self/plain-rtas-command-is-vcpu-0",
                    test_stop_self_plain_rtas_is_vcpu0);
    g_test_add_func("/rtas/start-cpu/starts-stopped-vcpu",
                    test_start_cpu_starts_stopped_vcpu);
    g_test_add_func("/rtas/start-cpu/rejects-running-vcpu",
                    test_start_cpu_rejects_running_vcpu);
    g_test_add_func("/rtas/start-cpu/rejects-unknown-cpu-and-address-outside-ram",
                    test_start_cpu_rejects_bad_arguments);
    g_test_add_func("/rtas/event-scan/answers-no-errors", test_event_scan_answers_no_errors);
    g_test_add_func("/rtas/check-exception/answers-no-errors",
                    test_check_exception_answers_no_errors);
    g_test_add_func("/rtas/event-scan/rejects-buffer-outside-ram",
                    test_event_scan_rejects_buffer_outside_ram);
    for (size_t i = 0; i < G_N_ELEMENTS(call_shapes); i++) {
        g_autofree char *a = g_strdup_printf("/rtas/%s/rejects-wrong-nargs",
                                             call_shapes[i].name);
        g_autofree char *r = g_strdup_printf("/rtas/%s/rejects-wrong-nret",
                                             call_shapes[i].name);
        g_test_add_data_func(a, &call_shapes[i], test_call_rejects_wrong_nargs);
        g_test_add_data_func(r, &call_shapes[i], test_call_rejects_wrong_nret);
    }
    g_test_add_func("/rtas/dispatch/args-outside-ram-answer-minus-4-and-write-nothing",
                    test_args_outside_ram_answer_minus4);
    g_test_add_func("/rtas/dispatch/rets-outside-ram-answer-minus-4-and-do-nothing",
                    test_rets_outside_ram_answer_minus4);
    g_test_add_func("/rtas/dispatch/unknown-call-fails", test_unknown_call_fails);
    return g_test_run();
}
