/*
 * QMP protocol tests: qemu-system-ppc64 -M pseries -accel qtest -qtest stdio
 * -qmp unix:PATH,server=on,wait=off, driven over the socket (JSON parsed
 * with json-glib), with qtest on stdio for RTAS calls and registers:
 * greeting, negotiation, request errors and garbage, reconnecting
 * clients, the introspection and HMP pass-through commands, quit, and the
 * stdio and socket endpoints. The machine's commands (run state, NMI and
 * machine-check injection, FWNMI) are in qmp-fwnmi-test.c.
 */
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib.h>

#include "qmp-fixture.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, " \
                 "\"major\": 0}, \"package\": \"fwnmi-vmm\"}, \"capabilities\": [\"oob\"]}}"

/* ---- protocol ---- */

static void test_greeting(void)
{
    TestVM *vm = test_vm_new();
    const char *path = test_vm_path(vm, "qmp.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none -qmp unix:%s,server=on,wait=off",
        path);
    test_vm_spawn(vm, args);
    TestSock *s = test_sock_connect(path);
    g_autofree char *line = test_sock_read_line(s);
    /* Byte for byte as QEMU formats it. */
    g_assert_cmpstr(line, ==, GREETING);
    test_sock_close(s);
    g_assert_cmpint(test_vm_wait(vm), ==, 0);
    test_vm_free(vm);
}

static void test_socket_mode(void)
{
    Fixture f;
    struct stat st;

    fixture_start(&f, NULL, true);
    g_assert_cmpint(stat(f.qmp_path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    fixture_stop(&f);
}

static void test_negotiation(void)
{
    Fixture f;
    fixture_start(&f, NULL, false);

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"query-status\", \"id\": 7}");
    g_assert_cmpstr(qmp_assert_error(r1, "CommandNotFound"), ==,
                    "Expecting capabilities negotiation with 'qmp_capabilities'");
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(r1), "id"), ==, 7);
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"no-such-command\"}");
    g_assert_cmpstr(qmp_assert_error(r2, "CommandNotFound"), ==,
                    "Expecting capabilities negotiation with 'qmp_capabilities'");
    /* "oob" is the only capability (tests/compat checks enabling it). */
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"qmp_capabilities\", "
                                        "\"arguments\": {\"enable\": [\"foo\"]}}");
    qmp_assert_error(r3, "GenericError");

    /* Events are only for negotiated clients. */
    g_autoptr(JsonNode) r4 = qmp(f.qmp, "{\"execute\": \"qmp_capabilities\"}");
    g_assert_cmpuint(json_object_get_size(qmp_return_object(r4)), ==, 0);
    g_assert_false(qmp_has_event(f.qmp, "STOP"));

    g_autoptr(JsonNode) r5 = qmp(f.qmp, "{\"execute\": \"qmp_capabilities\"}");
    g_assert_cmpstr(qmp_assert_error(r5, "CommandNotFound"), ==,
                    "Capabilities negotiation is already complete, command ignored");
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    g_assert_true(running);
    fixture_stop(&f);
}

static void test_events_need_negotiation(void)
{
    Fixture f;
    TestSock *other;

    /* Two -qmp endpoints; the second client does not negotiate at first. */
    f.vm = test_vm_new();
    f.qmp_path = test_vm_path(f.vm, "qmp.sock");
    const char *path2 = test_vm_path(f.vm, "qmp2.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none "
        "-qmp unix:%s,server=on,wait=off -qmp unix:%s,server=on,wait=off",
        f.qmp_path, path2);
    test_vm_spawn(f.vm, args);
    f.qmp = qmp_open(f.qmp_path, true);
    other = qmp_open(path2, false);

    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"stop\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) ev = qmp_event(f.qmp, "STOP");
    g_assert_false(json_object_has_member(json_node_get_object(ev), "data"));
    g_assert_false(test_sock_poll(other, 200));

    /* Once negotiated, the second client sees them too. */
    g_autoptr(JsonNode) r2 = qmp(other, "{\"execute\": \"qmp_capabilities\"}");
    qmp_return_object(r2);
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"cont\"}");
    qmp_return_object(r3);
    g_autoptr(JsonNode) ev1 = qmp_event(f.qmp, "RESUME");
    g_autoptr(JsonNode) ev2 = qmp_event(other, "RESUME");
    test_sock_close(other);
    fixture_stop(&f);
}

