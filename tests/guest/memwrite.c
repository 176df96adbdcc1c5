/*
 * memwrite: a guest that keeps writing memory, for the migration benchmark
 * (bench/migrate-bench.py) and live migration under load.
 *
 * Bootargs "touch=MiB ws=MiB secs=S": first writes one word in every page
 * of the first `touch` MiB above 16 MiB (so that much RAM is populated),
 * prints "memwrite: ready", then for S seconds rewrites every page of a
 * `ws` MiB working set, pass after pass, stamping each page with the pass
 * number. At the end every working-set page must hold the last pass's
 * stamp and every touched page its initial pattern: nothing lost across
 * a migration. ws=0 is an idle guest (it only watches the time base).
 */
#include "guest.h"

const char guest_name[] = "memwrite";

#define BASE        (16UL << 20)
#define PAGE        4096UL

static u64 touch_mb = 64, ws_mb = 16, secs = 3;

static void parse_bootargs(const char *args)
{
    while (args && *args) {
        u64 *dst = !strncmp(args, "touch=", 6) ? &touch_mb : !strncmp(args, "ws=", 3) ? &ws_mb
                   : !strncmp(args, "secs=", 5) ? &secs : 0;
        u64 value = 0;

        while (*args && *args != '=' && *args != ' ') {
            args++;
        }
        if (*args == '=') {
            args++;
        }
        while (*args >= '0' && *args <= '9') {
            value = value * 10 + (u64)(*args++ - '0');
        }
        if (dst) {
            *dst = value;
        }
        while (*args && *args != ' ') {
            args++;
        }
        while (*args == ' ') {
            args++;
        }
    }
}

static inline volatile u64 *page_word(u64 page, u64 word)
{
    return (volatile u64 *)(uintptr_t)(BASE + page * PAGE + 8 * word);
}

int guest_main(void)
{
    parse_bootargs(machine.bootargs);
    u64 avail = (machine.ram_end - BASE - (32UL << 20)) >> 20;   /* below RTAS/FDT */
    touch_mb = touch_mb > avail ? avail : touch_mb;
    ws_mb = ws_mb > touch_mb ? touch_mb : ws_mb;
    u64 touch_pages = touch_mb << 20 >> 12, ws_pages = ws_mb << 20 >> 12, pass = 0;

    printf("memwrite: %lu MiB RAM, touching %lu MiB, working set %lu MiB, %lu s\n",
           (machine.ram_end >> 20), touch_mb, ws_mb, secs);
    for (u64 p = 0; p < touch_pages; p++) {
        *page_word(p, 511) = p ^ 0x5a5a5a5a00000000UL;
    }
    printf("memwrite: ready\n");
    for (u64 t0 = mftb(); mftb() - t0 < secs * TB_FREQ;) {
        if (!ws_pages) {
            cpu_relax();
            continue;
        }
        pass++;
        for (u64 p = 0; p < ws_pages; p++) {
            *page_word(p, pass % 511) = pass;
        }
    }
    for (u64 p = 0; p < touch_pages; p++) {
        CHECK(*page_word(p, 511) == (p ^ 0x5a5a5a5a00000000UL),
              "page %lu lost its initial pattern", p);
    }
    for (u64 p = 0; pass && p < ws_pages; p++) {
        CHECK(*page_word(p, pass % 511) == pass, "page %lu: stamp %lu, expected pass %lu", p,
              *page_word(p, pass % 511), pass);
    }
    printf("memwrite: %lu passes over %lu MiB, all %lu touched pages verified; powering off\n",
           pass, ws_mb, touch_pages);
    return 0;
}
