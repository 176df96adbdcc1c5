/*
 * QMP request handling (system/qmp.c, qmp-cmds.c, qom.c, linked in
 * directly): the input is split by the stream splitter (system/qmp-json.c)
 * as the monitor splits it, and each value goes through process_line(),
 * before and then after capabilities negotiation. Every reply must be one line of valid UTF-8
 * that json-glib parses back to an object with "return" or "error".
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "system/monitor.h"
#include "system/qmp-json.h"
#include "../../system/qmp-internal.h"

static void check_reply(const char *reply)
{
    g_assert_true(g_utf8_validate(reply, -1, NULL));
    size_t len = strlen(reply);
    g_assert_true(len > 0 && reply[len - 1] == '\n');
    g_assert_null(memchr(reply, '\n', len - 1));
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, reply, -1, NULL));
    JsonNode *root = json_parser_get_root(parser);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    JsonObject *o = json_node_get_object(root);
    g_assert_true(json_object_has_member(o, "return") || json_object_has_member(o, "error"));
}

/* One client session, fed through the stream splitter as the monitor
 * feeds it (system/monitor.c). */
typedef struct FuzzSession {
    SpaprMachineState *spapr;
    const QmpModuleOps *ops;
    bool command_mode, oob;
    int values;
} FuzzSession;

static void fuzz_value(void *opaque, const char *json, const char *error)
{
    FuzzSession *f = opaque;
    if (++f->values > 32) {
        return;
    }
    if (error) {
        g_autofree char *reply = f->ops->error_line(MON_ERROR_GENERIC, error);
        check_reply(reply);
        return;
    }
    bool enter = false;
    MonitorAction action;
    g_autofree char *reply = f->ops->process_line(f->spapr, json, f->command_mode, &f->oob,
                                                  &enter, &action);
    if (reply) {
        check_reply(reply);
    }
    f->command_mode |= enter;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzSession f = { .spapr = fuzz_machine(), .ops = qmp_module_ops() };
    QmpJsonStreamer streamer;

    bql_lock();
    fuzz_reset(f.spapr);
    bql_unlock();
    qmp_json_init(&streamer, fuzz_value, &f);
    qmp_json_feed(&streamer, (const char *)data, size);
    qmp_json_destroy(&streamer);
    return 0;
}
