/*
 * stale-fwnmi: a registration belongs to the code that made it
 * (hw/ppc/spapr_fwnmi_stale.h).
 *
 * "Kernel A" lives in a 4 KiB region: its system-reset entry at +0, its
 * machine-check entry at +0x100, each a branch to the library's FWNMI
 * entry followed by filler instructions. It registers them and takes a
 * machine check through FWNMI; then it patches one instruction inside its
 * machine-check handler (as Linux patches static keys) and must still get
 * FWNMI. Then the region is overwritten with "kernel B", unrelated code
 * that does not register (as a kexec would load it): the next machine
 * check must arrive at the architected 0x200 vector with the interrupted
 * registers, never at B's code (which traps). When B registers the
 * library's own entries, FWNMI works again.
 */
#include "guest.h"

const char guest_name[] = "stale-fwnmi";

#define CANARY          0x57A1E00000001400UL
#define REGION_SIZE     4096
#define SRESET_OFF      0
#define MCE_OFF         0x100
#define PPC_NOP         0x60000000u
#define PPC_TRAP        0x7fe00008u     /* tw 31,0,0 */

static u32 region[REGION_SIZE / 4] __attribute__((aligned(4096)));
static u64 bad_addr, main_msr;
static volatile u64 fwnmi_entries, legacy_entries;

static u32 insn_ba(u64 target)
{
    return 0x48000002u | ((u32)target & 0x03fffffcu);  /* ba target */
}

static void flush_code(void *p, u64 len)
{
    for (u64 a = (u64)(uintptr_t)p & ~127UL; a < (u64)(uintptr_t)p + len; a += 128) {
        __asm__ volatile("dcbst 0,%0; sync; icbi 0,%0" :: "r"(a) : "memory");
    }
    __asm__ volatile("sync; isync" ::: "memory");
}

/* Kernel A: entries branch to the library, then distinct filler words. */
static void load_kernel_a(void)
{
    for (u32 i = 0; i < REGION_SIZE / 4; i++) {
        region[i] = 0x38000000u | i;                    /* li r0, i */
    }
    region[SRESET_OFF / 4] = insn_ba((u64)(uintptr_t)fwnmi_sreset_entry);
    region[MCE_OFF / 4] = insn_ba((u64)(uintptr_t)fwnmi_mce_entry);
    flush_code(region, sizeof(region));
}

/* Kernel B: unrelated code everywhere, whose "handlers" trap. */
static void load_kernel_b(void)
{
    for (u32 i = 0; i < REGION_SIZE / 4; i++) {
        region[i] = (i & 1) ? PPC_TRAP : (0x39200000u | (i * 7));  /* li r9, .. */
    }
    flush_code(region, sizeof(region));
}

static void fwnmi_mce(struct regs *r)
{
    struct mce_event ev;
    const char *why;
    int rc;

    check_handler_msr("FWNMI machine check handler", true);
    fwnmi_take_log(r, &ev);
    why = probe_check_ue_entry(r, bad_addr, main_msr);
    CHECK(!why, "%s", why);
    CHECK(ev.orig_r3 == CANARY + 3, "saved r3 0x%lx", ev.orig_r3);
    CHECK(ev.have_mc && ev.ea_valid && ev.ea == bad_addr, "MC section EA 0x%lx", ev.ea);
    rc = fwnmi_interlock();
    CHECK(rc == 0, "ibm,nmi-interlock returned %d", rc);
    r->nip += 4;
    fwnmi_entries++;
}

static void mce_0x200(struct regs *r)
{
    const char *why;

    check_handler_msr("0x200 handler", true);
    why = probe_check_ue_entry(r, bad_addr, main_msr);
    CHECK(!why, "%s", why);
    CHECK(r->gpr[3] == CANARY + 3, "r3 = 0x%lx at 0x200, expected the "
          "interrupted value 0x%lx", r->gpr[3], CANARY + 3);
    r->nip += 4;
    legacy_entries++;
}

static void machine_check(int n, bool want_fwnmi)
{
    struct probe_regs after;
    u64 f0 = fwnmi_entries, l0 = legacy_entries;
    const char *why;

    probe_bad_load(bad_addr, CANARY, &after);
    why = probe_check(PROBE_BAD_LOAD, &after, CANARY, bad_addr);
    CHECK(!why, "after machine check %d: %s", n, why);
    if (want_fwnmi) {
        CHECK(fwnmi_entries == f0 + 1 && legacy_entries == l0,
              "machine check %d: %lu FWNMI and %lu 0x200 entries, expected FWNMI",
              n, fwnmi_entries - f0, legacy_entries - l0);
        printf("stale-fwnmi: machine check %d entered the registered handler "
               "through FWNMI\n", n);
    } else {
        CHECK(legacy_entries == l0 + 1 && fwnmi_entries == f0,
              "machine check %d: %lu FWNMI and %lu 0x200 entries, expected 0x200",
              n, fwnmi_entries - f0, legacy_entries - l0);
        printf("stale-fwnmi: machine check %d went to 0x200 with the interrupted "
               "registers\n", n);
    }
}

int guest_main(void)
{
    u64 sreset = (u64)(uintptr_t)region + SRESET_OFF;
    u64 mce = (u64)(uintptr_t)region + MCE_OFF;
    int rc;

    hook_fwnmi_mce = fwnmi_mce;
    hook_mce_0x200 = mce_0x200;
    bad_addr = machine.ram_end + 0x1000;
    main_msr = mfmsr();

    load_kernel_a();
    rc = rtas_call("ibm,nmi-register", 2, 1, NULL, (u32)sreset, (u32)mce);
    printf("stale-fwnmi: %s guest: kernel A registered 0x%lx, 0x%lx: %d\n",
           GUEST_ENDIAN, sreset, mce, rc);
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);
    machine_check(1, true);

    region[MCE_OFF / 4 + 2] = PPC_NOP;          /* a static key flips */
    flush_code(&region[MCE_OFF / 4 + 2], 4);
    printf("stale-fwnmi: patched one instruction at 0x%lx inside the handler\n",
           mce + 8);
    machine_check(2, true);

    load_kernel_b();
    printf("stale-fwnmi: overwrote the handler region with code that does not "
           "register\n");
    machine_check(3, false);
    machine_check(4, false);                    /* the registration is gone */

    rc = fwnmi_register();
    printf("stale-fwnmi: kernel B registered its own handlers: %d\n", rc);
    CHECK(rc == 0, "ibm,nmi-register returned %d", rc);
    machine_check(5, true);
    printf("stale-fwnmi: powering off\n");
    return 0;
}
