/*
 * Monitor endpoints (include/system/monitor.h, system/monitor-internal.h):
 * opening the -qmp/-monitor character endpoints, the reader and writer
 * threads of each, the per-client output queue and the event fan-out.
 */
#define _GNU_SOURCE
#include "system/monitor.h"

#include <dlfcn.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "hw/ppc/spapr.h"
#include "system/bql.h"
#include "system/chardev.h"
#include "system/events.h"
#include "system/qmp-json.h"
#include "system/trace.h"
#include "monitor-internal.h"

/* Output queued for one client beyond which it is considered stuck. */
#define MONITOR_OUT_MAX         (8u << 20)
/* How long quit waits for replies and the SHUTDOWN event to go out. */
#define MONITOR_QUIT_FLUSH_US   (2 * G_USEC_PER_SEC)

typedef struct Monitor {
    SpaprMachineState *spapr;
    CharEndpoint ep;
    bool is_qmp;
    char *label;                /* "-qmp unix:/path", for messages */

    /* Output: guarded by out_lock. */
    GMutex out_lock;
    GCond out_cond;             /* broadcast on any change below */
    GQueue out_q;               /* GString*, in order */
    size_t out_bytes;
    bool out_busy;              /* the writer is writing a popped message */
    bool connected;             /* a client is attached: output is delivered */
    bool negotiated;            /* QMP command mode: events are delivered */
    bool overflowed;            /* reported once per client */
    int client_fd;              /* the client's socket (for shutdown), else -1 */
} Monitor;

static GPtrArray *monitors;     /* Monitor*, fixed once monitor_init_all returns */
static bool event_listener_added;

G_DEFINE_QUARK(fwnmi-vmm-monitor-error-quark, mon_error)

/* ---- output queue ---- */

static void out_clear_locked(Monitor *mon)
{
    GString *msg;
    while ((msg = g_queue_pop_head(&mon->out_q))) {
        g_string_free(msg, TRUE);
    }
    mon->out_bytes = 0;
    g_cond_broadcast(&mon->out_cond);
}

/* Queue @text for the current client; out_lock held. */
static void out_push_locked(Monitor *mon, const char *text, size_t len)
{
    if (!mon->connected || len == 0) {
        return;
    }
    if (mon->out_bytes + len > MONITOR_OUT_MAX) {
        /* The client does not read: never let it grow memory or stall
         * the machine. A socket client is dropped (its reader then sees
         * EOF); on stdio the output is lost. */
        if (!mon->overflowed) {
            warn_report("%s: client does not read its output, %s", mon->label,
                        mon->client_fd >= 0 ? "disconnecting it" : "discarding output");
            mon->overflowed = true;
        }
        if (mon->client_fd >= 0) {
            shutdown(mon->client_fd, SHUT_RDWR);
        }
        return;
    }
    g_queue_push_tail(&mon->out_q, g_string_new_len(text, (gssize)len));
    mon->out_bytes += len;
    g_cond_broadcast(&mon->out_cond);
}

static void monitor_send(Monitor *mon, const char *text)
{
    g_mutex_lock(&mon->out_lock);
    out_push_locked(mon, text, strlen(text));
    g_mutex_unlock(&mon->out_lock);
}

/* Wait until everything queued has been written, or @deadline passes. */
static void monitor_flush(Monitor *mon, gint64 deadline)
{
    g_mutex_lock(&mon->out_lock);
    while (mon->connected && (mon->out_q.length || mon->out_busy)) {
        if (!g_cond_wait_until(&mon->out_cond, &mon->out_lock, deadline)) {
            break;
        }
    }
    g_mutex_unlock(&mon->out_lock);
}

static gpointer monitor_writer_thread(gpointer opaque)
{
    Monitor *mon = opaque;

    g_mutex_lock(&mon->out_lock);
    for (;;) {
        GString *msg = g_queue_pop_head(&mon->out_q);
        if (!msg) {
            g_cond_wait(&mon->out_cond, &mon->out_lock);
            continue;
        }
        mon->out_bytes -= msg->len;
        mon->out_busy = true;
        g_mutex_unlock(&mon->out_lock);
        char_write(&mon->ep, msg->str, msg->len);
        g_string_free(msg, TRUE);
        g_mutex_lock(&mon->out_lock);
        mon->out_busy = false;
        g_cond_broadcast(&mon->out_cond);
    }
    return NULL;
}

