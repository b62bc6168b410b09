/*
 * defrag.h — the automatic defragmentation service (docs/design.md §7).
 *
 * Two layers:
 *   policy   pure functions (defrag_policy.c): given counter readings and the results of
 *            the compaction steps it asked for, decide whether to compact now and how long
 *            to sleep. No clock, no threads, no runtime state: unit-tested in test/defrag.
 *   service  (defrag.c) a runtime-owned background thread — created with
 *            alaska_threads_create_internal, so it is never stopped by a barrier and never
 *            holds a handle — that feeds the policy with the runtime's O(1) counters and
 *            runs alaska_barrier_compact() steps. It also samples ALASKA_TRACE (trace.h).
 *
 * Defragmentation moves objects, which is only sound for code compiled by the Alaska pass
 * (it keeps pin slots). The service is therefore armed only once a compiled module calls
 * alaska_module_init() (ALASKA_RT_MODULE_INIT) from its constructor; programs that use
 * halloc + alaska_translate by hand never have their objects moved behind their back.
 */
#ifndef ALASKA_RUNTIME_DEFRAG_H
#define ALASKA_RUNTIME_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "alaska/abi.h" /* ALASKA_API */
#include "policy/defrag_policy.h"

/* ---- service (defrag.c) --------------------------------------------------------------- */
/* ALASKA_RT_MODULE_INIT: called by the constructor of every module the pass transformed.
 * Arms defragmentation (unless ALASKA_DEFRAG=0) and starts the service thread on the first
 * call. Cheap and idempotent. */
ALASKA_API void alaska_module_init(void);
/* Starts the service thread if it is not running (for ALASKA_TRACE without compiled code). */
void alaska_service_ensure_started(void);
/* What the policy measures (docs/design.md §7): committed heap bytes minus the free pages the
 * pool keeps committed for reuse (a bounded cache, not fragmentation), and that over live. */
uint64_t alaska_defrag_committed_in_use(void);
double alaska_defrag_frag_ratio(void);

#endif /* ALASKA_RUNTIME_DEFRAG_H */
