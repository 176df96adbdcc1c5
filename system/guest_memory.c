/*
 * Guest RAM backing and the bounds-checked accessors of
 * include/system/guest-memory.h. Anonymous private mappings are populated
 * by the host on first touch, so a 512 MiB guest costs only what it uses.
 */
#include "system/guest-memory.h"

#include <sys/mman.h>

int guest_memory_init(GuestMemory *gm, uint64_t size)
{
    memset(gm, 0, sizeof(*gm));
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        return -errno;
    }
    gm->host = p;
    gm->size = size;
    g_mutex_init(&gm->poison_lock);
    gm->poisoned = g_hash_table_new(g_direct_hash, g_direct_equal);
    return 0;
}

void guest_memory_destroy(GuestMemory *gm)
{
    if (gm->host) {
        munmap(gm->host, gm->size);
        gm->host = NULL;
    }
    g_clear_pointer(&gm->dirty, g_free);
    if (gm->poisoned) {
        g_hash_table_destroy(gm->poisoned);
        gm->poisoned = NULL;
        g_mutex_clear(&gm->poison_lock);
    }
}

void guest_memory_clear(GuestMemory *gm)
{
    /* MADV_DONTNEED on a private anonymous mapping gives back zero pages
     * lazily: cheaper than memset and keeps resident memory low. */
    if (madvise(gm->host, gm->size, MADV_DONTNEED) != 0) {
        memset(gm->host, 0, gm->size);
    }
}

int guest_read(const GuestMemory *gm, uint64_t addr, void *buf, uint64_t len)
{
    if (!guest_range_valid(gm, addr, len)) {
        return -EFAULT;
    }
    memcpy(buf, gm->host + addr, len);
    return 0;
}

int guest_write(GuestMemory *gm, uint64_t addr, const void *buf, uint64_t len)
{
    if (!guest_range_valid(gm, addr, len)) {
        return -EFAULT;
    }
    memcpy(gm->host + addr, buf, len);
    guest_mark_dirty(gm, addr, len);
    return 0;
}

int guest_fill(GuestMemory *gm, uint64_t addr, int byte, uint64_t len)
{
    if (!guest_range_valid(gm, addr, len)) {
        return -EFAULT;
    }
    memset(gm->host + addr, byte, len);
    guest_mark_dirty(gm, addr, len);
    return 0;
}

#define DEFINE_BE_ACCESSORS(bits)                                           \
int guest_ld_be##bits(const GuestMemory *gm, uint64_t addr, uint##bits##_t *val) \
{                                                                           \
    uint##bits##_t raw;                                                     \
    int ret = guest_read(gm, addr, &raw, sizeof(raw));                      \
    if (ret == 0) {                                                         \
        *val = GUINT##bits##_FROM_BE(raw);                                  \
    }                                                                       \
    return ret;                                                             \
}                                                                           \
int guest_st_be##bits(GuestMemory *gm, uint64_t addr, uint##bits##_t val)  \
{                                                                           \
    uint##bits##_t raw = GUINT##bits##_TO_BE(val);                          \
    return guest_write(gm, addr, &raw, sizeof(raw));                        \
}

DEFINE_BE_ACCESSORS(16)
DEFINE_BE_ACCESSORS(32)
DEFINE_BE_ACCESSORS(64)

int guest_poison_page(GuestMemory *gm, uint64_t addr)
{
    if (!guest_range_valid(gm, addr, 1)) {
        return -EFAULT;
    }
    g_mutex_lock(&gm->poison_lock);
    gpointer page = GSIZE_TO_POINTER(addr >> GUEST_PAGE_SHIFT);
    if (g_hash_table_add(gm->poisoned, page)) {
        __atomic_add_fetch(&gm->poison_count, 1, __ATOMIC_RELEASE);
    }
    g_mutex_unlock(&gm->poison_lock);
    return 0;
}

bool guest_poison_take_slow(GuestMemory *gm, uint64_t addr, uint64_t len)
{
    bool hit = false;
    uint64_t first = addr >> GUEST_PAGE_SHIFT;
    uint64_t last = (addr + (len ? len - 1 : 0)) >> GUEST_PAGE_SHIFT;

    g_mutex_lock(&gm->poison_lock);
    for (uint64_t page = first; page <= last; page++) {
        if (g_hash_table_remove(gm->poisoned, GSIZE_TO_POINTER(page))) {
            __atomic_sub_fetch(&gm->poison_count, 1, __ATOMIC_RELEASE);
            hit = true;
        }
    }
    g_mutex_unlock(&gm->poison_lock);
    return hit;
}

void guest_poison_clear(GuestMemory *gm)
{
    g_mutex_lock(&gm->poison_lock);
    g_hash_table_remove_all(gm->poisoned);
    __atomic_store_n(&gm->poison_count, 0, __ATOMIC_RELEASE);
    g_mutex_unlock(&gm->poison_lock);
}

/* ---- dirty log ---- */

#define BITS_PER_LONG (8 * sizeof(unsigned long))

void guest_mark_dirty_slow(GuestMemory *gm, uint64_t addr, uint64_t len)
{
    unsigned long *bm = __atomic_load_n(&gm->dirty, __ATOMIC_ACQUIRE);
    if (!bm || len == 0 || !guest_range_valid(gm, addr, len)) {
        return;
    }
    for (uint64_t page = addr >> GUEST_PAGE_SHIFT;
         page <= (addr + len - 1) >> GUEST_PAGE_SHIFT; page++) {
        __atomic_fetch_or(&bm[page / BITS_PER_LONG], 1UL << (page % BITS_PER_LONG),
                          __ATOMIC_RELAXED);
    }
}

void guest_dirty_log_start(GuestMemory *gm)
{
    if (!gm->dirty) {
        __atomic_store_n(&gm->dirty, g_new0(unsigned long, guest_dirty_bitmap_longs(gm)),
                         __ATOMIC_RELEASE);
    } else {
        /* Atomically: a store racing with the last stop may still OR in. */
        for (size_t i = 0; i < guest_dirty_bitmap_longs(gm); i++) {
            __atomic_store_n(&gm->dirty[i], 0, __ATOMIC_RELAXED);
        }
    }
    __atomic_store_n(&gm->dirty_log, 1, __ATOMIC_SEQ_CST);
}

void guest_dirty_log_stop(GuestMemory *gm)
{
    /* The bitmap stays allocated: a store racing with the stop may still
     * set a bit in it. */
    __atomic_store_n(&gm->dirty_log, 0, __ATOMIC_SEQ_CST);
}

uint64_t guest_dirty_log_sync(GuestMemory *gm, unsigned long *out)
{
    uint64_t n = 0;
    if (!gm->dirty) {
        return 0;
    }
    for (size_t i = 0; i < guest_dirty_bitmap_longs(gm); i++) {
        if (__atomic_load_n(&gm->dirty[i], __ATOMIC_RELAXED)) {
            unsigned long w = __atomic_exchange_n(&gm->dirty[i], 0, __ATOMIC_ACQ_REL);
            out[i] |= w;
            n += (uint64_t)__builtin_popcountl(w);
        }
    }
    return n;
}
