/*
 * Injected machine checks that name only an effective address: the VMM
 * translates the EA as the interrupted context sees it (radix tables,
 * PIDR, MSR[IR]/[DR]) and also reports the real address in the "MC"
 * section (LA-provided flag 0x20, logical address at section +0x20), so
 * that Linux finds the page. Exact bytes of the section are checked.
 */
#include <glib.h>
#include <string.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/bql.h"
#include "system/clock.h"
#include "radix-test-tables.h"

#define MCE_HANDLER     0x3000
#define SRESET_HANDLER  0x2000
#define KDATA_EA        0xC000000010000000ULL   /* maps RA 0x90000 */
#define KDATA_RA        0x90000ULL
#define USER_EA         0x00007fff00010000ULL   /* PID 5: maps RA 0xA0000 */
#define USER_RA         0xA0000ULL
#define USER_PID        5
#define UNMAPPED_EA     0xC000000020000000ULL
/* "MC" section inside the buffer: saved R3 (8) + log offset 96 */
#define BUF_MC_OFFSET   (8 + 96)

typedef struct LaMachine {
    SpaprMachineState *spapr;
    PowerPCCPU *cpu;
    RadixTables t;
} LaMachine;

static void la_init(LaMachine *m)
{
    SpaprMachineConfig cfg = {
        .ram_size = SPAPR_MIN_RAM, .smp_cpus = 1, .caps = { .fwnmi = true },
    };
    g_autoptr(GError) err = NULL;

    vm_clock_init(true);
    m->spapr = spapr_machine_create(&cfg, &err);
    g_assert_no_error(err);
    m->cpu = m->spapr->cpus[0];
    rt_init(&m->t, &m->spapr->ram);
    rt_init_linear_map(&m->t);
    rt_map(&m->t, 0, KDATA_EA, KDATA_RA, RT_PRIV | RT_RW);
    rt_map(&m->t, USER_PID, USER_EA, USER_RA, RT_RW);
    ppc_radix_partition_set(&m->spapr->radix, true, RT_PRTB, 0);

    uint64_t base = 0x100000 - 0x100;
    uint32_t status;
    guest_st_be32(&m->spapr->ram, base, SRESET_HANDLER);
    guest_st_be32(&m->spapr->ram, base + 4, MCE_HANDLER);
    bql_lock();
    g_assert_cmpint(spapr_rtas_call(m->spapr, m->cpu, RTAS_IBM_NMI_REGISTER, 2, base,
                                    1, base + 8), ==, H_SUCCESS);
    bql_unlock();
    guest_ld_be32(&m->spapr->ram, base + 8, &status);
    g_assert_cmpint(status, ==, 0);
}

static void la_destroy(LaMachine *m)
{
    spapr_machine_destroy(m->spapr);
}

/* Inject @info on vCPU 0 running with @msr (and PIDR @pid) at @nip;
 * copy out the 40-byte "MC" section. */
static void inject(LaMachine *m, uint64_t msr, uint64_t pid, uint64_t nip,
                   const SpaprMceInfo *info, uint8_t mc[40])
{
    m->cpu->env.msr = msr;
    m->cpu->env.pidr = pid;
    m->cpu->env.nip = nip;
    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(m->spapr, m->cpu, info), ==, SPAPR_MCE_DELIVERED);
    bql_unlock();
    g_assert_cmphex(m->cpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmpint(guest_read(&m->spapr->ram, m->cpu->env.gpr[3] + BUF_MC_OFFSET,
                               mc, 40), ==, 0);
}

static void interlock(LaMachine *m)
{
    uint64_t base = 0x100000 - 0x80;
    uint32_t status;
    bql_lock();
    g_assert_cmpint(spapr_rtas_call(m->spapr, m->cpu, RTAS_IBM_NMI_INTERLOCK, 0, base,
                                    1, base), ==, H_SUCCESS);
    bql_unlock();
    guest_ld_be32(&m->spapr->ram, base, &status);
    g_assert_cmpint(status, ==, 0);
}

/* The expected section: header "MC", length 40, version 1; type, subtype. */
static void expect_mc(const uint8_t mc[40], uint8_t type, uint8_t sub,
                      uint64_t ea, uint64_t la)
{
    uint8_t want[40] = { 'M', 'C', 0x00, 0x28, 0x01, 0x00, 0x00, 0x00 };
    want[16] = type;
    want[17] = sub;
    for (int i = 0; i < 8; i++) {
        want[24 + i] = (uint8_t)(ea >> (56 - 8 * i));
        want[32 + i] = (uint8_t)(la >> (56 - 8 * i));
    }
    for (int i = 0; i < 40; i++) {
        if (mc[i] != want[i]) {
            g_test_message("byte %d: 0x%02x, expected 0x%02x", i, mc[i], want[i]);
        }
    }
    g_assert_cmpmem(mc, 40, want, 40);
}

