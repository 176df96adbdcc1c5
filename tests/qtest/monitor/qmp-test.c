/*
 * QMP tests: qemu-system-ppc64 -M pseries -accel qtest -qtest stdio
 * -qmp unix:PATH,server=on,wait=off, driven over the socket (JSON parsed
 * with json-glib), with qtest on stdio for RTAS calls and registers.
 */
#include <string.h>
#include <sys/stat.h>
#include <glib.h>

#include "monitor-util.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, " \
                 "\"major\": 0}, \"package\": \"fwnmi-vmm\"}, \"capabilities\": []}}"

/* FWNMI handlers the tests register: real addresses below 32 MiB. */
#define SRESET_HANDLER 0x1000
#define MCE_HANDLER    0x2000

/* A D-side UE on a load/store (SRR1 bit 42, DSISR UE). */
#define SRR1_LOADSTORE 0x200000
#define DSISR_UE       0x8000
#define SRR1_IFETCH_UE 0x40000

typedef struct Fixture {
    TestVM *vm;
    const char *qmp_path;
    TestSock *qmp;
} Fixture;

static void fixture_start(Fixture *f, const char *extra, bool negotiate)
{
    f->vm = test_vm_new();
    f->qmp_path = test_vm_path(f->vm, "qmp.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none -nodefaults "
        "-qmp unix:%s,server=on,wait=off %s", f->qmp_path, extra ? extra : "");
    test_vm_spawn(f->vm, args);
    f->qmp = qmp_open(f->qmp_path, negotiate);
}

static void fixture_stop_status(Fixture *f, int status)
{
    test_sock_close(f->qmp);
    /* qtest on stdio: closing its stdin ends the VMM. */
    g_assert_cmpint(test_vm_wait(f->vm), ==, status);
    test_vm_free(f->vm);
}

static void fixture_stop(Fixture *f)
{
    fixture_stop_status(f, 0);
}

static char *qtest(Fixture *f, const char *line)
{
    return qtest_stdio(f->vm, "%s", line);
}

static void assert_qtest_alive(Fixture *f)
{
    g_autofree char *reply = qtest(f, "machine-state");
    g_assert_true(g_str_has_prefix(reply, "OK "));
}

static int64_t obj_int(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_int_member(o, name);
}

static const char *obj_str(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_string_member(o, name);
}

static bool obj_bool(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_boolean_member(o, name);
}

static const char *query_status(Fixture *f, bool *running)
{
    g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"query-status\"}");
    JsonObject *o = qmp_return_object(r);
    *running = obj_bool(o, "running");
    return g_intern_string(obj_str(o, "status"));
}

static JsonNode *query_fwnmi(Fixture *f)
{
    return qmp(f->qmp, "{\"execute\": \"query-fwnmi\"}");
}

static const char *inject_mce(Fixture *f, int cpu, uint64_t srr1, uint64_t dsisr, uint64_t dar,
                              bool recovered)
{
    g_autoptr(JsonNode) r = qmp(f->qmp,
        "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": %d, "
        "\"srr1\": %" G_GUINT64_FORMAT ", \"dsisr\": %" G_GUINT64_FORMAT ", "
        "\"dar\": %" G_GUINT64_FORMAT ", \"recovered\": %s}}",
        cpu, srr1, dsisr, dar, recovered ? "true" : "false");
    return g_intern_string(obj_str(qmp_return_object(r), "result"));
}

static void assert_mce_event(Fixture *f, int cpu, const char *kind, const char *type,
                             bool recovered)
{
    g_autoptr(JsonNode) ev = qmp_event(f->qmp, "FWNMI_MACHINE_CHECK");
    JsonObject *d = qmp_event_data(ev);
    g_assert_cmpint(obj_int(d, "cpu"), ==, cpu);
    g_assert_cmpstr(obj_str(d, "kind"), ==, kind);
    g_assert_cmpstr(obj_str(d, "error-type"), ==, type);
    g_assert_cmpint(obj_bool(d, "recovered"), ==, recovered);
}

