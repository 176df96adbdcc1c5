/*
 * Migration state machine, the outgoing thread and incoming migration
 * (include/migration/migration.h for the phases and the locking).
 */
#include "migration/migration.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "migration/ram.h"
#include "migration/vmstate.h"
#include "system/bql.h"
#include "system/cpus.h"
#include "system/events.h"
#include "system/trace.h"

typedef struct MigrationState {
    MigStatus status;
    bool incoming;
    volatile int cancel;
    bool incoming_started;      /* migrate-incoming / -incoming URI given once */
    int incoming_fd;            /* listening socket, or the stream itself */
    bool incoming_is_stream;
    GPid incoming_child;        /* exec: */
    char *uri;
    char *error;
    MigRamStats ram;
    uint64_t remaining_pages;
    uint64_t passes;
    int64_t start_us, end_us;
    int64_t downtime_ms;
    bool autostart;             /* incoming: run once loaded (no -S) */
} MigrationState;

static MigrationState mig = { .autostart = true };  /* BQL (see the header) */
static bool mig_enabled = true;

void migration_set_enabled(bool enabled)
{
    mig_enabled = enabled;
}

static bool check_enabled(GError **error)
{
    if (!mig_enabled) {
        g_set_error(error, MIG_ERROR, 0, "migration is disabled in this process");
    }
    return mig_enabled;
}

const char *mig_status_name(MigStatus status)
{
    static const char *const names[] = {
        [MIG_STATUS_NONE] = "none",
        [MIG_STATUS_SETUP] = "setup",
        [MIG_STATUS_ACTIVE] = "active",
        [MIG_STATUS_COMPLETED] = "completed",
        [MIG_STATUS_FAILED] = "failed",
        [MIG_STATUS_CANCELLING] = "cancelling",
        [MIG_STATUS_CANCELLED] = "cancelled",
    };
    return status < G_N_ELEMENTS(names) ? names[status] : "unknown";
}

/* BQL held. */
static void set_status(SpaprMachineState *spapr, MigStatus status)
{
    if (mig.status == status) {
        return;
    }
    mig.status = status;
    g_autofree char *data = g_strdup_printf("{\"status\": \"%s\"}", mig_status_name(status));
    vm_event_emit(spapr, "MIGRATION", data);
    trace_event("migration", "status %s", mig_status_name(status));
}

static bool mig_running(void)
{
    return mig.status == MIG_STATUS_SETUP || mig.status == MIG_STATUS_ACTIVE ||
           mig.status == MIG_STATUS_CANCELLING;
}

static void reap(GPid child)
{
    if (child > 0) {
        waitpid(child, NULL, 0);
        g_spawn_close_pid(child);
    }
}

/* ---- outgoing ---- */

/* Drain every vCPU's queued work (a machine check being assigned, a
 * register change) so that the saved state has nothing in flight. */
static void noop_work(PowerPCCPU *cpu, void *opaque)
{
}

static void drain_cpu_work(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        cpu_run_work(spapr->cpus[i], noop_work, NULL);
    }
}

/* Stop, serialize what is left into memory (BQL held), and return it. */
static GByteArray *stop_and_serialize(SpaprMachineState *spapr, unsigned long *bm,
                                      uint32_t *sections, GError **error)
{
    MigStream mem;
    GByteArray *out = g_byte_array_new();

    mig_stream_init(&mem, -1, true);
    mem.mem = out;
    cpus_pause(spapr);
    drain_cpu_work(spapr);
    guest_dirty_log_sync(&spapr->ram, bm);
    if (mig_ram_send(&spapr->ram, &mem, bm, &mig.ram, error) < 0 ||
        mig_save_devices(spapr, &mem, error) < 0) {
        g_byte_array_free(out, TRUE);
        return NULL;
    }
    *sections = mem.sections;
    return out;
}

