/*
 * Command-line parsing (include/system/options.h). QEMU accepts both
 * "-opt" and "--opt"; so do we. Options are table driven: name, whether it
 * takes an argument, and a handler that validates it.
 */
#include "system/options.h"
#include "options-internal.h"

#include "migration/migration.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/cutils.h"
#include "system/trace.h"
#include "target/ppc/kvm_ppc.h"

#define PROGRAM "qemu-system-ppc64"
#define VERSION_TEXT PROGRAM " version 0.1.0 (fwnmi-vmm: pseries FWNMI machine)\n"

typedef int (*OptHandler)(VMOptions *opts, const char *arg, GError **error);

typedef struct OptDesc {
    const char *name;
    bool has_arg;
    OptHandler handler;
    const char *help;
} OptDesc;

int opt_error(GError **error, const char *opt, const char *arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-%s%s%s: %s",
                opt, arg ? " " : "", arg ? arg : "", why);
    return -1;
}

/*
 * The elements of a QemuOpts-style list "a,b=c,d". As QEMU: one trailing
 * comma is ignored ("pseries,"), any other empty element (",a", "a,,b")
 * is an error, and "" is the empty list. Returns a NULL-terminated vector
 * with no empty element (g_strfreev), or NULL with @error set naming
 * "-@opt @text".
 */
static char **split_opt_list(const char *opt, const char *text, GError **error)
{
    char **parts = g_strsplit(text, ",", -1);
    guint n = g_strv_length(parts);

    if (n && !*parts[n - 1]) {          /* "" or a trailing comma */
        g_free(parts[n - 1]);
        parts[--n] = NULL;
    }
    for (guint i = 0; i < n; i++) {
        if (!*parts[i]) {
            g_strfreev(parts);
            opt_error(error, opt, text, "Invalid parameter ''");
            return NULL;
        }
    }
    return parts;
}

int parse_ram_size(const char *text, uint64_t *bytes)
{
    char *end;
    errno = 0;
    if (!g_ascii_isdigit(text[0])) {
        return -EINVAL;
    }
    guint64 n = g_ascii_strtoull(text, &end, 10);
    if (errno) {
        return -EINVAL;
    }
    unsigned shift;
    switch (g_ascii_toupper(*end)) {
    case '\0': shift = 20; break;   /* QEMU: a bare number is MiB */
    case 'B': shift = 0; break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: return -EINVAL;
    }
    if (*end && end[1] != '\0' && !(g_ascii_toupper(end[1]) == 'B' && end[2] == '\0')) {
        return -EINVAL;
    }
    if (n > (UINT64_MAX >> shift)) {
        return -EINVAL;
    }
    *bytes = n << shift;
    return 0;
}

