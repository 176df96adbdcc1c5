/*
 * H_REGISTER_PROC_TBL (PAPR 14.5.4.x, "Process Table Registration", as
 * Linux's pseries_lpar_register_process_table() uses it): the guest tells
 * the hypervisor where its radix process table is. The registration
 * itself lives in SpaprMachineState.radix (target/ppc/mmu-radix64.h), the
 * one place the vCPUs' walks read it from.
 *
 * Arguments: r4 flags, r5 table base (real address), r6 page size (hash
 * only), r7 table size as log2(bytes) - 12. Flags:
 *   0x18 NEW (modify + register), 0x10 deregister, 0x00 keep the current
 *   registration (then RADIX must match it); 0x04 RADIX, 0x02 hash with a
 *   segment table, 0x01 GTSE (the guest issues tlbie itself).
 * Linux 6.1 registers 0x1d = NEW | RADIX | GTSE with size 12 (2^20 PIDs).
 * We only translate with radix: a hash registration is recorded as "no
 * radix table" (translation then faults), as there is no hash MMU.
 */
#include "hw/ppc/spapr.h"
#include "system/trace.h"

#define PROC_TBL_GTSE       0x01ULL
#define PROC_TBL_HASH_SEG   0x02ULL
#define PROC_TBL_RADIX      0x04ULL
#define PROC_TBL_REGISTER   0x08ULL
#define PROC_TBL_MODIFY     0x10ULL
#define PROC_TBL_FLAGS      0x1FULL
#define PROC_TBL_BASE_LIMIT (1ULL << 60)    /* base must fit PATE1_PRTB */

int64_t h_register_proc_tbl(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t *gpr = cpu->env.gpr;
    uint64_t flags = gpr[4], base = gpr[5], page_size = gpr[6];
    uint64_t table_size = gpr[7];
    bool radix = (flags & PROC_TBL_RADIX) != 0;
    bool now_radix = (spapr->radix.proc_tbl & PATE1_GR) != 0;

    trace_event("hcall", "H_REGISTER_PROC_TBL flags 0x%" G_GINT64_MODIFIER
                "x base 0x%" G_GINT64_MODIFIER "x size %" G_GUINT64_FORMAT,
                flags, base, table_size);
    if (flags & ~PROC_TBL_FLAGS) {
        return H_PARAMETER;
    }
    if (!(flags & PROC_TBL_MODIFY)) {
        /* Keep the registration: the guest only confirms its type. */
        return radix == now_radix ? H_SUCCESS : H_PARAMETER;
    }
    if (!(flags & PROC_TBL_REGISTER)) {
        ppc_radix_partition_set(&spapr->radix, false, 0, 0);
        return H_SUCCESS;
    }
    if (!radix) {
        if (flags & PROC_TBL_HASH_SEG) {
            return H_PARAMETER;     /* segment tables: no such hardware */
        }
        ppc_radix_partition_set(&spapr->radix, false, 0, 0);
        spapr_fwnmi_guard_kernel_start(spapr, "H_REGISTER_PROC_TBL");
        return H_SUCCESS;
    }
    if ((base & (GUEST_PAGE_SIZE - 1)) || base >= PROC_TBL_BASE_LIMIT ||
        page_size != 0 || table_size > PRTS_MAX) {
        return H_PARAMETER;
    }
    if (base & ((1ULL << (table_size + GUEST_PAGE_SHIFT)) - 1)) {
        /* Book III wants it aligned to its size; walks work anyway. */
        trace_guest_error("H_REGISTER_PROC_TBL: table at 0x%" G_GINT64_MODIFIER
                          "x not aligned to its size 2^%" G_GUINT64_FORMAT,
                          base, table_size + GUEST_PAGE_SHIFT);
    }
    ppc_radix_partition_set(&spapr->radix, true, base, (unsigned)table_size);
    /* A kernel setting up its MMU is starting: earlier FWNMI handlers are not its. */
    spapr_fwnmi_guard_kernel_start(spapr, "H_REGISTER_PROC_TBL");
    return H_SUCCESS;
}
