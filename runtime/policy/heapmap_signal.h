/*
 * heapmap_signal.h — ALASKA_HEAPMAP_SIGNAL=N: a heap map snapshot (heap/heapmap.c) each time
 * the process receives signal N, written to ALASKA_HEAPMAP.1, .2, ... (docs/env.md "Heap
 * map"). The signal is reserved like ALASKA_SIGNAL: the program must not install its own
 * handler for it.
 */
#ifndef ALASKA_RUNTIME_POLICY_HEAPMAP_SIGNAL_H
#define ALASKA_RUNTIME_POLICY_HEAPMAP_SIGNAL_H

#include "os/defs.h"

/* At start-up (init.c), once: when ALASKA_HEAPMAP_SIGNAL is set, starts the writer thread
 * and installs the handler; otherwise does nothing. */
void alaska_heapmap_signal_init(void) ALASKA_HIDDEN;

#endif /* ALASKA_RUNTIME_POLICY_HEAPMAP_SIGNAL_H */
