/*
 * KVM accelerator for POWER hosts with KVM-HV (include/target/ppc/kvm_ppc.h).
 *
 * Facts from Linux's Documentation/virt/kvm/api.rst and
 * arch/powerpc/kvm/{powerpc.c,book3s_hv.c}; every number comes from the
 * real <linux/kvm.h> and <asm/kvm.h>.
 *
 * Threads and locks:
 *   - kvm_state (the /dev/kvm and VM descriptors, the capabilities found,
 *     the MMU configuration last given to KVM) is written at start-up and
 *     afterwards only under the BQL;
 *   - a KVMVCpu belongs to its vCPU thread: only that thread issues ioctls
 *     on its descriptor and touches its kvm_run, with or without the BQL.
 *     The one exception is the kick (kvm_vcpu_kick): any thread sends
 *     SIG_IPI to the vCPU thread, which only reads the thread id written
 *     before the threads started.
 *   - the register state (CPUPPCState) follows target/ppc/cpu.h: it is
 *     copied from KVM after every exit and back before every KVM_RUN by the
 *     vCPU thread, so while the vCPU is outside KVM_RUN the machine code
 *     (hypercalls, FWNMI, queued work, monitor) sees it exactly as with the
 *     software CPU.
 *
 * Kicks, as QEMU did with KVM_SET_SIGNAL_MASK: SIG_IPI is blocked in the
 * vCPU thread and unblocked only inside KVM_RUN (the kernel swaps in the
 * mask given with KVM_SET_SIGNAL_MASK). A kick that lands outside KVM_RUN
 * stays pending and makes the next KVM_RUN return -EINTR at once, so it is
 * never lost; after an -EINTR the pending signal is eaten with sigtimedwait.
 */
#include "target/ppc/kvm_ppc.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hw/ppc/spapr.h"
#include "system/bql.h"
#include "system/cpus.h"
#include "system/trace.h"

#define SIG_IPI             SIGUSR1
#define KVM_SIGSET_BYTES    8           /* the kernel's sigset_t on ppc64 */
#define PVR_ARCH_300        0x0F000005U /* logical PVR: ISA 3.00 (POWER9) */
#define LPCR_GUEST_OWNED    LPCR_ILE    /* the LPCR bits this machine sets */
#define KVM_RI_POLL_NS      1000000     /* see kvm_arm_ri_timer() */

typedef struct KVMVCpu KVMVCpu;

struct KVMVCpu {
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    volatile int thread_valid;  /* thread is set: kicks may signal it */
    int irq_level;              /* external interrupt line as given to KVM */
    uint64_t lpcr;              /* LPCR as KVM has it */
    timer_t ri_timer;           /* kicks the vCPU while a machine check waits for RI */
    bool have_ri_timer;
};

static struct {
    int fd;                     /* /dev/kvm */
    int vmfd;
    long run_size;              /* KVM_GET_VCPU_MMAP_SIZE */
    bool cap_fwnmi;             /* KVM_CAP_PPC_FWNMI offered */
    bool fwnmi_on;              /* enabled (VM-wide, never turned off) */
    uint64_t mmu_proc_tbl;      /* process table last configured, 0: none */
} kvm_state = { .fd = -1, .vmfd = -1 };

static bool kvm_on;             /* set once at start-up */

bool kvm_built(void)
{
    return true;
}

bool kvm_enabled(void)
{
    return kvm_on;
}

/* ioctl, retried when a signal interrupts it (not for KVM_RUN). */
static int kvm_ioctl(int fd, unsigned long req, void *arg)
{
    int r;
    do {
        r = ioctl(fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

static int kvm_check_extension(int fd, long cap)
{
    int r = kvm_ioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);
    return r < 0 ? 0 : r;
}

static int kvm_vcpu_enable_cap(KVMVCpu *v, uint32_t cap)
{
    struct kvm_enable_cap ec = { .cap = cap };
    return kvm_ioctl(v->fd, KVM_ENABLE_CAP, &ec);
}

static int kvm_one_reg(KVMVCpu *v, bool set, uint64_t id, void *addr)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)addr };
    return kvm_ioctl(v->fd, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg);
}

