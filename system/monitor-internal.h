/*
 * Monitor internals shared by system/monitor.c (endpoints, threads, output
 * queues, events, loading the QMP module), system/monitor-ops.c (machine
 * operations HMP and QMP share), system/hmp.c (human monitor) and the QMP
 * module (system/qmp.c, system/qmp-cmds.c; see also system/qmp-internal.h).
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
    MON_ERROR_DEVICE_NOT_FOUND,     /* "DeviceNotFound" */
} MonErrorClass;

#define MON_ERROR (mon_error_quark())
GQuark mon_error_quark(void);

/* What the endpoint must do once the reply has been sent. */
typedef enum MonitorAction {
    MON_ACTION_NONE,
    MON_ACTION_QUIT,                /* flush, then make the process exit 0 */
} MonitorAction;

/* ---- QMP, a module loaded only when a -qmp endpoint exists ---- */

/*
 * json-glib drags gobject, gio, libmount, libselinux and more into a
 * process, which costs milliseconds at every start; the qtest fast path
 * must not pay for them. So QMP (system/qmp.c, system/qmp-cmds.c) is a
 * shared module, qemu-qmp.so, next to the binary (or in
 * $QEMU_MODULE_DIR), whose one exported symbol QMP_MODULE_ENTRY returns
 * these operations. It calls back into the VMM's exported symbols.
 */
#define QMP_MODULE_NAME  "qemu-qmp.so"
#define QMP_MODULE_ENTRY "qmp_module_ops"

typedef struct QmpModuleOps {
    /** The greeting line (with its newline). */
    char *(*greeting)(void);
    /**
     * Run one QMP request, a complete JSON value (system/qmp-json.c
     * splits the stream). Returns the reply line (with its newline), or
     * NULL for a blank one. @command_mode is the session's state;
     * *@enter_command_mode is set when qmp_capabilities succeeded (the
     * caller switches the session when it queues the reply). *@oob is the
     * session's "oob" capability, set by qmp_capabilities (reader thread
     * only). *@action tells what to do after the reply. Takes the BQL
     * itself.
     */
    char *(*process_line)(SpaprMachineState *spapr, const char *line, bool command_mode,
                          bool *oob, bool *enter_command_mode, MonitorAction *action);
    /** An error reply line (no id) with the class and text. */
    char *(*error_line)(MonErrorClass cls, const char *desc);
    /** The event line for @name with @data_json (object text or NULL) and the
     *  current time; NULL if @data_json does not parse (logged). */
    char *(*format_event)(const char *name, const char *data_json);
} QmpModuleOps;

typedef const QmpModuleOps *(*QmpModuleEntry)(void);

/* ---- machine operations shared by QMP and HMP (system/monitor-ops.c), BQL held ---- */

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

/*
 * Memory dumps. @cpu NULL: @addr is a guest physical (real) address;
 * otherwise an effective address translated as @cpu's data accesses are
 * (one register snapshot per call).
 */
/**
 * mon_cpu_translate_ea: the real address of @ea for the vCPU @snap was
 * taken from. This is the MMU hook: real mode only for now; MSR[DR]=1
 * fails with @error naming it.
 */
bool mon_cpu_translate_ea(const MonCpuSnapshot *snap, int cpu_index, uint64_t ea,
                          uint64_t *ra, GError **error);
/** mon_read_memory: copy @size bytes at @addr into @buf; false with @error
 * ("Invalid addr .../size ... specified") when some byte is not in RAM. */
bool mon_read_memory(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t addr,
                     void *buf, uint64_t size, GError **error);
/** mon_memsave: write @size bytes at @addr to @filename (created or
 * truncated); false with @error for a bad range or a file error. */
bool mon_memsave(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t addr,
                 uint64_t size, const char *filename, GError **error);

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