static int opt_machine(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("machine", arg, error);
    if (!parts) {
        return -1;
    }
    /* As QEMU: the first element is the type unless it is a property;
     * "-M ''" (or "-M cap-fwnmi=on") selects the default machine. */
    const char *type = "pseries";
    char **props = parts;
    if (parts[0] && (g_str_has_prefix(parts[0], "type=") || !strchr(parts[0], '='))) {
        type = parts[0] + (g_str_has_prefix(parts[0], "type=") ? 5 : 0);
        props = parts + 1;
    }
    if (!strcmp(type, "help")) {
        printf("Supported machines are:\n"
               "none                 empty machine\n"
               "pseries              pSeries Logical Partition (PAPR compliant) "
               "(alias of pseries-7.2)\n"
               "pseries-7.2          pSeries Logical Partition (PAPR compliant) (default)\n");
        return 1;
    }
    bool none = !strcmp(type, "none");
    if (strcmp(type, "pseries") != 0 && strcmp(type, "pseries-7.2") != 0 && !none) {
        return opt_error(error, "machine", arg,
                         "unsupported machine type '%s' (use -machine help)", type);
    }
    opts->machine.none = none;
    for (char **p = props; *p; p++) {
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        if (!*kv[0]) {
            return opt_error(error, "machine", arg, "Invalid parameter ''");
        }
        if (!strcmp(kv[0], "accel")) {
            if (!kv[1] || !*kv[1]) {
                return opt_error(error, "machine", arg, "Parameter 'accel' expects a value");
            }
            if (!strcmp(kv[1], "qtest")) {
                opts->accel = VM_ACCEL_QTEST;
            } else if (!strcmp(kv[1], "tcg")) {
                opts->accel = VM_ACCEL_TCG;
            } else if (!strcmp(kv[1], "kvm")) {
                opts->accel = VM_ACCEL_KVM;
            } else {
                return opt_error(error, "machine", arg, "unsupported accelerator '%s'", kv[1]);
            }
        } else if (!strcmp(kv[0], "fwnmi-journal") && !none) {
            if (!kv[1] || !*kv[1]) {
                return opt_error(error, "machine", arg, "Parameter 'fwnmi-journal' expects a path");
            }
            g_free(opts->fwnmi_journal);
            opts->fwnmi_journal = g_strdup(kv[1]);
        } else {
            GError *err = NULL;
            int ret = none ? -ENOENT : spapr_caps_set(&opts->machine.caps, kv[0], kv[1], &err);
            if (ret == -ENOENT) {
                return opt_error(error, "machine", arg, "Property '%s.%s' not found",
                                 none ? "none-machine" : "pseries-7.2-machine", kv[0]);
            }
            if (ret < 0) {
                opt_error(error, "machine", arg, "%s", err->message);
                g_error_free(err);
                return -1;
            }
        }
    }
    return 0;
}

static int opt_m(VMOptions *opts, const char *arg, GError **error)
{
    if (!*arg) {
        return 0;       /* as QEMU: "-m ''" keeps the default size */
    }
    const char *text = g_str_has_prefix(arg, "size=") ? arg + 5 : arg;
    uint64_t bytes;
    if (parse_ram_size(text, &bytes) < 0) {
        return opt_error(error, "m", arg, "invalid RAM size (use e.g. 512M or 2G)");
    }
    opts->machine.ram_size = bytes;
    opts->ram_arg = arg;        /* checked once the machine type is known */
    return 0;
}

/* -m against the machine: pseries needs 16 MiB .. 1 TiB in whole pages;
 * -machine none takes any size (rounded up to a page, as QEMU does). */
