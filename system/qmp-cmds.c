/*
 * QMP commands (part of the QMP module, see system/qmp.c). They use the
 * machine operations HMP shares with them (system/monitor-ops.c); the
 * protocol around them, request checks and dispatch are in system/qmp.c.
 */
#define _GNU_SOURCE
#include "system/monitor.h"

#include <inttypes.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "migration/migration.h"
#include "system/cpus.h"
#include "system/events.h"
#include "system/trace.h"
#include "target/ppc/interp.h"
#include "target/ppc/kvm_ppc.h"
#include "qmp-internal.h"

/* ---- commands ---- */

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
    bool oob = false;
    if (json_object_has_member(args, "enable")) {
        JsonArray *caps = json_object_get_array_member(args, "enable");
        for (guint i = 0; i < json_array_get_length(caps); i++) {
            const char *cap = json_array_get_string_element(caps, i);
            if (strcmp(cap, "oob") != 0) {
                /* QEMU 7.2's enum visitor says it this way. */
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "Parameter 'null' does not accept value '%s'", cap);
                return NULL;
            }
            oob = true;
        }
    }
    *ctx->oob = oob;
    return qmp_empty_object();
}

static JsonNode *qmp_query_version(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    qmp_add_version(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_commands(QmpContext *ctx, JsonObject *args, GError **error);

static JsonNode *qmp_query_status(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    /* QEMU 7.2's StatusInfo, in its order. */
    qmp_add_str(b, "status", runstate_name(ctx->spapr->runstate));
    qmp_add_bool(b, "singlestep", false);
    qmp_add_bool(b, "running", runstate_is_running(ctx->spapr));
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_cpus_fast(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_array(b);
    for (int i = 0; i < spapr->smp_cpus; i++) {
        g_autofree char *path = g_strdup_printf("/machine/unattached/device[%d]", i);
        /* QEMU's CpuInfoFast: a host thread id even without a thread of
         * its own (the process id, as QEMU's qtest accelerator). */
        int64_t tid = mon_cpu_thread_id(spapr, spapr->cpus[i]);
        json_builder_begin_object(b);
        qmp_add_int(b, "cpu-index", i);
        qmp_add_str(b, "qom-path", path);
        qmp_add_int(b, "thread-id", tid ? tid : getpid());
        json_builder_set_member_name(b, "props");
        json_builder_begin_object(b);
        qmp_add_int(b, "core-id", i);
        qmp_add_int(b, "node-id", 0);
        json_builder_end_object(b);
        qmp_add_str(b, "target", "ppc64");
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

/*
 * x-query-icount: guest instructions each vCPU has retired on the
 * software CPU (benchmarks: guest MIPS). A vCPU adds its count when it
 * leaves its run loop, so a running vCPU's figure lags by at most one
 * run budget. KVM runs the guest in hardware and counts nothing.
 */
static JsonNode *qmp_x_query_icount(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    g_autoptr(JsonBuilder) b = json_builder_new();

    if (kvm_enabled()) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "x-query-icount: instructions are counted by the software CPU "
                    "(-accel tcg) only");
        return NULL;
    }
    json_builder_begin_array(b);
    for (int i = 0; i < spapr->smp_cpus; i++) {
        json_builder_begin_object(b);
        qmp_add_int(b, "cpu-index", i);
        qmp_add_int(b, "instructions",
                    (int64_t)__atomic_load_n(&spapr->cpus[i]->icount, __ATOMIC_RELAXED));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_stop(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_stop(ctx->spapr);
    return qmp_empty_object();
}

static JsonNode *qmp_cont(QmpContext *ctx, JsonObject *args, GError **error)
{
    return mon_cont(ctx->spapr, error) ? qmp_empty_object() : NULL;
}

static JsonNode *qmp_system_reset(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_system_reset(ctx->spapr);
    return qmp_empty_object();
}

static JsonNode *qmp_quit(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_quit_prepare(ctx->spapr);
    ctx->action = MON_ACTION_QUIT;
    return qmp_empty_object();
}

static JsonNode *qmp_inject_nmi(QmpContext *ctx, JsonObject *args, GError **error)
{
    mon_inject_nmi(ctx->spapr);
    return qmp_empty_object();
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
        /* The caller says DAR (D side) or the NIP (I side) is the exact
         * EA, even where QEMU's tables do not report one (UE load/store):
         * the log then has the EA and, translated at delivery, the RA. */
        .ea_known = arg_bool(args, "ea-known", false),
    };
    SpaprMceResult r = mon_inject_mce(ctx->spapr, cpu, &info);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    qmp_add_str(b, "result", spapr_mce_result_name(r));
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
    return qmp_empty_object();
}

/* pmemsave / memsave: QEMU's arguments; "val" is the start address. */
static JsonNode *qmp_pmemsave(QmpContext *ctx, JsonObject *args, GError **error)
{
    if (!mon_memsave(ctx->spapr, NULL, (uint64_t)arg_int(args, "val", 0),
                     (uint64_t)arg_int(args, "size", 0),
                     json_object_get_string_member(args, "filename"), error)) {
        return NULL;
    }
    return qmp_empty_object();
}

static JsonNode *qmp_memsave(QmpContext *ctx, JsonObject *args, GError **error)
{
    PowerPCCPU *cpu = arg_cpu(ctx, args, "cpu-index", error);
    if (!cpu || !mon_memsave(ctx->spapr, cpu, (uint64_t)arg_int(args, "val", 0),
                             (uint64_t)arg_int(args, "size", 0),
                             json_object_get_string_member(args, "filename"), error)) {
        return NULL;
    }
    return qmp_empty_object();
}

/* ---- migration (include/migration/migration.h) ---- */

static JsonNode *qmp_migrate(QmpContext *ctx, JsonObject *args, GError **error)
{
    if (migration_start(ctx->spapr, json_object_get_string_member(args, "uri"), error) < 0) {
        return NULL;
    }
    return qmp_empty_object();
}

static JsonNode *qmp_migrate_incoming(QmpContext *ctx, JsonObject *args, GError **error)
{
    if (migration_incoming(ctx->spapr, json_object_get_string_member(args, "uri"), error) < 0) {
        return NULL;
    }
    return qmp_empty_object();
}

static JsonNode *qmp_migrate_cancel(QmpContext *ctx, JsonObject *args, GError **error)
{
    migration_cancel(ctx->spapr);
    return qmp_empty_object();
}

static JsonNode *qmp_x_fwnmi_stop_on_delivery(QmpContext *ctx, JsonObject *args,
                                              GError **error)
{
    ctx->spapr->x_stop_on_fwnmi = arg_bool(args, "enable", true);
    return qmp_empty_object();
}

static JsonNode *qmp_query_migrate(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    MigInfo info;

    migration_query(ctx->spapr, &info);
    json_builder_begin_object(b);
    if (info.status != MIG_STATUS_NONE) {
        qmp_add_str(b, "status", mig_status_name(info.status));
        qmp_add_int(b, "total-time", info.total_time_ms);
        if (info.status == MIG_STATUS_COMPLETED && !info.incoming) {
            qmp_add_int(b, "downtime", info.downtime_ms);
        }
        json_builder_set_member_name(b, "ram");
        json_builder_begin_object(b);
        qmp_add_int(b, "total", (int64_t)info.ram_total);
        qmp_add_int(b, "transferred", (int64_t)info.ram_transferred);
        qmp_add_int(b, "remaining", (int64_t)info.ram_remaining);
        qmp_add_int(b, "normal", (int64_t)info.pages_data);
        qmp_add_int(b, "duplicate", (int64_t)info.pages_zero);
        qmp_add_int(b, "dirty-sync-count", (int64_t)info.passes);
        json_builder_end_object(b);
        if (info.error) {
            qmp_add_str(b, "error-desc", info.error);
        }
    }
    json_builder_end_object(b);
    g_free(info.error);
    return json_builder_get_root(b);
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
    qmp_add_bool(b, "enabled", spapr->caps.fwnmi);
    add_handler(b, "sreset-handler", f->sreset_addr);
    add_handler(b, "mce-handler", f->mce_addr);
    qmp_add_int(b, "interlock-holder", f->interlock_holder);
    json_builder_set_member_name(b, "pending");
    json_builder_begin_array(b);
    for (GList *l = f->pending.head; l; l = l->next) {
        json_builder_add_int_value(b, ((SpaprMceRequest *)l->data)->cpu_index);
    }
    json_builder_end_array(b);
    qmp_add_int(b, "delivered", (int64_t)f->count.delivered);
    qmp_add_int(b, "legacy", (int64_t)f->count.legacy);
    qmp_add_int(b, "queued", (int64_t)f->count.queued);
    qmp_add_int(b, "nested", (int64_t)f->count.nested);
    qmp_add_int(b, "interlocks", (int64_t)f->count.interlocks);
    qmp_add_int(b, "sresets", (int64_t)f->count.sresets);
    qmp_add_int(b, "dropped", (int64_t)f->count.dropped);
    qmp_add_int(b, "requests", (int64_t)f->count.requests);
    qmp_add_int(b, "ignored", (int64_t)f->count.ignored);
    qmp_add_int(b, "deferred", (int64_t)f->count.deferred);
    qmp_add_int(b, "unrecoverable", (int64_t)f->count.unrecoverable);
    qmp_add_bool(b, "holder-entered", f->holder_entered);
    qmp_add_int(b, "stale-drops", (int64_t)f->guard.stale_drops);
    /* Machine-check records: built as JSON by the journal itself. */
    g_autofree char *journal = spapr_fwnmi_journal_json(spapr);
    JsonNode *jn = json_from_string(journal, NULL);
    json_builder_set_member_name(b, "journal");
    if (jn) {
        json_builder_add_value(b, jn);
    } else {
        json_builder_add_null_value(b);
    }
    /* Why the last registration was dropped as stale (null: never). */
    json_builder_set_member_name(b, "stale");
    if (!f->guard.stale) {
        json_builder_add_null_value(b);
    } else {
        json_builder_begin_object(b);
        qmp_add_str(b, "event", f->guard.stale_event);
        qmp_add_int(b, "handler", (int64_t)f->guard.stale_handler);
        qmp_add_int(b, "changed-words", f->guard.stale_changed);
        qmp_add_int(b, "window-words", f->guard.stale_words);
        qmp_add_str(b, "reason", f->guard.reason);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_name(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    if (ctx->spapr->name) {
        qmp_add_str(b, "name", ctx->spapr->name);
    }
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_query_target(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    qmp_add_str(b, "arch", "ppc64");
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static JsonNode *qmp_x_exit_preconfig(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    if (spapr->runstate != RUN_STATE_PRECONFIG) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "The command is permitted only before machine initialization");
        return NULL;
    }
    runstate_set(spapr, spapr->preconfig_next);     /* RESUME when it runs */
    return qmp_empty_object();
}

static const QmpArgSpec args_capabilities[] = {
    { "enable", QMP_ARG_STR_LIST, true }, { .name = NULL },
};
static const QmpArgSpec args_hmc[] = {
    { "command-line", QMP_ARG_STR, false }, { "cpu-index", QMP_ARG_INT, true }, { .name = NULL },
};
static const QmpArgSpec args_mce[] = {
    { "cpu-index", QMP_ARG_INT, false }, { "srr1", QMP_ARG_INT, false },
    { "dsisr", QMP_ARG_INT, true }, { "dar", QMP_ARG_INT, true },
    { "recovered", QMP_ARG_BOOL, false }, { "ea-known", QMP_ARG_BOOL, true },
    { .name = NULL },
};
static const QmpArgSpec args_memory_error[] = {
    { "address", QMP_ARG_INT, false }, { "recovered", QMP_ARG_BOOL, true }, { .name = NULL },
};

static const QmpArgSpec args_pmemsave[] = {
    { "val", QMP_ARG_INT, false }, { "size", QMP_ARG_INT, false },
    { "filename", QMP_ARG_STR, false }, { .name = NULL },
};
static const QmpArgSpec args_memsave[] = {
    { "val", QMP_ARG_INT, false }, { "size", QMP_ARG_INT, false },
    { "filename", QMP_ARG_STR, false }, { "cpu-index", QMP_ARG_INT, true }, { .name = NULL },
};

static const QmpArgSpec args_migrate[] = {
    { "uri", QMP_ARG_STR, false }, { .name = NULL },
};

static const QmpArgSpec args_enable[] = {
    { "enable", QMP_ARG_BOOL, false }, { .name = NULL },
};

static const QmpArgSpec args_qom_list[] = {
    { "path", QMP_ARG_STR, false }, { .name = NULL },
};
static const QmpArgSpec args_qom_get[] = {
    { "path", QMP_ARG_STR, false }, { "property", QMP_ARG_STR, false }, { .name = NULL },
};
static const QmpArgSpec args_qom_set[] = {
    { "path", QMP_ARG_STR, false }, { "property", QMP_ARG_STR, false },
    { "value", QMP_ARG_ANY, false }, { .name = NULL },
};
static const QmpArgSpec args_qom_list_types[] = {
    { "implements", QMP_ARG_STR, true }, { "abstract", QMP_ARG_BOOL, true }, { .name = NULL },
};

#define PRECONFIG QMP_ALLOW_PRECONFIG

/* The flags are QEMU's (QAPI "allow-preconfig"); no command here may run
 * out of band (QEMU allows only migration recovery commands). */
static const QmpCommand qmp_commands[] = {
    { "qmp_capabilities", qmp_capabilities, args_capabilities, PRECONFIG },
    { "query-version", qmp_query_version, NULL, PRECONFIG },
    { "query-commands", qmp_query_commands, NULL, PRECONFIG },
    { "query-status", qmp_query_status, NULL, PRECONFIG },
    { "query-name", qmp_query_name, NULL, PRECONFIG },
    { "query-target", qmp_query_target, NULL, PRECONFIG },
    { "query-machines", qmp_query_machines, NULL, PRECONFIG },
    { "query-cpus-fast", qmp_query_cpus_fast, NULL, 0 },
    { "qom-list", qmp_qom_list, args_qom_list, PRECONFIG },
    { "qom-get", qmp_qom_get, args_qom_get, PRECONFIG },
    { "qom-set", qmp_qom_set, args_qom_set, PRECONFIG },
    { "qom-list-types", qmp_qom_list_types, args_qom_list_types, PRECONFIG },
    { "x-exit-preconfig", qmp_x_exit_preconfig, NULL, PRECONFIG },
    { "stop", qmp_stop, NULL, 0 },
    { "cont", qmp_cont, NULL, 0 },
    { "system_reset", qmp_system_reset, NULL, 0 },
    { "quit", qmp_quit, NULL, PRECONFIG },
    { "inject-nmi", qmp_inject_nmi, NULL, 0 },
    { "human-monitor-command", qmp_human_monitor_command, args_hmc, 0 },
    { "x-inject-mce", qmp_x_inject_mce, args_mce, 0 },
    { "x-inject-memory-error", qmp_x_inject_memory_error, args_memory_error, 0 },
    { "query-fwnmi", qmp_query_fwnmi, NULL, 0 },
    { "x-query-icount", qmp_x_query_icount, NULL, 0 },
    { "pmemsave", qmp_pmemsave, args_pmemsave, 0 },
    { "memsave", qmp_memsave, args_memsave, 0 },
    { "migrate", qmp_migrate, args_migrate, 0 },
    { "migrate-incoming", qmp_migrate_incoming, args_migrate, 0 },
    { "migrate_cancel", qmp_migrate_cancel, NULL, 0 },
    { "query-migrate", qmp_query_migrate, NULL, 0 },
    { "x-fwnmi-stop-on-delivery", qmp_x_fwnmi_stop_on_delivery, args_enable, 0 },
};

static JsonNode *qmp_query_commands(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_commands); i++) {
        json_builder_begin_object(b);
        qmp_add_str(b, "name", qmp_commands[i].name);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

const QmpCommand *qmp_find_command(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_commands); i++) {
        if (!strcmp(qmp_commands[i].name, name)) {
            return &qmp_commands[i];
        }
    }
    return NULL;
}
