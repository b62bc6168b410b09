/*
 * internal.h — declarations shared by the mover layer's files (barrier.c, pinset.c, pause.c,
 * stress.c); not for other layers.
 */
#ifndef ALASKA_RUNTIME_MOVER_INTERNAL_H
#define ALASKA_RUNTIME_MOVER_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mover/barrier.h"
#include "os/defs.h"

/* pinset.c: the pinned set of the barrier in progress (initiator only, world stopped). */
void pin_table_reset(size_t candidates) ALASKA_HIDDEN; /* empty it, room for candidates */
void pin_insert(uint32_t id) ALASKA_HIDDEN;

/* pause.c: histogram of stop-the-world pauses in microseconds. */
extern _Atomic uint64_t pause_hist[ALASKA_PAUSE_BUCKETS] ALASKA_HIDDEN;
/* Time to stop: barrier signals sent to every thread stopped (same buckets). */
extern _Atomic uint64_t stop_hist[ALASKA_PAUSE_BUCKETS] ALASKA_HIDDEN;
unsigned pause_bucket(uint64_t us) ALASKA_HIDDEN;
uint64_t hist_percentile(const uint64_t *hist, uint64_t total, double q) ALASKA_HIDDEN;

/* stress.c: ALASKA_STRESS, ALASKA_STRESS_MS, ALASKA_STRESS_EVERY (set by barrier init). */
extern int stress_enabled ALASKA_HIDDEN;
extern unsigned stress_period_ms ALASKA_HIDDEN;
extern uint64_t stress_every ALASKA_HIDDEN;
/* Counts this thread's runtime calls; 1 when this one should run a stress barrier. */
int stress_due(void) ALASKA_HIDDEN;

#endif /* ALASKA_RUNTIME_MOVER_INTERNAL_H */
