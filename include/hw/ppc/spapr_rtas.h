/*
 * RTAS: one table of calls indexed by token. Modules register their calls
 * at start-up (spapr_rtas_register); /rtas in the device tree is generated
 * from the same table so the guest's view and the dispatch cannot drift.
 *
 * The dispatcher follows device-model discipline: it reads the argument
 * block from guest RAM (bounds-checked), hands the handler a copy, and
 * writes the handler's return cells back. Handlers never see guest
 * addresses of the block, check nargs/nret themselves first and answer
 * with a PAPR status in rets[0].
 */
#ifndef HW_PPC_SPAPR_RTAS_H
#define HW_PPC_SPAPR_RTAS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct SpaprMachineState SpaprMachineState;
typedef struct PowerPCCPU PowerPCCPU;

/* RTAS status codes (LoPAPR 7.2.8) */
#define RTAS_OUT_SUCCESS         0
#define RTAS_OUT_HW_ERROR        -1
#define RTAS_OUT_BUSY            -2
#define RTAS_OUT_PARAM_ERROR     -3
#define RTAS_OUT_NOT_SUPPORTED   -3
#define RTAS_OUT_NO_ERRORS_FOUND 1

/* Tokens: as QEMU numbers them where QEMU has the call */
#define RTAS_TOKEN_BASE                 0x2000
#define RTAS_DISPLAY_CHARACTER          (RTAS_TOKEN_BASE + 0x00)
#define RTAS_GET_TIME_OF_DAY            (RTAS_TOKEN_BASE + 0x01)
#define RTAS_SET_TIME_OF_DAY            (RTAS_TOKEN_BASE + 0x02)
#define RTAS_POWER_OFF                  (RTAS_TOKEN_BASE + 0x03)
#define RTAS_SYSTEM_REBOOT              (RTAS_TOKEN_BASE + 0x04)
#define RTAS_QUERY_CPU_STOPPED_STATE    (RTAS_TOKEN_BASE + 0x05)
#define RTAS_START_CPU                  (RTAS_TOKEN_BASE + 0x06)
#define RTAS_STOP_SELF                  (RTAS_TOKEN_BASE + 0x07)
#define RTAS_IBM_SET_XIVE               (RTAS_TOKEN_BASE + 0x0A)
#define RTAS_IBM_GET_XIVE               (RTAS_TOKEN_BASE + 0x0B)
#define RTAS_IBM_INT_OFF                (RTAS_TOKEN_BASE + 0x0C)
#define RTAS_IBM_INT_ON                 (RTAS_TOKEN_BASE + 0x0D)
#define RTAS_CHECK_EXCEPTION            (RTAS_TOKEN_BASE + 0x0E)
#define RTAS_EVENT_SCAN                 (RTAS_TOKEN_BASE + 0x0F)
#define RTAS_IBM_OS_TERM                (RTAS_TOKEN_BASE + 0x20)
#define RTAS_IBM_NMI_REGISTER           (RTAS_TOKEN_BASE + 0x2B)
#define RTAS_IBM_NMI_INTERLOCK          (RTAS_TOKEN_BASE + 0x2C)
#define RTAS_NVRAM_FETCH                (RTAS_TOKEN_BASE + 0x2D)
#define RTAS_NVRAM_STORE                (RTAS_TOKEN_BASE + 0x2E)
#define RTAS_TOKEN_MAX                  (RTAS_TOKEN_BASE + 0x30)

/* Most cells any call may pass in either direction (LoPAPR calls use < 16) */
#define RTAS_MAX_CELLS 16

typedef struct SpaprRtasCall {
    uint32_t token;
    uint32_t nargs;
    uint32_t nret;
    uint32_t args[RTAS_MAX_CELLS];
    uint32_t rets[RTAS_MAX_CELLS];  /* written back: the first nret cells */
} SpaprRtasCall;

typedef void (*SpaprRtasFn)(SpaprMachineState *spapr, PowerPCCPU *cpu,
                            SpaprRtasCall *call);

/** spapr_rtas_register: add @name at @token. Aborts on a bad or reused token (our bug). */
void spapr_rtas_register(uint32_t token, const char *name, SpaprRtasFn fn);

/** spapr_rtas_token: the token for @name, or 0 when there is no such call. */
uint32_t spapr_rtas_token(const char *name);

/** spapr_rtas_foreach: call @fn for every registered call in token order. */
void spapr_rtas_foreach(void (*fn)(const char *name, uint32_t token, void *opaque),
                        void *opaque);

/**
 * spapr_rtas_call: run the call @token with its argument cells at guest
 * @args_addr and return cells at @rets_addr. Returns the hypercall status:
 * 0 (H_SUCCESS) once the call ran, H_PARAMETER when the cells are not in
 * guest RAM or @nargs/@nret exceed RTAS_MAX_CELLS (nothing is written then).
 * An unknown token answers RTAS_OUT_PARAM_ERROR in rets[0]. BQL held.
 */
int64_t spapr_rtas_call(SpaprMachineState *spapr, PowerPCCPU *cpu,
                        uint32_t token, uint32_t nargs, uint64_t args_addr,
                        uint32_t nret, uint64_t rets_addr);

/** spapr_rtas_check_args: true when the call has exactly @nargs/@nret; else sets -3 (if it can). */
bool spapr_rtas_check_args(SpaprRtasCall *call, uint32_t nargs, uint32_t nret);

/** Register the baseline calls (hw/ppc/spapr_rtas_core.c). */
void spapr_rtas_core_register(void);
/** Register ibm,nmi-register and ibm,nmi-interlock (hw/ppc/spapr_rtas.c). */
void spapr_rtas_register_fwnmi(void);
/** Register event-scan and check-exception (hw/ppc/spapr_events.c). */
void spapr_events_register_rtas(void);

#endif
