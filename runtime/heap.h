/*
 * heap.h — what the rest of the runtime (barrier, defragmenter, libc escape wrappers) may
 * ask of the heap. Not installed; include it from runtime/ code only.
 */
#ifndef ALASKA_RUNTIME_HEAP_H
#define ALASKA_RUNTIME_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* Is `raw` inside the Alaska heap region (object or not)? One compare. */
int alaska_heap_contains(const void *raw);
/* Handle id of the live object containing `raw`, and raw's offset in it; 0 if `raw` is
 * not inside a live object. */
uint32_t alaska_handle_of_raw(const void *raw, uint32_t *offset_out);
/* Was `id`'s object marked with alaska_pin_forever? */
int alaska_is_pinned_forever(uint32_t id);

/* Evacuate live objects out of sparse pages so whole pages can be returned to the OS.
 * Call ONLY while every other thread is stopped outside the runtime (alaska_rt_depth == 0)
 * and none holds a raw pointer that is not covered by is_pinned. Per size class, moves
 * unpinned objects from the sparsest pages into free slots of the densest ones (or, with
 * move_everything, every unpinned object into fresh pages), updates table entries and
 * slot->id maps, leaves pinned and pin_forever objects in place, releases emptied pages
 * (one batched purge) and returns the bytes of pages released. Stops after moving about
 * budget_bytes (0 = no limit). is_pinned may be NULL. */
size_t alaska_heap_compact(size_t budget_bytes, int (*is_pinned)(uint32_t id, void *ctx),
                           void *ctx, int move_everything);

/* Bytes in live objects (usable sizes) and heap bytes committed, for a fragmentation ratio.
 * O(number of threads ever seen) and O(1) respectively; no locks. */
uint64_t alaska_live_bytes(void);
uint64_t alaska_committed_bytes(void);
/* Of the committed bytes, those of free pages the pool keeps committed for reuse (bounded;
 * purged in batches). O(1), no locks. */
uint64_t alaska_pool_dirty_bytes(void);

#endif
