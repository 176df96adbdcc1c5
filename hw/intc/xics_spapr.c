/*
 * XICS on pseries (include/hw/intc/xics_spapr.h): hypercalls, RTAS calls
 * and the device-tree node. Handlers validate their arguments and answer
 * with a PAPR status; the ICP/ICS state they change is guarded by the BQL,
 * which every hypercall and RTAS call holds.
 */
#include "hw/intc/xics_spapr.h"

#include <libfdt.h>

#include "hw/intc/xics.h"
#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_fdt_check.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/trace.h"


/* ---- hypercalls (LoPAPR 14.5.4.3 "Interrupt Support hcall()s") ---- */

/* H_CPPR(cppr): the caller's own ICP. Only the low byte is the priority
 * (QEMU and KVM both truncate; Linux passes a u8). */
static int64_t h_cppr(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    xics_icp_set_cppr(spapr->xics, cpu->index, (uint8_t)cpu->env.gpr[4]);
    return H_SUCCESS;
}

/* H_EOI(xirr): CPPR = xirr >> 24, EOI of the source in the low 24 bits. */
static int64_t h_eoi(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint32_t xirr = (uint32_t)cpu->env.gpr[4];

    if (!xics_icp_eoi(spapr->xics, cpu->index, xirr)) {
        trace_guest_error("XICS: H_EOI of unknown source 0x%x", xirr & XICS_XISR_MASK);
        return H_PARAMETER;
    }
    return H_SUCCESS;
}

/* H_XIRR(): accept the caller's pending interrupt; XIRR in r4. Linux passes
 * its CPPR in r4, which PAPR does not define: ignored (as QEMU and KVM). */
static int64_t h_xirr(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    cpu->env.gpr[4] = xics_icp_accept(spapr->xics, cpu->index);
    return H_SUCCESS;
}

/* H_XIRR_X(): as H_XIRR, plus the time base of the accept in r5 (as KVM). */
static int64_t h_xirr_x(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    cpu->env.gpr[4] = xics_icp_accept(spapr->xics, cpu->index);
    cpu->env.gpr[5] = ppc_cpu_get_tb(cpu);
    return H_SUCCESS;
}

/* H_IPI(server, mfrr): set another (or our own) ICP's MFRR. */
static int64_t h_ipi(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t server = cpu->env.gpr[4];

    if (!xics_icp_valid(spapr->xics, server)) {
        trace_guest_error("XICS: H_IPI to server 0x%" G_GINT64_MODIFIER "x without an ICP",
                          server);
        return H_PARAMETER;
    }
    xics_icp_set_mfrr(spapr->xics, (int)server, (uint8_t)cpu->env.gpr[5]);
    return H_SUCCESS;
}

/* H_IPOLL(server): XIRR in r4 (not accepted), MFRR in r5. */
static int64_t h_ipoll(SpaprMachineState *spapr, PowerPCCPU *cpu)
{
    uint64_t server = cpu->env.gpr[4];
    uint8_t mfrr;

    if (!xics_icp_valid(spapr->xics, server)) {
        trace_guest_error("XICS: H_IPOLL of server 0x%" G_GINT64_MODIFIER "x without an ICP",
                          server);
        return H_PARAMETER;
    }
    cpu->env.gpr[4] = xics_icp_ipoll(spapr->xics, (int)server, &mfrr);
    cpu->env.gpr[5] = mfrr;
    return H_SUCCESS;
}

int64_t spapr_xics_hcall(SpaprMachineState *spapr, PowerPCCPU *cpu, uint64_t opcode)
{
    switch (opcode) {
    case H_CPPR:
        return h_cppr(spapr, cpu);
    case H_EOI:
        return h_eoi(spapr, cpu);
    case H_XIRR:
        return h_xirr(spapr, cpu);
    case H_XIRR_X:
        return h_xirr_x(spapr, cpu);
    case H_IPI:
        return h_ipi(spapr, cpu);
    case H_IPOLL:
        return h_ipoll(spapr, cpu);
    default:
        g_assert_not_reached();     /* the dispatcher sends only these */
    }
}

/* ---- RTAS (LoPAPR 7.3.10 "Interrupt Support") ---- */

static bool xive_irq_ok(SpaprMachineState *spapr, SpaprRtasCall *call, uint32_t nr)
{
    if (xics_irq_valid(spapr->xics, nr)) {
        return true;
    }
    trace_guest_error("XICS: RTAS token 0x%x for irq 0x%x, not an ICS source",
                      call->token, nr);
    call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
    return false;
}

