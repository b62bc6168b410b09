/*
 * trace.h — ALASKA_TRACE=file.csv: a time series of memory and pause counters, one CSV row
 * every ALASKA_TRACE_MS (default 100) milliseconds, written by the service thread
 * (defrag.c) and once more at exit. Columns (docs/design.md §7):
 *
 *   time_s,rss_bytes,live_bytes,committed_bytes,frag_ratio,pauses,max_pause_us
 *
 *   time_s           seconds since the runtime started (monotonic clock)
 *   rss_bytes        resident set size of the whole process (/proc/self/statm)
 *   live_bytes       usable bytes of live heap objects
 *   committed_bytes  heap bytes backed by memory (pages in use, or free but not yet released)
 *   frag_ratio       what the defragmentation policy measures: (committed_bytes minus the
 *                    free pages the pool keeps for reuse) / live_bytes; 0 when nothing is live
 *   pauses           stop-the-world pauses so far (all barriers, not only the service's)
 *   max_pause_us     longest stop-the-world pause so far (microseconds)
 *
 * Each row is written with one write(2), so a killed process leaves a valid prefix.
 */
#ifndef ALASKA_RUNTIME_TRACE_H
#define ALASKA_RUNTIME_TRACE_H

#include <stdint.h>

#define ALASKA_TRACE_HEADER \
  "time_s,rss_bytes,live_bytes,committed_bytes,frag_ratio,pauses,max_pause_us\n"

/* Reads ALASKA_TRACE / ALASKA_TRACE_MS, creates (truncates) the file and writes the header.
 * Returns 1 if tracing is on. Idempotent. */
int alaska_trace_init(void);
int alaska_trace_enabled(void);
uint64_t alaska_trace_period_ns(void);
/* Appends one row now. Thread-safe; no malloc. */
void alaska_trace_sample(void);
/* In the child of fork(): stop tracing (the file belongs to the parent, and the lock may
 * have been held by a thread that does not exist in the child). */
void alaska_trace_fork_child(void);

#endif /* ALASKA_RUNTIME_TRACE_H */
