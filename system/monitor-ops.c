/*
 * Machine operations the monitors share (system/monitor-internal.h):
 * stop/cont/reset/quit, NMI, machine-check and memory-error injection,
 * register snapshots, and the FWNMI_MACHINE_CHECK event. No JSON here:
 * this is part of the VMM proper, while the QMP protocol and commands
 * (system/qmp.c, system/qmp-cmds.c) are a module loaded only with -qmp.
 */
#define _GNU_SOURCE
#include "system/monitor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "system/cpus.h"
#include "system/events.h"
#include "system/trace.h"
#include "target/ppc/interp.h"
#include "target/ppc/kvm_ppc.h"
#include "monitor-internal.h"

/* ---- FWNMI_MACHINE_CHECK ---- */

/* Set when the machine reported the machine check itself (through the
 * hook in spapr_mce_req_event), so that injections report it only once. */
static __thread bool mce_event_reported;

const char *monitor_mce_kind(SpaprMachineState *spapr, PowerPCCPU *cpu,
                             SpaprMceResult result)
{
    switch (result) {
    case SPAPR_MCE_DELIVERED:
        return "fwnmi";
    case SPAPR_MCE_LEGACY:
        return "legacy";
    case SPAPR_MCE_QUEUED:
        return "queued";
    case SPAPR_MCE_IGNORED:
        return cpu && cpu->state == CPU_STATE_STOPPED ? "ignored" : "nested-ignored";
    case SPAPR_MCE_PANICKED:
        return "nested-panic";
    }
    return "unknown";
}

void monitor_fwnmi_event(SpaprMachineState *spapr, int cpu, const char *kind,
                         const SpaprMceInfo *info)
{
    if (!vm_event_has_listeners()) {
        return;     /* no QMP client: a machine check costs no formatting */
    }
    SpaprMceClass cls = spapr_mce_classify(info);

    /* Every string here is one of our fixed names: nothing to escape, so
     * this needs no JSON library (QMP is a module loaded on demand). */
    mce_event_reported = true;
    g_autofree char *data = g_strdup_printf(
        "{\"cpu\": %d, \"kind\": \"%s\", \"error-type\": \"%s\", "
        "\"error-subtype\": \"%s\", \"recovered\": %s}",
        cpu, kind, spapr_mce_error_type_name(cls.error_type),
        spapr_mce_subtype_name(cls.error_type, cls.subtype),
        info->recovered ? "true" : "false");
    vm_event_emit(spapr, "FWNMI_MACHINE_CHECK", data);
}

void monitor_fwnmi_mce_result(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info, SpaprMceResult result)
{
    monitor_fwnmi_event(spapr, cpu->index, monitor_mce_kind(spapr, cpu, result), info);
}

/* ---- memory error dispositions ---- */

static GMutex poison_lock;
static GHashTable *poison_unrecovered;   /* page number -> 1: not recovered */

static void poison_set_recovered(uint64_t addr, bool recovered)
{
    gpointer key = GSIZE_TO_POINTER((gsize)(addr >> GUEST_PAGE_SHIFT));
    g_mutex_lock(&poison_lock);
    if (!poison_unrecovered) {
        poison_unrecovered = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    if (recovered) {
        g_hash_table_remove(poison_unrecovered, key);
    } else {
        g_hash_table_add(poison_unrecovered, key);
    }
    g_mutex_unlock(&poison_lock);
}

bool monitor_memory_error_recovered(uint64_t ra)
{
    gpointer key = GSIZE_TO_POINTER((gsize)(ra >> GUEST_PAGE_SHIFT));
    bool unrecovered = false;
    g_mutex_lock(&poison_lock);
    if (poison_unrecovered) {
        unrecovered = g_hash_table_remove(poison_unrecovered, key);
    }
    g_mutex_unlock(&poison_lock);
    return !unrecovered;
}

/* ---- machine operations shared with HMP (BQL held) ---- */

void mon_stop(SpaprMachineState *spapr)
{
    if (spapr->runstate == RUN_STATE_RUNNING) {
        runstate_set(spapr, RUN_STATE_PAUSED);
    }
    /* vCPU threads park by themselves once the machine is not running:
     * answer only when they have. */
    cpus_pause(spapr);
    cpus_resume(spapr);
}

void mon_quit_prepare(SpaprMachineState *spapr)
{
    /* As QEMU: quit exits 0, whatever happened to the guest before. */
    spapr->exit_code = 0;
}

bool mon_cont(SpaprMachineState *spapr, GError **error)
{
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED ||
        spapr->runstate == RUN_STATE_SHUTDOWN || spapr->quit_requested) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Resetting the Virtual Machine is required");
        return false;
    }
    /* Never run a half-loaded guest, nor one being copied. */
    if (spapr->runstate == RUN_STATE_INMIGRATE ||
        spapr->runstate == RUN_STATE_FINISH_MIGRATE) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "Migration is not finished yet "
                    "(run state %s)", runstate_name(spapr->runstate));
        return false;
    }
    runstate_set(spapr, RUN_STATE_RUNNING);
    return true;
}

