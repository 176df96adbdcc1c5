/*
 * The section registry of the migration stream: which sections a stream
 * carries, in which order, and how the destination dispatches and checks
 * them (include/migration/vmstate.h).
 */
#include "migration/vmstate.h"

#include "hw/intc/xics.h"
#include "hw/ppc/spapr.h"
#include "migration/ram.h"
#include "system/bql.h"
#include "system/clock.h"
#include "target/ppc/interp.h"

/* ---- config ---- */

void mig_save_config(SpaprMachineState *spapr, MigBuf *b)
{
    mig_put_u64(b, spapr->ram_size);
    mig_put_u32(b, (uint32_t)spapr->smp_cpus);
    mig_put_u32(b, spapr->caps.fwnmi ? 1 : 0);      /* caps as bits */
}

int mig_check_config(SpaprMachineState *spapr, MigCursor *c, GError **error)
{
    uint64_t ram = mig_get_u64(c);
    uint32_t cpus = mig_get_u32(c);
    uint32_t caps = mig_get_u32(c);

    if (!mig_cursor_done(c)) {
        g_set_error(error, MIG_ERROR, 0, "config: section has the wrong length");
        return -1;
    }
    if (ram != spapr->ram_size) {
        g_set_error(error, MIG_ERROR, 0, "-m: the source has %" G_GUINT64_FORMAT
                    " MiB of RAM, this machine %" G_GUINT64_FORMAT " MiB",
                    ram >> 20, spapr->ram_size >> 20);
        return -1;
    }
    if (cpus != (uint32_t)spapr->smp_cpus) {
        g_set_error(error, MIG_ERROR, 0, "-smp: the source has %u vCPUs, this machine %d",
                    cpus, spapr->smp_cpus);
        return -1;
    }
    if (caps != (spapr->caps.fwnmi ? 1u : 0u)) {
        g_set_error(error, MIG_ERROR, 0, "cap-fwnmi: the source has it %s, this machine %s",
                    caps & 1 ? "on" : "off", spapr->caps.fwnmi ? "on" : "off");
        return -1;
    }
    return 0;
}

/* ---- machine and console ---- */

static void save_machine(SpaprMachineState *spapr, MigBuf *b)
{
    mig_put_u8(b, spapr->runstate == RUN_STATE_RUNNING ||
                  spapr->runstate == RUN_STATE_FINISH_MIGRATE);
    mig_put_u64(b, (uint64_t)vm_clock_ns());
    mig_put_u64(b, spapr->rtas_base);
    mig_put_u32(b, spapr->rtas_size);
    mig_put_u64(b, spapr->fdt_addr);
    mig_put_u32(b, spapr->fdt_size);
    mig_put_u64(b, spapr->radix.proc_tbl);
}

static int load_machine(SpaprMachineState *spapr, MigCursor *c, bool *running,
                        int64_t *clock_ns, GError **error)
{
    *running = mig_get_u8(c) != 0;
    *clock_ns = (int64_t)mig_get_u64(c);
    uint64_t rtas_base = mig_get_u64(c);
    uint32_t rtas_size = mig_get_u32(c);
    uint64_t fdt_addr = mig_get_u64(c);
    uint32_t fdt_size = mig_get_u32(c);
    uint64_t proc_tbl = mig_get_u64(c);

    if (!mig_cursor_done(c) || *clock_ns < 0) {
        g_set_error(error, MIG_ERROR, 0, "machine: section has the wrong length");
        return -1;
    }
    /* The size follows from -smp (checked in 'config'); the base may have
     * been moved by the guest (VOF's instantiate-rtas, SLOF's tree at
     * H_UPDATE_DT): adopt it, as those would have, within the RMA. */
    if (rtas_size != spapr->rtas_size || !spapr_rtas_base_valid(spapr, rtas_base)) {
        g_set_error(error, MIG_ERROR, 0, "machine: the source's RTAS area is at 0x%"
                    G_GINT64_MODIFIER "x (%u bytes), invalid for this machine (%u bytes "
                    "in an RMA of 0x%" G_GINT64_MODIFIER "x)", rtas_base, rtas_size,
                    spapr->rtas_size, spapr->rma_size);
        return -1;
    }
    if (fdt_addr > spapr->rma_size || spapr->rma_size - fdt_addr < fdt_size ||
        (fdt_addr < rtas_base + rtas_size && rtas_base < fdt_addr + fdt_size) ||
        (proc_tbl & ~(PATE1_GR | PATE1_PRTB | PATE1_PRTS)) ||
        (proc_tbl & PATE1_PRTS) > PRTS_MAX) {
        g_set_error(error, MIG_ERROR, 0, "machine: invalid device tree or process table");
        return -1;
    }
    spapr->rtas_base = rtas_base;
    spapr->fdt_addr = fdt_addr;
    spapr->fdt_size = fdt_size;
    if (proc_tbl) {
        ppc_radix_partition_set(&spapr->radix, proc_tbl & PATE1_GR, proc_tbl & PATE1_PRTB,
                                (unsigned)(proc_tbl & PATE1_PRTS));
    } else {
        ppc_radix_partition_reset(&spapr->radix);
    }
    return 0;
}

