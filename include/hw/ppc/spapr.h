/*
 * The pseries machine: guest RAM, vCPUs, the RTAS area and device tree,
 * capabilities, run state and FWNMI state.
 *
 * Locking: everything in SpaprMachineState is guarded by the BQL, except
 * the vCPU register state of executing vCPUs (owned by their threads, see
 * target/ppc/cpu.h) and the RAM contents (unlocked, like real memory).
 */
#ifndef HW_PPC_SPAPR_H
#define HW_PPC_SPAPR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "hw/ppc/spapr_cas.h"
#include "hw/ppc/spapr_events.h"
#include "hw/ppc/spapr_fwnmi.h"
#include "hw/ppc/spapr_fwnmi_journal.h"
#include "hw/ppc/spapr_vof.h"
#include "system/guest-memory.h"
#include "target/ppc/cpu.h"
#include "target/ppc/mmu-radix64.h"

#define SPAPR_MAX_CPUS          64
#define SPAPR_RMA_MAX           (1ULL << 30)
#define SPAPR_DEFAULT_RAM       (512ULL << 20)
#define SPAPR_MIN_RAM           (16ULL << 20)
/* Debian's SLOF (qemu-system-data), what -M pseries boots without -kernel */
#define SPAPR_DEFAULT_BIOS      "/usr/share/qemu/slof.bin"
#define SPAPR_FW_ENTRY          0x100
/*
 * -bios with -kernel (firmware boot): as QEMU, the kernel's segments go
 * KERNEL_LOAD_ADDR above their physical addresses and SLOF finds them
 * through /chosen/qemu,boot-kernel; kernel and initrd stay below the top
 * FW_OVERHEAD bytes of the RMA, which the firmware keeps for itself.
 */
#define SPAPR_KERNEL_LOAD_ADDR  0x400000ULL
#define SPAPR_FW_OVERHEAD       0x2800000ULL

/*
 * RTAS area, placed by the VMM near the top of the RMA:
 *   +0x000  the 20-byte entry blob (pc-bios/spapr-rtas)
 *   +0x030  FWNMI machine-check buffer: saved R3 (8) + error log (<= 2048)
 *   +0x840  one 16-byte system-reset save slot per possible vCPU
 *   + 16    slack: older Linux checks the buffer with '<' (off by one)
 */
#define RTAS_BLOB_SIZE          20
#define RTAS_ERROR_LOG_OFFSET   0x30
#define RTAS_SRESET_SLOT_OFFSET 0x840
#define RTAS_SRESET_SLOT_SIZE   16
#define RTAS_AREA_SLACK         16
#define SPAPR_RTAS_ALIGN        0x10000
/*
 * The device tree's room in RAM is sized from its inputs
 * (spapr_fdt_size()): a fixed part, a share per vCPU and the command line,
 * which -append bounds to SPAPR_CMDLINE_MAX bytes.
 */
#define SPAPR_FDT_BASE_SIZE     0x4000
#define SPAPR_FDT_CPU_SIZE      0x400
#define SPAPR_CMDLINE_MAX       0x10000

/* Hypervisor console terminal number (QEMU's first vty) */
#define SPAPR_VTY_REG           0x71000000
/* NVRAM (hw/ppc/spapr_nvram.c): QEMU's unit address and default size */
#define SPAPR_NVRAM_REG         0x71000001
#define SPAPR_NVRAM_SIZE        0x10000

typedef enum RunState {
    RUN_STATE_PRELAUNCH,        /* -S: created, not started yet */
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_PRECONFIG,        /* --preconfig: until QMP x-exit-preconfig */
    RUN_STATE_INMIGRATE,        /* -incoming: waiting for / loading a stream */
    RUN_STATE_FINISH_MIGRATE,   /* source: stopped for the final copy */
    RUN_STATE_POSTMIGRATE,      /* source: stopped after a completed migration */
} RunState;

typedef struct XicsState XicsState;     /* hw/intc/xics.h */

