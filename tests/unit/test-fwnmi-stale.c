/*
 * Stale FWNMI registrations (hw/ppc/spapr_fwnmi_stale.c): a handler whose
 * code was overwritten wholesale (kexec into a kernel that has not
 * registered) is never entered; a kernel patching a few of its own
 * instructions keeps its registration.
 */
#include <glib.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"

#define SRESET_HANDLER 0x2000
#define MCE_HANDLER 0x3000
#define INTERRUPTED_NIP 0x5000

static SpaprMachineState *make_machine(void)
{
    SpaprMachineConfig cfg = {
        .ram_size = 256ULL << 20, .smp_cpus = 1, .caps = { .fwnmi = true },
    };
    g_autoptr(GError) err = NULL;
    vm_clock_init(true);
    SpaprMachineState *spapr = spapr_machine_create(&cfg, &err);
    g_assert_no_error(err);
    return spapr;
}

/* Distinct "instructions" in each window, so that any change shows. */
static void write_code(SpaprMachineState *spapr, uint64_t addr, uint32_t seed, int words)
{
    for (int i = 0; i < words; i++) {
        guest_st_be32(&spapr->ram, addr + 4 * (uint64_t)i, 0x38600000u + seed + (uint32_t)i);
    }
}

static uint32_t rtas(SpaprMachineState *spapr, uint32_t token, uint32_t nargs,
                     const uint32_t *args)
{
    uint64_t base = 0x100000;
    uint32_t status;
    for (uint32_t i = 0; i < nargs; i++) {
        guest_st_be32(&spapr->ram, base + 4 * i, args[i]);
    }
    g_assert_cmpint(spapr_rtas_call(spapr, spapr->cpus[0], token, nargs, base, 1,
                                    base + 4 * nargs), ==, H_SUCCESS);
    guest_ld_be32(&spapr->ram, base + 4 * nargs, &status);
    return status;
}

static SpaprMachineState *registered_machine(void)
{
    SpaprMachineState *spapr = make_machine();
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };

    write_code(spapr, SRESET_HANDLER, 0x100, FWNMI_GUARD_WORDS);
    write_code(spapr, MCE_HANDLER, 0x200, FWNMI_GUARD_WORDS);
    bql_lock();
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    spapr->cpus[0]->env.nip = INTERRUPTED_NIP;
    spapr->cpus[0]->env.msr = MSR_SF | MSR_ME | MSR_RI;
    return spapr;
}

static void done(SpaprMachineState *spapr)
{
    bql_unlock();
    spapr_machine_destroy(spapr);
}

static void test_words_changed_rule(void)
{
    uint8_t a[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint8_t b[16];

    memcpy(b, a, sizeof(b));
    g_assert_cmpuint(spapr_fwnmi_words_changed(a, b, 16), ==, 0);
    b[0] ^= 1;
    b[15] ^= 0x80;
    g_assert_cmpuint(spapr_fwnmi_words_changed(a, b, 16), ==, 2);
    g_assert_cmpuint(spapr_fwnmi_words_changed(a, b, 15), ==, 1);  /* whole words only */
    g_assert_false(spapr_fwnmi_window_stale(31, 64));
    g_assert_true(spapr_fwnmi_window_stale(32, 64));
    g_assert_false(spapr_fwnmi_window_stale(0, 0));
}

/* Overwritten by new code that does not register: 0x200, registration dropped. */
static void test_overwritten_mce_handler_goes_to_0x200(void)
{
    SpaprMachineState *spapr = registered_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    write_code(spapr, MCE_HANDLER, 0x9000, FWNMI_GUARD_WORDS);     /* "new kernel" */
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_LEGACY);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    g_assert_cmphex(cpu->env.srr0, ==, INTERRUPTED_NIP);
    g_assert_cmphex(spapr->fwnmi.mce_addr, ==, FWNMI_ADDR_NONE);
    g_assert_cmphex(spapr->fwnmi.sreset_addr, ==, FWNMI_ADDR_NONE);
    g_assert_true(spapr->fwnmi.guard.stale);
    g_assert_cmpstr(spapr->fwnmi.guard.stale_event, ==, "machine-check");
    g_assert_cmphex(spapr->fwnmi.guard.stale_handler, ==, MCE_HANDLER);
    g_assert_cmpuint(spapr->fwnmi.guard.stale_changed, ==, 64);
    g_assert_cmpuint(spapr->fwnmi.guard.stale_words, ==, 64);
    g_assert_cmpstr(spapr->fwnmi.guard.reason, ==,
                    "machine-check handler at 0x3000 was overwritten (64 of its first "
                    "64 instruction words changed since ibm,nmi-register)");
    g_assert_cmpuint(spapr->fwnmi.guard.stale_drops, ==, 1);
    g_assert_cmpuint(spapr->fwnmi.count.stale, ==, 1);
    g_assert_cmpuint(spapr->fwnmi.count.legacy, ==, 1);
    g_assert_cmpuint(spapr->fwnmi.count.delivered, ==, 0);
    /* The new kernel registers: FWNMI again, the old reason cleared. */
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    g_assert_false(spapr->fwnmi.guard.stale);
    cpu->env.nip = INTERRUPTED_NIP;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmpuint(spapr->fwnmi.guard.stale_drops, ==, 1);
    done(spapr);
}

