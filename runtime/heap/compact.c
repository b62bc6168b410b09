/*
 * compact.c — moving live objects so that whole pages can be returned to the OS.
 *
 * A compaction has three phases (heap.h) so that the stop-the-world pause only does work
 * proportional to the pages it touches:
 *
 *   prepare  (world running) scans the page descriptors with racy reads, buckets the small
 *            pages of each size class by occupancy (a counting sort, O(heap)), and plans:
 *            source pages, sparsest first across all classes, as long as the denser pages
 *            of their class can absorb them whole (a half-evacuated page releases nothing)
 *            and the budget (plus slack) lasts; for each class, the densest non-full pages
 *            as destinations. It then pre-faults the destinations' never-touched blocks and
 *            slot->id map entries (MADV_POPULATE_WRITE, which never changes contents), so
 *            the pause takes no page faults writing them, and lists (and prefetches) the
 *            sources' live objects, so the pause skips their dead slots.
 *   stopped  (every other thread stopped outside the runtime) walks the plan, re-validating
 *            each page (still a small page of that class, settled remote frees, exact
 *            occupancy); a source is evacuated only if none of its objects is pinned
 *            (pin_forever or `is_pinned`) and it fits in the budgets (bytes, and the
 *            estimated time of its moves: heap.h's cost model). A move is: copy
 *            the block, point the handle's table entry at the copy, record the id in the
 *            destination's slot->id map, push the old block on the source page's free list.
 *            The handle never changes. Emptied pages go to the page pool (dirty).
 *   finish   (world released) madvises the pool's dirty pages away without holding the heap
 *            lock. Pages emptied in the pause may be reused by an allocation before that:
 *            they are ordinary dirty free spans until the purge takes them out of the bins
 *            under the lock, so a reused page is simply not released.
 *
 * move_everything (stress mode) ignores the plan and moves every unpinned object of every
 * page to fresh pages in the pause, large objects included (large.c); otherwise large
 * objects are not moved.
 */
#include <string.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

#define OCC_BUCKETS 64                    /* occupancy buckets per class */
#define KEYS (ALASKA_NUM_CLASSES * OCC_BUCKETS)
#define NO_PAGE UINT32_MAX                 /* a plan entry found invalid in the pause */
#define PREFETCH_AHEAD 16                  /* slots whose table entries are prefetched ahead */

typedef struct class_plan {
  uint32_t off, nsrc, ndst; /* plan[off .. +nsrc) sources, then ndst destinations */
} class_plan_t;

/* Scratch memory of one compaction (mmap'd in prepare: the pause allocates nothing and,
 * since prepare writes every part it uses, takes no page fault on it). */
#define PRE_MAX (1u << 16) /* objects listed ahead (1 MiB of 16-byte objects) */
#define NO_LIST UINT32_MAX
typedef struct scratch {
  size_t bytes;   /* of this mapping */
  size_t npages;  /* capacity of the per-page arrays below */
  class_plan_t cls[ALASKA_NUM_CLASSES];
  uint64_t evac[ALASKA_SLOTS_PER_PAGE_MAX]; /* (slot << 32) | id of one source's objects */
  uint32_t count[KEYS + 1];                 /* counting sort of the candidates */
  uint64_t pre[PRE_MAX];   /* objects of sources, listed in prepare: (slot << 32) | id */
  uint32_t *plan;          /* page indices */
  uint32_t *pre_off, *pre_cnt; /* per plan entry (sources): its run in pre[], or NO_LIST */
  uint64_t *cand, *sorted; /* candidates: see cand_pack */
  page_t **all;            /* move_everything: every small page (aliases cand) */
} scratch_t;
#define PER_PAGE_BYTES (3 * sizeof(uint32_t) + 2 * sizeof(uint64_t))

/* One spare scratch mapping, reused by the next compaction (saves an mmap/munmap pair). */
static _Atomic(scratch_t *) spare_scratch;

