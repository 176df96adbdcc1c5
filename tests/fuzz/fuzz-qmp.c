/*
 * QMP request handling (system/qmp.c, qmp-cmds.c, linked in directly):
 * each input line goes through process_line() first before and then after
 * capabilities negotiation. Every reply must be one line of valid UTF-8
 * that json-glib parses back to an object with "return" or "error".
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "system/monitor.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpaprMachineState *spapr = fuzz_machine();
    const QmpModuleOps *ops = qmp_module_ops();
    g_autofree char *text = g_strndup((const char *)data, size);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    bool command_mode = false, oob = false;

    bql_lock();
    fuzz_reset(spapr);
    bql_unlock();
    for (char **l = lines; *l && l - lines < 32; l++) {
        bool enter = false;
        MonitorAction action;
        g_autofree char *reply = ops->process_line(spapr, *l, command_mode, &oob, &enter, &action);
        if (reply) {
            check_reply(reply);
        }
        command_mode |= enter;
    }
    return 0;
}
