/*
 * vCPU state: reset, named register access, time base and decrementer,
 * and the per-vCPU work queue that lets other threads change a running
 * vCPU's state safely (see include/target/ppc/cpu.h for the rules).
 */
#include "target/ppc/cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "system/bql.h"
#include "system/clock.h"

typedef struct CPUWorkItem {
    CPUWorkFunc fn;
    void *data;
    bool sync;          /* a waiter in cpu_run_work owns the item */
    bool done;
} CPUWorkItem;

static __thread PowerPCCPU *current_cpu;

void ppc_cpu_reset(PowerPCCPU *cpu)
{
    CPUPPCState *env = &cpu->env;

    memset(env, 0, sizeof(*env));
    env->msr = MSR_SF | MSR_ME;
    env->pvr = cpu->model_pvr ? cpu->model_pvr : PVR_POWER9;
    env->reserve_addr = (uint64_t)-1;
    env->dec_base = 0x7FFFFFFF;
    env->dec_base_tb = ppc_cpu_get_tb(cpu);
    cpu->icount = 0;
}

/* ---- named registers (qtest cpu-get/cpu-set, monitor) ---- */

const char *const ppc_cpu_reg_names[] = {
    "nip", "msr", "cr", "lr", "ctr", "xer", "srr0", "srr1", "dar", "dsisr",
    "lpcr", "pvr", "sprg0", "sprg1", "sprg2", "sprg3", "cfar", "dec", NULL,
};

/* Pointer to a named 64-bit register, or NULL for the special cases. */
static uint64_t *reg_slot64(CPUPPCState *env, const char *name)
{
    static const struct { const char *name; size_t offset; } regs[] = {
        { "nip", offsetof(CPUPPCState, nip) },
        { "msr", offsetof(CPUPPCState, msr) },
        { "lr", offsetof(CPUPPCState, lr) },
        { "ctr", offsetof(CPUPPCState, ctr) },
        { "xer", offsetof(CPUPPCState, xer) },
        { "srr0", offsetof(CPUPPCState, srr0) },
        { "srr1", offsetof(CPUPPCState, srr1) },
        { "dar", offsetof(CPUPPCState, dar) },
        { "lpcr", offsetof(CPUPPCState, lpcr) },
        { "cfar", offsetof(CPUPPCState, cfar) },
        { "sprg0", offsetof(CPUPPCState, sprg[0]) },
        { "sprg1", offsetof(CPUPPCState, sprg[1]) },
        { "sprg2", offsetof(CPUPPCState, sprg[2]) },
        { "sprg3", offsetof(CPUPPCState, sprg[3]) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        if (strcmp(regs[i].name, name) == 0) {
            return (uint64_t *)((char *)env + regs[i].offset);
        }
    }
    return NULL;
}

/* "r0".."r31" → index, or -1 */
static int gpr_index(const char *name)
{
    if (name[0] != 'r' || name[1] < '0' || name[1] > '9') {
        return -1;
    }
    char *end;
    long n = strtol(name + 1, &end, 10);
    if (*end != '\0' || n < 0 || n > 31 || (name[1] == '0' && name[2] != '\0')) {
        return -1;
    }
    return (int)n;
}

int ppc_cpu_get_reg(PowerPCCPU *cpu, const char *name, uint64_t *value)
{
    CPUPPCState *env = &cpu->env;
    int gpr = gpr_index(name);
    uint64_t *slot = reg_slot64(env, name);

    if (gpr >= 0) {
        *value = env->gpr[gpr];
    } else if (slot) {
        *value = *slot;
    } else if (strcmp(name, "cr") == 0) {
        *value = env->cr;
    } else if (strcmp(name, "dsisr") == 0) {
        *value = env->dsisr;
    } else if (strcmp(name, "pvr") == 0) {
        *value = env->pvr;
    } else if (strcmp(name, "dec") == 0) {
        *value = ppc_cpu_get_dec(cpu);
    } else {
        return -ENOENT;
    }
    return 0;
}

int ppc_cpu_set_reg(PowerPCCPU *cpu, const char *name, uint64_t value)
{
    CPUPPCState *env = &cpu->env;
    int gpr = gpr_index(name);
    uint64_t *slot = reg_slot64(env, name);

    if (gpr >= 0) {
        env->gpr[gpr] = value;
    } else if (slot) {
        *slot = value;
    } else if (value > UINT32_MAX && (!strcmp(name, "cr") || !strcmp(name, "dsisr") ||
                                      !strcmp(name, "pvr") || !strcmp(name, "dec"))) {
        return -ERANGE;     /* a 32-bit register: never truncate silently */
    } else if (strcmp(name, "cr") == 0) {
        env->cr = (uint32_t)value;
    } else if (strcmp(name, "dsisr") == 0) {
        env->dsisr = (uint32_t)value;
    } else if (strcmp(name, "pvr") == 0) {
        env->pvr = (uint32_t)value;
    } else if (strcmp(name, "dec") == 0) {
        ppc_cpu_set_dec(cpu, (uint32_t)value);
    } else {
        return -ENOENT;
    }
    return 0;
}

/* ---- time base and decrementer ---- */

uint64_t ppc_cpu_get_tb(PowerPCCPU *cpu)
{
    /* 512 MHz: ticks = ns * 512 / 1000 = ns * 64 / 125 */
    uint64_t ns = (uint64_t)vm_clock_ns();
    return ns / 125 * 64 + (ns % 125) * 64 / 125;
}

uint32_t ppc_cpu_get_dec(PowerPCCPU *cpu)
{
    uint64_t elapsed = ppc_cpu_get_tb(cpu) - cpu->env.dec_base_tb;
    return cpu->env.dec_base - (uint32_t)elapsed;
}

void ppc_cpu_set_dec(PowerPCCPU *cpu, uint32_t value)
{
    cpu->env.dec_base = value;
    cpu->env.dec_base_tb = ppc_cpu_get_tb(cpu);
}

/* ---- work queue ---- */

PowerPCCPU *cpu_current(void)
{
    return current_cpu;
}

void cpu_set_current(PowerPCCPU *cpu)
{
    current_cpu = cpu;
}

void cpu_kick(PowerPCCPU *cpu)
{
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_SEQ_CST);
    g_cond_broadcast(&cpu->wake);
    if (cpu->accel_kick) {
        cpu->accel_kick(cpu);
    }
}

