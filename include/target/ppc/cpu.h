/*
 * PowerPC vCPU: architected register state and the per-vCPU run control
 * shared by every accelerator (qtest, the software CPU, later KVM).
 *
 * Ownership of the register state (CPUPPCState):
 *   - while the vCPU thread executes guest code, only that thread touches it;
 *   - otherwise (vCPU parked, halted in a work wait, or no vCPU thread at all
 *     as under -accel qtest) it is guarded by the BQL (system/bql.h).
 * Other threads never write a running vCPU's registers directly: they queue
 * work with cpu_run_work()/cpu_queue_work() (target/ppc/cpu.c) and kick it.
 */
#ifndef TARGET_PPC_CPU_H
#define TARGET_PPC_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* IBM bit numbering: bit 0 is the most significant bit of a 64-bit value. */
#define PPC_BIT(n)      (1ULL << (63 - (n)))
#define PPC_BIT32(n)    (1U << (31 - (n)))

/* MSR bits (Power ISA v3.0 Book III 4.2.1) */
#define MSR_SF          PPC_BIT(0)   /* 64-bit mode */
#define MSR_HV          PPC_BIT(3)   /* hypervisor state: never set in a pseries guest */
#define MSR_VEC         PPC_BIT(38)
#define MSR_VSX         PPC_BIT(40)
#define MSR_EE          PPC_BIT(48)  /* external interrupt enable */
#define MSR_PR          PPC_BIT(49)  /* problem (user) state */
#define MSR_FP          PPC_BIT(50)
#define MSR_ME          PPC_BIT(51)  /* machine check enable */
#define MSR_FE0         PPC_BIT(52)
#define MSR_SE          PPC_BIT(53)
#define MSR_BE          PPC_BIT(54)
#define MSR_FE1         PPC_BIT(55)
#define MSR_IR          PPC_BIT(58)  /* instruction relocation */
#define MSR_DR          PPC_BIT(59)  /* data relocation */
#define MSR_PMM         PPC_BIT(61)
#define MSR_RI          PPC_BIT(62)  /* recoverable interrupt */
#define MSR_LE          PPC_BIT(63)  /* little-endian mode */

/*
 * SRR1 bits an interrupt sets itself (33:36 and 42:47); the others are
 * copied from the MSR (Book III 6.5).
 */
#define SRR1_CAUSE_MASK 0x00000000783F0000ULL

/* SRR1 cause bits of the program interrupt (0x700) */
#define SRR1_PROGRAM_FP       PPC_BIT(43)
#define SRR1_PROGRAM_ILLEGAL  PPC_BIT(44)
#define SRR1_PROGRAM_PRIV     PPC_BIT(45)
#define SRR1_PROGRAM_TRAP     PPC_BIT(46)

/* Machine-check SRR1 bits (POWER9, as KVM and QEMU report them) */
#define SRR1_MC_LOADSTORE     PPC_BIT(42) /* D-side: cause is in DSISR */
#define SRR1_MC_IFETCH_MASK   0x00000000081C0000ULL
#define SRR1_MC_IFETCH_UE     0x0000000000040000ULL
#define SRR1_MC_IFETCH_UE_PTW 0x0000000000180000ULL
#define DSISR_MC_UE           0x00008000U
#define DSISR_MC_UE_TABLEWALK 0x00004000U

/* Real mode ignores the top 4 bits of an effective address: a kernel
 * linked at 0xc000... reaches its real addresses with translation off. */
#define PPC_REAL_ADDR_MASK  0x0FFFFFFFFFFFFFFFULL

/* LPCR */
#define LPCR_ILE        PPC_BIT(38)  /* interrupts taken little-endian */

/* XER */
#define XER_SO          PPC_BIT(32)
#define XER_OV          PPC_BIT(33)
#define XER_CA          PPC_BIT(34)
#define XER_OV32        PPC_BIT(44)
#define XER_CA32        PPC_BIT(45)

/* Interrupt vectors (real mode, AIL = 0) */
#define EXCP_SYSTEM_RESET   0x100
#define EXCP_MACHINE_CHECK  0x200
#define EXCP_DSI            0x300
#define EXCP_DSEG           0x380
#define EXCP_ISI            0x400
#define EXCP_ISEG           0x480
#define EXCP_EXTERNAL       0x500
#define EXCP_ALIGNMENT      0x600
#define EXCP_PROGRAM        0x700
#define EXCP_FPU_UNAVAIL    0x800
#define EXCP_DECREMENTER    0x900
#define EXCP_SYSCALL        0xC00
#define EXCP_TRACE          0xD00
#define EXCP_VEC_UNAVAIL    0xF20
#define EXCP_VSX_UNAVAIL    0xF40

