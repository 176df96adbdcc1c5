/*
 * Memory inspection from the monitors: QMP pmemsave/memsave write exactly
 * the guest bytes to a file; HMP xp/x print them in QEMU's format
 * (/[count][x|d|u|o|c][b|h|w|g], big-endian values, 16 bytes a line);
 * bad ranges, files and translation-on vCPUs fail with a clear message.
 * Memory is written over qtest (stdio), the monitors over QMP.
 */
#include <string.h>
#include <glib.h>

#include "qmp-fixture.h"

#define ADDR        0x100000ULL
#define RAM_END     (512ULL << 20)
#define MSR_SF_ME   0x8000000000001000ULL
#define MSR_DR      0x10ULL

static const uint8_t pattern[32] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 'H', 'i', '\n', 0x00, 0x7f, '\'', 0xff, 0xfe,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void start(Fixture *f)
{
    fixture_start(f, NULL, true);
    GString *hex = g_string_new(NULL);
    for (size_t i = 0; i < sizeof(pattern); i++) {
        g_string_append_printf(hex, "%02x", pattern[i]);
    }
    g_autofree char *line = g_strdup_printf("write 0x%llx %zu 0x%s",
                                            (unsigned long long)ADDR, sizeof(pattern), hex->str);
    g_string_free(hex, TRUE);
    g_autofree char *reply = qtest(f, line);
    g_assert_cmpstr(reply, ==, "OK");
}

/* The output of HMP @cmd run through human-monitor-command. */
static char *hmp(Fixture *f, const char *cmd)
{
    g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"human-monitor-command\", "
                                "\"arguments\": {\"command-line\": \"%s\"}}", cmd);
    return g_strdup(qmp_return_string(r));
}

static void hmp_expect(Fixture *f, const char *cmd, const char *expected)
{
    g_autofree char *out = hmp(f, cmd);
    g_test_message("'%s' -> '%s'", cmd, out);
    g_assert_cmpstr(out, ==, expected);
}

static void assert_file_is_pattern(const char *path, size_t len)
{
    g_autofree char *data = NULL;
    gsize n = 0;
    g_assert_true(g_file_get_contents(path, &data, &n, NULL));
    g_assert_cmpmem(data, n, pattern, len);
}

static void test_qmp_pmemsave_writes_guest_bytes(void)
{
    Fixture f;
    start(&f);
    const char *path = test_vm_path(f.vm, "pmem.bin");
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"pmemsave\", \"arguments\": "
                                "{\"val\": %llu, \"size\": 32, \"filename\": \"%s\"}}",
                                (unsigned long long)ADDR, path);
    qmp_return_object(r);
    assert_file_is_pattern(path, 32);
    fixture_stop(&f);
}

static void test_qmp_memsave_real_mode(void)
{
    Fixture f;
    start(&f);
    const char *path = test_vm_path(f.vm, "mem.bin");
    /* real mode ignores the top 4 address bits, as the vCPU does */
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"memsave\", \"arguments\": "
                                "{\"val\": %llu, \"size\": 20, \"filename\": \"%s\", "
                                "\"cpu-index\": 0}}",
                                (unsigned long long)(ADDR | 0xc000000000000000ULL) & 0x7fffffffffffffffULL,
                                path);
    qmp_return_object(r);
    assert_file_is_pattern(path, 20);
    fixture_stop(&f);
}

static void test_qmp_memsave_translation_on_fails(void)
{
    Fixture f;
    start(&f);
    g_autofree char *set = g_strdup_printf("cpu-set 0 msr 0x%llx",
                                           (unsigned long long)(MSR_SF_ME | MSR_DR));
    g_autofree char *ok = qtest(&f, set);
    g_assert_cmpstr(ok, ==, "OK");
    const char *path = test_vm_path(f.vm, "mem.bin");
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"memsave\", \"arguments\": "
                                "{\"val\": %llu, \"size\": 16, \"filename\": \"%s\"}}",
                                (unsigned long long)ADDR, path);
    const char *desc = qmp_assert_error(r, "GenericError");
    g_assert_nonnull(strstr(desc, "MSR[DR]=1"));
    /* xp still works, x names the problem */
    hmp_expect(&f, "xp /1xw 0x100000", "0000000000100000: 0x01234567\n");
    g_autofree char *x = hmp(&f, "x /1xw 0x100000");
    g_assert_true(g_str_has_prefix(x, "0000000000100000: CPU 0 has data translation on"));
    fixture_stop(&f);
}

typedef struct BadSave {
    const char *cmd;
    const char *args;
    const char *desc_prefix;
} BadSave;

