/*
 * qtest protocol server (include/system/qtest.h).
 *
 * Compatible with QEMU's qtest for readb/w/l/q, writeb/w/l/q, read, write,
 * b64read, b64write, memset, rtas, clock_step, clock_set and endianness:
 * multi-byte values are in the guest's big-endian order, reads answer
 * "OK 0x%016x". Unlike QEMU, a malformed line or an address outside guest
 * RAM answers "FAIL <reason>" instead of aborting or reading open bus.
 */
#include "system/qtest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "qemu/cutils.h"
#include "system/bql.h"
#include "system/clock.h"
#include "system/cpus.h"
#include "system/trace.h"
#include "target/ppc/interp.h"

/* Largest single read/write/memset, to keep one command's memory bounded. */
#define QTEST_MAX_XFER (16u << 20)

typedef struct QtestCmd {
    const char *name;
    int min_args, max_args;     /* words after the command name */
    char *(*fn)(SpaprMachineState *spapr, char **argv, int argc);
    const char *usage;
} QtestCmd;

#define FAIL(...) g_strdup_printf("FAIL " __VA_ARGS__)

static PowerPCCPU *parse_cpu(SpaprMachineState *spapr, const char *s)
{
    int64_t index;
    return qemu_parse_i64(s, &index) ? spapr_cpu_by_index(spapr, index) : NULL;
}

static void invalidate_code(uint64_t addr, uint64_t len)
{
    ppc_interp_invalidate(addr, len);
}

/* ---- memory ---- */

static int access_size(const char *cmd)
{
    switch (cmd[strlen(cmd) - 1]) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    default: return 8;
    }
}

static char *cmd_readx(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr;
    uint8_t bytes[8];
    int size = access_size(argv[0]);

    if (!qemu_parse_u64(argv[1], &addr)) {
        return FAIL("bad address '%s'", argv[1]);
    }
    if (guest_read(&spapr->ram, addr, bytes, size) < 0) {
        return FAIL("address 0x%" PRIx64 " outside guest RAM", addr);
    }
    uint64_t value = 0;
    for (int i = 0; i < size; i++) {
        value = (value << 8) | bytes[i];     /* big-endian guest order */
    }
    return g_strdup_printf("OK 0x%016" PRIx64, value);
}

static char *cmd_writex(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, value;
    uint8_t bytes[8];
    int size = access_size(argv[0]);

    if (!qemu_parse_u64(argv[1], &addr)) {
        return FAIL("bad address '%s'", argv[1]);
    }
    if (!qemu_parse_u64(argv[2], &value) || (size < 8 && value >> (size * 8))) {
        return FAIL("bad %d-byte value '%s'", size, argv[2]);
    }
    for (int i = 0; i < size; i++) {
        bytes[i] = (uint8_t)(value >> (8 * (size - 1 - i)));
    }
    if (guest_write(&spapr->ram, addr, bytes, size) < 0) {
        return FAIL("address 0x%" PRIx64 " outside guest RAM", addr);
    }
    invalidate_code(addr, size);
    return g_strdup("OK");
}

static char *parse_xfer(SpaprMachineState *spapr, char **argv, uint64_t *addr,
                        uint64_t *len)
{
    if (!qemu_parse_u64(argv[1], addr)) {
        return FAIL("bad address '%s'", argv[1]);
    }
    if (!qemu_parse_u64(argv[2], len) || *len > QTEST_MAX_XFER) {
        return FAIL("bad size '%s' (at most %u bytes)", argv[2], QTEST_MAX_XFER);
    }
    if (!guest_range_valid(&spapr->ram, *addr, *len)) {
        return FAIL("range 0x%" PRIx64 "+0x%" PRIx64 " outside guest RAM", *addr, *len);
    }
    return NULL;
}

/* "OK 0x<two hex digits per byte>", as QEMU's read answers. */
static char *hex_reply(const uint8_t *bytes, uint64_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = g_malloc(5 + 2 * len + 1);

    memcpy(out, "OK 0x", 5);
    for (uint64_t i = 0; i < len; i++) {
        out[5 + 2 * i] = digits[bytes[i] >> 4];
        out[6 + 2 * i] = digits[bytes[i] & 15];
    }
    out[5 + 2 * len] = '\0';
    return out;
}

