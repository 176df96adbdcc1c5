/*
 * sreset: system resets delivered through FWNMI.
 *
 * 1. vCPU 0 registers FWNMI and signals itself with H_SIGNAL_SYS_RESET:
 *    the registered handler must run with R3 pointing to a 16-byte save
 *    slot inside the RTAS area ([original R3][0]), SRR0 = the instruction
 *    after the sc, SRR1 = the interrupted MSR; it restores R3 and returns
 *    with rfid. The hcall's status (0) must then be in r3 and r2, r13..r31
 *    and LR must have survived.
 * 2. A secondary vCPU spins in a loop with canaries in its registers;
 *    vCPU 0 resets it (target = its id), then resets "all but the caller"
 *    (-2), then everybody (-1), checking who took what. Finally the
 *    secondary leaves its loop and checks its registers.
 * No ibm,nmi-interlock for system resets (Linux stopped calling it).
 */
#include "guest.h"

const char guest_name[] = "sreset";

#define CANARY0 0x5E5E7000000AA000UL
#define CANARY1 0x5E5E7001000BB000UL

static u64 main_msr;
static volatile u64 spin_ready, spin_go;

static void sreset_handler(struct regs *r)
{
    struct percpu *pc = this_cpu();
    u64 slot;

    check_handler_msr("system reset handler", false);
    slot = fwnmi_take_sreset_slot(r);
    CHECK((r->msr & ~SRR1_CAUSE_MASK) == (main_msr & ~SRR1_CAUSE_MASK),
          "CPU%lu: SRR1 = 0x%016lx does not hold the interrupted MSR 0x%016lx",
          pc->cpu_id, r->msr, main_msr);
    pc->sreset_slot = slot;
    pc->sreset_srr0 = r->nip;
    pc->sreset_srr1 = r->msr;
    smp_mb();
    atomic_inc(&pc->sreset_count);
}

static void spinner(struct percpu *pc)
{
    struct probe_regs after;
    const char *why;

    probe_spin(&spin_ready, &spin_go, CANARY1, &after);
    why = probe_check(PROBE_SPIN, &after, CANARY1, 0);
    pc->result = why ? 1 : 0;
    CHECK(!why, "CPU%lu: after its system resets: %s", pc->cpu_id, why);
}

static void wait_resets(int idx, u64 count, const char *what)
{
    CHECK(wait_until(&percpu[idx].sreset_count, count, 2000),
          "%s: CPU%u took %lu system resets, expected %lu", what,
          machine.cpu_ids[idx], percpu[idx].sreset_count, count);
}

static void check_slot(int idx)
{
    u64 slot = percpu[idx].sreset_slot;

    CHECK(slot >= machine.rtas_base &&
          slot + 16 <= machine.rtas_base + machine.rtas_size,
          "CPU%u: save slot 0x%lx is not inside the RTAS area",
          machine.cpu_ids[idx], slot);
}