static int check_ram_size(VMOptions *opts, GError **error)
{
    uint64_t bytes = opts->machine.ram_size;
    if (opts->machine.none) {
        if (bytes > (1ULL << 40)) {
            return opt_error(error, "m", opts->ram_arg, "RAM size must be at most 1 TiB");
        }
        bytes = (bytes + GUEST_PAGE_SIZE - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
        opts->machine.ram_size = MAX(bytes, GUEST_PAGE_SIZE);
        return 0;
    }
    if (bytes < SPAPR_MIN_RAM || bytes % GUEST_PAGE_SIZE) {
        return opt_error(error, "m", opts->ram_arg,
                         "RAM size must be a multiple of 4 KiB and at least 16 MiB");
    }
    if (bytes > (1ULL << 40)) {
        return opt_error(error, "m", opts->ram_arg, "RAM size must be at most 1 TiB");
    }
    return 0;
}

static int opt_smp(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("smp", arg, error);
    long cpus = -1;

    if (!parts) {
        return -1;
    }
    if (!parts[0]) {
        return 0;       /* as QEMU: "-smp ''" keeps the default */
    }
    for (char **p = parts; *p; p++) {
        const char *v = *p;
        if (g_str_has_prefix(v, "cpus=")) {
            v += 5;
        } else if (g_str_has_prefix(v, "maxcpus=")) {
            continue;   /* no hotplug: maxcpus = cpus */
        } else if (p != parts) {
            return opt_error(error, "smp", arg, "unsupported parameter '%s'", v);
        }
        char *end;
        cpus = g_ascii_isdigit(v[0]) ? strtol(v, &end, 10) : -1;
        if (cpus < 0 || *end) {
            return opt_error(error, "smp", arg, "invalid CPU count");
        }
    }
    if (cpus < 1 || cpus > SPAPR_MAX_CPUS) {
        return opt_error(error, "smp", arg, "CPU count must be between 1 and %d",
                         SPAPR_MAX_CPUS);
    }
    opts->machine.smp_cpus = (int)cpus;
    return 0;
}

static int opt_accel(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("accel", arg, error);
    if (!parts) {
        return -1;
    }
    if (!parts[0] || !strcmp(parts[0], "help")) {
        /* As QEMU: "-accel ''" lists the accelerators. */
        printf("Accelerators supported in QEMU binary:\ntcg\nqtest\n%s",
               kvm_built() ? "kvm\n" : "");
        return 1;
    }
    const char *name = g_str_has_prefix(parts[0], "accel=") ? parts[0] + 6 : parts[0];
    for (char **p = parts + 1; *p; p++) {
        /* x-jit=on|off: the software CPU's block compiler (tcg only). */
        if (!strcmp(name, "tcg") && !strcmp(*p, "x-jit=on")) {
            opts->tcg_no_jit = false;
        } else if (!strcmp(name, "tcg") && !strcmp(*p, "x-jit=off")) {
            opts->tcg_no_jit = true;
        } else if (!strcmp(name, "tcg") && g_str_has_prefix(*p, "x-jit=")) {
            return opt_error(error, "accel", arg,
                             "Parameter 'x-jit' expects 'on' or 'off'");
        } else {
            return opt_error(error, "accel", arg, "Invalid parameter '%s'", *p);
        }
    }
    if (!strcmp(name, "qtest")) {
        opts->accel = VM_ACCEL_QTEST;
    } else if (!strcmp(name, "tcg")) {
        opts->accel = VM_ACCEL_TCG;
    } else if (!strcmp(name, "kvm")) {
        opts->accel = VM_ACCEL_KVM;     /* refused at start-up where not built */
    } else {
        return opt_error(error, "accel", arg,
                         "unsupported accelerator (supported: tcg, qtest, kvm)");
    }
    return 0;
}

static int opt_char(CharSpec *spec, const char *opt, const char *arg, GError **error)
{
    GError *err = NULL;
    char_spec_clear(spec);
    if (parse_char_spec(arg, spec, &err) < 0) {
        opt_error(error, opt, NULL, "%s", err->message);
        g_error_free(err);
        return -1;
    }
    return 0;
}

static int opt_qtest(VMOptions *opts, const char *arg, GError **error)
{
    return opt_char(&opts->qtest, "qtest", arg, error);
}

static int opt_serial(VMOptions *opts, const char *arg, GError **error)
{
    return opt_char(&opts->serial, "serial", arg, error);
}

static int opt_monitor(VMOptions *opts, const char *arg, GError **error)
{
    CharSpec *spec = g_new0(CharSpec, 1);
    g_ptr_array_add(opts->hmp, spec);
    return opt_char(spec, "monitor", arg, error);
}

static int opt_cpu(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("cpu", arg, error);
    const char *canonical;
    uint32_t pvr;

    if (!parts) {
        return -1;
    }
    if (!parts[0] || !strcmp(parts[0], "help")) {
        static const char *const names[] = {
            "power8e_v2.1", "power8nvl_v1.0", "power8_v2.0", "power9_v1.0",
            "power9_v2.0", "power9_v2.2", "power10_v1.0", "power10_v2.0",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            ppc_cpu_model_lookup(names[i], &pvr, &canonical);
            printf("PowerPC %-16s PVR %08x\n", names[i], pvr);
        }
        printf("PowerPC %-16s (alias for power8e_v2.1)\n", "power8e");
        printf("PowerPC %-16s (alias for power8nvl_v1.0)\n", "power8nvl");
        printf("PowerPC %-16s (alias for power8_v2.0)\n", "power8");
        printf("PowerPC %-16s (alias for power9_v2.2)\n", "power9");
        printf("PowerPC %-16s (alias for power10_v2.0)\n", "power10");
        return 1;
    }
    if (!strcmp(parts[0], "host")) {
        /* QEMU: "host" exists only with KVM, which this VMM does not use. */
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "unable to find CPU model 'host'");
        return -1;
    }
    if (!ppc_cpu_model_lookup(parts[0], &pvr, &canonical)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "unable to find CPU model '%s'", parts[0]);
        return -1;
    }
    if (parts[1]) {
        g_auto(GStrv) kv = g_strsplit(parts[1], "=", 2);
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "can't apply global %s-powerpc64-cpu.%s: Property "
                    "'%s-powerpc64-cpu.%s' not found", canonical, parts[1], canonical, kv[0]);
        return -1;
    }
    opts->machine.pvr = pvr;
    return 0;
}