#define MSR_KERNEL_VIRT (MSR_SF | MSR_ME | MSR_IR | MSR_DR | MSR_RI)
#define MSR_USER_VIRT   (MSR_KERNEL_VIRT | MSR_PR | MSR_EE)

static void test_dside_kernel_ea_gets_la(void)
{
    LaMachine m;
    uint8_t mc[40];
    la_init(&m);
    /* UE page-table walk, load/store: EA from DAR. */
    SpaprMceInfo info = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE_TABLEWALK,
        .dar = KDATA_EA + 0x123, .recovered = true,
    };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4000), &info, mc);
    /* subtype 4 | EA provided 0x40 | LA provided 0x20 */
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x64, KDATA_EA + 0x123, KDATA_RA + 0x123);
    interlock(&m);
    la_destroy(&m);
}

static void test_dside_user_ea_uses_pidr(void)
{
    LaMachine m;
    uint8_t mc[40];
    la_init(&m);
    SpaprMceInfo info = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE_TABLEWALK,
        .dar = USER_EA + 0x8, .recovered = true,
    };
    inject(&m, MSR_USER_VIRT, USER_PID, 0x10000000, &info, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x64, USER_EA + 0x8, USER_RA + 0x8);
    interlock(&m);
    /* Another PID has no such mapping: EA only. */
    inject(&m, MSR_USER_VIRT, USER_PID + 1, 0x10000000, &info, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x44, USER_EA + 0x8, 0);
    interlock(&m);
    la_destroy(&m);
}

static void test_iside_nip_gets_la(void)
{
    LaMachine m;
    uint8_t mc[40];
    la_init(&m);
    /* UE on instruction fetch: the EA is the NIP, translated with MSR[IR]. */
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4010), &info, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x41 | 0x20, RT_KERNEL(0x4010), 0x4010);
    interlock(&m);
    la_destroy(&m);
}

static void test_untranslatable_and_real_mode(void)
{
    LaMachine m;
    uint8_t mc[40];
    la_init(&m);
    SpaprMceInfo info = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE_TABLEWALK,
        .dar = UNMAPPED_EA, .recovered = true,
    };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4000), &info, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x44, UNMAPPED_EA, 0);
    interlock(&m);
    /* Real mode (MSR[DR]=0): the EA without its top bits is the address. */
    info.dar = 0xC000000000012340ULL;
    inject(&m, MSR_SF | MSR_ME | MSR_RI, 0, 0x4000, &info, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x64, 0xC000000000012340ULL, 0x12340);
    interlock(&m);
    la_destroy(&m);
}

static void test_no_la_without_ea_or_for_multihit(void)
{
    LaMachine m;
    uint8_t mc[40];
    la_init(&m);
    /* UE load/store: QEMU's table gives no EA, so there is nothing to translate. */
    SpaprMceInfo ue = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE, .dar = KDATA_EA, .recovered = true,
    };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4000), &ue, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, MC_ERROR_UE_LOAD_STORE, 0, 0);
    interlock(&m);
    /* ERAT multihit: EA only; the LA field is reserved for this type. */
    SpaprMceInfo erat = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = 0x800, .dar = KDATA_EA, .recovered = true,
    };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4000), &erat, mc);
    expect_mc(mc, MC_ERROR_TYPE_ERAT, MC_ERROR_ERAT_MULTIHIT | MC_EA_PROVIDED, KDATA_EA, 0);
    interlock(&m);
    /* A source that knows the RA keeps its own. */
    SpaprMceInfo own = {
        .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE, .dar = KDATA_EA, .recovered = true,
        .ea_known = true, .ra_known = true, .ra = 0x777000,
    };
    inject(&m, MSR_KERNEL_VIRT, 0, RT_KERNEL(0x4000), &own, mc);
    expect_mc(mc, MC_ERROR_TYPE_UE, 0x63, KDATA_EA, 0x777000);
    interlock(&m);
    la_destroy(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fwnmi-la/dside/kernel-ea", test_dside_kernel_ea_gets_la);
    g_test_add_func("/fwnmi-la/dside/user-ea-uses-pidr", test_dside_user_ea_uses_pidr);
    g_test_add_func("/fwnmi-la/iside/nip", test_iside_nip_gets_la);
    g_test_add_func("/fwnmi-la/untranslatable-and-real-mode", test_untranslatable_and_real_mode);
    g_test_add_func("/fwnmi-la/no-la-without-ea-or-for-multihit",
                    test_no_la_without_ea_or_for_multihit);
    return g_test_run();
}
