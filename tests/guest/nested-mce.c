/*
 * nested-mce: a machine check inside the machine-check handler, before
 * ibm,nmi-interlock. LoPAPR makes a second machine check on the CPU that
 * holds the error log fatal. Here the second one comes from the vCPU's own
 * load, which cannot complete, so even though the platform "recovered" it
 * the VMM must declare the guest panicked (exit status 1) rather than let
 * the load retry forever. Nothing after the second load may run.
 */
#include "guest.h"

const char guest_name[] = "nested-mce";

static u64 bad_addr;

static void nested_mce(struct regs *r)
{
    (void)r;
    printf("nested-mce: in the handler, loading from 0x%lx again before "
           "interlocking\n", bad_addr + 0x1000);
    (void)*(volatile u64 *)(uintptr_t)(bad_addr + 0x1000);
    fail("the nested machine check returned to the handler");
}

int guest_main(void)
{
    struct probe_regs after;

    hook_fwnmi_mce = nested_mce;
    CHECK(fwnmi_register() == 0, "ibm,nmi-register failed");
    bad_addr = machine.ram_end + 0x1000;
    printf("nested-mce: registered; loading from 0x%lx, past the end of RAM\n", bad_addr);
    probe_bad_load(bad_addr, 0, &after);
    fail("the first machine check returned");
}
