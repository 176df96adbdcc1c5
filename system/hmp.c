/*
 * HMP: the human monitor. One command per line, words separated by
 * blanks, numbers in C notation (0x... hexadecimal). Output is plain text
 * lines; errors read "Error: ..." and unknown commands
 * "unknown command: 'NAME'", as in QEMU.
 */
#include "migration/migration.h"
#include "system/monitor.h"

#include <inttypes.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "qemu/cutils.h"
#include "system/bql.h"
#include "monitor-internal.h"

typedef struct HmpContext {
    SpaprMachineState *spapr;
    int cpu;                    /* the monitor's current vCPU */
    GString *out;
    MonitorAction action;
} HmpContext;

typedef void (*HmpFn)(HmpContext *ctx, char **argv, int argc);

typedef struct HmpCmd {
    const char *names;          /* "cont|c" */
    const char *params;
    const char *help;
    int min_args, max_args;     /* words after the command name */
    HmpFn fn;
} HmpCmd;

static void hmp_error(HmpContext *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void hmp_error(HmpContext *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_string_append(ctx->out, "Error: ");
    g_string_append_vprintf(ctx->out, fmt, ap);
    g_string_append_c(ctx->out, '\n');
    va_end(ap);
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "on", "yes", "true" };
    static const char *const no[] = { "0", "off", "no", "false" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!g_ascii_strcasecmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!g_ascii_strcasecmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static PowerPCCPU *parse_cpu(HmpContext *ctx, const char *s)
{
    uint64_t index;
    PowerPCCPU *cpu = NULL;
    if (qemu_parse_u64(s, &index) && index <= INT32_MAX) {
        cpu = spapr_cpu_by_index(ctx->spapr, (int64_t)index);
    }
    if (!cpu) {
        hmp_error(ctx, "invalid CPU '%s' (0..%d)", s, ctx->spapr->smp_cpus - 1);
    }
    return cpu;
}

/* ---- info ---- */

static void info_status(HmpContext *ctx, char **argv, int argc)
{
    g_autofree char *text = mon_status_text(ctx->spapr);
    g_string_append_printf(ctx->out, "%s\n", text);
}

static const char *cpu_state_name(PPCCPURunState state)
{
    switch (state) {
    case CPU_STATE_STOPPED:
        return "stopped";
    case CPU_STATE_RUNNING:
        return "running";
    case CPU_STATE_HALTED:
        return "halted";
    }
    return "unknown";
}

static void dump_registers(HmpContext *ctx, PowerPCCPU *cpu)
{
    MonCpuSnapshot snap;
    g_autoptr(GError) err = NULL;
    GString *o = ctx->out;

    if (!mon_cpu_snapshot(ctx->spapr, cpu, &snap, &err)) {
        hmp_error(ctx, "%s", err->message);
        return;
    }
    const CPUPPCState *env = &snap.env;
    g_string_append_printf(o, "NIP %016" PRIx64 "   LR %016" PRIx64 " CTR %016" PRIx64
                           " XER %016" PRIx64 " CPU#%d\n",
                           env->nip, env->lr, env->ctr, env->xer, cpu->index);
    g_string_append_printf(o, "MSR %016" PRIx64 " LPCR %016" PRIx64 " PVR %08" PRIx32
                           " state %s\n", env->msr, env->lpcr, env->pvr,
                           cpu_state_name(snap.state));
    for (int i = 0; i < 32; i++) {
        if (i % 4 == 0) {
            g_string_append_printf(o, "GPR%02d", i);
        }
        g_string_append_printf(o, " %016" PRIx64, env->gpr[i]);
        if (i % 4 == 3) {
            g_string_append_c(o, '\n');
        }
    }
    g_string_append_printf(o, "CR %08" PRIx32 "\n", env->cr);
    g_string_append_printf(o, "SRR0 %016" PRIx64 " SRR1 %016" PRIx64 "\n",
                           env->srr0, env->srr1);
    g_string_append_printf(o, "DAR %016" PRIx64 " DSISR %08" PRIx32 " CFAR %016" PRIx64
                           " DEC %08" PRIx32 "\n", env->dar, env->dsisr, env->cfar, snap.dec);
    g_string_append_printf(o, "SPRG0 %016" PRIx64 " SPRG1 %016" PRIx64 " SPRG2 %016" PRIx64
                           " SPRG3 %016" PRIx64 "\n",
                           env->sprg[0], env->sprg[1], env->sprg[2], env->sprg[3]);
}

static void info_registers(HmpContext *ctx, char **argv, int argc)
{
    SpaprMachineState *spapr = ctx->spapr;

    if (argc > 1 && !strcmp(argv[1], "-a")) {
        for (int i = 0; i < spapr->smp_cpus; i++) {
            dump_registers(ctx, spapr->cpus[i]);
        }
        return;
    }
    PowerPCCPU *cpu = argc > 1 ? parse_cpu(ctx, argv[1])
                               : spapr_cpu_by_index(spapr, ctx->cpu);
    if (cpu) {
        dump_registers(ctx, cpu);
    }
}

static void info_cpus(HmpContext *ctx, char **argv, int argc)
{
    SpaprMachineState *spapr = ctx->spapr;
    for (int i = 0; i < spapr->smp_cpus; i++) {
        g_string_append_printf(ctx->out, "%c CPU #%d: thread_id=%" PRId64 "\n",
                               i == ctx->cpu ? '*' : ' ', i,
                               mon_cpu_thread_id(spapr, spapr->cpus[i]));
    }
}

static void info_fwnmi(HmpContext *ctx, char **argv, int argc)
{
    SpaprMachineState *spapr = ctx->spapr;
    SpaprFwnmiState *f = &spapr->fwnmi;
    GString *o = ctx->out;

    g_string_append_printf(o, "FWNMI: %s\n", spapr->caps.fwnmi ? "enabled (cap-fwnmi=on)"
                                                              : "disabled (cap-fwnmi=off)");
    if (f->sreset_addr == FWNMI_ADDR_NONE) {
        g_string_append(o, "system reset handler: not registered\n");
    } else {
        g_string_append_printf(o, "system reset handler: 0x%" PRIx64 "\n", f->sreset_addr);
    }
    if (f->mce_addr == FWNMI_ADDR_NONE) {
        g_string_append(o, "machine check handler: not registered\n");
    } else {
        g_string_append_printf(o, "machine check handler: 0x%" PRIx64 "\n", f->mce_addr);
    }
    if (f->interlock_holder == FWNMI_HOLDER_NONE) {
        g_string_append(o, "interlock: free\n");
    } else {
        g_string_append_printf(o, "interlock: held by CPU %d%s\n", f->interlock_holder,
                               f->holder_entered ? "" : " (delivery in progress)");
    }
    g_string_append(o, "pending:");
    if (g_queue_is_empty(&f->pending)) {
        g_string_append(o, " none");
    }
    for (GList *l = f->pending.head; l; l = l->next) {
        g_string_append_printf(o, " %d", ((SpaprMceRequest *)l->data)->cpu_index);
    }
    g_string_append_printf(o, "\ndelivered %" PRIu64 " legacy %" PRIu64 " queued %" PRIu64
                           " nested %" PRIu64 " interlocks %" PRIu64 " sresets %" PRIu64
                           " dropped %" PRIu64 "\n",
                           f->count.delivered, f->count.legacy, f->count.queued,
                           f->count.nested, f->count.interlocks, f->count.sresets,
                           f->count.dropped);
    g_string_append_printf(o, "requests %" PRIu64 " ignored %" PRIu64 " deferred %" PRIu64
                           " unrecoverable %" PRIu64 "\n", f->count.requests,
                           f->count.ignored, f->count.deferred, f->count.unrecoverable);
    spapr_fwnmi_journal_hmp(spapr, o);
    if (f->guard.stale) {
        g_string_append_printf(o, "stale registration dropped at a %s: %s\n",
                               f->guard.stale_event, f->guard.reason);
    }
}

static void info_migrate(HmpContext *ctx, char **argv, int argc)
{
    MigInfo info;
    GString *o = ctx->out;

    migration_query(ctx->spapr, &info);
    g_string_append_printf(o, "Migration status: %s\n", mig_status_name(info.status));
    if (info.status != MIG_STATUS_NONE) {
        g_string_append_printf(o, "total time: %" PRId64 " ms\ndowntime: %" PRId64 " ms\n"
                               "transferred ram: %" PRIu64 " kbytes\n"
                               "remaining ram: %" PRIu64 " kbytes\n"
                               "total ram: %" PRIu64 " kbytes\n"
                               "normal pages: %" PRIu64 "\nzero pages: %" PRIu64 "\n"
                               "passes: %" PRIu64 "\n",
                               info.total_time_ms, info.downtime_ms,
                               info.ram_transferred >> 10, info.ram_remaining >> 10,
                               info.ram_total >> 10, info.pages_data, info.pages_zero,
                               info.passes);
    }
    if (info.error) {
        g_string_append_printf(o, "error: %s\n", info.error);
    }
    g_free(info.error);
}

static void info_version(HmpContext *ctx, char **argv, int argc)
{
    g_string_append_printf(ctx->out, "%d.%d.%d (%s)\n", MONITOR_VERSION_MAJOR,
                           MONITOR_VERSION_MINOR, MONITOR_VERSION_MICRO, MONITOR_PACKAGE);
}

static const HmpCmd info_cmds[] = {
    { "status", "", "show the current VM status (running|paused)", 0, 0, info_status },
    { "registers", "[-a|CPU]", "show the cpu registers (-a: all CPUs)", 0, 1, info_registers },
    { "cpus", "", "show infos for each CPU", 0, 0, info_cpus },
    { "fwnmi", "", "show FWNMI registration, interlock, pending machine checks and counters",
      0, 0, info_fwnmi },
    { "migrate", "", "show migration status", 0, 0, info_migrate },
    { "version", "", "show the version of QEMU", 0, 0, info_version },
};

/* ---- commands ---- */

static void cmd_help(HmpContext *ctx, char **argv, int argc);
static void cmd_info(HmpContext *ctx, char **argv, int argc);

static void cmd_stop(HmpContext *ctx, char **argv, int argc)
{
    mon_stop(ctx->spapr);
}

static void cmd_cont(HmpContext *ctx, char **argv, int argc)
{
    g_autoptr(GError) err = NULL;
    if (!mon_cont(ctx->spapr, &err)) {
        hmp_error(ctx, "%s", err->message);
    }
}

static void cmd_system_reset(HmpContext *ctx, char **argv, int argc)
{
    mon_system_reset(ctx->spapr);
}

static void cmd_quit(HmpContext *ctx, char **argv, int argc)
{
    mon_quit_prepare(ctx->spapr);
    ctx->action = MON_ACTION_QUIT;
}

static void cmd_nmi(HmpContext *ctx, char **argv, int argc)
{
    mon_inject_nmi(ctx->spapr);
}

static void cmd_mce(HmpContext *ctx, char **argv, int argc)
{
    uint64_t srr1, dsisr, dar;
    bool recovered;
    PowerPCCPU *cpu = parse_cpu(ctx, argv[1]);

    if (!cpu) {
        return;
    }
    if (!qemu_parse_u64(argv[2], &srr1)) {
        hmp_error(ctx, "invalid SRR1 '%s'", argv[2]);
        return;
    }
    if (!qemu_parse_u64(argv[3], &dsisr) || dsisr > UINT32_MAX) {
        hmp_error(ctx, "invalid DSISR '%s' (32 bits)", argv[3]);
        return;
    }
    if (!qemu_parse_u64(argv[4], &dar)) {
        hmp_error(ctx, "invalid DAR '%s'", argv[4]);
        return;
    }
    if (!parse_bool(argv[5], &recovered)) {
        hmp_error(ctx, "invalid RECOVERED '%s' (0 or 1)", argv[5]);
        return;
    }
    SpaprMceInfo info = {
        .srr1 = srr1, .dsisr = (uint32_t)dsisr, .dar = dar, .recovered = recovered,
    };
    SpaprMceResult r = mon_inject_mce(ctx->spapr, cpu, &info);
    g_string_append_printf(ctx->out, "Machine check on CPU %d: %s\n", cpu->index,
                           spapr_mce_result_name(r));
}

/* ---- memory: xp, x, pmemsave, memsave ---- */

/* Most bytes one xp/x may print: a dump is meant for reading. */
#define HMP_DUMP_MAX    (64 * 1024)

typedef struct DumpFormat {
    uint64_t count;
    char format;                /* x d u o c */
    unsigned size;              /* 1 2 4 8 */
} DumpFormat;

/* QEMU's "/[count][format][size]": count default 1, format x, size w (c: b). */
static bool parse_dump_format(const char *s, DumpFormat *f)
{
    f->count = 1;
    f->format = 'x';
    f->size = 0;
    if (g_ascii_isdigit(*s)) {
        char *end;
        f->count = g_ascii_strtoull(s, &end, 10);
        s = end;
    }
    for (; *s; s++) {
        switch (*s) {
        case 'x': case 'd': case 'u': case 'o': case 'c':
            f->format = *s;
            break;
        case 'b': f->size = 1; break;
        case 'h': f->size = 2; break;
        case 'w': f->size = 4; break;
        case 'g': f->size = 8; break;
        default:
            return false;
        }
    }
    if (!f->size) {
        f->size = f->format == 'c' ? 1 : 4;
    }
    if (f->format == 'c') {
        f->size = 1;
    }
    return f->count > 0;
}

static void print_char(GString *out, unsigned c)
{
    switch (c) {
    case '\'':
        g_string_append(out, "'\\''");
        break;
    case '\\':
        g_string_append(out, "'\\\\'");
        break;
    case '\n':
        g_string_append(out, "'\\n'");
        break;
    case '\r':
        g_string_append(out, "'\\r'");
        break;
    default:
        if (c >= 32 && c <= 126) {
            g_string_append_printf(out, "'%c'", c);
        } else {
            g_string_append_printf(out, "'\\x%02x'", c);
        }
    }
}

/*
 * QEMU's memory_dump(): lines of 16 bytes (8 for bytes), "ADDR:" then the
 * values, big-endian like QEMU's ppc64 target; an unreadable line prints
 * " Cannot access memory" and ends the dump.
 */
static void memory_dump(HmpContext *ctx, PowerPCCPU *cpu, const DumpFormat *f,
                        uint64_t addr)
{
    unsigned digits;
    uint64_t len = f->count * f->size, line = f->size == 1 ? 8 : 16;

    switch (f->format) {
    case 'o': digits = (f->size * 8 + 2) / 3; break;
    case 'u': case 'd': digits = (f->size * 8 * 10 + 32) / 33; break;
    default: digits = f->size * 2; break;
    }
    while (len > 0) {
        uint8_t buf[16];
        uint64_t l = MIN(len, line);
        g_autoptr(GError) err = NULL;

        g_string_append_printf(ctx->out, "%016" PRIx64 ":", addr);
        if (!mon_read_memory(ctx->spapr, cpu, addr, buf, l, &err)) {
            if (cpu && !g_str_has_prefix(err->message, "Invalid addr")) {
                g_string_append_printf(ctx->out, " %s\n", err->message);
            } else {
                g_string_append(ctx->out, " Cannot access memory\n");
            }
            return;
        }
        for (uint64_t i = 0; i < l; i += f->size) {
            uint64_t v = 0;
            for (unsigned b = 0; b < f->size; b++) {
                v = (v << 8) | buf[i + b];
            }
            g_string_append_c(ctx->out, ' ');
            switch (f->format) {
            case 'o':
                g_string_append_printf(ctx->out, "%#*" PRIo64, digits, v);
                break;
            case 'u':
                g_string_append_printf(ctx->out, "%*" PRIu64, digits, v);
                break;
            case 'd': {
                unsigned shift = 64 - 8 * f->size;   /* sign-extend the value */
                g_string_append_printf(ctx->out, "%*" PRId64, digits,
                                       (int64_t)(v << shift) >> shift);
                break;
            }
            case 'c':
                print_char(ctx->out, (unsigned)v);
                break;
            default:
                g_string_append_printf(ctx->out, "0x%0*" PRIx64, digits, v);
                break;
            }
        }
        g_string_append_c(ctx->out, '\n');
        addr += l;
        len -= l;
    }
}

static void dump_cmd(HmpContext *ctx, char **argv, int argc, bool physical)
{
    DumpFormat f = { 1, 'x', 4 };
    int a = 1;
    uint64_t addr;

    if (argv[1][0] == '/') {
        if (!parse_dump_format(argv[1] + 1, &f)) {
            hmp_error(ctx, "invalid format '%s' (/[count][x|d|u|o|c][b|h|w|g])", argv[1]);
            return;
        }
        a = 2;
    }
    if (a >= argc) {
        hmp_error(ctx, "usage: %s /fmt addr", argv[0]);
        return;
    }
    if (!qemu_parse_u64(argv[a], &addr)) {
        hmp_error(ctx, "invalid address '%s'", argv[a]);
        return;
    }
    if (f.count > HMP_DUMP_MAX / f.size) {
        hmp_error(ctx, "count %" PRIu64 " too large (at most %u bytes)", f.count,
                  HMP_DUMP_MAX);
        return;
    }
    PowerPCCPU *cpu = physical ? NULL : spapr_cpu_by_index(ctx->spapr, ctx->cpu);
    if (!physical && !cpu) {
        hmp_error(ctx, "no current CPU");
        return;
    }
    memory_dump(ctx, cpu, &f, addr);
}

static void cmd_xp(HmpContext *ctx, char **argv, int argc)
{
    dump_cmd(ctx, argv, argc, true);
}

static void cmd_x(HmpContext *ctx, char **argv, int argc)
{
    dump_cmd(ctx, argv, argc, false);
}

static void save_cmd(HmpContext *ctx, char **argv, bool physical)
{
    uint64_t addr, size;
    g_autoptr(GError) err = NULL;

    if (!qemu_parse_u64(argv[1], &addr)) {
        hmp_error(ctx, "invalid address '%s'", argv[1]);
        return;
    }
    if (!qemu_parse_u64(argv[2], &size)) {
        hmp_error(ctx, "invalid size '%s'", argv[2]);
        return;
    }
    PowerPCCPU *cpu = physical ? NULL : spapr_cpu_by_index(ctx->spapr, ctx->cpu);
    if (!mon_memsave(ctx->spapr, cpu, addr, size, argv[3], &err)) {
        hmp_error(ctx, "%s", err->message);
    }
}

static void cmd_pmemsave(HmpContext *ctx, char **argv, int argc)
{
    save_cmd(ctx, argv, true);
}

static void cmd_memsave(HmpContext *ctx, char **argv, int argc)
{
    save_cmd(ctx, argv, false);
}

static void cmd_migrate(HmpContext *ctx, char **argv, int argc)
{
    g_autoptr(GError) err = NULL;
    if (migration_start(ctx->spapr, argv[1], &err) < 0) {
        hmp_error(ctx, "%s", err->message);
    }
}

static void cmd_migrate_cancel(HmpContext *ctx, char **argv, int argc)
{
    migration_cancel(ctx->spapr);
}

static void cmd_migrate_incoming(HmpContext *ctx, char **argv, int argc)
{
    g_autoptr(GError) err = NULL;
    if (migration_incoming(ctx->spapr, argv[1], &err) < 0) {
        hmp_error(ctx, "%s", err->message);
    }
}

static const HmpCmd hmp_cmds[] = {
    { "help|?", "[cmd]", "show the help", 0, 1, cmd_help },
    { "info", "[subcommand]", "show various information about the system state",
      0, 2, cmd_info },
    { "stop|s", "", "stop emulation", 0, 0, cmd_stop },
    { "cont|c", "", "resume emulation", 0, 0, cmd_cont },
    { "system_reset", "", "reset the system", 0, 0, cmd_system_reset },
    { "nmi", "", "inject an NMI (system reset on every CPU, through FWNMI when registered)",
      0, 0, cmd_nmi },
    { "mce", "CPU SRR1 DSISR DAR RECOVERED",
      "inject a machine check on CPU (RECOVERED: 0 or 1)", 5, 5, cmd_mce },
    { "xp", "/fmt addr", "physical memory dump starting at 'addr' "
      "(fmt: /[count][x|d|u|o|c][b|h|w|g])", 1, 2, cmd_xp },
    { "x", "/fmt addr", "virtual memory dump starting at 'addr' (current CPU)", 1, 2, cmd_x },
    { "pmemsave", "addr size file", "save to disk physical memory dump starting at "
      "'addr' of size 'size'", 3, 3, cmd_pmemsave },
    { "memsave", "addr size file", "save to disk virtual memory dump starting at "
      "'addr' of size 'size' (current CPU)", 3, 3, cmd_memsave },
    { "migrate", "uri", "migrate to URI (file:, unix:, tcp:, exec:)", 1, 1, cmd_migrate },
    { "migrate_cancel", "", "cancel the current migration", 0, 0, cmd_migrate_cancel },
    { "migrate_incoming", "uri", "start an incoming migration (after -incoming defer)",
      1, 1, cmd_migrate_incoming },
    { "quit|q", "", "quit the emulator", 0, 0, cmd_quit },
};

static bool name_matches(const char *names, const char *word)
{
    g_auto(GStrv) alts = g_strsplit(names, "|", -1);
    for (char **a = alts; *a; a++) {
        if (!strcmp(*a, word)) {
            return true;
        }
    }
    return false;
}

static const HmpCmd *find_cmd(const HmpCmd *table, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++) {
        if (name_matches(table[i].names, word)) {
            return &table[i];
        }
    }
    return NULL;
}

static void print_help_line(GString *out, const char *prefix, const HmpCmd *c)
{
    g_string_append_printf(out, "%s%s%s%s -- %s\n", prefix, c->names, *c->params ? " " : "",
                           c->params, c->help);
}

static void cmd_help(HmpContext *ctx, char **argv, int argc)
{
    const HmpCmd *c = argc > 1 ? find_cmd(hmp_cmds, G_N_ELEMENTS(hmp_cmds), argv[1]) : NULL;

    if (argc > 1 && !c) {
        g_string_append_printf(ctx->out, "unknown command: '%s'\n", argv[1]);
        return;
    }
    if (c && c->fn == cmd_info) {
        for (size_t i = 0; i < G_N_ELEMENTS(info_cmds); i++) {
            print_help_line(ctx->out, "info ", &info_cmds[i]);
        }
        return;
    }
    if (c) {
        print_help_line(ctx->out, "", c);
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(hmp_cmds); i++) {
        print_help_line(ctx->out, "", &hmp_cmds[i]);
    }
}

static void run_cmd(HmpContext *ctx, const HmpCmd *c, const char *prefix, char **argv,
                    int argc)
{
    if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
        hmp_error(ctx, "usage: %s%s%s%s", prefix, argv[0], *c->params ? " " : "", c->params);
        return;
    }
    c->fn(ctx, argv, argc);
}

