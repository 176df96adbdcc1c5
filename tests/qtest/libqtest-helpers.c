/*
 * libqtest: typed helpers over the qtest line protocol (see libqtest.h):
 * guest memory, RTAS calls, vCPU registers and machine state, the device
 * tree, and the FWNMI extensions (mce, nmi, fwnmi).
 *
 * Everything here goes through the checked command helpers of libqtest.c
 * (libqtest_cmd_ok(), libqtest_cmd_number()), so it follows the failure
 * convention described in libqtest.h; nothing here touches the VMM process
 * or the pipes directly.
 */
#include "libqtest.h"

#include <inttypes.h>
#include <string.h>
#include <libfdt.h>

#define QTEST_RTAS_FILL 0xDEADBEEFu

/* ---- guest memory ---- */

static uint64_t readx(QTestState *qts, char width, uint64_t addr)
{
    g_autofree char *cmd = g_strdup_printf("read%c 0x%" PRIx64, width, addr);
    return libqtest_cmd_number(qts, cmd);
}

static void writex(QTestState *qts, char width, uint64_t addr, uint64_t val)
{
    g_autofree char *cmd = g_strdup_printf("write%c 0x%" PRIx64 " 0x%" PRIx64,
                                           width, addr, val);
    g_free(libqtest_cmd_ok(qts, cmd));
}

uint8_t qtest_readb(QTestState *qts, uint64_t addr)
{
    return (uint8_t)readx(qts, 'b', addr);
}

uint16_t qtest_readw(QTestState *qts, uint64_t addr)
{
    return (uint16_t)readx(qts, 'w', addr);
}

uint32_t qtest_readl(QTestState *qts, uint64_t addr)
{
    return (uint32_t)readx(qts, 'l', addr);
}

uint64_t qtest_readq(QTestState *qts, uint64_t addr)
{
    return readx(qts, 'q', addr);
}

void qtest_writeb(QTestState *qts, uint64_t addr, uint8_t val)
{
    writex(qts, 'b', addr, val);
}

void qtest_writew(QTestState *qts, uint64_t addr, uint16_t val)
{
    writex(qts, 'w', addr, val);
}

void qtest_writel(QTestState *qts, uint64_t addr, uint32_t val)
{
    writex(qts, 'l', addr, val);
}

void qtest_writeq(QTestState *qts, uint64_t addr, uint64_t val)
{
    writex(qts, 'q', addr, val);
}

