/*
 * The qtest protocol itself: memory access of every width and its byte
 * order, the bulk commands, clean failure (FAIL, session still serving)
 * on bad input, the device tree the machine presents, and command-line
 * errors.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>
#include <libfdt.h>

#include "libqtest.h"

#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)
#define DEFAULT_RAM (512 * MiB)
#define TEST_ADDR ((uint64_t)0x100000)

/* The session still answers correctly after a failed command. */
static void assert_still_serving(QTestState *qts)
{
    qtest_writel(qts, TEST_ADDR, 0xC0FFEE11);
    g_assert_cmphex(qtest_readl(qts, TEST_ADDR), ==, 0xC0FFEE11);
}

/* @cmd must answer "FAIL ..." and leave the session usable. */
static void assert_cmd_fails(QTestState *qts, const char *cmd)
{
    g_autofree char *reply = qtest_cmd_raw(qts, "%s", cmd);
    g_test_message("'%s' -> '%s'", cmd, reply ? reply : "(none)");
    g_assert_nonnull(reply);
    if (reply) {
        g_assert_true(g_str_has_prefix(reply, "FAIL"));
    }
    assert_still_serving(qts);
}

/* ---- memory ---- */

typedef struct WidthCase {
    int bytes;
    uint64_t value;
} WidthCase;

static const WidthCase width_cases[] = {
    { 1, 0xA5 }, { 2, 0xBEEF }, { 4, 0x89ABCDEF }, { 8, 0x0123456789ABCDEFULL },
};

static uint64_t read_width(QTestState *qts, int bytes, uint64_t addr)
{
    switch (bytes) {
    case 1: return qtest_readb(qts, addr);
    case 2: return qtest_readw(qts, addr);
    case 4: return qtest_readl(qts, addr);
    default: return qtest_readq(qts, addr);
    }
}

static void write_width(QTestState *qts, int bytes, uint64_t addr, uint64_t v)
{
    switch (bytes) {
    case 1: qtest_writeb(qts, addr, (uint8_t)v); break;
    case 2: qtest_writew(qts, addr, (uint16_t)v); break;
    case 4: qtest_writel(qts, addr, (uint32_t)v); break;
    default: qtest_writeq(qts, addr, v); break;
    }
}

/* Write then read back, at an aligned and an unaligned address, and at
 * the very end of RAM. */
static void test_memory_round_trip(const void *data)
{
    const WidthCase *c = data;
    QTestState *qts = qtest_init(NULL);
    uint64_t addrs[] = { TEST_ADDR, TEST_ADDR + 0x11, DEFAULT_RAM - c->bytes };

    for (size_t i = 0; i < G_N_ELEMENTS(addrs); i++) {
        write_width(qts, c->bytes, addrs[i], c->value);
        g_assert_cmphex(read_width(qts, c->bytes, addrs[i]), ==, c->value);
    }
    qtest_quit(qts);
}

/* Multi-byte values land most significant byte first, whatever the host. */
static void test_memory_big_endian_order(void)
{
    QTestState *qts = qtest_init(NULL);
    uint8_t bytes[8];

    qtest_writeq(qts, TEST_ADDR, 0x0102030405060708ULL);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(qtest_readb(qts, TEST_ADDR + i), ==, i + 1);
    }
    g_assert_cmphex(qtest_readw(qts, TEST_ADDR + 2), ==, 0x0304);
    g_assert_cmphex(qtest_readl(qts, TEST_ADDR + 4), ==, 0x05060708);
    qtest_memread(qts, TEST_ADDR, bytes, sizeof(bytes));
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(bytes[i], ==, i + 1);
    }
    qtest_writew(qts, TEST_ADDR, 0xAABB);
    g_assert_cmphex(qtest_readb(qts, TEST_ADDR), ==, 0xAA);
    qtest_quit(qts);
}

static void test_endianness_answers_big(void)
{
    QTestState *qts = qtest_init(NULL);
    g_autofree char *reply = qtest_cmd_raw(qts, "endianness");

    g_assert_cmpstr(reply, ==, "OK big");
    qtest_quit(qts);
}