static void test_id_echo(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"query-status\", \"id\": \"abc\"}");
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(r1), "id"), ==, "abc");
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"id\": {\"n\": [1, 2]}, \"execute\": \"query-status\"}");
    JsonObject *id = json_object_get_object_member(json_node_get_object(r2), "id");
    g_assert_cmpint(json_array_get_length(json_object_get_array_member(id, "n")), ==, 2);
    /* Errors carry it too. */
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"bogus\", \"id\": 42}");
    qmp_assert_error(r3, "CommandNotFound");
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(r3), "id"), ==, 42);
    g_autoptr(JsonNode) r4 = qmp(f.qmp, "{\"execute\": \"stop\", \"arguments\": {\"x\": 1}, "
                                        "\"id\": 43}");
    qmp_assert_error(r4, "GenericError");
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(r4), "id"), ==, 43);
    /* No id, no id member. */
    g_autoptr(JsonNode) r5 = qmp(f.qmp, "{\"execute\": \"query-status\"}");
    g_assert_false(json_object_has_member(json_node_get_object(r5), "id"));
    fixture_stop(&f);
}

static void test_errors(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);
    static const struct {
        const char *request, *cls, *desc;
    } cases[] = {
        { "{\"execute\": \"bogus\"}", "CommandNotFound", "The command bogus has not been found" },
        { "{\"arguments\": {}}", "GenericError", "QMP input lacks member 'execute'" },
        { "{\"execute\": 1}", "GenericError", "QMP input member 'execute' must be a string" },
        { "{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
          "QMP input member 'arguments' must be an object" },
        { "{\"execute\": \"stop\", \"extra\": 1}", "GenericError",
          "QMP input member 'extra' is unexpected" },
        { "{\"exec-oob\": \"stop\"}", "GenericError", "QMP input member 'exec-oob' is unexpected" },
        { "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}", "GenericError",
          "Parameter 'now' is unexpected" },
        { "{\"execute\": \"x-inject-mce\", \"arguments\": {\"srr1\": 0, \"recovered\": true}}",
          "GenericError", "Parameter 'cpu-index' is missing" },
        { "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": \"0\", \"srr1\": 0, "
          "\"recovered\": true}}", "GenericError",
          "Invalid parameter type for 'cpu-index', expected: integer" },
        { "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": 0, \"srr1\": 0, "
          "\"recovered\": 1}}", "GenericError",
          "Invalid parameter type for 'recovered', expected: boolean" },
        { "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": 0, \"srr1\": 1.5, "
          "\"recovered\": true}}", "GenericError",
          "Invalid parameter type for 'srr1', expected: integer" },
        { "{\"execute\": \"human-monitor-command\"}", "GenericError",
          "Parameter 'command-line' is missing" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonNode) r = qmp(f.qmp, "%s", cases[i].request);
        g_assert_cmpstr(qmp_assert_error(r, cases[i].cls), ==, cases[i].desc);
    }
    /* The bad cpu-index of an injection. */
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"x-inject-mce\", \"arguments\": "
                                       "{\"cpu-index\": 5, \"srr1\": 0, \"recovered\": true}}");
    g_assert_true(strstr(qmp_assert_error(r, "GenericError"), "cpu-index"));
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"x-inject-mce\", \"arguments\": "
                                        "{\"cpu-index\": -1, \"srr1\": 0, \"recovered\": true}}");
    qmp_assert_error(r2, "GenericError");
    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    g_assert_cmpint(obj_int(qmp_return_object(fw), "legacy"), ==, 0);
    g_assert_false(qmp_has_event(f.qmp, "FWNMI_MACHINE_CHECK"));
    fixture_stop(&f);
}

