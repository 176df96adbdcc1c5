/*
 * A fake /dev/kvm for testing target/ppc/kvm.c without POWER hardware.
 *
 * Preloaded (LD_PRELOAD) into the powerpc64le build of the VMM running
 * under qemu-ppc64le, it interposes open/ioctl/mmap/close of /dev/kvm and
 * implements the subset of the KVM API the VMM uses, with the semantics of
 * Linux's KVM-HV (Documentation/virt/kvm/api.rst, arch/powerpc/kvm/
 * powerpc.c, book3s_hv.c). Guest code runs on this project's interpreter
 * (target/ppc/interp), linked in here with every symbol but the interposed
 * functions kept local (tests/kvm/fake-kvm.map), so the VMM's own copy of
 * the interpreter and its hooks are never mixed up with the fake's.
 *
 * Kernel behaviour reproduced:
 *   - KVM_RUN: after a KVM_EXIT_PAPR_HCALL, r3..r12 are loaded from
 *     run->papr_hcall (ret, args[0..8]) first; run->immediate_exit or a
 *     signal that the KVM_SET_SIGNAL_MASK mask leaves unblocked and that is
 *     pending makes it return -EINTR with KVM_EXIT_INTR (checked at entry,
 *     between slices and while ceded); the signal stays pending.
 *   - hypercalls: H_CEDE is handled "in the kernel" (the vCPU waits for
 *     its decrementer or the KVM_INTERRUPT line, with EE set); every other
 *     one exits with KVM_EXIT_PAPR_HCALL.
 *   - a guest access to a guest real address outside the memory slot is
 *     emulated MMIO: KVM_EXIT_MMIO.
 *   - a hardware machine check (test hook below): before KVM_CAP_PPC_FWNMI
 *     is enabled the kernel delivers 0x200 itself with SRR1 = MSR |
 *     (cause & 0x083c0000), DAR/DSISR as the hardware set them
 *     (book3s_hv kvmppc_handle_exit_hv); after it, KVM_EXIT_NMI with the
 *     disposition in run->flags, NIP at the instruction, SRR0/SRR1/DAR/
 *     DSISR as the interrupt left them.
 *   - KVM_ENABLE_CAP KVM_CAP_PPC_FWNMI on a vCPU turns it on VM-wide.
 *   - KVM_SET_SREGS refuses a PVR other than the host's (-EINVAL).
 *
 * Test hooks (environment):
 *   FAKE_KVM_UE_FROM=ADDR   guest real addresses >= ADDR raise a hardware
 *                           UE machine check instead of MMIO
 *   FAKE_KVM_UE_DISP=recovered|limited|not   disposition (default recovered)
 *   FAKE_KVM_NO_FWNMI=1     the kernel lacks KVM_CAP_PPC_FWNMI
 *   FAKE_KVM_RUN_EFAULT=N   the N-th KVM_RUN (counted over all vCPUs) fails -EFAULT
 *   FAKE_KVM_RUN_EINTR=N    every N-th KVM_RUN returns -EINTR at entry (spurious)
 *   FAKE_KVM_LOG=1          print the fake's events on stderr
 *
 * Locking: fake_lock guards the descriptor table and the VM; a vCPU's
 * state is used only by the thread in its KVM_RUN or ioctl (as in Linux,
 * vCPU ioctls are serialised per vCPU by the caller here).
 */
/* Define open and open64 (mmap, mmap64) as the two symbols they are:
 * with 64-bit offsets the headers would rename open to open64. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "system/clock.h"
#include "target/ppc/interp.h"

#define FAKE_MAX_FDS    256
#define FAKE_MAX_VCPUS  64
#define FAKE_SLICE      20000       /* instructions between signal checks */
#define FAKE_RUN_SIZE   (2 * 4096)
#define MC_SRR1_KERNEL  0x083c0000ULL   /* book3s_hv: SRR1 bits given to 0x200 */
#define LPCR_KVM_MASK   LPCR_ILE        /* what kvmppc_set_lpcr lets us set here */
#define PVR_ARCH_300    0x0F000005U
#define H_CEDE_NR       0xE0