bool cpu_has_work(PowerPCCPU *cpu)
{
    return __atomic_load_n(&cpu->work.length, __ATOMIC_RELAXED) != 0;
}


static void cpu_push_work(PowerPCCPU *cpu, CPUWorkItem *item)
{
    g_mutex_lock(&cpu->work_lock);
    g_queue_push_tail(&cpu->work, item);
    g_mutex_unlock(&cpu->work_lock);
    cpu_kick(cpu);
}

void cpu_queue_work(PowerPCCPU *cpu, CPUWorkFunc fn, void *data)
{
    /* From the vCPU's own thread the work is deferred too: it must run
     * after the current instruction or hypercall has finished (e.g. a
     * system reset a vCPU signals to itself saves the hypercall's R3). */
    if (!cpu->has_thread) {
        fn(cpu, data);
        return;
    }
    CPUWorkItem *item = g_new0(CPUWorkItem, 1);
    item->fn = fn;
    item->data = data;
    cpu_push_work(cpu, item);
}

void cpu_run_work(PowerPCCPU *cpu, CPUWorkFunc fn, void *data)
{
    if (!cpu->has_thread || current_cpu == cpu) {
        fn(cpu, data);
        return;
    }
    CPUWorkItem item = { .fn = fn, .data = data, .sync = true };
    cpu_push_work(cpu, &item);
    while (!item.done) {
        bql_cond_wait(&cpu->work_done);
    }
}

void cpu_process_work(PowerPCCPU *cpu)
{
    for (;;) {
        g_mutex_lock(&cpu->work_lock);
        CPUWorkItem *item = g_queue_pop_head(&cpu->work);
        g_mutex_unlock(&cpu->work_lock);
        if (!item) {
            return;
        }
        item->fn(cpu, item->data);
        if (item->sync) {
            item->done = true;
            g_cond_broadcast(&cpu->work_done);
        } else {
            g_free(item);
        }
    }
}
