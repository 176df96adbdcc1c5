/*
 * XICS presentation (ICP) and source (ICS) controllers: the state machines
 * of LoPAPR's interrupt presentation layer (see include/hw/intc/xics.h).
 * QEMU's hw/intc/xics.c and KVM's book3s_xics.c were references for the
 * behaviour; where they differ it is said below. BQL held throughout.
 */
#include "hw/intc/xics.h"

#include <string.h>
#include <glib.h>

#include "migration/vmstate.h"
#include "system/trace.h"
#include "target/ppc/cpu.h"

/* Source status bits */
#define SRC_MASKED_PENDING  0x01    /* MSI fired while masked: fire on unmask */
#define SRC_REJECTED        0x02    /* MSI presented, rejected by the ICP: resend */
#define SRC_ASSERTED        0x04    /* LSI line is high */
#define SRC_SENT            0x08    /* LSI presented, not EOI'd yet */

typedef struct XicsIcp {
    uint8_t cppr;               /* current processor priority */
    uint8_t mfrr;               /* IPI priority, 0xff = none */
    uint8_t pending_priority;   /* priority of xisr, 0xff when xisr is 0 */
    bool xisr_is_source;        /* xisr came from the ICS (reject it back) */
    uint32_t xisr;              /* interrupt presented, 0 = none */
} XicsIcp;

typedef struct XicsSource {
    uint32_t server;
    uint8_t priority;           /* 0xff = masked */
    uint8_t saved_priority;     /* restored by ibm,int-on */
    uint8_t status;             /* SRC_* */
    bool lsi;
} XicsSource;

struct XicsState {
    PowerPCCPU **cpus;
    int nr_servers;
    XicsIcp *icp;
    XicsSource src[XICS_NR_SOURCES];
    /* one bit per source that an ICP must offer again when it can
     * (rejected MSI, asserted LSI not sent): keeps resends cheap */
    uint64_t waiting[XICS_NR_SOURCES / 64];
};

static void icp_present(XicsState *xics, int server, uint32_t nr, uint8_t priority);

/* ---- source side ---- */

static void src_update_waiting(XicsState *xics, uint32_t srcno)
{
    const XicsSource *s = &xics->src[srcno];
    bool waits = s->lsi ? (s->status & (SRC_ASSERTED | SRC_SENT)) == SRC_ASSERTED
                        : (s->status & SRC_REJECTED) != 0;
    uint64_t bit = 1ULL << (srcno % 64);

    if (waits) {
        xics->waiting[srcno / 64] |= bit;
    } else {
        xics->waiting[srcno / 64] &= ~bit;
    }
}

static void src_set_status(XicsState *xics, uint32_t srcno, uint8_t set, uint8_t clear)
{
    xics->src[srcno].status = (uint8_t)((xics->src[srcno].status & ~clear) | set);
    src_update_waiting(xics, srcno);
}

/* The ICP could not take source @nr now: remember it for a resend. */
static void ics_reject(XicsState *xics, uint32_t nr)
{
    uint32_t srcno = nr - XICS_IRQ_BASE;

    trace_event("xics", "reject irq 0x%x", nr);
    if (xics->src[srcno].lsi) {
        src_set_status(xics, srcno, 0, SRC_SENT);
    } else {
        src_set_status(xics, srcno, SRC_REJECTED, 0);
    }
}

/* Offer source @srcno again if it is waiting and not masked. */
static void ics_resend_one(XicsState *xics, uint32_t srcno)
{
    XicsSource *s = &xics->src[srcno];

    if (s->lsi) {
        if (s->priority != XICS_PRIO_MASKED &&
            (s->status & (SRC_ASSERTED | SRC_SENT)) == SRC_ASSERTED) {
            src_set_status(xics, srcno, SRC_SENT, 0);
            icp_present(xics, (int)s->server, XICS_IRQ_BASE + srcno, s->priority);
        }
    } else if (s->status & SRC_REJECTED) {
        /* Masked meanwhile: hold it as masked-pending rather than lose it
         * (QEMU drops a rejected MSI that is masked before its resend). */
        if (s->priority == XICS_PRIO_MASKED) {
            src_set_status(xics, srcno, SRC_MASKED_PENDING, SRC_REJECTED);
        } else {
            src_set_status(xics, srcno, 0, SRC_REJECTED);
            icp_present(xics, (int)s->server, XICS_IRQ_BASE + srcno, s->priority);
        }
    }
}

