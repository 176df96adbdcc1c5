/*
 * Radix tree walk for a pseries guest (include/target/ppc/mmu-radix64.h).
 *
 * Book III 5.7.6-5.7.10: the quadrant (EA bits 0:1) selects the PID: 3 is
 * the kernel (PID 0), 0 is the user process (PIDR); 1 and 2 exist only
 * for the hypervisor, so a guest gets a segment interrupt for them. The
 * process-table entry for the PID gives the tree size (RTS) and the root
 * directory (RPDB, RPDS); each directory entry gives the next level (NLB,
 * NLS) until a leaf supplies the real page number. The partition-scoped
 * walk is the identity here: the hypervisor (us) maps guest real memory
 * 1:1 onto guest RAM.
 *
 * Tables are big-endian in memory whatever the guest's endianness, and
 * other vCPUs may rewrite them while we walk: every entry is read with
 * one atomic 8-byte load and R/C are set with a compare-and-swap that
 * fails if the PTE changed meanwhile (the walk is then redone), which is
 * what "the update is atomic with the check" means for real hardware.
 */
#include "target/ppc/mmu-radix64.h"

#include <errno.h>

#define EA_QUADRANT_SHIFT   62
#define EA_IN_QUADRANT      0x3FFFFFFFFFFFFFFFULL
#define RC_RETRIES          8       /* PTE changed under us this often: fault */
#define MIN_LEVEL_BITS      5       /* Book III 5.7.10: NLS >= 5 */

void ppc_radix_partition_reset(PPCRadixPartition *part)
{
    ppc_radix_partition_set(part, false, 0, 0);
}

void ppc_radix_partition_set(PPCRadixPartition *part, bool radix,
                             uint64_t base, unsigned prts)
{
    uint64_t v = radix ? PATE1_GR | (base & PATE1_PRTB) | (prts & PATE1_PRTS)
                       : 0;

    __atomic_store_n(&part->proc_tbl, v, __ATOMIC_SEQ_CST);
    ppc_radix_flush_all_cpus(part);
}

/* The big-endian doubleword at @ra, atomically; false if not in RAM. */
static bool load_entry(GuestMemory *ram, uint64_t ra, uint64_t *val)
{
    uint64_t raw;

    if ((ra & 7) || !guest_range_valid(ram, ra, 8)) {
        return false;
    }
    raw = __atomic_load_n((uint64_t *)(ram->host + ra), __ATOMIC_ACQUIRE);
    *val = GUINT64_FROM_BE(raw);
    return true;
}

