/*
 * The Linux test init: a tiny freestanding static program (raw system
 * calls, no libc: Debian's ppc64el busybox and glibc need VSX, which the
 * software CPU does not have; built -msoft-float -mno-altivec -mno-vsx).
 *
 * It prints "INIT: hello from test init (pid N)", mounts proc and sysfs,
 * reports the online CPUs, then runs the scenario named by
 * fwnmi.test=NAME on the kernel command line (/proc/cmdline: dotted
 * parameters are not passed to init's argv/envp) and finally powers the
 * machine off with reboot(LINUX_REBOOT_CMD_POWER_OFF), which Linux turns
 * into RTAS power-off: the VMM then exits 0. Every line starts "INIT:" so
 * that tests/linux/run-linux.py can find it among the kernel's messages.
 *
 * Scenarios (default "boot"):
 *   boot     heartbeats (fwnmi.beats=N, default 3), one a second
 *   pagemap  touch a page, print its physical address from /proc/self/pagemap
 *   sigbus   like pagemap, then keep reading the page until a SIGBUS (e.g. a
 *            memory error injected at that address) and print si_code/si_addr
 *   serve    obey one-letter commands read from the console (serve.c), for
 *            tests driven from the monitor: touch pages, report SIGBUS and
 *            keep running, start busy workers, heartbeats, power off
 *   kexec    load /vmlinux with kexec_load(2) and reboot into it (kexec.c);
 *            the new kernel's init (no /vmlinux) serves
 */
#include <stddef.h>
#include <stdint.h>

/* ---- system calls (ppc64: number in r0, arguments in r3-r8, error: CR0[SO]) ---- */

#define SYS_exit            1
#define SYS_fork            2
#define SYS_read            3
#define SYS_write           4
#define SYS_open            5
#define SYS_close           6
#define SYS_getpid          20
#define SYS_mount           21
#define SYS_mkdir           39
#define SYS_reboot          88
#define SYS_mmap            90
#define SYS_nanosleep       162
#define SYS_poll            167
#define SYS_rt_sigaction    173
#define SYS_pread64         179
#define SYS_sched_getaffinity 223

static long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r0 __asm__("r0") = n;
    register long r3 __asm__("r3") = a;
    register long r4 __asm__("r4") = b;
    register long r5 __asm__("r5") = c;
    register long r6 __asm__("r6") = d;
    register long r7 __asm__("r7") = e;
    register long r8 __asm__("r8") = f;
    __asm__ __volatile__("sc\n\tbns+ 1f\n\tneg %1, %1\n1:"
                         : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7),
                           "+r"(r8)
                         :
                         : "memory", "cr0", "r9", "r10", "r11", "r12", "ctr", "xer");
    return r3;     /* -errno on failure */
}

#define syscall3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* gcc may emit calls to these even in freestanding code */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;
    while (n--) {
        *p++ = (unsigned char)c;
    }
    return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

