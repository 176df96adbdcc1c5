/*
 * Hypercalls the boot firmware (SLOF) uses beyond the OS's set:
 * H_SET_DABR (its sc 1 probe), H_PAGE_INIT (zero or copy a 4 KiB page), H_LOGICAL_CI_LOAD/STORE
 * (cache-inhibited accesses; there is no MMIO here, so RAM or
 * H_PARAMETER), and QEMU's private KVMPPC_H_LOGICAL_MEMOP (memcpy/memset
 * done by the VMM); the device-tree exchange (KVMPPC_H_CAS, H_UPDATE_DT)
 * is in spapr_hcall_cas.c. Every range is checked against guest RAM first.
 * BQL held, like every hypercall.
 */
#include <string.h>

#include "hw/ppc/spapr.h"
#include "target/ppc/interp.h"

#define H_SET_DABR              0x28
#define H_PAGE_INIT             0x2C
#define H_LOGICAL_CI_LOAD       0x3C
#define H_LOGICAL_CI_STORE      0x40
#define KVMPPC_H_LOGICAL_MEMOP  0xF001

#define H_ICACHE_INVALIDATE     0x0000000000800000ULL
#define H_ICACHE_SYNCHRONIZE    0x0000000000400000ULL
#define H_ZERO_PAGE             0x0000000000008000ULL
#define H_COPY_PAGE             0x0000000000004000ULL
#define FW_PAGE                 4096ULL

static bool ram_ok(SpaprMachineState *spapr, uint64_t addr, uint64_t len)
{
    return guest_range_valid(&spapr->ram, addr, len);
}

static int64_t h_page_init(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t flags = cpu->env.gpr[4], dst = cpu->env.gpr[5], src = cpu->env.gpr[6];

    if (flags & ~(H_ICACHE_INVALIDATE | H_ICACHE_SYNCHRONIZE | H_ZERO_PAGE | H_COPY_PAGE)) {
        return H_PARAMETER;
    }
    dst &= PPC_REAL_ADDR_MASK;
    src &= PPC_REAL_ADDR_MASK;
    if ((dst & (FW_PAGE - 1)) || !ram_ok(spapr, dst, FW_PAGE)) {
        return H_PARAMETER;
    }
    if (flags & H_COPY_PAGE) {
        if ((src & (FW_PAGE - 1)) || !ram_ok(spapr, src, FW_PAGE)) {
            return H_PARAMETER;
        }
        memmove(guest_ptr(&spapr->ram, dst, FW_PAGE), guest_ptr(&spapr->ram, src, FW_PAGE),
                FW_PAGE);
    } else if (flags & H_ZERO_PAGE) {
        guest_fill(&spapr->ram, dst, 0, FW_PAGE);
    }
    ppc_interp_invalidate(dst, FW_PAGE);
    return H_SUCCESS;
}

/* r4 = size (1, 2, 4 or 8 as 1..3 per PAPR: 1, 2, 3 = 4, other = 8), r5 = address */
static int ci_size(uint64_t code)
{
    switch (code) {
    case 1: return 1;
    case 2: return 2;
    case 3: return 4;
    case 4: return 8;
    default: return 0;
    }
}

static int64_t h_logical_ci_load(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    int size = ci_size(cpu->env.gpr[4]);
    uint64_t addr = cpu->env.gpr[5] & PPC_REAL_ADDR_MASK;
    uint8_t b[8] = { 0 };
    uint64_t v = 0;

    if (!size || !ram_ok(spapr, addr, size)) {
        return H_PARAMETER;
    }
    guest_read(&spapr->ram, addr, b, size);
    for (int i = 0; i < size; i++) {
        v = v << 8 | b[i];      /* big-endian, as the hardware returns it */
    }
    cpu->env.gpr[4] = v;
    return H_SUCCESS;
}

static int64_t h_logical_ci_store(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    int size = ci_size(cpu->env.gpr[4]);
    uint64_t addr = cpu->env.gpr[5] & PPC_REAL_ADDR_MASK, v = cpu->env.gpr[6];
    uint8_t b[8];

    if (!size || !ram_ok(spapr, addr, size)) {
        return H_PARAMETER;
    }
    for (int i = size - 1; i >= 0; i--, v >>= 8) {
        b[i] = (uint8_t)v;
    }
    guest_write(&spapr->ram, addr, b, size);
    ppc_interp_invalidate(addr, size);
    return H_SUCCESS;
}

/* KVMPPC_H_LOGICAL_MEMOP: r4 = dst, r5 = src, r6 = element size
 * (log2: 0..3), r7 = count, r8 = op (0 copy, 1 copy inverted). */
static int64_t h_logical_memop(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t dst = cpu->env.gpr[4] & PPC_REAL_ADDR_MASK;
    uint64_t src = cpu->env.gpr[5] & PPC_REAL_ADDR_MASK;
    uint64_t esize = cpu->env.gpr[6], count = cpu->env.gpr[7], op = cpu->env.gpr[8];

    if (esize > 3 || op > 1 || count > spapr->ram_size) {
        return H_PARAMETER;
    }
    uint64_t len = count << esize;
    if (!ram_ok(spapr, dst, len) || !ram_ok(spapr, src, len)) {
        return H_PARAMETER;
    }
    uint8_t *d = guest_ptr(&spapr->ram, dst, len), *s = guest_ptr(&spapr->ram, src, len);
    if (len) {
        memmove(d, s, len);
        if (op == 1) {
            for (uint64_t i = 0; i < len; i++) {
                d[i] = (uint8_t)~d[i];
            }
        }
        ppc_interp_invalidate(dst, len);
    }
    return H_SUCCESS;
}

bool spapr_fw_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode,
                    int64_t *ret)
{
    if (spapr_cas_hcall(spapr, cpu, opcode, ret)) {
        return true;        /* KVMPPC_H_CAS, KVMPPC_H_UPDATE_DT */
    }
    switch (opcode) {
    case H_SET_DABR:
        /* No DABR here (ISA 3.0 has DAWR; QEMU's POWER9 has no DABR
         * either), so QEMU's answer: H_HARDWARE. It matters: SLOF probes
         * sc 1 with this call, and any answer but H_SUCCESS or H_HARDWARE
         * makes it believe sc 1 is broken (PR KVM) and, at quiesce, patch
         * the kernel's sc 1 instructions into an illegal opcode. */
        *ret = H_HARDWARE;
        return true;
    case H_PAGE_INIT:
        *ret = h_page_init(spapr, cpu);
        return true;
    case H_LOGICAL_CI_LOAD:
        *ret = h_logical_ci_load(spapr, cpu);
        return true;
    case H_LOGICAL_CI_STORE:
        *ret = h_logical_ci_store(spapr, cpu);
        return true;
    case KVMPPC_H_LOGICAL_MEMOP:
        *ret = h_logical_memop(spapr, cpu);
        return true;
    default:
        return false;
    }
}