static void test_garbage(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    /* As QEMU's json-streamer: every word is a value of its own. */
    qmp_send(f.qmp, "this is not json");
    static const char *const words[] = { "this", "is", "not", "json" };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        g_autoptr(JsonNode) r = qmp_reply(f.qmp);
        g_autofree char *want = g_strdup_printf("JSON parse error, invalid keyword '%s'", words[i]);
        g_assert_cmpstr(qmp_assert_error(r, "GenericError"), ==, want);
    }
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": }");
    g_assert_true(g_str_has_prefix(qmp_assert_error(r2, "GenericError"), "JSON parse error, "));
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "[1, 2, 3]");
    g_assert_cmpstr(qmp_assert_error(r3, "GenericError"), ==, "QMP input must be a JSON object");
    g_autoptr(JsonNode) r4 = qmp(f.qmp, "\"query-status\"");
    g_assert_cmpstr(qmp_assert_error(r4, "GenericError"), ==, "QMP input must be a JSON object");
    /* Binary noise: a lexical error each for 0x01, 0xff and 0xfe (each
     * is a resynchronisation point); 0x7f is skipped in recovery. */
    static const char noise[] = { 0x01, (char)0xff, (char)0xfe, 0x7f, '\n' };
    test_sock_write(f.qmp, noise, sizeof(noise));
    for (int i = 0; i < 3; i++) {
        g_autoptr(JsonNode) r5 = qmp_reply(f.qmp);
        g_assert_true(g_str_has_prefix(qmp_assert_error(r5, "GenericError"),
                                       "JSON parse error, stray '"));
    }
    /* Deep nesting is cut at QEMU's limit (1024) before any parser runs. */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 1025; i++) {
        g_string_append_c(deep, i % 2 ? '[' : '{');
    }
    g_string_append_c(deep, '\n');
    test_sock_write(f.qmp, deep->str, deep->len);
    g_string_free(deep, TRUE);
    g_autoptr(JsonNode) r6 = qmp_reply(f.qmp);
    g_assert_cmpstr(qmp_assert_error(r6, "GenericError"), ==,
                    "JSON nesting depth limit exceeded");
    /* Blank lines are ignored; the session goes on. */
    qmp_send(f.qmp, "   ");
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

/* A raw reply line: valid UTF-8 and valid JSON (parsed into *@node). */
static char *read_valid_line(TestSock *s, JsonNode **node)
{
    char *line = test_sock_read_line(s);
    g_assert_nonnull(line);
    g_assert_true(g_utf8_validate(line, -1, NULL));
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    g_assert_true(json_parser_load_from_data(parser, line, -1, &err));
    g_assert_no_error(err);
    *node = json_node_copy(json_parser_get_root(parser));
    return line;
}

/*
 * What would make a request ambiguous or its echo invalid JSON is
 * rejected as QEMU's parser does (GenericError, no id): duplicate
 * members (at any depth), lone surrogate escapes and noncharacters, and
 * numbers with no finite value. Every reply is valid JSON and UTF-8.
 */
