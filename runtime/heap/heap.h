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

/* Compaction: evacuate live objects out of sparse pages so whole pages can be returned to
 * the OS. Per size class, moves unpinned objects from the sparsest pages into free slots of
 * the densest ones (or, with move_everything, every unpinned object into fresh pages),
 * updates table entries and slot->id maps, and leaves pinned and pin_forever objects in
 * place. Three phases, so that the stop-the-world pause does only the moving:
 *   prepare  world running (any thread, no locks held): plans sources and destinations
 *            from a racy scan of the page descriptors and pre-faults the destinations;
 *   stopped  ONLY while every other thread is stopped outside the runtime
 *            (alaska_rt_depth == 0) and none holds a raw pointer not covered by is_pinned
 *            (may be NULL): moves at most about budget_bytes (0 = no limit) and about
 *            budget_ns of estimated moving time (below; 0 = no limit), returns the
 *            bytes of the pages it emptied (they go to the page pool);
 *   finish   after the world is released, without the heap lock: madvises the pool's
 *            dirty pages away (emptied ones not yet reused included); returns the bytes
 *            released. Always call it after prepare (it frees the scratch memory), also
 *            when the world could not be stopped (it then releases nothing). */
typedef struct alaska_compaction {
  void *scratch;        /* compact.c's plan and buffers */
  size_t budget;        /* bytes; SIZE_MAX = no limit */
  uint64_t budget_ns;   /* estimated moving time (alaska_move_estimate_ns); UINT64_MAX = none */
  uint64_t moved_ns;    /* the estimate of the moves made */
  size_t moved_bytes;
  size_t moved_objects;
  size_t pages_emptied;
  int move_everything;
  int ran;              /* the stopped phase ran */
} alaska_compaction_t;
void alaska_heap_compact_prepare(alaska_compaction_t *cx, size_t budget_bytes, uint64_t budget_ns,
                                 int move_everything);
/* The pause's cost model: moving n objects of `bytes` in all takes about this long (the
 * per-object part — table entry, slot maps, free lists, a cache miss or two — dominates
 * below ~1 KiB per object; measured on the Redis and LRU workloads). A budget in these
 * units bounds a pause whatever the mix of classes; the defragmentation policy scales it
 * by measured / estimated time to fit the machine. */
#define ALASKA_MOVE_OBJECT_NS 150u
#define ALASKA_MOVE_KIB_NS 100u
static inline uint64_t alaska_move_estimate_ns(uint64_t objects, uint64_t bytes) {
  return objects * ALASKA_MOVE_OBJECT_NS + (bytes * ALASKA_MOVE_KIB_NS >> 10);
}
size_t alaska_heap_compact_stopped(alaska_compaction_t *cx,
                                   int (*is_pinned)(uint32_t id, void *ctx), void *ctx);
size_t alaska_heap_compact_finish(alaska_compaction_t *cx);
/* All three in a row, for callers that keep the other threads out of the runtime by their
 * own means (tests). Returns the bytes released. */
size_t alaska_heap_compact(size_t budget_bytes, int (*is_pinned)(uint32_t id, void *ctx),
                           void *ctx, int move_everything);

/* Bytes in live objects (usable sizes) and heap bytes committed, for a fragmentation ratio.
 * O(number of threads ever seen) and O(1) respectively; no locks. */
uint64_t alaska_live_bytes(void);
uint64_t alaska_committed_bytes(void);
/* Of the committed bytes, those of free pages the pool keeps committed for reuse (bounded;
 * purged in batches). O(1), no locks. */
uint64_t alaska_pool_dirty_bytes(void);
/* Committed bytes minus that cache, both read at one instant (takes alaska_heap_lock); the
 * committed bytes of the same instant in *committed_bytes if not NULL. */
uint64_t alaska_pool_committed_in_use(uint64_t *committed_bytes);

/* Call fn() once, the first time at least `bytes` of heap pages are committed (at once,
 * from this call, if they already are). It runs on the thread whose allocation took the
 * page, after alaska_heap_lock is released, possibly inside the runtime (a barrier waits
 * until that thread leaves it); fn must not allocate from the heap. One registration per
 * process (a second one replaces a pending first); the defragmenter uses it to start its
 * thread only once there is something it could ever compact. */
void alaska_heap_on_committed(uint64_t bytes, void (*fn)(void));

#endif
