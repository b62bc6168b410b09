/*
 * pinning.h — what the compiler pass emits around a translation, written by hand for the
 * stress tests (they are compiled by plain clang, not by alaska-clang):
 *
 *   a pin frame on the stack (alaska/abi.h: magic, count, slots) ;
 *   store the handle in a slot (volatile) ; compiler-only fence ; translate ;
 *   ... use the raw address ... ; compiler-only fence ; clear the slot
 *
 * The barrier scans every stopped thread's stack for pin frames, so a handle in a slot
 * never moves while the raw address is in use (docs/design.md §6.1, §6.2). A handle held
 * anywhere else (a plain local, a register) does not pin its object.
 */
#ifndef ALASKA_TEST_PINNING_H
#define ALASKA_TEST_PINNING_H

#include <stdatomic.h>

#include "alaska.h"

/* Declares `name`, a pin frame with one slot. */
#define PIN_SLOT(name) ALASKA_PIN_FRAME(name, 1)

static inline void *pin_translate(volatile uint64_t *slot, void *handle) {
  *slot = (uint64_t)(uintptr_t)handle;
  atomic_signal_fence(memory_order_seq_cst); /* the table load may not move above the store */
  return alaska_translate(handle);
}

static inline void unpin(volatile uint64_t *slot) {
  atomic_signal_fence(memory_order_seq_cst); /* every use of the raw address is above */
  *slot = 0;
}

#endif