static void test_rejects_ambiguous_json(void)
{
    static const struct {
        const char *request, *desc;
    } cases[] = {
        { "{\"execute\": \"query-status\", \"execute\": \"quit\"}",
          "JSON parse error, duplicate key" },
        { "{\"execute\": \"query-status\", \"id\": {\"a\": 1, \"b\": [{\"c\": 1, \"c\": 2}]}}",
          "JSON parse error, duplicate key" },
        { "{\"execute\": \"query-status\", \"id\": \"\\udc00x\"}",
          "JSON parse error, string is not valid Unicode" },
        { "{\"execute\": \"q\\udfffq\"}", "JSON parse error, string is not valid Unicode" },
        { "{\"execute\": \"query-status\", \"id\": [\"\\uffffz\"]}",
          "JSON parse error, string is not valid Unicode" },
        { "{\"execute\": \"query-status\", \"id\": 1e400}", "JSON parse error, number out of range" },
        { "{\"execute\": \"query-status\", \"id\": -1e400}", "JSON parse error, number out of range" },
        { "{\"execute\": \"stop\", \"arguments\": {\"x\": 1e999}}", "JSON parse error, number out of range" },
    };
    Fixture f;
    fixture_start(&f, NULL, true);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        qmp_send(f.qmp, "%s", cases[i].request);
        g_autoptr(JsonNode) r = NULL;
        g_autofree char *line = read_valid_line(f.qmp, &r);
        g_test_message("%s -> %s", cases[i].request, line);
        g_assert_true(g_str_has_prefix(qmp_assert_error(r, "GenericError"), cases[i].desc));
        g_assert_false(json_object_has_member(json_node_get_object(r), "id"));
        g_assert_null(strstr(line, "inf"));
    }
    /* The duplicate "execute": "quit" did not run, nor did the stop. */
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    /* A valid surrogate pair and large finite numbers are fine. */
    qmp_send(f.qmp, "{\"execute\": \"query-status\", \"id\": [\"\\ud83d\\ude00\", 1e300]}");
    g_autoptr(JsonNode) ok = NULL;
    g_autofree char *line = read_valid_line(f.qmp, &ok);
    qmp_return_object(ok);
    JsonArray *id = json_object_get_array_member(json_node_get_object(ok), "id");
    g_assert_cmpstr(json_array_get_string_element(id, 0), ==, "\xf0\x9f\x98\x80");
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

/* GUEST_PANICKED carries the guest's ibm,os-term message JSON-escaped:
 * quotes, backslashes, control characters and bytes that are not UTF-8
 * still give a valid event. */
static void test_panic_reason_is_json(void)
{
    static const char msg[] = "bad \"q\" \\ \t\x01 \xff\xfe end";
    Fixture f;
    fixture_start(&f, NULL, true);

    GString *hex = g_string_new(NULL);
    for (const char *c = msg; *c; c++) {
        g_string_append_printf(hex, "%02x", (unsigned char)*c);
    }
    g_string_append(hex, "00");
    g_autofree char *write = g_strdup_printf("write 0x20000 %zu 0x%s", sizeof(msg), hex->str);
    g_string_free(hex, TRUE);
    g_free(qtest(&f, write));
    g_free(qtest(&f, "writel 0x10000 0x20000"));
    g_autofree char *r = qtest(&f, "rtas ibm,os-term 1 0x10000 1 0x10100");
    g_assert_cmpstr(r, ==, "OK 0");

    for (;;) {
        g_autoptr(JsonNode) ev = NULL;
        g_autofree char *line = read_valid_line(f.qmp, &ev);
        JsonObject *o = json_node_get_object(ev);
        if (g_strcmp0(json_object_get_string_member_with_default(o, "event", ""),
                      "GUEST_PANICKED")) {
            continue;
        }
        JsonObject *info = json_object_get_object_member(qmp_event_data(ev), "info");
        g_assert_cmpstr(json_object_get_string_member(info, "reason"), ==,
                        "ibm,os-term: bad \"q\" \\ \t\x01 \xef\xbf\xbd\xef\xbf\xbd end");
        break;
    }
    fixture_stop_status(&f, 1);
}

static void test_huge_line(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    /* 2 MiB inside a JSON string: longer than the 1 MiB value limit. The
     * lexer then skips to the closing '}', which is a value of its own. */
    GString *big = g_string_new("{\"execute\": \"query-status\", \"id\": \"");
    for (int i = 0; i < 2 << 20; i++) {
        g_string_append_c(big, 'a' + i % 26);
    }
    g_string_append(big, "\"}\n");
    test_sock_write(f.qmp, big->str, big->len);
    g_string_free(big, TRUE);
    g_autoptr(JsonNode) r = qmp_reply(f.qmp);
    g_assert_cmpstr(qmp_assert_error(r, "GenericError"), ==, "JSON token size limit exceeded");
    g_assert_false(json_object_has_member(json_node_get_object(r), "id"));
    g_autoptr(JsonNode) r1 = qmp_reply(f.qmp);
    g_assert_true(g_str_has_prefix(qmp_assert_error(r1, "GenericError"), "JSON parse error"));

    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"query-status\", \"id\": 2}");
    qmp_return_object(r2);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(r2), "id"), ==, 2);
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

