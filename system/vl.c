/*
 * Start-up and main loop (include/system/vl.h).
 */
#define _GNU_SOURCE
#include "system/vl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
#include "target/ppc/interp.h"
#include "target/ppc/kvm_ppc.h"

/* The machine, once created, for the signal thread (atomic). */
static SpaprMachineState *signal_machine;

/* How long the last monitor output may take to go out at exit. */
#define EXIT_FLUSH_TIMEOUT_US (2 * G_USEC_PER_SEC)

typedef struct VM {
    VMOptions opts;
    SpaprMachineState *spapr;
    CharEndpoint qtest;
    CharEndpoint serial;
    bool have_qtest, have_serial;
    FILE *qtest_log;            /* -qtest-log FILE, or NULL */
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
    if (o->kernel || o->machine.none || o->machine.bios_path || o->incoming) {
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
    if (!o->kernel && !o->machine.bios_path && o->qtest.kind == CHAR_NONE &&
        o->accel != VM_ACCEL_QTEST) {
        o->machine.bios_path = SPAPR_DEFAULT_BIOS;     /* as QEMU: SLOF */
    }
    VMAccel accel = vm_pick_accel(o, error);
    if (accel == VM_ACCEL_DEFAULT) {
        return -1;
    }
    o->accel = accel;
    if ((accel == VM_ACCEL_TCG || accel == VM_ACCEL_KVM) && o->qtest.kind != CHAR_NONE) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-qtest requires -accel qtest");
        return -1;
    }
    if (!o->machine.none && spapr_caps_check(&o->machine.caps, accel == VM_ACCEL_TCG, true, error) < 0) {
        return -1;
    }
    if (o->machine.none && o->kernel) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-kernel: machine 'none' cannot boot a kernel");
        return -1;
    }
    vm_clock_init(accel == VM_ACCEL_QTEST);
    vm->spapr = spapr_machine_create(&o->machine, error);
    if (!vm->spapr) {
        return -1;
    }
    g_atomic_pointer_set(&signal_machine, vm->spapr);
    vm->spapr->name = o->name && *o->name ? o->name : NULL;
    vm->spapr->software_cpu = accel == VM_ACCEL_TCG;
    if (accel == VM_ACCEL_KVM) {
        bql_lock();
        int kr = kvm_ppc_init(vm->spapr, error);
        bql_unlock();
        if (kr < 0) {
            return -1;
        }
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
        if (o->qtest_log) {
            vm->qtest_log = fopen(o->qtest_log, "w");
            if (!vm->qtest_log) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                            "-qtest-log %s: %s", o->qtest_log, g_strerror(errno));
                return -1;
            }
        }
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
    switch (o->panic_action) {
    case VM_PANIC_DEFAULT:
        vm->spapr->exit_on_panic = !vm->have_qtest && !monitor_attached();
        break;
    case VM_PANIC_PAUSE:
        vm->spapr->exit_on_panic = false;
        break;
    case VM_PANIC_EXIT_FAILURE:
        vm->spapr->exit_on_panic = true;
        break;
    }
    return 0;
}

static void vm_start(VM *vm)
{
    SpaprMachineState *spapr = vm->spapr;

    if (vm->opts.start_paused) {
        spapr->runstate = RUN_STATE_PRELAUNCH;
    }
    if (vm->opts.preconfig) {
        /* QMP x-exit-preconfig (system/qmp-cmds.c) moves on from here. */
        spapr->preconfig_next = spapr->runstate;
        spapr->runstate = RUN_STATE_PRECONFIG;
    }
    if (vm->opts.incoming) {
        spapr->runstate = RUN_STATE_INMIGRATE;
        migration_set_autostart(!vm->opts.start_paused);
    }
    if (vm->opts.accel == VM_ACCEL_TCG) {
        if (vm->opts.tcg_no_jit) {
            ppc_interp_set_jit(0);
        }
        cpus_start_threads(spapr);
    } else if (vm->opts.accel == VM_ACCEL_KVM) {
        kvm_ppc_start_threads(spapr);
    }
    if (vm->have_qtest) {
        qtest_server_start(spapr, &vm->qtest, vm->qtest_log);
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

/* A fatal signal (SIGQUIT) still removes our sockets, then terminates as
 * it would have (SA_RESETHAND: re-raised with the default action). */
static void fatal_signal(int sig)
{
    char_unlink_sockets();
    raise(sig);
}

/*
 * SIGTERM, SIGINT and SIGHUP shut the VM down in order and exit 0, as
 * QEMU: "terminating on signal N from pid M (NAME)", SHUTDOWN with reason
 * "host-signal" to the QMP clients, the last replies flushed, the sockets
 * removed. They are blocked in every thread (the mask is set before any
 * thread exists) and taken by one thread with sigwaitinfo(), so handling
 * them may lock the BQL.
 */
static sigset_t shutdown_signals;

/* QEMU's qemu_get_pid_name(): the first word of the sender's command line. */
static char *pid_name(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL) || !len) {
        g_free(text);
        return g_strdup("<unknown process>");
    }
    return text;    /* NUL-separated: the first word ends at the first NUL */
}

static gpointer signal_thread(gpointer opaque)
{
    siginfo_t info;
    int sig;

    do {
        sig = sigwaitinfo(&shutdown_signals, &info);
    } while (sig < 0);
    if (info.si_code == SI_USER || info.si_code == SI_QUEUE) {
        g_autofree char *name = pid_name(info.si_pid);
        error_report("terminating on signal %d from pid %d (%s)", sig, (int)info.si_pid, name);
    } else {
        error_report("terminating on signal %d", sig);
    }
    SpaprMachineState *spapr = g_atomic_pointer_get(&signal_machine);
    if (!spapr) {
        /* Still starting (e.g. waiting for a monitor client). */
        char_unlink_sockets();
        _exit(0);
    }
    bql_lock();
    if (!spapr->quit_requested) {
        vm_event_emit(spapr, "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-signal\"}");
    }
    spapr->exit_code = 0;
    spapr_request_quit(spapr);
    bql_unlock();
    return NULL;
}

static void install_signal_handling(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa = { .sa_handler = fatal_signal, .sa_flags = SA_RESETHAND };
    struct sigaction old;

    sigemptyset(&sa.sa_mask);
    /* Keep a signal the parent chose to ignore (nohup) ignored. */
    if (sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
        sigaction(SIGQUIT, &sa, NULL);
    }
    sigemptyset(&shutdown_signals);
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
            sigaddset(&shutdown_signals, sigs[i]);
        }
    }
    if (sigisemptyset(&shutdown_signals)) {
        return;
    }
    pthread_sigmask(SIG_BLOCK, &shutdown_signals, NULL);
    g_thread_unref(g_thread_new("signals", signal_thread, NULL));
}

int qemu_main(int argc, char **argv)
{
    VM vm = { 0 };
    g_autoptr(GError) err = NULL;

    install_signal_handling();
    int ret = vm_init(&vm, argc, argv, &err);
    if (ret != 0) {
        if (ret < 0) {
            /* QEMU's hint line ("Try appending -machine cap-htm=off")
             * is the one second line an error may have. */
            char *hint = strstr(err->message, "\nTry appending ");
            if (hint) {
                *hint++ = '\0';
            }
            g_autofree char *line = qemu_one_line(err->message);
            error_report("%s", line);
            if (hint) {
                g_autofree char *hint_line = qemu_one_line(hint);
                fprintf(stderr, "%s\n", hint_line);
            }
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