void qtest_memread(QTestState *qts, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("read 0x%" PRIx64 " 0x%zx", addr, size);
    g_autofree char *value = libqtest_cmd_ok(qts, cmd);
    uint8_t *out = buf;

    memset(buf, 0, size);
    if (!value) {
        return;
    }
    if (strncmp(value, "0x", 2) != 0 || strlen(value) != 2 + 2 * size) {
        libqtest_fail("'%s' answered 'OK %.80s' (%zu chars), expected 0x and %zu hex digits",
                   cmd, value, strlen(value), 2 * size);
        return;
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(value[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(value[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            libqtest_fail("'%s': bad hex digit at byte %zu of the reply", cmd, i);
            memset(buf, 0, size);
            return;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

void qtest_memwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size)
{
    const uint8_t *in = buf;
    GString *cmd = g_string_sized_new(40 + 2 * size);

    g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr, size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(cmd, "%02x", in[i]);
    }
    if (size == 0) {
        g_string_append(cmd, "00");     /* the protocol wants some data */
    }
    g_free(libqtest_cmd_ok(qts, cmd->str));
    g_string_free(cmd, TRUE);
}

void qtest_bufread(QTestState *qts, uint64_t addr, void *buf, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("b64read 0x%" PRIx64 " 0x%zx", addr, size);
    g_autofree char *value = libqtest_cmd_ok(qts, cmd);
    gsize len = 0;

    memset(buf, 0, size);
    if (!value) {
        return;
    }
    g_autofree guchar *data = g_base64_decode(value, &len);
    if (len != size) {
        libqtest_fail("'%s' answered %zu bytes of base64 data, expected %zu",
                   cmd, (size_t)len, size);
        return;
    }
    memcpy(buf, data, size);
}

void qtest_bufwrite(QTestState *qts, uint64_t addr, const void *buf, size_t size)
{
    g_autofree char *b64 = g_base64_encode(buf, size);
    g_autofree char *cmd = g_strdup_printf("b64write 0x%" PRIx64 " 0x%zx %s",
                                           addr, size, b64);
    g_free(libqtest_cmd_ok(qts, cmd));
}

void qtest_memset(QTestState *qts, uint64_t addr, uint8_t byte, size_t size)
{
    g_autofree char *cmd = g_strdup_printf("memset 0x%" PRIx64 " 0x%zx 0x%02x",
                                           addr, size, byte);
    g_free(libqtest_cmd_ok(qts, cmd));
}

/* ---- RTAS ---- */

int qtest_rtas_call_at(QTestState *qts, int cpu, const char *name,
                       uint32_t nargs, uint64_t args_addr, uint32_t nret,
                       uint64_t rets_addr)
{
    g_autofree char *cmd = NULL;

    if (cpu < 0) {
        cmd = g_strdup_printf("rtas %s %u 0x%" PRIx64 " %u 0x%" PRIx64,
                              name, nargs, args_addr, nret, rets_addr);
    } else {
        cmd = g_strdup_printf("rtas-cpu %d %s %u 0x%" PRIx64 " %u 0x%" PRIx64,
                              cpu, name, nargs, args_addr, nret, rets_addr);
    }
    g_autofree char *value = libqtest_cmd_ok(qts, cmd);
    uint64_t status;
    if (!value) {
        return -1;
    }
    if (!libqtest_parse_number(value, &status) || ((int64_t)status != 0 &&
                                          (int64_t)status != -4)) {
        libqtest_fail("'%s' answered 'OK %s', expected OK 0 or OK -4", cmd, value);
        return -1;
    }
    return (int)(int64_t)status;
}

static int rtas_call(QTestState *qts, int cpu, const char *name, uint32_t nargs,
                     const uint32_t *args, uint32_t nret, uint32_t *rets)
{
    uint64_t args_addr = QTEST_RTAS_SCRATCH;
    uint64_t rets_addr = QTEST_RTAS_SCRATCH + 4ULL * nargs;

    if (nargs > QTEST_RTAS_MAX_CELLS || nret > QTEST_RTAS_MAX_CELLS) {
        libqtest_fail("rtas %s: %u args / %u rets: at most %d cells are staged",
                   name, nargs, nret, QTEST_RTAS_MAX_CELLS);
        return -1;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        qtest_writel(qts, args_addr + 4ULL * i, args[i]);
    }
    for (uint32_t i = 0; i < nret; i++) {
        qtest_writel(qts, rets_addr + 4ULL * i, QTEST_RTAS_FILL);
    }
    int status = qtest_rtas_call_at(qts, cpu, name, nargs, args_addr, nret,
                                    rets_addr);
    for (uint32_t i = 0; i < nret && rets; i++) {
        rets[i] = status == 0 ? qtest_readl(qts, rets_addr + 4ULL * i)
                              : QTEST_RTAS_FILL;
    }
    return status;
}

int qtest_rtas_call(QTestState *qts, const char *name, uint32_t nargs,
                    const uint32_t *args, uint32_t nret, uint32_t *rets)
{
    return rtas_call(qts, -1, name, nargs, args, nret, rets);
}

int qtest_rtas_call_cpu(QTestState *qts, int cpu, const char *name,
                        uint32_t nargs, const uint32_t *args, uint32_t nret,
                        uint32_t *rets)
{
    return rtas_call(qts, cpu, name, nargs, args, nret, rets);
}

/* ---- vCPUs and machine ---- */

uint64_t qtest_cpu_get(QTestState *qts, int cpu, const char *reg)
{
    g_autofree char *cmd = g_strdup_printf("cpu-get %d %s", cpu, reg);
    return libqtest_cmd_number(qts, cmd);
}

void qtest_cpu_set(QTestState *qts, int cpu, const char *reg, uint64_t value)
{
    g_autofree char *cmd = g_strdup_printf("cpu-set %d %s 0x%" PRIx64, cpu, reg, value);
    g_free(libqtest_cmd_ok(qts, cmd));
}

char *qtest_machine_state(QTestState *qts)
{
    return qtest_cmd(qts, "machine-state");
}

void qtest_system_reset(QTestState *qts)
{
    g_free(libqtest_cmd_ok(qts, "system_reset"));
}

int64_t qtest_clock_step(QTestState *qts, int64_t ns)
{
    g_autofree char *cmd = g_strdup_printf("clock_step %" PRId64, ns);
    return (int64_t)libqtest_cmd_number(qts, cmd);
}

/* ---- device tree ---- */

void *qtest_fdt_get(QTestState *qts, size_t *len)
{
    g_autofree char *value = libqtest_cmd_ok(qts, "fdt");
    size_t digits, size;
    uint8_t *blob;

    if (len) {
        *len = 0;
    }
    if (!value) {
        return NULL;
    }
    digits = strlen(value);
    if (strncmp(value, "0x", 2) != 0 || digits % 2 || digits < 2 + 2 * 40) {
        libqtest_fail("'fdt' answered 'OK %.80s': not 0x and a blob", value);
        return NULL;
    }
    size = (digits - 2) / 2;
    blob = g_malloc(size);
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(value[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(value[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            libqtest_fail("'fdt': bad hex digit at byte %zu", i);
            g_free(blob);
            return NULL;
        }
        blob[i] = (uint8_t)(hi << 4 | lo);
    }
    int err = fdt_check_header(blob);
    if (err < 0 || fdt_totalsize(blob) != size) {
        libqtest_fail("'fdt': blob of %zu bytes is not a device tree (%s, totalsize %u)",
                   size, err < 0 ? fdt_strerror(err) : "header ok",
                   err < 0 ? 0 : fdt_totalsize(blob));
        g_free(blob);
        return NULL;
    }
    if (len) {
        *len = size;
    }
    return blob;
}

bool qtest_fdt_rtas_u32(const void *fdt, const char *prop, uint32_t *value)
{
    int node = fdt ? fdt_path_offset(fdt, "/rtas") : -FDT_ERR_NOTFOUND;
    int len = 0;

    if (node < 0) {
        return false;
    }
    const fdt32_t *cell = fdt_getprop(fdt, node, prop, &len);
    if (!cell || len != (int)sizeof(*cell)) {
        return false;
    }
    *value = fdt32_to_cpu(*cell);
    return true;
}

uint32_t qtest_rtas_prop(QTestState *qts, const char *prop)
{
    g_autofree void *fdt = qtest_fdt_get(qts, NULL);
    uint32_t value = 0;

    if (fdt && !qtest_fdt_rtas_u32(fdt, prop, &value)) {
        libqtest_fail("device tree has no one-cell /rtas/%s", prop);
    }
    return value;
}

/* ---- FWNMI ---- */

const char *qtest_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                      uint64_t dar, bool recovered)
{
    static const char *const words[] = { "delivered", "queued", "ignored", "panicked" };
    g_autofree char *cmd = g_strdup_printf("mce %d 0x%" PRIx64 " 0x%x 0x%" PRIx64 " %d",
                                           cpu, srr1, dsisr, dar, recovered ? 1 : 0);
    g_autofree char *value = libqtest_cmd_ok(qts, cmd);

    if (!value) {
        return "";
    }
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strcmp(value, words[i]) == 0) {
            return words[i];
        }
    }
    libqtest_fail("'%s' answered 'OK %s': not a result word", cmd, value);
    return "";
}

void qtest_nmi(QTestState *qts, int cpu)
{
    g_autofree char *cmd = cpu < 0 ? g_strdup("nmi") : g_strdup_printf("nmi %d", cpu);
    g_free(libqtest_cmd_ok(qts, cmd));
}

static bool parse_pending(const char *s, QTestFwnmi *f)
{
    f->npending = 0;
    if (strcmp(s, "-") == 0) {
        return true;
    }
    g_auto(GStrv) items = g_strsplit(s, ",", -1);
    for (char **p = items; *p; p++) {
        uint64_t n;
        if (!libqtest_parse_number(*p, &n) || n > INT32_MAX) {
            return false;
        }
        if (f->npending < (int)G_N_ELEMENTS(f->pending)) {
            f->pending[f->npending] = (int)n;
        }
        f->npending++;
    }
    return f->npending > 0;
}

void qtest_fwnmi(QTestState *qts, QTestFwnmi *out)
{
    g_autofree char *value = libqtest_cmd_ok(qts, "fwnmi");
    struct {
        const char *key;
        uint64_t *dst;
        bool seen;
    } fields[] = {
        { .key = "sreset", .dst = &out->sreset },
        { .key = "mce", .dst = &out->mce },
        { .key = "delivered", .dst = &out->delivered },
        { .key = "legacy", .dst = &out->legacy },
        { .key = "queued", .dst = &out->queued },
        { .key = "nested", .dst = &out->nested },
        { .key = "interlocks", .dst = &out->interlocks },
        { .key = "sresets", .dst = &out->sresets },
    };
    bool have_holder = false, have_pending = false;

    memset(out, 0, sizeof(*out));
    out->holder = -1;
    if (!value) {
        return;
    }
    g_auto(GStrv) words = g_strsplit(value, " ", -1);
    for (char **w = words; *w; w++) {
        g_auto(GStrv) kv = g_strsplit(*w, "=", 2);
        uint64_t n;
        if (!kv[0] || !kv[1]) {
            goto bad;
        }
        if (strcmp(kv[0], "holder") == 0) {
            if (!libqtest_parse_number(kv[1], &n)) {
                goto bad;
            }
            out->holder = (int)(int64_t)n;
            have_holder = true;
        } else if (strcmp(kv[0], "pending") == 0) {
            if (!parse_pending(kv[1], out)) {
                goto bad;
            }
            have_pending = true;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
            if (strcmp(kv[0], fields[i].key) == 0) {
                if (!libqtest_parse_number(kv[1], fields[i].dst)) {
                    goto bad;
                }
                fields[i].seen = true;
            }
        }
    }
    if (!have_holder || !have_pending) {
        goto bad;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (!fields[i].seen) {
            goto bad;
        }
    }
    return;
bad:
    libqtest_fail("'fwnmi' answered 'OK %s': cannot decode it", value);
    memset(out, 0, sizeof(*out));
    out->holder = -1;
}

char *qtest_fwnmi_pending_str(const QTestFwnmi *f)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < f->npending && i < (int)G_N_ELEMENTS(f->pending); i++) {
        g_string_append_printf(s, "%s%d", i ? "," : "", f->pending[i]);
    }
    if (f->npending > (int)G_N_ELEMENTS(f->pending)) {
        g_string_append(s, ",...");
    }
    if (f->npending == 0) {
        g_string_append(s, "-");
    }
    return g_string_free(s, FALSE);
}

void qtest_start_cpus(QTestState *qts)
{
    for (uint32_t cpu = 1;; cpu++) {
        uint32_t args[3] = { cpu, 0, 0 }, ret = 0;
        if (qtest_rtas_call(qts, "start-cpu", 3, args, 1, &ret) != 0 || ret != 0) {
            break;      /* -3: no such vCPU, the last one was started */
        }
    }
}

QTestState *qtest_init_running(const char *extra_args)
{
    QTestState *qts = qtest_init(extra_args);
    qtest_start_cpus(qts);
    return qts;
}

QTestState *qtest_initf_running(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init_running(args);
}