/* Offer every waiting source routed to @server again. */
static void ics_resend(XicsState *xics, int server)
{
    for (uint32_t w = 0; w < G_N_ELEMENTS(xics->waiting); w++) {
        uint64_t bits = xics->waiting[w];
        while (bits) {
            uint32_t srcno = w * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (xics->src[srcno].server == (uint32_t)server) {
                ics_resend_one(xics, srcno);
            }
        }
    }
}

static void ics_eoi(XicsState *xics, uint32_t nr)
{
    uint32_t srcno = nr - XICS_IRQ_BASE;

    if (xics->src[srcno].lsi) {
        src_set_status(xics, srcno, 0, SRC_SENT);
    }
}

bool xics_irq_valid(const XicsState *xics, uint64_t nr)
{
    return nr >= XICS_IRQ_BASE && nr < XICS_IRQ_BASE + XICS_NR_SOURCES;
}

void xics_set_irq_lsi(XicsState *xics, uint32_t nr, bool lsi)
{
    g_assert(xics_irq_valid(xics, nr));
    xics->src[nr - XICS_IRQ_BASE].lsi = lsi;
    src_update_waiting(xics, nr - XICS_IRQ_BASE);
}

void xics_set_irq(XicsState *xics, uint32_t nr, int level)
{
    g_assert(xics_irq_valid(xics, nr));
    uint32_t srcno = nr - XICS_IRQ_BASE;
    XicsSource *s = &xics->src[srcno];

    trace_event("xics", "irq 0x%x level %d", nr, level);
    if (s->lsi) {
        if (level) {
            src_set_status(xics, srcno, SRC_ASSERTED, 0);
        } else {
            src_set_status(xics, srcno, 0, SRC_ASSERTED);
        }
        ics_resend_one(xics, srcno);
    } else if (level) {
        if (s->priority == XICS_PRIO_MASKED) {
            src_set_status(xics, srcno, SRC_MASKED_PENDING, 0);
        } else {
            icp_present(xics, (int)s->server, nr, s->priority);
        }
    }
}

void xics_write_xive(XicsState *xics, uint32_t nr, uint32_t server,
                     uint8_t priority, uint8_t saved_priority)
{
    g_assert(xics_irq_valid(xics, nr) && xics_icp_valid(xics, server));
    uint32_t srcno = nr - XICS_IRQ_BASE;
    XicsSource *s = &xics->src[srcno];

    trace_event("xics", "xive irq 0x%x server %u priority 0x%x saved 0x%x",
                nr, server, priority, saved_priority);
    s->server = server;
    s->priority = priority;
    s->saved_priority = saved_priority;
    if (s->lsi || (s->status & SRC_REJECTED)) {
        /* A rejected message is offered to its (maybe new) server now:
         * waiting for the old server's next resend could strand it when
         * Linux moves the affinity (set-xive with another server). */
        ics_resend_one(xics, srcno);
    } else if ((s->status & SRC_MASKED_PENDING) && priority != XICS_PRIO_MASKED) {
        src_set_status(xics, srcno, 0, SRC_MASKED_PENDING);
        icp_present(xics, (int)server, nr, priority);
    }
}

void xics_read_xive(const XicsState *xics, uint32_t nr, uint32_t *server,
                    uint8_t *priority, uint8_t *saved_priority)
{
    g_assert(xics_irq_valid(xics, nr));
    const XicsSource *s = &xics->src[nr - XICS_IRQ_BASE];

    *server = s->server;
    *priority = s->priority;
    *saved_priority = s->saved_priority;
}

/* ---- presentation side ---- */

/*
 * Mirror the ICP's output (XISR non-zero) into the vCPU's lock-free flag;
 * on a rising edge kick the vCPU so that a running one re-checks at its
 * next instruction boundary and a ceded one wakes up. A vCPU raising its
 * own line (H_IPI to itself, H_EOI re-presenting) is in a hypercall, after
 * which the interpreter checks the line anyway: no kick, so the interrupt
 * is taken right after the sc instead of one run-loop exit later.
 */
static void icp_update_output(XicsState *xics, int server)
{
    PowerPCCPU *cpu = xics->cpus[server];
    int up = xics->icp[server].xisr != 0;

    if (__atomic_exchange_n(&cpu->irq_pending, up, __ATOMIC_SEQ_CST) != up && up &&
        cpu != cpu_current()) {
        cpu_kick(cpu);
    }
}