/* ---- register state ---- */

static int kvm_get_registers(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    CPUPPCState *env = &cpu->env;
    struct kvm_regs regs;
    uint64_t dar;
    uint32_t dsisr;
    int r;

    if ((r = kvm_ioctl(v->fd, KVM_GET_REGS, &regs)) < 0 ||
        (r = kvm_one_reg(v, false, KVM_REG_PPC_DAR, &dar)) < 0 ||
        (r = kvm_one_reg(v, false, KVM_REG_PPC_DSISR, &dsisr)) < 0) {
        return r;
    }
    env->nip = regs.pc;
    env->cr = (uint32_t)regs.cr;
    env->ctr = regs.ctr;
    env->lr = regs.lr;
    env->xer = regs.xer;
    env->msr = regs.msr;
    env->srr0 = regs.srr0;
    env->srr1 = regs.srr1;
    env->pidr = regs.pid;
    env->sprg[0] = regs.sprg0;
    env->sprg[1] = regs.sprg1;
    env->sprg[2] = regs.sprg2;
    env->sprg[3] = regs.sprg3;
    memcpy(env->gpr, regs.gpr, sizeof(env->gpr));
    env->dar = dar;
    env->dsisr = dsisr;
    return 0;
}

static int kvm_put_registers(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    CPUPPCState *env = &cpu->env;
    struct kvm_regs regs;
    uint64_t dar = env->dar;
    uint32_t dsisr = env->dsisr;
    int r;

    /* sprg4-7 are not part of CPUPPCState: keep what KVM has. */
    if ((r = kvm_ioctl(v->fd, KVM_GET_REGS, &regs)) < 0) {
        return r;
    }
    regs.pc = env->nip;
    regs.cr = env->cr;
    regs.ctr = env->ctr;
    regs.lr = env->lr;
    regs.xer = env->xer;
    regs.msr = env->msr;
    regs.srr0 = env->srr0;
    regs.srr1 = env->srr1;
    regs.pid = env->pidr;
    regs.sprg0 = env->sprg[0];
    regs.sprg1 = env->sprg[1];
    regs.sprg2 = env->sprg[2];
    regs.sprg3 = env->sprg[3];
    memcpy(regs.gpr, env->gpr, sizeof(regs.gpr));
    if ((r = kvm_ioctl(v->fd, KVM_SET_REGS, &regs)) < 0 ||
        (r = kvm_one_reg(v, true, KVM_REG_PPC_DAR, &dar)) < 0 ||
        (r = kvm_one_reg(v, true, KVM_REG_PPC_DSISR, &dsisr)) < 0) {
        return r;
    }
    uint64_t lpcr = (v->lpcr & ~LPCR_GUEST_OWNED) | (env->lpcr & LPCR_GUEST_OWNED);
    if (lpcr != v->lpcr) {
        if ((r = kvm_one_reg(v, true, KVM_REG_PPC_LPCR_64, &lpcr)) < 0) {
            return r;
        }
        v->lpcr = lpcr;
    }
    /*
     * After a hypercall exit KVM_RUN first loads r3..r12 from
     * run->papr_hcall (ret, args[]), over what KVM_SET_REGS wrote: make
     * them what the machine left in the registers, which may have changed
     * since (a system reset the vCPU sent itself).
     */
    if (v->run->exit_reason == KVM_EXIT_PAPR_HCALL) {
        v->run->papr_hcall.ret = env->gpr[3];
        for (int i = 0; i < 9; i++) {
            v->run->papr_hcall.args[i] = env->gpr[4 + i];
        }
    }
    return 0;
}

/* ---- start-up ---- */

