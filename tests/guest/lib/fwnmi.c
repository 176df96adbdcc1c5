/*
 * FWNMI, guest side, done the way Linux's pseries code does it
 * (arch/powerpc/platforms/pseries/ras.c and kernel/mce.c): register the
 * two entry points, validate R3, restore it from the save area, copy and
 * parse the RTAS error log, print it in Linux's words, release it with
 * ibm,nmi-interlock.
 */
#include "guest.h"

/* Looked up once at registration, as Linux does: the machine-check path
 * must not walk the device tree. */
static u32 interlock_token;

int fwnmi_register(void)
{
    interlock_token = rtas_token("ibm,nmi-interlock");
    return rtas_call("ibm,nmi-register", 2, 1, NULL,
                     (u32)(uintptr_t)fwnmi_sreset_entry,
                     (u32)(uintptr_t)fwnmi_mce_entry);
}

int fwnmi_interlock(void)
{
    return interlock_token ? rtas_call_token(interlock_token, 0, 1, NULL)
                           : rtas_call("ibm,nmi-interlock", 0, 1, NULL);
}

/*
 * Linux's VALID_FWNMI_BUFFER, RTAS part: the 16 bytes at @a lie inside
 * [rtas-base, rtas-base + rtas-size). (Linux also accepts the page at
 * 0x7000 for old firmware; this VMM promises the RTAS area.)
 */
static bool valid_fwnmi_buffer(u64 a)
{
    return a >= machine.rtas_base &&
           a <= machine.rtas_base + machine.rtas_size - 16;
}

static u64 fwnmi_savep(const struct regs *r, const char *what)
{
    u64 savep = r->gpr[3] & ~(3UL << 62);      /* mask the top two bits */

    if (!valid_fwnmi_buffer(savep)) {
        fail("CPU%lu: %s: FWNMI: corrupt r3 0x%016lx (RTAS area is "
             "0x%lx..0x%lx)", this_cpu()->cpu_id, what, r->gpr[3],
             machine.rtas_base, machine.rtas_base + machine.rtas_size);
    }
    return savep;
}

u64 fwnmi_take_sreset_slot(struct regs *r)
{
    u64 slot = fwnmi_savep(r, "system reset");
    const u8 *p = (const u8 *)(uintptr_t)slot;

    r->gpr[3] = be64(p);                        /* restore the original r3 */
    if (be64(p + 8) != 0) {
        fail("CPU%lu: system reset save slot 0x%lx: second doubleword is "
             "0x%016lx, expected 0", this_cpu()->cpu_id, slot, be64(p + 8));
    }
    return slot;
}

/* The v6 extended log: find section @id, return its offset in @ext or -1 */
static int find_section(const u8 *ext, u32 ext_len, u16 id)
{
    u32 off = 16;       /* sections follow the 16-byte v6 header */

    if (ext_len < 16 || (ext[2] & 0x0F) != 14 || memcmp(ext + 12, "IBM", 4)) {
        return -1;
    }
    while (off + 4 <= ext_len) {
        u16 sid = be16(ext + off), slen = be16(ext + off + 2);

        if (sid == id) {
            return off + slen <= ext_len ? (int)off : -1;
        }
        if (slen < 4) {
            return -1;  /* malformed: would loop for ever */
        }
        off += slen;
    }
    return -1;
}

void fwnmi_take_log(struct regs *r, struct mce_event *ev)
{
    struct percpu *pc = this_cpu();
    u64 savep = fwnmi_savep(r, "machine check");
    const u8 *save = (const u8 *)(uintptr_t)savep;
    const u8 *h = save + 8, *log = pc->mce_log;
    u64 area_end = machine.rtas_base + machine.rtas_size;
    u32 len = 8;
    int mc;

    memset(ev, 0, sizeof(*ev));
    ev->savep = savep;
    ev->orig_r3 = be64(save);
    r->gpr[3] = ev->orig_r3;                    /* restore the original r3 */

    ev->extended = (h[1] >> 2) & 1;
    if (ev->extended) {
        len = 8 + be32(h + 4);
        if (len > 2048) {
            len = 2048;                         /* RTAS_ERROR_LOG_MAX */
        }
    }
    if (savep + 8 + len > area_end) {
        fail("CPU%lu: machine check: the %u-byte error log at 0x%lx runs "
             "past the RTAS area (ends 0x%lx)", pc->cpu_id, len, savep + 8,
             area_end);
    }
    memset(pc->mce_log, 0, sizeof(pc->mce_log));
    memcpy(pc->mce_log, h, len);
    ev->log_len = len;

    /* fixed part */
    ev->version = log[0];
    ev->severity = log[1] >> 5;
    ev->disposition = (log[1] >> 3) & 3;
    ev->initiator = log[2] >> 4;
    ev->log_type = log[3];
    if (!ev->extended || len < 8 + 16) {
        return;
    }
    mc = find_section(log + 8, len - 8, ('M' << 8) | 'C');
    if (mc < 0 || be16(log + 8 + mc + 2) < 40) {
        return;
    }
    /* MC section: 8-byte header, fru_id, proc_id, type, subtype, 6 reserved, EA, LA */
    {
        const u8 *s = log + 8 + mc;

        ev->have_mc = true;
        ev->mc_off = 16 + (u32)mc;      /* from savep: r3 save (8) + fixed part (8) */
        ev->error_type = s[16];
        ev->sub_err_type = s[17];
        switch (ev->error_type) {
        case MC_TYPE_UE:
            ev->subtype = s[17] & 7;
            ev->ea_valid = s[17] & MC_UE_EA_PROVIDED;
            ev->la_valid = s[17] & MC_UE_LA_PROVIDED;
            break;
        case MC_TYPE_SLB:
        case MC_TYPE_ERAT:
        case MC_TYPE_TLB:
            ev->subtype = s[17] & 3;
            ev->ea_valid = s[17] & MC_EA_PROVIDED;
            break;
        default:
            break;
        }
        ev->ea = be64(s + 24);
        ev->la = be64(s + 32);
    }
}