static char *cmd_read(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, len;
    char *err = parse_xfer(spapr, argv, &addr, &len);
    if (err) {
        return err;
    }
    return hex_reply(guest_ptr(&spapr->ram, addr, len), len);
}

static int hex_nibble(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

static char *cmd_write(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, len;
    char *err = parse_xfer(spapr, argv, &addr, &len);
    if (err) {
        return err;
    }
    const char *hex = argv[3];
    if (hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
        return FAIL("data must be 0x<hex bytes>");
    }
    hex += 2;
    size_t digits = strlen(hex);
    if (digits % 2 || digits / 2 > len) {
        return FAIL("data has %zu hex digits for %" PRIu64 " bytes", digits, len);
    }
    g_autofree uint8_t *buf = g_malloc0(len ? len : 1);
    for (size_t i = 0; i < digits / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return FAIL("bad hex data");
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    /* As QEMU: missing trailing bytes are written as zero. */
    guest_write(&spapr->ram, addr, buf, len);
    invalidate_code(addr, len);
    return g_strdup("OK");
}

static char *cmd_b64read(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, len;
    char *err = parse_xfer(spapr, argv, &addr, &len);
    if (err) {
        return err;
    }
    g_autofree char *b64 = g_base64_encode(guest_ptr(&spapr->ram, addr, len), len);
    return g_strdup_printf("OK %s", b64);
}

static char *cmd_b64write(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, len;
    char *err = parse_xfer(spapr, argv, &addr, &len);
    if (err) {
        return err;
    }
    for (const char *c = argv[3]; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '+' && *c != '/' && *c != '=') {
            return FAIL("bad base64 data");
        }
    }
    gsize decoded_len;
    g_autofree guchar *data = g_base64_decode(argv[3], &decoded_len);
    if (decoded_len > len) {
        return FAIL("base64 data has %zu bytes for %" PRIu64, (size_t)decoded_len, len);
    }
    guest_write(&spapr->ram, addr, data, decoded_len);
    invalidate_code(addr, decoded_len);
    return g_strdup("OK");
}

static char *cmd_memset(SpaprMachineState *spapr, char **argv, int argc)
{
    uint64_t addr, len, byte;
    char *err = parse_xfer(spapr, argv, &addr, &len);
    if (err) {
        return err;
    }
    if (!qemu_parse_u64(argv[3], &byte) || byte > 0xff) {
        return FAIL("bad byte value '%s'", argv[3]);
    }
    guest_fill(&spapr->ram, addr, (int)byte, len);
    invalidate_code(addr, len);
    return g_strdup("OK");
}

/* ---- RTAS ---- */

static char *run_rtas(SpaprMachineState *spapr, PowerPCCPU *cpu, char **argv)
{
    uint64_t nargs, args, nret, rets;
    uint32_t token = spapr_rtas_token(argv[0]);

    if (!token) {
        return FAIL("unknown RTAS call '%s'", argv[0]);
    }
    if (!qemu_parse_u64(argv[1], &nargs) || !qemu_parse_u64(argv[2], &args) ||
        !qemu_parse_u64(argv[3], &nret) || !qemu_parse_u64(argv[4], &rets) ||
        nargs > UINT32_MAX || nret > UINT32_MAX) {
        return FAIL("usage: rtas NAME NARGS ARGS_ADDR NRET RETS_ADDR");
    }
    int64_t status = spapr_rtas_call(spapr, cpu, token, (uint32_t)nargs, args,
                                     (uint32_t)nret, rets);
    return g_strdup_printf("OK %" PRId64, status);
}

static char *cmd_rtas(SpaprMachineState *spapr, char **argv, int argc)
{
    if (!spapr->smp_cpus) {
        return g_strdup("FAIL this machine has no vCPU");
    }
    return run_rtas(spapr, spapr->cpus[0], argv + 1);
}

static char *cmd_rtas_cpu(SpaprMachineState *spapr, char **argv, int argc)
{
    PowerPCCPU *cpu = parse_cpu(spapr, argv[1]);
    if (!cpu) {
        return FAIL("no CPU '%s'", argv[1]);
    }
    return run_rtas(spapr, cpu, argv + 2);
}

/* ---- clock ---- */

static char *cmd_clock_step(SpaprMachineState *spapr, char **argv, int argc)
{
    int64_t ns = 0;
    if (argc > 1 && (!qemu_parse_i64(argv[1], &ns) || ns < 0)) {
        return FAIL("bad nanoseconds '%s'", argv[1]);
    }
    return g_strdup_printf("OK %" PRId64, vm_clock_step(ns));
}

static char *cmd_clock_set(SpaprMachineState *spapr, char **argv, int argc)
{
    int64_t ns;
    if (!qemu_parse_i64(argv[1], &ns) || ns < 0) {
        return FAIL("bad nanoseconds '%s'", argv[1]);
    }
    return g_strdup_printf("OK %" PRId64, vm_clock_set(ns));
}

static char *cmd_endianness(SpaprMachineState *spapr, char **argv, int argc)
{
    return g_strdup("OK big");
}

/* ---- vCPU registers and machine (extensions) ---- */

static char *cmd_cpu_get(SpaprMachineState *spapr, char **argv, int argc)
{
    PowerPCCPU *cpu = parse_cpu(spapr, argv[1]);
    uint64_t value;
    if (!cpu) {
        return FAIL("no CPU '%s'", argv[1]);
    }
    if (ppc_cpu_get_reg(cpu, argv[2], &value) < 0) {
        return FAIL("unknown register '%s'", argv[2]);
    }
    return g_strdup_printf("OK 0x%016" PRIx64, value);
}

static char *cmd_cpu_set(SpaprMachineState *spapr, char **argv, int argc)
{
    PowerPCCPU *cpu = parse_cpu(spapr, argv[1]);
    int64_t value;
    if (!cpu) {
        return FAIL("no CPU '%s'", argv[1]);
    }
    if (!qemu_parse_i64(argv[3], &value)) {
        return FAIL("bad value '%s'", argv[3]);
    }
    int ret = ppc_cpu_set_reg(cpu, argv[2], (uint64_t)value);
    if (ret == -ERANGE) {
        return FAIL("bad 4-byte value '%s' for 32-bit register '%s'", argv[3], argv[2]);
    }
    if (ret < 0) {
        return FAIL("unknown register '%s'", argv[2]);
    }
    return g_strdup("OK");
}

static char *cmd_machine_state(SpaprMachineState *spapr, char **argv, int argc)
{
    return g_strdup_printf("OK %s", runstate_name(spapr->runstate));
}

static char *cmd_system_reset(SpaprMachineState *spapr, char **argv, int argc)
{
    vm_system_reset(spapr);
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED) {
        runstate_set(spapr, RUN_STATE_RUNNING);
    }
    return g_strdup("OK");
}