static void test_reconnect(void)
{
    Fixture f;
    fixture_start(&f, "-smp 2", true);

    /* Half a command, then gone. */
    static const char half[] = "{\"execute\": \"sto";
    test_sock_write(f.qmp, half, sizeof(half) - 1);
    test_sock_close(f.qmp);

    /* The next client gets a fresh session: greeting, negotiation again. */
    f.qmp = qmp_open(f.qmp_path, false);
    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"query-status\"}");
    qmp_assert_error(r1, "CommandNotFound");
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"qmp_capabilities\"}");
    qmp_return_object(r2);
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");

    /* A command whose reply nobody reads, then gone: the machine is unharmed. */
    register_fwnmi(&f);
    qmp_send(f.qmp, "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": 1, "
                    "\"srr1\": %d, \"dsisr\": %d, \"dar\": 4096, \"recovered\": true}}",
             SRR1_LOADSTORE, DSISR_UE);
    qmp_send(f.qmp, "{\"execute\": \"query-cpus-fast\"}");
    test_sock_close(f.qmp);
    assert_qtest_alive(&f);

    for (int i = 0; i < 3; i++) {
        f.qmp = qmp_open(f.qmp_path, true);
        g_autoptr(JsonNode) fw = query_fwnmi(&f);
        JsonObject *o = qmp_return_object(fw);
        g_assert_cmpint(obj_int(o, "delivered"), ==, 1);
        g_assert_cmpint(obj_int(o, "interlock-holder"), ==, 1);
        if (i < 2) {
            test_sock_close(f.qmp);
        }
    }
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 1, "nip"), ==, MCE_HANDLER);
    fixture_stop(&f);
}

/* ---- commands ---- */

static void test_query_version_commands(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    g_autoptr(JsonNode) v = qmp(f.qmp, "{\"execute\": \"query-version\"}");
    JsonObject *o = qmp_return_object(v);
    g_assert_cmpstr(obj_str(o, "package"), ==, "fwnmi-vmm");
    g_assert_cmpint(obj_int(json_object_get_object_member(o, "qemu"), "minor"), ==, 1);

    g_autoptr(JsonNode) c = qmp(f.qmp, "{\"execute\": \"query-commands\"}");
    JsonArray *cmds = qmp_return_array(c);
    static const char *const expected[] = {
        "qmp_capabilities", "query-status", "query-cpus-fast", "stop", "cont",
        "system_reset", "quit", "inject-nmi", "human-monitor-command", "x-inject-mce",
        "x-inject-memory-error", "query-fwnmi",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        bool found = false;
        for (guint j = 0; j < json_array_get_length(cmds); j++) {
            JsonObject *e = json_array_get_object_element(cmds, j);
            found |= !strcmp(obj_str(e, "name"), expected[i]);
        }
        g_assert_true(found);
    }
    fixture_stop(&f);
}

static void test_query_cpus_fast(void)
{
    Fixture f;
    fixture_start(&f, "-smp 3", true);

    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"query-cpus-fast\"}");
    JsonArray *cpus = qmp_return_array(r);
    g_assert_cmpuint(json_array_get_length(cpus), ==, 3);
    for (guint i = 0; i < 3; i++) {
        JsonObject *c = json_array_get_object_element(cpus, i);
        g_autofree char *path = g_strdup_printf("/machine/unattached/device[%u]", i);
        g_assert_cmpint(obj_int(c, "cpu-index"), ==, i);
        g_assert_cmpstr(obj_str(c, "qom-path"), ==, path);
        g_assert_cmpstr(obj_str(c, "target"), ==, "ppc64");
        /* No vCPU threads under qtest: the process id, as QEMU's qtest. */
        g_assert_cmpint(obj_int(c, "thread-id"), ==, f.vm->pid);
        JsonObject *props = json_object_get_object_member(c, "props");
        g_assert_cmpint(json_object_get_int_member(props, "core-id"), ==, i);
    }
    fixture_stop(&f);
}

