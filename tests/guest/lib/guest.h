/*
 * Freestanding test-guest library: what every guest program can use.
 *
 * The guests run in real mode (translation off) on a pseries VMM, one
 * image linked and loaded at physical address 0 (see guest.ld). This
 * header is shared by C and assembly (the .S files of lib/ include it with
 * __ASSEMBLER__ defined), so the part above "#ifndef __ASSEMBLER__" holds only constants.
 *
 * Endianness: the same source builds a little-endian and a big-endian
 * guest. Everything the platform hands over (device tree, RTAS argument
 * blocks, RTAS error logs, save slots) is big-endian; read it only through
 * be32()/be64() and friends.
 */
#ifndef GUEST_H
#define GUEST_H

/* ---- Constants shared with assembly -------------------------------- */

#define MAX_CPUS            8
#define STACK_SIZE          0x4000      /* per vCPU, normal code */
#define EXC_STACK_SIZE      0x8000      /* per vCPU, interrupt handlers */

/* struct percpu: offsets used by the assembly (checked in lib/start.c) */
#define PC_EXC_SP           0           /* top of the free exception stack */
#define PC_STACK_TOP        8           /* initial r1 of this vCPU */
#define PC_CPU_ID           16
#define PC_EXC_DEPTH        24          /* interrupts being handled (nesting) */
#define PC_ENTRY_VEC        32          /* exc_common's stash until the frame exists */
#define PC_ENTRY_CR         40

/* struct regs: saved state of an interrupted context */
#define R_GPR(n)            ((n) * 8)
#define R_NIP               256         /* SRR0 */
#define R_MSR               264         /* SRR1 */
#define R_LR                272
#define R_CTR               280
#define R_XER               288
#define R_CR                296
#define R_DAR               304
#define R_DSISR             312
#define R_VEC               320
#define R_ENTRY_MSR         328         /* MSR at entry, before exc_common sets RI */
#define R_SIZE              336

/* Minimum ABI stack frame we leave below any r1 we set up (fits v1 and v2) */
#define FRAME_HDR           112
/* ELFv2: a function may use 288 bytes below its r1 without moving it */
#define RED_ZONE            288
/* Exception frame: call header, then struct regs */
#define EXC_FRAME           (FRAME_HDR + R_SIZE)

/* Pseudo vector numbers for the two FWNMI entry points (not real vectors) */
#define VEC_FWNMI_SRESET    0x1100
#define VEC_FWNMI_MCE       0x1200

/* Hypercalls (PAPR) */
#define H_SUCCESS           0
#define H_BUSY              1
#define H_GET_TERM_CHAR     0x54
#define H_PUT_TERM_CHAR     0x58
#define H_CEDE              0xE0
#define H_SET_MODE          0x31C
#define H_SIGNAL_SYS_RESET  0x380
#define H_RTAS              0xF000
#define H_SET_MODE_RESOURCE_LE  4
#define H_SET_MODE_ENDIAN_LITTLE 1

/* SPR numbers used from assembly and inline assembly */
#define SPRN_DSISR          18
#define SPRN_DAR            19
#define SPRN_SRR0           26
#define SPRN_SRR1           27
#define SPRN_SPRG0          272
#define SPRN_SPRG1          273
#define SPRN_SPRG2          274

#ifndef __ASSEMBLER__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

/* ---- MSR / SRR1 bits (IBM numbering: bit 0 is the MSB) ---------------- */
#define PPC_BIT(n)      (1UL << (63 - (n)))
#define MSR_SF          PPC_BIT(0)
#define MSR_HV          PPC_BIT(3)
#define MSR_EE          PPC_BIT(48)
#define MSR_PR          PPC_BIT(49)
#define MSR_ME          PPC_BIT(51)
#define MSR_IR          PPC_BIT(58)
#define MSR_DR          PPC_BIT(59)
#define MSR_RI          PPC_BIT(62)
#define MSR_LE          PPC_BIT(63)
/* SRR1 bits an interrupt sets itself (33:36, 42:47); the rest is the MSR */
#define SRR1_CAUSE_MASK 0x00000000783F0000UL
#define SRR1_MC_LOADSTORE PPC_BIT(42)   /* 0x200000: D-side, cause in DSISR */
#define DSISR_MC_UE     0x00008000U

#ifdef __LITTLE_ENDIAN__
#define GUEST_LE        1
#define GUEST_ENDIAN    "little-endian"
#else
#define GUEST_LE        0
#define GUEST_ENDIAN    "big-endian"
#endif

