/*
 * QMP with a real guest on the software CPU (-accel tcg): the demo guest
 * of tests/guest (demo-le.elf, found in $MONITOR_TEST_GUEST_DIR; skipped
 * when it was not built), its console in a file.
 */
#include <string.h>
#include <glib.h>

#include "monitor-util.h"

/* With -m 512M the machine puts the RTAS area (whose first page holds
 * the entry blob the guest executes) here; the guest prints it. */
#define RTAS_BASE_512M 0x1fff0000ULL

typedef struct Fixture {
    TestVM *vm;
    TestSock *qmp;
    const char *console;
} Fixture;

static const char *guest_elf(void)
{
    const char *dir = g_getenv("MONITOR_TEST_GUEST_DIR");
    if (!dir) {
        return NULL;
    }
    g_autofree char *path = g_build_filename(dir, "demo-le.elf", NULL);
    return g_file_test(path, G_FILE_TEST_EXISTS) ? g_intern_string(path) : NULL;
}

static bool fixture_start(Fixture *f)
{
    const char *elf = guest_elf();
    if (!elf) {
        g_test_skip("tests/guest/demo-le.elf not built (no ppc64 cross compiler?)");
        return false;
    }
    f->vm = test_vm_new();
    const char *qmp_path = test_vm_path(f->vm, "qmp.sock");
    f->console = test_vm_path(f->vm, "console.log");
    g_autofree char *args = g_strdup_printf(
        "-M pseries,cap-fwnmi=on -accel tcg -m 512M -smp 2 -S -display none "
        "-serial file:%s -kernel %s -qmp unix:%s,server=on,wait=off",
        f->console, elf, qmp_path);
    test_vm_spawn(f->vm, args);
    f->qmp = qmp_open(qmp_path, true);
    return true;
}

static char *console_text(Fixture *f)
{
    char *text = NULL;
    g_assert_true(g_file_get_contents(f->console, &text, NULL, NULL));
    return text;
}

static const char *status(Fixture *f)
{
    g_autoptr(JsonNode) r = qmp(f->qmp, "{\"execute\": \"query-status\"}");
    return g_intern_string(json_object_get_string_member(qmp_return_object(r), "status"));
}

/* FWNMI_MACHINE_CHECK for deliveries the machine makes by itself comes
 * from its hook in spapr_mce_req_event(); check it when it is there. */
static void check_optional_mce_event(Fixture *f, const char *kind)
{
    while (qmp_has_event(f->qmp, "FWNMI_MACHINE_CHECK")) {
        g_autoptr(JsonNode) ev = qmp_event(f->qmp, "FWNMI_MACHINE_CHECK");
        JsonObject *d = qmp_event_data(ev);
        g_assert_cmpint(json_object_get_int_member(d, "cpu"), ==, 0);
        g_assert_cmpstr(json_object_get_string_member(d, "kind"), ==, kind);
        g_assert_cmpstr(json_object_get_string_member(d, "error-type"), ==, "UE");
    }
}