static char *cmd_fdt(SpaprMachineState *spapr, char **argv, int argc)
{
    return hex_reply(spapr->fdt, fdt_totalsize(spapr->fdt));
}

/* ---- FWNMI (extensions) ---- */

static char *cmd_mce(SpaprMachineState *spapr, char **argv, int argc)
{
    PowerPCCPU *cpu = parse_cpu(spapr, argv[1]);
    uint64_t srr1, dsisr, dar, recovered;

    if (!cpu) {
        return FAIL("no CPU '%s'", argv[1]);
    }
    if (!qemu_parse_u64(argv[2], &srr1) || !qemu_parse_u64(argv[3], &dsisr) ||
        dsisr > UINT32_MAX || !qemu_parse_u64(argv[4], &dar) ||
        !qemu_parse_u64(argv[5], &recovered) || recovered > 1) {
        return FAIL("usage: mce CPU SRR1 DSISR DAR RECOVERED(0|1)");
    }
    SpaprMceInfo info = {
        .srr1 = srr1, .dsisr = (uint32_t)dsisr, .dar = dar, .recovered = recovered,
    };
    SpaprMceResult r = spapr_mce_req_event(spapr, cpu, &info);
    /* The protocol reports architected delivery as "delivered" too. */
    return g_strdup_printf("OK %s", r == SPAPR_MCE_LEGACY ? "delivered"
                                                          : spapr_mce_result_name(r));
}

