/*
 * The pseries machine: creation, reset and lookup (include/hw/ppc/spapr.h).
 */
#include "hw/ppc/spapr.h"

#include <string.h>
#include <libfdt.h>

#include "hw/intc/xics.h"
#include "hw/intc/xics_spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/trace.h"
#include "target/ppc/interp.h"

static SpaprMachineState *the_machine;

SpaprMachineState *spapr_machine(void)
{
    return the_machine;
}

PowerPCCPU *spapr_cpu_by_index(SpaprMachineState *spapr, int64_t index)
{
    if (index < 0 || index >= spapr->smp_cpus) {
        return NULL;
    }
    return spapr->cpus[index];
}

static void spapr_register_rtas_calls(void)
{
    static bool done;
    if (!done) {
        spapr_rtas_core_register();
        spapr_rtas_register_fwnmi();
        spapr_events_register_rtas();
        spapr_xics_register_rtas();
        spapr_nvram_register_rtas();
        done = true;
    }
}

static PowerPCCPU *spapr_cpu_create(SpaprMachineState *spapr, int index)
{
    PowerPCCPU *cpu = g_new0(PowerPCCPU, 1);
    cpu->index = index;
    cpu->machine = spapr;
    cpu->model_pvr = spapr->pvr;
    cpu->radix = &spapr->radix;
    g_mutex_init(&cpu->work_lock);
    g_queue_init(&cpu->work);
    g_cond_init(&cpu->work_done);
    g_cond_init(&cpu->wake);
    return cpu;
}

static void spapr_cpu_free(PowerPCCPU *cpu)
{
    ppc_interp_cpu_finalize(cpu);
    g_queue_clear_full(&cpu->work, g_free);
    g_mutex_clear(&cpu->work_lock);
    g_cond_clear(&cpu->work_done);
    g_cond_clear(&cpu->wake);
    g_free(cpu);
}

SpaprMachineState *spapr_machine_create(const SpaprMachineConfig *cfg,
                                        GError **error)
{
    g_autofree SpaprMachineState *spapr = g_new0(SpaprMachineState, 1);

    spapr_register_rtas_calls();
    spapr->ram_size = cfg->ram_size;
    spapr->rma_size = MIN(cfg->ram_size, SPAPR_RMA_MAX);
    spapr->smp_cpus = cfg->none ? 0 : cfg->smp_cpus;
    spapr->machine_none = cfg->none;
    spapr->pvr = cfg->pvr ? cfg->pvr : PVR_POWER9;
    spapr->caps = cfg->caps;
    spapr->rtas_size = spapr_rtas_area_size(MAX(spapr->smp_cpus, 1));
    /* RTAS at the top of the RMA, the device tree just below it. */
    spapr->rtas_base = (spapr->rma_size - spapr->rtas_size) & ~(SPAPR_RTAS_ALIGN - 1);
    spapr->rtas_base_default = spapr->rtas_base;
    spapr->vof.enabled = cfg->caps.x_vof;
    spapr->fdt_size = spapr_fdt_size(cfg->smp_cpus,
                                     cfg->kernel_cmdline ? strlen(cfg->kernel_cmdline) : 0);
    spapr->fdt_addr = spapr->rtas_base - spapr->fdt_size;
    g_cond_init(&spapr->runstate_changed);
    spapr->console_input = g_string_new(NULL);
    spapr->nvram = g_malloc0(SPAPR_NVRAM_SIZE);
    spapr_fwnmi_init(&spapr->fwnmi);

    int ret = guest_memory_init(&spapr->ram, cfg->ram_size);
    if (ret < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-ret),
                    "cannot allocate %" G_GUINT64_FORMAT " MiB of guest RAM: %s",
                    cfg->ram_size >> 20, g_strerror(-ret));
        return NULL;
    }
    spapr->cpus = g_new0(PowerPCCPU *, MAX(spapr->smp_cpus, 1));
    for (int i = 0; i < spapr->smp_cpus; i++) {
        spapr->cpus[i] = spapr_cpu_create(spapr, i);
    }
    spapr->xics = xics_new(spapr->cpus, spapr->smp_cpus);
    /* -bios given with -kernel: SLOF boots the kernel (QEMU's way);
     * -kernel alone is booted directly. */
    spapr->firmware_boot = cfg->kernel_path && cfg->bios_path;
    spapr->kernel_offset = spapr->firmware_boot ? SPAPR_KERNEL_LOAD_ADDR : 0;
    if (cfg->bios_path) {
        spapr->bios_path = g_strdup(cfg->bios_path);     /* the tree's layout depends on it */
    }
    if (cfg->kernel_path) {
        spapr->kernel_path = g_strdup(cfg->kernel_path);
        spapr->kernel_cmdline = g_strdup(cfg->kernel_cmdline ? cfg->kernel_cmdline : "");
        spapr->initrd_path = g_strdup(cfg->initrd_path);
        spapr->have_kernel = true;
        if (spapr_load_kernel(spapr, error) < 0) {
            spapr_machine_destroy(g_steal_pointer(&spapr));
            return NULL;
        }
    }
    spapr->fwnmi_journal = spapr_fwnmi_journal_open(spapr, cfg->fwnmi_journal, error);
    if (!spapr->fwnmi_journal) {
        spapr_machine_destroy(g_steal_pointer(&spapr));
        return NULL;
    }
    if (spapr->bios_path) {
        if (spapr_load_bios(spapr, error) < 0) {
            spapr_machine_destroy(g_steal_pointer(&spapr));
            return NULL;
        }
    }
    spapr->runstate = RUN_STATE_RUNNING;
    the_machine = spapr;
    spapr_machine_reset(spapr);
    return g_steal_pointer(&spapr);
}