static int kvm_vcpu_set_pvr(PowerPCCPU *cpu, GError **error)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    struct kvm_sregs sregs;
    int r = kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs);

    if (r < 0) {
        goto fail;
    }
    sregs.pvr = cpu->env.pvr;
    if (kvm_ioctl(v->fd, KVM_SET_SREGS, &sregs) == 0) {
        return 0;
    }
    /*
     * KVM-HV cannot spoof the PVR: the guest sees the host's. Keep it, and
     * ask for ISA 3.00 compatibility mode so a newer host behaves as the
     * POWER9 the device tree describes.
     */
    if ((r = kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs)) < 0) {
        goto fail;
    }
    uint32_t compat = PVR_ARCH_300;
    if ((r = kvm_one_reg(v, true, KVM_REG_PPC_ARCH_COMPAT, &compat)) < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: the host CPU (PVR 0x%08x) can run neither as POWER9 "
                    "nor in ISA 3.00 compatibility mode: %s", sregs.pvr, g_strerror(-r));
        return -1;
    }
    cpu->env.pvr = sregs.pvr;
    return 0;
fail:
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "-accel kvm: KVM_GET_SREGS (vCPU %d): %s", cpu->index, g_strerror(-r));
    return -1;
}

static int kvm_vcpu_create(SpaprMachineState *spapr, PowerPCCPU *cpu, GError **error)
{
    KVMVCpu *v = g_new0(KVMVCpu, 1);
    const char *what;
    int r;

    cpu->kvm_vcpu = v;
    v->fd = -1;
    what = "KVM_CREATE_VCPU";
    if ((r = kvm_ioctl(kvm_state.vmfd, KVM_CREATE_VCPU, (void *)(long)cpu->index)) < 0) {
        goto fail;
    }
    v->fd = r;
    v->run = mmap(NULL, (size_t)kvm_state.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                  v->fd, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        r = -errno;
        what = "mmap of kvm_run";
        goto fail;
    }
    what = "KVM_ENABLE_CAP KVM_CAP_PPC_PAPR";
    if ((r = kvm_vcpu_enable_cap(v, KVM_CAP_PPC_PAPR)) < 0) {
        goto fail;
    }
    what = "KVM_GET_ONE_REG LPCR";
    if ((r = kvm_one_reg(v, false, KVM_REG_PPC_LPCR_64, &v->lpcr)) < 0) {
        goto fail;
    }
    if (kvm_vcpu_set_pvr(cpu, error) < 0) {
        return -1;
    }
    (void)spapr;
    return 0;
fail:
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "-accel kvm: vCPU %d: %s failed: %s", cpu->index, what, g_strerror(-r));
    return -1;
}

static void sig_ipi_handler(int sig)
{
    (void)sig;      /* only interrupts KVM_RUN */
}

int kvm_ppc_init(SpaprMachineState *spapr, GError **error)
{
    int r;

    kvm_state.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_state.fd < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: Could not access KVM kernel module: %s",
                    g_strerror(errno));
        return -1;
    }
    r = kvm_ioctl(kvm_state.fd, KVM_GET_API_VERSION, NULL);
    if (r != KVM_API_VERSION) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: KVM API version %d, this VMM needs %d", r, KVM_API_VERSION);
        return -1;
    }
    r = kvm_ioctl(kvm_state.fd, KVM_CREATE_VM, (void *)(long)KVM_VM_PPC_HV);
    if (r < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: cannot create a KVM-HV VM (is the kvm_hv module loaded?): %s",
                    g_strerror(-r));
        return -1;
    }
    kvm_state.vmfd = r;
    if (!kvm_check_extension(kvm_state.vmfd, KVM_CAP_PPC_MMU_RADIX)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: KVM cannot run radix guests (KVM_CAP_PPC_MMU_RADIX): "
                    "this machine has no hash MMU, a POWER9 or later host is needed");
        return -1;
    }
    /* As QEMU's cap_fwnmi_apply(): cap-fwnmi=on needs the kernel's exit. */
    kvm_state.cap_fwnmi = kvm_check_extension(kvm_state.vmfd, KVM_CAP_PPC_FWNMI) > 0;
    if (spapr->caps.fwnmi && !kvm_state.cap_fwnmi) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "Firmware Assisted Non-Maskable Interrupts(FWNMI) not supported by "
                    "KVM. Try appending -machine cap-fwnmi=off");
        return -1;
    }
    struct kvm_userspace_memory_region mem = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = spapr->ram.size,
        .userspace_addr = (uintptr_t)spapr->ram.host,
    };
    if ((r = kvm_ioctl(kvm_state.vmfd, KVM_SET_USER_MEMORY_REGION, &mem)) < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: KVM_SET_USER_MEMORY_REGION: %s", g_strerror(-r));
        return -1;
    }
    kvm_state.run_size = kvm_ioctl(kvm_state.fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
    if (kvm_state.run_size < (long)sizeof(struct kvm_run)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-accel kvm: KVM_GET_VCPU_MMAP_SIZE: %s",
                    kvm_state.run_size < 0 ? g_strerror((int)-kvm_state.run_size) : "too small");
        return -1;
    }
    for (int i = 0; i < spapr->smp_cpus; i++) {
        if (kvm_vcpu_create(spapr, spapr->cpus[i], error) < 0) {
            return -1;
        }
    }
    struct sigaction sa = { .sa_handler = sig_ipi_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_IPI, &sa, NULL);
    kvm_on = true;
    trace_event("kvm", "KVM-HV VM: %d vCPUs, %" G_GUINT64_FORMAT " MiB, FWNMI %s",
                spapr->smp_cpus, spapr->ram.size >> 20,
                kvm_state.cap_fwnmi ? "available" : "not available");
    return 0;
}

