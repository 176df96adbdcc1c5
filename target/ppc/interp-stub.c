/* Stand-in while the interpreter is absent: a vCPU that only halts. */
#include "target/ppc/interp.h"

PPCInterpExit ppc_interp_run(PowerPCCPU *cpu, GuestMemory *ram, uint64_t budget)
{
    return PPC_INTERP_EXIT_HALT;
}

void ppc_interp_invalidate(uint64_t addr, uint64_t len)
{
}