static char *cmd_nmi(SpaprMachineState *spapr, char **argv, int argc)
{
    if (argc > 1) {
        PowerPCCPU *cpu = parse_cpu(spapr, argv[1]);
        if (!cpu) {
            return FAIL("no CPU '%s'", argv[1]);
        }
        spapr_system_reset_cpu(spapr, cpu);
    } else {
        for (int i = 0; i < spapr->smp_cpus; i++) {
            spapr_system_reset_cpu(spapr, spapr->cpus[i]);
        }
    }
    return g_strdup("OK");
}

static char *cmd_fwnmi(SpaprMachineState *spapr, char **argv, int argc)
{
    SpaprFwnmiState *f = &spapr->fwnmi;
    GString *out = g_string_new("OK");
    g_string_append_printf(out, " sreset=0x%" PRIx64 " mce=0x%" PRIx64 " holder=%d pending=",
                           f->sreset_addr, f->mce_addr, f->interlock_holder);
    if (g_queue_is_empty(&f->pending)) {
        g_string_append(out, "-");
    }
    for (GList *l = f->pending.head; l; l = l->next) {
        g_string_append_printf(out, "%s%d", l == f->pending.head ? "" : ",",
                               ((SpaprMceRequest *)l->data)->cpu_index);
    }
    g_string_append_printf(out, " delivered=%" PRIu64 " legacy=%" PRIu64 " queued=%" PRIu64
                           " nested=%" PRIu64 " interlocks=%" PRIu64 " sresets=%" PRIu64,
                           f->count.delivered, f->count.legacy, f->count.queued,
                           f->count.nested, f->count.interlocks, f->count.sresets);
    g_string_append_printf(out, " requests=%" PRIu64 " ignored=%" PRIu64 " dropped=%" PRIu64,
                           f->count.requests, f->count.ignored, f->count.dropped);
    g_string_append_printf(out, " stale=%" PRIu64, f->guard.stale_drops);
    return g_string_free(out, FALSE);
}

static const QtestCmd qtest_cmds[] = {
    { "readb", 1, 1, cmd_readx, "readb ADDR" },
    { "readw", 1, 1, cmd_readx, "readw ADDR" },
    { "readl", 1, 1, cmd_readx, "readl ADDR" },
    { "readq", 1, 1, cmd_readx, "readq ADDR" },
    { "writeb", 2, 2, cmd_writex, "writeb ADDR VALUE" },
    { "writew", 2, 2, cmd_writex, "writew ADDR VALUE" },
    { "writel", 2, 2, cmd_writex, "writel ADDR VALUE" },
    { "writeq", 2, 2, cmd_writex, "writeq ADDR VALUE" },
    { "read", 2, 2, cmd_read, "read ADDR SIZE" },
    { "write", 3, 3, cmd_write, "write ADDR SIZE 0xDATA" },
    { "b64read", 2, 2, cmd_b64read, "b64read ADDR SIZE" },
    { "b64write", 3, 3, cmd_b64write, "b64write ADDR SIZE B64DATA" },
    { "memset", 3, 3, cmd_memset, "memset ADDR SIZE BYTE" },
    { "rtas", 5, 5, cmd_rtas, "rtas NAME NARGS ARGS_ADDR NRET RETS_ADDR" },
    { "rtas-cpu", 6, 6, cmd_rtas_cpu, "rtas-cpu CPU NAME NARGS ARGS_ADDR NRET RETS_ADDR" },
    { "clock_step", 0, 1, cmd_clock_step, "clock_step [NS]" },
    { "clock_set", 1, 1, cmd_clock_set, "clock_set NS" },
    { "endianness", 0, 0, cmd_endianness, "endianness" },
    { "cpu-get", 2, 2, cmd_cpu_get, "cpu-get CPU REG" },
    { "cpu-set", 3, 3, cmd_cpu_set, "cpu-set CPU REG VALUE" },
    { "machine-state", 0, 0, cmd_machine_state, "machine-state" },
    { "system_reset", 0, 0, cmd_system_reset, "system_reset" },
    { "fdt", 0, 0, cmd_fdt, "fdt" },
    { "mce", 5, 5, cmd_mce, "mce CPU SRR1 DSISR DAR RECOVERED" },
    { "nmi", 0, 1, cmd_nmi, "nmi [CPU]" },
    { "fwnmi", 0, 0, cmd_fwnmi, "fwnmi" },
};