static scratch_t *scratch_get(size_t npages) {
  if (npages == 0) npages = 1;
  size_t need = sizeof(scratch_t) + npages * PER_PAGE_BYTES;
  scratch_t *s = atomic_exchange(&spare_scratch, NULL);
  if (s && s->bytes < need) {
    os_unmap(s, s->bytes);
    s = NULL;
  }
  if (!s) {
    size_t bytes = (need + need / 4 + 4095) & ~(size_t)4095; /* room for the heap to grow */
    s = os_reserve(bytes);
    if (!s) return NULL;
    s->bytes = bytes;
  }
  s->npages = (s->bytes - sizeof(scratch_t)) / PER_PAGE_BYTES;
  s->cand = (uint64_t *)(s + 1);
  s->sorted = s->cand + s->npages;
  s->plan = (uint32_t *)(s->sorted + s->npages);
  s->pre_off = s->plan + s->npages;
  s->pre_cnt = s->pre_off + s->npages;
  s->all = (page_t **)s->cand;
  memset(s->cls, 0, sizeof s->cls);
  memset(s->evac, 0, sizeof s->evac); /* touch it now, not in the pause */
  return s;
}

static void scratch_put(scratch_t *s) {
  if (!s) return;
  s = atomic_exchange(&spare_scratch, s);
  if (s) os_unmap(s, s->bytes);
}

/* ---- prepare: plan outside the pause --------------------------------------------------- */

/* A candidate page: bits 0..31 page index, 32..44 used (<= 4096), 45..56 key
 * (class * OCC_BUCKETS + occupancy bucket), 57 has pin_forever objects. */
static inline uint64_t cand_pack(uint32_t idx, uint32_t used, unsigned key, int pinned) {
  return (uint64_t)idx | (uint64_t)used << 32 | (uint64_t)key << 45 | (uint64_t)(pinned != 0) << 57;
}
static inline uint32_t cand_idx(uint64_t c) { return (uint32_t)c; }
static inline uint32_t cand_used(uint64_t c) { return (uint32_t)(c >> 32) & 0x1fff; }
static inline unsigned cand_key(uint64_t c) { return (unsigned)(c >> 45) & 0xfff; }
static inline unsigned cand_bucket(uint64_t c) { return cand_key(c) % OCC_BUCKETS; }
#define CAND_SKIPPED ((uint64_t)1 << 58) /* passed over by the planner: not a source */
static inline int cand_pinned(uint64_t c) { return (int)(c >> 57) & 1; }

/* Make the first `slots` never-carved blocks of `pg` (and their slot->id map entries)
 * resident. Racy reads: pg may have changed since the scan; populating never changes
 * memory contents, so the worst case is committing a page that is free again. */
static void prefault_dest(page_t *pg, unsigned cls, uint32_t slots) {
  size_t bs = alaska_class_size(cls);
  uint32_t cap = (uint32_t)(ALASKA_PAGE_SIZE / bs);
  uint32_t bump = __atomic_load_n(&pg->bump, __ATOMIC_RELAXED);
  if (bump >= cap || slots == 0) return;
  if (slots > cap - bump) slots = cap - bump;
  uintptr_t lo = page_start(pg) + (uintptr_t)bump * bs, hi = lo + (uintptr_t)slots * bs;
  os_prefault((void *)(lo & ~(uintptr_t)4095), ((hi + 4095) & ~(uintptr_t)4095) - (lo & ~(uintptr_t)4095));
  uint32_t *ids = __atomic_load_n(&pg->ids, __ATOMIC_RELAXED);
  uint32_t ids_bytes = __atomic_load_n(&pg->ids_bytes, __ATOMIC_RELAXED);
  if (!ids || (size_t)(bump + slots) * sizeof(uint32_t) > ids_bytes) return;
  uintptr_t ilo = (uintptr_t)(ids + bump), ihi = (uintptr_t)(ids + bump + slots);
  os_prefault((void *)(ilo & ~(uintptr_t)4095), ((ihi + 4095) & ~(uintptr_t)4095) - (ilo & ~(uintptr_t)4095));
}

