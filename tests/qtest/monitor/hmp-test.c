/*
 * HMP tests: qemu-system-ppc64 -M pseries -accel qtest
 * -qtest unix:PATH,server=on -monitor stdio; HMP is driven over the
 * VMM's stdio, qtest (RTAS calls, registers) over the socket.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "monitor-util.h"

#define PROMPT "(qemu) "
#define SRESET_HANDLER 0x1000
#define MCE_HANDLER    0x2000

typedef struct Fixture {
    TestVM *vm;
    TestSock *qtest;
} Fixture;

static void fixture_start(Fixture *f, const char *extra)
{
    f->vm = test_vm_new();
    const char *qtest_path = test_vm_path(f->vm, "qtest.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest unix:%s,server=on -monitor stdio -display none %s",
        qtest_path, extra ? extra : "");
    test_vm_spawn(f->vm, args);
    g_autofree char *banner = test_vm_read_until(f->vm, PROMPT);
    g_assert_cmpstr(banner, ==, "QEMU 0.1.0 monitor - type 'help' for more information\n");
    f->qtest = test_sock_connect(qtest_path);
    /* As QEMU, only the boot vCPU runs until RTAS start-cpu. */
    for (int cpu = 1;; cpu++) {
        g_free(qtest_sock(f->qtest, "writel 0xf00000 %d", cpu));
        g_free(qtest_sock(f->qtest, "writeq 0xf00004 0"));
        g_free(qtest_sock(f->qtest, "rtas start-cpu 3 0xf00000 1 0xf0000c"));
        g_autofree char *ret = qtest_sock(f->qtest, "readl 0xf0000c");
        if (strcmp(ret, "OK 0x0000000000000000") != 0) {
            break;
        }
    }
}

static char *hmp(Fixture *f, const char *cmd)
{
    g_autofree char *line = g_strconcat(cmd, "\n", NULL);
    test_vm_write(f->vm, line);
    return test_vm_read_until(f->vm, PROMPT);
}

static void hmp_expect(Fixture *f, const char *cmd, const char *expected)
{
    g_autofree char *out = hmp(f, cmd);
    g_assert_cmpstr(out, ==, expected);
}

static void fixture_quit(Fixture *f)
{
    test_vm_write(f->vm, "quit\n");
    g_assert_cmpint(test_vm_wait_exit(f->vm), ==, 0);
    test_sock_close(f->qtest);
    test_vm_free(f->vm);
}

static uint64_t reg(Fixture *f, int cpu, const char *name)
{
    return qtest_reg(qtest_fn_sock, f->qtest, cpu, name);
}

static void test_status_stop_cont(void)
{
    Fixture f;
    fixture_start(&f, NULL);

    hmp_expect(&f, "info status", "VM status: running\n");
    hmp_expect(&f, "stop", "");
    hmp_expect(&f, "info status", "VM status: paused\n");
    g_autofree char *state = qtest_sock(f.qtest, "machine-state");
    g_assert_cmpstr(state, ==, "OK paused");
    hmp_expect(&f, "c", "");
    hmp_expect(&f, "info status", "VM status: running\n");
    /* Blank lines and extra blanks. */
    hmp_expect(&f, "", "");
    hmp_expect(&f, "   info    status  ", "VM status: running\n");
    fixture_quit(&f);
}

static void test_prelaunch(void)
{
    Fixture f;
    fixture_start(&f, "-S");
    hmp_expect(&f, "info status", "VM status: paused (prelaunch)\n");
    hmp_expect(&f, "cont", "");
    hmp_expect(&f, "info status", "VM status: running\n");
    fixture_quit(&f);
}