char *qtest_handle_line(SpaprMachineState *spapr, const char *line)
{
    int argc;
    g_auto(GStrv) argv = qemu_split_words(line, &argc);
    if (argc == 0) {
        return FAIL("empty command");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(qtest_cmds); i++) {
        const QtestCmd *c = &qtest_cmds[i];
        if (strcmp(c->name, argv[0]) != 0) {
            continue;
        }
        if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
            return FAIL("usage: %s", c->usage);
        }
        return c->fn(spapr, argv, argc);
    }
    return FAIL("Unknown command '%s'", argv[0]);
}

/* ---- server thread ---- */

typedef struct QtestServer {
    SpaprMachineState *spapr;
    CharEndpoint *ep;
    FILE *log;                  /* -qtest-log, or NULL; the qtest thread's own */
    gint64 start_us;
} QtestServer;

/* QEMU's -qtest-log lines: "[R +SECONDS] command", "[S +SECONDS] reply". */
static void qtest_log(QtestServer *s, char dir, const char *text)
{
    if (s->log) {
        double t = (double)(g_get_monotonic_time() - s->start_us) / G_USEC_PER_SEC;
        fprintf(s->log, "[%c +%f] %s\n", dir, t, text);
        fflush(s->log);
    }
}

static void qtest_reply(CharEndpoint *ep, const char *reply)
{
    g_autofree char *out = g_strdup_printf("%s\n", reply);
    char_write(ep, out, strlen(out));
}

static void qtest_serve_client(QtestServer *s)
{
    g_autoptr(GString) line = g_string_new(NULL);
    int ret;

    while ((ret = char_read_line(s->ep, line)) != 0) {
        if (ret < 0) {
            qtest_log(s, 'S', "FAIL line too long");
            qtest_reply(s->ep, "FAIL line too long");
            continue;
        }
        qtest_log(s, 'R', line->str);
        /* Reply before dropping the BQL: a command that shuts the machine
         * down must still be answered before the main thread exits. */
        bql_lock();
        g_autofree char *reply = qtest_handle_line(s->spapr, line->str);
        trace_event("qtest", "%s -> %.80s", line->str, reply);
        /* Logged before it is sent: a client that has the reply may make
         * the VMM exit at once, and the log must already hold it. */
        qtest_log(s, 'S', reply);
        qtest_reply(s->ep, reply);
        bql_unlock();
    }
}

static gpointer qtest_thread(gpointer opaque)
{
    g_autofree QtestServer *s = opaque;

    for (;;) {
        g_autoptr(GError) err = NULL;
        if (char_connect(s->ep, &err) < 0) {
            error_report("qtest: %s", err->message);
            break;
        }
        qtest_serve_client(s);
        if (!(s->ep->spec.kind == CHAR_UNIX && s->ep->spec.server)) {
            break;      /* stdio or client socket closed: QEMU quits too */
        }
        char_disconnect(s->ep);
    }
    bql_lock();
    spapr_request_quit(s->spapr);
    bql_unlock();
    return NULL;
}

void qtest_server_start(SpaprMachineState *spapr, CharEndpoint *ep, FILE *log)
{
    QtestServer *s = g_new0(QtestServer, 1);
    s->spapr = spapr;
    s->ep = ep;
    s->log = log;
    s->start_us = g_get_monotonic_time();
    g_thread_unref(g_thread_new("qtest", qtest_thread, s));
}
