/*
 * Migration stream tests: every section survives a round trip (RAM with
 * zero and data pages, vCPU registers, XICS, console, the FWNMI state in
 * the middle of a machine check with others queued), the destination
 * continues the interlock protocol in the original order, and corrupt,
 * truncated, mismatched and unknown streams are refused with a clear error.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hw/intc/xics.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "migration/ram.h"
#include "migration/vmstate.h"
#include "system/bql.h"
#include "test-machine.h"

#define RAM_SIZE (64ULL << 20)
#define MCE_HANDLER 0x3000
#define SRESET_HANDLER 0x2000

static SpaprMachineState *machine(int cpus)
{
    SpaprMachineState *spapr = test_machine_new(RAM_SIZE, cpus);
    for (int i = 0; i < cpus; i++) {
        spapr->cpus[i]->state = CPU_STATE_RUNNING;
    }
    return spapr;
}

/* The whole stream of @spapr, as bytes. */
static GByteArray *save(SpaprMachineState *spapr)
{
    MigStream s;
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    mig_stream_init(&s, -1, true);
    s.mem = out;
    bql_lock();
    g_assert_cmpint(mig_save_stream(spapr, &s, &err), ==, 0);
    bql_unlock();
    g_assert_no_error(err);
    return out;
}

/* Load @len bytes of @data into @spapr through a temporary file. */
static int load(SpaprMachineState *spapr, const uint8_t *data, size_t len, GError **err)
{
    FILE *f = tmpfile();
    bool running;
    g_assert_nonnull(f);
    g_assert_cmpuint(fwrite(data, 1, len, f), ==, len);
    fflush(f);
    rewind(f);
    MigStream s;
    mig_stream_init(&s, fileno(f), false);
    bql_lock();
    int r = mig_load_stream(spapr, &s, false, &running, err);
    bql_unlock();
    fclose(f);
    return r;
}

/* A machine in the middle of a machine check: CPU 2 holds the buffer (in
 * its handler), CPUs 3 then 1 wait; some RAM, registers, XICS and console
 * state that must all come across. */
static SpaprMachineState *busy_machine(void)
{
    SpaprMachineState *spapr = machine(4);
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };
    SpaprMceInfo info = { .srr1 = SRR1_MC_LOADSTORE, .dsisr = DSISR_MC_UE,
                          .dar = 0x1234000, .recovered = true, .ea_known = true };

    bql_lock();
    g_assert_cmpint(rtas_as(spapr, spapr->cpus[0], RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[2], &info), ==, SPAPR_MCE_DELIVERED);
    info.dar = 0x3333000;
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[3], &info), ==, SPAPR_MCE_QUEUED);
    info.dar = 0x1111000;
    g_assert_cmpint(spapr_mce_req_event(spapr, spapr->cpus[1], &info), ==, SPAPR_MCE_QUEUED);
    for (int i = 0; i < 4; i++) {
        CPUPPCState *env = &spapr->cpus[i]->env;
        for (int r = 4; r < 32; r++) {
            env->gpr[r] = 0x1000ULL * i + r;
        }
        env->sprg[1] = 0xabc0 + i;
        env->fpr[7] = 0x4000000000000000ULL | i;
        env->vr[5][3] = (uint8_t)(0x50 + i);
        env->reserve_addr = 0x8000 + 16 * i;
        env->reserve_size = 8;
    }
    spapr->cpus[0]->state = CPU_STATE_HALTED;
    guest_fill(&spapr->ram, 0x2000000, 0x5a, 3 * GUEST_PAGE_SIZE);
    guest_st_be64(&spapr->ram, RAM_SIZE - 8, 0xfeedface);
    xics_write_xive(spapr->xics, XICS_IRQ_BASE + 5, 2, 4, 6);
    xics_icp_set_mfrr(spapr->xics, 1, 3);
    g_string_append(spapr->console_input, "typed");
    ppc_radix_partition_set(&spapr->radix, true, 0x400000, 4);
    bql_unlock();
    return spapr;
}

