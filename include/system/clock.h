/*
 * The VM clock, in nanoseconds since the machine was created. Under
 * -accel qtest it is virtual and only moves with qtest clock_step/clock_set;
 * otherwise it follows the host's monotonic clock. Any thread may read it.
 */
#ifndef SYSTEM_CLOCK_H
#define SYSTEM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

void vm_clock_init(bool is_virtual);
int64_t vm_clock_ns(void);
/** vm_clock_step: advance a virtual clock by @ns (no-op on a host clock). Returns the new time. */
int64_t vm_clock_step(int64_t ns);
/** vm_clock_set: move a virtual clock forward to @ns (never backwards). Returns the new time. */
int64_t vm_clock_set(int64_t ns);

/**
 * vm_clock_restore: make the clock read @ns now (incoming migration: the
 * guest's timebase continues where the source stopped it). Not thread
 * safe against readers on a host clock: only while no vCPU runs.
 */
int64_t vm_clock_restore(int64_t ns);

#endif
