/*
 * Radix MMU (Power ISA v3.0 Book III 5.7.6-5.7.9) for a pseries guest:
 * guest process-scoped translation only. The partition-scoped step is the
 * identity (the guest's "real" addresses are our guest RAM addresses), as
 * for a guest under PowerVM or KVM that registered its process table with
 * H_REGISTER_PROC_TBL and does its own tlbie (GTSE).
 *
 * What it offers:
 *   - PPCRadixPartition: the partition's process-table registration and a
 *     TLB flush generation. One instance per machine (SpaprMachineState),
 *     pointed to by every vCPU (PowerPCCPU.radix).
 *   - ppc_radix_xlate(): the table walk with permission checks and, on
 *     request, the hardware's atomic R/C update. Used by the software CPU
 *     on a soft-TLB miss.
 *   - ppc_radix_translate_data(): EA -> RA for a vCPU without side effects,
 *     for the machine (machine-check log addresses, monitors).
 *
 * Who touches what:
 *   - proc_tbl is written by the machine with the BQL held (hypercall,
 *     reset) and read lock-free, atomically, by vCPU threads while walking.
 *   - flush_gen is incremented atomically by any vCPU thread (broadcast
 *     tlbie) or the machine (registration, reset); each vCPU thread
 *     compares it with the generation its own soft TLB was filled under
 *     and flushes that TLB when they differ (target/ppc/interp/tlb.c).
 *   - The page tables live in guest RAM and are read and updated (R/C)
 *     with host atomics, as other vCPUs may change them concurrently.
 */
#ifndef TARGET_PPC_MMU_RADIX64_H
#define TARGET_PPC_MMU_RADIX64_H

#include <stdbool.h>
#include <stdint.h>

#include "system/guest-memory.h"
#include "target/ppc/cpu.h"
#include "target/ppc/interp.h"

/*
 * PPCRadixPartition.proc_tbl, in the layout of a partition-table entry's
 * second doubleword (Book III 5.7.6.2): PATE_GR | process-table base |
 * PRTS (table size is 2^(12+PRTS) bytes). 0 means "no radix process
 * table" (nothing registered, hash, or deregistered): every translated
 * access then faults with "no translation".
 */
#define PATE1_GR            PPC_BIT(0)          /* guest radix */
#define PATE1_PRTB          0x0FFFFFFFFFFFF000ULL
#define PATE1_PRTS          0x1FULL
#define PRTS_MAX            24                  /* 2^36 bytes: 2^32 PIDs */

typedef struct PPCRadixPartition {
    uint64_t proc_tbl;      /* see above; BQL to write, atomic to read */
    uint64_t flush_gen;     /* bumped on every broadcast invalidation */
} PPCRadixPartition;

/* Radix PTE / PDE bits (Book III 5.7.10.1), big-endian in guest RAM. */
#define RPTE_VALID          PPC_BIT(0)
#define RPTE_LEAF           PPC_BIT(1)
#define RPTE_RPN            0x01FFFFFFFFFFF000ULL   /* bits 7:51 */
#define RPDE_NLB            0x0FFFFFFFFFFFFF00ULL   /* bits 4:55 */
#define RPDE_NLS            0x1FULL                 /* bits 59:63 */
#define RPTE_R              0x100ULL                /* referenced */
#define RPTE_C              0x080ULL                /* changed */
#define RPTE_ATT            0x030ULL
#define RPTE_ATT_NI_IO      0x020ULL                /* non-idempotent I/O */
#define RPTE_EAA_PRIV       0x008ULL                /* privileged only */
#define RPTE_EAA_R          0x004ULL                /* read */
#define RPTE_EAA_RW         0x002ULL                /* read/write */
#define RPTE_EAA_X          0x001ULL                /* execute */

/* Process-table entry doubleword 0 (Book III 5.7.6.2) */
#define PRTE0_RPDB          0x0FFFFFFFFFFFFF00ULL
#define PRTE0_RPDS          0x1FULL
#define PRTE_SIZE           16

