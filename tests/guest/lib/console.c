/*
 * Console output through H_PUT_TERM_CHAR (terminal 0) and a small printf:
 * %s %c %d %i %u %x %p %%, with '0' padding, a field width, and the
 * 'l'/'ll'/'z' length modifiers. Lines from different vCPUs do not
 * interleave: each printf() writes its whole text under one lock.
 */
#include "guest.h"

/* owner vCPU + 1, 0 when free */
static volatile u64 console_owner;

static void console_lock(bool *nested)
{
    u64 me = this_cpu()->cpu_id + 1;

    /* the same vCPU again: an interrupt handler printing (or failing) */
    if (console_owner == me) {
        *nested = true;
        return;
    }
    *nested = false;
    while (!atomic_cas(&console_owner, 0, me)) {
        cpu_relax();
    }
}

static void console_unlock(bool nested)
{
    if (!nested) {
        smp_mb();
        console_owner = 0;
    }
}

/* H_PUT_TERM_CHAR: up to 16 bytes, first byte in the MSB of r6 */
static void put_chunk(const char *s, size_t n)
{
    u64 hi = 0, lo = 0;
    int tries;

    for (size_t i = 0; i < n; i++) {
        if (i < 8) {
            hi |= (u64)(u8)s[i] << (56 - 8 * i);
        } else {
            lo |= (u64)(u8)s[i] << (56 - 8 * (i - 8));
        }
    }
    for (tries = 0; tries < 1000; tries++) {
        if (hcall(H_PUT_TERM_CHAR, 0, n, hi, lo) != H_BUSY) {
            break;
        }
    }
}

void puts_raw(const char *s, size_t len)
{
    while (len) {
        size_t n = len > 16 ? 16 : len;

        put_chunk(s, n);
        s += n;
        len -= n;
    }
}

struct out {
    char *buf;
    size_t size, len;
};

static void out_c(struct out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void out_num(struct out *o, u64 v, unsigned base, bool neg,
                    int width, char pad)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg) {
        if (pad == '0') {
            out_c(o, '-');
        } else {
            tmp[n++] = '-';
        }
        width--;
    }
    for (int i = n; i < width; i++) {
        out_c(o, pad);
    }
    while (n) {
        out_c(o, tmp[--n]);
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        char pad = ' ';
        int width = 0, lng = 0;

        if (*fmt != '%') {
            out_c(&o, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
            out_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            out_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10,
                    false, width, pad);
            break;
        case 'x':
            out_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16,
                    false, width, pad);
            break;
        case 'p':
            out_c(&o, '0');
            out_c(&o, 'x');
            out_num(&o, (u64)(uintptr_t)va_arg(ap, void *), 16, false,
                    width, pad);
            break;
        case 'c':
            out_c(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n;

            if (!s) {
                s = "(null)";
            }
            n = (int)strlen(s);
            for (int i = n; i < width; i++) {
                out_c(&o, ' ');
            }
            while (*s) {
                out_c(&o, *s++);
            }
            break;
        }
        case '%':
            out_c(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            out_c(&o, '%');
            out_c(&o, *fmt);
            break;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = '\0';
    }
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    bool nested;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_lock(&nested);
    puts_raw(buf, strlen(buf));
    console_unlock(nested);
    return n;
}

void fail(const char *fmt, ...)
{
    /* one message buffer per vCPU: os-term reads it from guest memory */
    static char msg[MAX_CPUS][256];
    struct percpu *pc = this_cpu();
    char *m = msg[pc >= percpu && pc < percpu + MAX_CPUS ? pc - percpu : 0];
    va_list ap;
    int n;

    n = snprintf(m, sizeof(msg[0]), "%s: FAIL: ", guest_name);
    va_start(ap, fmt);
    vsnprintf(m + n, sizeof(msg[0]) - n, fmt, ap);
    va_end(ap);
    printf("%s\n", m);
    rtas_os_term(m);
}