/* List the live objects of source `pg` into out[] (racy reads, re-checked in the pause) and
 * prefetch them: the pause then skips the dead slots and finds lines in the cache. A torn
 * view of a page being re-initialised reads nothing unmapped: slot maps are followed by a
 * largest map's worth of mapped slack (slotmap.c), and every id indexes the table, which is
 * mapped readable in full (2^31 entries). */
static uint32_t list_objects(page_t *pg, unsigned cls, uint64_t *out) {
  size_t bs = alaska_class_size(cls);
  uint32_t cap = (uint32_t)(ALASKA_PAGE_SIZE / bs);
  uint32_t bump = __atomic_load_n(&pg->bump, __ATOMIC_RELAXED);
  uint32_t *ids = __atomic_load_n(&pg->ids, __ATOMIC_RELAXED);
  if (!ids || bump > cap || (size_t)cap * sizeof(uint32_t) > __atomic_load_n(&pg->ids_bytes, __ATOMIC_RELAXED))
    return 0;
  uintptr_t start = page_start(pg);
  uint32_t n = 0;
  for (uint32_t s = 0; s < bump; s++) {
    if (s + PREFETCH_AHEAD < bump)
      __builtin_prefetch(table_entry(__atomic_load_n(&ids[s + PREFETCH_AHEAD], __ATOMIC_RELAXED) & ~ALASKA_PIN_BIT));
    uint32_t id = __atomic_load_n(&ids[s], __ATOMIC_RELAXED) & ~ALASKA_PIN_BIT;
    uintptr_t raw = start + (uintptr_t)s * bs;
    if (!id || __atomic_load_n(table_entry(id), __ATOMIC_RELAXED) != alaska_entry_of(raw)) continue;
    out[n++] = (uint64_t)s << 32 | id;
    __builtin_prefetch((void *)raw);
  }
  return n;
}

