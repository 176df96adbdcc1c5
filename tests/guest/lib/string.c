/*
 * The few string functions the guests use (GCC may also emit calls to
 * memset/memcpy/memmove/memcmp on its own, even with -ffreestanding).
 */
#include "guest.h"

/* Both work a doubleword at a time when aligned: the machine-check
 * handlers clear and copy a 2 KiB log buffer on every machine check. */
void *memset(void *d, int c, size_t n)
{
    u8 *p = d;

    if (((uintptr_t)p & 7) == 0) {
        u64 word = 0x0101010101010101UL * (u8)c;
        for (; n >= 8; n -= 8, p += 8) {
            *(u64 *)p = word;
        }
    }
    while (n--) {
        *p++ = (u8)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    u8 *dp = d;
    const u8 *sp = s;

    if ((((uintptr_t)dp | (uintptr_t)sp) & 7) == 0) {
        for (; n >= 8; n -= 8, dp += 8, sp += 8) {
            *(u64 *)dp = *(const u64 *)sp;
        }
    }
    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    u8 *dp = d;
    const u8 *sp = s;

    if (dp <= sp || dp >= sp + n) {
        return memcpy(d, s, n);
    }
    while (n--) {
        dp[n] = sp[n];
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const u8 *x = a, *y = b;

    for (; n; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b) {
            return (u8)*a - (u8)*b;
        }
        if (!*a) {
            break;
        }
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}