int guest_main(void)
{
    struct probe_regs after;
    const char *why;
    u64 cpu1;
    long rc;

    printf("sreset: %d vCPUs (%s)\n", machine.ncpus, GUEST_ENDIAN);
    CHECK(machine.ncpus >= 2, "needs 2 vCPUs (-smp 2), the device tree has %d",
          machine.ncpus_dt);
    hook_fwnmi_sreset = sreset_handler;
    rc = fwnmi_register();
    printf("sreset: ibm,nmi-register returned %ld\n", rc);
    CHECK(rc == 0, "ibm,nmi-register returned %ld", rc);
    main_msr = mfmsr();

    /* 1. ourselves */
    probe_hcall(H_SIGNAL_SYS_RESET, percpu[0].cpu_id, CANARY0, &after);
    printf("sreset: H_SIGNAL_SYS_RESET(%lu) returned %ld\n", percpu[0].cpu_id,
           (long)after.gpr[3]);
    wait_resets(0, 1, "H_SIGNAL_SYS_RESET(self)");
    CHECK(after.gpr[3] == H_SUCCESS, "r3 after the system reset is 0x%lx, "
          "expected the hcall's H_SUCCESS: was the right r3 saved and restored?",
          after.gpr[3]);
    CHECK(percpu[0].sreset_srr0 == (u64)(uintptr_t)probe_hcall_ret,
          "CPU0: system reset SRR0 = 0x%lx, expected 0x%lx (after the sc)",
          percpu[0].sreset_srr0, (u64)(uintptr_t)probe_hcall_ret);
    check_slot(0);
    why = probe_check(PROBE_HCALL, &after, CANARY0, 0);
    CHECK(!why, "CPU0: after the system reset: %s", why);
    printf("sreset: CPU0: handler ran at NIP 0x%lx (after the sc), r3 restored "
           "from save slot 0x%lx, registers intact\n", percpu[0].sreset_srr0,
           percpu[0].sreset_slot);

    /* 2. another vCPU, spinning */
    cpu1 = machine.cpu_ids[1];
    rc = smp_start_cpu(1, spinner, 0);
    CHECK(rc == 0, "start-cpu of CPU%lu returned %ld", cpu1, rc);
    CHECK(wait_until(&spin_ready, 1, 2000), "CPU%lu did not start spinning", cpu1);
    printf("sreset: CPU%lu started and spinning\n", cpu1);

    rc = hcall(H_SIGNAL_SYS_RESET, cpu1, 0, 0, 0);
    printf("sreset: H_SIGNAL_SYS_RESET(%lu) returned %ld\n", cpu1, rc);
    CHECK(rc == H_SUCCESS, "H_SIGNAL_SYS_RESET(%lu) returned %ld", cpu1, rc);
    wait_resets(1, 1, "H_SIGNAL_SYS_RESET(other)");
    CHECK(percpu[1].sreset_srr0 >= (u64)(uintptr_t)probe_spin_loop &&
          percpu[1].sreset_srr0 < (u64)(uintptr_t)probe_spin_end,
          "CPU%lu: system reset SRR0 = 0x%lx, outside its spin loop "
          "0x%lx..0x%lx", cpu1, percpu[1].sreset_srr0,
          (u64)(uintptr_t)probe_spin_loop, (u64)(uintptr_t)probe_spin_end);
    check_slot(1);
    CHECK(percpu[1].sreset_slot != percpu[0].sreset_slot,
          "CPU0 and CPU%lu got the same save slot 0x%lx", cpu1,
          percpu[1].sreset_slot);
    printf("sreset: CPU%lu: handler ran at NIP 0x%lx (its spin loop), save "
           "slot 0x%lx\n", cpu1, percpu[1].sreset_srr0, percpu[1].sreset_slot);

    rc = hcall(H_SIGNAL_SYS_RESET, (u64)-2L, 0, 0, 0);
    printf("sreset: H_SIGNAL_SYS_RESET(-2) returned %ld\n", rc);
    CHECK(rc == H_SUCCESS, "H_SIGNAL_SYS_RESET(-2) returned %ld", rc);
    wait_resets(1, 2, "H_SIGNAL_SYS_RESET(all but self)");
    delay_us(20000);
    CHECK(percpu[0].sreset_count == 1,
          "H_SIGNAL_SYS_RESET(-2) also reset the caller");

    rc = hcall(H_SIGNAL_SYS_RESET, (u64)-1L, 0, 0, 0);
    printf("sreset: H_SIGNAL_SYS_RESET(-1) returned %ld\n", rc);
    CHECK(rc == H_SUCCESS, "H_SIGNAL_SYS_RESET(-1) returned %ld", rc);
    wait_resets(0, 2, "H_SIGNAL_SYS_RESET(all)");
    wait_resets(1, 3, "H_SIGNAL_SYS_RESET(all)");
    printf("sreset: system resets taken: CPU0 %lu, CPU%lu %lu\n",
           percpu[0].sreset_count, cpu1, percpu[1].sreset_count);

    spin_go = 1;
    smp_mb();
    CHECK(wait_until(&percpu[1].finished, 1, 2000),
          "CPU%lu did not leave its spin loop", cpu1);
    printf("sreset: CPU%lu left its spin loop with its registers intact\n", cpu1);
    printf("sreset: all system resets handled, powering off\n");
    return 0;
}