static void test_read_answers_zero_padded_hex(void)
{
    QTestState *qts = qtest_init(NULL);

    qtest_writeb(qts, TEST_ADDR, 0x7);
    g_autofree char *b = qtest_cmd_raw(qts, "readb 0x%" PRIx64, TEST_ADDR);
    g_assert_cmpstr(b, ==, "OK 0x0000000000000007");
    g_autofree char *r = qtest_cmd_raw(qts, "read 0x%" PRIx64 " 2", TEST_ADDR);
    g_assert_cmpstr(r, ==, "OK 0x0700");
    qtest_quit(qts);
}

static void fill_pattern(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 31 + seed);
    }
}

static void test_read_write_round_trip(void)
{
    QTestState *qts = qtest_init(NULL);
    uint8_t out[300], in[300];

    fill_pattern(out, sizeof(out), 7);
    qtest_memwrite(qts, TEST_ADDR + 3, out, sizeof(out));
    qtest_memread(qts, TEST_ADDR + 3, in, sizeof(in));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    qtest_quit(qts);
}

/* As QEMU: "write" with fewer data bytes than SIZE zero-fills the rest. */
static void test_write_short_data_zero_fills(void)
{
    QTestState *qts = qtest_init(NULL);

    qtest_memset(qts, TEST_ADDR, 0xFF, 8);
    g_free(qtest_cmd(qts, "write 0x%" PRIx64 " 4 0xabcd", TEST_ADDR));
    g_assert_cmphex(qtest_readl(qts, TEST_ADDR), ==, 0xABCD0000);
    g_assert_cmphex(qtest_readl(qts, TEST_ADDR + 4), ==, 0xFFFFFFFF);
    qtest_quit(qts);
}

static void test_b64_round_trip(void)
{
    QTestState *qts = qtest_init(NULL);
    uint8_t out[257], in[257], hexin[257];

    fill_pattern(out, sizeof(out), 99);
    qtest_bufwrite(qts, TEST_ADDR + 1, out, sizeof(out));
    qtest_bufread(qts, TEST_ADDR + 1, in, sizeof(in));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    /* The other command family sees the same bytes. */
    qtest_memread(qts, TEST_ADDR + 1, hexin, sizeof(hexin));
    g_assert_cmpmem(hexin, sizeof(hexin), out, sizeof(out));
    qtest_quit(qts);
}

static void test_memset_fills_exactly_the_range(void)
{
    QTestState *qts = qtest_init(NULL);
    uint8_t buf[18];

    qtest_memset(qts, TEST_ADDR, 0x11, sizeof(buf));
    qtest_memset(qts, TEST_ADDR + 1, 0xEE, 16);
    qtest_memread(qts, TEST_ADDR, buf, sizeof(buf));
    g_assert_cmphex(buf[0], ==, 0x11);
    for (int i = 1; i <= 16; i++) {
        g_assert_cmphex(buf[i], ==, 0xEE);
    }
    g_assert_cmphex(buf[17], ==, 0x11);
    qtest_quit(qts);
}

/* ---- failures ---- */