/* ---- Big-endian access (the platform's wire format) -------------------- */
static inline u16 be16(const void *p)
{
    const u8 *b = p;
    return (u16)((b[0] << 8) | b[1]);
}
static inline u32 be32(const void *p)
{
    const u8 *b = p;
    return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}
static inline u64 be64(const void *p)
{
    return ((u64)be32(p) << 32) | be32((const u8 *)p + 4);
}
static inline void put_be32(void *p, u32 v)
{
    u8 *b = p;
    b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
}

/* ---- Registers ----------------------------------------------------------- */
static inline u64 mfmsr(void)
{
    u64 v;
    __asm__ volatile("mfmsr %0" : "=r"(v));
    return v;
}
#define mfspr(n) ({ u64 v_; __asm__ volatile("mfspr %0,%1" : "=r"(v_) : "i"(n)); v_; })
#define mtspr(n, v) __asm__ volatile("mtspr %0,%1" : : "i"(n), "r"((u64)(v)) : "memory")
static inline u64 mftb(void)
{
    u64 v;
    __asm__ volatile("mfspr %0,268" : "=r"(v));
    return v;
}
#define TB_FREQ         512000000UL    /* POWER9 pseries time base */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void smp_mb(void) { __asm__ volatile("sync" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("or 1,1,1; or 2,2,2" ::: "memory"); }

/* ---- Interrupt frames and per-vCPU state --------------------------------- */

/** Interrupted context, saved by exc_common (lib/head.S). */
struct regs {
    u64 gpr[32];
    u64 nip;        /* SRR0: where rfid returns to */
    u64 msr;        /* SRR1: MSR rfid restores (plus cause bits on entry) */
    u64 lr, ctr, xer, cr;
    u64 dar, dsisr; /* as read at entry (not restored) */
    u64 vector;     /* 0x100..0xFE0, or VEC_FWNMI_* */
    u64 entry_msr;  /* the MSR the handler was entered with */
};

struct mce_event;

/** Handler hooks a guest installs; NULL means "unexpected". */
typedef void (*exc_hook_t)(struct regs *r);

/** One per vCPU; SPRG0 holds its address while the vCPU runs. */
struct percpu {
    u64 exc_sp;             /* PC_EXC_SP: top of the free exception stack */
    u64 stack_top;          /* PC_STACK_TOP */
    u64 cpu_id;             /* PC_CPU_ID: device-tree reg of this vCPU */
    u64 exc_depth;          /* PC_EXC_DEPTH: interrupts being handled (0: none) */
    u64 entry_vec;          /* PC_ENTRY_VEC: exc_common's stash (vector) */
    u64 entry_cr;           /* PC_ENTRY_CR: exc_common's stash (CR) */
    void (*entry)(struct percpu *pc);   /* secondary: what to run */
    u64 arg;                /* secondary: free for the guest */
    volatile u64 started;   /* secondary: reached C */
    volatile u64 finished;  /* secondary: entry() returned */
    /* statistics/results the guests record from handlers */
    volatile u64 mce_count;
    volatile u64 mce_expected_ea;
    volatile u64 mce_expected_r3;
    volatile u64 sreset_count;
    volatile u64 sreset_srr0;
    volatile u64 sreset_srr1;
    volatile u64 sreset_slot;
    volatile u64 result;
    u8 mce_log[2048] __attribute__((aligned(8)));   /* copy of the RTAS log */
    struct regs *cur_regs;  /* innermost interrupt being handled, or NULL */
};

extern struct percpu percpu[MAX_CPUS];
extern exc_hook_t hook_fwnmi_mce, hook_fwnmi_sreset, hook_mce_0x200,
                  hook_sreset_0x100;
extern exc_hook_t hook_external;    /* 0x500 (XICS) */
extern exc_hook_t hook_other;       /* any other vector (the fuzz guest) */

static inline struct percpu *this_cpu(void)
{
    return (struct percpu *)mfspr(SPRN_SPRG0);
}

/* ---- Machine description (lib/start.c) ----------------------------------- */
struct machine {
    const void *fdt;
    u64 ram_end;            /* highest RAM address + 1 from the memory nodes */
    u64 ram_size;           /* /memory@0 size */
    int ncpus;              /* /cpus/cpu@N nodes (capped at MAX_CPUS) */
    int ncpus_dt;           /* as found in the tree */
    u32 cpu_ids[MAX_CPUS];  /* their reg values, cpu_ids[0] is the boot vCPU */
    u64 rtas_base, rtas_size, rtas_entry;
    u32 rtas_log_max;
    bool have_rtas;
    const char *bootargs;
};
extern struct machine machine;

