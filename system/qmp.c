/*
 * QMP: the protocol as QEMU speaks it (greeting, capabilities negotiation,
 * "execute"/"arguments"/"id", "return"/"error" replies, events) and the
 * commands, plus the machine operations that HMP shares with them.
 *
 * JSON is parsed with JsonParser and produced with JsonBuilder and
 * JsonGenerator (json-glib); one JSON object per input line.
 */
#define _GNU_SOURCE
#include "system/monitor.h"

#include <inttypes.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "system/bql.h"
#include "system/cpus.h"
#include "system/events.h"
#include "system/trace.h"
#include "target/ppc/interp.h"
#include "monitor-internal.h"

/* ---- JSON helpers ---- */

/*
 * JsonGenerator's compact text with QEMU's separators (", " and ": "), so
 * that replies read byte for byte as QEMU's: {"return": {}, "id": 1}.
 */
static char *json_text(JsonNode *node, bool newline)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, node);
    g_autofree char *compact = json_generator_to_data(gen, NULL);
    GString *out = g_string_sized_new(strlen(compact) * 5 / 4 + 2);
    bool in_string = false, escaped = false;

    for (const char *p = compact; *p; p++) {
        g_string_append_c(out, *p);
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (*p == '\\') {
                escaped = true;
            } else if (*p == '"') {
                in_string = false;
            }
        } else if (*p == '"') {
            in_string = true;
        } else if (*p == ',' || *p == ':') {
            g_string_append_c(out, ' ');
        }
    }
    if (newline) {
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

static char *json_line(JsonNode *node)
{
    return json_text(node, true);
}

static char *builder_line(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    return json_line(root);
}

static void add_int(JsonBuilder *b, const char *name, int64_t value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void add_bool(JsonBuilder *b, const char *name, bool value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

static void add_str(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

static JsonNode *empty_object(void)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, json_object_new());
    return node;
}

static const char *error_class_name(MonErrorClass cls)
{
    return cls == MON_ERROR_COMMAND_NOT_FOUND ? "CommandNotFound" : "GenericError";
}

static char *error_reply(MonErrorClass cls, const char *desc, JsonNode *id)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_begin_object(b);
    add_str(b, "class", error_class_name(cls));
    add_str(b, "desc", desc);
    json_builder_end_object(b);
    if (id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_value(b, json_node_copy(id));
    }
    json_builder_end_object(b);
    return builder_line(b);
}

char *qmp_error_line(MonErrorClass cls, const char *desc)
{
    return error_reply(cls, desc, NULL);
}

/* Takes @ret. */
static char *return_reply(JsonNode *ret, JsonNode *id)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "return");
    json_builder_add_value(b, ret);
    if (id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_value(b, json_node_copy(id));
    }
    json_builder_end_object(b);
    return builder_line(b);
}

static void add_version(JsonBuilder *b)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "qemu");
    json_builder_begin_object(b);
    add_int(b, "micro", MONITOR_VERSION_MICRO);
    add_int(b, "minor", MONITOR_VERSION_MINOR);
    add_int(b, "major", MONITOR_VERSION_MAJOR);
    json_builder_end_object(b);
    add_str(b, "package", MONITOR_PACKAGE);
    json_builder_end_object(b);
}

char *qmp_greeting(void)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "QMP");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    add_version(b);
    json_builder_set_member_name(b, "capabilities");
    json_builder_begin_array(b);
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return builder_line(b);
}

char *qmp_format_event(const char *name, const char *data_json)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonNode *data = NULL;

    if (data_json) {
        if (!json_parser_load_from_data(parser, data_json, -1, &err) ||
            !json_parser_get_root(parser)) {
            error_report("monitor: event %s: bad data '%s'%s%s", name, data_json,
                         err ? ": " : "", err ? err->message : "");
            return NULL;
        }
        data = json_node_copy(json_parser_get_root(parser));
    }
    gint64 now = g_get_real_time();
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "event", name);
    if (data) {
        json_builder_set_member_name(b, "data");
        json_builder_add_value(b, data);
    }
    json_builder_set_member_name(b, "timestamp");
    json_builder_begin_object(b);
    add_int(b, "seconds", now / G_USEC_PER_SEC);
    add_int(b, "microseconds", now % G_USEC_PER_SEC);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return builder_line(b);
}

/* ---- FWNMI_MACHINE_CHECK ---- */