/* Fault causes, in DSISR bit positions (the same bits in SRR1 for ISI). */
#define RADIX_FAULT_NOPTE       0x40000000u     /* bit 33: no translation */
#define RADIX_FAULT_GUARDED     0x10000000u     /* bit 35: fetch from I/O */
#define RADIX_FAULT_PROT        0x08000000u     /* bit 36: protection */
#define RADIX_FAULT_BADCONFIG   0x00080000u     /* bit 44: bad tree format */
#define RADIX_DSISR_STORE       0x02000000u     /* bit 38: it was a store */

/* Permissions granted by a translation (PPCRadixResult.prot). */
#define RADIX_PROT_READ     1u
#define RADIX_PROT_WRITE    2u      /* write allowed and C already set */
#define RADIX_PROT_EXEC     4u

typedef enum PPCRadixStatus {
    RADIX_OK,
    RADIX_STORAGE,      /* DSI/ISI, cause in PPCRadixResult.fault */
    RADIX_SEGMENT,      /* quadrant 1/2 or EA beyond the tree: 0x380/0x480 */
    RADIX_WALK_UE,      /* a table entry lies outside RAM: UE machine check */
} PPCRadixStatus;

typedef struct PPCRadixResult {
    uint64_t ra;            /* RADIX_OK: the real address of the EA;
                               RADIX_WALK_UE: the table entry's address */
    unsigned page_shift;    /* RADIX_OK: log2 of the leaf's page size */
    unsigned prot;          /* RADIX_OK: RADIX_PROT_* the TLB may cache */
    uint32_t fault;         /* RADIX_STORAGE: RADIX_FAULT_* */
} PPCRadixResult;

/**
 * ppc_radix_partition_reset: no process table, and a new flush generation
 * so that every vCPU drops what it cached. BQL held.
 */
void ppc_radix_partition_reset(PPCRadixPartition *part);

/**
 * ppc_radix_partition_set: register a radix process table (@base 4 KiB
 * aligned, @prts <= PRTS_MAX), or none with @base = @prts = 0 and
 * @radix = false; then flush every vCPU's TLB. BQL held.
 */
void ppc_radix_partition_set(PPCRadixPartition *part, bool radix,
                             uint64_t base, unsigned prts);

/** ppc_radix_flush_all_cpus: make every vCPU flush its TLB. Any thread. */
static inline uint64_t ppc_radix_flush_all_cpus(PPCRadixPartition *part)
{
    return __atomic_add_fetch(&part->flush_gen, 1, __ATOMIC_SEQ_CST);
}

/**
 * ppc_radix_xlate: translate @ea for an access of @kind by a vCPU with
 * PIDR @pid in problem state @pr. With @update_rc, sets R (and C for a
 * store) in the leaf PTE atomically before returning RADIX_OK, and the
 * result's prot says what a TLB may cache (write only once C is set);
 * without it nothing in guest memory changes. Returns the status; the
 * details are in @res. Any thread; reads @part and the tables atomically.
 */
PPCRadixStatus ppc_radix_xlate(const PPCRadixPartition *part,
                               GuestMemory *ram, uint64_t pid, bool pr,
                               uint64_t ea, PPCAccessKind kind,
                               bool update_rc, PPCRadixResult *res);

/**
 * ppc_radix_translate_data: the real address a data load by @cpu at @ea
 * would use now: EA & PPC_REAL_ADDR_MASK with MSR[DR] = 0, else the radix
 * walk, without R/C updates, permission checks or interrupts. Returns 0
 * and sets *@ra, or -EFAULT when there is no translation. Caller holds the
 * BQL and @cpu is not executing (or it is @cpu's own thread).
 */
int ppc_radix_translate_data(PowerPCCPU *cpu, GuestMemory *ram, uint64_t ea,
                             uint64_t *ra);

/**
 * ppc_radix_translate_ea: as ppc_radix_translate_data(), for a data access
 * or (@ifetch) an instruction fetch, which follows MSR[IR] instead of DR.
 */
int ppc_radix_translate_ea(PowerPCCPU *cpu, GuestMemory *ram, uint64_t ea,
                           bool ifetch, uint64_t *ra);

#endif