static void test_help_and_errors(void)
{
    Fixture f;
    fixture_start(&f, NULL);

    g_autofree char *help = hmp(&f, "help");
    static const char *const cmds[] = {
        "\nnmi", "\nmce CPU SRR1 DSISR DAR RECOVERED", "\ninfo", "\nsystem_reset", "\nstop",
        "\ncont", "\nquit",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        g_assert_nonnull(strstr(help, cmds[i]));
    }
    g_autofree char *info = hmp(&f, "info");
    g_assert_nonnull(strstr(info, "info status"));
    g_assert_nonnull(strstr(info, "info registers"));
    g_assert_nonnull(strstr(info, "info fwnmi"));
    g_autofree char *help_mce = hmp(&f, "help mce");
    g_assert_true(g_str_has_prefix(help_mce, "mce CPU SRR1 DSISR DAR RECOVERED -- "));

    hmp_expect(&f, "frobnicate", "unknown command: 'frobnicate'\n");
    hmp_expect(&f, "info nothing", "unknown command: 'info nothing'\n");
    hmp_expect(&f, "mce 0", "Error: usage: mce CPU SRR1 DSISR DAR RECOVERED\n");
    hmp_expect(&f, "mce 7 0 0 0 1", "Error: invalid CPU '7' (0..0)\n");
    hmp_expect(&f, "mce 0 zz 0 0 1", "Error: invalid SRR1 'zz'\n");
    hmp_expect(&f, "mce 0 0 0x100000000 0 1", "Error: invalid DSISR '0x100000000' (32 bits)\n");
    hmp_expect(&f, "mce 0 0 0 0 maybe", "Error: invalid RECOVERED 'maybe' (0 or 1)\n");
    hmp_expect(&f, "stop now", "Error: usage: stop\n");
    hmp_expect(&f, "info registers 3", "Error: invalid CPU '3' (0..0)\n");
    /* Still serving. */
    hmp_expect(&f, "info status", "VM status: running\n");
    fixture_quit(&f);
}

static void test_info_registers(void)
{
    Fixture f;
    fixture_start(&f, "-smp 2");

    g_free(qtest_sock(f.qtest, "cpu-set 0 nip 0x1234"));
    g_free(qtest_sock(f.qtest, "cpu-set 1 r31 0xfeedface"));
    g_free(qtest_sock(f.qtest, "cpu-set 1 dsisr 0x8000"));
    g_autofree char *r0 = hmp(&f, "info registers");
    g_assert_true(g_str_has_prefix(r0, "NIP 0000000000001234 "));
    g_assert_nonnull(strstr(r0, " CPU#0\n"));
    g_assert_nonnull(strstr(r0, "\nGPR00 "));
    g_assert_nonnull(strstr(r0, "\nGPR28 "));
    g_assert_nonnull(strstr(r0, "\nMSR 8000000000001000 "));

    g_autofree char *r1 = hmp(&f, "info registers 1");
    g_assert_nonnull(strstr(r1, " CPU#1\n"));
    g_assert_nonnull(strstr(r1, " 00000000feedface\n"));
    g_assert_nonnull(strstr(r1, "DSISR 00008000"));

    g_autofree char *all = hmp(&f, "info registers -a");
    g_assert_nonnull(strstr(all, " CPU#0\n"));
    g_assert_nonnull(strstr(all, " CPU#1\n"));

    g_autofree char *cpus = hmp(&f, "info cpus");
    g_assert_cmpstr(cpus, ==, "* CPU #0: thread_id=0\n  CPU #1: thread_id=0\n");
    fixture_quit(&f);
}