/* Set when the machine reported the machine check itself (through the
 * hook in spapr_mce_req_event), so that injections report it only once. */
static __thread bool mce_event_reported;

const char *monitor_mce_kind(SpaprMachineState *spapr, PowerPCCPU *cpu,
                             SpaprMceResult result)
{
    switch (result) {
    case SPAPR_MCE_DELIVERED:
        return "fwnmi";
    case SPAPR_MCE_LEGACY:
        return "legacy";
    case SPAPR_MCE_QUEUED:
        return "queued";
    case SPAPR_MCE_IGNORED:
        return cpu && cpu->state == CPU_STATE_STOPPED ? "ignored" : "nested-ignored";
    case SPAPR_MCE_PANICKED:
        return "nested-panic";
    }
    return "unknown";
}

void monitor_fwnmi_event(SpaprMachineState *spapr, int cpu, const char *kind,
                         const SpaprMceInfo *info)
{
    SpaprMceClass cls = spapr_mce_classify(info);
    g_autoptr(JsonBuilder) b = json_builder_new();

    mce_event_reported = true;
    json_builder_begin_object(b);
    add_int(b, "cpu", cpu);
    add_str(b, "kind", kind);
    add_str(b, "error-type", spapr_mce_error_type_name(cls.error_type));
    add_str(b, "error-subtype", spapr_mce_subtype_name(cls.error_type, cls.subtype));
    add_bool(b, "recovered", info->recovered);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *data = json_text(root, false);
    vm_event_emit(spapr, "FWNMI_MACHINE_CHECK", data);
}

void monitor_fwnmi_mce_result(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info, SpaprMceResult result)
{
    monitor_fwnmi_event(spapr, cpu->index, monitor_mce_kind(spapr, cpu, result), info);
}

/* ---- memory error dispositions ---- */

static GMutex poison_lock;
static GHashTable *poison_unrecovered;   /* page number -> 1: not recovered */

static void poison_set_recovered(uint64_t addr, bool recovered)
{
    gpointer key = GSIZE_TO_POINTER((gsize)(addr >> GUEST_PAGE_SHIFT));
    g_mutex_lock(&poison_lock);
    if (!poison_unrecovered) {
        poison_unrecovered = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    if (recovered) {
        g_hash_table_remove(poison_unrecovered, key);
    } else {
        g_hash_table_add(poison_unrecovered, key);
    }
    g_mutex_unlock(&poison_lock);
}

bool monitor_memory_error_recovered(uint64_t ra)
{
    gpointer key = GSIZE_TO_POINTER((gsize)(ra >> GUEST_PAGE_SHIFT));
    bool unrecovered = false;
    g_mutex_lock(&poison_lock);
    if (poison_unrecovered) {
        unrecovered = g_hash_table_remove(poison_unrecovered, key);
    }
    g_mutex_unlock(&poison_lock);
    return !unrecovered;
}

/* ---- machine operations shared with HMP (BQL held) ---- */

void mon_stop(SpaprMachineState *spapr)
{
    if (spapr->runstate == RUN_STATE_RUNNING) {
        runstate_set(spapr, RUN_STATE_PAUSED);
    }
    /* vCPU threads park by themselves once the machine is not running:
     * answer only when they have. */
    cpus_pause(spapr);
    cpus_resume(spapr);
}

void mon_quit_prepare(SpaprMachineState *spapr)
{
    /* As QEMU: quit exits 0, whatever happened to the guest before. */
    spapr->exit_code = 0;
}

bool mon_cont(SpaprMachineState *spapr, GError **error)
{
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED ||
        spapr->runstate == RUN_STATE_SHUTDOWN || spapr->quit_requested) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Resetting the Virtual Machine is required");
        return false;
    }
    runstate_set(spapr, RUN_STATE_RUNNING);
    return true;
}

void mon_system_reset(SpaprMachineState *spapr)
{
    vm_system_reset(spapr);
    vm_event_emit(spapr, "RESET", "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
    /* As the qtest server: a reset brings a panicked guest back to life. */
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED) {
        runstate_set(spapr, RUN_STATE_RUNNING);
    }
}

void mon_inject_nmi(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        spapr_system_reset_cpu(spapr, spapr->cpus[i]);
    }
}

