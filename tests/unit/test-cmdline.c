/*
 * Command-line parsing: accepted forms fill VMOptions exactly; every
 * malformed option is rejected with a one-line message naming it.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "system/options.h"

static int parse(VMOptions *o, GError **err, ...)
{
    const char *argv[32] = { "qemu-system-ppc64" };
    int argc = 1;
    va_list ap;
    va_start(ap, err);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        argv[argc++] = a;
    }
    va_end(ap);
    return vm_options_parse(argc, (char **)argv, o, err);
}

/*
 * Options such as "-accel help" print to stdout, which is the TAP stream
 * here: run them with stdout sent to a file and return what they printed.
 */
static int parse_capturing(VMOptions *o, GError **err, const char *opt,
                           const char *arg, char **printed)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("test-cmdline-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    int ret = parse(o, err, opt, arg, NULL);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fd);
    g_assert_true(g_file_get_contents(path, printed, NULL, NULL));
    g_unlink(path);
    return ret;
}

static void test_accepts_qemu_forms(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "-M", "pseries,cap-fwnmi=off", "-smp", "4", "-m", "1G",
                          "-accel", "qtest", "-qtest", "unix:/tmp/x.sock,server=on",
                          "-display", "none", "-nodefaults", "-S", "-name", "vm1",
                          "-incoming", "defer", NULL), ==, 0);
    g_assert_no_error(err);
    g_assert_false(o.machine.caps.fwnmi);
    g_assert_cmpint(o.machine.smp_cpus, ==, 4);
    g_assert_cmpuint(o.machine.ram_size, ==, 1ULL << 30);
    g_assert_cmpint(o.accel, ==, VM_ACCEL_QTEST);
    g_assert_cmpint(o.qtest.kind, ==, CHAR_UNIX);
    g_assert_true(o.qtest.server);
    g_assert_cmpstr(o.qtest.path, ==, "/tmp/x.sock");
    g_assert_true(o.start_paused && o.nodefaults && o.display_none);
    g_assert_cmpstr(o.name, ==, "vm1");
    g_assert_cmpstr(o.incoming, ==, "defer");
    vm_options_free(&o);
}

static void test_action_panic(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "-M", "pseries", NULL), ==, 0);
    g_assert_cmpint(o.panic_action, ==, VM_PANIC_DEFAULT);
    vm_options_free(&o);
    g_assert_cmpint(parse(&o, &err, "-action", "panic=exit-failure", NULL), ==, 0);
    g_assert_cmpint(o.panic_action, ==, VM_PANIC_EXIT_FAILURE);
    vm_options_free(&o);
    g_assert_cmpint(parse(&o, &err, "-action", "panic=exit-failure", "-action", "panic=pause",
                          NULL), ==, 0);
    g_assert_cmpint(o.panic_action, ==, VM_PANIC_PAUSE);
    vm_options_free(&o);
}

/* x-vof is one property: what -machine sets is what QOM shows and the
 * machine boots with (caps.x_vof). */
static void test_x_vof(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "-M", "pseries,x-vof=on", NULL), ==, 0);
    g_assert_true(o.machine.caps.x_vof);
    vm_options_free(&o);
    g_assert_cmpint(parse(&o, &err, "-M", "pseries", NULL), ==, 0);
    g_assert_false(o.machine.caps.x_vof);
    vm_options_free(&o);
}

/* The three ways QEMU selects KVM. */
static void test_kvm_forms(void)
{
    static const char *const forms[][2] = {
        { "-accel", "kvm" }, { "-enable-kvm", NULL }, { "-M", "pseries,accel=kvm" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        VMOptions o;
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(parse(&o, &err, forms[i][0], forms[i][1], NULL), ==, 0);
        g_assert_no_error(err);
        g_assert_cmpint(o.accel, ==, VM_ACCEL_KVM);
        vm_options_free(&o);
    }
}

/* -accel tcg,x-jit=on|off: the block compiler, on unless turned off. */
static void test_jit_option(void)
{
    static const struct { const char *arg; bool no_jit; } cases[] = {
        { "tcg", false }, { "tcg,x-jit=off", true }, { "tcg,x-jit=on", false },
        { "accel=tcg,x-jit=off", true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VMOptions o;
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(parse(&o, &err, "-accel", cases[i].arg, NULL), ==, 0);
        g_assert_no_error(err);
        g_assert_cmpint(o.accel, ==, VM_ACCEL_TCG);
        g_assert_cmpint(o.tcg_no_jit, ==, cases[i].no_jit);
        vm_options_free(&o);
    }
}

static void test_defaults(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "--machine", "pseries", NULL), ==, 0);
    g_assert_true(o.machine.caps.fwnmi);          /* cap-fwnmi defaults on */
    g_assert_cmpint(o.machine.smp_cpus, ==, 1);
    g_assert_cmpuint(o.machine.ram_size, ==, 512ULL << 20);
    vm_options_free(&o);
}