void spapr_machine_destroy(SpaprMachineState *spapr)
{
    if (!spapr) {
        return;
    }
    for (int i = 0; spapr->cpus && i < spapr->smp_cpus; i++) {
        spapr_cpu_free(spapr->cpus[i]);
    }
    xics_free(spapr->xics);
    g_free(spapr->cpus);
    g_queue_clear_full(&spapr->fwnmi.pending, g_free);
    spapr_fwnmi_journal_close(spapr->fwnmi_journal);
    guest_memory_destroy(&spapr->ram);
    g_free(spapr->fdt);
    spapr_cas_reset(&spapr->cas);
    spapr_vof_free(&spapr->vof);
    g_free(spapr->kernel_path);
    g_free(spapr->kernel_cmdline);
    g_free(spapr->initrd_path);
    g_free(spapr->bios_path);
    if (spapr->bios_image) {
        g_bytes_unref(spapr->bios_image);
    }
    if (spapr->kernel_image) {
        g_bytes_unref(spapr->kernel_image);
    }
    if (spapr->initrd_image) {
        g_bytes_unref(spapr->initrd_image);
    }
    g_string_free(spapr->console_input, TRUE);
    g_free(spapr->nvram);
    g_cond_clear(&spapr->runstate_changed);
    if (the_machine == spapr) {
        the_machine = NULL;
    }
    g_free(spapr);
}

static void spapr_reset_cpus(SpaprMachineState *spapr)
{
    for (int i = 0; i < spapr->smp_cpus; i++) {
        PowerPCCPU *cpu = spapr->cpus[i];
        /* Queued work is left alone: a cpu_run_work() caller waits for
         * it, and FWNMI work made stale by this reset ignores itself. */
        ppc_cpu_reset(cpu);
        /* As QEMU, also under qtest: only the boot vCPU runs; the others
         * wait for RTAS start-cpu (from the guest or a qtest "rtas"). */
        cpu->state = i == 0 ? CPU_STATE_RUNNING : CPU_STATE_STOPPED;
    }
}

static void spapr_place_firmware(SpaprMachineState *spapr)
{
    guest_write(&spapr->ram, spapr->rtas_base, spapr_rtas_blob, RTAS_BLOB_SIZE);
    ppc_interp_invalidate(spapr->rtas_base, RTAS_BLOB_SIZE);
    g_free(spapr->fdt);
    spapr->fdt = spapr_build_fdt(spapr);
    g_assert(spapr->fdt);   /* sized from its inputs: failure is our bug */
    guest_write(&spapr->ram, spapr->fdt_addr, spapr->fdt, fdt_totalsize(spapr->fdt));
    spapr->cas.fdt_initial_size = fdt_totalsize(spapr->fdt);
}

void spapr_machine_reset(SpaprMachineState *spapr)
{
    if (spapr->machine_none) {
        spapr->reset_requested = false;     /* RAM only: nothing to reset */
        return;
    }
    spapr_fwnmi_reset(spapr);
    spapr_fwnmi_journal_reset(spapr);
    xics_reset(spapr->xics);
    guest_poison_clear(&spapr->ram);
    ppc_radix_partition_reset(&spapr->radix);
    spapr_reset_cpus(spapr);
    spapr->reset_requested = false;
    spapr->rtas_base = spapr->rtas_base_default;
    spapr_cas_reset(&spapr->cas);
    if (spapr->have_kernel) {
        g_autoptr(GError) err = NULL;
        if (spapr_load_kernel(spapr, &err) < 0) {
            error_report("%s", err->message);
        }
    }
    /* RAM keeps its contents across reset, so cached decodes stay valid
     * except where the VMM writes (firmware here, kernel in the loader). */
    spapr_place_firmware(spapr);

    if (spapr->bios_path) {
        /* As QEMU enters SLOF: the image at 0, NIP 0x100, r3 = device
         * tree, 64-bit big-endian real mode. */
        g_autoptr(GError) err = NULL;
        if (spapr_load_bios(spapr, &err) < 0) {
            error_report("%s", err->message);
        }
        CPUPPCState *env = &spapr->cpus[0]->env;
        env->gpr[3] = spapr->fdt_addr;
        env->gpr[4] = 0;
        env->gpr[5] = 0;
        env->nip = SPAPR_FW_ENTRY;
        env->msr = MSR_SF | MSR_ME;
    }
    if (spapr->have_kernel && !spapr->firmware_boot) {
        /* Entry as a kexec'd pseries Linux expects: r3 = device tree,
         * r4 = load address, r5 = 0, real mode, endianness of the image. */
        CPUPPCState *env = &spapr->cpus[0]->env;
        env->gpr[3] = spapr->fdt_addr;
        env->gpr[4] = spapr->kernel_load;
        env->gpr[5] = 0;
        env->nip = spapr->kernel_entry;
        env->msr = MSR_SF | MSR_ME | (spapr->kernel_le ? MSR_LE : 0);
        if (spapr->vof.enabled) {
            spapr_vof_reset(spapr);     /* through prom_init instead */
        }
    }
}
