/*
 * Starting secondary vCPUs (RTAS start-cpu) and waiting with a timeout.
 */
#include "guest.h"

extern u8 stacks[MAX_CPUS][STACK_SIZE];
extern u8 exc_stacks[MAX_CPUS][EXC_STACK_SIZE];
extern char secondary_entry[];

int smp_start_cpu(int idx, void (*entry)(struct percpu *pc), u64 arg)
{
    struct percpu *pc = &percpu[idx];

    if (idx <= 0 || idx >= machine.ncpus) {
        fail("smp_start_cpu: no vCPU index %d", idx);
    }
    pc->cpu_id = machine.cpu_ids[idx];
    pc->stack_top = (u64)(uintptr_t)&stacks[idx][STACK_SIZE];
    pc->exc_sp = (u64)(uintptr_t)&exc_stacks[idx][EXC_STACK_SIZE];
    pc->entry = entry;
    pc->arg = arg;
    pc->started = 0;
    pc->finished = 0;
    smp_mb();
    /* start-cpu: cpu id, start address (real), r3 value */
    return rtas_call("start-cpu", 3, 1, NULL, (u32)pc->cpu_id,
                     (u32)(uintptr_t)secondary_entry, (u32)(uintptr_t)pc);
}

int smp_cpu_state(int idx)
{
    u32 rets[2];
    int rc = rtas_call("query-cpu-stopped-state", 1, 2, rets,
                       (u32)machine.cpu_ids[idx]);

    return rc ? rc : (int)rets[1];
}

void delay_us(unsigned us)
{
    u64 start = mftb(), ticks = (TB_FREQ / 1000000) * us;

    while (mftb() - start < ticks) {
        cpu_relax();
    }
}

bool wait_until(volatile u64 *p, u64 val, unsigned ms)
{
    u64 start = mftb(), ticks = (TB_FREQ / 1000) * ms;

    while (*p != val) {
        if (mftb() - start > ticks) {
            return *p == val;
        }
        cpu_relax();
    }
    smp_mb();
    return true;
}