/* ibm,set-xive(irq, server, priority): route and (un)mask a source. */
static void rtas_ibm_set_xive(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 3, 1) || !xive_irq_ok(spapr, call, call->args[0])) {
        return;
    }
    uint32_t nr = call->args[0], server = call->args[1], priority = call->args[2];
    if (!xics_icp_valid(spapr->xics, server) || priority > XICS_PRIO_MASKED) {
        trace_guest_error("XICS: ibm,set-xive irq 0x%x: bad server 0x%x or priority 0x%x",
                          nr, server, priority);
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    xics_write_xive(spapr->xics, nr, server, (uint8_t)priority, (uint8_t)priority);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

/* ibm,get-xive(irq) -> status, server, priority */
static void rtas_ibm_get_xive(SpaprMachineState *spapr, PowerPCCPU *cpu,
                              SpaprRtasCall *call)
{
    uint32_t server;
    uint8_t priority, saved;

    if (!spapr_rtas_check_args(call, 1, 3) || !xive_irq_ok(spapr, call, call->args[0])) {
        return;
    }
    xics_read_xive(spapr->xics, call->args[0], &server, &priority, &saved);
    call->rets[0] = RTAS_OUT_SUCCESS;
    call->rets[1] = server;
    call->rets[2] = priority;
}

/* The 1-in, 1-out calls on one source (int-off, int-on): its XIVE state. */
static bool read_source(SpaprMachineState *spapr, SpaprRtasCall *call,
                        uint32_t *server, uint8_t *priority, uint8_t *saved)
{
    if (!spapr_rtas_check_args(call, 1, 1) || !xive_irq_ok(spapr, call, call->args[0])) {
        return false;
    }
    xics_read_xive(spapr->xics, call->args[0], server, priority, saved);
    return true;
}

/*
 * ibm,int-off(irq): mask, saving the priority for int-on. Already masked:
 * the saved priority is kept (QEMU would save 0xff, so a second int-off
 * made int-on leave the source masked).
 */
static void rtas_ibm_int_off(SpaprMachineState *spapr, PowerPCCPU *cpu,
                             SpaprRtasCall *call)
{
    uint32_t server;
    uint8_t priority, saved;

    if (!read_source(spapr, call, &server, &priority, &saved)) {
        return;
    }
    xics_write_xive(spapr->xics, call->args[0], server, XICS_PRIO_MASKED,
                    priority == XICS_PRIO_MASKED ? saved : priority);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

/* ibm,int-on(irq): back to the priority int-off (or set-xive) saved. */
static void rtas_ibm_int_on(SpaprMachineState *spapr, PowerPCCPU *cpu,
                            SpaprRtasCall *call)
{
    uint32_t server;
    uint8_t priority, saved;

    if (!read_source(spapr, call, &server, &priority, &saved)) {
        return;
    }
    xics_write_xive(spapr->xics, call->args[0], server, saved, saved);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

void spapr_xics_register_rtas(void)
{
    spapr_rtas_register(RTAS_IBM_SET_XIVE, "ibm,set-xive", rtas_ibm_set_xive);
    spapr_rtas_register(RTAS_IBM_GET_XIVE, "ibm,get-xive", rtas_ibm_get_xive);
    spapr_rtas_register(RTAS_IBM_INT_OFF, "ibm,int-off", rtas_ibm_int_off);
    spapr_rtas_register(RTAS_IBM_INT_ON, "ibm,int-on", rtas_ibm_int_on);
}

/* ---- device tree ---- */

/* As QEMU writes it; icp_hv_init matches the compatible (case-insensitively)
 * or the device_type. Servers are numbered like the vCPUs, from 0. */
void spapr_dt_xics(SpaprMachineState *spapr, void *fdt)
{
    uint32_t ranges[2] = { cpu_to_fdt32(0), cpu_to_fdt32((uint32_t)spapr->smp_cpus) };

    FDT_CHECK(fdt_begin_node(fdt, "interrupt-controller"));
    FDT_CHECK(fdt_property_string(fdt, "device_type",
                                       "PowerPC-External-Interrupt-Presentation"));
    FDT_CHECK(fdt_property_string(fdt, "compatible", "IBM,ppc-xicp"));
    FDT_CHECK(fdt_property(fdt, "interrupt-controller", NULL, 0));
    FDT_CHECK(fdt_property(fdt, "ibm,interrupt-server-ranges", ranges, sizeof(ranges)));
    FDT_CHECK(fdt_property_cell(fdt, "#interrupt-cells", 2));
    FDT_CHECK(fdt_property_cell(fdt, "linux,phandle", SPAPR_XICS_PHANDLE));
    FDT_CHECK(fdt_property_cell(fdt, "phandle", SPAPR_XICS_PHANDLE));
    FDT_CHECK(fdt_end_node(fdt));
}

void spapr_vty_notify_input(SpaprMachineState *spapr)
{
    if (spapr->xics) {
        xics_set_irq(spapr->xics, SPAPR_IRQ_VTY, 1);
    }
}