static void test_mce_and_fwnmi(void)
{
    Fixture f;
    fixture_start(&f, "-smp 2");

    g_autofree char *before = hmp(&f, "info fwnmi");
    g_assert_nonnull(strstr(before, "FWNMI: enabled"));
    g_assert_nonnull(strstr(before, "machine check handler: not registered\n"));
    g_assert_nonnull(strstr(before, "interlock: free\n"));

    /* Not registered: architected delivery. */
    g_free(qtest_sock(f.qtest, "cpu-set 1 nip 0x7000"));
    hmp_expect(&f, "mce 1 0x200000 0x8000 0x4000 1", "Machine check on CPU 1: legacy\n");
    g_assert_cmpuint(reg(&f, 1, "nip"), ==, 0x200);
    g_assert_cmpuint(reg(&f, 1, "srr0"), ==, 0x7000);
    g_assert_cmpuint(reg(&f, 1, "dar"), ==, 0x4000);

    g_assert_cmpint(qtest_nmi_register(qtest_fn_sock, f.qtest, SRESET_HANDLER, MCE_HANDLER),
                    ==, 0);
    g_autofree char *reg_out = hmp(&f, "info fwnmi");
    g_assert_nonnull(strstr(reg_out, "system reset handler: 0x1000\n"));
    g_assert_nonnull(strstr(reg_out, "machine check handler: 0x2000\n"));

    hmp_expect(&f, "mce 0 0x200000 0x8000 0x4000 on", "Machine check on CPU 0: delivered\n");
    g_assert_cmpuint(reg(&f, 0, "nip"), ==, MCE_HANDLER);
    hmp_expect(&f, "mce 1 0x40000 0 0 1", "Machine check on CPU 1: queued\n");
    hmp_expect(&f, "mce 0 0x40000 0 0 1", "Machine check on CPU 0: ignored\n");
    g_autofree char *held = hmp(&f, "info fwnmi");
    g_assert_nonnull(strstr(held, "interlock: held by CPU 0\n"));
    /* legacy, delivered, nested-ignored recorded; the queued one not yet */
    g_assert_nonnull(strstr(held, "journal: (memory only), boot 1, 3 records, 0 write errors\n"));
    g_assert_nonnull(strstr(held, "pending: 1\n"));
    g_assert_nonnull(strstr(held, "delivered 1 legacy 1 queued 1 nested 1 interlocks 0 "
                                  "sresets 0"));

    /* NMI through the registered system-reset handler on both vCPUs. */
    hmp_expect(&f, "nmi", "");
    g_assert_cmpuint(reg(&f, 0, "nip"), ==, SRESET_HANDLER);
    g_assert_cmpuint(reg(&f, 1, "nip"), ==, SRESET_HANDLER);
    g_autofree char *after = hmp(&f, "info fwnmi");
    g_assert_nonnull(strstr(after, " sresets 2 "));

    /* Not recovered on the holder: the guest panics and must be reset. */
    hmp_expect(&f, "mce 0 0x200000 0x8000 0 0", "Machine check on CPU 0: panicked\n");
    hmp_expect(&f, "info status", "VM status: paused (guest-panicked)\n");
    hmp_expect(&f, "cont", "Error: Resetting the Virtual Machine is required\n");
    hmp_expect(&f, "system_reset", "");
    hmp_expect(&f, "info status", "VM status: running\n");
    g_autofree char *reset = hmp(&f, "info fwnmi");
    g_assert_nonnull(strstr(reset, "machine check handler: not registered\n"));
    g_assert_nonnull(strstr(reset, "pending: none\n"));
    fixture_quit(&f);
}

static void test_eof(void)
{
    Fixture f;
    fixture_start(&f, NULL);

    /* End of HMP input: the machine goes on (qtest still answers). */
    hmp_expect(&f, "info status", "VM status: running\n");
    close(f.vm->in_fd);
    f.vm->in_fd = -1;
    g_usleep(100 * 1000);
    g_autofree char *state = qtest_sock(f.qtest, "machine-state");
    g_assert_cmpstr(state, ==, "OK running");
    /* Closing the qtest connection does not end it either (server socket):
     * kill it. */
    test_sock_close(f.qtest);
    kill(f.vm->pid, SIGTERM);
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);     /* orderly, as QEMU */
    test_vm_free(f.vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/hmp/status-stop-cont", test_status_stop_cont);
    g_test_add_func("/monitor/hmp/prelaunch", test_prelaunch);
    g_test_add_func("/monitor/hmp/help-and-errors", test_help_and_errors);
    g_test_add_func("/monitor/hmp/info-registers", test_info_registers);
    g_test_add_func("/monitor/hmp/mce-and-fwnmi", test_mce_and_fwnmi);
    g_test_add_func("/monitor/hmp/eof", test_eof);
    return g_test_run();
}
