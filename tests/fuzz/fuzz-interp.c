/*
 * The software CPU with the machine behind it (hypercalls, RTAS, FWNMI,
 * machine checks from bad accesses): random instruction words at 0x10000
 * of the fuzz machine, entered in real mode with registers and an RTAS
 * argument block from the input, run for a bounded budget on vCPU 0 as
 * its thread would (work queue between slices).
 *
 * Input: [0, 64) r3..r10 (r3 with bit 8 set picks a hypercall from the
 * table below), [64, 128) the RTAS argument block at 0x20000 (first cell
 * mapped onto a registered token when byte 64 is odd), byte 128 bit 0:
 * little-endian; the rest: instruction words (at most 4 KiB).
 *
 * The block compiler compiles a page from its first entry on (threshold
 * 1), so the random words also run as compiled blocks.
 */
#include <string.h>

#include "fuzz-common.h"
#include "hw/ppc/spapr_rtas.h"
#include "target/ppc/interp.h"

#define CODE_ADDR   0x10000ULL
#define RTAS_ARGS   0x20000ULL
#define STACK_ADDR  0x30000ULL
#define MAX_CODE    4096
#define SLICES      8
#define SLICE       4096

static const uint64_t hcalls[] = {
    H_RTAS, H_PUT_TERM_CHAR, H_GET_TERM_CHAR, H_SET_MODE, H_CEDE, H_SIGNAL_SYS_RESET,
    0x04 /* H_REMOVE: unimplemented */, 0xFFFF,
};

static uint64_t be64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpaprMachineState *spapr = fuzz_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    uint8_t head[129] = { 0 };

    ppc_interp_set_jit(1);

    memcpy(head, data, MIN(size, sizeof(head)));
    size_t code_len = size > sizeof(head) ? MIN(size - sizeof(head), MAX_CODE) : 0;

    bql_lock();
    fuzz_reset(spapr);
    if (head[64] & 1) {
        uint32_t token = RTAS_TOKEN_BASE + be64_at(head + 64) % (RTAS_TOKEN_MAX - RTAS_TOKEN_BASE);
        head[64] = token >> 24;
        head[65] = token >> 16;
        head[66] = token >> 8;
        head[67] = token;
    }
    guest_write(&spapr->ram, RTAS_ARGS, head + 64, 64);
    guest_write(&spapr->ram, CODE_ADDR, data + sizeof(head), code_len);
    ppc_interp_invalidate(0, FUZZ_RAM_SIZE);

    CPUPPCState *env = &cpu->env;
    for (int i = 0; i < 8; i++) {
        env->gpr[3 + i] = be64_at(head + 8 * i);
    }
    if (env->gpr[3] & 0x100) {
        env->gpr[3] = hcalls[env->gpr[3] % G_N_ELEMENTS(hcalls)];
        env->gpr[4] = RTAS_ARGS;
    }
    env->gpr[1] = STACK_ADDR;
    env->nip = CODE_ADDR;
    env->msr = MSR_SF | MSR_ME | ((head[128] & 1) ? MSR_LE : 0);
    cpu->state = CPU_STATE_RUNNING;
    cpu->has_thread = true;         /* work for vCPU 0 goes through its queue */
    cpu_set_current(cpu);

    for (int slice = 0; slice < SLICES; slice++) {
        __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST);
        cpu_process_work(cpu);
        if (cpu->state != CPU_STATE_RUNNING || spapr->runstate != RUN_STATE_RUNNING) {
            break;
        }
        bql_unlock();
        PPCInterpExit why = ppc_interp_run(cpu, &spapr->ram, SLICE);
        bql_lock();
        if (why == PPC_INTERP_EXIT_HALT) {
            break;
        }
    }
    cpu_process_work(cpu);
    cpu_set_current(NULL);
    cpu->has_thread = false;
    bql_unlock();
    return 0;
}