/* -audio and -audiodev: this machine has no sound device; only the "none"
 * driver is accepted (libqtest passes "-audio none"). */
static int opt_audio(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("audio", arg, error);
    if (!parts) {
        return -1;
    }
    for (char **p = parts; *p; p++) {
        const char *v = *p;
        if (p == parts && !strchr(v, '=')) {
            v = g_str_has_prefix(v, "driver=") ? v + 7 : v;
        } else if (g_str_has_prefix(v, "driver=")) {
            v += 7;
        } else if (g_str_has_prefix(v, "model=") || g_str_has_prefix(v, "id=")) {
            return opt_error(error, "audio", arg, "no sound device on this machine");
        } else {
            return opt_error(error, "audio", arg, "Invalid parameter '%s'", v);
        }
        if (strcmp(v, "none") != 0) {
            return opt_error(error, "audio", arg,
                             "Parameter 'driver' does not accept value '%s'", v);
        }
    }
    return 0;
}

static int opt_audiodev(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("audiodev", arg, error);
    bool have_id = false;
    if (!parts) {
        return -1;
    }
    for (char **p = parts; *p; p++) {
        const char *v = *p;
        if (g_str_has_prefix(v, "id=") && v[3]) {
            have_id = true;
            continue;
        }
        v = g_str_has_prefix(v, "driver=") ? v + 7 : v;
        if (strchr(v, '=') || (p != parts && v == *p)) {
            return opt_error(error, "audiodev", arg, "Invalid parameter '%.*s'",
                             (int)strcspn(*p, "="), *p);
        }
        if (strcmp(v, "none") != 0) {
            return opt_error(error, "audiodev", arg,
                             "Parameter 'driver' does not accept value '%s'", v);
        }
    }
    if (!have_id) {
        return opt_error(error, "audiodev", arg, "Parameter 'id' is missing");
    }
    return 0;
}

static int opt_qtest_log(VMOptions *opts, const char *arg, GError **error)
{
    g_free(opts->qtest_log);
    opts->qtest_log = (!strcmp(arg, "none") || !strcmp(arg, "/dev/null") || !*arg)
                      ? NULL : g_strdup(arg);
    return 0;
}

static int opt_flag_preconfig(VMOptions *opts, const char *arg, GError **error)
{
    opts->preconfig = true;
    return 0;
}

static int opt_qmp(VMOptions *opts, const char *arg, GError **error)
{
    CharSpec *spec = g_new0(CharSpec, 1);
    g_ptr_array_add(opts->qmp, spec);
    return opt_char(spec, "qmp", arg, error);
}

static int opt_display(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) parts = split_opt_list("display", arg, error);
    if (!parts) {
        return -1;
    }
    if (!parts[0]) {
        return opt_error(error, "display", arg, "Parameter 'type' is missing");
    }
    if (strcmp(parts[0], "none") != 0 || parts[1]) {
        return opt_error(error, "display", arg, "only 'none' is supported");
    }
    opts->display_none = true;
    return 0;
}

static int opt_flag_nodefaults(VMOptions *opts, const char *arg, GError **error)
{
    opts->nodefaults = true;
    return 0;
}

static int opt_flag_nographic(VMOptions *opts, const char *arg, GError **error)
{
    opts->nographic = true;
    return 0;
}

static int opt_flag_enable_kvm(VMOptions *opts, const char *arg, GError **error)
{
    opts->accel = VM_ACCEL_KVM;
    return 0;
}