SpaprMceResult mon_inject_mce(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info)
{
    mce_event_reported = false;
    SpaprMceResult r = spapr_mce_req_event(spapr, cpu, info);
    if (!mce_event_reported) {
        monitor_fwnmi_mce_result(spapr, cpu, info, r);
    }
    mce_event_reported = false;
    trace_event("monitor", "machine check on cpu %d: %s", cpu->index,
                spapr_mce_result_name(r));
    return r;
}

bool mon_inject_memory_error(SpaprMachineState *spapr, uint64_t addr, bool recovered,
                             GError **error)
{
    if (guest_poison_page(&spapr->ram, addr) < 0) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Address 0x%" PRIx64 " is not in guest RAM (0x%" PRIx64 " bytes)",
                    addr, spapr->ram.size);
        return false;
    }
    uint64_t page = addr & ~(GUEST_PAGE_SIZE - 1);
    poison_set_recovered(page, recovered);
    /* Cached decodes of that page must go through the poison check again. */
    ppc_interp_invalidate(page, GUEST_PAGE_SIZE);
    trace_event("monitor", "page 0x%" PRIx64 " poisoned (%s)", page,
                recovered ? "recovered" : "not recovered");
    return true;
}

static void snapshot_work(PowerPCCPU *cpu, void *opaque)
{
    MonCpuSnapshot *snap = opaque;
    snap->env = cpu->env;
    snap->state = cpu->state;
    snap->dec = ppc_cpu_get_dec(cpu);
}

bool mon_cpu_snapshot(SpaprMachineState *spapr, PowerPCCPU *cpu, MonCpuSnapshot *snap,
                      GError **error)
{
    if (cpu->has_thread && spapr->quit_requested) {
        /* Its thread may be gone: nobody would run the work. */
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "the machine is shutting down");
        return false;
    }
    cpu_run_work(cpu, snapshot_work, snap);
    return true;
}

static int64_t cpu_tids[SPAPR_MAX_CPUS];    /* BQL */

static void tid_work(PowerPCCPU *cpu, void *opaque)
{
    *(int64_t *)opaque = (int64_t)syscall(SYS_gettid);
}

int64_t mon_cpu_thread_id(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    if (!cpu->has_thread || cpu->index < 0 || cpu->index >= SPAPR_MAX_CPUS) {
        return 0;
    }
    if (!cpu_tids[cpu->index] && !spapr->quit_requested) {
        int64_t tid = 0;
        cpu_run_work(cpu, tid_work, &tid);
        cpu_tids[cpu->index] = tid;
    }
    return cpu_tids[cpu->index];
}

char *mon_status_text(SpaprMachineState *spapr)
{
    if (spapr->runstate == RUN_STATE_RUNNING) {
        return g_strdup("VM status: running");
    }
    if (spapr->runstate == RUN_STATE_PAUSED) {
        return g_strdup("VM status: paused");
    }
    return g_strdup_printf("VM status: paused (%s)", runstate_name(spapr->runstate));
}

/* ---- commands ---- */

typedef struct QmpContext {
    SpaprMachineState *spapr;
    MonitorAction action;
} QmpContext;

typedef enum QmpArgType { ARG_INT, ARG_BOOL, ARG_STR, ARG_STR_LIST } QmpArgType;

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

static int64_t arg_int(JsonObject *args, const char *name, int64_t def)
{
    return json_object_has_member(args, name) ? json_object_get_int_member(args, name) : def;
}

static bool arg_bool(JsonObject *args, const char *name, bool def)
{
    return json_object_has_member(args, name) ? json_object_get_boolean_member(args, name)
                                              : def;
}

static PowerPCCPU *arg_cpu(QmpContext *ctx, JsonObject *args, const char *name,
                           GError **error)
{
    int64_t index = arg_int(args, name, 0);
    PowerPCCPU *cpu = spapr_cpu_by_index(ctx->spapr, index);
    if (!cpu) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Parameter '%s' expects a CPU number (0..%d), not %" PRId64,
                    name, ctx->spapr->smp_cpus - 1, index);
    }
    return cpu;
}

static JsonNode *qmp_capabilities(QmpContext *ctx, JsonObject *args, GError **error)
{
    if (json_object_has_member(args, "enable")) {
        JsonArray *caps = json_object_get_array_member(args, "enable");
        if (json_array_get_length(caps)) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "Capability %s not available",
                        json_array_get_string_element(caps, 0));
            return NULL;
        }
    }
    return empty_object();
}

