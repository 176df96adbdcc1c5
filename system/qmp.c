/*
 * QMP: the protocol as QEMU speaks it (greeting, capabilities negotiation,
 * "execute"/"arguments"/"id", "return"/"error" replies, events) and the
 * dispatch of requests to the commands of system/qmp-cmds.c.
 *
 * system/qmp-json.c splits the input stream into JSON values as QEMU
 * does; each is parsed with JsonParser, and replies are produced with
 * JsonBuilder and JsonGenerator (json-glib).
 */
#include "system/monitor.h"

#include <math.h>
#include <string.h>

#include "system/bql.h"
#include "system/trace.h"
#include "qmp-internal.h"

/* ---- JSON helpers ---- */

/*
 * JsonGenerator's compact text with QEMU's separators (", " and ": "), so
 * that replies read byte for byte as QEMU's: {"return": {}, "id": 1}.
 */
char *qmp_json_text(JsonNode *node, bool newline)
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
    return qmp_json_text(node, true);
}

static char *builder_line(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    return json_line(root);
}

void qmp_add_int(JsonBuilder *b, const char *name, int64_t value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

void qmp_add_bool(JsonBuilder *b, const char *name, bool value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}

void qmp_add_str(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

JsonNode *qmp_empty_object(void)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(node, json_object_new());
    return node;
}

/* ---- replies, greeting and events ---- */

static const char *error_class_name(MonErrorClass cls)
{
    switch (cls) {
    case MON_ERROR_COMMAND_NOT_FOUND:
        return "CommandNotFound";
    case MON_ERROR_DEVICE_NOT_FOUND:
        return "DeviceNotFound";
    default:
        return "GenericError";
    }
}

static char *error_reply(MonErrorClass cls, const char *desc, JsonNode *id)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_begin_object(b);
    /* Parser messages may quote input bytes: keep the reply UTF-8. */
    g_autofree char *valid_desc = g_utf8_make_valid(desc, -1);
    qmp_add_str(b, "class", error_class_name(cls));
    qmp_add_str(b, "desc", valid_desc);
    json_builder_end_object(b);
    if (id) {
        json_builder_set_member_name(b, "id");
        json_builder_add_value(b, json_node_copy(id));
    }
    json_builder_end_object(b);
    return builder_line(b);
}

static char *qmp_error_line(MonErrorClass cls, const char *desc)
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

void qmp_add_version(JsonBuilder *b)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "qemu");
    json_builder_begin_object(b);
    qmp_add_int(b, "micro", MONITOR_VERSION_MICRO);
    qmp_add_int(b, "minor", MONITOR_VERSION_MINOR);
    qmp_add_int(b, "major", MONITOR_VERSION_MAJOR);
    json_builder_end_object(b);
    qmp_add_str(b, "package", MONITOR_PACKAGE);
    json_builder_end_object(b);
}

static char *qmp_greeting(void)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "QMP");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    qmp_add_version(b);
    json_builder_set_member_name(b, "capabilities");
    json_builder_begin_array(b);
    json_builder_add_string_value(b, "oob");
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return builder_line(b);
}

static char *qmp_format_event(const char *name, const char *data_json)
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
    qmp_add_str(b, "event", name);
    if (data) {
        json_builder_set_member_name(b, "data");
        json_builder_add_value(b, data);
    }
    json_builder_set_member_name(b, "timestamp");
    json_builder_begin_object(b);
    qmp_add_int(b, "seconds", now / G_USEC_PER_SEC);
    qmp_add_int(b, "microseconds", now % G_USEC_PER_SEC);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return builder_line(b);
}

/* ---- dispatch ---- */

static const char *arg_type_name(QmpArgType type)
{
    switch (type) {
    case QMP_ARG_INT:
        return "integer";
    case QMP_ARG_BOOL:
        return "boolean";
    case QMP_ARG_STR:
        return "string";
    case QMP_ARG_STR_LIST:
        return "array";
    case QMP_ARG_ANY:
        return "any";
    }
    return "value";
}

