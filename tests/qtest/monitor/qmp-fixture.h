/*
 * Set-up shared by the QMP tests (qmp-test.c, qmp-fwnmi-test.c):
 * qemu-system-ppc64 -M pseries -accel qtest -qtest stdio -display none
 * -nodefaults -qmp unix:PATH,server=on,wait=off, a QMP client on the
 * socket and qtest on the VMM's stdio. Every helper fails the test when
 * the reply does not have the expected shape.
 */
#ifndef TESTS_QTEST_MONITOR_QMP_FIXTURE_H
#define TESTS_QTEST_MONITOR_QMP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "monitor-util.h"

/* FWNMI handlers the tests register: real addresses below 32 MiB. */
#define SRESET_HANDLER 0x1000
#define MCE_HANDLER    0x2000

/* A D-side UE on a load/store (SRR1 bit 42, DSISR UE). */
#define SRR1_LOADSTORE 0x200000
#define DSISR_UE       0x8000
#define SRR1_IFETCH_UE 0x40000

typedef struct Fixture {
    TestVM *vm;
    const char *qmp_path;
    TestSock *qmp;
} Fixture;

/** fixture_start: spawn the VMM with @extra options (may be NULL) and connect;
 *  negotiate capabilities unless @negotiate is false. */
void fixture_start(Fixture *f, const char *extra, bool negotiate);
/** fixture_stop_status: close the client and qtest's stdin; the VMM must exit @status. */
void fixture_stop_status(Fixture *f, int status);
/** fixture_stop: fixture_stop_status(@f, 0). */
void fixture_stop(Fixture *f);

/** qtest: one qtest command over the VMM's stdio; returns the reply line. */
char *qtest(Fixture *f, const char *line);
/** assert_qtest_alive: the qtest server still answers. */
void assert_qtest_alive(Fixture *f);

/** obj_int, obj_str, obj_bool: member @name, which must exist. */
int64_t obj_int(JsonObject *o, const char *name);
const char *obj_str(JsonObject *o, const char *name);
bool obj_bool(JsonObject *o, const char *name);

/** query_status: query-status; its "status" (interned), "running" in *@running. */
const char *query_status(Fixture *f, bool *running);
/** query_fwnmi: the query-fwnmi reply. */
JsonNode *query_fwnmi(Fixture *f);
/** inject_mce: x-inject-mce; its "result" (interned). */
const char *inject_mce(Fixture *f, int cpu, uint64_t srr1, uint64_t dsisr, uint64_t dar,
                       bool recovered);
/** assert_mce_event: the next FWNMI_MACHINE_CHECK event has this data. */
void assert_mce_event(Fixture *f, int cpu, const char *kind, const char *type,
                      bool recovered);
/** register_fwnmi: ibm,nmi-register(SRESET_HANDLER, MCE_HANDLER) must succeed. */
void register_fwnmi(Fixture *f);

#endif