/* ---- clients ---- */

static void monitor_attach_client(Monitor *mon)
{
    g_mutex_lock(&mon->out_lock);
    mon->connected = true;
    mon->negotiated = false;
    mon->overflowed = false;
    mon->client_fd = mon->ep.spec.kind == CHAR_UNIX ? mon->ep.in_fd : -1;
    g_mutex_unlock(&mon->out_lock);
    trace_event("monitor", "%s: client connected", mon->label);
}

/*
 * The client went away (or was dropped): discard its pending output,
 * unblock a writer stuck on it, and close the connection. Only the reader
 * thread connects and disconnects, so the fd stays valid until here.
 */
static void monitor_detach_client(Monitor *mon)
{
    g_mutex_lock(&mon->out_lock);
    int fd = mon->client_fd;
    mon->connected = false;
    mon->negotiated = false;
    mon->client_fd = -1;
    out_clear_locked(mon);
    if (fd >= 0) {
        /* Unblocks the writer if it is stuck in a send to this client. */
        shutdown(fd, SHUT_RDWR);
        while (mon->out_busy) {
            g_cond_wait(&mon->out_cond, &mon->out_lock);
        }
    }
    g_mutex_unlock(&mon->out_lock);
    char_disconnect(&mon->ep);
    trace_event("monitor", "%s: client disconnected", mon->label);
}

static void flush_all_until(gint64 deadline)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        monitor_flush(g_ptr_array_index(monitors, i), deadline);
    }
}

/* Leave the process (the quit command set status 0) once the reply and
 * SHUTDOWN are out. */
static void monitor_quit(Monitor *self)
{
    SpaprMachineState *spapr = self->spapr;
    gint64 deadline = g_get_monotonic_time() + MONITOR_QUIT_FLUSH_US;

    monitor_flush(self, deadline);
    bql_lock();
    if (!spapr->quit_requested) {
        vm_event_emit(spapr, "SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
    }
    bql_unlock();
    flush_all_until(deadline);
    bql_lock();
    spapr_request_quit(spapr);
    bql_unlock();
}

/* ---- QMP ---- */

static const QmpModuleOps *qmp;     /* set once at start-up, when -qmp is used */

/* Where the QMP module lives: $QEMU_MODULE_DIR, else beside the binary. */
static char *qmp_module_path(void)
{
    const char *dir = g_getenv("QEMU_MODULE_DIR");
    if (dir) {
        return g_build_filename(dir, QMP_MODULE_NAME, NULL);
    }
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : g_strdup(".");
    return g_build_filename(exe_dir, QMP_MODULE_NAME, NULL);
}

static int qmp_load_module(GError **error)
{
    if (qmp) {
        return 0;
    }
    g_autofree char *path = qmp_module_path();
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    QmpModuleEntry entry = handle ? (QmpModuleEntry)dlsym(handle, QMP_MODULE_ENTRY) : NULL;
    if (!entry) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-qmp: cannot load the QMP module: %s", dlerror());
        return -1;
    }
    qmp = entry();      /* the module stays loaded for the life of the process */
    return 0;
}

/* One client's QMP session; the reader thread's own. */
typedef struct QmpSession {
    Monitor *mon;
    bool oob;                   /* the "oob" capability was enabled */
    bool quit;                  /* a quit ran: read no further */
} QmpSession;

/* A complete request (or a lexical error) from the stream. */
static void qmp_handle_value(void *opaque, const char *json, const char *error)
{
    QmpSession *session = opaque;
    Monitor *mon = session->mon;

    if (session->quit) {
        return;
    }
    if (error) {
        g_autofree char *err = qmp->error_line(MON_ERROR_GENERIC, error);
        monitor_send(mon, err);
        return;
    }
    bool command_mode, enter = false;
    MonitorAction action = MON_ACTION_NONE;
    g_mutex_lock(&mon->out_lock);
    command_mode = mon->negotiated;
    g_mutex_unlock(&mon->out_lock);

    g_autofree char *reply = qmp->process_line(mon->spapr, json, command_mode, &session->oob,
                                              &enter, &action);
    if (reply) {
        /* Queue the reply and switch modes at once, so that no event
         * precedes the reply to qmp_capabilities. */
        g_mutex_lock(&mon->out_lock);
        out_push_locked(mon, reply, strlen(reply));
        if (enter) {
            mon->negotiated = true;
        }
        g_mutex_unlock(&mon->out_lock);
    }
    if (action == MON_ACTION_QUIT) {
        session->quit = true;
        monitor_quit(mon);
    }
}