static void register_fwnmi(Fixture *f)
{
    g_assert_cmpint(qtest_nmi_register(qtest_fn_stdio, f->vm, SRESET_HANDLER, MCE_HANDLER),
                    ==, 0);
}

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
    /* No capability exists to enable. */
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"qmp_capabilities\", "
                                        "\"arguments\": {\"enable\": [\"oob\"]}}");
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

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "this is not json");
    g_assert_true(g_str_has_prefix(qmp_assert_error(r1, "GenericError"), "JSON parse error, "));
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": ");
    g_assert_true(g_str_has_prefix(qmp_assert_error(r2, "GenericError"), "JSON parse error, "));
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "[1, 2, 3]");
    g_assert_cmpstr(qmp_assert_error(r3, "GenericError"), ==, "QMP input must be a JSON object");
    g_autoptr(JsonNode) r4 = qmp(f.qmp, "\"query-status\"");
    g_assert_cmpstr(qmp_assert_error(r4, "GenericError"), ==, "QMP input must be a JSON object");
    /* Binary noise. */
    static const char noise[] = { 0x01, (char)0xff, (char)0xfe, 0x7f, '{', '\n' };
    test_sock_write(f.qmp, noise, sizeof(noise));
    g_autoptr(JsonNode) r5 = qmp_reply(f.qmp);
    qmp_assert_error(r5, "GenericError");
    /* Deep nesting must not take the parser's recursion too far. */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 1000000; i++) {
        g_string_append_c(deep, i % 2 ? '[' : '{');
    }
    g_string_append_c(deep, '\n');
    test_sock_write(f.qmp, deep->str, deep->len);
    g_string_free(deep, TRUE);
    g_autoptr(JsonNode) r6 = qmp_reply(f.qmp);
    g_assert_cmpstr(qmp_assert_error(r6, "GenericError"), ==,
                    "JSON parse error, nesting depth limit exceeded");
    /* Blank lines are ignored; the session goes on. */
    qmp_send(f.qmp, "   ");
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    assert_qtest_alive(&f);
    fixture_stop(&f);
}

static void test_huge_line(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    /* 2 MiB inside a JSON string: longer than the 1 MiB line limit. */
    GString *big = g_string_new("{\"execute\": \"query-status\", \"id\": \"");
    for (int i = 0; i < 2 << 20; i++) {
        g_string_append_c(big, 'a' + i % 26);
    }
    g_string_append(big, "\"}\n");
    test_sock_write(f.qmp, big->str, big->len);
    g_string_free(big, TRUE);
    g_autoptr(JsonNode) r = qmp_reply(f.qmp);
    g_assert_true(g_str_has_prefix(qmp_assert_error(r, "GenericError"), "JSON parse error"));
    g_assert_false(json_object_has_member(json_node_get_object(r), "id"));

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
        g_autofree char *path = g_strdup_printf("/machine/cpu[%u]", i);
        g_assert_cmpint(obj_int(c, "cpu-index"), ==, i);
        g_assert_cmpstr(obj_str(c, "qom-path"), ==, path);
        g_assert_cmpstr(obj_str(c, "target"), ==, "ppc64");
        /* No vCPU threads under qtest. */
        g_assert_cmpint(obj_int(c, "thread-id"), ==, 0);
    }
    fixture_stop(&f);
}