static void save_console(SpaprMachineState *spapr, MigBuf *b)
{
    GString *in = spapr->console_input;
    mig_put_blob(b, in ? in->str : "", in ? (uint32_t)in->len : 0);
}

static int load_console(SpaprMachineState *spapr, MigCursor *c, GError **error)
{
    uint32_t len = mig_get_u32(c);
    const uint8_t *p = mig_get_ptr(c, len);
    if (!p || !mig_cursor_done(c) || len > 4096) {
        g_set_error(error, MIG_ERROR, 0, "console: section has the wrong length");
        return -1;
    }
    if (spapr->console_input) {
        g_string_truncate(spapr->console_input, 0);
        g_string_append_len(spapr->console_input, (const char *)p, len);
    }
    return 0;
}

/* ---- the whole stream ---- */

static int put(MigStream *s, const char *name, uint32_t instance, MigBuf *b, GError **error)
{
    int ret = mig_write_section(s, name, 1, instance, b, error);
    g_byte_array_set_size(b->data, 0);
    return ret;
}

int mig_save_devices(SpaprMachineState *spapr, MigStream *s, GError **error)
{
    MigBuf b;
    int ret;

    mig_buf_init(&b);
    save_machine(spapr, &b);
    ret = put(s, "machine", 0, &b, error);
    for (int i = 0; i < spapr->smp_cpus && ret == 0; i++) {
        ppc_cpu_vmstate_save(spapr->cpus[i], &b);
        ret = put(s, "cpu", (uint32_t)i, &b, error);
    }
    if (ret == 0) {
        xics_vmstate_save(spapr->xics, &b);
        ret = put(s, "xics", 0, &b, error);
    }
    if (ret == 0) {
        save_console(spapr, &b);
        ret = put(s, "console", 0, &b, error);
    }
    if (ret == 0) {
        spapr_fwnmi_vmstate_save(spapr, &b);
        ret = put(s, "fwnmi", 0, &b, error);
    }
    mig_buf_free(&b);
    return ret;
}

int mig_save_stream(SpaprMachineState *spapr, MigStream *s, GError **error)
{
    g_autofree unsigned long *bm = g_new0(unsigned long, guest_dirty_bitmap_longs(&spapr->ram));
    MigRamStats stats = { 0 };
    MigBuf b;
    int ret;

    mig_buf_init(&b);
    mig_save_config(spapr, &b);
    ret = mig_write_header(s, mig_digest(&b), error);
    if (ret == 0) {
        ret = put(s, "config", 0, &b, error);
    }
    mig_buf_free(&b);
    mig_ram_touched(&spapr->ram, bm);
    if (ret == 0) {
        ret = mig_ram_send(&spapr->ram, s, bm, &stats, error);
    }
    if (ret == 0) {
        ret = mig_save_devices(spapr, s, error);
    }
    if (ret == 0) {
        ret = mig_write_end(s, error);
    }
    return ret;
}

enum { SEEN_MACHINE = 1, SEEN_XICS = 2, SEEN_CONSOLE = 4, SEEN_FWNMI = 8 };

