/*
 * stats.h — runtime counters and the extensible `alaska-stats:` line.
 *
 * Fast-path counters (allocations, frees, live bytes) are sharded per thread cache and
 * summed on demand. Slow-path counters are plain globals below; other parts of the runtime
 * add their own keys to the line with alaska_stats_register_u64/_double (no malloc: a
 * fixed table of ALASKA_STATS_MAX_PROVIDERS entries).
 */
#ifndef ALASKA_RUNTIME_STATS_H
#define ALASKA_RUNTIME_STATS_H

#include <stdint.h>

#include "alaska.h"

/* Updated under alaska_heap_lock (or with every other thread stopped). */
extern uint64_t alaska_stat_committed_pages; /* heap pages backed by memory */
extern uint64_t alaska_stat_pages_released;  /* pages madvised back to the OS */
extern uint64_t alaska_stat_objects_moved;   /* by alaska_heap_compact */
extern uint64_t alaska_stat_bytes_moved;
extern uint64_t alaska_stat_huge_allocs;     /* >= 2 GiB requests given to the system */

#define ALASKA_STATS_MAX_PROVIDERS 32
/* Append ` key=value` to the stats line; `key` must be a string literal (not copied).
 * Returns 0 on success, -1 when the table is full. */
int alaska_stats_register_u64(const char *key, uint64_t (*read)(void));
int alaska_stats_register_double(const char *key, double (*read)(void));

/* O(threads) sums of the sharded counters. */
uint64_t alaska_live_bytes(void);
uint64_t alaska_committed_bytes(void);
uint64_t alaska_handles_live(void);

/* Format the full line (without the trailing newline) into buf; returns its length. */
int alaska_stats_format(char *buf, int len);

#endif