static int opt_flag_S(VMOptions *opts, const char *arg, GError **error)
{
    opts->start_paused = true;
    return 0;
}

static int opt_name(VMOptions *opts, const char *arg, GError **error)
{
    g_free(opts->name);
    opts->name = g_strdup(g_str_has_prefix(arg, "guest=") ? arg + 6 : arg);
    return 0;
}

/* -action panic=pause|exit-failure (QEMU's other actions are not modelled). */
static int opt_action(VMOptions *opts, const char *arg, GError **error)
{
    g_auto(GStrv) items = split_opt_list("action", arg, error);
    if (!items) {
        return -1;
    }
    for (char **it = items; *it; it++) {
        if (!strcmp(*it, "panic=pause")) {
            opts->panic_action = VM_PANIC_PAUSE;
        } else if (!strcmp(*it, "panic=exit-failure")) {
            opts->panic_action = VM_PANIC_EXIT_FAILURE;
        } else if (g_str_has_prefix(*it, "panic=")) {
            return opt_error(error, "action", arg, "Parameter 'panic' does not accept "
                             "that value (pause or exit-failure)");
        } else {
            return opt_error(error, "action", arg, "unsupported action (only panic=)");
        }
    }
    return 0;
}

static int opt_incoming(VMOptions *opts, const char *arg, GError **error)
{
    if (strcmp(arg, "defer") != 0 && mig_uri_check(arg, NULL) < 0) {
        return opt_error(error, "incoming", arg,
                         "expected defer, file:PATH, unix:PATH, tcp:HOST:PORT or exec:CMD");
    }
    g_free(opts->incoming);
    opts->incoming = g_strdup(arg);
    return 0;
}

static int opt_kernel(VMOptions *opts, const char *arg, GError **error)
{
    if (!*arg) {
        return opt_error(error, "kernel", arg, "no file name given");
    }
    g_free(opts->kernel);
    opts->kernel = g_strdup(arg);
    return 0;
}

static int opt_bios(VMOptions *opts, const char *arg, GError **error)
{
    if (!*arg) {
        return opt_error(error, "bios", arg, "no file name given");
    }
    g_free(opts->bios);
    opts->bios = g_strdup(arg);
    return 0;
}

static int opt_initrd(VMOptions *opts, const char *arg, GError **error)
{
    g_free(opts->initrd);
    opts->initrd = g_strdup(arg);
    return 0;
}

static int opt_append(VMOptions *opts, const char *arg, GError **error)
{
    /* The tree is sized from its inputs (hw/ppc/spapr_fdt.c); this bound
     * keeps it small. Linux keeps only COMMAND_LINE_SIZE (2048) bytes. */
    size_t len = strlen(arg);
    if (len > SPAPR_CMDLINE_MAX) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-append: kernel command line too long (%zu bytes, at most %d)",
                    len, SPAPR_CMDLINE_MAX);
        return -1;
    }
    g_free(opts->append);
    opts->append = g_strdup(arg);
    return 0;
}

static int opt_d(VMOptions *opts, const char *arg, GError **error)
{
    if (!*arg || trace_enable_log_items(arg) < 0) {
        return opt_error(error, "d", arg, "unknown log item (supported: guest_errors, unimp)");
    }
    return 0;
}

static int opt_trace(VMOptions *opts, const char *arg, GError **error)
{
    const char *group = g_str_has_prefix(arg, "enable=") ? arg + 7 : arg;
    if (!*arg) {
        return 0;       /* as QEMU: "-trace ''" enables nothing */
    }
    static const char *const groups[] = { "*", "rtas", "fwnmi", "hcall", "qtest", "monitor", "kvm", "vof",
                                          "cas" };
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
        if (!strcmp(group, groups[i])) {
            trace_enable_group(group);
            return 0;
        }
    }
    return opt_error(error, "trace", arg,
                     "unknown trace group (rtas, fwnmi, hcall, qtest, monitor, kvm, vof, "
                     "cas or *)");
}

static int opt_help(VMOptions *opts, const char *arg, GError **error);