/** Each guest defines this; returns 0 to power off, or calls fail(). */
int guest_main(void);
/** Each guest names itself (printed prefix, failure messages). */
extern const char guest_name[];

/* ---- Console (lib/console.c) --------------------------------------------- */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void puts_raw(const char *s, size_t len);

/**
 * fail: report a test failure through ibm,os-term (the VMM prints the
 * message and exits with status 1). Never returns.
 */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* ---- Strings (lib/string.c) ---------------------------------------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- Device tree (lib/fdt.c) ---------------------------------------------- */
/** fdt_check: 0 if @fdt looks like a version 16/17 flattened tree, else -1. */
int fdt_check(const void *fdt);
/** fdt_path_offset: structure offset of the node at @path ("/rtas"), or -1. */
int fdt_path_offset(const void *fdt, const char *path);
/** fdt_getprop: value of @name in node @node, its length in *@len; NULL if absent. */
const void *fdt_getprop(const void *fdt, int node, const char *name, int *len);
/**
 * fdt_next_child: first child of @parent when @prev < 0, else the sibling
 * after child @prev; -1 when there is none. *@name receives the node name.
 */
int fdt_next_child(const void *fdt, int parent, int prev, const char **name);
/** fdt_getprop_u32: property as one big-endian cell; false if absent or short. */
bool fdt_getprop_u32(const void *fdt, int node, const char *name, u32 *val);

/* ---- Hypercalls and RTAS (lib/calls.S, lib/rtas.c) ------------------------ */
/** hcall: sc 1 with r3 = @opcode, r4.. = @a1..@a4; returns r3. */
long hcall(u64 opcode, u64 a1, u64 a2, u64 a3, u64 a4);
/** rtas_enter: run the RTAS entry blob at @entry on argument block @args. */
long rtas_enter(void *args, u64 entry);

#define RTAS_SUCCESS        0
#define RTAS_HW_ERROR       (-1)
#define RTAS_PARAM_ERROR    (-3)
#define RTAS_NO_TOKEN       (-1000)   /* ours: the call is not in /rtas */

/** rtas_token: the token of RTAS call @name from /rtas, or 0 if absent. */
u32 rtas_token(const char *name);
/**
 * rtas_call: call RTAS @name with @nargs inputs and @nret outputs; the
 * outputs (rets[0] is the status) go to @rets (may be NULL when nret is 1).
 * Returns rets[0] (sign-extended), or RTAS_NO_TOKEN.
 */
int rtas_call(const char *name, int nargs, int nret, u32 *rets, ...);
/** rtas_call with a token looked up beforehand (hot paths, as Linux does). */
int rtas_call_token(u32 token, int nargs, int nret, u32 *rets, ...);
void rtas_power_off(void) __attribute__((noreturn));
void rtas_os_term(const char *msg) __attribute__((noreturn));
void rtas_stop_self(void) __attribute__((noreturn));

/* ---- SMP (lib/smp.c) ----------------------------------------------------- */
/**
 * smp_start_cpu: start vCPU @idx (index into machine.cpu_ids) running
 * @entry(percpu) on its own stacks. Returns the start-cpu status.
 */
int smp_start_cpu(int idx, void (*entry)(struct percpu *pc), u64 arg);
/** smp_cpu_state: query-cpu-stopped-state of vCPU @idx (0 stopped, 2 running), or <0. */
int smp_cpu_state(int idx);
/** wait_until: spin until *@p == @val or @ms milliseconds pass; true if reached. */
bool wait_until(volatile u64 *p, u64 val, unsigned ms);
void delay_us(unsigned us);

/* ---- FWNMI (lib/fwnmi.c) -------------------------------------------------- */
/** fwnmi_register: ibm,nmi-register with the library's two entry points. */
int fwnmi_register(void);
extern char fwnmi_sreset_entry[], fwnmi_mce_entry[];

/** Parsed RTAS error log, as Linux's pseries code reads it. */
struct mce_event {
    u64 savep;              /* validated R3 (top two bits masked) */
    u64 orig_r3;            /* original R3 from the buffer */
    u32 log_len;            /* bytes copied to percpu.mce_log */
    u32 mc_off;             /* offset of the MC section from savep (0: none) */
    u8 version, severity, disposition, initiator, log_type;
    bool extended;
    bool have_mc;           /* an "MC" section was found */
    u8 error_type, sub_err_type, subtype;
    bool ea_valid, la_valid;
    u64 ea, la;
};

