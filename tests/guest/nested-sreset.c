/*
 * nested-sreset: a system reset taken inside the machine-check handler.
 *
 * The machine-check handler (C, on the exception stack) fills a pattern
 * into its own stack and, before it interlocks, signals a system reset to
 * its own vCPU with H_SIGNAL_SYS_RESET (as an NMI during the FWNMI
 * handler would arrive). The nested interrupt must build its frame below
 * everything the machine-check handler still uses: afterwards the
 * handler's stack pattern, the hcall's canary registers and the outer
 * interrupt frame are all intact, the machine check is recovered, and the
 * interrupted code finds every register as it left it.
 */
#include "guest.h"

const char guest_name[] = "nested-sreset";

#define CANARY_MAIN  0x4E5700000000C0DEUL
#define CANARY_MCE   0x4E5711110000BEEFUL
#define PATTERN      0x9A77E54E00000000UL
#define PATTERN_LEN  64

static u64 bad_addr, main_msr;
static volatile u64 mce_handled, sreset_depth;

/* The nested handler uses a good amount of stack of its own, which must
 * not reach the interrupted handler's either. */
static __attribute__((noinline)) u64 burn_stack(u64 seed)
{
    volatile u64 junk[256];
    u64 sum = 0;
    for (int i = 0; i < 256; i++) {
        junk[i] = seed ^ (u64)i;
    }
    for (int i = 0; i < 256; i++) {
        sum += junk[i];
    }
    return sum;
}

static void nested_sreset(struct regs *r)
{
    check_handler_msr("system reset handler", false);
    fwnmi_take_sreset_slot(r);
    sreset_depth = this_cpu()->exc_depth;
    burn_stack(0xDEADDEADDEADDEADUL);
    atomic_inc(&this_cpu()->sreset_count);
}

static __attribute__((noinline)) void take_nested_sreset(void)
{
    volatile u64 pattern[PATTERN_LEN];
    struct probe_regs after;
    const char *why;

    for (int i = 0; i < PATTERN_LEN; i++) {
        pattern[i] = PATTERN + (u64)i;
    }
    probe_hcall(H_SIGNAL_SYS_RESET, this_cpu()->cpu_id, CANARY_MCE, &after);
    CHECK(this_cpu()->sreset_count == 1, "the system reset inside the machine-check "
          "handler was not taken (%lu)", this_cpu()->sreset_count);
    CHECK(sreset_depth == 2, "the system reset ran at nesting depth %lu, expected 2",
          sreset_depth);
    CHECK(after.gpr[3] == H_SUCCESS, "r3 after the nested system reset is 0x%lx",
          after.gpr[3]);
    why = probe_check(PROBE_HCALL, &after, CANARY_MCE, 0);
    CHECK(!why, "inside the machine-check handler, after the system reset: %s", why);
    for (int i = 0; i < PATTERN_LEN; i++) {
        CHECK(pattern[i] == PATTERN + (u64)i, "the machine-check handler's stack was "
              "overwritten by the nested interrupt: word %d is 0x%016lx", i, pattern[i]);
    }
}

static void mce_handler(struct regs *r)
{
    struct mce_event ev;
    struct regs saved;
    const char *why;
    int rc;

    check_handler_msr("machine check handler", true);
    fwnmi_take_log(r, &ev);
    CHECK(mce_handled == 0, "a second machine check");
    why = probe_check_ue_entry(r, bad_addr, main_msr);
    CHECK(!why, "%s", why);
    CHECK(this_cpu()->exc_depth == 1, "machine check at nesting depth %lu, expected 1",
          this_cpu()->exc_depth);
    saved = *r;

    take_nested_sreset();
    printf("nested-sreset: system reset inside the machine-check handler taken; "
           "handler stack, registers and frame intact\n");
    CHECK(!memcmp(&saved, r, sizeof(saved)), "the machine check's interrupt frame "
          "changed across the nested system reset");

    rc = fwnmi_interlock();
    CHECK(rc == 0, "ibm,nmi-interlock returned %d", rc);
    r->nip += 4;                /* recover: skip the load */
    mce_handled++;
}

int guest_main(void)
{
    struct probe_regs after;
    const char *why;
    int rc;

    printf("nested-sreset: %s\n", GUEST_ENDIAN);
    hook_fwnmi_mce = mce_handler;
    hook_fwnmi_sreset = nested_sreset;
    rc = fwnmi_register();
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);

    bad_addr = machine.ram_end + 0x1000;
    main_msr = mfmsr();
    probe_bad_load(bad_addr, CANARY_MAIN, &after);
    CHECK(mce_handled == 1, "the load from 0x%lx raised no machine check", bad_addr);
    why = probe_check(PROBE_BAD_LOAD, &after, CANARY_MAIN, bad_addr);
    CHECK(!why, "after the machine check: %s", why);
    CHECK(this_cpu()->exc_depth == 0, "nesting depth %lu after all handlers returned",
          this_cpu()->exc_depth);
    printf("nested-sreset: machine check recovered, all registers intact, powering off\n");
    return 0;
}
