/*
 * legacy-mce / fwnmi-off: machine checks without FWNMI go to the
 * architected 0x200 vector.
 *
 * legacy-mce (cap-fwnmi=on): the guest does not register; a load with no
 * RAM behind it must arrive at 0x200 with SRR0 = the load, SRR1 = MSR
 * bits plus the D-side cause (0x200000), DSISR = 0x8000 (UE), DAR = the
 * address, and every register as it was (no R3 save area). The handler
 * skips the load.
 *
 * fwnmi-off (built from this file with -DFWNMI_OFF, run with
 * cap-fwnmi=off): ibm,nmi-register must fail with -3 (parameter error,
 * "not supported") or be absent from /rtas, and the machine check then
 * takes the same architected path.
 */
#include "guest.h"

#ifdef FWNMI_OFF
const char guest_name[] = "fwnmi-off";
#define NAME "fwnmi-off"
#else
const char guest_name[] = "legacy-mce";
#define NAME "legacy-mce"
#endif

#define CANARY  0x1E6AC70000001200UL

static u64 bad_addr, main_msr;
static volatile u64 handled;

static void mce_0x200(struct regs *r)
{
    const char *why;

    check_handler_msr("0x200 handler", true);
    printf(NAME ": 0x200: machine check at NIP 0x%lx, SRR1 0x%016lx, "
           "DAR 0x%lx, DSISR 0x%08lx\n", r->nip, r->msr, r->dar, r->dsisr);
    CHECK(handled == 0, "a second machine check");
    why = probe_check_ue_entry(r, bad_addr, main_msr);
    CHECK(!why, "%s", why);
    CHECK(r->gpr[3] == CANARY + 3, "r3 = 0x%lx at 0x200, expected the "
          "interrupted value 0x%lx", r->gpr[3], CANARY + 3);
    r->nip += 4;
    handled++;
}

int guest_main(void)
{
    struct probe_regs after;
    const char *why;

    printf(NAME ": %s guest, no FWNMI: machine checks go to the 0x200 vector\n",
           GUEST_ENDIAN);
#ifdef FWNMI_OFF
    if (!rtas_token("ibm,nmi-register")) {
        printf(NAME ": /rtas has no ibm,nmi-register: FWNMI is off\n");
    } else {
        int rc = fwnmi_register();

        printf(NAME ": ibm,nmi-register returned %d\n", rc);
        CHECK(rc == RTAS_PARAM_ERROR, "ibm,nmi-register returned %d with "
              "cap-fwnmi=off, expected -3", rc);
    }
#else
    CHECK(rtas_token("ibm,nmi-register"),
          "/rtas has no ibm,nmi-register: run with cap-fwnmi=on");
#endif
    hook_mce_0x200 = mce_0x200;

    bad_addr = machine.ram_end + 0x1000;
    main_msr = mfmsr();
    printf(NAME ": loading from 0x%lx, past the end of RAM\n", bad_addr);
    probe_bad_load(bad_addr, CANARY, &after);
    CHECK(handled == 1, "the load from 0x%lx raised no machine check", bad_addr);
    why = probe_check(PROBE_BAD_LOAD, &after, CANARY, bad_addr);
    CHECK(!why, "after the machine check: %s", why);
    printf(NAME ": skipped the faulting load, registers intact\n");
    printf(NAME ": architected machine check handled, powering off\n");
    return 0;
}