static void test_human_monitor_command(void)
{
    Fixture f;
    fixture_start(&f, "-smp 2", true);

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": \"info status\"}}");
    g_assert_cmpstr(qmp_return_string(r1), ==, "VM status: running\n");

    g_free(qtest(&f, "cpu-set 1 r7 0xabcdef"));
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": \"info registers\", "
                                        "\"cpu-index\": 1}}");
    const char *regs = qmp_return_string(r2);
    g_assert_nonnull(strstr(regs, "CPU#1"));
    g_assert_nonnull(strstr(regs, "0000000000abcdef"));

    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": \"stop\"}}");
    g_assert_cmpstr(qmp_return_string(r3), ==, "");
    g_autoptr(JsonNode) stop = qmp_event(f.qmp, "STOP");

    g_autoptr(JsonNode) r4 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": \"bogus\"}}");
    g_assert_cmpstr(qmp_return_string(r4), ==, "unknown command: 'bogus'\n");

    g_autoptr(JsonNode) r5 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": \"info status\", "
                                        "\"cpu-index\": 9}}");
    qmp_assert_error(r5, "GenericError");

    g_autoptr(JsonNode) r6 = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                        "\"arguments\": {\"command-line\": "
                                        "\"mce 1 0x200000 0x8000 0x1000 1\"}}");
    g_assert_cmpstr(qmp_return_string(r6), ==, "Machine check on CPU 1: legacy\n");
    assert_mce_event(&f, 1, "legacy", "UE", true);
    fixture_stop(&f);
}

static void test_quit(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"quit\", \"id\": \"q\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) ev = qmp_event(f.qmp, "SHUTDOWN");
    JsonObject *d = qmp_event_data(ev);
    g_assert_false(obj_bool(d, "guest"));
    g_assert_cmpstr(obj_str(d, "reason"), ==, "host-qmp-quit");
    /* The VMM closes the connection and exits 0 by itself (its stdin,
     * which would end it too, is still open). */
    JsonNode *rest;
    while ((rest = qmp_recv(f.qmp))) {
        json_node_unref(rest);
    }
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);
    fixture_stop(&f);
}

static void test_quit_after_panic(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    register_fwnmi(&f);
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0, true), ==, "delivered");
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0, false), ==, "panicked");
    g_autoptr(JsonNode) panic = qmp_event(f.qmp, "GUEST_PANICKED");
    /* Panicked, but quit exits 0 as QEMU does. */
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"quit\"}");
    qmp_return_object(r);
    fixture_stop(&f);
}

/* ---- endpoints ---- */

static void test_stdio(void)
{
    TestVM *vm = test_vm_new();
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest unix:%s,server=on -qmp stdio -display none",
        test_vm_path(vm, "qtest.sock"));
    test_vm_spawn(vm, args);

    g_autofree char *greeting = test_vm_read_line(vm);
    g_assert_cmpstr(greeting, ==, GREETING);
    test_vm_write(vm, "{\"execute\": \"qmp_capabilities\", \"id\": 1}\n");
    g_autofree char *r1 = test_vm_read_line(vm);
    g_assert_cmpstr(r1, ==, "{\"return\": {}, \"id\": 1}");
    test_vm_write(vm, "{\"execute\": \"query-status\"}\n");
    g_autofree char *r2 = test_vm_read_line(vm);
    g_assert_cmpstr(r2, ==, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}");
    test_vm_write(vm, "{\"execute\": \"quit\"}\n");
    g_autofree char *r3 = test_vm_read_line(vm);
    g_assert_cmpstr(r3, ==, "{\"return\": {}}");
    g_autofree char *r4 = test_vm_read_line(vm);
    g_assert_true(g_str_has_prefix(r4, "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, "
                                       "\"reason\": \"host-qmp-quit\"}, \"timestamp\": {"));
    g_assert_cmpint(test_vm_wait_exit(vm), ==, 0);
    test_vm_free(vm);
}