static void test_out_of_ram_fails_cleanly(void)
{
    QTestState *qts = qtest_initf("-m 256M");
    const uint64_t end = 256 * MiB;
    char *cmds[] = {
        g_strdup_printf("readb 0x%" PRIx64, end),
        g_strdup_printf("readw 0x%" PRIx64, end - 1),       /* straddles the end */
        g_strdup_printf("readl 0x%" PRIx64, end - 2),
        g_strdup_printf("readq 0x%" PRIx64, end - 4),
        g_strdup_printf("writeb 0x%" PRIx64 " 1", end),
        g_strdup_printf("writeq 0x%" PRIx64 " 1", end - 7),
        g_strdup_printf("read 0x%" PRIx64 " 2", end - 1),
        g_strdup_printf("write 0x%" PRIx64 " 2 0x0102", end - 1),
        g_strdup_printf("b64read 0x%" PRIx64 " 8", end - 4),
        g_strdup_printf("b64write 0x%" PRIx64 " 4 AQIDBA==", end - 2),
        g_strdup_printf("memset 0x%" PRIx64 " 16 0", end - 8),
        g_strdup("readq 0xffffffffffffffff"),
        g_strdup("read 0xfffffffffffffff0 0x20"),       /* wraps around */
    };

    qtest_writeq(qts, end - 8, 0x1122334455667788ULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        assert_cmd_fails(qts, cmds[i]);
        g_free(cmds[i]);
        cmds[i] = NULL;
    }
    /* Nothing partially written at the end of RAM. */
    g_assert_cmphex(qtest_readq(qts, end - 8), ==, 0x1122334455667788ULL);
    qtest_quit(qts);
}

typedef struct MalformedCase {
    const char *name;
    const char *line;
} MalformedCase;

static const MalformedCase malformed_cases[] = {
    { "empty-line", "" },
    { "blank-line", "   " },
    { "unknown-command", "frobnicate 1 2" },
    { "missing-argument", "readl" },
    { "extra-argument", "readl 0x1000 0x1000" },
    { "address-not-a-number", "readl banana" },
    { "negative-address", "readl -4" },
    { "byte-value-too-wide", "writeb 0x1000 0x100" },
    { "word-value-too-wide", "writew 0x1000 0x10000" },
    { "value-not-a-number", "writel 0x1000 zz" },
    { "read-without-size", "read 0x1000" },
    { "read-over-transfer-limit", "read 0x1000 0x2000000" },
    { "write-odd-hex-digits", "write 0x1000 2 0x123" },
    { "write-more-data-than-size", "write 0x1000 2 0x010203" },
    { "write-bad-hex", "write 0x1000 2 0xgg00" },
    { "write-data-without-0x", "write 0x1000 2 0102" },
    { "b64write-bad-base64", "b64write 0x1000 4 !!!!" },
    { "b64write-more-data-than-size", "b64write 0x1000 1 AQIDBA==" },
    { "memset-byte-too-wide", "memset 0x1000 4 0x100" },
    { "clock-step-negative", "clock_step -5" },
    { "clock-set-not-a-number", "clock_set x" },
    { "cpu-get-unknown-register", "cpu-get 0 nosuchreg" },
    { "cpu-get-cpu-out-of-range", "cpu-get 1 nip" },
    { "cpu-get-negative-cpu", "cpu-get -1 nip" },
    { "cpu-set-unknown-register", "cpu-set 0 r32 1" },
    { "cpu-set-cr-too-wide", "cpu-set 0 cr 0x100000000" },
    { "cpu-set-dsisr-too-wide", "cpu-set 0 dsisr 0x1ffffffff" },
    { "cpu-set-pvr-negative", "cpu-set 0 pvr -1" },
    { "cpu-set-dec-too-wide", "cpu-set 0 dec 0x100000000" },
    { "mce-recovered-not-0-or-1", "mce 0 0 0 0 2" },
    { "mce-cpu-out-of-range", "mce 5 0 0 0 1" },
    { "mce-dsisr-over-32-bits", "mce 0 0 0x100000000 0 1" },
    { "nmi-cpu-out-of-range", "nmi 3" },
    { "rtas-unknown-call", "rtas no-such-call 0 0x1000 1 0x1010" },
    { "rtas-missing-arguments", "rtas get-time-of-day 0 0x1000" },
    { "rtas-cpu-out-of-range", "rtas-cpu 9 get-time-of-day 0 0x1000 8 0x1010" },
    { "machine-state-extra-argument", "machine-state now" },
};

static void test_malformed_line_fails_cleanly(const void *data)
{
    const MalformedCase *c = data;
    QTestState *qts = qtest_init(NULL);

    assert_cmd_fails(qts, c->line);
    qtest_quit(qts);
}

