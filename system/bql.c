/* The big lock: see include/system/bql.h. */
#include "system/bql.h"

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

bool bql_cond_wait_until(GCond *cond, gint64 end_time)
{
    bql_held = false;
    bool ok = g_cond_wait_until(cond, &bql, end_time);
    bql_held = true;
    return ok;
}