static void test_ram_sizes(void)
{
    uint64_t b;
    g_assert_cmpint(parse_ram_size("512", &b), ==, 0);
    g_assert_cmpuint(b, ==, 512ULL << 20);
    g_assert_cmpint(parse_ram_size("2G", &b), ==, 0);
    g_assert_cmpuint(b, ==, 2ULL << 30);
    g_assert_cmpint(parse_ram_size("64MB", &b), ==, 0);
    g_assert_cmpuint(b, ==, 64ULL << 20);
    g_assert_cmpint(parse_ram_size("12Q", &b), ==, -EINVAL);
    g_assert_cmpint(parse_ram_size("G", &b), ==, -EINVAL);
    g_assert_cmpint(parse_ram_size("-1G", &b), ==, -EINVAL);
    g_assert_cmpint(parse_ram_size("99999999999999999999T", &b), ==, -EINVAL);
}

typedef struct BadCase {
    const char *opt, *arg, *expect;
} BadCase;

static void test_rejects_bad_input_one_line(void)
{
    static const BadCase cases[] = {
        { "-smp", "0", "-smp 0: CPU count must be between 1 and 64" },
        { "-smp", "65", "-smp 65: CPU count must be between 1 and 64" },
        { "-smp", "x", "-smp x: invalid CPU count" },
        { "-m", "12Q", "-m 12Q: invalid RAM size (use e.g. 512M or 2G)" },
        { "-m", "1M", "-m 1M: RAM size must be a multiple of 4 KiB and at least 16 MiB" },
        { "-M", "pseries,cap-fwnmi=maybe", "-machine pseries,cap-fwnmi=maybe: Parameter 'cap-fwnmi' expects 'on' or 'off'" },
        { "-M", "pseries,cap-foo=on", "-machine pseries,cap-foo=on: Property 'pseries-7.2-machine.cap-foo' not found" },
        { "-M", "pseries,cap-cfpc=foo", "-machine pseries,cap-cfpc=foo: Invalid capability mode \"foo\" for cap-cfpc" },
        { "-cpu", "power7", "unable to find CPU model 'power7'" },
        { "-cpu", "host", "unable to find CPU model 'host'" },
        { "-mon", "chardev=nope,mode=control", "-mon chardev=nope,mode=control: chardev \"nope\" not found" },
        { "-M", "virt", "-machine virt: unsupported machine type 'virt' (use -machine help)" },
        { "-accel", "hax", "-accel hax: unsupported accelerator (supported: tcg, qtest, kvm)" },
        { "-accel", "tcg,x-jit=maybe", "-accel tcg,x-jit=maybe: Parameter 'x-jit' expects 'on' or 'off'" },
        { "-accel", "kvm,x-jit=off", "-accel kvm,x-jit=off: Invalid parameter 'x-jit=off'" },
        { "-accel", "tcg,thread=multi", "-accel tcg,thread=multi: Invalid parameter 'thread=multi'" },
        { "-display", "gtk", "-display gtk: only 'none' is supported" },
        { "-bogus", NULL, "-bogus: invalid option" },
        { "-m", NULL, "-m: requires an argument" },
        { "-initrd", "initrd.img", "-initrd only allowed with -kernel option" },
        { "-incoming", "ftp:x", "-incoming ftp:x: expected defer, file:PATH, unix:PATH, "
          "tcp:HOST:PORT or exec:CMD" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VMOptions o;
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(parse(&o, &err, cases[i].opt, cases[i].arg, NULL), ==, -1);
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, cases[i].expect);
        g_assert_null(strchr(err->message, '\n'));
        vm_options_free(&o);
    }
}

/*
 * Every option of the table with an empty value, and the empty elements
 * of option lists: each is accepted as QEMU 7.2 accepts it, or rejected
 * with one line naming the option (never a crash: g_strsplit("") is an
 * empty vector).
 */
typedef struct EmptyCase {
    const char *opt, *arg;
    int ret;                    /* 0 accepted, 1 printed and exits, -1 error */
    const char *expect;         /* the error's start, for ret == -1 */
} EmptyCase;