static JsonNode *qmp_query_version(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    add_version(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_commands(QmpContext *ctx, JsonObject *args, GError **error);

static JsonNode *qmp_query_status(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_bool(b, "running", runstate_is_running(ctx->spapr));
    add_str(b, "status", runstate_name(ctx->spapr->runstate));
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_cpus_fast(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_array(b);
    for (int i = 0; i < spapr->smp_cpus; i++) {
        g_autofree char *path = g_strdup_printf("/machine/cpu[%d]", i);
        json_builder_begin_object(b);
        add_int(b, "cpu-index", i);
        add_str(b, "qom-path", path);
        add_int(b, "thread-id", mon_cpu_thread_id(spapr, spapr->cpus[i]));
        add_str(b, "target", "ppc64");
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_stop(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_stop(ctx->spapr);
    return empty_object();
}

static JsonNode *qmp_cont(QmpContext *ctx, JsonObject *args, GError **error)
{
    return mon_cont(ctx->spapr, error) ? empty_object() : NULL;
}

static JsonNode *qmp_system_reset(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_system_reset(ctx->spapr);
    return empty_object();
}

static JsonNode *qmp_quit(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_quit_prepare(ctx->spapr);
    ctx->action = MON_ACTION_QUIT;
    return empty_object();
}

static JsonNode *qmp_inject_nmi(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_inject_nmi(ctx->spapr);
    return empty_object();
}

static JsonNode *qmp_human_monitor_command(QmpContext *ctx, JsonObject *args,
                                           GError **error)
{
    int cpu_index = 0;
    if (json_object_has_member(args, "cpu-index")) {
        PowerPCCPU *cpu = arg_cpu(ctx, args, "cpu-index", error);
        if (!cpu) {
            return NULL;
        }
        cpu_index = cpu->index;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    MonitorAction action = hmp_execute_locked(ctx->spapr,
                                              json_object_get_string_member(args, "command-line"),
                                              cpu_index, out);
    if (action != MON_ACTION_NONE) {
        ctx->action = action;
    }
    /* Command lines may carry any bytes back ("unknown command: ..."). */
    g_autofree char *text = g_utf8_make_valid(out->str, (gssize)out->len);
    JsonNode *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(ret, text);
    return ret;
}

static JsonNode *qmp_x_inject_mce(QmpContext *ctx, JsonObject *args, GError **error)
{
    PowerPCCPU *cpu = arg_cpu(ctx, args, "cpu-index", error);
    if (!cpu) {
        return NULL;
    }
    int64_t dsisr = arg_int(args, "dsisr", 0);
    if ((uint64_t)dsisr > UINT32_MAX) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Parameter 'dsisr' expects a 32-bit value");
        return NULL;
    }
    SpaprMceInfo info = {
        .srr1 = (uint64_t)arg_int(args, "srr1", 0),
        .dsisr = (uint32_t)dsisr,
        .dar = (uint64_t)arg_int(args, "dar", 0),
        .recovered = arg_bool(args, "recovered", true),
    };
    SpaprMceResult r = mon_inject_mce(ctx->spapr, cpu, &info);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "result", spapr_mce_result_name(r));
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_x_inject_memory_error(QmpContext *ctx, JsonObject *args,
                                           GError **error)
{
    uint64_t addr = (uint64_t)arg_int(args, "address", 0);
    if (!mon_inject_memory_error(ctx->spapr, addr, arg_bool(args, "recovered", true), error)) {
        return NULL;
    }
    return empty_object();
}

static void add_handler(JsonBuilder *b, const char *name, uint64_t addr)
{
    json_builder_set_member_name(b, name);
    if (addr == FWNMI_ADDR_NONE) {
        json_builder_add_null_value(b);
    } else {
        json_builder_add_int_value(b, (int64_t)addr);
    }
}

static JsonNode *qmp_query_fwnmi(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    SpaprFwnmiState *f = &spapr->fwnmi;
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    add_bool(b, "enabled", spapr->caps.fwnmi);
    add_handler(b, "sreset-handler", f->sreset_addr);
    add_handler(b, "mce-handler", f->mce_addr);
    add_int(b, "interlock-holder", f->interlock_holder);
    json_builder_set_member_name(b, "pending");
    json_builder_begin_array(b);
    for (GList *l = f->pending.head; l; l = l->next) {
        json_builder_add_int_value(b, ((SpaprMceRequest *)l->data)->cpu_index);
    }
    json_builder_end_array(b);
    add_int(b, "delivered", (int64_t)f->count.delivered);
    add_int(b, "legacy", (int64_t)f->count.legacy);
    add_int(b, "queued", (int64_t)f->count.queued);
    add_int(b, "nested", (int64_t)f->count.nested);
    add_int(b, "interlocks", (int64_t)f->count.interlocks);
    add_int(b, "sresets", (int64_t)f->count.sresets);
    add_int(b, "dropped", (int64_t)f->count.dropped);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static const QmpArgSpec args_capabilities[] = {
    { "enable", ARG_STR_LIST, true }, { NULL },
};
static const QmpArgSpec args_hmc[] = {
    { "command-line", ARG_STR, false }, { "cpu-index", ARG_INT, true }, { NULL },
};
static const QmpArgSpec args_mce[] = {
    { "cpu-index", ARG_INT, false }, { "srr1", ARG_INT, false },
    { "dsisr", ARG_INT, true }, { "dar", ARG_INT, true },
    { "recovered", ARG_BOOL, false }, { NULL },
};
static const QmpArgSpec args_memory_error[] = {
    { "address", ARG_INT, false }, { "recovered", ARG_BOOL, true }, { NULL },
};

static const QmpCommand qmp_commands[] = {
    { "qmp_capabilities", qmp_capabilities, args_capabilities },
    { "query-version", qmp_query_version, NULL },
    { "query-commands", qmp_query_commands, NULL },
    { "query-status", qmp_query_status, NULL },
    { "query-cpus-fast", qmp_query_cpus_fast, NULL },
    { "stop", qmp_stop, NULL },
    { "cont", qmp_cont, NULL },
    { "system_reset", qmp_system_reset, NULL },
    { "quit", qmp_quit, NULL },
    { "inject-nmi", qmp_inject_nmi, NULL },
    { "human-monitor-command", qmp_human_monitor_command, args_hmc },
    { "x-inject-mce", qmp_x_inject_mce, args_mce },
    { "x-inject-memory-error", qmp_x_inject_memory_error, args_memory_error },
    { "query-fwnmi", qmp_query_fwnmi, NULL },
};

static JsonNode *qmp_query_commands(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_commands); i++) {
        json_builder_begin_object(b);
        add_str(b, "name", qmp_commands[i].name);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

/* ---- dispatch ---- */

static const char *arg_type_name(QmpArgType type)
{
    switch (type) {
    case ARG_INT:
        return "integer";
    case ARG_BOOL:
        return "boolean";
    case ARG_STR:
        return "string";
    case ARG_STR_LIST:
        return "array";
    }
    return "value";
}

static bool arg_type_ok(JsonNode *node, QmpArgType type)
{
    if (type == ARG_STR_LIST) {
        if (!JSON_NODE_HOLDS_ARRAY(node)) {
            return false;
        }
        JsonArray *array = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(array); i++) {
            if (!arg_type_ok(json_array_get_element(array, i), ARG_STR)) {
                return false;
            }
        }
        return true;
    }
    if (!JSON_NODE_HOLDS_VALUE(node)) {
        return false;
    }
    GType t = json_node_get_value_type(node);
    switch (type) {
    case ARG_INT:
        return t == G_TYPE_INT64;
    case ARG_BOOL:
        return t == G_TYPE_BOOLEAN;
    case ARG_STR:
        return t == G_TYPE_STRING;
    default:
        return false;
    }
}

/* As QEMU's input visitor: missing or mistyped members first, then extras. */
static bool check_args(const QmpCommand *cmd, JsonObject *args, GError **error)
{
    for (const QmpArgSpec *a = cmd->args; a && a->name; a++) {
        JsonNode *node = json_object_get_member(args, a->name);
        if (!node) {
            if (!a->optional) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!arg_type_ok(node, a->type)) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                        "Invalid parameter type for '%s', expected: %s", a->name,
                        arg_type_name(a->type));
            return false;
        }
    }
    g_autoptr(GList) members = json_object_get_members(args);
    for (GList *l = members; l; l = l->next) {
        const QmpArgSpec *a = cmd->args;
        while (a && a->name && strcmp(a->name, l->data) != 0) {
            a++;
        }
        if (!a || !a->name) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                        "Parameter '%s' is unexpected", (const char *)l->data);
            return false;
        }
    }
    return true;
}

static const QmpCommand *find_command(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_commands); i++) {
        if (!strcmp(qmp_commands[i].name, name)) {
            return &qmp_commands[i];
        }
    }
    return NULL;
}