static int migrate_out(SpaprMachineState *spapr, MigStream *s, bool *stopped,
                       bool *was_running, int64_t *stop_us, GError **error)
{
    GuestMemory *ram = &spapr->ram;
    g_autofree unsigned long *bm = g_new0(unsigned long, guest_dirty_bitmap_longs(ram));
    MigBuf cfg;

    bql_lock();
    guest_dirty_log_start(ram);
    mig_ram_touched(ram, bm);
    mig_buf_init(&cfg);
    mig_save_config(spapr, &cfg);
    set_status(spapr, MIG_STATUS_ACTIVE);
    bql_unlock();

    int ret = mig_write_header(s, mig_digest(&cfg), error);
    if (ret == 0) {
        ret = mig_write_section(s, "config", 1, 0, &cfg, error);
    }
    mig_buf_free(&cfg);
    /* Pre-copy: the guest runs while its pages go out. Stop when few
     * pages remain, or when passes stop shrinking the dirty set (the guest
     * writes as fast as we send: more passes only cost time). */
    uint64_t prev = UINT64_MAX;
    while (ret == 0) {
        __atomic_add_fetch(&mig.passes, 1, __ATOMIC_RELAXED);
        ret = mig_ram_send(ram, s, bm, &mig.ram, error);
        uint64_t dirty = guest_dirty_log_sync(ram, bm);
        __atomic_store_n(&mig.remaining_pages, dirty, __ATOMIC_RELAXED);
        uint64_t passes = __atomic_load_n(&mig.passes, __ATOMIC_RELAXED);
        if (dirty <= MIG_STOP_PAGES || passes >= MIG_MAX_PASSES ||
            (passes >= MIG_MIN_PASSES && dirty >= prev / 10 * 9)) {
            break;
        }
        prev = dirty;
    }
    if (ret < 0) {
        return -1;
    }

    bql_lock();
    *stop_us = g_get_monotonic_time();
    *was_running = spapr->runstate == RUN_STATE_RUNNING;
    if (*was_running) {
        runstate_set(spapr, RUN_STATE_FINISH_MIGRATE);      /* STOP */
    }
    *stopped = true;
    uint32_t sections = 0;
    GByteArray *rest = stop_and_serialize(spapr, bm, &sections, error);
    bql_unlock();
    if (!rest) {
        return -1;
    }
    /* vCPUs stay parked (pause count) while the BQL is free for the
     * monitor, so migrate_cancel can reach us if the peer stalls. */
    ret = mig_write_raw(s, rest->data, rest->len, error);
    g_byte_array_free(rest, TRUE);
    s->sections += sections;
    if (ret == 0) {
        ret = mig_write_end(s, error);
    }
    return ret;
}

static gpointer migration_thread(gpointer opaque)
{
    SpaprMachineState *spapr = opaque;
    g_autoptr(GError) err = NULL;
    GPid child = 0;
    bool stopped = false, was_running = false;
    int64_t stop_us = 0;
    int ret = -1;

    int fd = mig_connect(mig.uri, &child, &err);
    if (fd >= 0) {
        MigStream s;
        mig_stream_init(&s, fd, true);
        s.cancel = &mig.cancel;
        ret = migrate_out(spapr, &s, &stopped, &was_running, &stop_us, &err);
        if (ret == 0 && g_str_has_prefix(mig.uri, "file:") && fsync(fd) != 0) {
            ret = -1;
            g_set_error(&err, MIG_ERROR, 0, "%s: %s", mig.uri, g_strerror(errno));
        }
        close(fd);
    }
    reap(child);

    bql_lock();
    guest_dirty_log_stop(&spapr->ram);
    mig.end_us = g_get_monotonic_time();
    mig.downtime_ms = stopped ? (mig.end_us - stop_us) / 1000 : 0;
    if (stopped) {
        cpus_resume(spapr);
    }
    if (ret == 0) {
        if (was_running) {
            runstate_set(spapr, RUN_STATE_POSTMIGRATE);
        }
        set_status(spapr, MIG_STATUS_COMPLETED);
    } else {
        /* The source keeps running unharmed. */
        if (was_running && spapr->runstate == RUN_STATE_FINISH_MIGRATE) {
            runstate_set(spapr, RUN_STATE_RUNNING);
        }
        g_free(mig.error);
        mig.error = g_strdup(err ? err->message : "unknown error");
        if (__atomic_load_n(&mig.cancel, __ATOMIC_ACQUIRE)) {
            set_status(spapr, MIG_STATUS_CANCELLED);
        } else {
            error_report("migration failed: %s", mig.error);
            set_status(spapr, MIG_STATUS_FAILED);
        }
    }
    bql_unlock();
    return NULL;
}

static void reset_stats(void)
{
    memset(&mig.ram, 0, sizeof(mig.ram));
    __atomic_store_n(&mig.remaining_pages, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&mig.passes, 0, __ATOMIC_RELAXED);
    mig.downtime_ms = 0;
    mig.start_us = g_get_monotonic_time();
    mig.end_us = 0;
    g_clear_pointer(&mig.error, g_free);
    __atomic_store_n(&mig.cancel, 0, __ATOMIC_RELEASE);
}

int migration_start(SpaprMachineState *spapr, const char *uri, GError **error)
{
    if (!check_enabled(error)) {
        return -1;
    }
    if (mig_running()) {
        g_set_error(error, MIG_ERROR, 0, "There's a migration process in progress");
        return -1;
    }
    if (mig.incoming || spapr->runstate == RUN_STATE_INMIGRATE) {
        g_set_error(error, MIG_ERROR, 0, "Guest is waiting for an incoming migration");
        return -1;
    }
    if (mig_uri_check(uri, error) < 0) {
        return -1;
    }
    if (g_str_has_prefix(uri, "exec:")) {
        signal(SIGPIPE, SIG_IGN);   /* a command that exits early: EPIPE */
    }
    g_free(mig.uri);
    mig.uri = g_strdup(uri);
    reset_stats();
    set_status(spapr, MIG_STATUS_SETUP);
    /* Detached: the thread's last act is to drop the BQL after the final
     * status, so a finished status means it is gone (nothing to join). */
    g_thread_unref(g_thread_new("migration", migration_thread, spapr));
    return 0;
}