static void test_qmp_save_rejects_bad_input(void)
{
    static const BadSave cases[] = {
        { "pmemsave", "\"val\": 536870896, \"size\": 32", "Invalid addr 0x000000001ffffff0/size 32" },
        { "pmemsave", "\"val\": -1, \"size\": 1", "Invalid addr 0xffffffffffffffff/size 1" },
        { "pmemsave", "\"val\": 0, \"size\": -1", "Invalid addr 0x0000000000000000/size 18446744073709551615" },
        { "memsave", "\"val\": 536870896, \"size\": 32", "Invalid addr 0x000000001ffffff0/size 32" },
        { "memsave", "\"val\": 0, \"size\": 1, \"cpu-index\": 5", "Parameter 'cpu-index' expects" },
    };
    Fixture f;
    start(&f);
    const char *path = test_vm_path(f.vm, "bad.bin");
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"%s\", \"arguments\": "
                                    "{%s, \"filename\": \"%s\"}}", cases[i].cmd,
                                    cases[i].args, path);
        const char *desc = qmp_assert_error(r, "GenericError");
        g_test_message("%s {%s} -> %s", cases[i].cmd, cases[i].args, desc);
        g_assert_true(g_str_has_prefix(desc, cases[i].desc_prefix));
    }
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"pmemsave\", \"arguments\": "
                                "{\"val\": 0, \"size\": 16, \"filename\": \"/nonexistent/dir/x\"}}");
    g_assert_true(g_str_has_prefix(qmp_assert_error(r, "GenericError"),
                                   "Could not open '/nonexistent/dir/x'"));
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"pmemsave\", \"arguments\": "
                                 "{\"val\": 0, \"size\": 16}}");
    qmp_assert_error(r2, "GenericError");
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

typedef struct DumpCase {
    const char *cmd, *expect;
} DumpCase;

static const DumpCase dumps[] = {
    { "xp 0x100000", "0000000000100000: 0x01234567\n" },
    { "xp /4x 0x100000",
      "0000000000100000: 0x01234567 0x89abcdef 0x48690a00 0x7f27fffe\n" },
    { "xp /5xw 0x100000",
      "0000000000100000: 0x01234567 0x89abcdef 0x48690a00 0x7f27fffe\n"
      "0000000000100010: 0x10111213\n" },
    { "xp /2xg 0x100000", "0000000000100000: 0x0123456789abcdef 0x48690a007f27fffe\n" },
    { "xp /10xb 0x100000",
      "0000000000100000: 0x01 0x23 0x45 0x67 0x89 0xab 0xcd 0xef\n"
      "0000000000100008: 0x48 0x69\n" },
    { "xp /3xh 0x100000", "0000000000100000: 0x0123 0x4567 0x89ab\n" },
    { "xp /2dh 0x10000e", "000000000010000e:    -2  4113\n" },
    { "xp /2uh 0x10000e", "000000000010000e: 65534  4113\n" },
    { "xp /1ow 0x100000", "0000000000100000:  0110642547\n" },
    { "xp /8c 0x100008", "0000000000100008: 'H' 'i' '\\n' '\\x00' '\\x7f' '\\'' '\\xff' '\\xfe'\n" },
    { "x /2xw 0x100000", "0000000000100000: 0x01234567 0x89abcdef\n" },
    { "xp /2xw 0x1ffffffc", "000000001ffffffc: Cannot access memory\n" },
    { "xp /5xw 0x1ffffff0", "000000001ffffff0: 0x00000000 0x00000000 0x00000000 0x00000000\n"
      "0000000020000000: Cannot access memory\n" },
    { "xp /2xw 0x20000000", "0000000020000000: Cannot access memory\n" },
    { "xp /4q 0x100000", "Error: invalid format '/4q' (/[count][x|d|u|o|c][b|h|w|g])\n" },
    { "xp /0x 0x100000", "Error: invalid format '/0x' (/[count][x|d|u|o|c][b|h|w|g])\n" },
    { "xp /x zzz", "Error: invalid address 'zzz'\n" },
    { "xp /100000xg 0", "Error: count 100000 too large (at most 65536 bytes)\n" },
    { "xp", "Error: usage: xp /fmt addr\n" },
};

static void test_hmp_xp_formats(void)
{
    Fixture f;
    start(&f);
    for (size_t i = 0; i < G_N_ELEMENTS(dumps); i++) {
        hmp_expect(&f, dumps[i].cmd, dumps[i].expect);
    }
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

static void test_hmp_pmemsave_and_memsave(void)
{
    Fixture f;
    start(&f);
    const char *p1 = test_vm_path(f.vm, "hmp-pmem.bin");
    const char *p2 = test_vm_path(f.vm, "hmp-mem.bin");
    g_autofree char *c1 = g_strdup_printf("pmemsave 0x100000 32 %s", p1);
    g_autofree char *c2 = g_strdup_printf("memsave 0x100000 24 %s", p2);
    hmp_expect(&f, c1, "");
    hmp_expect(&f, c2, "");
    assert_file_is_pattern(p1, 32);
    assert_file_is_pattern(p2, 24);
    g_autofree char *c3 = g_strdup_printf("pmemsave 0x1ffffff0 32 %s", p1);
    hmp_expect(&f, c3, "Error: Invalid addr 0x000000001ffffff0/size 32 specified\n");
    hmp_expect(&f, "pmemsave 0x100000 32", "Error: usage: pmemsave addr size file\n");
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    g_test_add_func("/monitor/memdump/qmp-pmemsave-writes-guest-bytes",
                    test_qmp_pmemsave_writes_guest_bytes);
    g_test_add_func("/monitor/memdump/qmp-memsave-real-mode", test_qmp_memsave_real_mode);
    g_test_add_func("/monitor/memdump/qmp-memsave-translation-on-fails-clearly",
                    test_qmp_memsave_translation_on_fails);
    g_test_add_func("/monitor/memdump/qmp-save-rejects-bad-input",
                    test_qmp_save_rejects_bad_input);
    g_test_add_func("/monitor/memdump/hmp-xp-formats", test_hmp_xp_formats);
    g_test_add_func("/monitor/memdump/hmp-pmemsave-and-memsave", test_hmp_pmemsave_and_memsave);
    return g_test_run();
}
