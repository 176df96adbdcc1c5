/*
 * Start-up and main loop (include/system/vl.h).
 */
#include "system/vl.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "migration/migration.h"
#include "qemu/cutils.h"
#include "system/bql.h"
#include "system/chardev.h"
#include "system/clock.h"
#include "system/cpus.h"
#include "system/events.h"
#include "system/monitor.h"
#include "system/options.h"
#include "system/qtest.h"
#include "system/trace.h"

/* How long the last monitor output may take to go out at exit. */
#define EXIT_FLUSH_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef struct VM {
    VMOptions opts;
    SpaprMachineState *spapr;
    CharEndpoint qtest;
    CharEndpoint serial;
    bool have_qtest, have_serial;
} VM;

static void console_to_endpoint(const char *buf, size_t len, void *opaque)
{
    char_write(opaque, buf, len);
}

/* Guest console input: stdin feeds H_GET_TERM_CHAR, bounded so a flood
 * of input cannot grow memory without limit. */
#define CONSOLE_INPUT_MAX 4096

static gpointer console_input_thread(gpointer opaque)
{
    SpaprMachineState *spapr = opaque;
    char buf[256];
    ssize_t n;

    while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
        bql_lock();
        size_t room = CONSOLE_INPUT_MAX - MIN(spapr->console_input->len, CONSOLE_INPUT_MAX);
        g_string_append_len(spapr->console_input, buf, (gssize)MIN((size_t)n, room));
        bql_unlock();
    }
    return NULL;
}

static bool stdio_taken(const VMOptions *o)
{
    return vm_options_stdio_users(o) > 0;
}

/* Where the guest console goes: -serial, else stdio with -nographic or
 * when nothing else uses stdio (and -nodefaults was not given). */
static int vm_setup_console(VM *vm, GError **error)
{
    VMOptions *o = &vm->opts;
    CharSpec spec = o->serial;

    if (spec.kind == CHAR_NONE) {
        bool want_stdio = o->nographic || !o->nodefaults;
        spec.kind = want_stdio && !stdio_taken(o) ? CHAR_STDIO : CHAR_NULL;
    }
    if (spec.kind == CHAR_STDIO && stdio_taken(o)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-serial stdio: stdio is already used by another endpoint");
        return -1;
    }
    if (spec.kind == CHAR_NULL) {
        return 0;
    }
    if (char_open(&vm->serial, &spec, error) < 0) {
        return -1;
    }
    vm->have_serial = true;
    vm->spapr->console_write = console_to_endpoint;
    vm->spapr->console_opaque = &vm->serial;
    if (spec.kind == CHAR_STDIO) {
        g_thread_unref(g_thread_new("console-in", console_input_thread, vm->spapr));
    }
    return 0;
}

static VMAccel vm_pick_accel(const VMOptions *o, GError **error)
{
    if (o->accel != VM_ACCEL_DEFAULT) {
        return o->accel;
    }
    if (o->qtest.kind != CHAR_NONE) {
        return VM_ACCEL_QTEST;
    }
    if (o->kernel || o->incoming) {
        return VM_ACCEL_TCG;
    }
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "no guest to run: this machine has no boot firmware, "
                "give -kernel FILE (or use -qtest / -accel qtest)");
    return VM_ACCEL_DEFAULT;
}

static int vm_init(VM *vm, int argc, char **argv, GError **error)
{
    int ret = vm_options_parse(argc, argv, &vm->opts, error);
    if (ret != 0) {
        return ret;
    }
    VMOptions *o = &vm->opts;
    VMAccel accel = vm_pick_accel(o, error);
    if (accel == VM_ACCEL_DEFAULT) {
        return -1;
    }
    o->accel = accel;
    if (accel == VM_ACCEL_TCG && o->qtest.kind != CHAR_NONE) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-qtest requires -accel qtest");
        return -1;
    }
    vm_clock_init(accel == VM_ACCEL_QTEST);
    vm->spapr = spapr_machine_create(&o->machine, error);
    if (!vm->spapr) {
        return -1;
    }
    if (vm_setup_console(vm, error) < 0) {
        return -1;
    }
    if (o->qtest.kind != CHAR_NONE) {
        if (char_open(&vm->qtest, &o->qtest, error) < 0) {
            g_prefix_error(error, "-qtest: ");
            return -1;
        }
        vm->have_qtest = true;
        /* As the QMP client: connect now, so that nobody listening is a
         * start-up error naming the option, not a silent exit later. */
        if (o->qtest.kind == CHAR_UNIX && !o->qtest.server) {
            GError *err = NULL;
            if (char_connect(&vm->qtest, &err) < 0) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                            "-qtest unix:%s: %s", o->qtest.path, err->message);
                g_error_free(err);
                return -1;
            }
        }
    }
    if (monitor_init_all(vm->spapr, o, error) < 0) {
        return -1;
    }
    /* Somebody is watching: keep a panicked guest for inspection. */
    vm->spapr->exit_on_panic = !vm->have_qtest && !monitor_attached();
    return 0;
}