static void plan(alaska_compaction_t *cx, scratch_t *s, size_t npages) {
  /* 1. Scan: every non-full small page is a candidate, keyed by (class, occupancy). */
  uint32_t *count = s->count;
  memset(count, 0, sizeof s->count);
  size_t n = 0;
  for (size_t i = 0; i < npages && n < s->npages; i++) {
    page_t *pg = &HEAP_PAGES[i];
    if (__atomic_load_n(&pg->kind, __ATOMIC_RELAXED) != PAGE_SMALL) continue;
    unsigned cls = __atomic_load_n(&pg->size_class, __ATOMIC_RELAXED);
    uint32_t cap = __atomic_load_n(&pg->capacity, __ATOMIC_RELAXED);
    uint32_t used = __atomic_load_n(&pg->used, __ATOMIC_RELAXED);
    if (cls >= ALASKA_NUM_CLASSES || cap != ALASKA_PAGE_SIZE / alaska_class_size(cls) || used >= cap)
      continue; /* torn by a concurrent re-initialisation, or full */
    unsigned key = cls * OCC_BUCKETS + (unsigned)((uint64_t)used * OCC_BUCKETS / cap);
    int pinned = __atomic_load_n(&pg->pinned, __ATOMIC_RELAXED) != 0;
    s->cand[n++] = cand_pack((uint32_t)i, used, key, pinned);
    count[key + 1]++;
  }
  /* 2. Counting sort by key: per class, sparsest first. */
  for (unsigned k = 0; k < KEYS; k++) count[k + 1] += count[k];
  uint32_t cls_start[ALASKA_NUM_CLASSES + 1];
  for (unsigned c = 0; c <= ALASKA_NUM_CLASSES; c++) cls_start[c] = count[c * OCC_BUCKETS];
  for (size_t i = 0; i < n; i++) s->sorted[count[cand_key(s->cand[i])]++] = s->cand[i];

  /* 3. Sources, sparsest first across classes; per class, the promised objects fill the
   * densest pages: [dlo, end) are the pages needed for them (dfree free slots), and a
   * source must lie below that region (two pointers, as in a sorted two-way sweep). */
  uint32_t pos[ALASKA_NUM_CLASSES], dlo[ALASKA_NUM_CLASSES];
  uint64_t dfree[ALASKA_NUM_CLASSES] = {0}, promised[ALASKA_NUM_CLASSES] = {0};
  uint8_t done[ALASKA_NUM_CLASSES] = {0};
  /* Slack: occupancies change before the pause, and the pause skips what no longer fits. */
  size_t target = cx->budget == SIZE_MAX ? SIZE_MAX : cx->budget + cx->budget / 4 + 2 * ALASKA_PAGE_SIZE;
  uint64_t target_ns = cx->budget_ns == UINT64_MAX ? UINT64_MAX : cx->budget_ns + cx->budget_ns / 4;
  size_t planned = 0;
  uint64_t planned_ns = 0;
  for (unsigned c = 0; c < ALASKA_NUM_CLASSES; c++) {
    pos[c] = cls_start[c];
    dlo[c] = cls_start[c + 1];
  }
#define ROOM_LEFT (planned < target && planned_ns < target_ns)
  for (unsigned b = 0; b < OCC_BUCKETS && ROOM_LEFT; b++)
    for (unsigned c = 0; c < ALASKA_NUM_CLASSES && ROOM_LEFT; c++) {
      size_t bs = alaska_class_size(c);
      uint32_t cap = (uint32_t)(ALASKA_PAGE_SIZE / bs);
      while (!done[c] && pos[c] < dlo[c] && cand_bucket(s->sorted[pos[c]]) == b && ROOM_LEFT) {
        uint64_t e = s->sorted[pos[c]];
        uint32_t used = cand_used(e);
        if (used > 0 && cand_pinned(e)) {
          s->sorted[pos[c]++] |= CAND_SKIPPED;
          continue;
        }
        while (dfree[c] < promised[c] + used && dlo[c] > pos[c] + 1)
          dfree[c] += cap - cand_used(s->sorted[--dlo[c]]);
        if (dfree[c] < promised[c] + used) { /* the denser pages cannot take it whole */
          done[c] = 1;
          break;
        }
        promised[c] += used;
        planned += (size_t)used * bs;
        planned_ns += alaska_move_estimate_ns(used, (uint64_t)used * bs);
        pos[c]++;
      }
    }
#undef ROOM_LEFT

  /* 4. Write the plan; destinations: the densest pages, enough for what was promised plus
   * slack (occupancies change before the pause). Pre-fault what they will receive. */
  uint32_t off = 0, pre_used = 0;
  for (unsigned c = 0; c < ALASKA_NUM_CLASSES; c++) {
    class_plan_t *cp = &s->cls[c];
    cp->off = off;
    for (uint32_t i = cls_start[c]; i < pos[c]; i++)
      if (!(s->sorted[i] & CAND_SKIPPED)) s->plan[off + cp->nsrc++] = cand_idx(s->sorted[i]);
    if (cp->nsrc == 0) continue;
    for (uint32_t i = 0; i < cp->nsrc; i++) {
      uint32_t cap = (uint32_t)(ALASKA_PAGE_SIZE / alaska_class_size(c));
      s->pre_off[off + i] = NO_LIST;
      if (pre_used + cap > PRE_MAX) continue; /* the pause scans this one */
      s->pre_off[off + i] = pre_used;
      s->pre_cnt[off + i] = list_objects(&HEAP_PAGES[s->plan[off + i]], c, s->pre + pre_used);
      pre_used += s->pre_cnt[off + i];
    }
    uint32_t cap = (uint32_t)(ALASKA_PAGE_SIZE / alaska_class_size(c));
    uint64_t want = promised[c] + promised[c] / 8 + (promised[c] ? cap : 0);
    uint64_t need = promised[c], got = 0;
    for (uint32_t i = cls_start[c + 1]; i > pos[c] && got < want; i--) {
      uint64_t e = s->sorted[i - 1];
      uint32_t free_slots = cap - cand_used(e);
      s->plan[off + cp->nsrc + cp->ndst++] = cand_idx(e);
      got += free_slots;
      if (need > 0) {
        page_t *pg = &HEAP_PAGES[cand_idx(e)];
        uint32_t bump = __atomic_load_n(&pg->bump, __ATOMIC_RELAXED);
        /* blocks on the free list (bump - used) are resident; the rest is carved fresh */
        uint32_t take = need < free_slots ? (uint32_t)need : free_slots;
        uint32_t listed = bump > cand_used(e) ? bump - cand_used(e) : 0;
        if (take > listed) prefault_dest(pg, c, take - listed);
        need -= take;
      }
    }
    off += cp->nsrc + cp->ndst;
  }
}

