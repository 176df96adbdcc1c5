/*
 * QOM introspection over a QOM-shaped view of the machine (part of the
 * QMP module): qom-list, qom-get, qom-set, qom-list-types, and
 * query-machines. The tree is QEMU's shape for what this machine has:
 *
 *   /                                   container
 *   /machine                            pseries-7.2-machine (or none-machine):
 *                                       the caps and x-vof as properties
 *   /machine/unattached                 container
 *   /machine/unattached/device[N]       vCPU N (MODEL-powerpc64-cpu)
 *   /machine/peripheral, peripheral-anon  containers (no -device here)
 *
 * Everything runs with the BQL held (system/qmp.c), which guards the
 * machine state read here. Errors use QEMU's classes: a path that names
 * nothing is DeviceNotFound, a property that does not exist GenericError.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "system/options.h"
#include "qmp-internal.h"

typedef enum QomNodeKind { QOM_ROOT, QOM_MACHINE, QOM_CONTAINER, QOM_CPU } QomNodeKind;

typedef struct QomNode {
    QomNodeKind kind;
    int cpu;                    /* QOM_CPU */
    char type[64];
} QomNode;

static const char *machine_type(SpaprMachineState *spapr)
{
    return spapr->machine_none ? "none-machine" : "pseries-7.2-machine";
}

static void cpu_type(SpaprMachineState *spapr, char *buf, size_t size)
{
    snprintf(buf, size, "%s-powerpc64-cpu", ppc_cpu_model_name(spapr->pvr));
}

/* Resolve an absolute QOM path (no trailing slash but "/"). */
static bool qom_resolve(SpaprMachineState *spapr, const char *path, QomNode *node)
{
    int cpu, end = 0;
    memset(node, 0, sizeof(*node));
    if (!strcmp(path, "/")) {
        node->kind = QOM_ROOT;
        strcpy(node->type, "container");
    } else if (!strcmp(path, "/machine")) {
        node->kind = QOM_MACHINE;
        g_strlcpy(node->type, machine_type(spapr), sizeof(node->type));
    } else if (!strcmp(path, "/machine/unattached") || !strcmp(path, "/machine/peripheral") ||
               !strcmp(path, "/machine/peripheral-anon")) {
        node->kind = QOM_CONTAINER;
        strcpy(node->type, "container");
    } else if (sscanf(path, "/machine/unattached/device[%d]%n", &cpu, &end) == 1 &&
               path[end] == '\0' && cpu >= 0 && cpu < spapr->smp_cpus &&
               g_str_has_prefix(path, "/machine/unattached/device[") &&
               g_ascii_isdigit(path[strlen("/machine/unattached/device[")])) {
        node->kind = QOM_CPU;
        node->cpu = cpu;
        cpu_type(spapr, node->type, sizeof(node->type));
    } else {
        return false;
    }
    return true;
}

/* Machine properties: name, QOM type. */
static const struct { const char *name, *type; } machine_props[] = {
    { "cap-fwnmi", "bool" }, { "cap-htm", "bool" }, { "cap-vsx", "bool" },
    { "cap-dfp", "bool" }, { "cap-cfpc", "string" }, { "cap-sbbc", "string" },
    { "cap-ibs", "string" }, { "cap-hpt-max-page-size", "int" }, { "cap-nested-hv", "bool" },
    { "cap-large-decr", "bool" }, { "cap-ccf-assist", "bool" },
    { "cap-rpt-invalidate", "bool" }, { "x-vof", "bool" },
};

static const char *const tri_names[] = { "broken", "workaround", "fixed" };
static const char *const ibs_names[] = { "broken", "workaround", "fixed-ibs", "fixed-ccd",
                                         "fixed-na" };

static void add_prop(JsonBuilder *b, const char *name, const char *type)
{
    json_builder_begin_object(b);
    qmp_add_str(b, "name", name);
    qmp_add_str(b, "type", type);
    json_builder_end_object(b);
}

