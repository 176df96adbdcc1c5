/*
 * The "serve" scenario of the test init (included by init.c): obey
 * one-letter commands read from the console, so that a test driving the
 * VMM's monitor can make the guest do things between injections. Every
 * command is answered by at least one "INIT:" line.
 *
 *   t   map and touch a new page, print "INIT: page va V pa P"; from then
 *       on the page is read every tick (about 20 ms), as a process using
 *       its memory does
 *   w   start one busy worker process per online CPU but one
 *   h   print "INIT: alive N" (N counts the commands)
 *   q   power off
 *
 * A SIGBUS (Linux unmapped the touched page after a memory error) prints
 * "INIT: SIGBUS si_code=C si_addr=A", skips the faulting load and keeps
 * serving: the page is no longer read.
 */

static volatile uint64_t serve_loads;

/* The only load of the touched page, so that the SIGBUS handler knows
 * which instruction to skip. */
static uint64_t load_touched(volatile uint64_t *p)
{
    uint64_t v;
    __asm__ __volatile__(".globl serve_load_insn\nserve_load_insn:\n\tld %0, 0(%1)"
                         : "=r"(v) : "b"(p) : "memory");
    return v;
}

extern char serve_load_insn[];

/* ppc64 kernel ucontext: uc_mcontext at 168, its regs pointer at +56,
 * pointing to gp_regs (+64); NIP is gp_regs[32]. */
#define UC_REGS_PTR_OFF   224
#define UC_GP_REGS_OFF    232
#define PT_NIP            32

static void on_sigbus_serve(int sig, struct sig_info *info, void *uc)
{
    (void)sig;
    put("INIT: SIGBUS si_code=");
    put_dec((uint64_t)info->si_code);
    put(" si_addr=");
    put_hex((uint64_t)(uintptr_t)info->si_addr);
    put("\n");
    uint64_t *regs = *(uint64_t **)((char *)uc + UC_REGS_PTR_OFF);
    if (regs != (uint64_t *)((char *)uc + UC_GP_REGS_OFF) ||
        regs[PT_NIP] != (uint64_t)(uintptr_t)serve_load_insn) {
        put("INIT: SIGBUS not at the touched page's load\n");
        power_off();
    }
    regs[PT_NIP] += 4;
    touched = 0;
}

static unsigned online_cpus(void)
{
    uint64_t mask[16] = { 0 };
    long n = syscall3(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    unsigned count = 0;
    for (long i = 0; i < n / 8; i++) {
        count += (unsigned)__builtin_popcountll(mask[i]);
    }
    return count;
}

static void worker(void)
{
    uint64_t x = 1;
    for (;;) {
        for (int i = 0; i < 1000000; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
        if (x == 42) {
            put("INIT: worker: unlikely\n");
        }
    }
}

static void start_workers(void)
{
    unsigned n = online_cpus();
    unsigned started = 0;
    for (unsigned i = 1; i < n; i++) {
        long pid = syscall3(SYS_fork, 0, 0, 0);
        if (pid == 0) {
            worker();
        }
        if (pid > 0) {
            started++;
        }
    }
    put("INIT: workers ");
    put_dec(started);
    put("\n");
}

static void scenario_serve(void)
{
    struct kernel_sigaction sa = { .handler = on_sigbus_serve, .flags = 4 /* SA_SIGINFO */ };
    syscall6(SYS_rt_sigaction, 7 /* SIGBUS */, (long)&sa, 0, 8, 0, 0);
    put("INIT: serving commands (t h w q)\n");
    uint64_t commands = 0;
    for (;;) {
        struct { int fd; short events, revents; } pfd = { 0, 1 /* POLLIN */, 0 };
        long r = syscall3(SYS_poll, &pfd, 1, 20);
        if (touched) {
            serve_loads += load_touched(touched) != 0;
        }
        if (r <= 0 || !(pfd.revents & 1)) {
            continue;
        }
        char buf[64];
        long n = syscall3(SYS_read, 0, buf, sizeof(buf));
        if (n <= 0) {
            sleep_ms(20);
            continue;
        }
        for (long i = 0; i < n; i++) {
            switch (buf[i]) {
            case 't':
                commands++;
                touch_page();
                break;
            case 'w':
                commands++;
                start_workers();
                break;
            case 'h':
                commands++;
                put("INIT: alive ");
                put_dec(commands);
                put("\n");
                break;
            case 'q':
                return;     /* init_main powers off */
            default:
                break;
            }
        }
    }
}
