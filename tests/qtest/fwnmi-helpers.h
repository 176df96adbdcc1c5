/*
 * Shared by the FWNMI qtests (fwnmi-test.c, fwnmi-log-test.c): the
 * architected constants the guest relies on, the RTAS calls a guest makes
 * (ibm,nmi-register, ibm,nmi-interlock), and the guest-side decoding of
 * the machine-check error log.
 *
 * Logs are decoded the way a Linux guest does it
 * (arch/powerpc/platforms/pseries/ras.c): range-check R3 against the RTAS
 * area, take the saved R3, then walk the v6 extended log's sections to the
 * "MC" one. Nothing is taken from the VMM's headers.
 */
#ifndef TESTS_QTEST_FWNMI_HELPERS_H
#define TESTS_QTEST_FWNMI_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libqtest.h"

/* MSR and LPCR bits (Power ISA; IBM bit n is 1 << (63 - n)) */
#define MSR_SF          (1ULL << 63)
#define MSR_EE          (1ULL << 15)
#define MSR_PR          (1ULL << 14)
#define MSR_FP          (1ULL << 13)
#define MSR_ME          (1ULL << 12)
#define MSR_IR          (1ULL << 5)
#define MSR_DR          (1ULL << 4)
#define MSR_RI          (1ULL << 1)
#define MSR_LE          (1ULL << 0)
#define LPCR_ILE        (1ULL << 25)
#define SRR1_CAUSE_MASK 0x00000000783F0000ULL
#define SRR1_LOADSTORE  0x0000000000200000ULL   /* SRR1 bit 42: D-side */

/* A kernel-like interrupted context */
#define KERNEL_MSR      (MSR_SF | MSR_EE | MSR_FP | MSR_ME | MSR_IR | MSR_DR | MSR_RI)
#define OLD_NIP         0xC000000000123450ULL
#define OLD_DAR         0xC00000000BADDA70ULL
#define OLD_R3          0x1122334455667788ULL

/* Handler addresses (real, low, as Linux registers trampolines) */
#define SRESET_HANDLER  0x3000u
#define MCE_HANDLER     0x3100u
#define UNREGISTERED    UINT64_MAX

#define RTAS_PARAM_ERROR (-3)

/* RTAS area layout facts the guest relies on */
#define LOG_BUFFER_OFFSET   0x30        /* R3 points here at MCE entry */
#define SRESET_SLOTS_OFFSET 0x840       /* one 16-byte slot per vCPU */
#define RTAS_ERROR_LOG_MAX  2048

/* Summary word (LoPAPR "RTAS Error Return Format, Fixed Part") */
#define SUMMARY_RECOVERED       0x06641000u    /* v6, ERROR_SYNC, fully recovered */
#define SUMMARY_NOT_RECOVERED   0x06741000u    /* v6, ERROR_SYNC, not recovered */
#define SUMMARY_EXTENDED        0x00040000u

/* "MC" section error types and sub_err_type flags */
enum { MC_UE = 0, MC_SLB = 1, MC_ERAT = 2, MC_TLB = 4 };
#define UE_EA_PROVIDED  0x40
#define EA_PROVIDED     0x80    /* SLB, ERAT, TLB */

/* ---- RTAS calls and guest context ---- */

/* ibm,nmi-register with @sreset and @mce as vCPU 0; returns the RTAS status. */
int32_t nmi_register(QTestState *qts, uint32_t sreset, uint32_t mce);
/* Register SRESET_HANDLER and MCE_HANDLER, asserting success. */
void register_handlers(QTestState *qts);
/* ibm,nmi-interlock as vCPU @cpu; returns the RTAS status. */
int32_t nmi_interlock(QTestState *qts, int cpu);
/* Inject a machine check on @cpu and assert its result word. */
void assert_mce(QTestState *qts, int cpu, uint64_t srr1, uint32_t dsisr,
                uint64_t dar, bool recovered, const char *expected);
/* Give vCPU @cpu a recognisable interrupted context. */
void set_context(QTestState *qts, int cpu, uint64_t nip, uint64_t msr,
                 uint64_t r3);

/* ---- the RTAS area and the error log, as the guest reads them ---- */

typedef struct RtasArea {
    uint64_t base, size;
} RtasArea;

/* /rtas linux,rtas-base and rtas-size from the device tree. */
RtasArea rtas_area(QTestState *qts);

static inline uint64_t be64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static inline uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* What a Linux guest gets out of the buffer R3 points to. */
typedef struct GuestMceLog {
    bool valid;                 /* every check passed */
    uint64_t saved_r3;
    uint32_t summary;
    uint32_t ext_len;
    uint8_t log[RTAS_ERROR_LOG_MAX];    /* fixed part + extended part */
    size_t log_len;
    int mc;                     /* offset of "MC" in log, or -1 */
    int uh;                     /* offset of "UH" in log, or -1 */
    uint8_t error_type, sub_err_type;
    uint64_t ea, la;
} GuestMceLog;

/*
 * Decode the FWNMI buffer at @r3 like Linux's fwnmi_get_errinfo() and
 * get_pseries_errorlog(), asserting each thing Linux relies on.
 */
void read_guest_log(QTestState *qts, const RtasArea *a, uint64_t r3,
                    GuestMceLog *l);

/* After an MCE on @cpu: its handler runs, R3 at the buffer; decode it. */
void read_delivered_log(QTestState *qts, const RtasArea *a, int cpu,
                        GuestMceLog *l);

#endif