static int opt_version(VMOptions *opts, const char *arg, GError **error)
{
    fputs(VERSION_TEXT, stdout);
    return 1;
}

static const OptDesc options[] = {
    { "machine", true, opt_machine, "pseries[,cap-fwnmi=on|off][,x-vof=on|off][,fwnmi-journal=PATH][,accel=tcg|qtest|kvm]" },
    { "M", true, opt_machine, "same as -machine" },
    { "m", true, opt_m, "SIZE  guest RAM (e.g. 512M, 2G; default 512M)" },
    { "smp", true, opt_smp, "N  number of vCPUs, 1..64 (default 1)" },
    { "accel", true, opt_accel, "tcg[,x-jit=on|off]|qtest|kvm  tcg is this project's interpreter (x-jit: its block compiler, on by default on x86-64); kvm needs a POWER host" },
    { "enable-kvm", false, opt_flag_enable_kvm, "same as -accel kvm" },
    { "kernel", true, opt_kernel, "FILE  ELF64 image to boot (either endianness)" },
    { "bios", true, opt_bios, "FILE  boot firmware loaded at 0 (default with no -kernel: " SPAPR_DEFAULT_BIOS ")" },
    { "initrd", true, opt_initrd, "FILE  initial ram disk, loaded above the kernel" },
    { "append", true, opt_append, "TEXT  /chosen/bootargs" },
    { "qtest", true, opt_qtest, "stdio|unix:PATH[,server=on]  qtest protocol endpoint" },
    { "qmp", true, opt_qmp, "stdio|unix:PATH,server=on[,wait=off]  QMP endpoint" },
    { "monitor", true, opt_monitor, "stdio  human monitor (HMP)" },
    { "chardev", true, opt_handle_chardev,
      "socket,id=ID,path=P[,server=on|off][,wait=on|off] | stdio,id=ID | null,id=ID" },
    { "mon", true, opt_handle_mon, "chardev=ID[,mode=control|readline]  monitor on a -chardev" },
    { "qtest-log", true, opt_qtest_log, "FILE  log the qtest protocol (none, /dev/null: off)" },
    { "cpu", true, opt_cpu, "MODEL  power8, power9 (default), power10 ... (-cpu help)" },
    { "audio", true, opt_audio, "none  (no sound device)" },
    { "audiodev", true, opt_audiodev, "none,id=ID  (no sound device)" },
    { "preconfig", false, opt_flag_preconfig, "wait for QMP x-exit-preconfig before starting" },
    { "serial", true, opt_serial, "stdio|null|file:PATH  guest console" },
    { "display", true, opt_display, "none" },
    { "nodefaults", false, opt_flag_nodefaults, "no default console" },
    { "nographic", false, opt_flag_nographic, "guest console on stdio" },
    { "S", false, opt_flag_S, "do not start the vCPUs until 'cont'" },
    { "name", true, opt_name, "NAME  VM name" },
    { "action", true, opt_action, "panic=pause|exit-failure  what a guest panic does" },
    { "incoming", true, opt_incoming, "defer|file:PATH|unix:PATH|tcp:HOST:PORT|exec:CMD  wait for a migration" },
    { "d", true, opt_d, "guest_errors,unimp  log guest mistakes / unimplemented features to stderr" },
    { "trace", true, opt_trace, "GROUP  print trace points of GROUP (rtas fwnmi hcall qtest monitor *)" },
    { "version", false, opt_version, "print the version and exit" },
    { "help", false, opt_help, "print this help and exit" },
    { "h", false, opt_help, "same as -help" },
};

static int opt_help(VMOptions *opts, const char *arg, GError **error)
{
    printf("usage: " PROGRAM " [options]\n\n");
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        printf("  -%-12s %s\n", options[i].name, options[i].help);
    }
    return 1;
}

static const OptDesc *find_option(const char *arg)
{
    if (arg[0] != '-') {
        return NULL;
    }
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
        if (!strcmp(options[i].name, name)) {
            return &options[i];
        }
    }
    return NULL;
}