typedef struct FakeVcpu {
    PowerPCCPU cpu;             /* first: container_of from the interp hooks */
    int id;
    struct kvm_run *run;
    bool papr;
    bool hcall_needed;
    bool ceded;
    bool exit_pending;          /* run->exit_reason etc. filled by a hook */
    uint8_t sigmask[8];         /* KVM_SET_SIGNAL_MASK, bit n-1 = signal n */
    bool have_sigmask;
} FakeVcpu;

enum { FD_NONE, FD_KVM, FD_VM, FD_VCPU };

static GMutex fake_lock;
static struct {
    int kind;
    FakeVcpu *vcpu;
} fds[FAKE_MAX_FDS];

static struct {
    bool created;
    bool fwnmi_enabled;
    GuestMemory ram;            /* the memory slot (host = userspace_addr) */
    PPCRadixPartition part;
    FakeVcpu *vcpus[FAKE_MAX_VCPUS];
    uint64_t runs;              /* KVM_RUN calls, all vCPUs (atomic) */
} vm;

static struct {
    bool no_fwnmi;
    uint64_t ue_from;
    unsigned ue_disp;
    uint64_t efault_at, eintr_every;
    bool log;
} cfg = { .ue_from = UINT64_MAX, .ue_disp = KVM_RUN_PPC_NMI_DISP_FULLY_RECOV };

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

static void fake_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void fake_log(const char *fmt, ...)
{
    if (!cfg.log) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fake-kvm: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

__attribute__((constructor)) static void fake_init(void)
{
    real_open = dlsym(RTLD_NEXT, "open");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_close = dlsym(RTLD_NEXT, "close");
    real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    real_mmap = dlsym(RTLD_NEXT, "mmap");
    cfg.no_fwnmi = env_u64("FAKE_KVM_NO_FWNMI", 0) != 0;
    cfg.ue_from = env_u64("FAKE_KVM_UE_FROM", UINT64_MAX);
    const char *d = getenv("FAKE_KVM_UE_DISP");
    if (d && !strcmp(d, "limited")) {
        cfg.ue_disp = KVM_RUN_PPC_NMI_DISP_LIMITED_RECOV;
    } else if (d && !strcmp(d, "not")) {
        cfg.ue_disp = KVM_RUN_PPC_NMI_DISP_NOT_RECOV;
    }
    cfg.efault_at = env_u64("FAKE_KVM_RUN_EFAULT", 0);
    cfg.eintr_every = env_u64("FAKE_KVM_RUN_EINTR", 0);
    cfg.log = env_u64("FAKE_KVM_LOG", 0) != 0;
    vm_clock_init(false);
}

/* A real descriptor (of /dev/null) stands for each fake object. */
static int fake_new_fd(int kind, FakeVcpu *v)
{
    int fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    if (fd >= FAKE_MAX_FDS) {
        real_close(fd);
        errno = EMFILE;
        return -1;
    }
    g_mutex_lock(&fake_lock);
    fds[fd].kind = kind;
    fds[fd].vcpu = v;
    g_mutex_unlock(&fake_lock);
    return fd;
}

static int fake_kind(int fd, FakeVcpu **v)
{
    if (fd < 0 || fd >= FAKE_MAX_FDS) {
        return FD_NONE;
    }
    g_mutex_lock(&fake_lock);
    int kind = fds[fd].kind;
    if (v) {
        *v = fds[fd].vcpu;
    }
    g_mutex_unlock(&fake_lock);
    return kind;
}

/* ---- interposed libc functions ---- */

static bool is_dev_kvm(const char *path)
{
    return path && !strcmp(path, "/dev/kvm");
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_dev_kvm(path)) {
        fake_log("open /dev/kvm");
        return fake_new_fd(FD_KVM, NULL);
    }
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (is_dev_kvm(path)) {
        return fake_new_fd(FD_KVM, NULL);
    }
    return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

int close(int fd)
{
    int kind = fake_kind(fd, NULL);
    if (kind != FD_NONE) {
        g_mutex_lock(&fake_lock);
        fds[fd].kind = FD_NONE;
        g_mutex_unlock(&fake_lock);
    }
    return real_close(fd);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    FakeVcpu *v;
    if (fake_kind(fd, &v) == FD_VCPU && off == 0 && len <= FAKE_RUN_SIZE) {
        return v->run;
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));

/* ---- /dev/kvm and the VM ---- */

static long fake_check_extension(long cap)
{
    switch (cap) {
    case KVM_CAP_PPC_PAPR:
    case KVM_CAP_PPC_MMU_RADIX:
    case KVM_CAP_ONE_REG:
        return 1;
    case KVM_CAP_PPC_FWNMI:
        return !cfg.no_fwnmi;
    default:
        return 0;
    }
}

static long fake_kvm_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_GET_API_VERSION:
        return KVM_API_VERSION;
    case KVM_CHECK_EXTENSION:
        return fake_check_extension((long)arg);
    case KVM_GET_VCPU_MMAP_SIZE:
        return FAKE_RUN_SIZE;
    case KVM_CREATE_VM:
        if ((long)arg != KVM_VM_PPC_HV || vm.created) {
            return -EINVAL;
        }
        vm.created = true;
        ppc_radix_partition_reset(&vm.part);
        return fake_new_fd(FD_VM, NULL);
    default:
        return -EINVAL;
    }
}