static bool qom_path_arg(QmpContext *ctx, JsonObject *args, QomNode *node, GError **error)
{
    const char *path = json_object_get_string_member(args, "path");
    if (!qom_resolve(ctx->spapr, path, node)) {
        g_set_error(error, MON_ERROR, MON_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found", path);
        return false;
    }
    return true;
}

JsonNode *qmp_qom_list(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    QomNode node;
    if (!qom_path_arg(ctx, args, &node, error)) {
        return NULL;
    }
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    add_prop(b, "type", "string");
    switch (node.kind) {
    case QOM_ROOT: {
        g_autofree char *t = g_strdup_printf("child<%s>", machine_type(spapr));
        add_prop(b, "machine", t);
        break;
    }
    case QOM_MACHINE:
        for (size_t i = 0; i < G_N_ELEMENTS(machine_props) && !spapr->machine_none; i++) {
            add_prop(b, machine_props[i].name, machine_props[i].type);
        }
        add_prop(b, "unattached", "child<container>");
        add_prop(b, "peripheral", "child<container>");
        add_prop(b, "peripheral-anon", "child<container>");
        break;
    case QOM_CONTAINER:
        if (strcmp(json_object_get_string_member(args, "path"), "/machine/unattached") == 0) {
            char t[80];
            char ct[64];
            cpu_type(spapr, ct, sizeof(ct));
            snprintf(t, sizeof(t), "child<%s>", ct);
            for (int i = 0; i < spapr->smp_cpus; i++) {
                g_autofree char *name = g_strdup_printf("device[%d]", i);
                add_prop(b, name, t);
            }
        }
        break;
    case QOM_CPU:
        add_prop(b, "realized", "bool");
        add_prop(b, "hotplugged", "bool");
        add_prop(b, "hotpluggable", "bool");
        add_prop(b, "cpu-index", "int");
        break;
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

static JsonNode *bool_node(bool v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    json_node_set_boolean(n, v);
    return n;
}

static JsonNode *int_node(int64_t v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    json_node_set_int(n, v);
    return n;
}

static JsonNode *str_node(const char *v)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(n, v);
    return n;
}

static JsonNode *machine_prop(SpaprMachineState *spapr, const char *name)
{
    const SpaprCaps *c = &spapr->caps;
    static const struct { const char *name; size_t off; } bools[] = {
        { "cap-fwnmi", offsetof(SpaprCaps, fwnmi) }, { "cap-htm", offsetof(SpaprCaps, htm) },
        { "cap-vsx", offsetof(SpaprCaps, vsx) }, { "cap-dfp", offsetof(SpaprCaps, dfp) },
        { "cap-nested-hv", offsetof(SpaprCaps, nested_hv) },
        { "cap-large-decr", offsetof(SpaprCaps, large_decr) },
        { "cap-ccf-assist", offsetof(SpaprCaps, ccf_assist) },
        { "cap-rpt-invalidate", offsetof(SpaprCaps, rpt_invalidate) },
        { "x-vof", offsetof(SpaprCaps, x_vof) },
    };
    if (spapr->machine_none) {
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bools); i++) {
        if (!strcmp(name, bools[i].name)) {
            return bool_node(*(const bool *)((const char *)c + bools[i].off));
        }
    }
    if (!strcmp(name, "cap-cfpc")) {
        return str_node(tri_names[c->cfpc]);
    }
    if (!strcmp(name, "cap-sbbc")) {
        return str_node(tri_names[c->sbbc]);
    }
    if (!strcmp(name, "cap-ibs")) {
        return str_node(ibs_names[c->ibs]);
    }
    if (!strcmp(name, "cap-hpt-max-page-size")) {
        return int_node((int64_t)c->hpt_max_page_size);
    }
    return NULL;
}

static JsonNode *no_property(const QomNode *node, const char *prop, GError **error)
{
    g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "Property '%s.%s' not found",
                node->type, prop);
    return NULL;
}

JsonNode *qmp_qom_get(QmpContext *ctx, JsonObject *args, GError **error)
{
    QomNode node;
    const char *prop = json_object_get_string_member(args, "property");
    if (!qom_path_arg(ctx, args, &node, error)) {
        return NULL;
    }
    if (!strcmp(prop, "type")) {
        return str_node(node.type);
    }
    JsonNode *value = NULL;
    if (node.kind == QOM_MACHINE) {
        value = machine_prop(ctx->spapr, prop);
    } else if (node.kind == QOM_CPU) {
        if (!strcmp(prop, "realized")) {
            value = bool_node(true);
        } else if (!strcmp(prop, "hotplugged") || !strcmp(prop, "hotpluggable")) {
            value = bool_node(false);
        } else if (!strcmp(prop, "cpu-index")) {
            value = int_node(node.cpu);
        }
    }
    return value ? value : no_property(&node, prop, error);
}

/* The JSON value as the text -machine takes ("on", "workaround", "65536"). */
static char *value_text(JsonNode *v)
{
    if (!JSON_NODE_HOLDS_VALUE(v)) {
        return NULL;
    }
    GType t = json_node_get_value_type(v);
    if (t == G_TYPE_BOOLEAN) {
        return g_strdup(json_node_get_boolean(v) ? "on" : "off");
    }
    if (t == G_TYPE_INT64) {
        return g_strdup_printf("%" PRId64, json_node_get_int(v));
    }
    if (t == G_TYPE_STRING) {
        return g_strdup(json_node_get_string(v));
    }
    return NULL;
}