int kvm_ppc_set_fwnmi(PowerPCCPU *cpu)
{
    if (kvm_state.fwnmi_on) {
        return 0;
    }
    int r = kvm_vcpu_enable_cap(cpu->kvm_vcpu, KVM_CAP_PPC_FWNMI);
    if (r == 0) {
        kvm_state.fwnmi_on = true;
        trace_event("kvm", "cpu %d: KVM_CAP_PPC_FWNMI enabled", cpu->index);
    }
    return r;
}

/* ---- the vCPU thread ---- */

static void kvm_vcpu_kick(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    if (__atomic_load_n(&v->thread_valid, __ATOMIC_ACQUIRE)) {
        pthread_kill(v->thread, SIG_IPI);
    }
}

/* The machine cannot go on: one line, then stop (exit 1 unless watched). */
static void kvm_fatal(PowerPCCPU *cpu, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void kvm_fatal(PowerPCCPU *cpu, const char *fmt, ...)
{
    SpaprMachineState *spapr = cpu->machine;
    va_list ap;

    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    bql_lock();
    error_report("KVM: CPU %d: %s; machine stopped", cpu->index, msg);
    spapr->exit_code = 1;
    if (spapr->runstate == RUN_STATE_RUNNING) {
        runstate_set(spapr, RUN_STATE_PAUSED);
    }
    if (spapr->exit_on_panic) {
        spapr_request_quit(spapr);
    }
    bql_unlock();
}

static void kvm_thread_init(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    sigset_t set, run_mask;

    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_BLOCK, &set, &run_mask);
    sigdelset(&run_mask, SIG_IPI);
    /* While in KVM_RUN: the thread's mask without SIG_IPI. */
    struct kvm_signal_mask *m = g_malloc0(sizeof(*m) + sizeof(sigset_t));
    m->len = KVM_SIGSET_BYTES;
    memcpy(m->sigset, &run_mask, KVM_SIGSET_BYTES);
    int r = kvm_ioctl(v->fd, KVM_SET_SIGNAL_MASK, m);
    g_free(m);
    if (r < 0) {
        error_report("KVM: CPU %d: KVM_SET_SIGNAL_MASK: %s", cpu->index, g_strerror(-r));
    }
    /* A one-shot SIG_IPI to this thread: see kvm_arm_ri_timer(). */
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIG_IPI };
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);  /* sigev_notify_thread_id: glibc >= 2.41 */
    v->have_ri_timer = timer_create(CLOCK_MONOTONIC, &sev, &v->ri_timer) == 0;
    v->thread = pthread_self();
    __atomic_store_n(&v->thread_valid, 1, __ATOMIC_RELEASE);
    cpu->accel_kick = kvm_vcpu_kick;
}

/* Consume kicks that arrived while SIG_IPI was blocked. */
static void kvm_eat_signals(void)
{
    struct timespec zero = { 0, 0 };
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    while (sigtimedwait(&set, NULL, &zero) > 0) {
        continue;
    }
}