void mon_system_reset(SpaprMachineState *spapr)
{
    vm_system_reset(spapr);
    vm_event_emit(spapr, "RESET", "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
    /* As the qtest server: a reset brings a panicked guest back to life. */
    if (spapr->runstate == RUN_STATE_GUEST_PANICKED) {
        runstate_set(spapr, RUN_STATE_RUNNING);
    }
}

void mon_inject_nmi(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        spapr_system_reset_cpu(spapr, spapr->cpus[i]);
    }
}

SpaprMceResult mon_inject_mce(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              const SpaprMceInfo *info)
{
    mce_event_reported = false;
    SpaprMceResult r = spapr_mce_req_event(spapr, cpu, info);
    if (!mce_event_reported) {
        monitor_fwnmi_mce_result(spapr, cpu, info, r);
    }
    mce_event_reported = false;
    trace_event("monitor", "machine check on cpu %d: %s", cpu->index,
                spapr_mce_result_name(r));
    return r;
}

bool mon_inject_memory_error(SpaprMachineState *spapr, uint64_t addr, bool recovered,
                             GError **error)
{
    if (kvm_enabled()) {
        /* The poison is checked by the software CPU's accesses; under KVM
         * the VMM never sees the guest's accesses (README: KVM). */
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "x-inject-memory-error is not supported with -accel kvm yet "
                    "(use x-inject-mce)");
        return false;
    }
    if (guest_poison_page(&spapr->ram, addr) < 0) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Address 0x%" PRIx64 " is not in guest RAM (0x%" PRIx64 " bytes)",
                    addr, spapr->ram.size);
        return false;
    }
    uint64_t page = addr & ~(GUEST_PAGE_SIZE - 1);
    poison_set_recovered(page, recovered);
    /* Cached decodes of that page must go through the poison check again. */
    ppc_interp_invalidate(page, GUEST_PAGE_SIZE);
    trace_event("monitor", "page 0x%" PRIx64 " poisoned (%s)", page,
                recovered ? "recovered" : "not recovered");
    return true;
}

static void snapshot_work(PowerPCCPU *cpu, void *opaque)
{
    MonCpuSnapshot *snap = opaque;
    snap->env = cpu->env;
    snap->state = cpu->state;
    snap->dec = ppc_cpu_get_dec(cpu);
}

bool mon_cpu_snapshot(SpaprMachineState *spapr, PowerPCCPU *cpu, MonCpuSnapshot *snap,
                      GError **error)
{
    if (cpu->has_thread && spapr->quit_requested) {
        /* Its thread may be gone: nobody would run the work. */
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "the machine is shutting down");
        return false;
    }
    cpu_run_work(cpu, snapshot_work, snap);
    return true;
}

static int64_t cpu_tids[SPAPR_MAX_CPUS];    /* BQL */

static void tid_work(PowerPCCPU *cpu, void *opaque)
{
    *(int64_t *)opaque = (int64_t)syscall(SYS_gettid);
}

int64_t mon_cpu_thread_id(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    if (!cpu->has_thread || cpu->index < 0 || cpu->index >= SPAPR_MAX_CPUS) {
        return 0;
    }
    if (!cpu_tids[cpu->index] && !spapr->quit_requested) {
        int64_t tid = 0;
        cpu_run_work(cpu, tid_work, &tid);
        cpu_tids[cpu->index] = tid;
    }
    return cpu_tids[cpu->index];
}