static void vm_options_init(VMOptions *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->machine.ram_size = SPAPR_DEFAULT_RAM;
    opts->machine.smp_cpus = 1;
    opts->machine.caps = spapr_caps_default();
    opts->qmp = g_ptr_array_new();
    opts->hmp = g_ptr_array_new();
    opts->chardevs = g_ptr_array_new();
    opts->mons = g_ptr_array_new();
}

static int vm_options_parse_args(int argc, char **argv, VMOptions *opts, GError **error);

int vm_options_parse(int argc, char **argv, VMOptions *opts, GError **error)
{
    int ret = vm_options_parse_args(argc, argv, opts, error);
    if (ret < 0 && error && *error) {
        /* Messages echo option values: a newline in one must not make
         * the error two lines (found by tests/fuzz/fuzz-cmdline). */
        char *line = qemu_one_line((*error)->message);
        g_free((*error)->message);
        (*error)->message = line;
    }
    return ret;
}

static int vm_options_parse_args(int argc, char **argv, VMOptions *opts, GError **error)
{
    vm_options_init(opts);
    for (int i = 1; i < argc; i++) {
        const OptDesc *opt = find_option(argv[i]);
        if (!opt) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                        "%s: invalid option", argv[i]);
            return -1;
        }
        const char *arg = NULL;
        if (opt->has_arg) {
            if (i + 1 >= argc) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "%s: requires an argument", argv[i]);
                return -1;
            }
            arg = argv[++i];
        }
        int ret = opt->handler(opts, arg, error);
        if (ret != 0) {
            return ret;
        }
    }
    if (opt_resolve_mons(opts, error) < 0 || check_ram_size(opts, error) < 0) {
        return -1;
    }
    if (opts->machine.none && opts->machine.smp_cpus > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "Invalid SMP CPUs %d. The max CPUs supported by machine 'none' is 1",
                    opts->machine.smp_cpus);
        return -1;
    }
    opts->machine.kernel_path = opts->kernel;
    opts->machine.kernel_cmdline = opts->append;
    opts->machine.initrd_path = opts->initrd;
    opts->machine.fwnmi_journal = opts->fwnmi_journal;
    opts->machine.bios_path = opts->bios;
    /* -kernel alone is booted directly (or through VOF with x-vof=on);
     * -bios given as well selects the firmware boot: SLOF loads and
     * enters the kernel, as QEMU's default pseries does. */
    if (opts->bios && opts->kernel && opts->machine.caps.x_vof) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-bios with x-vof=on: VOF is the firmware; drop one of them");
        return -1;
    }
    if (opts->append && !opts->kernel) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-append only allowed with -kernel option");
        return -1;
    }
    if (opts->initrd && !opts->kernel) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-initrd only allowed with -kernel option");
        return -1;
    }
    return 0;
}

int vm_options_stdio_users(const VMOptions *opts)
{
    int users = opts->qtest.kind == CHAR_STDIO;
    for (guint i = 0; i < opts->qmp->len; i++) {
        users += ((const CharSpec *)g_ptr_array_index(opts->qmp, i))->kind == CHAR_STDIO;
    }
    for (guint i = 0; i < opts->hmp->len; i++) {
        users += ((const CharSpec *)g_ptr_array_index(opts->hmp, i))->kind == CHAR_STDIO;
    }
    return users;
}

void vm_options_free(VMOptions *opts)
{
    char_spec_clear(&opts->qtest);
    char_spec_clear(&opts->serial);
    GPtrArray *lists[] = { opts->qmp, opts->hmp };
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; lists[l] && i < lists[l]->len; i++) {
            char_spec_clear(g_ptr_array_index(lists[l], i));
            g_free(g_ptr_array_index(lists[l], i));
        }
        if (lists[l]) {
            g_ptr_array_free(lists[l], TRUE);
        }
    }
    opt_free_chardevs(opts);
    g_free(opts->qtest_log);
    g_free(opts->name);
    g_free(opts->fwnmi_journal);
    g_free(opts->incoming);
    g_free(opts->kernel);
    g_free(opts->append);
    g_free(opts->initrd);
    g_free(opts->bios);
}