static void test_stop_cont(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);
    bool running;

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"stop\", \"id\": 1}");
    qmp_return_object(r1);
    g_autoptr(JsonNode) stop = qmp_event(f.qmp, "STOP");
    JsonObject *ts = json_object_get_object_member(json_node_get_object(stop), "timestamp");
    g_assert_cmpint(obj_int(ts, "seconds"), >, 0);
    g_assert_cmpint(obj_int(ts, "microseconds"), <, 1000000);
    g_assert_cmpstr(query_status(&f, &running), ==, "paused");
    g_assert_false(running);
    g_autofree char *state = qtest(&f, "machine-state");
    g_assert_cmpstr(state, ==, "OK paused");

    /* stop again: no second event */
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"stop\"}");
    qmp_return_object(r2);
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"cont\"}");
    qmp_return_object(r3);
    g_autoptr(JsonNode) resume = qmp_event(f.qmp, "RESUME");
    g_assert_false(qmp_has_event(f.qmp, "STOP"));
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    g_assert_true(running);
    fixture_stop(&f);
}

static void test_prelaunch(void)
{
    Fixture f;
    fixture_start(&f, "-S", true);
    bool running;

    g_assert_cmpstr(query_status(&f, &running), ==, "prelaunch");
    g_assert_false(running);
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"cont\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) resume = qmp_event(f.qmp, "RESUME");
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    fixture_stop(&f);
}

static void test_system_reset(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    register_fwnmi(&f);
    g_autofree char *w = qtest(&f, "cpu-set 0 r5 0x1234");
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"system_reset\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) ev = qmp_event(f.qmp, "RESET");
    JsonObject *d = qmp_event_data(ev);
    g_assert_false(obj_bool(d, "guest"));
    g_assert_cmpstr(obj_str(d, "reason"), ==, "host-qmp-system-reset");
    /* The machine was reset: registers and the FWNMI registration. */
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "r5"), ==, 0);
    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    g_assert_true(json_node_is_null(json_object_get_member(qmp_return_object(fw),
                                                           "mce-handler")));
    fixture_stop(&f);
}

static void test_inject_nmi(void)
{
    Fixture f;
    fixture_start(&f, "-smp 2", true);

    /* Not registered: architected 0x100 on every vCPU. */
    g_free(qtest(&f, "cpu-set 0 nip 0x4000"));
    g_free(qtest(&f, "cpu-set 1 nip 0x5000"));
    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"inject-nmi\"}");
    qmp_return_object(r1);
    for (int cpu = 0; cpu < 2; cpu++) {
        g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, cpu, "nip"), ==, 0x100);
        g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, cpu, "srr0"), ==,
                         cpu ? 0x5000 : 0x4000);
    }
    /* Registered: through the FWNMI system-reset handler. */
    register_fwnmi(&f);
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"inject-nmi\"}");
    qmp_return_object(r2);
    for (int cpu = 0; cpu < 2; cpu++) {
        g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, cpu, "nip"), ==, SRESET_HANDLER);
    }
    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    g_assert_cmpint(obj_int(qmp_return_object(fw), "sresets"), ==, 2);
    fixture_stop(&f);
}

static void test_mce_legacy(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    g_free(qtest(&f, "cpu-set 0 nip 0x3000"));
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0x7000, true), ==, "legacy");
    assert_mce_event(&f, 0, "legacy", "UE", true);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "nip"), ==, 0x200);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "srr0"), ==, 0x3000);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "dar"), ==, 0x7000);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "dsisr"), ==, DSISR_UE);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "srr1") & SRR1_LOADSTORE, !=, 0);
    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    JsonObject *o = qmp_return_object(fw);
    g_assert_cmpint(obj_int(o, "legacy"), ==, 1);
    g_assert_cmpint(obj_int(o, "delivered"), ==, 0);
    fixture_stop(&f);
}

