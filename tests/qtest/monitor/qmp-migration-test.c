/*
 * QMP migration on -accel qtest: a machine in the middle of a machine
 * check (CPU 2 holds the buffer, 3 then 1 wait) saved with `migrate
 * file:PATH` (MIGRATION setup/active/completed, STOP, postmigrate) and
 * restored with -incoming file:PATH; on the destination the interlocks
 * deliver 3 then 1, the counters continue, registers came across. Also
 * query-migrate before anything, a mismatched destination, and a URI
 * that cannot be opened (failed; the source keeps running).
 */
#include <glib.h>
#include <unistd.h>

#include "qmp-fixture.h"

static const char *migrate_and_wait(Fixture *f, const char *uri)
{
    g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"migrate\", \"arguments\": "
                                "{\"uri\": \"%s\"}}", uri);
    qmp_return_object(r);
    for (;;) {
        g_autoptr(JsonNode) ev = qmp_event(f->qmp, "MIGRATION");
        const char *st = obj_str(qmp_event_data(ev), "status");
        if (!g_str_equal(st, "setup") && !g_str_equal(st, "active")) {
            return g_intern_string(st);
        }
    }
}

static void wait_incoming(Fixture *f)
{
    for (int i = 0; i < 500; i++) {
        g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"query-migrate\"}");
        JsonObject *o = qmp_return_object(r);
        if (json_object_has_member(o, "status") &&
            g_str_equal(obj_str(o, "status"), "completed")) {
            return;
        }
        g_usleep(10000);
    }
    g_assert_not_reached();
}

static void test_mid_mce_save_restore(void)
{
    Fixture src, dst;
    bool running;

    fixture_start(&src, "-smp 4", true);
    g_autoptr(JsonNode) q0 = qmp(src.qmp, "{\"execute\": \"query-migrate\"}");
    g_assert_cmpuint(json_object_get_size(qmp_return_object(q0)), ==, 0);
    register_fwnmi(&src);
    g_assert_cmpstr(inject_mce(&src, 2, SRR1_LOADSTORE, DSISR_UE, 0x1000, true), ==, "delivered");
    g_assert_cmpstr(inject_mce(&src, 3, SRR1_LOADSTORE, DSISR_UE, 0x3000, true), ==, "queued");
    g_assert_cmpstr(inject_mce(&src, 1, SRR1_LOADSTORE, DSISR_UE, 0x5000, true), ==, "queued");
    g_free(qtest(&src, "cpu-set 1 r5 0x1234"));
    g_autofree char *path = g_strdup_printf("%s.mig", src.qmp_path);
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_assert_cmpstr(migrate_and_wait(&src, uri), ==, "completed");
    g_autoptr(JsonNode) stop = qmp_event(src.qmp, "STOP");
    g_assert_cmpstr(query_status(&src, &running), ==, "postmigrate");
    g_autoptr(JsonNode) fws = query_fwnmi(&src);
    JsonObject *s = qmp_return_object(fws);

    g_autofree char *extra = g_strdup_printf("-smp 4 -incoming %s", uri);
    fixture_start(&dst, extra, true);
    wait_incoming(&dst);
    g_assert_cmpstr(query_status(&dst, &running), ==, "running");
    g_autoptr(JsonNode) fwd = query_fwnmi(&dst);
    JsonObject *d = qmp_return_object(fwd);
    g_assert_cmpint(obj_int(d, "interlock-holder"), ==, 2);
    g_assert_true(obj_bool(d, "holder-entered"));
    JsonArray *pending = json_object_get_array_member(d, "pending");
    g_assert_cmpuint(json_array_get_length(pending), ==, 2);
    g_assert_cmpint(json_array_get_int_element(pending, 0), ==, 3);
    g_assert_cmpint(json_array_get_int_element(pending, 1), ==, 1);
    static const char *const counters[] = { "requests", "delivered", "queued", "interlocks",
                                            "nested", "dropped" };
    for (size_t i = 0; i < G_N_ELEMENTS(counters); i++) {
        g_assert_cmpint(obj_int(d, counters[i]), ==, obj_int(s, counters[i]));
    }
    g_assert_cmphex(qtest_reg(qtest_fn_stdio, dst.vm, 1, "r5"), ==, 0x1234);
    g_assert_cmphex(qtest_reg(qtest_fn_stdio, dst.vm, 2, "nip"), ==, MCE_HANDLER);
    /* The protocol goes on here: 3, then 1. */
    g_assert_cmpint(qtest_nmi_interlock(qtest_fn_stdio, dst.vm, 2), ==, 0);
    g_assert_cmphex(qtest_reg(qtest_fn_stdio, dst.vm, 3, "dar"), ==, 0x3000);
    g_assert_cmpint(qtest_nmi_interlock(qtest_fn_stdio, dst.vm, 3), ==, 0);
    g_assert_cmphex(qtest_reg(qtest_fn_stdio, dst.vm, 1, "dar"), ==, 0x5000);
    g_assert_cmpint(qtest_nmi_interlock(qtest_fn_stdio, dst.vm, 1), ==, 0);
    g_autoptr(JsonNode) fwe = query_fwnmi(&dst);
    JsonObject *e = qmp_return_object(fwe);
    g_assert_cmpint(obj_int(e, "interlock-holder"), ==, -1);
    g_assert_cmpint(obj_int(e, "interlocks"), ==, obj_int(s, "interlocks") + 3);
    g_assert_cmpint(obj_int(e, "delivered"), ==, obj_int(s, "delivered") + 2);
    fixture_stop(&dst);
    fixture_stop(&src);
    unlink(path);
}

static void test_unreachable_keeps_running(void)
{
    Fixture f;
    bool running;

    fixture_start(&f, NULL, true);
    g_assert_cmpstr(migrate_and_wait(&f, "unix:/nonexistent/mig.sock"), ==, "failed");
    g_assert_cmpstr(query_status(&f, &running), ==, "running");
    g_autoptr(JsonNode) q = qmp(f.qmp, "{\"execute\": \"query-migrate\"}");
    JsonObject *o = qmp_return_object(q);
    g_assert_cmpstr(obj_str(o, "status"), ==, "failed");
    g_assert_nonnull(strstr(obj_str(o, "error-desc"), "No such file or directory"));
    fixture_stop(&f);
}

static void test_mismatch_exits(void)
{
    Fixture src;

    fixture_start(&src, "-smp 2", true);
    g_autofree char *path = g_strdup_printf("%s.mig", src.qmp_path);
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_assert_cmpstr(migrate_and_wait(&src, uri), ==, "completed");
    fixture_stop(&src);

    TestVM *vm = test_vm_new();
    g_autofree char *args = g_strdup_printf("-M pseries -accel qtest -display none "
                                            "-nodefaults -m 1G -smp 2 -incoming %s", uri);
    test_vm_spawn(vm, args);
    g_assert_cmpint(test_vm_wait_exit(vm), ==, 1);
    test_vm_free(vm);
    unlink(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/migration/mid-machine-check-save-restore", test_mid_mce_save_restore);
    g_test_add_func("/qmp/migration/unreachable-keeps-running", test_unreachable_keeps_running);
    g_test_add_func("/qmp/migration/mismatch-exits", test_mismatch_exits);
    return g_test_run();
}