static void test_server_wait(void)
{
    Fixture f;
    /* wait=on (the default with server=on): start-up waits for a client. */
    f.vm = test_vm_new();
    f.qmp_path = test_vm_path(f.vm, "qmp.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none -qmp unix:%s,server=on",
        f.qmp_path);
    test_vm_spawn(f.vm, args);
    f.qmp = qmp_open(f.qmp_path, true);
    assert_qtest_alive(&f);
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    fixture_stop(&f);
}

static void test_bad_endpoints(void)
{
    static const char *const bad[] = {
        "-accel qtest -qtest stdio -qmp stdio",
        "-accel qtest -qtest stdio -monitor stdio",
        "-accel qtest -qtest unix:%s,server=on -qmp stdio -monitor stdio",
        "-accel qtest -qtest stdio -monitor file:%s",
        "-accel qtest -qtest stdio -qmp file:%s",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        TestVM *vm = test_vm_new();
        const char *path = test_vm_path(vm, "x.sock");
        g_autofree char *args = g_strdup_printf(bad[i], path);
        test_vm_spawn(vm, args);
        g_assert_cmpint(test_vm_wait_exit(vm), ==, 1);
        test_vm_free(vm);
    }
}

/* ---- socket files ---- */

static bool path_is_socket(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A socket bound and closed without unlinking: nobody listens on it. */
static void make_stale_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    close(fd);
    g_assert_true(path_is_socket(path));
}

static int listen_on(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/* A server endpoint never deletes what is not a stale socket: a regular
 * file (or a live socket) at its path is a start-up error and survives. */
static void test_server_path_not_a_socket_refused(void)
{
    static const char *const opts[] = {
        "-accel qtest -qtest stdio -display none -qmp unix:%s,server=on,wait=off",
        "-accel qtest -display none -qtest unix:%s,server=on",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(opts); i++) {
        TestVM *vm = test_vm_new();
        const char *path = test_vm_path(vm, "precious");
        g_assert_true(g_file_set_contents(path, "data", -1, NULL));
        g_autofree char *args = g_strdup_printf(opts[i], path);
        test_vm_spawn(vm, args);
        g_assert_cmpint(test_vm_wait_exit(vm), ==, 1);
        g_autofree char *data = NULL;
        g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
        g_assert_cmpstr(data, ==, "data");
        test_vm_free(vm);
    }
    /* A socket somebody listens on is not stale either. */
    TestVM *vm = test_vm_new();
    const char *path = test_vm_path(vm, "live.sock");
    int fd = listen_on(path);
    g_autofree char *args = g_strdup_printf(
        "-accel qtest -qtest stdio -display none -qmp unix:%s,server=on,wait=off", path);
    test_vm_spawn(vm, args);
    g_assert_cmpint(test_vm_wait_exit(vm), ==, 1);
    g_assert_true(path_is_socket(path));
    close(fd);
    test_vm_free(vm);
}

/* A stale socket is replaced, and the socket is gone after quit. */
static void test_server_stale_socket_replaced_and_removed(void)
{
    Fixture f;
    f.vm = test_vm_new();
    f.qmp_path = test_vm_path(f.vm, "qmp.sock");
    make_stale_socket(f.qmp_path);
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none -qmp unix:%s,server=on,wait=off",
        f.qmp_path);
    test_vm_spawn(f.vm, args);
    f.qmp = qmp_open(f.qmp_path, true);
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"quit\"}");
    qmp_return_object(r);
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);
    g_assert_false(g_file_test(f.qmp_path, G_FILE_TEST_EXISTS));
    test_sock_close(f.qmp);
    test_vm_free(f.vm);
}

