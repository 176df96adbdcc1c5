/*
 * Radix page tables built in guest RAM for the MMU tests, laid out the way
 * Linux 6.1 builds them for 4 KiB pages: a 52-bit tree with a 13-bit root
 * and three 9-bit levels (PGD/PUD/PMD/PTE), and 2 MiB leaves at the PMD
 * level. Entries are big-endian, as the hardware reads them.
 *
 * RT_KERNEL(ra) is the kernel's linear-map EA for a real address: after
 * rt_init_linear_map(), 0xc000000000000000 + x maps x for the first 2 MiB
 * (read/write/execute, privileged), which covers the tests' code, data,
 * vectors and the tables themselves.
 */
#ifndef TESTS_UNIT_RADIX_TEST_TABLES_H
#define TESTS_UNIT_RADIX_TEST_TABLES_H

#include <glib.h>

#include "system/guest-memory.h"
#include "target/ppc/mmu-radix64.h"

#define RT_PRTB         0x100000ULL     /* process table: 4 KiB, 256 PIDs */
#define RT_POOL         0x110000ULL     /* directories are allocated here */
#define RT_POOL_END     0x1F0000ULL
#define RT_KERNEL_BASE  0xC000000000000000ULL
#define RT_KERNEL(ra)   (RT_KERNEL_BASE | (ra))

/* EAA and attribute bits, with the names Linux uses for them */
#define RT_PRIV         RPTE_EAA_PRIV
#define RT_READ         RPTE_EAA_R
#define RT_RW           RPTE_EAA_RW
#define RT_EXEC         RPTE_EAA_X
#define RT_KERNEL_RWX   (RT_PRIV | RT_RW | RT_EXEC)

static const unsigned rt_level_bits[4] = { 13, 9, 9, 9 };

typedef struct RadixTables {
    GuestMemory *ram;
    uint64_t next;          /* bump allocator in [RT_POOL, RT_POOL_END) */
} RadixTables;

static inline uint64_t rt_ld(RadixTables *t, uint64_t ra)
{
    uint64_t v;
    g_assert_cmpint(guest_ld_be64(t->ram, ra, &v), ==, 0);
    return v;
}

static inline void rt_st(RadixTables *t, uint64_t ra, uint64_t v)
{
    g_assert_cmpint(guest_st_be64(t->ram, ra, v), ==, 0);
}

/* A zeroed directory of 2^@bits entries, aligned to its size. */
static inline uint64_t rt_alloc(RadixTables *t, unsigned bits)
{
    uint64_t size = 8ULL << bits;
    uint64_t ra = (t->next + size - 1) & ~(size - 1);

    g_assert_cmphex(ra + size, <=, RT_POOL_END);
    g_assert_cmpint(guest_fill(t->ram, ra, 0, size), ==, 0);
    t->next = ra + size;
    return ra;
}

/* Process-table entry doubleword 0 for a 52-bit tree at @root. */
static inline uint64_t rt_prte0(uint64_t root)
{
    const uint64_t rts = 52 - 31;
    return ((rts >> 3) << 61) | ((rts & 7) << 5) | root | rt_level_bits[0];
}

static inline void rt_init(RadixTables *t, GuestMemory *ram)
{
    t->ram = ram;
    t->next = RT_POOL;
    g_assert_cmpint(guest_fill(ram, RT_PRTB, 0, GUEST_PAGE_SIZE), ==, 0);
}

/* Root directory of @pid, created on first use. */
static inline uint64_t rt_root(RadixTables *t, unsigned pid)
{
    uint64_t prte = RT_PRTB + 16ULL * pid;
    uint64_t dw0 = rt_ld(t, prte);

    if (!dw0) {
        dw0 = rt_prte0(rt_alloc(t, rt_level_bits[0]));
        rt_st(t, prte, dw0);
    }
    return dw0 & PRTE0_RPDB;
}

/*
 * Address of the entry for @ea at level @depth (0 = root) in @pid's tree,
 * creating the directories above it.
 */
static inline uint64_t rt_entry(RadixTables *t, unsigned pid, uint64_t ea,
                                unsigned depth)
{
    uint64_t base = rt_root(t, pid);
    unsigned shift = 52;

    for (unsigned level = 0;; level++) {
        shift -= rt_level_bits[level];
        uint64_t index = (ea >> shift) & ((1ULL << rt_level_bits[level]) - 1);
        uint64_t entry = base + 8 * index;
        if (level == depth) {
            return entry;
        }
        uint64_t pde = rt_ld(t, entry);
        if (!(pde & RPTE_VALID)) {
            unsigned nls = rt_level_bits[level + 1];
            pde = RPTE_VALID | rt_alloc(t, nls) | nls;
            rt_st(t, entry, pde);
        }
        base = pde & RPDE_NLB;
    }
}

/* The leaf PTE's address for a 4 KiB mapping of @ea. */
static inline uint64_t rt_pte_addr(RadixTables *t, unsigned pid, uint64_t ea)
{
    return rt_entry(t, pid, ea, 3);
}

/* Map the 4 KiB page at @ea to @ra with EAA/attribute @flags. */
static inline void rt_map(RadixTables *t, unsigned pid, uint64_t ea,
                          uint64_t ra, uint64_t flags)
{
    rt_st(t, rt_pte_addr(t, pid, ea),
          RPTE_VALID | RPTE_LEAF | (ra & RPTE_RPN) | flags);
}

/* Map the 2 MiB page at @ea to @ra (a leaf at the PMD level). */
static inline void rt_map_2m(RadixTables *t, unsigned pid, uint64_t ea,
                             uint64_t ra, uint64_t flags)
{
    rt_st(t, rt_entry(t, pid, ea, 2),
          RPTE_VALID | RPTE_LEAF | (ra & RPTE_RPN) | flags);
}

/* The kernel's first 2 MiB, R and C preset as Linux does for its map. */
static inline void rt_init_linear_map(RadixTables *t)
{
    rt_map_2m(t, 0, RT_KERNEL_BASE, 0,
              RT_KERNEL_RWX | RPTE_R | RPTE_C);
}

#endif