/* A line longer than the server's limit (1 MiB) is dropped as a whole,
 * answered with one FAIL, and the next line is served normally. */
static void test_overlong_line_fails_cleanly(void)
{
    QTestState *qts = qtest_init(NULL);
    const size_t len = 3 * MiB;
    g_autofree char *line = g_malloc(len + 1);

    memset(line, 'a', len);
    memcpy(line, "readl 0x", 8);
    line[len] = '\0';
    g_autofree char *reply = qtest_cmd_raw(qts, "%s", line);
    g_assert_nonnull(reply);
    if (reply) {
        g_assert_true(g_str_has_prefix(reply, "FAIL"));
    }
    assert_still_serving(qts);
    qtest_quit(qts);
}

static void test_clock_step_and_set(void)
{
    QTestState *qts = qtest_init(NULL);

    g_assert_cmpint(qtest_clock_step(qts, 1000), ==, 1000);
    g_assert_cmpint(qtest_clock_step(qts, 24), ==, 1024);
    g_assert_cmpint((int64_t)qtest_cmd_u64(qts, "clock_set 5000"), ==, 5000);
    /* The virtual clock never goes back. */
    g_assert_cmpint((int64_t)qtest_cmd_u64(qts, "clock_set 10"), ==, 5000);
    qtest_quit(qts);
}

/* The signed virtual clock saturates instead of wrapping negative. */
static void test_clock_step_saturates(void)
{
    QTestState *qts = qtest_init(NULL);

    g_assert_cmpint(qtest_clock_step(qts, INT64_MAX), ==, INT64_MAX);
    g_assert_cmpint(qtest_clock_step(qts, INT64_MAX), ==, INT64_MAX);
    g_assert_cmpint(qtest_clock_step(qts, 1), ==, INT64_MAX);
    g_assert_cmpint((int64_t)qtest_cmd_u64(qts, "clock_set 5"), ==, INT64_MAX);
    qtest_quit(qts);
}

/* A 32-bit register refuses a wider value and keeps its old one; the
 * largest 32-bit value is accepted. */
static void test_cpu_set_32bit_registers(void)
{
    QTestState *qts = qtest_init(NULL);
    static const char *const regs[] = { "cr", "dsisr" };

    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        qtest_cpu_set(qts, 0, regs[i], 0x12345678);
        g_autofree char *r = qtest_cmd_raw(qts, "cpu-set 0 %s 0x112345678", regs[i]);
        g_assert_true(g_str_has_prefix(r, "FAIL"));
        g_assert_cmphex(qtest_cpu_get(qts, 0, regs[i]), ==, 0x12345678);
        qtest_cpu_set(qts, 0, regs[i], 0xffffffff);
        g_assert_cmphex(qtest_cpu_get(qts, 0, regs[i]), ==, 0xffffffff);
    }
    /* 64-bit registers take any value. */
    qtest_cpu_set(qts, 0, "srr1", 0xffffffffffffffffULL);
    g_assert_cmphex(qtest_cpu_get(qts, 0, "srr1"), ==, 0xffffffffffffffffULL);
    qtest_quit(qts);
}

/* ibm,os-term panics the guest; the exit status is 1 unless a reset
 * brought the machine back before the session ended. */