static void vm_start(VM *vm)
{
    SpaprMachineState *spapr = vm->spapr;

    if (vm->opts.start_paused) {
        spapr->runstate = RUN_STATE_PRELAUNCH;
    }
    if (vm->opts.incoming) {
        spapr->runstate = RUN_STATE_INMIGRATE;
        migration_set_autostart(!vm->opts.start_paused);
    }
    if (vm->opts.accel == VM_ACCEL_TCG) {
        cpus_start_threads(spapr);
    }
    if (vm->have_qtest) {
        qtest_server_start(spapr, &vm->qtest);
    }
    /* Before the monitors: once they answer, the source may connect. */
    if (vm->opts.incoming && strcmp(vm->opts.incoming, "defer") != 0) {
        g_autoptr(GError) err = NULL;
        bql_lock();
        if (migration_incoming(spapr, vm->opts.incoming, &err) < 0) {
            error_report("-incoming %s: %s", vm->opts.incoming, err->message);
            spapr->exit_code = 1;
            spapr_request_quit(spapr);
        }
        bql_unlock();
    }
    monitor_start_all(spapr);
}

/* The main thread: serve reset requests, leave on quit or shutdown. */
static void vm_main_loop(SpaprMachineState *spapr)
{
    bql_lock();
    for (;;) {
        if (spapr->reset_requested) {
            vm_system_reset(spapr);
            vm_event_emit(spapr, "RESET", "{\"guest\": true, \"reason\": \"guest-reset\"}");
            continue;
        }
        if (spapr->quit_requested || spapr->runstate == RUN_STATE_SHUTDOWN) {
            break;
        }
        bql_cond_wait(&spapr->runstate_changed);
    }
    cpus_join_threads(spapr);
    bql_unlock();
}

/* Undo a start-up that failed half way (nothing runs yet). */
static void vm_cleanup(VM *vm)
{
    if (vm->have_qtest) {
        char_close(&vm->qtest);
    }
    if (vm->have_serial) {
        char_close(&vm->serial);
    }
    spapr_machine_destroy(vm->spapr);
    vm_options_free(&vm->opts);
}

/* A fatal signal still removes our sockets, then terminates as it would
 * have (SA_RESETHAND: re-raised with the default action on return). */
static void fatal_signal(int sig)
{
    char_unlink_sockets();
    raise(sig);
}

static void install_signal_cleanup(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    struct sigaction sa = { .sa_handler = fatal_signal, .sa_flags = SA_RESETHAND };

    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        struct sigaction old;
        /* Keep a signal the parent chose to ignore (nohup) ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
            sigaction(sigs[i], &sa, NULL);
        }
    }
}

int qemu_main(int argc, char **argv)
{
    VM vm = { 0 };
    g_autoptr(GError) err = NULL;

    install_signal_cleanup();
    int ret = vm_init(&vm, argc, argv, &err);
    if (ret != 0) {
        if (ret < 0) {
            g_autofree char *line = qemu_one_line(err->message);
            error_report("%s", line);
        }
        vm_cleanup(&vm);
        char_unlink_sockets();      /* monitors opened before the failure */
        return ret < 0 ? 1 : 0;
    }
    vm_start(&vm);
    vm_main_loop(vm.spapr);
    int status = vm.spapr->exit_code;
    monitor_flush_all(EXIT_FLUSH_TIMEOUT_US);   /* last replies and SHUTDOWN */
    fflush(stdout);
    char_unlink_sockets();
    /* The qtest and monitor threads may still block in read(): exit
     * without tearing down what they use. */
    _exit(status);
}