static void test_mce_fwnmi(void)
{
    Fixture f;
    fixture_start(&f, "-smp 3", true);

    g_autoptr(JsonNode) fw0 = query_fwnmi(&f);
    JsonObject *o0 = qmp_return_object(fw0);
    g_assert_true(obj_bool(o0, "enabled"));
    g_assert_true(json_node_is_null(json_object_get_member(o0, "sreset-handler")));
    g_assert_true(json_node_is_null(json_object_get_member(o0, "mce-handler")));
    g_assert_cmpint(obj_int(o0, "interlock-holder"), ==, -1);

    register_fwnmi(&f);
    g_autoptr(JsonNode) fw1 = query_fwnmi(&f);
    JsonObject *o1 = qmp_return_object(fw1);
    g_assert_cmpint(obj_int(o1, "sreset-handler"), ==, SRESET_HANDLER);
    g_assert_cmpint(obj_int(o1, "mce-handler"), ==, MCE_HANDLER);

    /* First: delivered to the handler on vCPU 0. */
    g_free(qtest(&f, "cpu-set 0 r3 0x5555"));
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0x8000, true), ==, "delivered");
    assert_mce_event(&f, 0, "fwnmi", "UE", true);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "nip"), ==, MCE_HANDLER);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "r3"), !=, 0x5555);

    /* Others wait for the interlock, in order. */
    g_assert_cmpstr(inject_mce(&f, 2, SRR1_IFETCH_UE, 0, 0, true), ==, "queued");
    assert_mce_event(&f, 2, "queued", "UE", true);
    g_assert_cmpstr(inject_mce(&f, 1, SRR1_LOADSTORE, DSISR_UE, 0x9000, false), ==, "queued");
    assert_mce_event(&f, 1, "queued", "UE", false);

    /* Nested on the holder, recovered: ignored. */
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0x8000, true), ==, "ignored");
    assert_mce_event(&f, 0, "nested-ignored", "UE", true);

    g_autoptr(JsonNode) fw2 = query_fwnmi(&f);
    JsonObject *o2 = qmp_return_object(fw2);
    g_assert_cmpint(obj_int(o2, "interlock-holder"), ==, 0);
    JsonArray *pending = json_object_get_array_member(o2, "pending");
    g_assert_cmpuint(json_array_get_length(pending), ==, 2);
    g_assert_cmpint(json_array_get_int_element(pending, 0), ==, 2);
    g_assert_cmpint(json_array_get_int_element(pending, 1), ==, 1);
    g_assert_cmpint(obj_int(o2, "delivered"), ==, 1);
    g_assert_cmpint(obj_int(o2, "queued"), ==, 2);
    g_assert_cmpint(obj_int(o2, "nested"), ==, 1);
    g_assert_cmpint(obj_int(o2, "interlocks"), ==, 0);

    /* vCPU 0 releases: vCPU 2 gets the buffer. */
    g_assert_cmpint(qtest_nmi_interlock(qtest_fn_stdio, f.vm, 0), ==, 0);
    g_autoptr(JsonNode) fw3 = query_fwnmi(&f);
    JsonObject *o3 = qmp_return_object(fw3);
    g_assert_cmpint(obj_int(o3, "interlock-holder"), ==, 2);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o3, "pending")), ==, 1);
    g_assert_cmpint(obj_int(o3, "interlocks"), ==, 1);
    g_assert_cmpint(obj_int(o3, "delivered"), ==, 2);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 2, "nip"), ==, MCE_HANDLER);
    /* The machine may report that delivery too (its hook in the interlock
     * path): then as "fwnmi" for vCPU 2. */
    while (qmp_has_event(f.qmp, "FWNMI_MACHINE_CHECK")) {
        assert_mce_event(&f, 2, "fwnmi", "UE", true);
    }

    /* Nested on the holder, not recovered: the guest panics. */
    g_assert_cmpstr(inject_mce(&f, 2, SRR1_LOADSTORE, DSISR_UE, 0, false), ==, "panicked");
    assert_mce_event(&f, 2, "nested-panic", "UE", false);
    g_autoptr(JsonNode) panic = qmp_event(f.qmp, "GUEST_PANICKED");
    g_assert_cmpstr(obj_str(qmp_event_data(panic), "action"), ==, "pause");
    bool running;
    g_assert_cmpstr(query_status(&f, &running), ==, "guest-panicked");
    g_assert_false(running);
    g_autoptr(JsonNode) c = qmp(f.qmp, "{\"execute\": \"cont\"}");
    g_assert_cmpstr(qmp_assert_error(c, "GenericError"), ==,
                    "Resetting the Virtual Machine is required");

    /* A reset clears everything and brings the machine back. */
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"system_reset\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) reset = qmp_event(f.qmp, "RESET");
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    g_autoptr(JsonNode) fw4 = query_fwnmi(&f);
    JsonObject *o4 = qmp_return_object(fw4);
    g_assert_cmpint(obj_int(o4, "interlock-holder"), ==, -1);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o4, "pending")), ==, 0);
    /* The panic is remembered in the exit status (qtest's end of input). */
    fixture_stop_status(&f, 1);
}

