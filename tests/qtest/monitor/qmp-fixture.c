/*
 * The QMP tests' set-up (qmp-fixture.h): a VMM with qtest on stdio and
 * QMP on a unix socket, and the checked queries both programs share.
 */
#include "qmp-fixture.h"

/* As QEMU, only the boot vCPU runs until RTAS start-cpu: start the others
 * (argument cells at 15 MiB, inside any RAM size the tests use). */
static void start_cpus(Fixture *f)
{
    for (int cpu = 1;; cpu++) {
        g_free(qtest_stdio(f->vm, "writel 0xf00000 %d", cpu));
        g_free(qtest_stdio(f->vm, "writeq 0xf00004 0"));
        g_free(qtest_stdio(f->vm, "rtas start-cpu 3 0xf00000 1 0xf0000c"));
        g_autofree char *ret = qtest_stdio(f->vm, "readl 0xf0000c");
        if (strcmp(ret, "OK 0x0000000000000000") != 0) {
            break;      /* -3: no such vCPU */
        }
    }
}

void fixture_start(Fixture *f, const char *extra, bool negotiate)
{
    f->vm = test_vm_new();
    f->qmp_path = test_vm_path(f->vm, "qmp.sock");
    g_autofree char *args = g_strdup_printf(
        "-M pseries -accel qtest -qtest stdio -display none -nodefaults "
        "-qmp unix:%s,server=on,wait=off %s", f->qmp_path, extra ? extra : "");
    test_vm_spawn(f->vm, args);
    start_cpus(f);
    f->qmp = qmp_open(f->qmp_path, negotiate);
}

void fixture_stop_status(Fixture *f, int status)
{
    test_sock_close(f->qmp);
    /* qtest on stdio: closing its stdin ends the VMM. */
    g_assert_cmpint(test_vm_wait(f->vm), ==, status);
    test_vm_free(f->vm);
}

void fixture_stop(Fixture *f)
{
    fixture_stop_status(f, 0);
}

char *qtest(Fixture *f, const char *line)
{
    return qtest_stdio(f->vm, "%s", line);
}

void assert_qtest_alive(Fixture *f)
{
    g_autofree char *reply = qtest(f, "machine-state");
    g_assert_true(g_str_has_prefix(reply, "OK "));
}

int64_t obj_int(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_int_member(o, name);
}

const char *obj_str(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_string_member(o, name);
}

bool obj_bool(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_boolean_member(o, name);
}

const char *query_status(Fixture *f, bool *running)
{
    g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"query-status\"}");
    JsonObject *o = qmp_return_object(r);
    *running = obj_bool(o, "running");
    return g_intern_string(obj_str(o, "status"));
}

JsonNode *query_fwnmi(Fixture *f)
{
    return qmp(f->qmp, "{\"execute\": \"query-fwnmi\"}");
}

const char *inject_mce(Fixture *f, int cpu, uint64_t srr1, uint64_t dsisr, uint64_t dar,
                       bool recovered)
{
    g_autoptr(JsonNode) r = qmp(f->qmp,
        "{\"execute\": \"x-inject-mce\", \"arguments\": {\"cpu-index\": %d, "
        "\"srr1\": %" G_GUINT64_FORMAT ", \"dsisr\": %" G_GUINT64_FORMAT ", "
        "\"dar\": %" G_GUINT64_FORMAT ", \"recovered\": %s}}",
        cpu, srr1, dsisr, dar, recovered ? "true" : "false");
    return g_intern_string(obj_str(qmp_return_object(r), "result"));
}

void assert_mce_event(Fixture *f, int cpu, const char *kind, const char *type,
                      bool recovered)
{
    g_autoptr(JsonNode) ev = qmp_event(f->qmp, "FWNMI_MACHINE_CHECK");
    JsonObject *d = qmp_event_data(ev);
    g_assert_cmpint(obj_int(d, "cpu"), ==, cpu);
    g_assert_cmpstr(obj_str(d, "kind"), ==, kind);
    g_assert_cmpstr(obj_str(d, "error-type"), ==, type);
    g_assert_cmpint(obj_bool(d, "recovered"), ==, recovered);
}

void register_fwnmi(Fixture *f)
{
    g_assert_cmpint(qtest_nmi_register(qtest_fn_stdio, f->vm, SRESET_HANDLER, MCE_HANDLER),
                    ==, 0);
}
