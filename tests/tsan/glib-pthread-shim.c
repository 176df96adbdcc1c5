/*
 * ThreadSanitizer builds only: glib implements GMutex and GCond directly on
 * futexes, which TSan cannot see, so every access they protect would be
 * reported as a race. This file provides pthread-backed definitions of the
 * GMutex/GCond functions; linked into the program, they take precedence
 * over glib's, and TSan understands pthreads. A GMutex/GCond holds a
 * pointer to a lazily allocated pthread object (zero-initialised statics
 * work, as with glib's own non-futex implementation).
 */
#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t *mutex_impl(GMutex *m)
{
    pthread_mutex_t *impl = __atomic_load_n((pthread_mutex_t **)&m->p, __ATOMIC_ACQUIRE);
    if (impl) {
        return impl;
    }
    pthread_mutex_t *fresh = malloc(sizeof(*fresh));
    pthread_mutex_init(fresh, NULL);
    pthread_mutex_t *expected = NULL;
    if (!__atomic_compare_exchange_n((pthread_mutex_t **)&m->p, &expected, fresh, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        pthread_mutex_destroy(fresh);
        free(fresh);
        return expected;
    }
    return fresh;
}

static pthread_cond_t *cond_impl(GCond *c)
{
    pthread_cond_t *impl = __atomic_load_n((pthread_cond_t **)&c->p, __ATOMIC_ACQUIRE);
    if (impl) {
        return impl;
    }
    pthread_cond_t *fresh = malloc(sizeof(*fresh));
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);   /* as g_cond_wait_until */
    pthread_cond_init(fresh, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_t *expected = NULL;
    if (!__atomic_compare_exchange_n((pthread_cond_t **)&c->p, &expected, fresh, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        pthread_cond_destroy(fresh);
        free(fresh);
        return expected;
    }
    return fresh;
}

void g_mutex_init(GMutex *m)
{
    m->p = NULL;
}

void g_mutex_clear(GMutex *m)
{
    pthread_mutex_t *impl = m->p;
    if (impl) {
        pthread_mutex_destroy(impl);
        free(impl);
        m->p = NULL;
    }
}

void g_mutex_lock(GMutex *m)
{
    pthread_mutex_lock(mutex_impl(m));
}

void g_mutex_unlock(GMutex *m)
{
    pthread_mutex_unlock(mutex_impl(m));
}

gboolean g_mutex_trylock(GMutex *m)
{
    return pthread_mutex_trylock(mutex_impl(m)) == 0;
}

void g_cond_init(GCond *c)
{
    c->p = NULL;
}

void g_cond_clear(GCond *c)
{
    pthread_cond_t *impl = c->p;
    if (impl) {
        pthread_cond_destroy(impl);
        free(impl);
        c->p = NULL;
    }
}

void g_cond_wait(GCond *c, GMutex *m)
{
    pthread_cond_wait(cond_impl(c), mutex_impl(m));
}

void g_cond_signal(GCond *c)
{
    pthread_cond_signal(cond_impl(c));
}

void g_cond_broadcast(GCond *c)
{
    pthread_cond_broadcast(cond_impl(c));
}

gboolean g_cond_wait_until(GCond *c, GMutex *m, gint64 end_time)
{
    struct timespec ts = { .tv_sec = end_time / 1000000, .tv_nsec = (end_time % 1000000) * 1000 };
    return pthread_cond_timedwait(cond_impl(c), mutex_impl(m), &ts) == 0;
}