/* Take back whatever XISR holds: a source interrupt goes back to the ICS. */
static void icp_withdraw(XicsState *xics, int server)
{
    XicsIcp *icp = &xics->icp[server];

    if (icp->xisr && icp->xisr_is_source) {
        ics_reject(xics, icp->xisr);
    }
    icp->xisr = 0;
    icp->xisr_is_source = false;
    icp->pending_priority = XICS_PRIO_MASKED;
}

/* A source offers @nr at @priority (more favoured = smaller). */
static void icp_present(XicsState *xics, int server, uint32_t nr, uint8_t priority)
{
    XicsIcp *icp = &xics->icp[server];

    if (priority >= icp->cppr || (icp->xisr && icp->pending_priority <= priority)) {
        ics_reject(xics, nr);
        return;
    }
    icp_withdraw(xics, server);
    icp->xisr = nr;
    icp->xisr_is_source = true;
    icp->pending_priority = priority;
    trace_event("xics", "server %d presents 0x%x priority 0x%x", server, nr, priority);
    icp_update_output(xics, server);
}

/* MFRR is more favoured than CPPR: present the IPI unless XISR wins. */
static void icp_check_ipi(XicsState *xics, int server)
{
    XicsIcp *icp = &xics->icp[server];

    if (icp->xisr && icp->pending_priority <= icp->mfrr) {
        return;
    }
    icp_withdraw(xics, server);
    icp->xisr = XICS_IPI;
    icp->pending_priority = icp->mfrr;
    trace_event("xics", "server %d presents IPI priority 0x%x", server, icp->mfrr);
    icp_update_output(xics, server);
}

/* XISR is empty: offer the IPI and the waiting sources again. */
static void icp_resend(XicsState *xics, int server)
{
    if (xics->icp[server].mfrr < xics->icp[server].cppr) {
        icp_check_ipi(xics, server);
    }
    ics_resend(xics, server);
}

/* Set CPPR; returns true when the caller must resend (XISR empty and the
 * priority did not become more favoured). */
static bool icp_write_cppr(XicsState *xics, int server, uint8_t cppr)
{
    XicsIcp *icp = &xics->icp[server];
    uint8_t old = icp->cppr;

    icp->cppr = cppr;
    if (cppr < old) {
        if (icp->xisr && cppr <= icp->pending_priority) {
            icp_withdraw(xics, server);
            icp_update_output(xics, server);
        }
        return false;
    }
    return icp->xisr == 0;
}

bool xics_icp_valid(const XicsState *xics, uint64_t server)
{
    return server < (uint64_t)xics->nr_servers;
}

void xics_icp_set_cppr(XicsState *xics, int server, uint8_t cppr)
{
    trace_event("xics", "server %d cppr 0x%x", server, cppr);
    if (icp_write_cppr(xics, server, cppr)) {
        icp_resend(xics, server);
    }
}

void xics_icp_set_mfrr(XicsState *xics, int server, uint8_t mfrr)
{
    trace_event("xics", "server %d mfrr 0x%x", server, mfrr);
    xics->icp[server].mfrr = mfrr;
    if (mfrr < xics->icp[server].cppr) {
        icp_check_ipi(xics, server);
    }
}

uint32_t xics_icp_accept(XicsState *xics, int server)
{
    XicsIcp *icp = &xics->icp[server];
    uint32_t xirr = ((uint32_t)icp->cppr << XICS_CPPR_SHIFT) | icp->xisr;

    /* Nothing pending: CPPR stays as it is (KVM; QEMU sets it to 0xff,
     * which would desynchronise Linux's CPPR stack after a spurious read). */
    if (icp->xisr) {
        icp->cppr = icp->pending_priority;
        icp->xisr = 0;
        icp->xisr_is_source = false;
        icp->pending_priority = XICS_PRIO_MASKED;
        icp_update_output(xics, server);
    }
    trace_event("xics", "server %d accept xirr 0x%08x", server, xirr);
    return xirr;
}

uint32_t xics_icp_ipoll(const XicsState *xics, int server, uint8_t *mfrr)
{
    const XicsIcp *icp = &xics->icp[server];

    *mfrr = icp->mfrr;
    return ((uint32_t)icp->cppr << XICS_CPPR_SHIFT) | icp->xisr;
}

bool xics_icp_eoi(XicsState *xics, int server, uint32_t xirr)
{
    uint32_t nr = xirr & XICS_XISR_MASK;
    bool known = nr == XICS_IPI || xics_irq_valid(xics, nr);

    trace_event("xics", "server %d eoi xirr 0x%08x", server, xirr);
    icp_write_cppr(xics, server, (uint8_t)(xirr >> XICS_CPPR_SHIFT));
    if (xics_irq_valid(xics, nr)) {
        ics_eoi(xics, nr);
    }
    if (xics->icp[server].xisr == 0) {
        icp_resend(xics, server);
    }
    return known;
}

