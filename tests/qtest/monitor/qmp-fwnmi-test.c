/*
 * QMP tests of the machine's commands, over the same set-up as qmp-test.c
 * (qmp-fixture.h): stop/cont, prelaunch and system_reset with their
 * STOP/RESUME/RESET events; inject-nmi; x-inject-mce on legacy and FWNMI
 * machines with its FWNMI_MACHINE_CHECK events and query-fwnmi;
 * x-inject-memory-error.
 */
#include <glib.h>
#include <string.h>

#include "qmp-fixture.h"

/* ---- run state and its events ---- */

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

/* ---- injection ---- */

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

/* A handler overwritten after registration (kexec): 0x200, and why. */
static void test_mce_stale(void)
{
    Fixture f;
    fixture_start(&f, NULL, true);

    g_free(qtest(&f, "memset 0x2000 256 0x11"));
    register_fwnmi(&f);
    g_autoptr(JsonNode) fw0 = query_fwnmi(&f);
    g_assert_true(json_node_is_null(json_object_get_member(qmp_return_object(fw0), "stale")));
    g_free(qtest(&f, "memset 0x2000 256 0x22"));            /* the new kernel */
    g_free(qtest(&f, "cpu-set 0 nip 0x3000"));
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0x7000, true), ==, "legacy");
    assert_mce_event(&f, 0, "legacy", "UE", true);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "nip"), ==, 0x200);
    g_assert_cmpuint(qtest_reg(qtest_fn_stdio, f.vm, 0, "srr0"), ==, 0x3000);
    g_autoptr(JsonNode) fw = query_fwnmi(&f);
    JsonObject *o = qmp_return_object(fw);
    g_assert_true(json_node_is_null(json_object_get_member(o, "mce-handler")));
    g_assert_true(json_node_is_null(json_object_get_member(o, "sreset-handler")));
    g_assert_cmpint(obj_int(o, "stale-drops"), ==, 1);
    g_assert_cmpint(obj_int(o, "legacy"), ==, 1);
    JsonObject *s = json_object_get_object_member(o, "stale");
    g_assert_cmpstr(obj_str(s, "event"), ==, "machine-check");
    g_assert_cmpint(obj_int(s, "handler"), ==, MCE_HANDLER);
    g_assert_cmpint(obj_int(s, "changed-words"), ==, 64);
    g_assert_cmpint(obj_int(s, "window-words"), ==, 64);
    g_assert_cmpstr(obj_str(s, "reason"), ==, "machine-check handler at 0x2000 was "
                    "overwritten (64 of its first 64 instruction words changed since "
                    "ibm,nmi-register)");
    /* The journal recorded it as an architected delivery, in memory. */
    JsonObject *j = json_object_get_object_member(o, "journal");
    g_assert_true(json_node_is_null(json_object_get_member(j, "path")));
    g_assert_cmpint(obj_int(j, "records"), ==, 1);
    JsonArray *recent = json_object_get_array_member(j, "recent");
    g_assert_cmpuint(json_array_get_length(recent), ==, 1);
    JsonObject *r = json_array_get_object_element(recent, 0);
    g_assert_cmpstr(obj_str(r, "disposition"), ==, "legacy");
    g_assert_cmpstr(obj_str(r, "dar"), ==, "0x0000000000007000");
    g_assert_cmpstr(obj_str(r, "nip"), ==, "0x0000000000003000");
    g_assert_cmpuint(strlen(obj_str(r, "log")), ==, 2 * 136);
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
    /* The reset brought the guest back: the panic no longer decides the
     * exit status at qtest's end of input. */
    fixture_stop_status(&f, 0);
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

/*
 * x-inject-mce "ea-known": a UE load/store named by its DAR gets the EA
 * and, translated at delivery (real mode here: the EA without its top
 * bits), the real address. Exact bytes of the log's "MC" section.
 */
static void test_mce_ea_known(void)
{
    Fixture f;
    fixture_start(&f, "", true);
    register_fwnmi(&f);
    g_free(qtest(&f, "cpu-set 0 msr 0x8000000000001002"));     /* SF|ME|RI, DR=0 */
    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"x-inject-mce\", \"arguments\": "
                                       "{\"cpu-index\": 0, \"srr1\": 2097152, "
                                       "\"dsisr\": 32768, \"dar\": 13835058055283356752, "
                                       "\"recovered\": true, \"ea-known\": true}}");
    g_assert_cmpstr(obj_str(qmp_return_object(r), "result"), ==, "delivered");
    assert_mce_event(&f, 0, "fwnmi", "UE", true);
    uint64_t r3 = qtest_reg(qtest_fn_stdio, f.vm, 0, "r3");
    /* saved R3 (8) + 96: "MC", length 40, version 1; type UE 0, subtype
     * load/store 3 | EA 0x40 | LA 0x20; EA 0xc000000000123450, LA 0x123450 */
    g_autofree char *cmd = g_strdup_printf("read 0x%" G_GINT64_MODIFIER "x 40", r3 + 8 + 96);
    g_autofree char *mc = qtest(&f, cmd);
    g_assert_cmpstr(mc, ==, "OK 0x"
                    "4d43002801000000" "0000000000000000" "0063000000000000"
                    "c000000000123450" "0000000000123450");
    /* Without "ea-known", QEMU's table: no EA, so nothing to translate. */
    g_assert_cmpint(qtest_nmi_interlock(qtest_fn_stdio, f.vm, 0), ==, 0);
    g_assert_cmpstr(inject_mce(&f, 0, SRR1_LOADSTORE, DSISR_UE, 0xc000000000123450ULL, true),
                    ==, "delivered");
    assert_mce_event(&f, 0, "fwnmi", "UE", true);
    g_autofree char *mc2 = qtest(&f, cmd);
    g_assert_cmpstr(mc2, ==, "OK 0x"
                    "4d43002801000000" "0000000000000000" "0003000000000000"
                    "0000000000000000" "0000000000000000");
    fixture_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/qmp/stop-cont", test_stop_cont);
    g_test_add_func("/monitor/qmp/prelaunch", test_prelaunch);
    g_test_add_func("/monitor/qmp/system-reset", test_system_reset);
    g_test_add_func("/monitor/qmp/inject-nmi", test_inject_nmi);
    g_test_add_func("/monitor/qmp/mce-legacy", test_mce_legacy);
    g_test_add_func("/monitor/qmp/mce-fwnmi", test_mce_fwnmi);
    g_test_add_func("/monitor/qmp/mce-stale", test_mce_stale);
    g_test_add_func("/monitor/qmp/mce-cap-off", test_mce_cap_off);
    g_test_add_func("/monitor/qmp/memory-error", test_memory_error);
    g_test_add_func("/monitor/qmp/mce-ea-known", test_mce_ea_known);
    return g_test_run();
}