void migration_cancel(SpaprMachineState *spapr)
{
    if (!mig_running() || mig.incoming) {
        return;
    }
    __atomic_store_n(&mig.cancel, 1, __ATOMIC_RELEASE);
    set_status(spapr, MIG_STATUS_CANCELLING);
}

void migration_query(SpaprMachineState *spapr, MigInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->status = mig.status;
    info->incoming = mig.incoming;
    info->ram_total = spapr->ram_size;
    info->ram_transferred = __atomic_load_n(&mig.ram.transferred, __ATOMIC_RELAXED);
    info->pages_data = __atomic_load_n(&mig.ram.pages_data, __ATOMIC_RELAXED);
    info->pages_zero = __atomic_load_n(&mig.ram.pages_zero, __ATOMIC_RELAXED);
    info->ram_remaining = __atomic_load_n(&mig.remaining_pages, __ATOMIC_RELAXED) *
                          GUEST_PAGE_SIZE;
    info->passes = __atomic_load_n(&mig.passes, __ATOMIC_RELAXED);
    int64_t end = mig.end_us ? mig.end_us : g_get_monotonic_time();
    info->total_time_ms = mig.start_us ? (end - mig.start_us) / 1000 : 0;
    info->downtime_ms = mig.downtime_ms;
    info->error = g_strdup(mig.error);
}

/* ---- incoming ---- */

static gpointer incoming_thread(gpointer opaque)
{
    SpaprMachineState *spapr = opaque;
    g_autoptr(GError) err = NULL;
    GPid child = mig.incoming_child;
    bool is_stream = mig.incoming_is_stream, was_running = false;
    int ret = -1;

    int fd = mig.incoming_fd;
    if (!is_stream) {
        int lfd = fd;
        fd = mig_accept(lfd, &err);
        close(lfd);
        if (g_str_has_prefix(mig.uri, "unix:")) {
            unlink(mig.uri + 5);
        }
    }
    if (fd >= 0) {
        MigStream s;
        mig_stream_init(&s, fd, false);
        bql_lock();
        set_status(spapr, MIG_STATUS_ACTIVE);
        bql_unlock();
        ret = mig_load_stream(spapr, &s, true, &was_running, &err);
        __atomic_store_n(&mig.ram.transferred, s.bytes, __ATOMIC_RELAXED);
        close(fd);
    }
    reap(child);

    bql_lock();
    mig.end_us = g_get_monotonic_time();
    if (ret < 0) {
        g_autofree char *line = g_strdup_printf("load of migration failed: %s",
                                                err ? err->message : "unknown error");
        error_report("%s", line);
        mig.error = g_strdup(line);
        set_status(spapr, MIG_STATUS_FAILED);
        /* Never run a half-loaded guest: leave, as QEMU does. */
        spapr->exit_code = 1;
        spapr_request_quit(spapr);
    } else {
        set_status(spapr, MIG_STATUS_COMPLETED);
        mig.incoming = false;   /* this guest may migrate on from here */
        runstate_set(spapr, was_running && mig.autostart ? RUN_STATE_RUNNING
                                                         : RUN_STATE_PAUSED);
    }
    bql_unlock();
    return NULL;
}

void migration_set_autostart(bool autostart)
{
    mig.autostart = autostart;
}

int migration_incoming(SpaprMachineState *spapr, const char *uri, GError **error)
{
    if (!check_enabled(error)) {
        return -1;
    }
    if (mig.incoming_started) {
        g_set_error(error, MIG_ERROR, 0, "The incoming migration has already been started");
        return -1;
    }
    if (spapr->runstate != RUN_STATE_INMIGRATE) {
        g_set_error(error, MIG_ERROR, 0, "'-incoming' was not specified on the command line");
        return -1;
    }
    if (mig_uri_check(uri, error) < 0) {
        return -1;
    }
    /* Listen (or open) now, so that once the monitor answers, the source
     * can connect; only the accept and the load wait in the thread. */
    mig.incoming_child = 0;
    mig.incoming_fd = mig_listen(uri, &mig.incoming_is_stream, &mig.incoming_child, error);
    if (mig.incoming_fd < 0) {
        return -1;
    }
    mig.incoming = true;
    g_free(mig.uri);
    mig.uri = g_strdup(uri);
    reset_stats();
    set_status(spapr, MIG_STATUS_SETUP);
    mig.incoming_started = true;
    g_thread_unref(g_thread_new("migration-in", incoming_thread, spapr));
    return 0;
}