/* SPR numbers the VMM and the interpreter share */
#define SPR_XER     1
#define SPR_LR      8
#define SPR_CTR     9
#define SPR_DSISR   18
#define SPR_DAR     19
#define SPR_DEC     22
#define SPR_SRR0    26
#define SPR_SRR1    27
#define SPR_CFAR    28
#define SPR_PIDR    48
#define SPR_SPURR   308
#define SPR_PURR    309
#define SPR_VTB     849
#define SPR_TBL_R   268   /* mftb */
#define SPR_TBU_R   269
#define SPR_SPRG0   272
#define SPR_SPRG1   273
#define SPR_SPRG2   274
#define SPR_SPRG3   275
#define SPR_SPRG3_R 259   /* user-readable alias of SPRG3 */
#define SPR_PVR     287
#define SPR_PIR     1023
#define SPR_LPCR    318

/* POWER9 DD2.2 */
#define PVR_POWER9      0x004E1202U
#define TIMEBASE_FREQ   512000000ULL

/* vCPU run state, as seen by the machine and the monitor */
typedef enum PPCCPURunState {
    CPU_STATE_STOPPED = 0,  /* never started or stop-self: only start-cpu wakes it */
    CPU_STATE_RUNNING,      /* executing (or would be, if the machine is running) */
    CPU_STATE_HALTED,       /* H_CEDE: wakes on an interrupt or queued work */
} PPCCPURunState;

typedef struct CPUPPCState {
    uint64_t gpr[32];
    uint64_t nip;
    uint64_t msr;
    uint32_t cr;            /* CR0 in the top nibble, as mfcr returns it */
    uint64_t lr;
    uint64_t ctr;
    uint64_t xer;           /* full XER with SO/OV/CA/OV32/CA32 and the byte count */
    uint64_t srr0, srr1;
    uint64_t dar;
    uint32_t dsisr;
    uint64_t sprg[4];
    uint64_t lpcr;
    uint32_t pvr;
    uint64_t cfar;
    uint64_t pidr;
    uint64_t fpr[32];       /* kept as bits: FP arithmetic is not emulated */
    uint64_t fpscr;
    /* VMX: 32 vector registers as their 16 bytes in big-endian element
     * order (byte 0 is the most significant), and the VSCR. Only moved by
     * loads, stores and mfvscr/mtvscr: vector arithmetic is not emulated. */
    uint8_t vr[32][16];
    uint32_t vscr;
    /* decrementer: value at dec_base_tb, counting down with the timebase */
    uint64_t dec_base_tb;
    uint32_t dec_base;
    bool     dec_pending;
    /* load-reserve state: reserve_addr == -1 means no reservation */
    uint64_t reserve_addr;
    uint64_t reserve_val;
    int      reserve_size;
} CPUPPCState;

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;
typedef struct PPCRadixPartition PPCRadixPartition;

/* Work run on a vCPU's own thread (or inline when it has none). BQL held. */
typedef void (*CPUWorkFunc)(PowerPCCPU *cpu, void *data);

struct PowerPCCPU {
    int index;                  /* cpu_index == vcpu id == /cpus reg */
    uint32_t model_pvr;         /* -cpu: the PVR reset gives (0: POWER9); set once */
    CPUPPCState env;
    SpaprMachineState *machine;
    /* The partition's radix MMU state (target/ppc/mmu-radix64.h), or NULL:
     * no process table. Set once at creation. */
    PPCRadixPartition *radix;

    /* guarded by the BQL */
    PPCCPURunState state;
    bool has_thread;            /* an accelerator thread runs this vCPU */

    /* Queued work: guarded by work_lock; drained by the vCPU thread. */
    GMutex work_lock;
    GQueue work;
    GCond work_done;            /* signalled (with the BQL) when a sync item completes */

    /* Set (atomically) by any thread to make the vCPU leave its run loop. */
    volatile int exit_request;
    /*
     * External interrupt line (the XICS ICP's output): 1 while an interrupt
     * is presented. Written with atomics under the BQL by hw/intc/xics.c,
     * read lock-free by the accelerator, which takes 0x500 when MSR[EE].
     */
    int irq_pending;
    /*
     * 1 while an injected machine check waits for this vCPU to reach
     * MSR[RI]=1 (hw/ppc/spapr_fwnmi.c): the accelerator leaves its run
     * loop as soon as RI is set. Written under the BQL, read lock-free.
     */
    int mce_wait_ri;
    /* Thread and wake-up for halted/parked vCPUs (accelerator private). */
    GThread *thread;
    GCond wake;