static bool arg_type_ok(JsonNode *node, QmpArgType type)
{
    if (type == QMP_ARG_ANY) {
        return true;
    }
    if (type == QMP_ARG_STR_LIST) {
        if (!JSON_NODE_HOLDS_ARRAY(node)) {
            return false;
        }
        JsonArray *array = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(array); i++) {
            if (!arg_type_ok(json_array_get_element(array, i), QMP_ARG_STR)) {
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
    case QMP_ARG_INT:
        return t == G_TYPE_INT64;
    case QMP_ARG_BOOL:
        return t == G_TYPE_BOOLEAN;
    case QMP_ARG_STR:
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

/* The request's shape: QEMU's qmp_dispatch_check_obj(). */
static bool check_request(JsonObject *req, bool allow_oob, GError **error)
{
    g_autoptr(GList) members = json_object_get_members(req);
    const char *exec_key = NULL;
    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        JsonNode *node = json_object_get_member(req, name);
        if (!strcmp(name, "execute") || (allow_oob && !strcmp(name, "exec-oob"))) {
            if (!JSON_NODE_HOLDS_VALUE(node) ||
                json_node_get_value_type(node) != G_TYPE_STRING) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "QMP input member '%s' must be a string", name);
                return false;
            }
            if (exec_key) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "QMP input member '%s' clashes with '%s'", name, exec_key);
                return false;
            }
            exec_key = name;
        } else if (!strcmp(name, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(node)) {
                g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                            "QMP input member 'arguments' must be an object");
                return false;
            }
        } else if (strcmp(name, "id") != 0) {
            /* "exec-oob" too, unless the "oob" capability is on. */
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                        "QMP input member '%s' is unexpected", name);
            return false;
        }
    }
    if (!exec_key) {
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

/*
 * What json-glib lets through and QEMU's parser (qobject/json-parser.c)
 * rejects, so that a request means one thing and every reply is valid
 * JSON and UTF-8:
 *  - a duplicate member ({"execute": "a", "execute": "b"}): json-glib
 *    keeps the last one; QEMU answers "duplicate key";
 *  - a lone UTF-16 surrogate escape ("\udc00"), which json-glib decodes
 *    to bytes that are not UTF-8, and noncharacters (U+FFFE, U+FDD0 ...):
 *    QEMU answers "... is not a valid Unicode character";
 *  - a number that is not finite as a double (1e400): json-glib gives
 *    inf, which has no JSON spelling (QEMU itself would echo "inf").
 */
typedef struct JsonCheck {
    GHashTable *members;        /* JsonObject* -> members parsed so far */
    bool duplicate;
} JsonCheck;

/* JsonParser::object-member, emitted once per member parsed, after it is
 * stored: an object smaller than its member count had a duplicate. */
static void count_member(JsonParser *parser, JsonObject *object, const char *name,
                         gpointer opaque)
{
    JsonCheck *check = opaque;
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(check->members, object)) + 1;

    g_hash_table_insert(check->members, object, GUINT_TO_POINTER(n));
    if (json_object_get_size(object) < n) {
        check->duplicate = true;
    }
}

static bool unicode_ok(const char *s)
{
    if (!g_utf8_validate(s, -1, NULL)) {
        return false;
    }
    for (; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        if ((c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF)) {
            return false;
        }
    }
    return true;
}

/* The first problem in the tree under @node, or NULL. Recursion is bounded
 * by nesting_bounded(). */
static const char *json_tree_problem(JsonNode *node)
{
    static const char bad_string[] = "JSON parse error, string is not valid Unicode "
                                     "(lone surrogate, noncharacter or invalid UTF-8)";
    switch (JSON_NODE_TYPE(node)) {
    case JSON_NODE_OBJECT: {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, &name, &member)) {
            const char *why = unicode_ok(name) ? json_tree_problem(member) : bad_string;
            if (why) {
                return why;
            }
        }
        return NULL;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *array = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(array); i++) {
            const char *why = json_tree_problem(json_array_get_element(array, i));
            if (why) {
                return why;
            }
        }
        return NULL;
    }
    case JSON_NODE_VALUE:
        if (json_node_get_value_type(node) == G_TYPE_STRING &&
            !unicode_ok(json_node_get_string(node))) {
            return bad_string;
        }
        if (json_node_get_value_type(node) == G_TYPE_DOUBLE &&
            !isfinite(json_node_get_double(node))) {
            return "JSON parse error, number out of range";
        }
        return NULL;
    default:
        return NULL;
    }
}