const char *rtas_severity_name(u8 sev)
{
    static const char *const names[] = {
        "NO_ERROR", "EVENT", "WARNING", "ERROR_SYNC", "ERROR", "FATAL",
        "ALREADY_REPORTED",
    };
    return sev < ARRAY_SIZE(names) ? names[sev] : "unknown";
}

/* Linux maps RTAS severities to its own four levels */
static const char *linux_severity(u8 sev)
{
    switch (sev) {
    case RTAS_SEV_NO_ERROR:
        return "Harmless";
    case RTAS_SEV_EVENT:
    case RTAS_SEV_WARNING:
        return "Warning";
    case RTAS_SEV_ERROR_SYNC:
    case RTAS_SEV_ERROR:
        return "Severe";
    default:
        return "Fatal";
    }
}

static const char *linux_initiator(u8 init)
{
    static const char *const names[] = {
        "Unknown", "CPU", "PCI", "ISA", "Memory", "Power Management",
    };
    return init < ARRAY_SIZE(names) ? names[init] : "Unknown";
}

static void linux_type(const struct mce_event *ev, const char **type,
                       const char **sub)
{
    static const char *const ue[] = {
        "Indeterminate", "Instruction fetch", "Page table walk ifetch",
        "Load/Store", "Page table walk Load/Store",
    };
    /* RTAS parity 0 / multihit 1 / indeterminate 2, Linux's wording */
    static const char *const erat[] = { "Parity", "Multihit", "Indeterminate" };

    if (!ev->have_mc) {
        *type = "Unknown";
        *sub = "";
        return;
    }
    switch (ev->error_type) {
    case MC_TYPE_UE:
        *type = "UE";
        *sub = ev->subtype < ARRAY_SIZE(ue) ? ue[ev->subtype] : "Indeterminate";
        break;
    case MC_TYPE_SLB:
    case MC_TYPE_ERAT:
    case MC_TYPE_TLB:
        *type = ev->error_type == MC_TYPE_SLB ? "SLB" :
                ev->error_type == MC_TYPE_ERAT ? "ERAT" : "TLB";
        *sub = ev->subtype < ARRAY_SIZE(erat) ? erat[ev->subtype] : "Indeterminate";
        break;
    case MC_TYPE_D_CACHE:
        *type = "D-Cache";
        *sub = "Unknown";
        break;
    case MC_TYPE_I_CACHE:
        *type = "I-Cache";
        *sub = "Unknown";
        break;
    default:
        *type = "Unknown";
        *sub = "";
        break;
    }
}

/*
 * The first three lines Linux's machine_check_print_event_info() prints
 * for a kernel-mode machine check, with the same words and the same rules
 * (severity mapping, "DAR: %016lx " only when an EA is provided and
 * differs from SRR0, limited recovery counted as recovered):
 *   MCE: CPU0: machine check (Severe) UE Load/Store DAR: 0000000020001000 [Recovered]
 *   MCE: CPU0: NIP: [0000000000008114]
 *   MCE: CPU0: Initiator CPU
 * Deliberate simplifications: current Linux has an empty "Guest" field
 * after the severity (so it prints two spaces there), appends
 * "paddr: %016lx " when the log provides the logical address, prints the
 * symbol after the NIP, and adds a fourth "MCE: CPU0: Unknown" line (the
 * error class pseries never sets).
 */
void fwnmi_print_event(int cpu, const struct regs *r, const struct mce_event *ev)
{
    const char *type, *sub;
    char dar[40] = "";
    u64 ea = ev->ea_valid ? ev->ea : 0;
    bool recovered = ev->disposition == RTAS_DISP_FULY_RECOVERED;

    if (ev->disposition == RTAS_DISP_LIMITED_RECOVERY) {
        printf("MCE: limited recovery, system may be degraded\n");
        recovered = true;
    }
    linux_type(ev, &type, &sub);
    if (ea && ea != r->nip) {
        snprintf(dar, sizeof(dar), "DAR: %016lx ", ea);
    }
    printf("MCE: CPU%d: machine check (%s) %s %s %s[%s]\n", cpu,
           linux_severity(ev->severity), type, sub, dar,
           recovered ? "Recovered" : "Not recovered");
    printf("MCE: CPU%d: NIP: [%016lx]\n", cpu, r->nip);
    printf("MCE: CPU%d: Initiator %s\n", cpu, linux_initiator(ev->initiator));
}