char *mon_status_text(SpaprMachineState *spapr)
{
    if (spapr->runstate == RUN_STATE_RUNNING) {
        return g_strdup("VM status: running");
    }
    if (spapr->runstate == RUN_STATE_PAUSED) {
        return g_strdup("VM status: paused");
    }
    return g_strdup_printf("VM status: paused (%s)", runstate_name(spapr->runstate));
}


/* ---- memory dumps: pmemsave, memsave, xp, x (BQL held) ---- */

bool mon_cpu_translate_ea(const MonCpuSnapshot *snap, int cpu_index, uint64_t ea,
                          uint64_t *ra, GError **error)
{
    /*
     * MMU HOOK: only real mode is translated so far. Once the radix MMU
     * exists, walk the partition/process tables here for MSR[DR] = 1
     * (snap->env holds the vCPU's MSR, PIDR, LPCR ...).
     */
    if (snap->env.msr & MSR_DR) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "CPU %d has data translation on (MSR[DR]=1): virtual addresses "
                    "are not translated yet, use the physical form (xp, pmemsave)",
                    cpu_index);
        return false;
    }
    /* Real mode ignores the top 4 bits; 32-bit mode the upper word. */
    *ra = ea & ((snap->env.msr & MSR_SF) ? PPC_REAL_ADDR_MASK : 0xFFFFFFFFULL);
    return true;
}

/* Copy [addr, addr + size): physical when @snap is NULL, else as the
 * vCPU @snap was taken from sees it. */
static bool read_memory(SpaprMachineState *spapr, const MonCpuSnapshot *snap,
                        int cpu_index, uint64_t addr, void *buf, uint64_t size,
                        GError **error)
{
    uint64_t done = 0;

    while (done < size) {
        /* Page by page: consecutive virtual pages need not be contiguous. */
        uint64_t ea = addr + done, ra = ea;
        uint64_t n = MIN(size - done, GUEST_PAGE_SIZE - (ea & (GUEST_PAGE_SIZE - 1)));
        if (snap && !mon_cpu_translate_ea(snap, cpu_index, ea, &ra, error)) {
            return false;
        }
        if (ea < addr || guest_read(&spapr->ram, ra, (uint8_t *)buf + done, n) < 0) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                        "Invalid addr 0x%016" PRIx64 "/size %" PRIu64 " specified",
                        addr, size);
            return false;
        }
        done += n;
    }
    return true;
}

bool mon_read_memory(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t addr,
                     void *buf, uint64_t size, GError **error)
{
    MonCpuSnapshot snap;

    if (cpu && !mon_cpu_snapshot(spapr, cpu, &snap, error)) {
        return false;
    }
    return read_memory(spapr, cpu ? &snap : NULL, cpu ? cpu->index : -1, addr, buf,
                       size, error);
}

/* Chunk of a dump that is read and written at a time. */
#define MEMSAVE_CHUNK   (64 * 1024)

bool mon_memsave(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t addr,
                 uint64_t size, const char *filename, GError **error)
{
    MonCpuSnapshot snap;

    if (size > spapr->ram_size || (!cpu && !guest_range_valid(&spapr->ram, addr, size))) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC,
                    "Invalid addr 0x%016" PRIx64 "/size %" PRIu64 " specified", addr, size);
        return false;
    }
    if (cpu && !mon_cpu_snapshot(spapr, cpu, &snap, error)) {
        return false;
    }
    FILE *f = fopen(filename, "wb");
    if (!f) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "Could not open '%s': %s",
                    filename, g_strerror(errno));
        return false;
    }
    g_autofree uint8_t *buf = g_malloc(MEMSAVE_CHUNK);
    bool ok = true;
    for (uint64_t done = 0; ok && done < size;) {
        uint64_t n = MIN(size - done, (uint64_t)MEMSAVE_CHUNK);
        ok = read_memory(spapr, cpu ? &snap : NULL, cpu ? cpu->index : -1, addr + done,
                         buf, n, error);
        if (ok && fwrite(buf, 1, n, f) != n) {
            g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "writing '%s': %s",
                        filename, g_strerror(errno));
            ok = false;
        }
        done += n;
    }
    if (fclose(f) != 0 && ok) {
        g_set_error(error, MON_ERROR, MON_ERROR_GENERIC, "writing '%s': %s",
                    filename, g_strerror(errno));
        ok = false;
    }
    return ok;
}