static void cmd_info(HmpContext *ctx, char **argv, int argc)
{
    if (argc == 1) {
        for (size_t i = 0; i < G_N_ELEMENTS(info_cmds); i++) {
            print_help_line(ctx->out, "info ", &info_cmds[i]);
        }
        return;
    }
    const HmpCmd *c = find_cmd(info_cmds, G_N_ELEMENTS(info_cmds), argv[1]);
    if (!c) {
        g_string_append_printf(ctx->out, "unknown command: 'info %s'\n", argv[1]);
        return;
    }
    run_cmd(ctx, c, "info ", argv + 1, argc - 1);
}

char *hmp_banner(void)
{
    return g_strdup_printf("QEMU %d.%d.%d monitor - type 'help' for more information\n",
                           MONITOR_VERSION_MAJOR, MONITOR_VERSION_MINOR,
                           MONITOR_VERSION_MICRO);
}

MonitorAction hmp_execute_locked(SpaprMachineState *spapr, const char *line,
                                 int default_cpu, GString *out)
{
    int argc;
    g_auto(GStrv) argv = qemu_split_words(line, &argc);
    HmpContext ctx = { .spapr = spapr, .cpu = default_cpu, .out = out };

    if (argc == 0) {
        return MON_ACTION_NONE;
    }
    if (argc > 8) {
        /* Every command takes a handful of words: avoid a long usage line. */
        hmp_error(&ctx, "too many arguments");
        return MON_ACTION_NONE;
    }
    const HmpCmd *c = find_cmd(hmp_cmds, G_N_ELEMENTS(hmp_cmds), argv[0]);
    if (!c) {
        g_string_append_printf(out, "unknown command: '%s'\n", argv[0]);
        return MON_ACTION_NONE;
    }
    run_cmd(&ctx, c, "", argv, argc);
    return ctx.action;
}