static int panic_then_exit_status(bool reset)
{
    QTestState *qts = qtest_init(NULL);
    const char msg[] = "bye";

    qtest_memwrite(qts, 0x20000, msg, sizeof(msg));
    uint32_t args[1] = { 0x20000 }, rets[1];
    g_assert_cmpint(qtest_rtas_call(qts, "ibm,os-term", 1, args, 1, rets), ==, 0);
    g_autofree char *state = qtest_machine_state(qts);
    g_assert_cmpstr(state, ==, "guest-panicked");
    if (reset) {
        qtest_system_reset(qts);
        g_autofree char *after = qtest_machine_state(qts);
        g_assert_cmpstr(after, ==, "running");
    }
    int status = qtest_quit(qts);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_panic_exit_status_cleared_by_reset(void)
{
    g_assert_cmpint(panic_then_exit_status(false), ==, 1);
    g_assert_cmpint(panic_then_exit_status(true), ==, 0);
}

static void test_machine_state_running_at_start(void)
{
    QTestState *qts = qtest_init(NULL);
    g_autofree char *state = qtest_machine_state(qts);

    g_assert_cmpstr(state, ==, "running");
    qtest_quit(qts);
}

/* ---- device tree ---- */

static void test_fdt_is_valid_blob(void)
{
    QTestState *qts = qtest_init(NULL);
    size_t len;
    g_autofree void *fdt = qtest_fdt_get(qts, &len);

    g_assert_nonnull(fdt);
    if (fdt) {
        g_assert_cmpint(fdt_check_full(fdt, len), ==, 0);
        g_assert_cmpint(fdt_path_offset(fdt, "/rtas"), >=, 0);
        g_assert_cmpint(fdt_path_offset(fdt, "/cpus"), >=, 0);
        g_assert_cmpint(fdt_path_offset(fdt, "/chosen"), >=, 0);
    }
    qtest_quit(qts);
}

static uint32_t rtas_u32(const void *fdt, const char *prop)
{
    uint32_t v = 0;
    if (!qtest_fdt_rtas_u32(fdt, prop, &v)) {
        g_test_message("no one-cell property /rtas/%s", prop);
        g_test_fail();
    }
    return v;
}

/* Every RTAS call the tests use is advertised, each with its own token. */
static void test_fdt_rtas_has_tokens(void)
{
    static const char *const calls[] = {
        "ibm,nmi-register", "ibm,nmi-interlock", "display-character",
        "get-time-of-day", "power-off", "system-reboot",
        "query-cpu-stopped-state", "start-cpu", "stop-self",
        "event-scan", "check-exception", "ibm,os-term",
    };
    QTestState *qts = qtest_init(NULL);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint32_t tokens[G_N_ELEMENTS(calls)];

    for (size_t i = 0; fdt && i < G_N_ELEMENTS(calls); i++) {
        tokens[i] = rtas_u32(fdt, calls[i]);
        g_assert_cmphex(tokens[i], !=, 0);
        for (size_t j = 0; j < i; j++) {
            g_assert_cmphex(tokens[i], !=, tokens[j]);
        }
    }
    qtest_quit(qts);
}

/* The area holds the blob, the 0x30 log buffer (saved R3 + 2048 bytes of
 * log), one 16-byte system-reset slot per vCPU from 0x840, and the 8 bytes
 * of slack older Linux needs (it checks the buffer with '<'). */
static void test_fdt_rtas_size_covers_fwnmi_areas(const void *data)
{
    int smp = GPOINTER_TO_INT(data);
    QTestState *qts = qtest_initf("-smp %d", smp);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);

    if (fdt) {
        uint32_t size = rtas_u32(fdt, "rtas-size");
        g_assert_cmpuint(size, >=, 0x30 + 8 + 2048);
        g_assert_cmpuint(size, >=, 0x840 + smp * 16 + 8);
    }
    qtest_quit(qts);
}

static void test_fdt_rtas_error_log_max(void)
{
    QTestState *qts = qtest_init(NULL);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);

    if (fdt) {
        g_assert_cmpuint(rtas_u32(fdt, "rtas-error-log-max"), ==, 2048);
        g_assert_cmpuint(rtas_u32(fdt, "rtas-event-scan-rate"), >=, 1);
    }
    qtest_quit(qts);
}

/* The RTAS area is real-mode reachable: inside the RMA (min(RAM, 1 GiB)),
 * and reserved in the memory reservation map so the OS leaves it alone. */
