/*
 * Baseline RTAS calls (LoPAPR chapter 7): console, time, power, CPUs,
 * and OS termination (the event calls are in spapr_events.c). Each checks nargs/nret first and
 * answers with a PAPR status in rets[0].
 */
#include <string.h>
#include <time.h>

#include "hw/ppc/spapr.h"
#include "hw/ppc/spapr_rtas.h"
#include "system/trace.h"

#define OS_TERM_MAX_MESSAGE 1024

static void rtas_display_character(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                   SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 1, 1)) {
        return;
    }
    char c = (char)call->args[0];
    spapr_console_write(spapr, &c, 1);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

static void rtas_get_time_of_day(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                 SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 0, 8)) {
        return;
    }
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    call->rets[0] = RTAS_OUT_SUCCESS;
    call->rets[1] = (uint32_t)tm.tm_year + 1900;
    call->rets[2] = (uint32_t)tm.tm_mon + 1;
    call->rets[3] = (uint32_t)tm.tm_mday;
    call->rets[4] = (uint32_t)tm.tm_hour;
    call->rets[5] = (uint32_t)tm.tm_min;
    call->rets[6] = (uint32_t)tm.tm_sec;
    call->rets[7] = (uint32_t)ts.tv_nsec;
}

static void rtas_power_off(SpaprMachineState *spapr, PowerPCCPU *cpu,
                           SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 2, 1)) {
        return;
    }
    call->rets[0] = RTAS_OUT_SUCCESS;
    spapr_request_shutdown(spapr, 0);
}

static void rtas_system_reboot(SpaprMachineState *spapr, PowerPCCPU *cpu,
                               SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 0, 1)) {
        return;
    }
    call->rets[0] = RTAS_OUT_SUCCESS;
    spapr_request_reset(spapr);
}

static void rtas_ibm_os_term(SpaprMachineState *spapr, PowerPCCPU *cpu,
                             SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 1, 1)) {
        return;
    }
    char msg[OS_TERM_MAX_MESSAGE];
    uint64_t addr = call->args[0];
    size_t n = 0;
    /* Copy at most OS_TERM_MAX_MESSAGE-1 bytes, stopping at NUL or RAM end. */
    while (n < sizeof(msg) - 1 && guest_read(&spapr->ram, addr + n, &msg[n], 1) == 0 &&
           msg[n] != '\0') {
        n++;
    }
    msg[n] = '\0';
    call->rets[0] = RTAS_OUT_SUCCESS;
    g_autofree char *reason = g_strdup_printf("ibm,os-term: %s", msg);
    spapr_guest_panicked(spapr, reason);
}

static void rtas_query_cpu_stopped_state(SpaprMachineState *spapr, PowerPCCPU *cpu,
                                         SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 1, 2)) {
        return;
    }
    PowerPCCPU *target = spapr_cpu_by_index(spapr, call->args[0]);
    if (!target) {
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    call->rets[0] = RTAS_OUT_SUCCESS;
    /* LoPAPR: 0 stopped, 2 running (a ceded vCPU is still running) */
    call->rets[1] = target->state == CPU_STATE_STOPPED ? 0 : 2;
}

static void rtas_start_cpu(SpaprMachineState *spapr, PowerPCCPU *cpu,
                           SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 3, 1)) {
        return;
    }
    PowerPCCPU *target = spapr_cpu_by_index(spapr, call->args[0]);
    uint64_t start = call->args[1];
    if (!target || !guest_range_valid(&spapr->ram, start, 4)) {
        call->rets[0] = (uint32_t)RTAS_OUT_PARAM_ERROR;
        return;
    }
    if (target->state != CPU_STATE_STOPPED) {
        call->rets[0] = (uint32_t)RTAS_OUT_HW_ERROR;
        return;
    }
    /* A stopped vCPU does not execute, so its registers are ours (BQL). */
    CPUPPCState *env = &target->env;
    uint64_t lpcr = env->lpcr;
    ppc_cpu_reset(target);
    env->lpcr = lpcr;
    env->msr = MSR_SF | MSR_ME;     /* big-endian, real mode, as QEMU */
    env->nip = start;
    env->gpr[3] = call->args[2];
    target->state = CPU_STATE_RUNNING;
    cpu_kick(target);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

static void rtas_stop_self(SpaprMachineState *spapr, PowerPCCPU *cpu,
                           SpaprRtasCall *call)
{
    if (!spapr_rtas_check_args(call, 0, 1)) {
        return;
    }
    cpu->state = CPU_STATE_STOPPED;
    cpu_kick(cpu);
    call->rets[0] = RTAS_OUT_SUCCESS;
}

void spapr_rtas_core_register(void)
{
    spapr_rtas_register(RTAS_DISPLAY_CHARACTER, "display-character",
                        rtas_display_character);
    spapr_rtas_register(RTAS_GET_TIME_OF_DAY, "get-time-of-day", rtas_get_time_of_day);
    spapr_rtas_register(RTAS_POWER_OFF, "power-off", rtas_power_off);
    spapr_rtas_register(RTAS_SYSTEM_REBOOT, "system-reboot", rtas_system_reboot);
    spapr_rtas_register(RTAS_QUERY_CPU_STOPPED_STATE, "query-cpu-stopped-state",
                        rtas_query_cpu_stopped_state);
    spapr_rtas_register(RTAS_START_CPU, "start-cpu", rtas_start_cpu);
    spapr_rtas_register(RTAS_STOP_SELF, "stop-self", rtas_stop_self);
    spapr_rtas_register(RTAS_IBM_OS_TERM, "ibm,os-term", rtas_ibm_os_term);
}