/* Tri-state security capabilities (cap-cfpc, cap-sbbc, cap-ibs). */
enum {
    SPAPR_CAP_BROKEN = 0,
    SPAPR_CAP_WORKAROUND = 1,
    SPAPR_CAP_FIXED = 2,
    SPAPR_CAP_FIXED_IBS = 2,    /* cap-ibs only */
    SPAPR_CAP_FIXED_CCD = 3,
    SPAPR_CAP_FIXED_NA = 4,
};

/*
 * QEMU 7.2's pseries machine properties (hw/ppc/spapr_caps.c validates
 * them). Only fwnmi changes what this machine does; the others are
 * accepted with QEMU's values and checked against what it can honour.
 */
typedef struct SpaprCaps {
    bool fwnmi;                 /* cap-fwnmi (default on) */
    bool htm, vsx, dfp;         /* cap-htm, cap-vsx, cap-dfp */
    uint8_t cfpc, sbbc, ibs;    /* SPAPR_CAP_* */
    uint64_t hpt_max_page_size; /* bytes (cap-hpt-max-page-size) */
    bool nested_hv, large_decr, ccf_assist, rpt_invalidate;
    bool x_vof;                 /* x-vof=on: boot -kernel through VOF (spapr_vof.c) */
    bool set_vsx, set_dfp, set_large_decr;  /* given on the command line */
} SpaprCaps;

typedef struct SpaprMachineState {
    GuestMemory ram;
    uint64_t ram_size;
    uint64_t rma_size;          /* min(RAM, 1 GiB) */
    int smp_cpus;
    bool machine_none;          /* -machine none: RAM only, no vCPU, no firmware */
    const char *name;           /* -name, or NULL (query-name); set once at start-up */
    bool software_cpu;          /* -accel tcg (caps checks); set once at start-up */
    uint32_t pvr;               /* every vCPU's PVR and "cpu-version" (-cpu) */
    PowerPCCPU **cpus;
    SpaprCaps caps;

    uint64_t rtas_base;         /* moved by VOF's instantiate-rtas, or learnt from
                                 * SLOF's tree at H_UPDATE_DT */
    uint64_t rtas_base_default; /* where reset puts it */
    uint32_t rtas_size;
    uint64_t fdt_addr;
    uint32_t fdt_size;          /* room reserved for the tree below RTAS */
    void *fdt;                  /* current tree (built at reset) */

    /* -kernel, -initrd (hw/ppc/spapr_loader.c). The files are read once
     * and kept, so a reset reloads the same bytes. */
    char *kernel_path;
    char *kernel_cmdline;
    GBytes *kernel_image;
    uint64_t kernel_entry;
    uint64_t kernel_load;       /* lowest loaded address (offset included) */
    uint64_t kernel_offset;     /* added to each segment's address: 0, or
                                 * SPAPR_KERNEL_LOAD_ADDR for a firmware boot */
    uint64_t kernel_end;        /* end of the highest segment (memsz) */
    bool kernel_le;
    bool have_kernel;
    char *initrd_path;          /* NULL: no initrd */
    GBytes *initrd_image;
    uint64_t initrd_base;       /* valid when initrd_path is set */
    uint64_t initrd_size;

    /* -bios (or the default SLOF without -kernel): read once, loaded at
     * 0 and entered at 0x100 at every reset. */
    char *bios_path;
    GBytes *bios_image;
    /* -bios and -kernel: the firmware boots the kernel (set once at
     * creation); the VMM only loads it and describes it in /chosen. */
    bool firmware_boot;
    /* CAS result and SLOF's device-tree exchange (hw/ppc/spapr_cas.c,
     * spapr_hcall_cas.c). Reset: none negotiated, no firmware tree. */
    SpaprCasState cas;

    uint8_t *nvram;             /* SPAPR_NVRAM_SIZE bytes, kept across reset */

    SpaprFwnmiState fwnmi;
    /* Machine-check records (hw/ppc/spapr_fwnmi_journal.c), BQL. */
    SpaprFwnmiJournal *fwnmi_journal;
    SpaprVofState vof;          /* x-vof=on client interface (hw/ppc/spapr_vof.c) */
    XicsState *xics;            /* interrupt controller (hw/intc/xics.h) */

    /* Radix process table (H_REGISTER_PROC_TBL) and TLB flush generation:
     * every vCPU's PowerPCCPU.radix points here. Reset: none. */
    PPCRadixPartition radix;

    RunState runstate;
    RunState preconfig_next;    /* where x-exit-preconfig goes (prelaunch with -S) */
    /* QMP x-fwnmi-stop-on-delivery (tests): pause the machine right after
     * each FWNMI delivery, before the handler's first instruction. */
    bool x_stop_on_fwnmi;
    int exit_code;              /* process exit status once shut down */
    bool quit_requested;
    bool reset_requested;
    int pause_count;            /* >0: vCPUs must park (reset, register access) */
    int parked_cpus;            /* vCPU threads currently parked */
    bool exit_on_panic;         /* no monitor/qtest attached: panic ends the process */
    GCond runstate_changed;     /* broadcast on every run state change */

    /* console output: called with the BQL held */
    void (*console_write)(const char *buf, size_t len, void *opaque);
    void *console_opaque;
    /* console input, filled by the front end; guarded by the BQL */
    GString *console_input;
} SpaprMachineState;

