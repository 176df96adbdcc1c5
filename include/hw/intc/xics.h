/*
 * XICS interrupt controller (LoPAPR 2.9 and appendix A "XICS"; PAPR's
 * "interrupt presentation" as Linux's icp-hv and ics-rtas drivers use it):
 *
 *   - one ICP (presentation controller) per interrupt server, i.e. per
 *     vCPU (server number == vCPU index == /cpus reg): CPPR, XISR, MFRR
 *     and the priority of what XISR holds;
 *   - one ICS (source controller) of XICS_NR_SOURCES sources numbered from
 *     XICS_IRQ_BASE, as QEMU's pseries numbers them, each with a server, a
 *     priority (0xff = masked), a saved priority for int-on, and a pending
 *     status (MSI: masked-pending / rejected; LSI: asserted / sent);
 *   - the IPI, XICS_IPI = 2, is not an ICS source: it is the ICP's MFRR.
 *
 * The ICP's output line is mirrored in PowerPCCPU.irq_pending (1 while
 * XISR holds an interrupt), which the software CPU polls lock-free at
 * instruction boundaries and delivers as the external interrupt 0x500
 * when MSR[EE] is set; raising it kicks the vCPU (a running vCPU leaves
 * its run loop, a ceded one wakes up).
 *
 * Locking: all XICS state (every ICP and every source) is guarded by the
 * BQL. Every function here must be called with the BQL held; the only
 * field read without it is PowerPCCPU.irq_pending (atomics).
 *
 * The PAPR glue (hypercalls, RTAS calls, device tree) is in
 * include/hw/intc/xics_spapr.h.
 */
#ifndef HW_INTC_XICS_H
#define HW_INTC_XICS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct PowerPCCPU PowerPCCPU;

#define XICS_IRQ_SPURIOUS   0       /* XISR: nothing pending */
#define XICS_IPI            2       /* XISR of an inter-processor interrupt */
#define XICS_IRQ_BASE       0x1000  /* first ICS source (QEMU's spapr XICS offset) */
#define XICS_NR_SOURCES     0x1000  /* sources 0x1000..0x1fff */
#define XICS_PRIO_MASKED    0xff    /* least favoured: masks a source, CPPR 0xff accepts all */

#define XICS_XISR_MASK      0x00ffffffu
#define XICS_CPPR_SHIFT     24

typedef struct XicsState XicsState;

/**
 * xics_new: an ICP for each of the @nr_servers vCPUs in @cpus (server N is
 * @cpus[N], which must outlive the controller) and the ICS, in reset state.
 */
XicsState *xics_new(PowerPCCPU **cpus, int nr_servers);
void xics_free(XicsState *xics);

/**
 * xics_reset: every ICP to CPPR 0 (everything masked until the OS lowers
 * it), XISR 0, MFRR 0xff; every source to server 0, priority and saved
 * priority 0xff, nothing pending (source types are kept); output lines low.
 */
void xics_reset(XicsState *xics);

/* ---- Presentation controller (per server) ---- */

/** xics_icp_valid: true when @server names an ICP. */
bool xics_icp_valid(const XicsState *xics, uint64_t server);

/**
 * xics_icp_set_cppr: H_CPPR. Raising the priority (a smaller value) above
 * what XISR holds takes it back (rejected to its source, or the IPI stays
 * in MFRR); lowering it re-presents rejected and pending interrupts.
 */
void xics_icp_set_cppr(XicsState *xics, int server, uint8_t cppr);

/**
 * xics_icp_set_mfrr: H_IPI. An MFRR more favoured than CPPR presents
 * XICS_IPI unless XISR holds something at least as favoured (a less
 * favoured source interrupt is rejected back to its source).
 */
void xics_icp_set_mfrr(XicsState *xics, int server, uint8_t mfrr);

/**
 * xics_icp_accept: H_XIRR. Returns XIRR (CPPR << 24 | XISR) and accepts:
 * CPPR becomes the accepted interrupt's priority, XISR 0, output low.
 */
uint32_t xics_icp_accept(XicsState *xics, int server);

/** xics_icp_ipoll: H_IPOLL. XIRR without accepting it, and MFRR in *@mfrr. */
uint32_t xics_icp_ipoll(const XicsState *xics, int server, uint8_t *mfrr);

/**
 * xics_icp_eoi: H_EOI. CPPR = @xirr's top byte (the priority to go back
 * to), then the source @xirr & XISR_MASK gets its EOI, and anything
 * pending is re-presented. Returns false (after the CPPR update, as KVM
 * does) when the XISR is neither XICS_IPI nor an ICS source.
 */
bool xics_icp_eoi(XicsState *xics, int server, uint32_t xirr);

/* ---- Source controller ---- */

/** xics_irq_valid: true when @nr is an ICS source (not the IPI). */
bool xics_irq_valid(const XicsState *xics, uint64_t nr);

/** xics_set_irq_lsi: make source @nr level-sensitive (@lsi) or a message (default). */
void xics_set_irq_lsi(XicsState *xics, uint32_t nr, bool lsi);

/**
 * xics_set_irq: a device drives source @nr. A message source (MSI) fires
 * on @level != 0 (a masked one is remembered and fires when unmasked); a
 * level source (LSI) is presented while @level is high and until its EOI.
 */
void xics_set_irq(XicsState *xics, uint32_t nr, int level);

/**
 * xics_write_xive: ibm,set-xive / int-on / int-off. @server must be valid
 * (xics_icp_valid). Unmasking presents what was held pending.
 */
void xics_write_xive(XicsState *xics, uint32_t nr, uint32_t server,
                     uint8_t priority, uint8_t saved_priority);

/** xics_read_xive: a source's server, priority and saved priority. */
void xics_read_xive(const XicsState *xics, uint32_t nr, uint32_t *server,
                    uint8_t *priority, uint8_t *saved_priority);

#endif