static void test_fdt_rtas_area_inside_rma_and_reserved(const void *data)
{
    const char *mem = data;
    QTestState *qts = qtest_initf("-m %s", mem);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint64_t ram = 0;

    g_assert_true(g_str_has_suffix(mem, "M") || g_str_has_suffix(mem, "G"));
    ram = g_ascii_strtoull(mem, NULL, 10) * (g_str_has_suffix(mem, "G") ? GiB : MiB);
    if (fdt) {
        uint64_t base = rtas_u32(fdt, "linux,rtas-base");
        uint64_t size = rtas_u32(fdt, "rtas-size");
        uint64_t rma = MIN(ram, GiB);
        bool reserved = false;

        g_assert_cmphex(base + size, <=, rma);
        g_assert_cmphex(rtas_u32(fdt, "linux,rtas-entry"), ==, base);
        for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
            uint64_t a, s;
            g_assert_cmpint(fdt_get_mem_rsv(fdt, i, &a, &s), ==, 0);
            reserved |= a <= base && base + size <= a + s;
        }
        g_assert_true(reserved);
    }
    qtest_quit(qts);
}

static void test_fdt_cpus_one_node_per_vcpu(const void *data)
{
    int smp = GPOINTER_TO_INT(data);
    QTestState *qts = qtest_initf("-smp %d", smp);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint64_t seen = 0;
    int count = 0, node;

    if (fdt) {
        int cpus = fdt_path_offset(fdt, "/cpus");
        g_assert_cmpint(cpus, >=, 0);
        fdt_for_each_subnode(node, fdt, cpus) {
            const char *type = fdt_getprop(fdt, node, "device_type", NULL);
            int len = 0;
            const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
            if (!type || strcmp(type, "cpu") != 0) {
                continue;
            }
            count++;
            g_assert_nonnull(reg);
            g_assert_cmpint(len, ==, 4);
            if (reg && len == 4) {
                uint32_t r = fdt32_to_cpu(*reg);
                g_assert_cmpuint(r, <, (unsigned)smp);
                if (r < 64) {
                    g_assert_false(seen & (1ULL << r));     /* no duplicates */
                    seen |= 1ULL << r;
                }
            }
        }
        g_assert_cmpint(count, ==, smp);
    }
    qtest_quit(qts);
}

static void test_fdt_memory_reg_is_ram_size(const void *data)
{
    uint64_t mib = GPOINTER_TO_UINT(data);
    QTestState *qts = qtest_initf("-m %" PRIu64 "M", mib);
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);

    if (fdt) {
        int node = fdt_path_offset(fdt, "/memory@0");
        int len = 0;
        g_assert_cmpint(node, >=, 0);
        const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
        g_assert_nonnull(reg);
        g_assert_cmpint(len, ==, 16);       /* #address-cells = #size-cells = 2 */
        if (reg && len == 16) {
            g_assert_cmphex(fdt64_to_cpu(reg[0]), ==, 0);
            g_assert_cmphex(fdt64_to_cpu(reg[1]), ==, mib * MiB);
        }
    }
    qtest_quit(qts);
}

/* ---- command line ---- */

typedef struct CmdlineCase {
    const char *path;
    const char *args;
    const char *names;          /* what the one stderr line must mention */
} CmdlineCase;

#define QTEST_BASE "-M pseries -accel qtest -qtest stdio -display none -nodefaults "

