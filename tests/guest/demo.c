/*
 * demo: the FWNMI showcase guest.
 *
 * Registers FWNMI handlers, loads from a real address with no RAM behind
 * it, and handles the resulting machine check as Linux would: checks R3,
 * restores it, reads the RTAS error log, prints Linux's MCE lines,
 * releases the log with ibm,nmi-interlock, skips the faulting load and
 * returns. Then it checks that execution really continued with every
 * register intact, and powers off. Any deviation ends the VM through
 * ibm,os-term with a message that says what differed.
 */
#include "guest.h"

const char guest_name[] = "demo";

#define CANARY  0x0D3E000000C0FF00UL

static u64 bad_addr, main_msr;
static volatile u64 handled;

static void demo_mce(struct regs *r)
{
    struct mce_event ev;
    u64 r3_in = r->gpr[3];
    const char *why;
    int rc;

    check_handler_msr("machine check handler", true);
    fwnmi_take_log(r, &ev);
    printf("demo: machine check handler entered: r3 = 0x%lx points into RTAS, "
           "%u-byte error log, original r3 restored\n", r3_in, ev.log_len);
    fwnmi_print_event(0, r, &ev);

    CHECK(handled == 0, "a second machine check before recovery");
    why = probe_check_ue_entry(r, bad_addr, main_msr);
    CHECK(!why, "%s", why);
    CHECK(ev.orig_r3 == CANARY + 3,
          "saved r3 in the buffer is 0x%016lx, expected 0x%016lx",
          ev.orig_r3, CANARY + 3);
    CHECK(ev.version == 6 && ev.extended,
          "log version %u, extended %d: expected a version 6 extended log",
          ev.version, ev.extended);
    CHECK(ev.severity == RTAS_SEV_ERROR_SYNC &&
          ev.disposition == RTAS_DISP_FULY_RECOVERED &&
          ev.initiator == RTAS_INITIATOR_CPU,
          "log severity %u disposition %u initiator %u: expected ERROR_SYNC (3), "
          "fully recovered (0), CPU (1)", ev.severity, ev.disposition,
          ev.initiator);
    CHECK(ev.have_mc, "no \"MC\" section in the extended log");
    CHECK(ev.error_type == MC_TYPE_UE && ev.subtype == MC_UE_LOAD_STORE,
          "MC section: type %u subtype %u, expected UE (0) Load/Store (3)",
          ev.error_type, ev.subtype);
    CHECK(ev.ea_valid && ev.ea == bad_addr,
          "MC section: EA 0x%lx (provided: %d), expected 0x%lx",
          ev.ea, ev.ea_valid, bad_addr);
    CHECK(ev.la_valid && ev.la == bad_addr,
          "MC section: LA 0x%lx (provided: %d), expected 0x%lx",
          ev.la, ev.la_valid, bad_addr);

    rc = fwnmi_interlock();
    printf("demo: ibm,nmi-interlock returned %d\n", rc);
    CHECK(rc == 0, "ibm,nmi-interlock returned %d", rc);

    r->nip += 4;                /* recover: skip the load */
    handled++;
}

int guest_main(void)
{
    struct probe_regs after;
    const char *why;
    int rc;

    printf("demo: FWNMI demo guest (%s), %d vCPU%s, %lu MiB RAM\n",
           GUEST_ENDIAN, machine.ncpus_dt, machine.ncpus_dt == 1 ? "" : "s",
           machine.ram_size >> 20);
    printf("demo: RTAS at 0x%lx (%lu bytes), entry 0x%lx\n", machine.rtas_base,
           machine.rtas_size, machine.rtas_entry);
    CHECK(rtas_token("ibm,nmi-register") && rtas_token("ibm,nmi-interlock"),
          "/rtas has no ibm,nmi-register or ibm,nmi-interlock token: "
          "is the machine started with cap-fwnmi=on?");

    hook_fwnmi_mce = demo_mce;
    printf("demo: registering FWNMI handlers: system reset 0x%lx, "
           "machine check 0x%lx\n", (u64)(uintptr_t)fwnmi_sreset_entry,
           (u64)(uintptr_t)fwnmi_mce_entry);
    rc = fwnmi_register();
    printf("demo: ibm,nmi-register returned %d\n", rc);
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);

    bad_addr = machine.ram_end + 0x1000;
    main_msr = mfmsr();
    printf("demo: loading from 0x%lx, past the end of RAM\n", bad_addr);
    probe_bad_load(bad_addr, CANARY, &after);

    CHECK(handled == 1, "the load from 0x%lx raised no machine check", bad_addr);
    why = probe_check(PROBE_BAD_LOAD, &after, CANARY, bad_addr);
    CHECK(!why, "after the machine check: %s", why);
    printf("demo: execution continued after the faulting load with all "
           "registers intact\n");
    printf("demo: machine check recovered, powering off\n");
    return 0;
}
