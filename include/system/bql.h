/*
 * The big lock (as QEMU's BQL): guards machine state shared between the
 * monitor, the qtest server and vCPU threads outside guest execution:
 * run state, device tree, RTAS table use, register state of vCPUs that are
 * not executing. vCPU threads drop it while they execute guest code.
 * FWNMI state has its own lock (hw/ppc/spapr_fwnmi.h), always taken after
 * the BQL when both are needed.
 */
#ifndef SYSTEM_BQL_H
#define SYSTEM_BQL_H

#include <stdbool.h>
#include <glib.h>

void bql_lock(void);
void bql_unlock(void);
/** bql_locked: true when the calling thread holds the BQL (assertions). */
bool bql_locked(void);
/** bql_cond_wait: wait on @cond, releasing the BQL meanwhile. */
void bql_cond_wait(GCond *cond);
/** bql_cond_wait_until: as bql_cond_wait with a g_get_monotonic_time() deadline. */
bool bql_cond_wait_until(GCond *cond, gint64 end_time);

#endif