void alaska_heap_compact_prepare(alaska_compaction_t *cx, size_t budget_bytes, uint64_t budget_ns,
                                 int move_everything) {
  memset(cx, 0, sizeof *cx);
  cx->budget = budget_bytes ? budget_bytes : SIZE_MAX;
  cx->budget_ns = budget_ns ? budget_ns : UINT64_MAX;
  cx->move_everything = move_everything;
  size_t npages = pool_pages_in_use();
  scratch_t *s = scratch_get(npages);
  cx->scratch = s;
  if (s && !move_everything) plan(cx, s, npages < s->npages ? npages : s->npages);
}

/* ---- stopped: move objects -------------------------------------------------------------- */

typedef struct run {
  alaska_compaction_t *cx;
  scratch_t *s;
  int (*is_pinned)(uint32_t id, void *ctx);
  void *pin_ctx;
} run_t;

static int object_pinned(const run_t *r, const page_t *pg, uint32_t slot, uint32_t id) {
  if (pg->ids[slot] & ALASKA_PIN_BIT) return 1;
  return r->is_pinned && r->is_pinned(id, r->pin_ctx);
}

static void move_object(page_t *src, uint32_t slot, uint32_t id, page_t *dst) {
  block_t *nb = take_block(dst);
  if (dst->local_free) __builtin_prefetch(dst->local_free, 1); /* the next move's target */
  void *old = (void *)slot_addr(src, slot);
  memcpy(nb, old, src->block_size);
  dst->ids[slot_of(dst, (uintptr_t)nb)] = id;
  __atomic_store_n(table_entry(id), alaska_entry_of((uint64_t)(uintptr_t)nb), __ATOMIC_RELEASE);
  block_t *ob = old;
  ob->next = src->local_free;
  src->local_free = ob;
  src->used--;
  alaska_stat_objects_moved++;
  alaska_stat_bytes_moved += src->block_size;
}

/* Would evacuating `pg` whole stay within both budgets? The first page of a compaction
 * always fits the time budget (at most a page of 16-byte objects, ~0.6 ms estimated):
 * otherwise a small budget could skip every source, the step move nothing, and the
 * defragmentation episode end above its lower bound. */
static int fits_budget(const alaska_compaction_t *cx, const page_t *pg) {
  size_t bytes = (size_t)pg->used * pg->block_size;
  if (cx->moved_bytes + bytes > cx->budget) return 0;
  return cx->budget_ns == UINT64_MAX || cx->moved_objects == 0 ||
         cx->moved_ns + alaska_move_estimate_ns(pg->used, bytes) <= cx->budget_ns;
}

static void release_page(run_t *r, page_t *pg) {
  cache_detach_page(pg);
  pool_free_span(pg);
  r->cx->pages_emptied++;
}

/* The page a plan entry names, if it is still a small page of class `cls`; its remote
 * frees settled (its owner is stopped: they are ours to collect). */
static page_t *plan_page(uint32_t idx, unsigned cls) {
  if (idx == NO_PAGE) return NULL;
  page_t *pg = &HEAP_PAGES[idx];
  if (pg->kind != PAGE_SMALL || pg->size_class != cls) return NULL;
  page_collect_remote(pg);
  return pg;
}

/* Live objects of `pg` into r->s->evac; -1 if one of them is pinned. One pass: the table
 * entries it reads are the ones the moves write. */