static void test_round_trip_mid_mce(void)
{
    SpaprMachineState *src = busy_machine();
    g_autoptr(GByteArray) stream = save(src);
    SpaprMachineState *dst = machine(4);
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    g_assert_no_error(err);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpmem(&src->cpus[i]->env, sizeof(CPUPPCState),
                        &dst->cpus[i]->env, sizeof(CPUPPCState));
        g_assert_cmpint(src->cpus[i]->state, ==, dst->cpus[i]->state);
        g_assert_cmpint(src->cpus[i]->irq_pending, ==, dst->cpus[i]->irq_pending);
    }
    uint8_t a[3 * GUEST_PAGE_SIZE], b[3 * GUEST_PAGE_SIZE];
    guest_read(&src->ram, 0x2000000, a, sizeof(a));
    guest_read(&dst->ram, 0x2000000, b, sizeof(b));
    g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
    uint64_t v;
    guest_ld_be64(&dst->ram, RAM_SIZE - 8, &v);
    g_assert_cmphex(v, ==, 0xfeedface);
    uint32_t server;
    uint8_t prio, saved;
    xics_read_xive(dst->xics, XICS_IRQ_BASE + 5, &server, &prio, &saved);
    g_assert_cmpuint(server, ==, 2);
    g_assert_cmpuint(prio, ==, 4);
    g_assert_cmpuint(saved, ==, 6);
    g_assert_cmpstr(dst->console_input->str, ==, "typed");
    g_assert_cmphex(dst->radix.proc_tbl, ==, src->radix.proc_tbl);

    SpaprFwnmiState *f = &dst->fwnmi;
    g_assert_cmphex(f->mce_addr, ==, MCE_HANDLER);
    g_assert_cmphex(f->sreset_addr, ==, SRESET_HANDLER);
    g_assert_cmpint(f->interlock_holder, ==, 2);
    g_assert_true(f->holder_entered);
    g_assert_cmpmem(&f->count, sizeof(f->count), &src->fwnmi.count, sizeof(f->count));
    g_assert_cmpuint(f->next_plid, ==, src->fwnmi.next_plid);
    g_assert_cmpuint(g_queue_get_length(&f->pending), ==, 2);

    /* The destination finishes the protocol: 2 interlocks, then 3, then 1. */
    bql_lock();
    uint64_t delivered = f->count.delivered;
    g_assert_cmpint(rtas_as(dst, dst->cpus[2], RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_cmpint(f->interlock_holder, ==, 3);
    g_assert_cmphex(dst->cpus[3]->env.nip, ==, MCE_HANDLER);
    g_assert_cmphex(dst->cpus[3]->env.dar, ==, 0x3333000);
    g_assert_cmpint(rtas_as(dst, dst->cpus[3], RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_cmpint(f->interlock_holder, ==, 1);
    g_assert_cmphex(dst->cpus[1]->env.dar, ==, 0x1111000);
    g_assert_cmpint(rtas_as(dst, dst->cpus[1], RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_cmpint(f->interlock_holder, ==, FWNMI_HOLDER_NONE);
    g_assert_cmpuint(f->count.delivered, ==, delivered + 2);
    g_assert_cmpuint(f->count.interlocks, ==, src->fwnmi.count.interlocks + 3);
    bql_unlock();
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

/* Source with "threaded" vCPUs (work queued, not run inline), registered. */
static SpaprMachineState *threaded_machine(void)
{
    SpaprMachineState *spapr = machine(2);
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };

    bql_lock();
    g_assert_cmpint(rtas_as(spapr, spapr->cpus[0], RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    for (int i = 0; i < 2; i++) {
        spapr->cpus[i]->has_thread = true;
        spapr->cpus[i]->env.msr |= MSR_RI;
    }
    bql_unlock();
    return spapr;
}

static void unthread(SpaprMachineState *spapr)
{
    bql_lock();
    for (int i = 0; i < spapr->smp_cpus; i++) {
        cpu_process_work(spapr->cpus[i]);
        spapr->cpus[i]->has_thread = false;
    }
    bql_unlock();
}

/* A machine check held until the holder reaches MSR[RI]=1 migrates as
 * such: on the destination it is still held, and delivered at RI=1. */
static void test_deferred_delivery_migrates(void)
{
    SpaprMachineState *src = threaded_machine();
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    PowerPCCPU *cpu = src->cpus[1];

    bql_lock();
    cpu->env.msr &= ~MSR_RI;
    cpu->env.nip = 0x7000;
    g_assert_cmpint(spapr_mce_req_event(src, cpu, &info), ==, SPAPR_MCE_DELIVERED);
    cpu_process_work(cpu);
    g_assert_nonnull(src->fwnmi.deferred);
    bql_unlock();
    g_autoptr(GByteArray) stream = save(src);

    SpaprMachineState *dst = machine(2);
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    PowerPCCPU *dcpu = dst->cpus[1];
    bql_lock();
    g_assert_nonnull(dst->fwnmi.deferred);
    g_assert_cmpint(dcpu->mce_wait_ri, ==, 1);
    g_assert_false(dst->fwnmi.holder_entered);
    g_assert_cmpuint(dst->fwnmi.count.deferred, ==, 1);
    spapr_fwnmi_cpu_poll(dst, dcpu);                /* still RI=0: held */
    g_assert_false(dst->fwnmi.holder_entered);
    dcpu->env.msr |= MSR_RI;
    spapr_fwnmi_cpu_poll(dst, dcpu);
    g_assert_true(dst->fwnmi.holder_entered);
    g_assert_cmphex(dcpu->env.nip, ==, MCE_HANDLER);
    g_assert_cmphex(dcpu->env.srr0, ==, 0x7000);
    g_assert_cmpint(dcpu->mce_wait_ri, ==, 0);
    spapr_fwnmi_reset(src);             /* frees the source's held delivery */
    bql_unlock();
    unthread(src);
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

/* Assigned but not yet entered (the delivery was still in the vCPU's work
 * queue): the destination delivers it itself, once. */
static void test_assigned_not_entered_migrates(void)
{
    SpaprMachineState *src = threaded_machine();
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };

    bql_lock();
    g_assert_cmpint(spapr_mce_req_event(src, src->cpus[0], &info), ==, SPAPR_MCE_DELIVERED);
    g_assert_cmpint(spapr_mce_req_event(src, src->cpus[1], &info), ==, SPAPR_MCE_QUEUED);
    g_assert_false(src->fwnmi.holder_entered);
    bql_unlock();
    g_autoptr(GByteArray) stream = save(src);

    SpaprMachineState *dst = machine(2);
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    bql_lock();
    g_assert_cmpint(dst->fwnmi.interlock_holder, ==, 0);
    g_assert_true(dst->fwnmi.holder_entered);      /* no thread here: inline */
    g_assert_cmpuint(dst->fwnmi.count.delivered, ==, 1);
    g_assert_cmphex(dst->cpus[0]->env.nip, ==, MCE_HANDLER);
    g_assert_cmpint(rtas_as(dst, dst->cpus[0], RTAS_IBM_NMI_INTERLOCK, 0, NULL), ==, 0);
    g_assert_cmpint(dst->fwnmi.interlock_holder, ==, 1);
    g_assert_cmpuint(dst->fwnmi.count.delivered, ==, 2);
    bql_unlock();
    unthread(src);
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

/* The stale-registration guard migrates: the snapshot of the handlers
 * taken at ibm,nmi-register on the source detects, on the destination,
 * that a new kernel overwrote them (the machine check goes to 0x200, not
 * into the overwritten handler); the drop itself migrates too. */
static void test_stale_guard_migrates(void)
{
    SpaprMachineState *src = machine(1);
    uint32_t args[2] = { SRESET_HANDLER, MCE_HANDLER };
    SpaprMceInfo info = { .srr1 = SRR1_MC_IFETCH_UE, .recovered = true };
    g_autoptr(GError) err = NULL;

    bql_lock();
    guest_fill(&src->ram, SRESET_HANDLER, 0x11, FWNMI_GUARD_WINDOW);
    guest_fill(&src->ram, MCE_HANDLER, 0x22, FWNMI_GUARD_WINDOW);
    g_assert_cmpint(rtas_as(src, src->cpus[0], RTAS_IBM_NMI_REGISTER, 2, args), ==, 0);
    g_assert_cmpuint(src->fwnmi.guard.snap_len[FWNMI_GUARD_MCE], ==, FWNMI_GUARD_WINDOW);
    bql_unlock();
    g_autoptr(GByteArray) stream = save(src);

    SpaprMachineState *dst = machine(1);
    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    g_assert_no_error(err);
    bql_lock();
    for (int i = 0; i < FWNMI_GUARD_N; i++) {
        g_assert_cmpuint(dst->fwnmi.guard.snap_len[i], ==, src->fwnmi.guard.snap_len[i]);
        g_assert_cmpmem(dst->fwnmi.guard.snap[i], FWNMI_GUARD_WINDOW,
                        src->fwnmi.guard.snap[i], FWNMI_GUARD_WINDOW);
    }
    guest_fill(&dst->ram, MCE_HANDLER, 0x33, FWNMI_GUARD_WINDOW);     /* kexec */
    g_assert_cmpint(spapr_mce_req_event(dst, dst->cpus[0], &info), ==, SPAPR_MCE_LEGACY);
    g_assert_true(dst->fwnmi.guard.stale);
    g_assert_cmpstr(dst->fwnmi.guard.stale_event, ==, "machine-check");
    g_assert_cmphex(dst->fwnmi.guard.stale_handler, ==, MCE_HANDLER);
    g_assert_cmpuint(dst->fwnmi.guard.stale_changed, ==, FWNMI_GUARD_WORDS);
    g_assert_cmpuint(dst->fwnmi.guard.stale_drops, ==, 1);
    g_assert_cmpuint(dst->fwnmi.count.stale, ==, 1);
    g_assert_cmpuint(dst->fwnmi.count.delivered, ==, 0);
    bql_unlock();

    g_autoptr(GByteArray) stream2 = save(dst);
    SpaprMachineState *dst2 = machine(1);
    g_assert_cmpint(load(dst2, stream2->data, stream2->len, &err), ==, 0);
    g_assert_no_error(err);
    const SpaprFwnmiGuard *a = &dst->fwnmi.guard, *b = &dst2->fwnmi.guard;
    g_assert_true(b->stale);
    g_assert_cmpstr(b->reason, ==, a->reason);
    g_assert_cmpstr(b->stale_event, ==, "machine-check");
    g_assert_cmphex(b->stale_handler, ==, a->stale_handler);
    g_assert_cmpuint(b->stale_changed, ==, a->stale_changed);
    g_assert_cmpuint(b->stale_words, ==, a->stale_words);
    g_assert_cmpuint(b->stale_drops, ==, 1);
    g_assert_cmpuint(dst2->fwnmi.count.stale, ==, 1);
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
    spapr_machine_destroy(dst2);
}

static void expect_error(SpaprMachineState *dst, const uint8_t *data, size_t len,
                         const char *needle);

/* An RTAS area the guest moved (VOF's instantiate-rtas) migrates: the
 * destination adopts the source's base; one outside the RMA is refused. */
static void test_moved_rtas_migrates(void)
{
    SpaprMachineState *src = machine(1);
    SpaprMachineState *dst = machine(1);
    g_autoptr(GError) err = NULL;
    uint64_t moved = 0x1000000;

    g_assert_cmphex(src->rtas_base, !=, moved);
    src->rtas_base = moved;
    g_autoptr(GByteArray) stream = save(src);
    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    g_assert_no_error(err);
    g_assert_cmphex(dst->rtas_base, ==, moved);
    g_assert_cmphex(dst->rtas_base_default, ==, src->rtas_base_default);

    src->rtas_base = src->rma_size - 16;
    g_autoptr(GByteArray) bad = save(src);
    SpaprMachineState *dst2 = machine(1);
    expect_error(dst2, bad->data, bad->len, "RTAS area is at 0x3fffff0");
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
    spapr_machine_destroy(dst2);
}

static void expect_error(SpaprMachineState *dst, const uint8_t *data, size_t len,
                         const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(load(dst, data, len, &err), ==, -1);
    g_assert_nonnull(err);
    if (!strstr(err->message, needle)) {
        g_error("expected an error with '%s', got '%s'", needle, err->message);
    }
    g_assert_null(strchr(err->message, '\n'));
}

static void test_truncated_rejected(void)
{
    SpaprMachineState *src = busy_machine();
    g_autoptr(GByteArray) stream = save(src);
    SpaprMachineState *dst = machine(4);

    /* Every prefix shorter than the stream fails; sample them. */
    for (size_t len = 0; len < stream->len; len += 1 + len / 3) {
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(load(dst, stream->data, len, &err), ==, -1);
        g_assert_nonnull(err);
    }
    expect_error(dst, stream->data, stream->len - 1, "truncated");
    expect_error(dst, stream->data, 5, "truncated");
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

static void test_corrupt_rejected(void)
{
    SpaprMachineState *src = busy_machine();
    g_autoptr(GByteArray) stream = save(src);
    SpaprMachineState *dst = machine(4);

    stream->data[stream->len / 2] ^= 0x40;
    expect_error(dst, stream->data, stream->len, "corrupt migration stream");
    stream->data[stream->len / 2] ^= 0x40;
    stream->data[0] = 'X';
    expect_error(dst, stream->data, stream->len, "bad magic");
    stream->data[0] = 'F';
    stream->data[MIG_MAGIC_LEN + 3] = 9;
    expect_error(dst, stream->data, stream->len, "version 9");
    stream->data[MIG_MAGIC_LEN + 3] = MIG_STREAM_VERSION;
    stream->data[MIG_MAGIC_LEN + 7] ^= 1;          /* the config digest */
    expect_error(dst, stream->data, stream->len, "does not match the header's digest");
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

static void test_mismatch_rejected(void)
{
    SpaprMachineState *src = busy_machine();
    g_autoptr(GByteArray) stream = save(src);
    SpaprMachineState *two = machine(2);
    expect_error(two, stream->data, stream->len, "-smp: the source has 4 vCPUs, this machine 2");
    spapr_machine_destroy(two);

    SpaprMachineState *big = test_machine_new(RAM_SIZE * 2, 4);
    expect_error(big, stream->data, stream->len, "-m: the source has 64 MiB");
    spapr_machine_destroy(big);

    SpaprMachineState *off = machine(4);
    off->caps.fwnmi = false;
    expect_error(off, stream->data, stream->len, "cap-fwnmi");
    spapr_machine_destroy(off);
    spapr_machine_destroy(src);
}

/* A stream with a section the destination does not know, or one missing. */
static void test_unknown_and_missing_sections(void)
{
    SpaprMachineState *src = machine(1);
    SpaprMachineState *dst = machine(1);
    g_autoptr(GByteArray) out = g_byte_array_new();
    MigStream s;
    MigBuf b;

    mig_stream_init(&s, -1, true);
    s.mem = out;
    mig_buf_init(&b);
    mig_save_config(src, &b);
    g_assert_cmpint(mig_write_header(&s, mig_digest(&b), NULL), ==, 0);
    g_assert_cmpint(mig_write_section(&s, "config", 1, 0, &b, NULL), ==, 0);
    size_t good = out->len;
    g_assert_cmpint(mig_write_section(&s, "gpu", 1, 0, &b, NULL), ==, 0);
    g_assert_cmpint(mig_write_end(&s, NULL), ==, 0);
    expect_error(dst, out->data, out->len, "unknown section 'gpu'");

    g_byte_array_set_size(out, good);
    s.sections = 1;
    g_assert_cmpint(mig_write_end(&s, NULL), ==, 0);
    expect_error(dst, out->data, out->len, "missing the machine section");

    g_byte_array_set_size(out, good);
    s.sections = 1;
    g_assert_cmpint(mig_write_section(&s, "machine", 7, 0, &b, NULL), ==, 0);
    expect_error(dst, out->data, out->len, "section 'machine' version 7");
    mig_buf_free(&b);
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

/* Zero pages travel as markers; untouched RAM is not sent at all. */
static void test_ram_sparse(void)
{
    SpaprMachineState *src = machine(1);
    bql_lock();
    guest_fill(&src->ram, 0x1000000, 0, GUEST_PAGE_SIZE);        /* touched, zero */
    guest_fill(&src->ram, 0x1800000, 0x11, GUEST_PAGE_SIZE);
    bql_unlock();
    g_autoptr(GByteArray) stream = save(src);
    /* 64 MiB of RAM, a handful of touched pages: well under 1 MiB. */
    g_assert_cmpuint(stream->len, <, 1u << 20);

    SpaprMachineState *dst = machine(1);
    bql_lock();
    guest_fill(&dst->ram, 0x1000000, 0x77, GUEST_PAGE_SIZE);     /* stale data */
    bql_unlock();
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(load(dst, stream->data, stream->len, &err), ==, 0);
    uint8_t page[GUEST_PAGE_SIZE], zero[GUEST_PAGE_SIZE] = { 0 };
    guest_read(&dst->ram, 0x1000000, page, sizeof(page));
    g_assert_cmpmem(page, sizeof(page), zero, sizeof(zero));
    guest_read(&dst->ram, 0x1800000, page, sizeof(page));
    g_assert_cmpuint(page[100], ==, 0x11);
    spapr_machine_destroy(src);
    spapr_machine_destroy(dst);
}

/* The dirty log sees the VMM's writes only while it is on. */
static void test_dirty_log(void)
{
    SpaprMachineState *spapr = machine(1);
    GuestMemory *gm = &spapr->ram;
    g_autofree unsigned long *bm = g_new0(unsigned long, guest_dirty_bitmap_longs(gm));

    guest_st_be32(gm, 0x5000, 1);
    guest_dirty_log_start(gm);
    g_assert_cmpuint(guest_dirty_log_sync(gm, bm), ==, 0);
    guest_st_be32(gm, 0x5000, 2);
    guest_fill(gm, 0x7ffe, 1, 4);       /* straddles two pages */
    g_assert_cmpuint(guest_dirty_log_sync(gm, bm), ==, 3);
    g_assert_cmpuint(guest_dirty_log_sync(gm, bm), ==, 0);
    guest_dirty_log_stop(gm);
    guest_st_be32(gm, 0x9000, 2);
    g_assert_cmpuint(guest_dirty_log_sync(gm, bm), ==, 0);
    spapr_machine_destroy(spapr);
}

static void test_cursor_bounds(void)
{
    uint8_t buf[5] = { 0, 0, 0, 7, 9 };
    MigCursor c;

    mig_cursor_init(&c, buf, sizeof(buf));
    g_assert_cmpuint(mig_get_u32(&c), ==, 7);
    g_assert_false(mig_cursor_done(&c));
    g_assert_cmpuint(mig_get_u64(&c), ==, 0);
    g_assert_true(c.overrun);
    g_assert_false(mig_cursor_done(&c));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/round-trip/mid-machine-check", test_round_trip_mid_mce);
    g_test_add_func("/migration/round-trip/deferred-for-ri", test_deferred_delivery_migrates);
    g_test_add_func("/migration/round-trip/assigned-not-entered",
                    test_assigned_not_entered_migrates);
    g_test_add_func("/migration/round-trip/stale-guard", test_stale_guard_migrates);
    g_test_add_func("/migration/round-trip/moved-rtas", test_moved_rtas_migrates);
    g_test_add_func("/migration/reject/truncated", test_truncated_rejected);
    g_test_add_func("/migration/reject/corrupt", test_corrupt_rejected);
    g_test_add_func("/migration/reject/config-mismatch", test_mismatch_rejected);
    g_test_add_func("/migration/reject/unknown-or-missing-section",
                    test_unknown_and_missing_sections);
    g_test_add_func("/migration/ram/sparse-and-zero-pages", test_ram_sparse);
    g_test_add_func("/migration/ram/dirty-log", test_dirty_log);
    g_test_add_func("/migration/stream/cursor-bounds", test_cursor_bounds);
    return g_test_run();
}