/* The request's shape: QEMU's qmp_dispatch_check_obj(). */
static bool check_request(JsonObject *req, GError **error)
{
    g_autoptr(GList) members = json_object_get_members(req);
    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        JsonNode *node = json_object_get_member(req, name);
        if (!strcmp(name, "execute")) {
            if (!JSON_NODE_HOLDS_VALUE(node) ||
                json_node_get_value_type(node) != G_TYPE_STRING) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "QMP input member 'execute' must be a string");
                return false;
            }
        } else if (!strcmp(name, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(node)) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "QMP input member 'arguments' must be an object");
                return false;
            }
        } else if (strcmp(name, "id") != 0) {
            /* "exec-oob" too: out-of-band execution is never enabled. */
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                        "QMP input member '%s' is unexpected", name);
            return false;
        }
    }
    if (!json_object_has_member(req, "execute")) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "QMP input lacks member 'execute'");
        return false;
    }
    return true;
}

/*
 * json-glib's parser recurses once per nesting level, so a line of a
 * million '[' would exhaust the reader thread's stack. Nesting can never
 * be deeper than the number of '[' and '{' in the line (wherever they
 * are, strings and comments included), so bounding that count bounds the
 * recursion whatever the parser accepts. No command comes near it.
 */
#define QMP_MAX_NESTING 1024