static const CmdlineCase cmdline_cases[] = {
    { "rejects-smp-0", QTEST_BASE "-smp 0", "-smp" },
    { "rejects-smp-65", QTEST_BASE "-smp 65", "-smp" },
    { "rejects-smp-garbage", QTEST_BASE "-smp two", "-smp" },
    { "rejects-m-12Q", QTEST_BASE "-m 12Q", "-m" },
    { "rejects-m-below-16M", QTEST_BASE "-m 8M", "-m" },
    { "rejects-cap-fwnmi-maybe", "-M pseries,cap-fwnmi=maybe -accel qtest "
      "-qtest stdio -display none -nodefaults", "cap-fwnmi" },
    { "rejects-unknown-cap", "-M pseries,cap-frob=on -accel qtest -qtest stdio "
      "-display none -nodefaults", "cap-frob" },
    { "rejects-unknown-option", QTEST_BASE "-no-such-option", "-no-such-option" },
    { "rejects-missing-argument", QTEST_BASE "-smp", "-smp" },
    /* Empty values and list elements: one line, never a crash. */
    { "rejects-empty-machine-element", QTEST_BASE "-machine pseries,,cap-fwnmi=on", "-machine" },
    { "rejects-empty-serial", QTEST_BASE "-serial ''", "-serial" },
    { "rejects-empty-qmp", QTEST_BASE "-qmp ''", "-qmp" },
    { "rejects-empty-qtest", QTEST_BASE "-qtest ''", "-qtest" },
    { "rejects-empty-monitor", QTEST_BASE "-monitor ''", "-monitor" },
    { "rejects-empty-kernel", QTEST_BASE "-kernel ''", "-kernel" },
    { "rejects-empty-display", QTEST_BASE "-display ''", "-display" },
    { "rejects-empty-d", QTEST_BASE "-d ''", "-d" },
    /* A qtest client socket nobody listens on fails at start-up. */
    { "rejects-qtest-client-nobody-listening",
      "-M pseries -accel qtest -display none -nodefaults "
      "-qtest unix:/nonexistent-dir/qtest.sock", "-qtest unix:/nonexistent-dir/qtest.sock" },
};

static unsigned count_chars(const char *s, char c)
{
    unsigned n = 0;
    for (; *s; s++) {
        n += *s == c;
    }
    return n;
}

static void test_cmdline_rejected(const void *data)
{
    const CmdlineCase *c = data;
    g_autofree char *err = NULL;
    int status = qtest_run_cmdline(c->args, &err);

    g_test_message("args '%s': status 0x%x, stderr '%s'", c->args, status,
                   err ? err : "");
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 0);
    g_assert_nonnull(err);
    if (err) {
        /* exactly one line, ending in a newline */
        g_assert_true(g_str_has_suffix(err, "\n"));
        g_assert_cmpuint(count_chars(err, '\n'), ==, 1);
        g_assert_nonnull(strstr(err, c->names));
    }
}

/* Control for the above: a good command line starts, serves, and exits 0
 * without a word on stderr when its qtest stdin reaches EOF. */
static void test_cmdline_accepts_valid_and_quits_on_eof(void)
{
    g_autofree char *err = NULL;
    int status = qtest_run_cmdline(QTEST_BASE "-smp 4 -m 1G -M pseries,cap-fwnmi=off",
                                   &err);

    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(err, ==, "");
}