/* Sockets are removed on every exit: end of the qtest session, a
 * start-up error after they were bound, and SIGTERM. */
static void test_server_sockets_removed_on_every_exit(void)
{
    /* qtest stdin closed */
    Fixture f;
    fixture_start(&f, NULL, true);
    test_sock_close(f.qmp);
    g_assert_cmpint(test_vm_wait(f.vm), ==, 0);
    g_assert_false(g_file_test(f.qmp_path, G_FILE_TEST_EXISTS));
    test_vm_free(f.vm);

    /* the second -qmp fails after the first was bound */
    TestVM *vm = test_vm_new();
    const char *good = test_vm_path(vm, "good.sock");
    const char *bad = test_vm_path(vm, "bad");
    g_assert_true(g_file_set_contents(bad, "x", -1, NULL));
    g_autofree char *args = g_strdup_printf(
        "-accel qtest -qtest stdio -display none -qmp unix:%s,server=on,wait=off "
        "-qmp unix:%s,server=on,wait=off", good, bad);
    test_vm_spawn(vm, args);
    g_assert_cmpint(test_vm_wait_exit(vm), ==, 1);
    g_assert_false(g_file_test(good, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(bad, G_FILE_TEST_IS_REGULAR));
    test_vm_free(vm);

    /* SIGTERM */
    fixture_start(&f, NULL, true);
    assert_qtest_alive(&f);
    g_assert_true(path_is_socket(f.qmp_path));
    kill(f.vm->pid, SIGTERM);
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);     /* orderly, as QEMU */
    g_assert_false(g_file_test(f.qmp_path, G_FILE_TEST_EXISTS));
    test_sock_close(f.qmp);
    test_vm_free(f.vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/qmp/greeting", test_greeting);
    g_test_add_func("/monitor/qmp/socket-mode", test_socket_mode);
    g_test_add_func("/monitor/qmp/negotiation", test_negotiation);
    g_test_add_func("/monitor/qmp/events-need-negotiation", test_events_need_negotiation);
    g_test_add_func("/monitor/qmp/id-echo", test_id_echo);
    g_test_add_func("/monitor/qmp/errors", test_errors);
    g_test_add_func("/monitor/qmp/garbage", test_garbage);
    g_test_add_func("/monitor/qmp/huge-line", test_huge_line);
    g_test_add_func("/monitor/qmp/rejects-ambiguous-json", test_rejects_ambiguous_json);
    g_test_add_func("/monitor/qmp/panic-reason-is-json", test_panic_reason_is_json);
    g_test_add_func("/monitor/qmp/reconnect", test_reconnect);
    g_test_add_func("/monitor/qmp/query-version-commands", test_query_version_commands);
    g_test_add_func("/monitor/qmp/query-cpus-fast", test_query_cpus_fast);
    g_test_add_func("/monitor/qmp/human-monitor-command", test_human_monitor_command);
    g_test_add_func("/monitor/qmp/quit", test_quit);
    g_test_add_func("/monitor/qmp/quit-after-panic", test_quit_after_panic);
    g_test_add_func("/monitor/qmp/stdio", test_stdio);
    g_test_add_func("/monitor/qmp/server-wait", test_server_wait);
    g_test_add_func("/monitor/qmp/bad-endpoints", test_bad_endpoints);
    g_test_add_func("/monitor/qmp/server-path-not-a-socket-refused",
                    test_server_path_not_a_socket_refused);
    g_test_add_func("/monitor/qmp/server-stale-socket-replaced-and-removed",
                    test_server_stale_socket_replaced_and_removed);
    g_test_add_func("/monitor/qmp/server-sockets-removed-on-every-exit",
                    test_server_sockets_removed_on_every_exit);
    return g_test_run();
}
