/*
 * Software CPU benchmarks (in process, one vCPU, big-endian real mode):
 *  - MIPS: an integer loop (add/xor/rotate/compare/load/store, bdnz),
 *    in guest instructions retired per second (target >= 100 million),
 *    in real mode and again with translation on (radix, the kernel's
 *    linear map as Linux sets it up: the soft TLB's fast path);
 *  - hypercall round trip: a loop around `sc 1` with an unsupported
 *    opcode (answered H_FUNCTION), so it measures the trap, the BQL and
 *    the dispatch, in nanoseconds per hypercall.
 */
#include <glib.h>
#include <stdio.h>

#include "hw/ppc/spapr.h"
#include "system/clock.h"
#include "target/ppc/interp.h"
#include "../target/ppc/interp/interp-test-harness.h"   /* instruction encoders */
#include "../tests/unit/radix-test-tables.h"            /* page tables */

#define CODE 0x10000
#define DATA 0x20000


static void put_code(SpaprMachineState *spapr, const uint32_t *insns, int n)
{
    for (int i = 0; i < n; i++) {
        guest_st_be32(&spapr->ram, CODE + 4 * i, insns[i]);
    }
    ppc_interp_invalidate(CODE, 4 * n);
}

static bool translated;     /* run at the linear-map EA, MSR[IR|DR] on */
static const char *mode = "";   /* "", "-interp": the block compiler off */

static double run_loop(SpaprMachineState *spapr, uint64_t budget, uint64_t *retired)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    cpu->env.nip = translated ? RT_KERNEL(CODE) : CODE;
    cpu->env.msr = MSR_SF | MSR_ME | (translated ? MSR_IR | MSR_DR : 0);
    uint64_t before = cpu->icount;
    gint64 t0 = g_get_monotonic_time();
    while (cpu->icount - before < budget) {
        ppc_interp_run(cpu, &spapr->ram, budget - (cpu->icount - before));
    }
    *retired = cpu->icount - before;
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

/* Prints and returns the loop's guest MIPS (0 when it did not run). */
static double bench_mips(SpaprMachineState *spapr)
{
    const uint32_t loop[] = {
        enc_addis(4, 0, 0x7fff),            /* lis   r4,0x7fff      */
        enc_mtspr(SPR_CTR, 4),              /* mtctr r4             */
        enc_addis(5, 0, DATA >> 16),        /* lis   r5,DATA>>16    */
        enc_x31(444, 5, 5, 10, 0),          /* or    r5,r5,r10 (EA) */
        enc_addi(3, 3, 1),                  /* 1: addi r3,r3,1      */
        enc_x31(316, 3, 6, 4, 0),           /*    xor  r6,r3,r4     */
        enc_xo(266, 7, 6, 3, 0, 0),         /*    add  r7,r6,r3     */
        enc_m(21, 7, 8, 5, 0, 26, 0),       /*    rlwinm r8,r7,5,0,26 */
        enc_d(36, 8, 5, 0),                 /*    stw  r8,0(r5)     */
        enc_d(32, 9, 5, 0),                 /*    lwz  r9,0(r5)     */
        enc_d(11, 1, 9, 0),                 /*    cmpdi r9,0 (L=1)  */
        enc_bc(16, 0, -28, 0, 0),           /*    bdnz 1b           */
        enc_b_self(),                       /* b .                  */
    };
    put_code(spapr, loop, G_N_ELEMENTS(loop));
    uint64_t retired;
    uint64_t code_ea = translated ? RT_KERNEL(CODE) : CODE;
    spapr->cpus[0]->env.gpr[10] = translated ? RT_KERNEL(0) : 0;
    run_loop(spapr, 20000000, &retired);    /* warm up the decode cache */
    double s = run_loop(spapr, 300000000, &retired);
    /* Make sure the loop itself ran, not an interrupt storm. */
    PowerPCCPU *cpu = spapr->cpus[0];
    uint32_t stored;
    guest_ld_be32(&spapr->ram, DATA, &stored);
    /* The run may stop between the stw and the lwz: the word in memory is
     * the one just stored (r8) or just reloaded (r9). */
    if (cpu->env.nip < code_ea || cpu->env.nip >= code_ea + sizeof(loop) ||
        cpu->env.gpr[3] < 1000 || cpu->env.gpr[5] != (DATA | cpu->env.gpr[10]) ||
        (stored != (uint32_t)cpu->env.gpr[8] && stored != (uint32_t)cpu->env.gpr[9])) {
        printf("cpu-mips%s%s: FAILED: loop did not run (nip 0x%" G_GINT64_MODIFIER "x)\n",
               translated ? "-radix" : "", mode, cpu->env.nip);
        return 0;
    }
    printf("cpu-mips%s%s: %.0f million guest instructions per second on one vCPU "
           "(%" G_GUINT64_FORMAT " in %.3f s; target >= 100)\n", translated ? "-radix" : "",
           mode, retired / s / 1e6, retired, s);
    return retired / s / 1e6;
}

static void bench_hcall(SpaprMachineState *spapr)
{
    uint32_t code[] = {
        enc_li(3, 0x7ff0),                  /* 1: li r3,0x7ff0 (unsupported) */
        enc_sc(1),                          /*    sc 1                        */
        enc_b(-8, 0, 0),                    /*    b 1b                        */
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
    double real_jit = bench_mips(spapr);
    bench_hcall(spapr);

    /* The same loop with translation on through a small page table. */
    RadixTables t;
    rt_init(&t, &spapr->ram);
    rt_init_linear_map(&t);
    ppc_radix_partition_set(&spapr->radix, true, RT_PRTB, 0);
    translated = true;
    double radix = bench_mips(spapr);

    /* Both again on the interpreter alone (-accel tcg,x-jit=off). */
    if (ppc_interp_set_jit(0)) {
        mode = "-interp";
        translated = false;
        double real = bench_mips(spapr);
        translated = true;
        double radix_interp = bench_mips(spapr);
        if (real > 0 && radix_interp > 0) {
            printf("cpu-mips: block compiler / interpreter alone: %.2fx real mode, "
                   "%.2fx radix\n", real_jit / real, radix / radix_interp);
        }
    }
    return 0;
}