static void test_run_to_shutdown(void)
{
    Fixture f;
    if (!fixture_start(&f)) {
        return;
    }
    g_assert_cmpstr(status(&f), ==, "prelaunch");

    /* Real vCPU threads: their ids, and registers read on their thread. */
    g_autoptr(JsonNode) cpus = qmp(f.qmp, "{\"execute\": \"query-cpus-fast\"}");
    JsonArray *list = qmp_return_array(cpus);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    for (guint i = 0; i < 2; i++) {
        JsonObject *c = json_array_get_object_element(list, i);
        g_assert_cmpint(json_object_get_int_member(c, "thread-id"), >, 0);
    }
    g_autoptr(JsonNode) regs = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                          "\"arguments\": {\"command-line\": "
                                          "\"info registers -a\"}}");
    const char *text = qmp_return_string(regs);
    g_assert_nonnull(strstr(text, "state running"));
    g_assert_nonnull(strstr(text, "state stopped"));     /* the secondary */

    /* A machine check for the stopped secondary has nobody to go to. */
    g_autoptr(JsonNode) mce = qmp(f.qmp, "{\"execute\": \"x-inject-mce\", \"arguments\": "
                                         "{\"cpu-index\": 1, \"srr1\": 2097152, "
                                         "\"dsisr\": 32768, \"recovered\": true}}");
    g_assert_cmpstr(json_object_get_string_member(qmp_return_object(mce), "result"), ==,
                    "ignored");
    g_autoptr(JsonNode) ev = qmp_event(f.qmp, "FWNMI_MACHINE_CHECK");
    g_assert_cmpstr(json_object_get_string_member(qmp_event_data(ev), "kind"), ==, "ignored");

    g_autoptr(JsonNode) r = qmp(f.qmp, "{\"execute\": \"cont\"}");
    qmp_return_object(r);
    g_autoptr(JsonNode) resume = qmp_event(f.qmp, "RESUME");
    /* The guest takes its own machine check, recovers and powers off. */
    g_autoptr(JsonNode) shutdown = qmp_event(f.qmp, "SHUTDOWN");
    JsonObject *d = qmp_event_data(shutdown);
    g_assert_true(json_object_get_boolean_member(d, "guest"));
    check_optional_mce_event(&f, "fwnmi");
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);
    g_autofree char *console = console_text(&f);
    g_assert_nonnull(strstr(console, "demo: machine check recovered, powering off\n"));
    test_sock_close(f.qmp);
    test_vm_free(f.vm);
}

static void test_memory_error(void)
{
    Fixture f;
    if (!fixture_start(&f)) {
        return;
    }
    /* Poison the page of the RTAS entry blob: the guest's first RTAS call
     * (ibm,nmi-register, so still unregistered) fetches from it. */
    g_autoptr(JsonNode) r1 = qmp(f.qmp, "{\"execute\": \"x-inject-memory-error\", "
                                        "\"arguments\": {\"address\": %llu, "
                                        "\"recovered\": false}}", RTAS_BASE_512M);
    qmp_return_object(r1);
    g_autoptr(JsonNode) r2 = qmp(f.qmp, "{\"execute\": \"cont\"}");
    qmp_return_object(r2);

    /* The UE arrives at 0x200, which this guest does not expect: it ends
     * itself with ibm,os-term, and the machine stays for inspection. */
    g_autoptr(JsonNode) panic = qmp_event(f.qmp, "GUEST_PANICKED");
    check_optional_mce_event(&f, "legacy");
    g_assert_cmpstr(status(&f), ==, "guest-panicked");
    g_autofree char *console = console_text(&f);
    g_assert_nonnull(strstr(console, "demo: RTAS at 0x1fff0000 "));
    g_assert_nonnull(strstr(console, "unexpected interrupt 0x200 (machine check): "
                                     "SRR0 000000001fff0000"));
    g_autoptr(JsonNode) regs = qmp(f.qmp, "{\"execute\": \"human-monitor-command\", "
                                          "\"arguments\": {\"command-line\": "
                                          "\"info registers\"}}");
    g_assert_nonnull(strstr(qmp_return_string(regs), "SRR0 000000001fff0000"));

    /* A reset heals the page; the guest boots again and completes. */
    g_autoptr(JsonNode) r3 = qmp(f.qmp, "{\"execute\": \"system_reset\"}");
    qmp_return_object(r3);
    g_autoptr(JsonNode) reset = qmp_event(f.qmp, "RESET");
    g_autoptr(JsonNode) shutdown = qmp_event(f.qmp, "SHUTDOWN");
    g_assert_cmpint(test_vm_wait_exit(f.vm), ==, 0);
    g_free(console);
    console = console_text(&f);
    g_assert_nonnull(strstr(console, "demo: machine check recovered, powering off\n"));
    test_sock_close(f.qmp);
    test_vm_free(f.vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor/guest/run-to-shutdown", test_run_to_shutdown);
    g_test_add_func("/monitor/guest/memory-error", test_memory_error);
    return g_test_run();
}