/* Empty values QEMU accepts start and serve like any other. */
static void test_cmdline_accepts_empty_values(const void *data)
{
    g_autofree char *args = g_strdup_printf(QTEST_BASE "%s", (const char *)data);
    g_autofree char *err = NULL;
    int status = qtest_run_cmdline(args, &err);

    g_test_message("args '%s': status 0x%x, stderr '%s'", args, status, err ? err : "");
    g_assert_true(status != -1 && WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(err, ==, "");
}

static const char *const empty_accepted[] = {
    "-M pseries,", "-M ''", "-m ''", "-smp ''", "-smp 2,", "-trace ''", "-name ''",
};

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    for (size_t i = 0; i < G_N_ELEMENTS(width_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qtest/memory/round-trip-%d-byte",
                                                width_cases[i].bytes);
        g_test_add_data_func(path, &width_cases[i], test_memory_round_trip);
    }
    g_test_add_func("/qtest/memory/big-endian-order", test_memory_big_endian_order);
    g_test_add_func("/qtest/endianness/answers-big", test_endianness_answers_big);
    g_test_add_func("/qtest/read/answers-zero-padded-hex",
                    test_read_answers_zero_padded_hex);
    g_test_add_func("/qtest/read-write/round-trip", test_read_write_round_trip);
    g_test_add_func("/qtest/write/short-data-zero-fills",
                    test_write_short_data_zero_fills);
    g_test_add_func("/qtest/b64/round-trip", test_b64_round_trip);
    g_test_add_func("/qtest/memset/fills-exactly-the-range",
                    test_memset_fills_exactly_the_range);
    g_test_add_func("/qtest/memory/out-of-ram-fails-and-session-continues",
                    test_out_of_ram_fails_cleanly);
    for (size_t i = 0; i < G_N_ELEMENTS(malformed_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qtest/malformed/%s/fails-and-session-continues",
                                                malformed_cases[i].name);
        g_test_add_data_func(path, &malformed_cases[i], test_malformed_line_fails_cleanly);
    }
    g_test_add_func("/qtest/overlong-line/fails-and-session-continues",
                    test_overlong_line_fails_cleanly);
    g_test_add_func("/qtest/clock/step-and-set", test_clock_step_and_set);
    g_test_add_func("/qtest/clock/step-saturates", test_clock_step_saturates);
    g_test_add_func("/qtest/cpu-set/32-bit-registers-refuse-wider-values",
                    test_cpu_set_32bit_registers);
    g_test_add_func("/qtest/panic/exit-status-cleared-by-reset",
                    test_panic_exit_status_cleared_by_reset);
    g_test_add_func("/qtest/machine-state/running-at-start",
                    test_machine_state_running_at_start);

    g_test_add_func("/qtest/fdt/is-valid-blob", test_fdt_is_valid_blob);
    g_test_add_func("/qtest/fdt/rtas-has-tokens", test_fdt_rtas_has_tokens);
    g_test_add_data_func("/qtest/fdt/rtas-size-covers-fwnmi-areas/smp-1",
                         GINT_TO_POINTER(1), test_fdt_rtas_size_covers_fwnmi_areas);
    g_test_add_data_func("/qtest/fdt/rtas-size-covers-fwnmi-areas/smp-64",
                         GINT_TO_POINTER(64), test_fdt_rtas_size_covers_fwnmi_areas);
    g_test_add_func("/qtest/fdt/rtas-error-log-max-is-2048", test_fdt_rtas_error_log_max);
    g_test_add_data_func("/qtest/fdt/rtas-area-inside-rma-and-reserved/16M", "16M",
                         test_fdt_rtas_area_inside_rma_and_reserved);
    g_test_add_data_func("/qtest/fdt/rtas-area-inside-rma-and-reserved/512M", "512M",
                         test_fdt_rtas_area_inside_rma_and_reserved);
    g_test_add_data_func("/qtest/fdt/rtas-area-inside-rma-and-reserved/2G", "2G",
                         test_fdt_rtas_area_inside_rma_and_reserved);
    g_test_add_data_func("/qtest/fdt/cpus-one-node-per-vcpu/smp-1", GINT_TO_POINTER(1),
                         test_fdt_cpus_one_node_per_vcpu);
    g_test_add_data_func("/qtest/fdt/cpus-one-node-per-vcpu/smp-7", GINT_TO_POINTER(7),
                         test_fdt_cpus_one_node_per_vcpu);
    g_test_add_data_func("/qtest/fdt/memory-reg-is-ram-size/256M", GUINT_TO_POINTER(256),
                         test_fdt_memory_reg_is_ram_size);
    g_test_add_data_func("/qtest/fdt/memory-reg-is-ram-size/3072M", GUINT_TO_POINTER(3072),
                         test_fdt_memory_reg_is_ram_size);

    for (size_t i = 0; i < G_N_ELEMENTS(cmdline_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qtest/cmdline/%s", cmdline_cases[i].path);
        g_test_add_data_func(path, &cmdline_cases[i], test_cmdline_rejected);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(empty_accepted); i++) {
        g_autofree char *path = g_strdup_printf("/qtest/cmdline/accepts-empty-value/%zu", i);
        g_test_add_data_func(path, empty_accepted[i], test_cmdline_accepts_empty_values);
    }
    g_test_add_func("/qtest/cmdline/accepts-valid-and-quits-on-eof",
                    test_cmdline_accepts_valid_and_quits_on_eof);
    return g_test_run();
}