static bool nesting_bounded(const char *line)
{
    unsigned opens = 0;
    for (; *line; line++) {
        if ((*line == '[' || *line == '{') && ++opens > QMP_MAX_NESTING) {
            return false;
        }
    }
    return true;
}

static bool line_is_blank(const char *line)
{
    for (; *line; line++) {
        if (!g_ascii_isspace(*line)) {
            return false;
        }
    }
    return true;
}

char *qmp_process_line(SpaprMachineState *spapr, const char *line, bool command_mode,
                       bool *enter_command_mode, MonitorAction *action)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;

    *enter_command_mode = false;
    *action = MON_ACTION_NONE;
    if (line_is_blank(line)) {
        return NULL;
    }
    if (!nesting_bounded(line)) {
        return error_reply(MON_ERROR_GENERIC,
                           "JSON parse error, nesting depth limit exceeded", NULL);
    }
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s", err->message);
        return error_reply(MON_ERROR_GENERIC, desc, NULL);
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root) {
        return NULL;
    }
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        return error_reply(MON_ERROR_GENERIC, "QMP input must be a JSON object", NULL);
    }
    JsonObject *req = json_node_get_object(root);
    JsonNode *id = json_object_get_member(req, "id");
    if (!check_request(req, &err)) {
        return error_reply(MON_ERROR_GENERIC, err->message, id);
    }
    const char *name = json_object_get_string_member(req, "execute");
    bool is_caps = !strcmp(name, "qmp_capabilities");
    if (!command_mode && !is_caps) {
        return error_reply(MON_ERROR_COMMAND_NOT_FOUND,
                           "Expecting capabilities negotiation with 'qmp_capabilities'", id);
    }
    if (command_mode && is_caps) {
        return error_reply(MON_ERROR_COMMAND_NOT_FOUND,
                           "Capabilities negotiation is already complete, command ignored",
                           id);
    }
    const QmpCommand *cmd = find_command(name);
    if (!cmd) {
        g_autofree char *desc = g_strdup_printf("The command %s has not been found", name);
        return error_reply(MON_ERROR_COMMAND_NOT_FOUND, desc, id);
    }
    g_autoptr(JsonObject) no_args = json_object_new();
    JsonObject *args = json_object_has_member(req, "arguments")
                       ? json_object_get_object_member(req, "arguments") : no_args;
    if (!check_args(cmd, args, &err)) {
        return error_reply(MON_ERROR_GENERIC, err->message, id);
    }

    QmpContext ctx = { .spapr = spapr };
    bql_lock();
    JsonNode *ret = cmd->fn(&ctx, args, &err);
    bql_unlock();
    trace_event("monitor", "qmp %s: %s", name, ret ? "ok" : err->message);
    if (!ret) {
        return error_reply(err->domain == MON_ERROR ? (MonErrorClass)err->code
                                                    : MON_ERROR_GENERIC,
                           err->message, id);
    }
    *enter_command_mode = is_caps;
    *action = ctx.action;
    return return_reply(ret, id);
}
