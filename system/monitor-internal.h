/*
 * Monitor internals shared by system/monitor.c (endpoints, threads, output
 * queues, events), system/qmp.c (QMP protocol and dispatch),
 * system/qmp-cmds.c (QMP commands and the machine operations they share
 * with HMP) and system/hmp.c (human monitor).
 *
 * Threads: every endpoint has a reader thread (it parses input and runs
 * the commands, taking the BQL around each one) and a writer thread that
 * drains the endpoint's output queue. Replies and asynchronous events are
 * queued, never written under the BQL, so a client that stops reading can
 * not stall the guest: past MONITOR_OUT_MAX queued bytes the client is
 * dropped (sockets) or the output discarded (stdio).
 */
#ifndef SYSTEM_MONITOR_INTERNAL_H
#define SYSTEM_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "hw/ppc/spapr.h"

/* QMP greeting: this VMM's version, as QEMU reports its own. */
#define MONITOR_VERSION_MAJOR 0
#define MONITOR_VERSION_MINOR 1
#define MONITOR_VERSION_MICRO 0
#define MONITOR_PACKAGE       "fwnmi-vmm"

/* Error classes of QMP error replies (GError codes in MON_ERROR). */
typedef enum MonErrorClass {
    MON_ERROR_GENERIC,              /* "GenericError" */
    MON_ERROR_COMMAND_NOT_FOUND,    /* "CommandNotFound" */
} MonErrorClass;

#define MON_ERROR (mon_error_quark())
GQuark mon_error_quark(void);

/* What the endpoint must do once the reply has been sent. */
typedef enum MonitorAction {
    MON_ACTION_NONE,
    MON_ACTION_QUIT,                /* flush, then make the process exit 0 */
} MonitorAction;

/* ---- QMP protocol (system/qmp.c) ---- */

/** qmp_greeting: the greeting line (with its newline). */
char *qmp_greeting(void);

/**
 * qmp_process_line: run one line of QMP input. Returns the reply line
 * (with its newline), or NULL for a blank line. @command_mode is the
 * session's state; *@enter_command_mode is set when qmp_capabilities
 * succeeded (the caller switches the session when it queues the reply).
 * *@action tells what to do after the reply. Takes the BQL itself.
 */
char *qmp_process_line(SpaprMachineState *spapr, const char *line, bool command_mode,
                       bool *enter_command_mode, MonitorAction *action);

/** qmp_error_line: an error reply line (no id) with the class and text. */
char *qmp_error_line(MonErrorClass cls, const char *desc);

/**
 * qmp_format_event: the event line for @name with @data_json (JSON
 * object text, or NULL for none) and the current time. NULL if
 * @data_json does not parse (a machine bug: logged).
 */
char *qmp_format_event(const char *name, const char *data_json);

/* ---- JSON helpers for the commands (system/qmp.c) ---- */

/**
 * qmp_json_text: @node as JSON text with QEMU's separators (", " and
 * ": "), so that replies read byte for byte as QEMU's; a newline at the
 * end when @newline.
 */
char *qmp_json_text(JsonNode *node, bool newline);
/** qmp_add_int, qmp_add_bool, qmp_add_str: member @name of the open object. */
void qmp_add_int(JsonBuilder *b, const char *name, int64_t value);
void qmp_add_bool(JsonBuilder *b, const char *name, bool value);
void qmp_add_str(JsonBuilder *b, const char *name, const char *value);
/** qmp_empty_object: a new {} node ("return": {}). */
JsonNode *qmp_empty_object(void);
/** qmp_add_version: the {"qemu": {...}, "package": ...} object (greeting, query-version). */
void qmp_add_version(JsonBuilder *b);

/* ---- QMP commands (system/qmp-cmds.c) ---- */

/* What a command sees of its session. */
typedef struct QmpContext {
    SpaprMachineState *spapr;
    MonitorAction action;
} QmpContext;

typedef enum QmpArgType {
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_STR,
    QMP_ARG_STR_LIST,
} QmpArgType;

/* One member of "arguments": system/qmp.c checks them before the call. */
typedef struct QmpArgSpec {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArgSpec;

/* Returns the "return" value, or NULL with @error set. BQL held. */
typedef JsonNode *(*QmpHandler)(QmpContext *ctx, JsonObject *args, GError **error);

typedef struct QmpCommand {
    const char *name;
    QmpHandler fn;
    const QmpArgSpec *args;     /* NULL-name terminated, or NULL for none */
} QmpCommand;

/** qmp_find_command: the command named @name, or NULL. */
const QmpCommand *qmp_find_command(const char *name);

/* ---- machine operations shared by QMP and HMP (system/qmp-cmds.c), BQL held ---- */

/** mon_stop: pause the machine and return once every vCPU is parked. */
void mon_stop(SpaprMachineState *spapr);
/** mon_cont: resume; false with @error when the machine must be reset first. */
bool mon_cont(SpaprMachineState *spapr, GError **error);
/** mon_quit_prepare: the process will exit 0 (the caller then runs the quit). */
void mon_quit_prepare(SpaprMachineState *spapr);
/** mon_system_reset: reset now (vCPUs parked) and emit RESET. */
void mon_system_reset(SpaprMachineState *spapr);
/** mon_inject_nmi: system reset interrupt on every vCPU (FWNMI when registered). */
void mon_inject_nmi(SpaprMachineState *spapr);
/** mon_inject_mce: spapr_mce_req_event() plus exactly one FWNMI_MACHINE_CHECK. */
SpaprMceResult mon_inject_mce(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info);
/** mon_inject_memory_error: poison the page at @addr. false with @error if not RAM. */
bool mon_inject_memory_error(SpaprMachineState *spapr, uint64_t addr, bool recovered,
                             GError **error);

/** A consistent copy of one vCPU's registers. */
typedef struct MonCpuSnapshot {
    CPUPPCState env;
    PPCCPURunState state;
    uint32_t dec;
} MonCpuSnapshot;

/**
 * mon_cpu_snapshot: copy @cpu's registers, on its own thread when it has
 * one (cpu_run_work), so that a running vCPU is read safely. false with
 * @error when the machine is shutting down.
 */
bool mon_cpu_snapshot(SpaprMachineState *spapr, PowerPCCPU *cpu, MonCpuSnapshot *snap,
                      GError **error);
/** mon_cpu_thread_id: host thread id of @cpu's thread, or 0 when it has none. */
int64_t mon_cpu_thread_id(SpaprMachineState *spapr, PowerPCCPU *cpu);

/** mon_status_text: "VM status: ..." as QEMU's "info status" (no newline). */
char *mon_status_text(SpaprMachineState *spapr);

/* ---- HMP (system/hmp.c) ---- */

#define HMP_PROMPT "(qemu) "

/** hmp_banner: the first line an HMP endpoint prints (with newline). */
char *hmp_banner(void);

/**
 * hmp_execute_locked: run one HMP command line, appending its output
 * (lines ending in '\n') to @out. @default_cpu is the vCPU "info
 * registers" shows without an argument. BQL held (may be released while
 * waiting, as cpus_pause/cpu_run_work do).
 */
MonitorAction hmp_execute_locked(SpaprMachineState *spapr, const char *line,
                                 int default_cpu, GString *out);

#endif