static void qmp_serve_client(Monitor *mon)
{
    g_autofree char *greeting = qmp->greeting();
    QmpSession session = { .mon = mon };
    QmpJsonStreamer streamer;
    char buf[4096];
    ssize_t n;

    qmp_json_init(&streamer, qmp_handle_value, &session);
    monitor_send(mon, greeting);
    while (!session.quit && (n = char_read_some(&mon->ep, buf, sizeof(buf))) > 0) {
        qmp_json_feed(&streamer, buf, (size_t)n);
    }
    qmp_json_destroy(&streamer);
}

static bool monitor_reconnects(const Monitor *mon)
{
    return mon->ep.spec.kind == CHAR_UNIX && mon->ep.spec.server;
}

static gpointer qmp_reader_thread(gpointer opaque)
{
    Monitor *mon = opaque;

    for (;;) {
        g_autoptr(GError) err = NULL;
        if (char_connect(&mon->ep, &err) < 0) {
            error_report("%s: %s", mon->label, err->message);
            break;
        }
        monitor_attach_client(mon);
        qmp_serve_client(mon);
        monitor_detach_client(mon);
        if (!monitor_reconnects(mon)) {
            break;      /* stdio or a client socket: nothing more to serve */
        }
    }
    return NULL;
}

/* ---- HMP ---- */

/* One HMP client; true when it ran quit. */
static bool hmp_serve_client(Monitor *mon)
{
    g_autoptr(GString) line = g_string_new(NULL);
    int ret;

    monitor_attach_client(mon);
    g_autofree char *banner = hmp_banner();
    monitor_send(mon, banner);
    monitor_send(mon, HMP_PROMPT);
    while ((ret = char_read_line(&mon->ep, line)) != 0) {
        g_autoptr(GString) out = g_string_new(NULL);
        MonitorAction action = MON_ACTION_NONE;
        if (ret < 0) {
            g_string_append_printf(out, "Error: command line longer than %d bytes discarded\n",
                                   CHAR_LINE_MAX);
        } else {
            bql_lock();
            action = hmp_execute_locked(mon->spapr, line->str, 0, out);
            bql_unlock();
        }
        monitor_send(mon, out->str);
        if (action == MON_ACTION_QUIT) {
            monitor_quit(mon);
            return true;
        }
        monitor_send(mon, HMP_PROMPT);
    }
    return false;
}

static gpointer hmp_reader_thread(gpointer opaque)
{
    Monitor *mon = opaque;

    for (;;) {
        g_autoptr(GError) err = NULL;
        if (char_connect(&mon->ep, &err) < 0) {
            error_report("%s: %s", mon->label, err->message);
            return NULL;
        }
        if (hmp_serve_client(mon)) {
            return NULL;
        }
        if (!monitor_reconnects(mon)) {
            /* End of input: as QEMU, the machine goes on without a
             * monitor (the writer still delivers what is queued). */
            return NULL;
        }
        monitor_detach_client(mon);
    }
}

/* ---- events ---- */

/* Called with the BQL held, from any thread: only queues. */
static void monitor_event_listener(const char *name, const char *data_json, void *opaque)
{
    g_autofree char *text = qmp->format_event(name, data_json);
    if (!text) {
        return;
    }
    size_t len = strlen(text);
    trace_event("monitor", "event %s %s", name, data_json ? data_json : "");
    for (guint i = 0; i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);
        if (!mon->is_qmp) {
            continue;
        }
        g_mutex_lock(&mon->out_lock);
        if (mon->negotiated) {
            out_push_locked(mon, text, len);
        }
        g_mutex_unlock(&mon->out_lock);
    }
}

/* ---- start-up ---- */