/* Give KVM the radix process table the guest registered (BQL held). */
static void kvm_sync_mmu(PowerPCCPU *cpu)
{
    uint64_t tbl = cpu->machine->radix.proc_tbl;

    if (!(tbl & PATE1_GR) || tbl == kvm_state.mmu_proc_tbl) {
        return;     /* no hash MMU here: only radix tables are given */
    }
    struct kvm_ppc_mmuv3_cfg cfg = {
        .flags = KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE,
        .process_table = tbl,
    };
    int r = kvm_ioctl(kvm_state.vmfd, KVM_PPC_CONFIGURE_V3_MMU, &cfg);
    if (r < 0) {
        error_report("KVM: KVM_PPC_CONFIGURE_V3_MMU (process table 0x%" G_GINT64_MODIFIER
                     "x): %s", tbl, g_strerror(-r));
        return;
    }
    kvm_state.mmu_proc_tbl = tbl;
}

/* Before KVM_RUN, BQL held: the interrupt line and the MMU. */
static void kvm_pre_exec(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    int level = __atomic_load_n(&cpu->irq_pending, __ATOMIC_ACQUIRE) != 0;

    if (level != v->irq_level) {
        struct kvm_interrupt irq = {
            .irq = level ? KVM_INTERRUPT_SET_LEVEL : KVM_INTERRUPT_UNSET,
        };
        int r = kvm_ioctl(v->fd, KVM_INTERRUPT, &irq);
        if (r < 0) {
            error_report("KVM: CPU %d: KVM_INTERRUPT: %s", cpu->index, g_strerror(-r));
        } else {
            v->irq_level = level;
        }
    }
    kvm_sync_mmu(cpu);
}

static void kvm_handle_hcall(PowerPCCPU *cpu)
{
    struct kvm_run *run = cpu->kvm_vcpu->run;
    CPUPPCState *env = &cpu->env;
    bool stop;

    bql_lock();
    env->gpr[3] = run->papr_hcall.nr;
    for (int i = 0; i < 9; i++) {
        env->gpr[4 + i] = run->papr_hcall.args[i];
    }
    int64_t ret = spapr_hypercall(cpu->machine, cpu, run->papr_hcall.nr, &stop);
    env->gpr[3] = (uint64_t)ret;
    /* The registration is the guest's: hand it to KVM before it runs on. */
    if (run->papr_hcall.nr == H_REGISTER_PROC_TBL && ret == H_SUCCESS) {
        kvm_sync_mmu(cpu);
    }
    bql_unlock();
    /* run->papr_hcall is filled from the registers by kvm_put_registers(). */
}

/*
 * KVM_EXIT_NMI (book3s_hv, only once KVM_CAP_PPC_FWNMI is on): a machine
 * check hit the guest. KVM left SRR0/SRR1 (cause bits), DAR and DSISR as
 * the interrupt set them and NIP at the interrupted instruction; the
 * disposition is in run->flags. The same entry point as the software CPU's.
 */
static void kvm_handle_nmi(PowerPCCPU *cpu)
{
    struct kvm_run *run = cpu->kvm_vcpu->run;
    CPUPPCState *env = &cpu->env;
    unsigned disp = run->flags & KVM_RUN_PPC_NMI_DISP_MASK;
    SpaprMceInfo info = {
        .srr1 = env->srr1,
        .dsisr = env->dsisr,
        .dar = env->dar,
        .nip = env->nip,
        /* As QEMU: only "fully recovered" counts as recovered. */
        .recovered = disp == KVM_RUN_PPC_NMI_DISP_FULLY_RECOV,
        /* For a D-side error the interrupt set DAR to the access's EA. */
        .ea_known = (env->srr1 & SRR1_MC_LOADSTORE) != 0,
        .synchronous = true,
    };
    /* KVM does not pass the real address; with data translation off
     * (SRR1 holds the interrupted MSR) it is the EA itself. */
    if (info.ea_known && !(env->srr1 & MSR_DR)) {
        info.ra_known = true;
        info.ra = env->dar & PPC_REAL_ADDR_MASK;
    }

    bql_lock();
    trace_event("kvm", "cpu %d: KVM_EXIT_NMI disposition %u, srr1 0x%" G_GINT64_MODIFIER
                "x dsisr 0x%x dar 0x%" G_GINT64_MODIFIER "x", cpu->index, disp,
                env->srr1, env->dsisr, env->dar);
    if (spapr_mce_req_event(cpu->machine, cpu, &info) == SPAPR_MCE_IGNORED) {
        /* The instruction would only machine-check again. */
        g_autofree char *reason = g_strdup_printf(
            "nested synchronous machine check on CPU %d at NIP 0x%" G_GINT64_MODIFIER "x",
            cpu->index, env->nip);
        spapr_guest_panicked(cpu->machine, reason);
    }
    bql_unlock();
    /* Delivery is queued work for this vCPU: it runs before the next
     * KVM_RUN, and the registers it sets go to KVM then. */
}