static const EmptyCase empty_cases[] = {
    { "-M", "", 0, NULL },                          /* the default machine */
    { "-M", "pseries,", 0, NULL },
    { "-machine", "pseries,,cap-fwnmi=on", -1, "-machine pseries,,cap-fwnmi=on: Invalid parameter ''" },
    { "-M", ",pseries", -1, "-machine ,pseries: Invalid parameter ''" },
    { "-M", ",", -1, "-machine ,: Invalid parameter ''" },
    { "-M", "pseries,=on", -1, "-machine pseries,=on: Invalid parameter ''" },
    { "-M", "type=", -1, "-machine type=: unsupported machine type ''" },
    { "-M", "pseries,accel=", -1, "-machine pseries,accel=: Parameter 'accel' expects a value" },
    { "-M", "pseries,cap-fwnmi=", -1, "-machine pseries,cap-fwnmi=: Parameter 'cap-fwnmi' expects" },
    { "-m", "", 0, NULL },                          /* the default size */
    { "-m", "size=", -1, "-m size=: invalid RAM size" },
    { "-smp", "", 0, NULL },
    { "-smp", "2,", 0, NULL },
    { "-smp", "2,,", -1, "-smp 2,,: Invalid parameter ''" },
    { "-smp", "cpus=", -1, "-smp cpus=: invalid CPU count" },
    { "-accel", "", 1, NULL },                      /* lists the accelerators */
    { "-accel", "tcg,", 0, NULL },
    { "-kernel", "", -1, "-kernel : no file name given" },
    { "-append", "", -1, "-append only allowed with -kernel option" },
    { "-qtest", "", -1, "-qtest: '' is not a supported character device" },
    { "-qmp", "", -1, "-qmp: '' is not a supported character device" },
    { "-monitor", "", -1, "-monitor: '' is not a supported character device" },
    { "-serial", "", -1, "-serial: '' is not a supported character device" },
    { "-serial", "file:", -1, "-serial: 'file:' is not a supported character device" },
    { "-qmp", "unix:", -1, "-qmp: 'unix:' is not a supported character device" },
    { "-qmp", "unix:/tmp/q.sock,server=on,wait=off,", 0, NULL },
    { "-qmp", "unix:/tmp/q.sock,,server=on", -1, "-qmp: 'unix:/tmp/q.sock,,server=on': unsupported" },
    { "-serial", "stdio,", -1, "-serial: 'stdio,': unsupported character device option ''" },
    { "-display", "", -1, "-display : Parameter 'type' is missing" },
    { "-display", "none,", 0, NULL },
    { "-name", "", 0, NULL },
    { "-name", "guest=", 0, NULL },
    { "-d", "", -1, "-d : unknown log item" },
    { "-trace", "", 0, NULL },
    { "-action", "", 0, NULL },
    { "-action", "panic=exit-failure,", 0, NULL },
    { "-action", "panic=foo", -1, "-action panic=foo: Parameter 'panic' does not accept "
      "that value (pause or exit-failure)" },
    { "-action", "reboot=shutdown", -1, "-action reboot=shutdown: unsupported action (only "
      "panic=)" },
    /* found by tests/fuzz/fuzz-cmdline: a newline in a value */
    { "-M", "\n", -1, "-machine \\x0a: unsupported machine type '\\x0a'" },
    { "-smp", "1\n2", -1, "-smp 1\\x0a2: invalid CPU count" },
    /* found by tests/fuzz/fuzz-cmdline: empty elements of -mon/-chardev lists */
    { "-mon", ",MMM", -1, "-mon ,MMM: Invalid parameter ''" },
    { "-chardev", "socket,,id=c", -1, "-chardev socket,,id=c: Invalid parameter ''" },
};

static void test_empty_values(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(empty_cases); i++) {
        const EmptyCase *c = &empty_cases[i];
        VMOptions o;
        g_autoptr(GError) err = NULL;
        g_autofree char *printed = NULL;
        int ret = parse_capturing(&o, &err, c->opt, c->arg, &printed);
        g_test_message("%s '%s' -> %d %s", c->opt, c->arg, ret, err ? err->message : "");
        g_assert_cmpint(ret, ==, c->ret);
        if (c->ret < 0) {
            g_assert_nonnull(err);
            g_assert_true(g_str_has_prefix(err->message, c->expect));
            g_assert_null(strchr(err->message, '\n'));
        } else {
            g_assert_no_error(err);
        }
        if (c->ret == 1) {
            g_assert_cmpstr(printed, ==, "Accelerators supported in QEMU binary:\ntcg\nqtest\n");
        } else {
            g_assert_cmpstr(printed, ==, "");
        }
        vm_options_free(&o);
    }
}

/* The values the empty forms leave are the defaults. */
static void test_empty_values_keep_defaults(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "-M", "", "-m", "", "-smp", "", "-trace", "", NULL), ==, 0);
    g_assert_true(o.machine.caps.fwnmi);
    g_assert_cmpint(o.machine.smp_cpus, ==, 1);
    g_assert_cmpuint(o.machine.ram_size, ==, 512ULL << 20);
    vm_options_free(&o);
    g_assert_cmpint(parse(&o, &err, "-M", "cap-fwnmi=off,", "-smp", "3,", NULL), ==, 0);
    g_assert_false(o.machine.caps.fwnmi);
    g_assert_cmpint(o.machine.smp_cpus, ==, 3);
    vm_options_free(&o);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/accepts-qemu-forms", test_accepts_qemu_forms);
    g_test_add_func("/cmdline/defaults", test_defaults);
    g_test_add_func("/cmdline/action-panic", test_action_panic);
    g_test_add_func("/cmdline/kvm-forms", test_kvm_forms);
    g_test_add_func("/cmdline/jit-option", test_jit_option);
    g_test_add_func("/cmdline/x-vof", test_x_vof);
    g_test_add_func("/cmdline/ram-sizes", test_ram_sizes);
    g_test_add_func("/cmdline/rejects-bad-input-one-line", test_rejects_bad_input_one_line);
    g_test_add_func("/cmdline/empty-values/accepted-or-one-line-error", test_empty_values);
    g_test_add_func("/cmdline/empty-values/keep-defaults", test_empty_values_keep_defaults);
    return g_test_run();
}
