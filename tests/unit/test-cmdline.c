/*
 * Command-line parsing: accepted forms fill VMOptions exactly; every
 * malformed option is rejected with a one-line message naming it.
 */
#include <glib.h>
#include <string.h>

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

static void test_accepts_qemu_forms(void)
{
    VMOptions o;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(parse(&o, &err, "-M", "pseries,cap-fwnmi=off", "-smp", "4", "-m", "1G",
                          "-accel", "qtest", "-qtest", "unix:/tmp/x.sock,server=on",
                          "-display", "none", "-nodefaults", "-S", "-name", "vm1", NULL), ==, 0);
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
    vm_options_free(&o);
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
        { "-M", "pseries,cap-fwnmi=maybe", "-machine cap-fwnmi=maybe: Parameter 'cap-fwnmi' expects 'on' or 'off'" },
        { "-M", "pseries,cap-htm=on", "-machine cap-htm: Property 'pseries.cap-htm' not found" },
        { "-M", "virt", "-machine virt: unsupported machine type 'virt' (use -machine help)" },
        { "-accel", "kvm", "-accel kvm: unsupported accelerator (supported: tcg, qtest)" },
        { "-display", "gtk", "-display gtk: only 'none' is supported" },
        { "-bogus", NULL, "-bogus: invalid option" },
        { "-m", NULL, "-m: requires an argument" },
        { "-initrd", "initrd.img", "-initrd only allowed with -kernel option" },
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/accepts-qemu-forms", test_accepts_qemu_forms);
    g_test_add_func("/cmdline/defaults", test_defaults);
    g_test_add_func("/cmdline/ram-sizes", test_ram_sizes);
    g_test_add_func("/cmdline/rejects-bad-input-one-line", test_rejects_bad_input_one_line);
    return g_test_run();
}
