/*
 * Guest RAM in the migration stream (migration/ram.c): sections "ram" of
 * up to MIG_RAM_PAGES_PER_SECTION records, each a u64 of the page's guest
 * address ORed with a flag (MIG_RAM_ZERO: the page is all zeroes, no data;
 * MIG_RAM_DATA: 4096 bytes follow). Only touched pages are sent: the
 * first pass asks the host which pages of the lazy mapping are resident
 * (mincore), later passes send what the dirty log recorded.
 *
 * Sending reads RAM without any lock while vCPUs may write it: a page
 * written meanwhile is in the dirty log and is sent again.
 */
#ifndef MIGRATION_RAM_H
#define MIGRATION_RAM_H

#include "migration/stream.h"
#include "system/guest-memory.h"

#define MIG_RAM_ZERO                1
#define MIG_RAM_DATA                2
#define MIG_RAM_PAGES_PER_SECTION   256

typedef struct MigRamStats {
    uint64_t transferred;       /* bytes of page data and markers sent */
    uint64_t pages_data;
    uint64_t pages_zero;
} MigRamStats;

/**
 * mig_ram_touched: set in @bm (guest_dirty_bitmap_longs() longs) every page
 * the host has populated. Returns the number of pages.
 */
uint64_t mig_ram_touched(GuestMemory *gm, unsigned long *bm);

/**
 * mig_ram_send: send every page set in @bm and clear @bm. 0 or -1 with
 * @error. @stats is updated as it goes (atomically readable).
 */
int mig_ram_send(GuestMemory *gm, MigStream *s, unsigned long *bm,
                 MigRamStats *stats, GError **error);

/** mig_ram_load: apply one "ram" section. 0 or -1 with @error. */
int mig_ram_load(GuestMemory *gm, MigCursor *c, GError **error);

#endif