/* ---- output ---- */

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static void put(const char *s)
{
    syscall3(SYS_write, 1, s, str_len(s));
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int i = sizeof(buf) - 1;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

static void put_hex(uint64_t v)
{
    char buf[19];
    int i = sizeof(buf) - 1;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    put(buf + i);
}

static void put_signed(int64_t v)
{
    if (v < 0) {
        put("-");
        put_dec((uint64_t)-v);
    } else {
        put_dec((uint64_t)v);
    }
}

/* ---- helpers ---- */

static long read_file(const char *path, char *buf, size_t size)
{
    long fd = syscall3(SYS_open, path, 0 /* O_RDONLY */, 0);
    if (fd < 0) {
        return fd;
    }
    long n = syscall3(SYS_read, fd, buf, size - 1);
    syscall3(SYS_close, fd, 0, 0);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

static void sleep_ms(long ms)
{
    struct { long sec, nsec; } ts = { ms / 1000, (ms % 1000) * 1000000L };
    syscall3(SYS_nanosleep, &ts, 0, 0);
}

static void power_off(void)
{
    put("INIT: powering off\n");
    syscall6(SYS_reboot, 0xfee1dead, 672274793, 0x4321FEDC /* POWER_OFF */, 0, 0, 0);
    put("INIT: reboot(POWER_OFF) returned\n");
    syscall3(SYS_exit, 1, 0, 0);
}

static char cmdline[4096];

/* The value of KEY=VALUE on the kernel command line, NUL-terminated into
 * @out, or @def. */
static const char *cmdline_get(const char *key, char *out, size_t size, const char *def)
{
    size_t klen = str_len(key);
    for (const char *p = cmdline; *p; p++) {
        if ((p == cmdline || p[-1] == ' ')) {
            size_t i = 0;
            while (i < klen && p[i] == key[i]) {
                i++;
            }
            if (i == klen && p[i] == '=') {
                size_t n = 0;
                p += klen + 1;
                while (p[n] && p[n] != ' ' && p[n] != '\n' && n < size - 1) {
                    out[n] = p[n];
                    n++;
                }
                out[n] = 0;
                return out;
            }
        }
    }
    return def;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static uint64_t parse_dec(const char *s, uint64_t def)
{
    uint64_t v = 0;
    if (!*s) {
        return def;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return def;
        }
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

static unsigned long page_size = 65536;    /* from AT_PAGESZ */

/* ---- scenarios ---- */

static void scenario_boot(void)
{
    char buf[16];
    uint64_t beats = parse_dec(cmdline_get("fwnmi.beats", buf, sizeof(buf), "3"), 3);
    for (uint64_t i = 1; i <= beats; i++) {
        sleep_ms(1000);
        put("INIT: heartbeat ");
        put_dec(i);
        put("\n");
    }
}

static volatile uint64_t *touched;

/* Map and touch one page; print its virtual and physical address. */
static int touch_page(void)
{
    long va = syscall6(SYS_mmap, 0, (long)page_size, 3 /* RW */, 0x22 /* PRIVATE|ANON */,
                       -1, 0);
    if (va < 0 && va > -4096) {
        put("INIT: mmap failed ");
        put_signed(va);
        put("\n");
        return -1;
    }
    touched = (volatile uint64_t *)va;
    *touched = 0x1122334455667788ULL;
    long fd = syscall3(SYS_open, "/proc/self/pagemap", 0, 0);
    uint64_t entry = 0;
    long n = fd < 0 ? fd : syscall6(SYS_pread64, fd, (long)&entry, 8,
                                    (long)((unsigned long)va / page_size * 8), 0, 0);
    if (fd >= 0) {
        syscall3(SYS_close, fd, 0, 0);
    }
    if (n != 8 || !(entry >> 63)) {
        put("INIT: pagemap: no entry for the page\n");
        return -1;
    }
    uint64_t pa = (entry & ((1ULL << 55) - 1)) * page_size;
    put("INIT: page va ");
    put_hex((uint64_t)va);
    put(" pa ");
    put_hex(pa);
    put("\n");
    return 0;
}

static void scenario_pagemap(void)
{
    touch_page();
}

/* siginfo as the kernel lays it out for SIGBUS (64-bit) */
struct sig_info {
    int si_signo, si_errno, si_code, pad;
    void *si_addr;
};

struct kernel_sigaction {
    void (*handler)(int, struct sig_info *, void *);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

static void on_sigbus(int sig, struct sig_info *info, void *uc)
{
    (void)sig;
    (void)uc;
    put("INIT: SIGBUS si_code=");
    put_dec((uint64_t)info->si_code);
    put(" si_addr=");
    put_hex((uint64_t)(uintptr_t)info->si_addr);
    put("\n");
    power_off();
}

static void scenario_sigbus(void)
{
    struct kernel_sigaction sa = { .handler = on_sigbus, .flags = 4 /* SA_SIGINFO */ };
    syscall6(SYS_rt_sigaction, 7 /* SIGBUS */, (long)&sa, 0, 8, 0, 0);
    if (touch_page() < 0) {
        return;
    }
    put("INIT: waiting for SIGBUS\n");
    for (uint64_t i = 0; i < 600; i++) {    /* about a minute */
        (void)*touched;
        sleep_ms(100);
    }
    put("INIT: no SIGBUS\n");
}

#include "serve.c"
#include "kexec.c"

static const struct {
    const char *name;
    void (*fn)(void);
} scenarios[] = {
    { "boot", scenario_boot },
    { "pagemap", scenario_pagemap },
    { "sigbus", scenario_sigbus },
    { "serve", scenario_serve },
    { "kexec", scenario_kexec },
};

/* ---- main ---- */

static void report_cpus(void)
{
    char buf[128];
    uint64_t mask[16] = { 0 };

    if (read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0) {
        put("INIT: online CPUs: ");
        put(buf);   /* ends in a newline */
    } else {
        put("INIT: online CPUs: unknown (no sysfs)\n");
    }
    long n = syscall3(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    unsigned count = 0;
    for (long i = 0; i < n / 8; i++) {
        count += (unsigned)__builtin_popcountll(mask[i]);
    }
    put("INIT: CPUs in affinity mask: ");
    put_dec(count);
    put("\n");
}

void init_main(long *sp);

void init_main(long *sp)
{
    long argc = sp[0];
    char **envp = (char **)(sp + 1 + argc + 1);
    while (*envp) {
        envp++;
    }
    for (unsigned long *aux = (unsigned long *)(envp + 1); aux[0]; aux += 2) {
        if (aux[0] == 6 /* AT_PAGESZ */) {
            page_size = aux[1];
        }
    }

    put("INIT: hello from test init (pid ");
    put_dec((uint64_t)syscall3(SYS_getpid, 0, 0, 0));
    put(")\n");
    syscall3(SYS_mkdir, "/proc", 0555, 0);
    syscall3(SYS_mkdir, "/sys", 0555, 0);
    syscall6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
    syscall6(SYS_mount, (long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0);
    read_file("/proc/cmdline", cmdline, sizeof(cmdline));
    report_cpus();

    char name[32];
    const char *test = cmdline_get("fwnmi.test", name, sizeof(name), "boot");
    int found = 0;
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        if (str_eq(test, scenarios[i].name)) {
            put("INIT: scenario ");
            put(test);
            put("\n");
            scenarios[i].fn();
            found = 1;
        }
    }
    if (!found) {
        put("INIT: unknown scenario ");
        put(test);
        put("\n");
    }
    power_off();
}