    /* Instructions retired (statistics, x-query-icount): written by the
     * vCPU thread only, read by any with a relaxed atomic load. */
    uint64_t icount;
    /* Accelerator private state (decode cache ...). */
    void *accel_priv;
    /*
     * KVM (target/ppc/kvm.c): the vCPU's KVM state, or NULL. Set before the
     * vCPU threads start; only the vCPU's own thread uses it afterwards,
     * except accel_kick, which any thread may call (from cpu_kick) to
     * interrupt a KVM_RUN in progress.
     */
    struct KVMVCpu *kvm_vcpu;
    void (*accel_kick)(PowerPCCPU *cpu);
};

/**
 * ppc_cpu_reset: put @cpu in its power-on state: all registers zero,
 * MSR = SF | ME, PVR = POWER9, no reservation, decrementer at its maximum.
 */
void ppc_cpu_reset(PowerPCCPU *cpu);

/**
 * ppc_cpu_get_reg / ppc_cpu_set_reg: access a register by its monitor/qtest
 * name (nip msr srr0 srr1 dar dsisr lr ctr cr xer lpcr pvr sprg0..3 r0..r31).
 * Return 0, -ENOENT for an unknown name, or (set) -ERANGE for a value that
 * does not fit a 32-bit register (cr dsisr pvr dec), which is left
 * unchanged. Caller holds the BQL and the
 * vCPU is not executing.
 */
int ppc_cpu_get_reg(PowerPCCPU *cpu, const char *name, uint64_t *value);
int ppc_cpu_set_reg(PowerPCCPU *cpu, const char *name, uint64_t value);

/** Names accepted by ppc_cpu_get_reg(), NULL terminated (for "info registers"). */
extern const char *const ppc_cpu_reg_names[];

/**
 * ppc_cpu_interrupts_le: the endianness interrupts are taken in
 * (LPCR[ILE] on POWER9 pseries, set by the guest with H_SET_MODE).
 */
static inline bool ppc_cpu_interrupts_le(const PowerPCCPU *cpu)
{
    return (cpu->env.lpcr & LPCR_ILE) != 0;
}

/**
 * ppc_cpu_do_interrupt: architected interrupt delivery (Book III 6.5) to
 * real-mode @vector: SRR0 = @srr0, SRR1 = MSR bits | @srr1_cause (only bits in
 * SRR1_CAUSE_MASK are taken from @srr1_cause), new MSR = SF | ME(kept) |
 * LE when interrupts are LE; IR, DR, EE, PR, RI, FP cleared; NIP = @vector.
 * MSR[ME] is left alone even for 0x200: under PAPR it belongs to the
 * hypervisor (QEMU's pseries machine does the same). Clears the reservation.
 */
void ppc_cpu_do_interrupt(PowerPCCPU *cpu, uint64_t vector, uint64_t srr0,
                          uint64_t srr1_cause);

/** Time base now, in ticks of TIMEBASE_FREQ (virtual clock). */
uint64_t ppc_cpu_get_tb(PowerPCCPU *cpu);
/** Decrementer now (32-bit, counting down) and writing it. */
uint32_t ppc_cpu_get_dec(PowerPCCPU *cpu);
void ppc_cpu_set_dec(PowerPCCPU *cpu, uint32_t value);

/**
 * cpu_queue_work: queue @fn(@cpu, @data) to run on @cpu with the BQL held,
 * and kick it. If @cpu has no thread (qtest) it runs immediately, inline;
 * from @cpu's own thread it is deferred to the next run-loop iteration.
 * Never blocks. Caller holds the BQL.
 */
void cpu_queue_work(PowerPCCPU *cpu, CPUWorkFunc fn, void *data);
/**
 * cpu_run_work: like cpu_queue_work but waits until @fn has run. The BQL is
 * released while waiting so the vCPU can take it. Inline when called from
 * @cpu's own thread or when @cpu has no thread.
 */
void cpu_run_work(PowerPCCPU *cpu, CPUWorkFunc fn, void *data);
/** cpu_process_work: run queued work; called by the vCPU thread, BQL held. */
void cpu_process_work(PowerPCCPU *cpu);
/** cpu_has_work: true when work is queued (cheap, lock-free peek). */
bool cpu_has_work(PowerPCCPU *cpu);
/** cpu_kick: make @cpu leave its execution loop soon (bounded). Any thread. */
void cpu_kick(PowerPCCPU *cpu);
/** current_cpu: the vCPU whose thread is calling, or NULL. */
PowerPCCPU *cpu_current(void);
void cpu_set_current(PowerPCCPU *cpu);

#endif
