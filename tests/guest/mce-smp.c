/*
 * mce-smp: machine checks on every vCPU at once.
 *
 * vCPU 0 registers FWNMI (registration is machine-wide), starts every
 * other vCPU with start-cpu, and then all of them, vCPU 0 included, take
 * count (default 50) machine checks each, every one at its own address. The
 * handler proves that the error log is held by one vCPU at a time: it
 * claims a global "holder" word on entry (a second claimant means two
 * logs were out at once), checks that the log's EA is its own faulting
 * address, then re-reads the live RTAS buffer for a while before
 * releasing it with ibm,nmi-interlock, checking nobody overwrote it.
 * vCPU 0 waits for the others, checks the totals and that each stopped
 * itself (stop-self, query-cpu-stopped-state), and powers off.
 */
#include "guest.h"

const char guest_name[] = "mce-smp";

#define CANARY_BASE     0x5E5E000000000000UL

/* Defaults for the test; -append "count=N hold=US" changes them (bench). */
static int mce_per_cpu = 50;
static u64 hold_us = 50;        /* how long each handler holds the log */

static volatile u64 holder;     /* vCPU id + 1 holding the log, 0 if none */
static volatile u64 done_cpus;
static u64 ram_end;

static u64 canary_for(u64 cpu, int i)
{
    return CANARY_BASE | (cpu << 32) | ((u64)i << 12);
}

/* Distinct for every vCPU and iteration, all past the end of RAM */
static u64 addr_for(u64 cpu, int i)
{
    return ram_end + ((cpu * mce_per_cpu + i + 1) << 12) + 8 * cpu;
}

static void smp_mce(struct regs *r)
{
    struct percpu *pc = this_cpu();
    u64 me = pc->cpu_id, expected = pc->mce_expected_ea;
    struct mce_event ev;
    const u8 *live;
    int rc;

    check_handler_msr("machine check handler", true);
    fwnmi_take_log(r, &ev);
    if (!atomic_cas(&holder, 0, me + 1)) {
        fail("CPU%lu got a machine check while CPU%lu still held the error "
             "log (no ibm,nmi-interlock yet)", me, holder - 1);
    }
    CHECK(r->nip == (u64)(uintptr_t)probe_load_insn,
          "CPU%lu: SRR0 = 0x%lx, expected the faulting load at 0x%lx", me,
          r->nip, (u64)(uintptr_t)probe_load_insn);
    CHECK(r->dar == expected, "CPU%lu: DAR = 0x%lx, expected 0x%lx", me,
          r->dar, expected);
    CHECK(ev.orig_r3 == pc->mce_expected_r3,
          "CPU%lu: saved r3 0x%lx, expected 0x%lx", me, ev.orig_r3,
          pc->mce_expected_r3);
    CHECK(ev.have_mc && ev.error_type == MC_TYPE_UE && ev.ea_valid,
          "CPU%lu: the log is not a UE with an EA (MC section %d, type %u, "
          "subtype 0x%x)", me, ev.have_mc, ev.error_type, ev.sub_err_type);
    CHECK(ev.ea == expected, "CPU%lu: the log's EA is 0x%lx, but this vCPU "
          "faulted at 0x%lx: another vCPU's log?", me, ev.ea, expected);

    /*
     * Hold the buffer for a while, so that the other vCPUs' machine checks
     * really are pending meanwhile: it must not change under us.
     */
    live = (const u8 *)(uintptr_t)ev.savep;
    for (u64 t0 = mftb(); mftb() - t0 < hold_us * (TB_FREQ / 1000000);) {
        u64 ea = be64(live + ev.mc_off + 24);

        if (ea != expected || be64(live) != ev.orig_r3) {
            fail("CPU%lu: the RTAS error log changed while this vCPU held it "
                 "(EA now 0x%lx, saved r3 now 0x%lx)", me, ea, be64(live));
        }
        barrier();
    }
    pc->mce_count++;

    /* release our claim before the log itself */
    smp_mb();
    holder = 0;
    smp_mb();
    rc = fwnmi_interlock();
    CHECK(rc == 0, "CPU%lu: ibm,nmi-interlock returned %d", me, rc);
    r->nip += 4;
}

