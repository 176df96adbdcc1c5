/*
 * Migration: the outgoing state machine (QMP migrate / migrate_cancel /
 * query-migrate), incoming migration (-incoming URI, -incoming defer +
 * migrate-incoming) and the transports (migration/migration.c,
 * migration/transport.c).
 *
 * URIs: file:PATH, unix:PATH, tcp:HOST:PORT, exec:CMD (the command reads
 * the stream on its stdin when migrating out, writes it on its stdout
 * when coming in).
 *
 * Outgoing (its own thread, "migration"): setup (dirty log on, header and
 * config sent), active (every touched page, then the dirtied ones again
 * until few remain: MIG_STOP_PAGES, MIG_MAX_PASSES, or after MIG_MIN_PASSES
 * when a pass no longer shrinks the dirty set by 10%), then with the BQL
 * the guest is stopped (STOP, run state finish-migrate), vCPUs parked
 * with cpus_pause() and their queued work drained, the last dirty pages
 * and every device section serialized to memory; the BQL is dropped to
 * send them, and taken again to finish: completed (run state
 * postmigrate) or, on an error or cancel, the guest resumes as it was.
 *
 * Locking: MigrationState is guarded by the BQL, except the byte and page
 * counters (atomics, read by query-migrate) and `cancel` (atomic, polled
 * by the stream I/O every 100 ms). RAM is read without any lock (pages
 * dirtied meanwhile are in the dirty log and sent again).
 */
#ifndef MIGRATION_MIGRATION_H
#define MIGRATION_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct SpaprMachineState SpaprMachineState;

#define MIG_STOP_PAGES  256     /* stop and copy once at most this many are dirty */
#define MIG_MAX_PASSES  30
#define MIG_MIN_PASSES  3       /* then stop once a pass shrinks the dirty set < 10% */

typedef enum MigStatus {
    MIG_STATUS_NONE,
    MIG_STATUS_SETUP,
    MIG_STATUS_ACTIVE,
    MIG_STATUS_COMPLETED,
    MIG_STATUS_FAILED,
    MIG_STATUS_CANCELLING,
    MIG_STATUS_CANCELLED,
} MigStatus;

/** What query-migrate / info migrate report. */
typedef struct MigInfo {
    MigStatus status;
    bool incoming;
    uint64_t ram_total;         /* bytes of guest RAM */
    uint64_t ram_transferred;   /* bytes of RAM data and markers sent */
    uint64_t ram_remaining;     /* bytes dirty at the last pass */
    uint64_t pages_data, pages_zero;
    uint64_t passes;
    int64_t total_time_ms;      /* so far, or in all once finished */
    int64_t downtime_ms;        /* guest stopped (valid once completed) */
    char *error;                /* last failure (caller frees) */
} MigInfo;

const char *mig_status_name(MigStatus status);

/**
 * migration_start: QMP migrate. Starts the migration thread; failures to
 * reach the destination are reported through the status and MIGRATION
 * events. 0, or -1 with @error when one is already running or the URI
 * is malformed. BQL held.
 */
int migration_start(SpaprMachineState *spapr, const char *uri, GError **error);
/** migration_cancel: QMP migrate_cancel (no-op when none is running). BQL held. */
void migration_cancel(SpaprMachineState *spapr);
/** migration_query: fill @info (BQL held). */
void migration_query(SpaprMachineState *spapr, MigInfo *info);

/**
 * migration_incoming: start listening on / reading from @uri in a thread.
 * The run state is inmigrate until the stream is loaded; then running
 * when the source was (and -S was not given), else paused. A failed load
 * ends the process with status 1 ("load of migration failed: ...").
 * 0 or -1 with @error (bad URI, one already pending). BQL held.
 */
int migration_incoming(SpaprMachineState *spapr, const char *uri, GError **error);
/**
 * migration_set_enabled: false makes migrate and migrate-incoming fail
 * ("migration is disabled"): for the fuzzers, whose QMP input must not
 * write files or run exec: commands.
 */
void migration_set_enabled(bool enabled);
/** migration_set_autostart: false with -S (the loaded guest stays paused). */
void migration_set_autostart(bool autostart);

/* ---- transports (migration/transport.c) ---- */

/** mig_uri_check: 0 when @uri has a supported form, else -1 with @error. */
int mig_uri_check(const char *uri, GError **error);
/** mig_connect: the fd to write an outgoing stream to. -1 with @error. */
int mig_connect(const char *uri, GPid *child, GError **error);
/**
 * mig_listen / mig_accept: incoming. mig_listen binds (unix, tcp) and
 * returns the listening fd, or opens the file / starts the command and
 * returns the stream fd (then *@is_stream). mig_accept waits for the
 * source. -1 with @error.
 */
int mig_listen(const char *uri, bool *is_stream, GPid *child, GError **error);
int mig_accept(int listen_fd, GError **error);

#endif
