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
} VMAccel;

/** A character endpoint: "stdio", "null", "file:PATH", "unix:PATH[,server=on][,wait=off]" */
typedef struct CharSpec {
    enum { CHAR_NONE, CHAR_STDIO, CHAR_NULL, CHAR_FILE, CHAR_UNIX } kind;
    char *path;
    bool server;
    bool wait;
} CharSpec;

typedef struct VMOptions {
    SpaprMachineConfig machine;
    VMAccel accel;
    CharSpec qtest;
    CharSpec serial;
    CharSpec monitor;           /* HMP */
    GPtrArray *qmp;             /* CharSpec*, QMP endpoints */
    bool start_paused;          /* -S */
    bool nodefaults;
    bool nographic;
    bool display_none;
    char *name;
    char *incoming;             /* -incoming: "defer" or a migration URI */
    char *kernel;
    char *append;
    char *initrd;
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

/* Capabilities (hw/ppc/spapr_caps.c) */
/** spapr_caps_default: the defaults of the current pseries machine. */
SpaprCaps spapr_caps_default(void);
/** spapr_caps_set: apply "cap-NAME" = "on"/"off". 0 or -EINVAL with @error. */
int spapr_caps_set(SpaprCaps *caps, const char *name, const char *value, GError **error);

#endif
