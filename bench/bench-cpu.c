/*
 * Software CPU benchmarks (in process, one vCPU, big-endian real mode):
 *  - MIPS: an integer loop (add/xor/rotate/compare/load/store, bdnz),
 *    in guest instructions retired per second (target >= 100 million);
 *  - hypercall round trip: a loop around `sc 1` with an unsupported
 *    opcode (answered H_FUNCTION), so it measures the trap, the BQL and
 *    the dispatch, in nanoseconds per hypercall.
 */
#include <glib.h>
#include <stdio.h>

#include "hw/ppc/spapr.h"
#include "system/clock.h"
#include "target/ppc/interp.h"

#define CODE 0x10000
#define DATA 0x20000

static uint32_t d_form(int op, int rt, int ra, int imm) { return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff); }
static uint32_t x_form(int rs, int ra, int rb, int xo) { return 31u << 26 | rs << 21 | ra << 16 | rb << 11 | xo << 1; }
static uint32_t bdnz(int offset) { return 16u << 26 | 16 << 21 | (offset & 0xfffc); }

static void put_code(SpaprMachineState *spapr, const uint32_t *insns, int n)
{
    for (int i = 0; i < n; i++) {
        guest_st_be32(&spapr->ram, CODE + 4 * i, insns[i]);
    }
    ppc_interp_invalidate(CODE, 4 * n);
}

static double run_loop(SpaprMachineState *spapr, uint64_t budget, uint64_t *retired)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    cpu->env.nip = CODE;
    cpu->env.msr = MSR_SF | MSR_ME;
    uint64_t before = cpu->icount;
    gint64 t0 = g_get_monotonic_time();
    while (cpu->icount - before < budget) {
        ppc_interp_run(cpu, &spapr->ram, budget - (cpu->icount - before));
    }
    *retired = cpu->icount - before;
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static void bench_mips(SpaprMachineState *spapr)
{
    const uint32_t loop[] = {
        d_form(15, 4, 0, 0x7fff),           /* lis   r4,0x7fff      */
        0x7c0903a6 | 4 << 21,               /* mtctr r4             */
        d_form(14, 5, 0, DATA),             /* li    r5,DATA        */
        d_form(14, 3, 3, 1),                /* 1: addi r3,r3,1      */
        x_form(3, 6, 4, 316),               /*    xor  r6,r3,r4     */
        x_form(6, 7, 3, 266),               /*    add  r7,r6,r3     */
        d_form(21, 7, 8, 5 << 11 | 0 << 6 | 26 << 1), /* rlwinm r8,r7,5,0,26 */
        d_form(36, 8, 5, 0),                /*    stw  r8,0(r5)     */
        d_form(32, 9, 5, 0),                /*    lwz  r9,0(r5)     */
        d_form(11, 0, 9, 0) | (1 << 21),    /*    cmpdi r9,0        */
        bdnz(-28),                          /*    bdnz 1b           */
        0x48000000,                         /* b .                  */
    };
    put_code(spapr, loop, G_N_ELEMENTS(loop));
    uint64_t retired;
    run_loop(spapr, 20000000, &retired);    /* warm up the decode cache */
    double s = run_loop(spapr, 300000000, &retired);
    /* Make sure the loop itself ran, not an interrupt storm. */
    PowerPCCPU *cpu = spapr->cpus[0];
    if (cpu->env.nip < CODE || cpu->env.nip >= CODE + sizeof(loop) || cpu->env.gpr[3] < 1000) {
        printf("cpu-mips: FAILED: loop did not run (nip 0x%" G_GINT64_MODIFIER "x)\n", cpu->env.nip);
        return;
    }
    printf("cpu-mips: %.0f million guest instructions per second on one vCPU "
           "(%" G_GUINT64_FORMAT " in %.3f s; target >= 100)\n", retired / s / 1e6, retired, s);
}

static void bench_hcall(SpaprMachineState *spapr)
{
    uint32_t code[] = {
        d_form(14, 3, 0, 0x7ff0),           /* 1: li r3,0x7ff0 (unsupported) */
        0x44000022,                         /*    sc 1                        */
        0x4bfffff8,                         /*    b 1b                        */
    };
    put_code(spapr, code, G_N_ELEMENTS(code));
    uint64_t retired;
    double s = run_loop(spapr, 3000000, &retired);
    if (spapr->cpus[0]->env.gpr[3] != (uint64_t)H_FUNCTION) {
        printf("hcall-roundtrip: FAILED: r3 0x%" G_GINT64_MODIFIER "x\n", spapr->cpus[0]->env.gpr[3]);
        return;
    }
    printf("hcall-roundtrip: %.0f ns per hypercall (sc 1 -> VMM -> back)\n",
           s * 1e9 / (retired / 3.0));
}

int main(void)
{
    SpaprMachineConfig cfg = { .ram_size = 64ULL << 20, .smp_cpus = 1, .caps = { .fwnmi = true } };
    vm_clock_init(false);
    SpaprMachineState *spapr = spapr_machine_create(&cfg, NULL);
    cpu_set_current(spapr->cpus[0]);
    bench_mips(spapr);
    bench_hcall(spapr);
    return 0;
}