static Monitor *monitor_new(SpaprMachineState *spapr, bool is_qmp, const char *label)
{
    Monitor *mon = g_new0(Monitor, 1);
    mon->spapr = spapr;
    mon->is_qmp = is_qmp;
    mon->label = g_strdup(label);
    mon->client_fd = -1;
    g_mutex_init(&mon->out_lock);
    g_cond_init(&mon->out_cond);
    g_queue_init(&mon->out_q);
    return mon;
}

static char *spec_label(const char *opt, const CharSpec *spec)
{
    switch (spec->kind) {
    case CHAR_STDIO:
        return g_strdup_printf("-%s stdio", opt);
    case CHAR_UNIX:
        return g_strdup_printf("-%s unix:%s%s", opt, spec->path,
                               spec->server ? ",server=on" : "");
    case CHAR_FILE:
        return g_strdup_printf("-%s file:%s", opt, spec->path);
    default:
        return g_strdup_printf("-%s", opt);
    }
}

static int monitor_open(SpaprMachineState *spapr, const CharSpec *spec, bool is_qmp,
                        GError **error)
{
    const char *opt = is_qmp ? "qmp" : "monitor";
    g_autofree char *label = spec_label(opt, spec);

    if (spec->kind != CHAR_STDIO && spec->kind != CHAR_UNIX) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s: not supported (use stdio or unix:PATH[,server=on][,wait=off])",
                    label);
        return -1;
    }
    Monitor *mon = monitor_new(spapr, is_qmp, label);
    g_ptr_array_add(monitors, mon);
    if (char_open(&mon->ep, spec, error) < 0) {
        g_prefix_error(error, "%s: ", label);
        return -1;
    }
    /* char_open() binds under umask 077, which leaves the socket 0700:
     * QMP sockets are 0600 (nothing to execute on a socket). */
    if (spec->kind == CHAR_UNIX && spec->server && chmod(spec->path, 0600) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "%s: chmod: %s", label, g_strerror(errno));
        return -1;
    }
    /* A socket client connects now (QEMU fails at start-up too); a server
     * with wait=on holds start-up until its first client arrives. */
    if (spec->kind == CHAR_UNIX && (!spec->server || spec->wait)) {
        if (spec->server) {
            /* QEMU 7.2's info line (error_report's program prefix). */
            fprintf(stderr, "qemu-system-ppc64: %s: info: QEMU waiting for connection on: "
                    "disconnected:unix:%s,server=on\n", label, spec->path);
        }
        if (char_connect(&mon->ep, error) < 0) {
            return -1;
        }
    }
    return 0;
}

int monitor_init_all(SpaprMachineState *spapr, const VMOptions *opts, GError **error)
{
    monitors = g_ptr_array_new();
    if (vm_options_stdio_users(opts) > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "stdio can serve only one of -qtest, -qmp and -monitor");
        return -1;
    }
    if (opts->qmp->len && qmp_load_module(error) < 0) {
        return -1;
    }
    for (guint i = 0; i < opts->qmp->len; i++) {
        if (monitor_open(spapr, g_ptr_array_index(opts->qmp, i), true, error) < 0) {
            return -1;
        }
    }
    for (guint i = 0; i < opts->hmp->len; i++) {
        const CharSpec *spec = g_ptr_array_index(opts->hmp, i);
        if (spec->kind != CHAR_NONE && spec->kind != CHAR_NULL &&
            monitor_open(spapr, spec, false, error) < 0) {
            return -1;
        }
    }
    if (qmp && !event_listener_added) {     /* only QMP clients get events */
        vm_event_add_listener(monitor_event_listener, NULL);
        event_listener_added = true;
    }
    return 0;
}

void monitor_start_all(SpaprMachineState *spapr)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);
        g_autofree char *wname = g_strdup_printf("mon%u-out", i);
        g_autofree char *rname = g_strdup_printf("mon%u-in", i);
        g_thread_unref(g_thread_new(wname, monitor_writer_thread, mon));
        g_thread_unref(g_thread_new(rname, mon->is_qmp ? qmp_reader_thread
                                                       : hmp_reader_thread, mon));
    }
}

void monitor_flush_all(gint64 timeout_us)
{
    flush_all_until(g_get_monotonic_time() + timeout_us);
}

bool monitor_attached(void)
{
    return monitors && monitors->len > 0;
}
