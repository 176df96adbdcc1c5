/*
 * journal-guest: the records of a fatal machine check are handed to the
 * next boot (driven by tests/guest/journal-test.py).
 *
 * It first asks the platform for events, as Linux's rtasd does: one
 * check-exception (vector 0x200, internal errors) and then event-scan
 * until "no errors found", printing each log it receives in hex. With
 * none, it is the first boot: it registers FWNMI, loads from an address
 * without RAM and, in the handler, does it again before interlocking: the
 * nested machine check is fatal. The driver compares the logs a later
 * boot prints with the ones GUEST_PANICKED reported.
 */
#include "guest.h"

const char guest_name[] = "journal-guest";

#define RTAS_EVENT_INTERNAL_ERROR   0x80000000u
#define RTAS_NO_ERRORS_FOUND        1

static u8 evbuf[2048] __attribute__((aligned(8)));
static u64 bad_addr;

static void nested_mce(struct regs *r)
{
    (void)r;
    printf("journal-guest: in the handler, loading from 0x%lx again before "
           "interlocking\n", bad_addr + 0x1000);
    (void)*(volatile u64 *)(uintptr_t)(bad_addr + 0x1000);
    fail("the nested machine check returned to the handler");
}

static void print_log(const char *via, int n)
{
    u32 len = 8 + ((evbuf[1] >> 2) & 1 ? be32(evbuf + 4) : 0);
    char hex[2 * 32 + 1];

    CHECK(len <= sizeof(evbuf), "%s: a %u-byte log", via, len);
    printf("journal-guest: %s: log %d: %u bytes\n", via, n, len);
    for (u32 off = 0; off < len; off += 32) {
        u32 end = off + 32 < len ? off + 32 : len;
        for (u32 i = off; i < end; i++) {
            snprintf(hex + 2 * (i - off), 3, "%02x", evbuf[i]);
        }
        printf("journal-guest: log %d +%u: %s\n", n, off, hex);
    }
}

int guest_main(void)
{
    struct probe_regs after;
    int n = 0, rc;

    memset(evbuf, 0, sizeof(evbuf));
    rc = rtas_call("check-exception", 6, 1, NULL, 0x200, 0, RTAS_EVENT_INTERNAL_ERROR, 1,
                   (u32)(uintptr_t)evbuf, (u32)sizeof(evbuf));
    CHECK(rc == 0 || rc == RTAS_NO_ERRORS_FOUND, "check-exception returned %d", rc);
    if (rc == 0) {
        print_log("check-exception", ++n);
    }
    for (;;) {
        memset(evbuf, 0, sizeof(evbuf));
        rc = rtas_call("event-scan", 4, 1, NULL, RTAS_EVENT_INTERNAL_ERROR, 0,
                       (u32)(uintptr_t)evbuf, (u32)sizeof(evbuf));
        CHECK(rc == 0 || rc == RTAS_NO_ERRORS_FOUND, "event-scan returned %d", rc);
        if (rc != 0) {
            break;
        }
        print_log("event-scan", ++n);
        CHECK(n < 16, "event-scan never ends");
    }
    if (n) {
        printf("journal-guest: %d handed-over logs, powering off\n", n);
        return 0;
    }
    printf("journal-guest: no handed-over logs: taking a fatal nested machine check\n");
    hook_fwnmi_mce = nested_mce;
    CHECK(fwnmi_register() == 0, "ibm,nmi-register failed");
    bad_addr = machine.ram_end + 0x1000;
    probe_bad_load(bad_addr, 0, &after);
    fail("the first machine check returned");
}
