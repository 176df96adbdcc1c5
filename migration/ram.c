/*
 * RAM sections of the migration stream (include/migration/ram.h).
 */
#include "migration/ram.h"

#include <sys/mman.h>
#include <unistd.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))

uint64_t mig_ram_touched(GuestMemory *gm, unsigned long *bm)
{
    uint64_t pages = gm->size >> GUEST_PAGE_SHIFT, n = 0;
    long host_page = sysconf(_SC_PAGESIZE);
    size_t chunk = 1u << 16;            /* host pages per mincore call */
    g_autofree unsigned char *vec = g_malloc(chunk);

    if (host_page != (long)GUEST_PAGE_SIZE) {
        /* Not worth the arithmetic: treat every page as touched. */
        for (uint64_t p = 0; p < pages; p++) {
            bm[p / BITS_PER_LONG] |= 1UL << (p % BITS_PER_LONG);
        }
        return pages;
    }
    for (uint64_t first = 0; first < pages; first += chunk) {
        size_t cnt = (size_t)MIN((uint64_t)chunk, pages - first);
        if (mincore(gm->host + (first << GUEST_PAGE_SHIFT), cnt << GUEST_PAGE_SHIFT,
                    vec) != 0) {
            memset(vec, 1, cnt);
        }
        for (size_t i = 0; i < cnt; i++) {
            if (vec[i] & 1) {
                uint64_t p = first + i;
                bm[p / BITS_PER_LONG] |= 1UL << (p % BITS_PER_LONG);
                n++;
            }
        }
    }
    return n;
}

/*
 * RAM is read while vCPUs and the VMM (RTAS results, error logs, under
 * the BQL) may write it: a deliberate race, made harmless by the dirty
 * log (a page written meanwhile is marked after the write and sent
 * again). TSan cannot know that, so these two readers are not
 * instrumented; everything else in the file is.
 */
#define RAM_RACY_READER __attribute__((no_sanitize("thread")))

RAM_RACY_READER static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < GUEST_PAGE_SIZE / 8; i++) {
        if (__atomic_load_n(&w[i], __ATOMIC_RELAXED)) {
            return false;
        }
    }
    return true;
}

/*
 * Copy a page vCPUs may be writing: word by word with relaxed atomics, as
 * the software CPU stores (plain moves on x86; what keeps TSan right).
 */
RAM_RACY_READER static void copy_live_page(uint8_t *dst, const uint8_t *src)
{
    const uint64_t *s = (const uint64_t *)src;
    uint64_t *d = (uint64_t *)dst;
    for (size_t i = 0; i < GUEST_PAGE_SIZE / 8; i++) {
        d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
    }
}

static int flush(MigStream *s, MigBuf *b, unsigned *count, GError **error)
{
    int ret = 0;
    if (*count) {
        ret = mig_write_section(s, "ram", 1, 0, b, error);
        g_byte_array_set_size(b->data, 0);
        *count = 0;
    }
    return ret;
}

int mig_ram_send(GuestMemory *gm, MigStream *s, unsigned long *bm,
                 MigRamStats *stats, GError **error)
{
    size_t longs = guest_dirty_bitmap_longs(gm);
    unsigned count = 0;
    MigBuf b;
    int ret = 0;

    mig_buf_init(&b);
    for (size_t i = 0; i < longs && ret == 0; i++) {
        unsigned long w = bm[i];
        bm[i] = 0;
        while (w && ret == 0) {
            unsigned bit = (unsigned)__builtin_ctzl(w);
            w &= w - 1;
            uint64_t addr = ((uint64_t)i * BITS_PER_LONG + bit) << GUEST_PAGE_SHIFT;
            const uint8_t *p = gm->host + addr;
            if (page_is_zero(p)) {
                mig_put_u64(&b, addr | MIG_RAM_ZERO);
                __atomic_add_fetch(&stats->pages_zero, 1, __ATOMIC_RELAXED);
                __atomic_add_fetch(&stats->transferred, 8, __ATOMIC_RELAXED);
            } else {
                mig_put_u64(&b, addr | MIG_RAM_DATA);
                guint at = b.data->len;
                g_byte_array_set_size(b.data, at + (guint)GUEST_PAGE_SIZE);
                copy_live_page(b.data->data + at, p);
                __atomic_add_fetch(&stats->pages_data, 1, __ATOMIC_RELAXED);
                __atomic_add_fetch(&stats->transferred, 8 + GUEST_PAGE_SIZE,
                                   __ATOMIC_RELAXED);
            }
            if (++count == MIG_RAM_PAGES_PER_SECTION) {
                ret = flush(s, &b, &count, error);
            }
        }
    }
    if (ret == 0) {
        ret = flush(s, &b, &count, error);
    }
    mig_buf_free(&b);
    return ret;
}

int mig_ram_load(GuestMemory *gm, MigCursor *c, GError **error)
{
    while (c->off < c->len) {
        uint64_t rec = mig_get_u64(c);
        uint64_t addr = rec & ~(GUEST_PAGE_SIZE - 1);
        unsigned flag = (unsigned)(rec & (GUEST_PAGE_SIZE - 1));
        if (c->overrun || !guest_range_valid(gm, addr, GUEST_PAGE_SIZE) ||
            (flag != MIG_RAM_ZERO && flag != MIG_RAM_DATA)) {
            g_set_error(error, MIG_ERROR, 0, "ram: bad page record 0x%" G_GINT64_MODIFIER
                        "x (RAM is 0x%" G_GINT64_MODIFIER "x bytes)", rec, gm->size);
            return -1;
        }
        uint8_t *p = gm->host + addr;
        if (flag == MIG_RAM_ZERO) {
            if (!page_is_zero(p)) {     /* reading a lazy page maps nothing */
                memset(p, 0, GUEST_PAGE_SIZE);
            }
            continue;
        }
        const uint8_t *data = mig_get_ptr(c, GUEST_PAGE_SIZE);
        if (!data) {
            g_set_error(error, MIG_ERROR, 0, "ram: truncated page 0x%" G_GINT64_MODIFIER "x",
                        addr);
            return -1;
        }
        memcpy(p, data, GUEST_PAGE_SIZE);
    }
    return 0;
}
