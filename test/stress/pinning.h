/*
 * pinning.h — what the compiler pass emits around a translation, written by hand for the
 * stress tests (they are compiled by plain clang, not by alaska-clang):
 *
 *   store the handle in a stack slot (volatile) ; compiler-only fence ; translate ;
 *   ... use the raw address ... ; compiler-only fence ; clear the slot
 *
 * The barrier scans every stopped thread's stack, so a handle in a pin slot never moves
 * while the raw address is in use (docs/design.md §6.2).
 */
#ifndef ALASKA_TEST_PINNING_H
#define ALASKA_TEST_PINNING_H

#include <stdatomic.h>

#include "alaska.h"

typedef void *volatile pin_slot_t; /* the slot itself is volatile: the store must happen */

static inline void *pin_translate(pin_slot_t *slot, void *handle) {
  *slot = handle;
  atomic_signal_fence(memory_order_seq_cst); /* the table load may not move above the store */
  return alaska_translate(handle);
}

static inline void unpin(pin_slot_t *slot) {
  atomic_signal_fence(memory_order_seq_cst); /* every use of the raw address is above */
  *slot = 0;
}

#endif