static int load_one(SpaprMachineState *spapr, MigSection *sec, unsigned *seen,
                    uint64_t *cpus_seen, bool *running, int64_t *clock_ns, GError **error)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(sec->payload, &len);
    MigCursor c;

    mig_cursor_init(&c, p, len);
    if (sec->version != 1) {
        g_set_error(error, MIG_ERROR, 0, "section '%s' version %u not supported (expected 1)",
                    sec->name, sec->version);
        return -1;
    }
    if (!strcmp(sec->name, "ram")) {
        return mig_ram_load(&spapr->ram, &c, error);
    }
    if (!strcmp(sec->name, "cpu")) {
        if (sec->instance >= (uint32_t)spapr->smp_cpus) {
            g_set_error(error, MIG_ERROR, 0, "section 'cpu' for vCPU %u of %d",
                        sec->instance, spapr->smp_cpus);
            return -1;
        }
        *cpus_seen |= 1ULL << sec->instance;
        return ppc_cpu_vmstate_load(spapr->cpus[sec->instance], &c, error);
    }
    if (!strcmp(sec->name, "machine")) {
        *seen |= SEEN_MACHINE;
        return load_machine(spapr, &c, running, clock_ns, error);
    }
    if (!strcmp(sec->name, "xics")) {
        *seen |= SEEN_XICS;
        return xics_vmstate_load(spapr->xics, &c, error);
    }
    if (!strcmp(sec->name, "console")) {
        *seen |= SEEN_CONSOLE;
        return load_console(spapr, &c, error);
    }
    if (!strcmp(sec->name, "fwnmi")) {
        *seen |= SEEN_FWNMI;
        return spapr_fwnmi_vmstate_load(spapr, &c, error);
    }
    g_set_error(error, MIG_ERROR, 0, "unknown section '%s' in the migration stream", sec->name);
    return -1;
}

int mig_load_stream(SpaprMachineState *spapr, MigStream *s, bool take_bql,
                    bool *was_running, GError **error)
{
    MigSection sec;
    unsigned seen = 0;
    uint64_t cpus_seen = 0;
    int64_t clock_ns = 0;
    int r;

    uint32_t digest;
    MigBuf mine;

    *was_running = false;
    if (mig_read_header(s, &digest, error) < 0) {
        return -1;
    }
    mig_buf_init(&mine);
    mig_save_config(spapr, &mine);
    bool same_config = digest == mig_digest(&mine);
    mig_buf_free(&mine);
    r = mig_read_section(s, &sec, error);
    if (r <= 0 || strcmp(sec.name, "config") != 0) {
        if (r >= 0) {
            g_set_error(error, MIG_ERROR, 0, "migration stream does not start with "
                        "its configuration");
        }
        mig_section_clear(&sec);
        return -1;
    }
    gsize len;
    const uint8_t *p = g_bytes_get_data(sec.payload, &len);
    MigCursor c;
    mig_cursor_init(&c, p, len);
    MigBuf theirs = { .data = g_byte_array_new() };
    g_byte_array_append(theirs.data, p, (guint)len);
    bool digest_ok = mig_digest(&theirs) == digest;
    mig_buf_free(&theirs);
    /* A different configuration is named field by field; a config section
     * that does not match its own header is corruption. */
    r = mig_check_config(spapr, &c, error);
    mig_section_clear(&sec);
    if (r < 0) {
        return -1;
    }
    if (!digest_ok || !same_config) {
        g_set_error(error, MIG_ERROR, 0, "corrupt migration stream: the configuration "
                    "does not match the header's digest");
        return -1;
    }
    guest_memory_clear(&spapr->ram);    /* pages not sent are zero */
    while ((r = mig_read_section(s, &sec, error)) > 0) {
        if (take_bql) {
            bql_lock();
        }
        r = load_one(spapr, &sec, &seen, &cpus_seen, was_running, &clock_ns, error);
        if (take_bql) {
            bql_unlock();
        }
        mig_section_clear(&sec);
        if (r < 0) {
            return -1;
        }
    }
    if (r < 0) {
        return -1;
    }
    uint64_t all_cpus = spapr->smp_cpus == 64 ? ~0ULL : (1ULL << spapr->smp_cpus) - 1;
    if (seen != (SEEN_MACHINE | SEEN_XICS | SEEN_CONSOLE | SEEN_FWNMI) ||
        cpus_seen != all_cpus) {
        g_set_error(error, MIG_ERROR, 0, "migration stream is missing the %s section",
                    !(seen & SEEN_MACHINE) ? "machine" : !(seen & SEEN_XICS) ? "xics"
                    : !(seen & SEEN_CONSOLE) ? "console" : !(seen & SEEN_FWNMI) ? "fwnmi"
                    : "cpu");
        return -1;
    }
    vm_clock_restore(clock_ns);
    ppc_interp_invalidate(0, spapr->ram_size);
    return 0;
}