static bool cas_entry(GuestMemory *ram, uint64_t ra, uint64_t old,
                      uint64_t new)
{
    uint64_t expected = GUINT64_TO_BE(old);

    bool ok = __atomic_compare_exchange_n((uint64_t *)(ram->host + ra),
                                          &expected, GUINT64_TO_BE(new), false,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (ok) {
        guest_mark_dirty(ram, ra, 8);
    }
    return ok;
}

/* What the Encoded Access Authority grants (Book III 5.7.13.1). */
static unsigned eaa_prot(uint64_t pte, bool pr)
{
    unsigned prot = 0;

    if ((pte & RPTE_EAA_PRIV) && pr) {
        return 0;               /* privileged page, problem state */
    }
    if (pte & (RPTE_EAA_R | RPTE_EAA_RW)) {
        prot |= RADIX_PROT_READ;
    }
    if (pte & RPTE_EAA_RW) {
        prot |= RADIX_PROT_WRITE;
    }
    if (pte & RPTE_EAA_X) {
        prot |= RADIX_PROT_EXEC;
    }
    return prot;
}

static unsigned prot_needed(PPCAccessKind kind)
{
    switch (kind) {
    case PPC_ACCESS_STORE:
        return RADIX_PROT_WRITE;
    case PPC_ACCESS_IFETCH:
        return RADIX_PROT_EXEC;
    default:
        return RADIX_PROT_READ;
    }
}

static PPCRadixStatus storage_fault(PPCRadixResult *res, uint32_t cause)
{
    res->fault = cause;
    return RADIX_STORAGE;
}

static PPCRadixStatus walk_ue(PPCRadixResult *res, uint64_t entry_ra)
{
    res->ra = entry_ra;
    return RADIX_WALK_UE;
}

/*
 * One walk from the root: the leaf PTE and its address, or a fault.
 * @ea has the quadrant bits stripped and lies inside the tree.
 */
static PPCRadixStatus walk(GuestMemory *ram, uint64_t ea, unsigned tree_bits,
                           uint64_t base, unsigned nls, uint64_t *pte,
                           uint64_t *pte_ra, unsigned *page_shift,
                           PPCRadixResult *res)
{
    unsigned bits = tree_bits;     /* EA bits not yet consumed */

    for (;;) {
        uint64_t index, entry_ra, e;

        if (nls < MIN_LEVEL_BITS || nls + GUEST_PAGE_SHIFT > bits) {
            return storage_fault(res, RADIX_FAULT_BADCONFIG);
        }
        index = (ea >> (bits - nls)) & ((1ULL << nls) - 1);
        entry_ra = base + index * 8;
        if (!load_entry(ram, entry_ra, &e)) {
            return walk_ue(res, entry_ra);
        }
        if (!(e & RPTE_VALID)) {
            return storage_fault(res, RADIX_FAULT_NOPTE);
        }
        bits -= nls;
        if (e & RPTE_LEAF) {
            *pte = e;
            *pte_ra = entry_ra;
            *page_shift = bits;
            return RADIX_OK;
        }
        base = e & RPDE_NLB;
        nls = e & RPDE_NLS;
    }
}

static PPCRadixStatus xlate(const PPCRadixPartition *part, GuestMemory *ram,
                            uint64_t pid, bool pr, uint64_t ea,
                            PPCAccessKind kind, bool update_rc,
                            bool check_prot, PPCRadixResult *res)
{
    uint64_t proc_tbl = __atomic_load_n(&part->proc_tbl, __ATOMIC_ACQUIRE);
    uint64_t in_quadrant = ea & EA_IN_QUADRANT;
    uint64_t prte_ra, prte0;
    unsigned tree_bits;

    switch (ea >> EA_QUADRANT_SHIFT) {
    case 0:
        break;
    case 3:
        pid = 0;
        break;
    default:
        return RADIX_SEGMENT;   /* quadrants 1 and 2: hypervisor only */
    }
    if (!(proc_tbl & PATE1_GR)) {
        return storage_fault(res, RADIX_FAULT_NOPTE);
    }
    if (pid * PRTE_SIZE >= (1ULL << (GUEST_PAGE_SHIFT +
                                     (proc_tbl & PATE1_PRTS)))) {
        return storage_fault(res, RADIX_FAULT_NOPTE);
    }
    prte_ra = (proc_tbl & PATE1_PRTB) + pid * PRTE_SIZE;
    if (!load_entry(ram, prte_ra, &prte0)) {
        return walk_ue(res, prte_ra);
    }
    /* RTS is split: bits 1:2 and 56:58 of the entry; the tree maps RTS+31. */
    tree_bits = (unsigned)(((prte0 >> 58) & 0x18) | ((prte0 >> 5) & 7)) + 31;
    if (tree_bits > EA_QUADRANT_SHIFT) {
        return storage_fault(res, RADIX_FAULT_BADCONFIG);
    }
    if (in_quadrant >> tree_bits) {
        return RADIX_SEGMENT;   /* EA beyond the tree (bits 2:11 for 52) */
    }

    for (unsigned attempt = 0; attempt < RC_RETRIES; attempt++) {
        uint64_t pte, pte_ra, new_pte, page_mask;
        unsigned page_shift, prot, need = prot_needed(kind);
        PPCRadixStatus st = walk(ram, in_quadrant, tree_bits,
                                 prte0 & PRTE0_RPDB,
                                 (unsigned)(prte0 & PRTE0_RPDS), &pte,
                                 &pte_ra, &page_shift, res);
        if (st != RADIX_OK) {
            return st;
        }
        if (kind == PPC_ACCESS_IFETCH &&
            (pte & RPTE_ATT) == RPTE_ATT_NI_IO) {
            return storage_fault(res, RADIX_FAULT_GUARDED);
        }
        prot = eaa_prot(pte, pr);
        if (check_prot && !(prot & need)) {
            return storage_fault(res, RADIX_FAULT_PROT);
        }
        page_mask = (1ULL << page_shift) - 1;
        res->ra = ((pte & RPTE_RPN) & ~page_mask) | (ea & page_mask);
        res->page_shift = page_shift;
        if (!update_rc) {
            res->prot = prot;
            return RADIX_OK;
        }
        new_pte = pte | RPTE_R | (kind == PPC_ACCESS_STORE ? RPTE_C : 0);
        if (!(new_pte & RPTE_C)) {
            /* A TLB entry may only store once C is set (by a store). */
            prot &= ~RADIX_PROT_WRITE;
        }
        res->prot = prot;
        if (new_pte == pte || cas_entry(ram, pte_ra, pte, new_pte)) {
            return RADIX_OK;
        }
        /* Another vCPU changed the PTE between our read and the update. */
    }
    return storage_fault(res, RADIX_FAULT_NOPTE);
}

PPCRadixStatus ppc_radix_xlate(const PPCRadixPartition *part,
                               GuestMemory *ram, uint64_t pid, bool pr,
                               uint64_t ea, PPCAccessKind kind,
                               bool update_rc, PPCRadixResult *res)
{
    return xlate(part, ram, pid, pr, ea, kind, update_rc, true, res);
}

int ppc_radix_translate_ea(PowerPCCPU *cpu, GuestMemory *ram, uint64_t ea,
                           bool ifetch, uint64_t *ra)
{
    static const PPCRadixPartition none;
    const CPUPPCState *env = &cpu->env;
    PPCRadixResult res;

    if (!(env->msr & (ifetch ? MSR_IR : MSR_DR))) {
        *ra = ea & PPC_REAL_ADDR_MASK;
        return 0;
    }
    if (!(env->msr & MSR_SF)) {
        ea = (uint32_t)ea;
    }
    if (xlate(cpu->radix ? cpu->radix : &none, ram, env->pidr,
              (env->msr & MSR_PR) != 0, ea,
              ifetch ? PPC_ACCESS_IFETCH : PPC_ACCESS_LOAD, false, false,
              &res) != RADIX_OK) {
        return -EFAULT;
    }
    *ra = res.ra;
    return 0;
}

int ppc_radix_translate_data(PowerPCCPU *cpu, GuestMemory *ram, uint64_t ea,
                             uint64_t *ra)
{
    return ppc_radix_translate_ea(cpu, ram, ea, false, ra);
}
