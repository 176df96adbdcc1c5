/*
 * Guest RAM: one contiguous region of guest real addresses [0, size),
 * backed by an anonymous mapping that the host populates lazily.
 *
 * This is the only module that turns guest addresses into host pointers.
 * Everything the guest hands over goes through these accessors, which check
 * the whole range against the RAM size first, so a guest-supplied address
 * can never reach host memory outside guest RAM.
 *
 * Multi-byte accessors named _be/_le convert; PAPR structures (RTAS
 * arguments, error logs) are always big-endian whatever the guest's mode.
 *
 * Poisoned pages (x-inject-memory-error): the first guest access to a
 * poisoned page reports it once (the page is then healed). Checks are
 * cheap when nothing is poisoned. Poison state is guarded by an internal
 * mutex; the data itself is not locked (like real RAM).
 */
#ifndef SYSTEM_GUEST_MEMORY_H
#define SYSTEM_GUEST_MEMORY_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#define GUEST_PAGE_SHIFT 12
#define GUEST_PAGE_SIZE  (1ULL << GUEST_PAGE_SHIFT)

typedef struct GuestMemory {
    uint8_t *host;          /* host mapping of guest address 0 */
    uint64_t size;          /* bytes of RAM */
    volatile int poison_count;  /* pages poisoned now (fast-path check) */
    GMutex poison_lock;     /* guards poisoned */
    GHashTable *poisoned;   /* page number -> GUINT_TO_POINTER(1) */
    /*
     * Dirty log (migration): while dirty_log is set, every write to RAM
     * (the software CPU's stores, radix R/C updates, the VMM's accessors)
     * sets its page's bit in dirty, after the write, with an atomic OR.
     * Off outside migration, so the store path pays one load and branch.
     */
    volatile int dirty_log;
    unsigned long *dirty;   /* one bit per page; allocated by the log start */
} GuestMemory;

/** guest_memory_init: map @size bytes (lazy). Returns 0 or -errno. */
int guest_memory_init(GuestMemory *gm, uint64_t size);
/** guest_memory_destroy: unmap and free. */
void guest_memory_destroy(GuestMemory *gm);
/** guest_memory_clear: zero all RAM (machine reset), keeping it lazy. */
void guest_memory_clear(GuestMemory *gm);

/** guest_range_valid: true when [addr, addr+len) lies inside RAM. */
static inline bool guest_range_valid(const GuestMemory *gm, uint64_t addr,
                                     uint64_t len)
{
    return addr <= gm->size && len <= gm->size - addr;
}

/**
 * guest_ptr: host pointer for [addr, addr+len) or NULL when any of it lies
 * outside RAM. Only for callers that copy at once (interpreter, loader).
 */
static inline void *guest_ptr(const GuestMemory *gm, uint64_t addr, uint64_t len)
{
    return guest_range_valid(gm, addr, len) ? gm->host + addr : NULL;
}

void guest_mark_dirty_slow(GuestMemory *gm, uint64_t addr, uint64_t len);
/** guest_mark_dirty: note a write to [addr, addr+len) for the dirty log. */
static inline void guest_mark_dirty(GuestMemory *gm, uint64_t addr, uint64_t len)
{
    if (__builtin_expect(__atomic_load_n(&gm->dirty_log, __ATOMIC_RELAXED) != 0, 0)) {
        guest_mark_dirty_slow(gm, addr, len);
    }
}
/** guest_dirty_log_start / _stop: begin (every bit clear) or end dirty logging. */
void guest_dirty_log_start(GuestMemory *gm);
void guest_dirty_log_stop(GuestMemory *gm);
/**
 * guest_dirty_log_sync: move the pages dirtied since the last sync into
 * @out (one bit per page, ORed in) and clear them in the log. Returns the
 * number of pages moved. Any thread.
 */
uint64_t guest_dirty_log_sync(GuestMemory *gm, unsigned long *out);
/** guest_dirty_bitmap_longs: the length of a page bitmap for this RAM. */
static inline size_t guest_dirty_bitmap_longs(const GuestMemory *gm)
{
    uint64_t pages = gm->size >> GUEST_PAGE_SHIFT;
    return (size_t)((pages + 8 * sizeof(unsigned long) - 1) / (8 * sizeof(unsigned long)));
}

/** guest_read / guest_write: copy bytes. 0, or -EFAULT when out of RAM. */
int guest_read(const GuestMemory *gm, uint64_t addr, void *buf, uint64_t len);
int guest_write(GuestMemory *gm, uint64_t addr, const void *buf, uint64_t len);
/** guest_fill: memset in guest RAM. 0 or -EFAULT. */
int guest_fill(GuestMemory *gm, uint64_t addr, int byte, uint64_t len);

/* Big-endian scalar accessors: 0 or -EFAULT; *val untouched on error. */
int guest_ld_be16(const GuestMemory *gm, uint64_t addr, uint16_t *val);
int guest_ld_be32(const GuestMemory *gm, uint64_t addr, uint32_t *val);
int guest_ld_be64(const GuestMemory *gm, uint64_t addr, uint64_t *val);
int guest_st_be16(GuestMemory *gm, uint64_t addr, uint16_t val);
int guest_st_be32(GuestMemory *gm, uint64_t addr, uint32_t val);
int guest_st_be64(GuestMemory *gm, uint64_t addr, uint64_t val);

/**
 * guest_poison_page: mark the page holding @addr poisoned.
 * Returns 0, or -EFAULT when @addr is not RAM.
 */
int guest_poison_page(GuestMemory *gm, uint64_t addr);
/**
 * guest_poison_take: if any byte of [addr, addr+len) is poisoned, heal those
 * pages and return true (the caller raises a machine check); else false.
 */
bool guest_poison_take_slow(GuestMemory *gm, uint64_t addr, uint64_t len);
static inline bool guest_poison_take(GuestMemory *gm, uint64_t addr, uint64_t len)
{
    return __atomic_load_n(&gm->poison_count, __ATOMIC_RELAXED) != 0 &&
           guest_poison_take_slow(gm, addr, len);
}
/** guest_poison_clear: heal every page (machine reset). */
void guest_poison_clear(GuestMemory *gm);

#endif
