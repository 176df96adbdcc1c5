/*
 * The command line, QEMU-compatible for what this machine supports.
 * vm_options_parse() validates everything up front: any unknown or
 * malformed option is a one-line error naming it, and nothing starts.
 */
#ifndef SYSTEM_OPTIONS_H
#define SYSTEM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "hw/ppc/spapr.h"

typedef enum VMAccel {
    VM_ACCEL_DEFAULT,       /* tcg with -kernel, qtest with -qtest */
    VM_ACCEL_QTEST,
    VM_ACCEL_TCG,           /* this project's interpreter (the "software CPU") */
    VM_ACCEL_KVM,           /* KVM-HV on a POWER host (target/ppc/kvm.c) */
} VMAccel;

/** A character endpoint: "stdio", "null", "file:PATH", "unix:PATH[,server=on][,wait=off]" */
typedef struct CharSpec {
    enum { CHAR_NONE, CHAR_STDIO, CHAR_NULL, CHAR_FILE, CHAR_UNIX } kind;
    char *path;
    bool server;
    bool wait;
} CharSpec;

/* -action panic=...: what a guest panic does (QEMU's names) */
typedef enum VMPanicAction {
    VM_PANIC_DEFAULT,           /* exit 1 unless a monitor/qtest client can look */
    VM_PANIC_PAUSE,             /* stay in guest-panicked */
    VM_PANIC_EXIT_FAILURE,      /* exit with status 1, monitor or not */
} VMPanicAction;
/** -chardev BACKEND,id=ID,...: a named character device for -mon. */
typedef struct NamedChardev {
    char *id;
    char *text;                 /* the option text, for messages */
    CharSpec spec;
    bool used;                  /* a -mon took it */
} NamedChardev;

/** -mon chardev=ID,mode=control|readline, resolved once all -chardev are read. */
typedef struct MonRequest {
    char *text;
    char *chardev;
    bool qmp;                   /* mode=control */
} MonRequest;

typedef struct VMOptions {
    SpaprMachineConfig machine;
    VMAccel accel;
    bool tcg_no_jit;            /* -accel tcg,x-jit=off */
    CharSpec qtest;
    CharSpec serial;
    GPtrArray *hmp;             /* CharSpec*, HMP endpoints (-monitor, -mon mode=readline) */
    GPtrArray *qmp;             /* CharSpec*, QMP endpoints (-qmp, -mon mode=control) */
    GPtrArray *chardevs;        /* NamedChardev* */
    GPtrArray *mons;            /* MonRequest* */
    char *qtest_log;            /* -qtest-log FILE, NULL for none or /dev/null */
    const char *ram_arg;        /* the -m text (in argv), for messages */
    bool preconfig;             /* --preconfig: wait for x-exit-preconfig */
    bool start_paused;          /* -S */
    bool nodefaults;
    bool nographic;
    bool display_none;
    char *name;
    char *incoming;             /* -incoming: "defer" or a migration URI */
    char *kernel;
    char *append;
    char *initrd;
    VMPanicAction panic_action; /* -action panic= */
    char *fwnmi_journal;        /* -machine fwnmi-journal=PATH */
    char *bios;                 /* -bios FILE */
} VMOptions;

/**
 * vm_options_parse: fill @opts from argv. Returns 0 to run, 1 when the
 * command only printed something (--help, --version, -machine help) and
 * the process should exit 0, or -1 with @error set (one line).
 */
int vm_options_parse(int argc, char **argv, VMOptions *opts, GError **error);
void vm_options_free(VMOptions *opts);
/** vm_options_stdio_users: how many of -qtest, -qmp and -monitor use stdio. */
int vm_options_stdio_users(const VMOptions *opts);

/** parse_size: "512M", "2G", "1024" (MiB when no suffix, as QEMU's -m). 0 or -EINVAL. */
int parse_ram_size(const char *text, uint64_t *bytes);
/** parse_char_spec: the CharSpec forms above. 0 or -EINVAL with @error. */
int parse_char_spec(const char *text, CharSpec *spec, GError **error);
void char_spec_clear(CharSpec *spec);

/* -chardev, -mon, -monitor, -qmp (system/options-char.c); handlers of the
 * option table: 0, or -1 with @error naming the option. */
int opt_handle_chardev(VMOptions *opts, const char *arg, GError **error);
int opt_handle_mon(VMOptions *opts, const char *arg, GError **error);
/** opt_resolve_mons: turn every -mon into a QMP or HMP endpoint. */
int opt_resolve_mons(VMOptions *opts, GError **error);
void opt_free_chardevs(VMOptions *opts);

/* Capabilities (hw/ppc/spapr_caps.c) */
/** spapr_caps_default: the defaults of the current pseries machine. */
SpaprCaps spapr_caps_default(void);
/**
 * spapr_caps_set: apply machine property @name = @value ("cap-NAME" or
 * another pseries property such as "x-vof"), validated as QEMU 7.2 does.
 * 0, -ENOENT when @name is no pseries property (@error not set), or
 * -EINVAL with @error.
 */
int spapr_caps_set(SpaprCaps *caps, const char *name, const char *value, GError **error);
/**
 * spapr_caps_check: what QEMU says of @caps under TCG, for the software
 * CPU (@tcg) or qtest: warnings are printed, a value the machine cannot
 * honour is an error (with QEMU's "Try appending" hint as a second line).
 * @warn false: errors only (qom-set in the preconfig state).
 */
int spapr_caps_check(const SpaprCaps *caps, bool tcg, bool warn, GError **error);

/* -cpu (hw/ppc/spapr_cpu_models.c) */
/**
 * ppc_cpu_model_lookup: QEMU's ppc64 name (or alias, case-insensitive)
 * of a CPU this machine models: its PVR and canonical name. false when
 * unknown (QEMU: "unable to find CPU model 'X'").
 */
bool ppc_cpu_model_lookup(const char *name, uint32_t *pvr, const char **canonical);
/** ppc_cpu_model_name: the canonical name of @pvr ("power9_v2.2"). */
const char *ppc_cpu_model_name(uint32_t pvr);

#endif