static void test_mce_cap_off(void)
{
    Fixture f;
    fixture_start(&f, "-M pseries,cap-fwnmi=off", true);

    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    g_assert_false(obj_bool(qmp_return_object(fw), "enabled"));
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_IFETCH_UE, 0, 0, true), ==, "legacy");
    assert_mce_event(&f, 0, "legacy", "UE", true);
    fixture_stop(&f);
}

static void test_memory_error(void)
{
    Fixture f;
    fixture_start(&f, "-m 256M", true);

    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\", "
                                        "\"arguments\": {\"address\": 1048576}}");
    qmp_return_object(r1);
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\", "
                                        "\"arguments\": {\"address\": 8192, "
                                        "\"recovered\": false}}");
    qmp_return_object(r2);
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\", "
                                        "\"arguments\": {\"address\": 268435456}}");
    qmp_assert_error(r3, "GenericError");
    g_autoptr(JsonNode) r4 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\", "
                                        "\"arguments\": {\"address\": -1}}");
    qmp_assert_error(r4, "GenericError");
    g_autoptr(JsonNode) r5 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\"}");
    g_assert_cmpstr(qmp_assert_error(r5, "GenericError"), ==, "Parameter 'address' is missing");
    /* Nothing is raised until the guest touches the page. */
    g_assert_false(qmp_has_event(f.qmp, "FWNMI_MACHINE_CHECK"));
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
    g_assert_cmpstr(r2, ==, "{\"return\": {\"running\": true, \"status\": \"running\"}}");
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
        "-accel qtest -qtest stdio -monitor unix:%s,server=on",
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
    g_test_add_func("/monitor/qmp/reconnect", test_reconnect);
    g_test_add_func("/monitor/qmp/query-version-commands", test_query_version_commands);
    g_test_add_func("/monitor/qmp/query-cpus-fast", test_query_cpus_fast);
    g_test_add_func("/monitor/qmp/stop-cont", test_stop_cont);
    g_test_add_func("/monitor/qmp/prelaunch", test_prelaunch);
    g_test_add_func("/monitor/qmp/system-reset", test_system_reset);
    g_test_add_func("/monitor/qmp/inject-nmi", test_inject_nmi);
    g_test_add_func("/monitor/qmp/mce-legacy", test_mce_legacy);
    g_test_add_func("/monitor/qmp/mce-fwnmi", test_mce_fwnmi);
    g_test_add_func("/monitor/qmp/mce-cap-off", test_mce_cap_off);
    g_test_add_func("/monitor/qmp/memory-error", test_memory_error);
    g_test_add_func("/monitor/qmp/human-monitor-command", test_human_monitor_command);
    g_test_add_func("/monitor/qmp/quit", test_quit);
    g_test_add_func("/monitor/qmp/quit-after-panic", test_quit_after_panic);
    g_test_add_func("/monitor/qmp/stdio", test_stdio);
    g_test_add_func("/monitor/qmp/server-wait", test_server_wait);
    g_test_add_func("/monitor/qmp/bad-endpoints", test_bad_endpoints);
    return g_test_run();
}