/*
 * An injected machine check waiting for MSR[RI]=1 (hw/ppc/spapr_fwnmi.c)
 * is re-checked at every exit; the software CPU sees RI change at once,
 * KVM only when the vCPU exits. Make it exit every millisecond meanwhile.
 */
static void kvm_arm_ri_timer(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;

    if (v->have_ri_timer && __atomic_load_n(&cpu->mce_wait_ri, __ATOMIC_ACQUIRE)) {
        struct itimerspec its = { .it_value = { .tv_nsec = KVM_RI_POLL_NS } };
        timer_settime(v->ri_timer, 0, &its, NULL);
    }
}

static void kvm_exec(PowerPCCPU *cpu)
{
    KVMVCpu *v = cpu->kvm_vcpu;
    struct kvm_run *run = v->run;
    int r;

    if ((r = kvm_put_registers(cpu)) < 0) {
        kvm_fatal(cpu, "cannot set the registers: %s", g_strerror(-r));
        return;
    }
    if (__atomic_load_n(&cpu->exit_request, __ATOMIC_SEQ_CST)) {
        return;
    }
    kvm_arm_ri_timer(cpu);
    r = ioctl(v->fd, KVM_RUN, 0);
    int err = errno;
    int gr = kvm_get_registers(cpu);
    if (gr < 0) {
        kvm_fatal(cpu, "cannot read the registers: %s", g_strerror(-gr));
        return;
    }
    if (r < 0) {
        if (err == EINTR || err == EAGAIN) {
            kvm_eat_signals();      /* a kick */
            return;
        }
        kvm_fatal(cpu, "KVM_RUN failed: %s", g_strerror(err));
        return;
    }
    switch (run->exit_reason) {
    case KVM_EXIT_PAPR_HCALL:
        kvm_handle_hcall(cpu);
        break;
    case KVM_EXIT_NMI:
        kvm_handle_nmi(cpu);
        break;
    case KVM_EXIT_INTR:
        kvm_eat_signals();
        break;
    case KVM_EXIT_MMIO:
        kvm_fatal(cpu, "guest %s of %u bytes at 0x%llx (NIP 0x%" G_GINT64_MODIFIER
                  "x): no device there (KVM_EXIT_MMIO)",
                  run->mmio.is_write ? "store" : "load", run->mmio.len,
                  (unsigned long long)run->mmio.phys_addr, cpu->env.nip);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        kvm_fatal(cpu, "KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx",
                  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        kvm_fatal(cpu, "KVM_EXIT_INTERNAL_ERROR, suberror %u", run->internal.suberror);
        break;
    case KVM_EXIT_SHUTDOWN:
        kvm_fatal(cpu, "KVM_EXIT_SHUTDOWN");
        break;
    default:
        kvm_fatal(cpu, "unknown KVM exit reason %u", run->exit_reason);
        break;
    }
}

static const CpusAccelOps kvm_ops = {
    .thread_init = kvm_thread_init,
    .pre_exec = kvm_pre_exec,
    .exec = kvm_exec,
};

void kvm_ppc_start_threads(SpaprMachineState *spapr)
{
    cpus_start_threads_accel(spapr, &kvm_ops);
}