typedef struct SpaprMachineConfig {
    bool none;                  /* -machine none: RAM only, no vCPU */
    uint32_t pvr;               /* -cpu (0: the default, POWER9) */
    uint64_t ram_size;
    int smp_cpus;
    SpaprCaps caps;
    const char *kernel_path;
    const char *kernel_cmdline;
    const char *initrd_path;
    const char *fwnmi_journal;  /* -machine fwnmi-journal=PATH, or NULL */
    const char *bios_path;      /* boot firmware (SLOF), loaded at 0 */
} SpaprMachineConfig;

/**
 * spapr_machine_create: allocate RAM and vCPUs, load the kernel if any,
 * and reset. Returns NULL and sets @error (one line) on failure.
 */
SpaprMachineState *spapr_machine_create(const SpaprMachineConfig *cfg,
                                        GError **error);
void spapr_machine_destroy(SpaprMachineState *spapr);

/**
 * spapr_machine_reset: reset every vCPU, clear FWNMI state, rebuild the
 * device tree, place the RTAS blob and tree in RAM, reload the kernel.
 * BQL held and no vCPU executing.
 */
void spapr_machine_reset(SpaprMachineState *spapr);

/** spapr_cpu_by_index: the vCPU with that index, or NULL when out of range. */
PowerPCCPU *spapr_cpu_by_index(SpaprMachineState *spapr, int64_t index);

/** The machine, for code reached without a handle (hooks). */
SpaprMachineState *spapr_machine(void);

/* Run state (system/runstate.c). BQL held. */
const char *runstate_name(RunState state);
void runstate_set(SpaprMachineState *spapr, RunState state);
bool runstate_is_running(SpaprMachineState *spapr);
/** Request shutdown with @exit_code (power-off, quit, ...). */
void spapr_request_shutdown(SpaprMachineState *spapr, int exit_code);
/** Make the process leave: vCPU threads stop, the main loop exits. */
void spapr_request_quit(SpaprMachineState *spapr);
/** Ask the main loop for a machine reset (guest system-reboot, monitor). */
void spapr_request_reset(SpaprMachineState *spapr);
/** Declare the guest panicked with a one-line @reason (stderr + run state). */
void spapr_guest_panicked(SpaprMachineState *spapr, const char *reason);

/* NVRAM (hw/ppc/spapr_nvram.c): RTAS calls, and its /vdevice node. */
void spapr_nvram_register_rtas(void);
void spapr_dt_nvram(SpaprMachineState *spapr, void *fdt);

/* Console (hw/ppc/spapr_hcall.c) */
void spapr_console_write(SpaprMachineState *spapr, const char *buf, size_t len);