static int live_objects(const run_t *r, const page_t *pg) {
  int n = 0;
  /* The table entries are scattered: prefetch them ahead so their misses overlap. */
  for (uint32_t s = 0; s < pg->bump && s < PREFETCH_AHEAD; s++)
    __builtin_prefetch(table_entry(pg->ids[s] & ~ALASKA_PIN_BIT));
  for (uint32_t s = 0; s < pg->bump; s++) {
    if (s + PREFETCH_AHEAD < pg->bump)
      __builtin_prefetch(table_entry(pg->ids[s + PREFETCH_AHEAD] & ~ALASKA_PIN_BIT));
    uint32_t id = slot_live_id(pg, s);
    if (!id) continue;
    if (object_pinned(r, pg, s, id)) return -1;
    r->s->evac[n++] = (uint64_t)s << 32 | id;
  }
  return n;
}

/* Of the objects prepare listed for `pg`, those still live there, into r->s->evac; -1 if
 * one of them is pinned. */
static int live_listed(const run_t *r, const page_t *pg, const uint64_t *list, uint32_t cnt) {
  int n = 0;
  for (uint32_t k = 0; k < cnt; k++) {
    uint32_t slot = (uint32_t)(list[k] >> 32), id = (uint32_t)list[k];
    if (slot >= pg->bump || slot_live_id(pg, slot) != id) continue; /* freed since */
    if (object_pinned(r, pg, slot, id)) return -1;
    r->s->evac[n++] = list[k];
  }
  return n;
}

/* Cursor over a class's validated destinations. */
typedef struct dests {
  uint32_t *dst;
  uint32_t dnext, dcur; /* next destination to validate; first that may have room */
  uint64_t room;        /* free slots in validated destinations */
} dests_t;

/* Move the n objects in r->s->evac out of sp. */
static void move_listed(run_t *r, page_t *sp, int n, dests_t *d) {
  uint64_t *ev = r->s->evac;
  for (int k = 0; k < n && k < 8; k++) __builtin_prefetch((void *)slot_addr(sp, (uint32_t)(ev[k] >> 32)));
  for (int k = 0; k < n; k++) {
    if (k + 8 < n) /* sources are cold: overlap their misses */
      __builtin_prefetch((void *)slot_addr(sp, (uint32_t)(ev[k + 8] >> 32)));
    while (d->dcur < d->dnext &&
           (d->dst[d->dcur] == NO_PAGE || !page_has_free(&HEAP_PAGES[d->dst[d->dcur]])))
      d->dcur++;
    if (d->dcur == d->dnext) return; /* room was miscounted: leave the rest in place */
    move_object(sp, (uint32_t)(ev[k] >> 32), (uint32_t)ev[k], &HEAP_PAGES[d->dst[d->dcur]]);
    d->room--;
    r->cx->moved_bytes += sp->block_size;
    r->cx->moved_objects++;
    r->cx->moved_ns += alaska_move_estimate_ns(1, sp->block_size);
  }
}

static void run_class(run_t *r, unsigned cls) {
  alaska_compaction_t *cx = r->cx;
  class_plan_t *cp = &r->s->cls[cls];
  uint32_t *src = r->s->plan + cp->off;
  dests_t d = {src + cp->nsrc, 0, 0, 0};
  for (uint32_t i = 0; i < cp->nsrc; i++) {
    page_t *sp = plan_page(src[i], cls);
    if (!sp) continue;
    if (sp->used == 0) {
      if (sp->where != WHERE_CURRENT) release_page(r, sp);
      continue;
    }
    if (sp->pinned || !fits_budget(cx, sp)) {
      cache_unfull_page(sp);
      continue;
    }
    while (d.room < sp->used && d.dnext < cp->ndst) {
      page_t *dp = plan_page(d.dst[d.dnext], cls);
      if (dp && page_has_free(dp)) {
        cache_unfull_page(dp);
        d.room += dp->capacity - dp->used;
      } else {
        d.dst[d.dnext] = NO_PAGE;
      }
      d.dnext++;
    }
    if (d.room < sp->used) { /* the destinations cannot take it whole: class done */
      cache_unfull_page(sp);
      return;
    }
    uint32_t pre = r->s->pre_off[cp->off + i];
    if (pre != NO_LIST) {
      move_listed(r, sp, live_listed(r, sp, r->s->pre + pre, r->s->pre_cnt[cp->off + i]), &d);
      /* Objects allocated in it since prepare (or a pinned one: then nothing moved yet and
       * the scan below finds it again): scan the slots. */
    }
    if (sp->used > 0) move_listed(r, sp, live_objects(r, sp), &d);
    if (sp->used == 0) release_page(r, sp);
    else cache_unfull_page(sp);
  }
}

