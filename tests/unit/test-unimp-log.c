/*
 * -d unimp / -d guest_errors: an illegal instruction, an unknown SPR and
 * an unknown hypercall are each reported on one stderr line with the
 * vCPU, the NIP and the opcode; nothing is printed without the flag; and
 * a guest that loops on an illegal instruction cannot flood stderr. Each
 * case runs in a subprocess so that its stderr can be checked.
 */
#include "../../target/ppc/interp/interp-test-harness.h"

#include "hw/ppc/spapr.h"
#include "system/trace.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include "test-machine.h"

#define MSR_BASE    (MSR_SF | MSR_ME)

static void run_words(const uint32_t *words, size_t n, uint64_t budget)
{
    InterpHarness h;
    harness_init(&h);
    h.env->msr = MSR_BASE;
    for (size_t i = 0; i < n; i++) {
        emit(&h, words[i]);
    }
    h.env->nip = HARNESS_CODE;
    run(&h, budget);
    harness_cleanup(&h);
}

static void child_illegal(void)
{
    trace_enable_log_items("unimp");
    run_words((const uint32_t[]){ 0x00000200 }, 1, 1);     /* attn */
}

static void test_illegal_instruction_reported(void)
{
    g_test_trap_subprocess("/unimp/subprocess/illegal", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qemu-system-ppc64: guest error: CPU 0 NIP 0x0000000000010000: "
                              "illegal instruction 0x00000200\n");
}

static void child_invalid_form(void)
{
    trace_enable_log_items("guest_errors");
    /* stwcx without Rc: claimed by the storage decoder, an invalid form */
    run_words((const uint32_t[]){ (31u << 26) | (3u << 21) | (150u << 1) }, 1, 1);
}

static void test_invalid_form_reported(void)
{
    g_test_trap_subprocess("/unimp/subprocess/invalid-form", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*CPU 0 NIP 0x0000000000010000: illegal instruction 0x7c60012c\n");
}

static void child_spr(void)
{
    trace_enable_log_items("unimp");
    /* two runs, each faulting at HARNESS_CODE */
    run_words((const uint32_t[]){ enc_mfspr(8, 1000) }, 1, 1);
    run_words((const uint32_t[]){ enc_mtspr(1000, 8) }, 1, 1);
}

static void test_unknown_spr_reported(void)
{
    g_test_trap_subprocess("/unimp/subprocess/spr", 0, 0);
    g_test_trap_assert_passed();
    g_autofree char *mf = g_strdup_printf("*CPU 0 NIP 0x0000000000010000: mfspr of "
                                          "unimplemented SPR 1000 (0x3e8), opcode 0x%08x\n*",
                                          enc_mfspr(8, 1000));
    g_autofree char *mt = g_strdup_printf("*mtspr of unimplemented SPR 1000 (0x3e8), "
                                          "opcode 0x%08x\n", enc_mtspr(1000, 8));
    g_test_trap_assert_stderr(mf);
    g_test_trap_assert_stderr(mt);
}

static void child_hcall(void)
{
    trace_enable_log_items("unimp");
    SpaprMachineState *spapr = test_machine_new(SPAPR_MIN_RAM, 1);
    PowerPCCPU *cpu = spapr->cpus[0];
    g_assert_cmpint(guest_st_be32(&spapr->ram, HARNESS_CODE, enc_li(3, 0x7F0)), ==, 0);
    g_assert_cmpint(guest_st_be32(&spapr->ram, HARNESS_CODE + 4, enc_sc(1)), ==, 0);
    ppc_interp_invalidate(HARNESS_CODE, 8);
    cpu->env.nip = HARNESS_CODE;
    cpu->env.msr = MSR_BASE;
    ppc_interp_run(cpu, &spapr->ram, 2);
    g_assert_cmpint((int64_t)cpu->env.gpr[3], ==, H_FUNCTION);
    ppc_interp_cpu_finalize(cpu);
    spapr_machine_destroy(spapr);
}

static void test_unknown_hcall_reported(void)
{
    g_test_trap_subprocess("/unimp/subprocess/hcall", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("qemu-system-ppc64: unimplemented: CPU 0 NIP 0x0000000000010004: "
                              "hypercall 0x7f0 (sc 1, opcode 0x44000022)\n");
}

static void child_silent(void)
{
    run_words((const uint32_t[]){ 0x00000200 }, 1, 1);
    run_words((const uint32_t[]){ enc_mfspr(8, 1000) }, 1, 1);
}

static void test_silent_without_flag(void)
{
    g_test_trap_subprocess("/unimp/subprocess/silent", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("");
}

/*
 * A guest looping on an illegal instruction whose handler jumps back:
 * 2000 reports in a burst give at most 32 lines; after a pause the next
 * line says how many were dropped. stderr goes to a file that the child
 * checks itself.
 */
static void child_flood(void)
{
    InterpHarness h;
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("unimp-flood-XXXXXX", &path, NULL);
    int saved = dup(2);

    g_assert_cmpint(fd, >=, 0);
    dup2(fd, 2);
    trace_enable_log_items("unimp");
    harness_init(&h);
    harness_write_insn(&h, 0x700, enc_b((int32_t)(HARNESS_CODE - 0x700), 0, 0), false);
    h.env->msr = MSR_BASE;
    emit(&h, 0x00000200);
    h.env->nip = HARNESS_CODE;
    for (int i = 0; i < 2000; i++) {
        run(&h, 2);
    }
    g_usleep(250 * 1000);   /* refills about 2 tokens */
    run(&h, 2);
    harness_cleanup(&h);
    dup2(saved, 2);
    close(saved);
    close(fd);

    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_unlink(path);
    unsigned lines = 0;
    for (const char *p = text; *p; p++) {
        lines += *p == '\n';
    }
    g_test_message("flood: %u stderr lines", lines);
    /* 32 at once, a few more as tokens trickle in on a slow host, then
     * the summary and the line after the pause; never the 2001 reports. */
    g_assert_cmpuint(lines, >=, 32 + 2);
    g_assert_cmpuint(lines, <=, 32 + 12);
    g_assert_nonnull(strstr(text, " similar messages suppressed\n"));
}

static void test_flood_rate_limited(void)
{
    g_test_trap_subprocess("/unimp/subprocess/flood", 0, 0);
    g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* GLib runs "/subprocess" paths only when a test traps them. */
    g_test_add_func("/unimp/subprocess/illegal", child_illegal);
    g_test_add_func("/unimp/subprocess/invalid-form", child_invalid_form);
    g_test_add_func("/unimp/subprocess/spr", child_spr);
    g_test_add_func("/unimp/subprocess/hcall", child_hcall);
    g_test_add_func("/unimp/subprocess/silent", child_silent);
    g_test_add_func("/unimp/subprocess/flood", child_flood);
    g_test_add_func("/unimp/illegal-instruction-reported-with-cpu-nip-opcode",
                    test_illegal_instruction_reported);
    g_test_add_func("/unimp/invalid-form-reported", test_invalid_form_reported);
    g_test_add_func("/unimp/unknown-spr-reported-with-rebuilt-opcode",
                    test_unknown_spr_reported);
    g_test_add_func("/unimp/unknown-hcall-reported", test_unknown_hcall_reported);
    g_test_add_func("/unimp/silent-without-flag", test_silent_without_flag);
    g_test_add_func("/unimp/looping-guest-is-rate-limited", test_flood_rate_limited);
    return g_test_run();
}