static FakeVcpu *fake_vcpu_create(int id)
{
    FakeVcpu *v = g_new0(FakeVcpu, 1);
    v->id = id;
    v->cpu.index = id;
    v->cpu.radix = &vm.part;
    ppc_cpu_reset(&v->cpu);
    v->cpu.env.lpcr = 0;
    v->run = real_mmap(NULL, FAKE_RUN_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return v;
}

static long fake_vm_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_CHECK_EXTENSION:
        return fake_check_extension((long)arg);
    case KVM_SET_USER_MEMORY_REGION: {
        struct kvm_userspace_memory_region *m = arg;
        if (m->slot != 0 || m->guest_phys_addr != 0 || (m->memory_size & 0xfff)) {
            return -EINVAL;
        }
        vm.ram.host = (uint8_t *)(uintptr_t)m->userspace_addr;
        vm.ram.size = m->memory_size;
        g_mutex_init(&vm.ram.poison_lock);
        vm.ram.poisoned = g_hash_table_new(g_direct_hash, g_direct_equal);
        fake_log("memory slot 0: %llu MiB", (unsigned long long)(m->memory_size >> 20));
        return 0;
    }
    case KVM_CREATE_VCPU: {
        long id = (long)arg;
        if (id < 0 || id >= FAKE_MAX_VCPUS || vm.vcpus[id]) {
            return -EINVAL;
        }
        vm.vcpus[id] = fake_vcpu_create((int)id);
        return fake_new_fd(FD_VCPU, vm.vcpus[id]);
    }
    case KVM_PPC_CONFIGURE_V3_MMU: {
        struct kvm_ppc_mmuv3_cfg *c = arg;
        if (c->flags & ~(uint64_t)(KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE)) {
            return -EINVAL;
        }
        if (!(c->flags & KVM_PPC_MMUV3_RADIX)) {
            return -EINVAL;     /* a radix-only fake: no HPT */
        }
        g_mutex_lock(&fake_lock);
        ppc_radix_partition_set(&vm.part, (c->process_table & PATE1_GR) != 0,
                                c->process_table & PATE1_PRTB,
                                (unsigned)(c->process_table & PATE1_PRTS));
        g_mutex_unlock(&fake_lock);
        fake_log("KVM_PPC_CONFIGURE_V3_MMU process table 0x%llx",
                 (unsigned long long)c->process_table);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

/* ---- vCPU ---- */

/* KVM_SET_ONE_REG copies from the caller's buffer, KVM_GET_ONE_REG to it. */
static void one_reg_copy(bool set, void *field, void *user, size_t size)
{
    if (set) {
        memcpy(field, user, size);
    } else {
        memcpy(user, field, size);
    }
}

static long fake_one_reg(FakeVcpu *v, bool set, struct kvm_one_reg *reg)
{
    CPUPPCState *env = &v->cpu.env;
    void *addr = (void *)(uintptr_t)reg->addr;
    uint64_t val64 = 0;
    uint32_t val32 = 0;

    switch (reg->id) {
    case KVM_REG_PPC_DAR:
        one_reg_copy(set, &env->dar, addr, 8);
        return 0;
    case KVM_REG_PPC_DSISR:
        one_reg_copy(set, &env->dsisr, addr, 4);
        return 0;
    case KVM_REG_PPC_LPCR_64:
        if (set) {
            memcpy(&val64, addr, 8);
            env->lpcr = (env->lpcr & ~LPCR_KVM_MASK) | (val64 & LPCR_KVM_MASK);
        } else {
            memcpy(addr, &env->lpcr, 8);
        }
        return 0;
    case KVM_REG_PPC_ARCH_COMPAT:
        if (!set) {
            return -EINVAL;
        }
        memcpy(&val32, addr, 4);
        return val32 == PVR_ARCH_300 || val32 == 0 ? 0 : -EINVAL;
    default:
        return -EINVAL;
    }
}

static void fake_get_regs(FakeVcpu *v, struct kvm_regs *r)
{
    CPUPPCState *env = &v->cpu.env;
    memset(r, 0, sizeof(*r));
    r->pc = env->nip;
    r->cr = env->cr;
    r->ctr = env->ctr;
    r->lr = env->lr;
    r->xer = env->xer;
    r->msr = env->msr;
    r->srr0 = env->srr0;
    r->srr1 = env->srr1;
    r->pid = env->pidr;
    r->sprg0 = env->sprg[0];
    r->sprg1 = env->sprg[1];
    r->sprg2 = env->sprg[2];
    r->sprg3 = env->sprg[3];
    memcpy(r->gpr, env->gpr, sizeof(r->gpr));
}

static void fake_set_regs(FakeVcpu *v, const struct kvm_regs *r)
{
    CPUPPCState *env = &v->cpu.env;
    env->nip = r->pc;
    env->cr = (uint32_t)r->cr;
    env->ctr = r->ctr;
    env->lr = r->lr;
    env->xer = r->xer;
    env->msr = r->msr;
    env->srr0 = r->srr0;
    env->srr1 = r->srr1;
    env->pidr = r->pid;
    env->sprg[0] = r->sprg0;
    env->sprg[1] = r->sprg1;
    env->sprg[2] = r->sprg2;
    env->sprg[3] = r->sprg3;
    memcpy(env->gpr, r->gpr, sizeof(env->gpr));
}

/* signal_pending() as the kernel sees it inside KVM_RUN. */
static bool fake_signal_pending(FakeVcpu *v)
{
    sigset_t pend;

    if (sigpending(&pend) < 0) {
        return false;
    }
    for (int sig = 1; sig <= 64; sig++) {
        bool blocked_in_run = v->have_sigmask &&
                              (v->sigmask[(sig - 1) / 8] & (1u << ((sig - 1) % 8)));
        if (sigismember(&pend, sig) == 1 && !blocked_in_run) {
            return true;
        }
    }
    return false;
}

static long fake_exit_intr(FakeVcpu *v)
{
    v->run->exit_reason = KVM_EXIT_INTR;
    return -EINTR;
}

/* H_CEDE in the kernel: wait for the decrementer or the interrupt line. */
static long fake_cede_wait(FakeVcpu *v)
{
    PowerPCCPU *cpu = &v->cpu;

    while ((cpu->env.msr & MSR_EE) &&
           !(ppc_cpu_get_dec(cpu) & 0x80000000U) &&
           !__atomic_load_n(&cpu->irq_pending, __ATOMIC_ACQUIRE)) {
        if (fake_signal_pending(v) || v->run->immediate_exit) {
            return fake_exit_intr(v);
        }
        g_usleep(200);
    }
    v->ceded = false;
    return 0;
}

static long fake_run(FakeVcpu *v)
{
    struct kvm_run *run = v->run;
    CPUPPCState *env = &v->cpu.env;
    uint64_t n = __atomic_add_fetch(&vm.runs, 1, __ATOMIC_RELAXED);

    if (v->hcall_needed) {
        env->gpr[3] = run->papr_hcall.ret;
        for (int i = 0; i < 9; i++) {
            env->gpr[4 + i] = run->papr_hcall.args[i];
        }
        v->hcall_needed = false;
    }
    if (cfg.efault_at && n == cfg.efault_at) {
        fake_log("vcpu %d: KVM_RUN -> -EFAULT (test hook)", v->id);
        return -EFAULT;
    }
    if (run->immediate_exit || (cfg.eintr_every && n % cfg.eintr_every == 0)) {
        return fake_exit_intr(v);
    }
    for (;;) {
        if (fake_signal_pending(v)) {
            return fake_exit_intr(v);
        }
        if (v->ceded) {
            long r = fake_cede_wait(v);
            if (r < 0) {
                return r;
            }
        }
        v->exit_pending = false;
        v->cpu.exit_request = 0;
        ppc_interp_run(&v->cpu, &vm.ram, FAKE_SLICE);
        if (v->exit_pending) {
            return 0;
        }
    }
}

static long fake_vcpu_ioctl(FakeVcpu *v, unsigned long req, void *arg)
{
    switch (req) {
    case KVM_RUN:
        if (!vm.ram.host) {
            return -EFAULT;
        }
        return fake_run(v);
    case KVM_GET_REGS:
        fake_get_regs(v, arg);
        return 0;
    case KVM_SET_REGS:
        fake_set_regs(v, arg);
        return 0;
    case KVM_GET_SREGS: {
        struct kvm_sregs *s = arg;
        memset(s, 0, sizeof(*s));
        s->pvr = PVR_POWER9;        /* the host's */
        return 0;
    }
    case KVM_SET_SREGS:
        return ((struct kvm_sregs *)arg)->pvr == PVR_POWER9 ? 0 : -EINVAL;
    case KVM_GET_ONE_REG:
    case KVM_SET_ONE_REG:
        return fake_one_reg(v, req == KVM_SET_ONE_REG, arg);
    case KVM_ENABLE_CAP: {
        struct kvm_enable_cap *c = arg;
        if (c->flags) {
            return -EINVAL;
        }
        if (c->cap == KVM_CAP_PPC_PAPR) {
            v->papr = true;
            return 0;
        }
        if (c->cap == KVM_CAP_PPC_FWNMI && !cfg.no_fwnmi) {
            vm.fwnmi_enabled = true;    /* VM-wide, as powerpc.c */
            fake_log("vcpu %d: KVM_CAP_PPC_FWNMI enabled", v->id);
            return 0;
        }
        return -EINVAL;
    }
    case KVM_SET_SIGNAL_MASK: {
        struct kvm_signal_mask *m = arg;
        if (!m) {
            v->have_sigmask = false;
            return 0;
        }
        if (m->len != sizeof(v->sigmask)) {
            return -EINVAL;
        }
        memcpy(v->sigmask, m->sigset, sizeof(v->sigmask));
        v->have_sigmask = true;
        return 0;
    }
    case KVM_INTERRUPT: {
        struct kvm_interrupt *irq = arg;
        if (irq->irq == KVM_INTERRUPT_UNSET) {
            __atomic_store_n(&v->cpu.irq_pending, 0, __ATOMIC_RELEASE);
        } else if (irq->irq == KVM_INTERRUPT_SET_LEVEL || irq->irq == KVM_INTERRUPT_SET) {
            __atomic_store_n(&v->cpu.irq_pending, 1, __ATOMIC_RELEASE);
        } else {
            return -EINVAL;
        }
        return 0;
    }
    default:
        return -EINVAL;
    }
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);

    FakeVcpu *v;
    long r;
    switch (fake_kind(fd, &v)) {
    case FD_KVM:
        r = fake_kvm_ioctl(req, arg);
        break;
    case FD_VM:
        r = fake_vm_ioctl(req, arg);
        break;
    case FD_VCPU:
        r = fake_vcpu_ioctl(v, req, arg);
        break;
    default:
        return real_ioctl(fd, req, arg);
    }
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}

/* ---- the interpreter's hooks: what the "hardware" does ---- */

bool ppc_hook_hypercall(PowerPCCPU *cpu)
{
    FakeVcpu *v = (FakeVcpu *)cpu;
    CPUPPCState *env = &cpu->env;

    if (env->gpr[3] == H_CEDE_NR) {
        env->msr |= MSR_EE;
        env->gpr[3] = H_SUCCESS;
        v->ceded = true;
        return true;
    }
    v->run->exit_reason = KVM_EXIT_PAPR_HCALL;
    v->run->papr_hcall.nr = env->gpr[3];
    for (int i = 0; i < 9; i++) {
        v->run->papr_hcall.args[i] = env->gpr[4 + i];
    }
    v->hcall_needed = true;
    v->exit_pending = true;
    return true;
}

void ppc_hook_machine_check_access(PowerPCCPU *cpu, uint64_t ea, uint64_t ra,
                                   PPCAccessKind kind)
{
    FakeVcpu *v = (FakeVcpu *)cpu;
    CPUPPCState *env = &cpu->env;
    struct kvm_run *run = v->run;

    if (ra < cfg.ue_from) {
        /* No memory slot there: emulated MMIO, which this VMM has none of. */
        run->exit_reason = KVM_EXIT_MMIO;
        run->mmio.phys_addr = ra;
        run->mmio.len = 8;
        run->mmio.is_write = kind == PPC_ACCESS_STORE;
        v->exit_pending = true;
        cpu->exit_request = 1;      /* leave ppc_interp_run now */
        return;
    }
    /* The hardware raises a UE machine check (POWER9 cause encoding). */
    uint64_t cause;
    if (kind == PPC_ACCESS_IFETCH || kind == PPC_ACCESS_IFETCH_TABLEWALK) {
        cause = kind == PPC_ACCESS_IFETCH ? SRR1_MC_IFETCH_UE : SRR1_MC_IFETCH_UE_PTW;
    } else {
        cause = SRR1_MC_LOADSTORE;
        env->dsisr = kind == PPC_ACCESS_TABLEWALK ? DSISR_MC_UE_TABLEWALK : DSISR_MC_UE;
        env->dar = ea;
    }
    if (!vm.fwnmi_enabled) {
        /* book3s_hv: no FWNMI, the kernel queues 0x200 for the guest. */
        ppc_cpu_do_interrupt(cpu, EXCP_MACHINE_CHECK, env->nip, cause & MC_SRR1_KERNEL);
        fake_log("vcpu %d: machine check at 0x%llx delivered to 0x200 by the kernel",
                 v->id, (unsigned long long)ea);
        return;
    }
    env->srr0 = env->nip;
    env->srr1 = (env->msr & ~SRR1_CAUSE_MASK) | (cause & SRR1_CAUSE_MASK);
    run->exit_reason = KVM_EXIT_NMI;
    run->hw.hardware_exit_reason = EXCP_MACHINE_CHECK;
    run->flags = (run->flags & ~(uint16_t)KVM_RUN_PPC_NMI_DISP_MASK) | cfg.ue_disp;
    v->exit_pending = true;
    cpu->exit_request = 1;
    fake_log("vcpu %d: machine check at 0x%llx: KVM_EXIT_NMI disposition %u",
             v->id, (unsigned long long)ea, cfg.ue_disp);
}