/* Self-patching text: a few instructions, up to just under half, keep it. */
static void test_patched_handler_keeps_registration(void)
{
    SpaprMachineState *spapr = registered_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    guest_st_be32(&spapr->ram, MCE_HANDLER + 8, 0x60000000);           /* nop */
    guest_st_be32(&spapr->ram, MCE_HANDLER + 12, 0x48000010);          /* b +16 */
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    /* 31 of 64 words changed: still the same kernel's handler. */
    write_code(spapr, MCE_HANDLER, 0x7000, 31);
    cpu->env.nip = INTERRUPTED_NIP;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    g_assert_false(spapr->fwnmi.guard.stale);
    g_assert_cmpuint(spapr->fwnmi.guard.stale_drops, ==, 0);
    done(spapr);
}

/* A system reset checks the system-reset handler (and drops both). */
static void test_overwritten_sreset_handler_goes_to_0x100(void)
{
    SpaprMachineState *spapr = registered_machine();
    PowerPCCPU *cpu = spapr->cpus[0];

    guest_fill(&spapr->ram, SRESET_HANDLER, 0, FWNMI_GUARD_WINDOW);    /* cleared */
    cpu->env.gpr[3] = 0x1234;
    spapr_system_reset_cpu(spapr, cpu);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_SYSTEM_RESET);
    g_assert_cmphex(cpu->env.srr0, ==, INTERRUPTED_NIP);
    g_assert_cmphex(cpu->env.gpr[3], ==, 0x1234);
    g_assert_cmphex(spapr->fwnmi.mce_addr, ==, FWNMI_ADDR_NONE);
    g_assert_cmpstr(spapr->fwnmi.guard.stale_event, ==, "system-reset");
    g_assert_cmphex(spapr->fwnmi.guard.stale_handler, ==, SRESET_HANDLER);
    g_assert_cmpuint(spapr->fwnmi.count.sresets, ==, 0);
    done(spapr);
}

/* While a vCPU holds the buffer its kernel is alive: nothing is dropped. */
static void test_not_dropped_while_interlock_held(void)
{
    SpaprMachineState *spapr = registered_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    write_code(spapr, SRESET_HANDLER, 0x9000, FWNMI_GUARD_WORDS);
    g_assert_false(spapr_fwnmi_guard_check(spapr, "system-reset"));
    g_assert_cmphex(spapr->fwnmi.sreset_addr, ==, SRESET_HANDLER);
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_true(spapr_fwnmi_guard_check(spapr, "system-reset"));
    g_assert_cmphex(spapr->fwnmi.sreset_addr, ==, FWNMI_ADDR_NONE);
    done(spapr);
}

static int64_t register_proc_tbl(SpaprMachineState *spapr)
{
    PowerPCCPU *cpu = spapr->cpus[0];
    bool stop = false;
    cpu->env.gpr[4] = 0x1d;             /* Linux: MODIFY | REGISTER | RADIX | GTSE */
    cpu->env.gpr[5] = 0x1000000;
    cpu->env.gpr[6] = 0;
    cpu->env.gpr[7] = 12;
    return spapr_hypercall(spapr, cpu, H_REGISTER_PROC_TBL, &stop);
}

/* A kexec into the same image: handler bytes unchanged, but a new kernel
 * registers its process table after ibm,nmi-register. */
static void test_proc_tbl_after_register_drops(void)
{
    SpaprMachineState *spapr = make_machine();
    PowerPCCPU *cpu = spapr->cpus[0];
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };

    write_code(spapr, MCE_HANDLER, 0x200, FWNMI_GUARD_WORDS);
    bql_lock();
    /* Boot order: MMU first, then FWNMI: the registration stands. */
    g_assert_cmpint(register_proc_tbl(spapr), ==, H_SUCCESS);
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    g_assert_cmphex(spapr->fwnmi.mce_addr, ==, MCE_HANDLER);
    /* The next kernel's MMU set-up: dropped, with the reason. */
    g_assert_cmpint(register_proc_tbl(spapr), ==, H_SUCCESS);
    g_assert_cmphex(spapr->fwnmi.mce_addr, ==, FWNMI_ADDR_NONE);
    g_assert_cmphex(spapr->fwnmi.sreset_addr, ==, FWNMI_ADDR_NONE);
    g_assert_true(spapr->fwnmi.guard.stale);
    g_assert_cmpstr(spapr->fwnmi.guard.stale_event, ==, "H_REGISTER_PROC_TBL");
    g_assert_cmpstr(spapr->fwnmi.guard.reason, ==,
                    "a new kernel is starting (H_REGISTER_PROC_TBL after ibm,nmi-register): "
                    "the handlers at 0x2000/0x3000 belong to the old one");
    cpu->env.nip = INTERRUPTED_NIP;
    cpu->env.msr = MSR_SF | MSR_ME | MSR_RI;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_LEGACY);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, EXCP_MACHINE_CHECK);
    /* It registers in turn: FWNMI again. */
    g_assert_cmpint(rtas(spapr, RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    cpu->env.nip = INTERRUPTED_NIP;
    g_assert_cmpint(spapr_mce_req_event(spapr, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_cmphex(cpu->env.nip, ==, MCE_HANDLER);
    done(spapr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fwnmi-stale/rule", test_words_changed_rule);
    g_test_add_func("/fwnmi-stale/mce/overwritten-goes-to-0x200", test_overwritten_mce_handler_goes_to_0x200);
    g_test_add_func("/fwnmi-stale/mce/patched-keeps-registration", test_patched_handler_keeps_registration);
    g_test_add_func("/fwnmi-stale/sreset/overwritten-goes-to-0x100", test_overwritten_sreset_handler_goes_to_0x100);
    g_test_add_func("/fwnmi-stale/held-interlock-not-dropped", test_not_dropped_while_interlock_held);
    g_test_add_func("/fwnmi-stale/proc-tbl-after-register", test_proc_tbl_after_register_drops);
    return g_test_run();
}