/* QEMU's parser messages (qobject/json-parser.c) for what json-glib
 * found; the lexer (system/qmp-json.c) has already vetted every token. */
static const char *parse_error_text(const GError *err)
{
    if (err->domain == JSON_PARSER_ERROR) {
        switch (err->code) {
        case JSON_PARSER_ERROR_MISSING_COLON:
            return "JSON parse error, missing : in object pair";
        case JSON_PARSER_ERROR_MISSING_COMMA:
            return "JSON parse error, expected separator in dict";
        default:
            break;
        }
    }
    return "JSON parse error, expecting value";
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

static char *qmp_process_line(SpaprMachineState *spapr, const char *line, bool command_mode,
                              bool *oob, bool *enter_command_mode, MonitorAction *action)
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
    JsonCheck check = { .members = g_hash_table_new(NULL, NULL) };
    g_signal_connect(parser, "object-member", G_CALLBACK(count_member), &check);
    bool parsed = json_parser_load_from_data(parser, line, -1, &err);
    g_hash_table_destroy(check.members);
    if (!parsed) {
        return error_reply(MON_ERROR_GENERIC, parse_error_text(err), NULL);
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root) {
        return NULL;
    }
    if (check.duplicate) {
        return error_reply(MON_ERROR_GENERIC, "JSON parse error, duplicate key", NULL);
    }
    const char *problem = json_tree_problem(root);
    if (problem) {
        return error_reply(MON_ERROR_GENERIC, problem, NULL);
    }
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        return error_reply(MON_ERROR_GENERIC, "QMP input must be a JSON object", NULL);
    }
    JsonObject *req = json_node_get_object(root);
    JsonNode *id = json_object_get_member(req, "id");
    if (!check_request(req, *oob, &err)) {
        return error_reply(MON_ERROR_GENERIC, err->message, id);
    }
    bool exec_oob = json_object_has_member(req, "exec-oob");
    const char *name = json_object_get_string_member(req, exec_oob ? "exec-oob" : "execute");
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
    const QmpCommand *cmd = qmp_find_command(name);
    if (!cmd) {
        g_autofree char *desc = g_strdup_printf("The command %s has not been found", name);
        return error_reply(MON_ERROR_COMMAND_NOT_FOUND, desc, id);
    }
    if (exec_oob && !(cmd->flags & QMP_ALLOW_OOB)) {
        g_autofree char *desc = g_strdup_printf("The command %s does not support OOB", name);
        return error_reply(MON_ERROR_GENERIC, desc, id);
    }
    g_autoptr(JsonObject) no_args = json_object_new();
    JsonObject *args = json_object_has_member(req, "arguments")
                       ? json_object_get_object_member(req, "arguments") : no_args;
    if (!check_args(cmd, args, &err)) {
        return error_reply(MON_ERROR_GENERIC, err->message, id);
    }

    QmpContext ctx = { .spapr = spapr, .oob = oob };
    bql_lock();
    JsonNode *ret = NULL;
    if (spapr->runstate == RUN_STATE_PRECONFIG && !(cmd->flags & QMP_ALLOW_PRECONFIG)) {
        g_set_error(&err, MON_ERROR, MON_ERROR_GENERIC, "The command '%s' is permitted only "
                    "after machine initialization has completed", name);
    } else {
        ret = cmd->fn(&ctx, args, &err);
    }
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

/* ---- the module's entry point ---- */

static const QmpModuleOps qmp_ops = {
    .greeting = qmp_greeting,
    .process_line = qmp_process_line,
    .error_line = qmp_error_line,
    .format_event = qmp_format_event,
};

const QmpModuleOps *qmp_module_ops(void)
{
    return &qmp_ops;
}