static void take_machine_checks(struct percpu *pc)
{
    struct probe_regs after;
    const char *why;

    for (int i = 0; i < mce_per_cpu; i++) {
        u64 addr = addr_for(pc->cpu_id, i), canary = canary_for(pc->cpu_id, i);

        pc->mce_expected_ea = addr;
        pc->mce_expected_r3 = canary + 3;
        smp_mb();
        probe_bad_load(addr, canary, &after);
        CHECK(pc->mce_count == (u64)i + 1,
              "CPU%lu: the load from 0x%lx raised no machine check",
              pc->cpu_id, addr);
        why = probe_check(PROBE_BAD_LOAD, &after, canary, addr);
        CHECK(!why, "CPU%lu: after machine check %d: %s", pc->cpu_id, i, why);
    }
    atomic_inc(&done_cpus);
}

/* "count=N hold=US" in /chosen/bootargs, for the storm benchmark. */
static void parse_bootargs(const char *args)
{
    while (args && *args) {
        bool is_count = !strncmp(args, "count=", 6), is_hold = !strncmp(args, "hold=", 5);
        u64 value = 0;

        args += is_count ? 6 : is_hold ? 5 : 0;
        while (*args >= '0' && *args <= '9') {
            value = value * 10 + (u64)(*args++ - '0');
        }
        if (is_count && value > 0 && value <= 100000) {
            mce_per_cpu = (int)value;
        } else if (is_hold) {
            hold_us = value;
        }
        while (*args && *args != ' ') {
            args++;
        }
        while (*args == ' ') {
            args++;
        }
    }
}

int guest_main(void)
{
    int n = machine.ncpus, rc;

    parse_bootargs(machine.bootargs);

    ram_end = machine.ram_end;
    printf("mce-smp: %d vCPUs (%s), %d machine checks each\n", n, GUEST_ENDIAN,
           mce_per_cpu);
    CHECK(n >= 2, "needs at least 2 vCPUs (-smp), the device tree has %d",
          machine.ncpus_dt);
    if (machine.ncpus_dt > MAX_CPUS) {
        printf("mce-smp: using %d of the %d vCPUs\n", MAX_CPUS, machine.ncpus_dt);
    }
    hook_fwnmi_mce = smp_mce;
    rc = fwnmi_register();
    printf("mce-smp: ibm,nmi-register returned %d\n", rc);
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);

    for (int i = 1; i < n; i++) {
        rc = smp_cpu_state(i);
        CHECK(rc == 0, "CPU%u is not stopped before start-cpu "
              "(query-cpu-stopped-state: %d)", machine.cpu_ids[i], rc);
        rc = smp_start_cpu(i, take_machine_checks, 0);
        CHECK(rc == 0, "start-cpu of CPU%u returned %d", machine.cpu_ids[i], rc);
    }
    printf("mce-smp: started %d secondary vCPUs\n", n - 1);

    take_machine_checks(&percpu[0]);

    CHECK(wait_until(&done_cpus, (u64)n, 20000),
          "only %lu of %d vCPUs finished their machine checks", done_cpus, n);
    for (int i = 1; i < n; i++) {
        u64 t0 = mftb();

        CHECK(wait_until(&percpu[i].finished, 1, 2000),
              "CPU%u did not finish", machine.cpu_ids[i]);
        /* it calls stop-self right after setting finished */
        while ((rc = smp_cpu_state(i)) != 0 && mftb() - t0 < 2 * TB_FREQ) {
            cpu_relax();
        }
        CHECK(rc == 0, "CPU%u did not stop after stop-self "
              "(query-cpu-stopped-state: %d)", machine.cpu_ids[i], rc);
    }
    for (int i = 0; i < n; i++) {
        printf("mce-smp: CPU%u: %lu machine checks recovered\n",
               (unsigned)percpu[i].cpu_id, percpu[i].mce_count);
        CHECK(percpu[i].mce_count == (u64)mce_per_cpu, "CPU%u took %lu machine "
              "checks, expected %d", (unsigned)percpu[i].cpu_id,
              percpu[i].mce_count, mce_per_cpu);
    }
    printf("mce-smp: %d machine checks, one error log at a time, all "
           "recovered; powering off\n", n * mce_per_cpu);
    return 0;
}