/* RTAS severities and dispositions (fixed part of the log) */
#define RTAS_SEV_NO_ERROR   0
#define RTAS_SEV_EVENT      1
#define RTAS_SEV_WARNING    2
#define RTAS_SEV_ERROR_SYNC 3
#define RTAS_SEV_ERROR      4
#define RTAS_SEV_FATAL      5
#define RTAS_DISP_FULY_RECOVERED   0
#define RTAS_DISP_LIMITED_RECOVERY  1
#define RTAS_DISP_NOT_RECOVERED     2
#define RTAS_INITIATOR_CPU  1
/* MC section */
#define MC_TYPE_UE          0x00
#define MC_TYPE_SLB         0x01
#define MC_TYPE_ERAT        0x02
#define MC_TYPE_TLB         0x04
#define MC_TYPE_D_CACHE     0x05
#define MC_TYPE_I_CACHE     0x07
#define MC_UE_LOAD_STORE    3
#define MC_UE_EA_PROVIDED   0x40
#define MC_UE_LA_PROVIDED   0x20
#define MC_EA_PROVIDED      0x80

/**
 * fwnmi_take_log: validate R3 of a FWNMI machine check as Linux does,
 * restore r->gpr[3] from the buffer, copy the log (at most 2048 bytes) to
 * this_cpu()->mce_log and parse it into @ev. Fails the test (fail()) on a
 * corrupt R3 or a log that runs outside the RTAS area.
 */
void fwnmi_take_log(struct regs *r, struct mce_event *ev);
/** fwnmi_print_event: the three "MCE: CPU%d: ..." lines Linux prints. */
void fwnmi_print_event(int cpu, const struct regs *r, const struct mce_event *ev);
/** fwnmi_interlock: ibm,nmi-interlock; returns its status. */
int fwnmi_interlock(void);
/** fwnmi_take_sreset_slot: validate R3 of a FWNMI system reset, restore it. */
u64 fwnmi_take_sreset_slot(struct regs *r);
/** check_handler_msr: fail unless the current MSR is a real-mode handler MSR. */
void check_handler_msr(const char *what, bool need_me);
const char *rtas_severity_name(u8 sev);

/* ---- Probes (lib/calls.S, lib/probe.c) ------------------------------------ */
/** Every register as a probe found it after the event (see lib/calls.S). */
struct probe_regs {
    u64 gpr[32];            /* gpr[1] is the probe's own frame pointer */
    u64 cr, ctr, lr, xer;
    u64 cr_before, xer_before;
};
/**
 * probe_bad_load: rN = @canary + N (r6 = @addr), then "ld r5,0(r6)" at
 * probe_load_insn, then a snapshot into @out.
 */
void probe_bad_load(u64 addr, u64 canary, struct probe_regs *out);
extern char probe_load_insn[];
/** probe_hcall: r2, r13..r31 = @canary + N; sc 1 (r3 = @opcode, r4 = @arg). */
void probe_hcall(u64 opcode, u64 arg, u64 canary, struct probe_regs *out);
extern char probe_hcall_ret[];
/** probe_spin: canaries, *@ready = 1, spin at probe_spin_loop until *@go. */
void probe_spin(volatile u64 *ready, volatile u64 *go, u64 canary,
                struct probe_regs *out);
extern char probe_spin_loop[], probe_spin_end[];

/* What probe_check() compares */
#define PROBE_BAD_LOAD  1
#define PROBE_HCALL     2
#define PROBE_SPIN      3
/**
 * probe_check: compare @p with what probe @kind set up from @canary
 * (@addr: the bad-load address). Returns NULL if everything survived, else
 * a description of the first difference (static buffer of this vCPU).
 */
const char *probe_check(int kind, const struct probe_regs *p, u64 canary, u64 addr);
/** SRR0/SRR1/DSISR/DAR of the UE a probe_bad_load(addr) raised: NULL or why not. */
const char *probe_check_ue_entry(const struct regs *r, u64 addr, u64 interrupted_msr);

/* ---- Atomics ----------------------------------------------------------- */
static inline u64 atomic_inc(volatile u64 *p)
{
    return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}
static inline bool atomic_cas(volatile u64 *p, u64 old, u64 val)
{
    return __atomic_compare_exchange_n(p, &old, val, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#endif /* !__ASSEMBLER__ */
#endif