JsonNode *qmp_qom_set(QmpContext *ctx, JsonObject *args, GError **error)
{
    SpaprMachineState *spapr = ctx->spapr;
    QomNode node;
    const char *prop = json_object_get_string_member(args, "property");
    if (!qom_path_arg(ctx, args, &node, error)) {
        return NULL;
    }
    g_autoptr(JsonNode) current = node.kind == QOM_MACHINE ? machine_prop(spapr, prop) : NULL;
    if (!current) {
        if (!strcmp(prop, "type") || (node.kind == QOM_CPU && qmp_qom_get(ctx, args, NULL))) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "Property '%s.%s' is not writable",
                        node.type, prop);
            return NULL;
        }
        return no_property(&node, prop, error);
    }
    JsonNode *value = json_object_get_member(args, "value");
    GType want = json_node_get_value_type(current);
    if (!JSON_NODE_HOLDS_VALUE(value) || json_node_get_value_type(value) != want) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Invalid parameter type for '%s', expected: %s", prop,
                    want == G_TYPE_BOOLEAN ? "boolean" : want == G_TYPE_INT64 ? "integer"
                                                                              : "string");
        return NULL;
    }
    /* The machine's capabilities are fixed once it has been initialised,
     * as QEMU's are: only --preconfig can still change them. */
    if (spapr->runstate != RUN_STATE_PRECONFIG) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Attempt to set property '%s' on '%s' after it was realized",
                    prop, node.type);
        return NULL;
    }
    g_autofree char *text = value_text(value);
    SpaprCaps caps = spapr->caps;
    GError *err = NULL;
    if (spapr_caps_set(&caps, prop, text, &err) < 0 ||
        spapr_caps_check(&caps, spapr->software_cpu, false, &err) < 0) {
        /* QMP errors carry no hint line (QEMU prints hints to humans only). */
        char *hint = err ? strstr(err->message, "\nTry appending") : NULL;
        if (hint) {
            *hint = '\0';
        }
        g_set_error_literal(error, MON_ERROR, MON_ERROR_GENERIC,
                            err ? err->message : "invalid value");
        g_clear_error(&err);
        return NULL;
    }
    spapr->caps = caps;
    return qmp_empty_object();
}

/* The types a client may ask about: name, parent, abstract. */
static const struct { const char *name, *parent; bool abstract; } qom_types[] = {
    { "object", NULL, true },
    { "container", "object", false },
    { "machine", "object", true },
    { "spapr-machine", "machine", true },
    { "pseries-7.2-machine", "spapr-machine", false },
    { "none-machine", "machine", false },
    { "device", "object", true },
    { "cpu", "device", true },
    { "powerpc64-cpu", "cpu", true },
    { "power8e_v2.1-powerpc64-cpu", "powerpc64-cpu", false },
    { "power8nvl_v1.0-powerpc64-cpu", "powerpc64-cpu", false },
    { "power8_v2.0-powerpc64-cpu", "powerpc64-cpu", false },
    { "power9_v1.0-powerpc64-cpu", "powerpc64-cpu", false },
    { "power9_v2.0-powerpc64-cpu", "powerpc64-cpu", false },
    { "power9_v2.2-powerpc64-cpu", "powerpc64-cpu", false },
    { "power10_v1.0-powerpc64-cpu", "powerpc64-cpu", false },
    { "power10_v2.0-powerpc64-cpu", "powerpc64-cpu", false },
};

static const char *type_parent(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qom_types); i++) {
        if (!strcmp(qom_types[i].name, name)) {
            return qom_types[i].parent;
        }
    }
    return NULL;
}

static bool type_implements(const char *name, const char *ancestor)
{
    for (const char *t = name; t; t = type_parent(t)) {
        if (!strcmp(t, ancestor)) {
            return true;
        }
    }
    return false;
}

JsonNode *qmp_qom_list_types(QmpContext *ctx, JsonObject *args, GError **error)
{
    const char *implements = json_object_has_member(args, "implements")
                             ? json_object_get_string_member(args, "implements") : NULL;
    bool abstract = json_object_has_member(args, "abstract") &&
                    json_object_get_boolean_member(args, "abstract");
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    for (size_t i = 0; i < G_N_ELEMENTS(qom_types); i++) {
        if ((qom_types[i].abstract && !abstract) ||
            (implements && !type_implements(qom_types[i].name, implements))) {
            continue;
        }
        json_builder_begin_object(b);
        qmp_add_str(b, "name", qom_types[i].name);
        if (qom_types[i].parent) {
            qmp_add_str(b, "parent", qom_types[i].parent);
        }
        if (qom_types[i].abstract) {
            qmp_add_bool(b, "abstract", true);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    return json_builder_get_root(b);
}

JsonNode *qmp_query_machines(QmpContext *ctx, JsonObject *args, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_array(b);
    json_builder_begin_object(b);
    qmp_add_str(b, "name", "pseries-7.2");
    qmp_add_str(b, "alias", "pseries");
    qmp_add_bool(b, "is-default", true);
    qmp_add_int(b, "cpu-max", SPAPR_MAX_CPUS);
    qmp_add_bool(b, "hotpluggable-cpus", false);
    qmp_add_bool(b, "numa-mem-supported", false);
    qmp_add_bool(b, "deprecated", false);
    qmp_add_str(b, "default-cpu-type", "power9_v2.2-powerpc64-cpu");
    qmp_add_str(b, "default-ram-id", "ppc_spapr.ram");
    json_builder_end_object(b);
    json_builder_begin_object(b);
    qmp_add_str(b, "name", "none");
    qmp_add_int(b, "cpu-max", 1);
    qmp_add_bool(b, "hotpluggable-cpus", false);
    qmp_add_bool(b, "numa-mem-supported", false);
    qmp_add_bool(b, "deprecated", false);
    json_builder_end_object(b);
    json_builder_end_array(b);
    return json_builder_get_root(b);
}