/**
 * spapr_rtas_base_valid: TRUE when the guest may put the RTAS area at
 * @base (instantiate-rtas, H_UPDATE_DT, an incoming migration): the
 * whole area inside the RMA, word aligned.
 */
static inline bool spapr_rtas_base_valid(const SpaprMachineState *spapr, uint64_t base)
{
    return base < spapr->rma_size && spapr->rma_size - base >= spapr->rtas_size &&
           !(base & 3);
}

/** The RTAS area size for @max_cpus possible vCPUs. */
static inline uint32_t spapr_rtas_area_size(int max_cpus)
{
    return RTAS_SRESET_SLOT_OFFSET + (uint32_t)max_cpus * RTAS_SRESET_SLOT_SIZE +
           RTAS_AREA_SLACK;
}

/* Device tree (hw/ppc/spapr_fdt.c): build a fresh tree. Returns NULL on failure. */
void *spapr_build_fdt(SpaprMachineState *spapr);

/**
 * spapr_fdt_size: the room the tree needs for @smp_cpus vCPUs and a
 * command line of @cmdline_len bytes (at most SPAPR_CMDLINE_MAX), a
 * multiple of 4 KiB.
 */
uint32_t spapr_fdt_size(int smp_cpus, size_t cmdline_len);

/**
 * spapr_load_kernel: load -kernel (and -initrd above it) into RAM; the
 * files are read on the first call and the same bytes are reloaded by
 * later calls (reset). 0, or -errno with @error set to one line naming
 * the option.
 */
int spapr_load_kernel(SpaprMachineState *spapr, GError **error);

/**
 * spapr_fw_load_limit: the end of the RAM a firmware-booted kernel and
 * its initrd may use: below the device tree and the top
 * SPAPR_FW_OVERHEAD bytes of the RMA (QEMU's load_limit).
 */
uint64_t spapr_fw_load_limit(const SpaprMachineState *spapr);

/**
 * spapr_load_bios: load the boot firmware image at 0 (read on the first
 * call, the same bytes later). 0, or -errno with @error naming -bios.
 */
int spapr_load_bios(SpaprMachineState *spapr, GError **error);

/* The embedded RTAS entry blob (big-endian instructions). */
extern const uint8_t spapr_rtas_blob[RTAS_BLOB_SIZE];

/* Hypercalls */
#define H_SUCCESS           0
#define H_HARDWARE          -1
#define H_FUNCTION          -2
#define H_PRIVILEGE         -3
#define H_PARAMETER         -4
#define H_SET_MODE_RESOURCE_LE 4

#define H_CEDE              0xE0
#define H_GET_TERM_CHAR     0x54
#define H_PUT_TERM_CHAR     0x58
#define H_SET_MODE          0x31C
#define H_SIGNAL_SYS_RESET  0x380
#define H_REGISTER_PROC_TBL 0x37C
#define H_RTAS              0xF000

/**
 * spapr_fw_hcall: the boot firmware's hypercalls (hw/ppc/spapr_hcall_fw.c):
 * H_SET_DABR, H_PAGE_INIT, H_LOGICAL_CI_LOAD/STORE, KVMPPC_H_LOGICAL_MEMOP, and
 * KVMPPC_H_CAS/H_UPDATE_DT (spapr_cas_hcall). TRUE with
 * *@ret set when @opcode is one of them. BQL held.
 */
bool spapr_fw_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode,
                    int64_t *ret);

/* Radix MMU hypercalls (hw/ppc/spapr_mmu.c). BQL held. */
int64_t h_register_proc_tbl(SpaprMachineState *spapr, PowerPCCPU *cpu);

/**
 * spapr_hypercall: run hypercall @opcode for @cpu with arguments in r4...
 * Returns the value for r3. BQL held. Sets *@stop when the vCPU must leave
 * its run loop (cede, power-off).
 */
int64_t spapr_hypercall(SpaprMachineState *spapr, PowerPCCPU *cpu,
                        uint64_t opcode, bool *stop);

#endif