/* ---- life cycle ---- */

XicsState *xics_new(PowerPCCPU **cpus, int nr_servers)
{
    XicsState *xics = g_new0(XicsState, 1);

    xics->cpus = cpus;
    xics->nr_servers = nr_servers;
    xics->icp = g_new0(XicsIcp, nr_servers);
    xics_reset(xics);
    return xics;
}

void xics_free(XicsState *xics)
{
    if (xics) {
        g_free(xics->icp);
        g_free(xics);
    }
}

void xics_reset(XicsState *xics)
{
    for (int i = 0; i < xics->nr_servers; i++) {
        xics->icp[i] = (XicsIcp) {
            .cppr = 0,
            .mfrr = XICS_PRIO_MASKED,
            .pending_priority = XICS_PRIO_MASKED,
        };
        __atomic_store_n(&xics->cpus[i]->irq_pending, 0, __ATOMIC_SEQ_CST);
    }
    for (uint32_t i = 0; i < XICS_NR_SOURCES; i++) {
        XicsSource *s = &xics->src[i];
        s->server = 0;
        s->priority = XICS_PRIO_MASKED;
        s->saved_priority = XICS_PRIO_MASKED;
        s->status = 0;
    }
    memset(xics->waiting, 0, sizeof(xics->waiting));
}

/* ---- migration (section "xics", include/migration/vmstate.h) ---- */

void xics_vmstate_save(const XicsState *xics, MigBuf *b)
{
    mig_put_u32(b, (uint32_t)xics->nr_servers);
    for (int i = 0; i < xics->nr_servers; i++) {
        const XicsIcp *icp = &xics->icp[i];
        mig_put_u8(b, icp->cppr);
        mig_put_u8(b, icp->mfrr);
        mig_put_u8(b, icp->pending_priority);
        mig_put_u8(b, icp->xisr_is_source);
        mig_put_u32(b, icp->xisr);
    }
    for (uint32_t i = 0; i < XICS_NR_SOURCES; i++) {
        const XicsSource *s = &xics->src[i];
        mig_put_u32(b, s->server);
        mig_put_u8(b, s->priority);
        mig_put_u8(b, s->saved_priority);
        mig_put_u8(b, s->status);
        mig_put_u8(b, s->lsi);
    }
}

int xics_vmstate_load(XicsState *xics, MigCursor *c, GError **error)
{
    if (mig_get_u32(c) != (uint32_t)xics->nr_servers) {
        g_set_error(error, MIG_ERROR, 0, "xics: interrupt server count differs");
        return -1;
    }
    for (int i = 0; i < xics->nr_servers; i++) {
        XicsIcp *icp = &xics->icp[i];
        icp->cppr = mig_get_u8(c);
        icp->mfrr = mig_get_u8(c);
        icp->pending_priority = mig_get_u8(c);
        icp->xisr_is_source = mig_get_u8(c) != 0;
        icp->xisr = mig_get_u32(c) & XICS_XISR_MASK;
    }
    for (uint32_t i = 0; i < XICS_NR_SOURCES; i++) {
        XicsSource *s = &xics->src[i];
        s->server = mig_get_u32(c);
        s->priority = mig_get_u8(c);
        s->saved_priority = mig_get_u8(c);
        s->status = mig_get_u8(c) & (SRC_MASKED_PENDING | SRC_REJECTED | SRC_ASSERTED | SRC_SENT);
        s->lsi = mig_get_u8(c) != 0;
        if (s->server >= (uint32_t)xics->nr_servers) {
            g_set_error(error, MIG_ERROR, 0, "xics: source 0x%x targets server %u",
                        i + XICS_IRQ_BASE, s->server);
            return -1;
        }
    }
    if (!mig_cursor_done(c)) {
        g_set_error(error, MIG_ERROR, 0, "xics: section has the wrong length");
        return -1;
    }
    for (uint32_t i = 0; i < XICS_NR_SOURCES; i++) {
        src_update_waiting(xics, i);
    }
    for (int i = 0; i < xics->nr_servers; i++) {
        __atomic_store_n(&xics->cpus[i]->irq_pending, xics->icp[i].xisr != 0,
                         __ATOMIC_SEQ_CST);
    }
    return 0;
}