/* ---- move_everything (stress mode): every movable object to a fresh page --------------- */

typedef struct gather_ctx {
  page_t **pages;
  size_t count, cap;
} gather_ctx_t;

static void gather(page_t *pg, cache_t *owner, void *arg) {
  (void)owner;
  gather_ctx_t *g = arg;
  if (pg->kind != PAGE_SMALL || g->count == g->cap) return;
  page_collect_remote(pg);
  if (page_has_free(pg)) cache_unfull_page(pg);
  g->pages[g->count++] = pg;
}

static void move_page_to_fresh(run_t *r, page_t *sp, page_t **fresh) {
  for (uint32_t s = 0; s < sp->bump && sp->used > 0; s++) {
    uint32_t id = slot_live_id(sp, s);
    if (!id || object_pinned(r, sp, s, id)) continue;
    if (r->cx->moved_bytes + sp->block_size > r->cx->budget) break;
    page_t *f = fresh[sp->size_class];
    if (!f || !page_has_free(f)) {
      f = pool_alloc_span(1);
      if (!f) return; /* out of address space: leave the rest in place */
      page_init_small(f, sp->size_class);
      f->where = WHERE_ABANDONED; /* ownerless: the next thread needing one adopts it */
      page_list_push_front(cache_abandoned_list(sp->size_class), f);
      fresh[sp->size_class] = f;
    }
    move_object(sp, s, id, f);
    r->cx->moved_bytes += sp->block_size;
    r->cx->moved_objects++;
  }
  if (sp->used == 0 && sp->where != WHERE_CURRENT) release_page(r, sp);
  else cache_unfull_page(sp);
}

static void move_everything(run_t *r) {
  gather_ctx_t g = {r->s->all, 0, r->s->npages};
  cache_for_each_page(gather, &g); /* before any fresh page joins the lists */
  page_t *fresh[ALASKA_NUM_CLASSES] = {0};
  for (size_t i = 0; i < g.count; i++) move_page_to_fresh(r, g.pages[i], fresh);
}

size_t alaska_heap_compact_stopped(alaska_compaction_t *cx,
                                   int (*is_pinned)(uint32_t id, void *ctx), void *ctx) {
  scratch_t *s = cx->scratch;
  if (!s) return 0; /* prepare could not map its scratch memory */
  RT_ENTER();
  pthread_mutex_lock(&alaska_heap_lock);
  pool_defer_purge(1); /* the purge is finish's job, after the pause */
  run_t r = {cx, s, is_pinned, ctx};
  cx->ran = 1;
  if (cx->move_everything) {
    move_everything(&r);
    size_t left = cx->budget - cx->moved_bytes;
    cx->moved_bytes += large_move_all(left, is_pinned, ctx);
  } else {
    for (unsigned c = 0; c < ALASKA_NUM_CLASSES; c++)
      if (s->cls[c].nsrc) run_class(&r, c);
  }
  pool_defer_purge(0);
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
  return cx->pages_emptied << ALASKA_PAGE_SHIFT;
}

size_t alaska_heap_compact_finish(alaska_compaction_t *cx) {
  size_t released = cx->ran ? pool_release_dirty() : 0; /* nothing emptied, nothing to do */
  scratch_put(cx->scratch);
  cx->scratch = NULL;
  return released << ALASKA_PAGE_SHIFT;
}

size_t alaska_heap_compact(size_t budget_bytes, int (*is_pinned)(uint32_t id, void *ctx),
                           void *ctx, int move_everything) {
  alaska_compaction_t cx;
  alaska_heap_compact_prepare(&cx, budget_bytes, 0, move_everything);
  alaska_heap_compact_stopped(&cx, is_pinned, ctx);
  return alaska_heap_compact_finish(&cx);
}
