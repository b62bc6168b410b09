/*
 * slotmap.c — slot->id maps.
 *
 * Each small page points at a map of exactly the size its class needs (4 bytes per slot,
 * rounded up to a power of two >= 64 B), carved from 1 MiB mmap'd chunks and recycled
 * through per-size free lists. Dense maps keep the map writes of halloc on few cache lines
 * and OS pages (a fixed 16 KiB-per-page layout put every map on its own OS page). A page
 * keeps its map while free and reuses it when its next class fits; purging a free page
 * gives its map back to the free lists (and the OS pages of maps >= 4 KiB to the OS).
 * Smaller free maps share OS pages with maps in use, so freeing one returns nothing; after
 * a peak they pile up (Redis after a DEBUG POPULATE: most of 12.7 MiB). ids_trim gives back
 * every chunk page that holds no map in use, once enough small maps are free, and keeps the
 * free maps that lay there on stacks outside them (a free-list link would commit the page
 * again). Callers hold alaska_heap_lock.
 */
#include <string.h>

#include "heap/internal.h"
#include "os/os.h"

static uint32_t *ids_free[IDS_BINS];     /* free maps, resident, linked through their first word */
static uint64_t ids_free_small;           /* bytes of maps < IDS_RELEASE_MIN on those lists */
/* Free maps whose OS pages ids_trim gave back: untouched until handed out again. */
typedef struct map_stack {
  uint32_t **maps;
  size_t n, cap;
} map_stack_t;
static map_stack_t ids_released[IDS_BINS];
#define TRIM_MIN_FREE (1u << 20) /* free small-map bytes that make a trim worth a scan */
static char *ids_chunk, *ids_chunk_end;
#define IDS_CHUNK_BYTES (1u << 20)
/* Every chunk mapped so far (never unmapped), for slotmap_resident_bytes: a directory of
 * os_reserve'd memory that doubles when full. */
static char **ids_chunks;
static size_t ids_nchunks, ids_chunks_cap;

/* Make room for one more pointer in an os_reserve'd array of n of capacity *cap (doubling). */
static void *grow_pointers(void *array, size_t n, size_t *cap) {
  if (n < *cap) return array;
  size_t next = *cap ? 2 * *cap : 512;
  void *d = os_reserve(next * sizeof(void *));
  if (!d) alaska_fatal("out of memory for slot maps");
  if (n) {
    memcpy(d, array, n * sizeof(void *));
    os_unmap(array, *cap * sizeof(void *));
  }
  *cap = next;
  return d;
}

static void ids_record_chunk(char *chunk) {
  ids_chunks = grow_pointers(ids_chunks, ids_nchunks, &ids_chunks_cap);
  ids_chunks[ids_nchunks++] = chunk;
}

/* Maps in use and on the free lists alike (a free map < 4 KiB stays resident), plus what is
 * left of the current chunk once touched; not the chunks' read-only-used slack. */
uint64_t ids_resident_bytes(void) {
  uint64_t r = 0;
  for (size_t i = 0; i < ids_nchunks; i++) r += os_resident_bytes(ids_chunks[i], IDS_CHUNK_BYTES);
  return r;
}

unsigned ids_bin(uint32_t bytes) {
  unsigned b = 0;
  while ((1u << (IDS_MIN_SHIFT + b)) < bytes) b++;
  return b;
}

static void stack_push(map_stack_t *st, uint32_t *m) {
  st->maps = grow_pointers(st->maps, st->n, &st->cap);
  st->maps[st->n++] = m;
}

uint32_t *ids_alloc(unsigned bin) {
  size_t bytes = (size_t)1 << (IDS_MIN_SHIFT + bin);
  uint32_t *m = ids_free[bin];
  if (m) {
    ids_free[bin] = *(uint32_t **)m;
    if (bytes < IDS_RELEASE_MIN) ids_free_small -= bytes;
    return m;
  }
  if (ids_released[bin].n) return ids_released[bin].maps[--ids_released[bin].n];
  size_t align = bytes < IDS_ALIGN_MAX ? bytes : IDS_ALIGN_MAX;
  ids_chunk = (char *)(((uintptr_t)ids_chunk + align - 1) & ~(uintptr_t)(align - 1));
  if (!ids_chunk || (size_t)(ids_chunk_end - ids_chunk) < bytes) {
    /* A largest map's worth of slack after the chunk: the compaction planner reads maps
     * racily (compact.c) and may pair a page's new, smaller map with its old class's
     * length; the read then stays inside this mapping. */
    ids_chunk = os_reserve(IDS_CHUNK_BYTES + IDS_MAX_BYTES);
    if (!ids_chunk) alaska_fatal("out of memory for slot maps");
    ids_record_chunk(ids_chunk);
    ids_chunk_end = ids_chunk + IDS_CHUNK_BYTES;
  }
  m = (uint32_t *)ids_chunk;
  ids_chunk += bytes;
  return m;
}

/* os_released: the caller already gave a map of >= IDS_RELEASE_MIN bytes back to the OS. */
static void ids_put(uint32_t *m, uint32_t bytes, int os_released) {
  if (bytes >= IDS_RELEASE_MIN && !os_released) os_release(m, bytes);
  unsigned bin = ids_bin(bytes);
  *(uint32_t **)m = ids_free[bin];
  ids_free[bin] = m;
  if (bytes < IDS_RELEASE_MIN) ids_free_small += bytes;
}

/* ---- trim -------------------------------------------------------------------------------- */

#define CHUNK_OS_PAGES (IDS_CHUNK_BYTES / ALASKA_OS_PAGE_SIZE)
#define CHUNK_WORDS (CHUNK_OS_PAGES / 64)

/* Scratch of one trim: chunk bases sorted by address, and per chunk a bitmap of its OS pages
 * that hold a map in use. */
typedef struct trim_scratch {
  size_t n;
  char **base;        /* sorted */
  uint64_t (*used)[CHUNK_WORDS];
} trim_scratch_t;

static void sort_bases(char **b, size_t n) { /* insertion sort: chunks are few and mostly ascending */
  for (size_t i = 1; i < n; i++) {
    char *x = b[i];
    size_t j = i;
    while (j > 0 && b[j - 1] > x) {
      b[j] = b[j - 1];
      j--;
    }
    b[j] = x;
  }
}

/* The chunk holding p, or -1 (binary search). */
static long chunk_of(const trim_scratch_t *t, const void *p) {
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if ((const char *)p < t->base[mid]) hi = mid;
    else lo = mid + 1;
  }
  if (lo == 0) return -1;
  const char *b = t->base[lo - 1];
  return (const char *)p < b + IDS_CHUNK_BYTES ? (long)(lo - 1) : -1;
}

static int page_in_use(const trim_scratch_t *t, const void *p) {
  long c = chunk_of(t, p);
  if (c < 0) return 1; /* not ours to judge: keep it */
  size_t pg = (size_t)((const char *)p - t->base[c]) / ALASKA_OS_PAGE_SIZE;
  return (int)(t->used[c][pg / 64] >> (pg % 64)) & 1;
}

static void mark_in_use(trim_scratch_t *t, const void *p, uint32_t bytes) {
  long c = chunk_of(t, p);
  if (c < 0) return;
  size_t first = (size_t)((const char *)p - t->base[c]) / ALASKA_OS_PAGE_SIZE;
  size_t last = (size_t)((const char *)p + bytes - 1 - t->base[c]) / ALASKA_OS_PAGE_SIZE;
  for (size_t pg = first; pg <= last && pg < CHUNK_OS_PAGES; pg++) t->used[c][pg / 64] |= 1ull << (pg % 64);
}

size_t ids_trim(size_t npages) {
  if (ids_free_small < TRIM_MIN_FREE || ids_nchunks == 0) return 0;
  trim_scratch_t t = {ids_nchunks, NULL, NULL};
  size_t bytes = ids_nchunks * (sizeof(char *) + sizeof *t.used);
  void *mem = os_reserve(bytes);
  if (!mem) return 0; /* only an optimisation */
  t.used = mem;
  t.base = (char **)((char *)mem + ids_nchunks * sizeof *t.used);
  memcpy(t.base, ids_chunks, ids_nchunks * sizeof(char *));
  sort_bases(t.base, t.n);
  /* 1. Every map in use (attached to a page descriptor, free pages' included). */
  for (size_t i = 0; i < npages; i++) {
    const page_t *pg = &HEAP_PAGES[i];
    if (pg->ids && pg->ids_bytes) mark_in_use(&t, pg->ids, pg->ids_bytes);
  }
  /* The current chunk's uncarved rest was never touched; keep it out of the release. */
  if (ids_chunk && ids_chunk < ids_chunk_end)
    mark_in_use(&t, ids_chunk, (uint32_t)(ids_chunk_end - ids_chunk));
  /* 2. Free maps on pages about to be released leave the lists for the stacks. */
  for (unsigned b = 0; b < IDS_BINS; b++) {
    uint32_t bytes_b = 1u << (IDS_MIN_SHIFT + b);
    uint32_t **link = &ids_free[b];
    while (*link) {
      uint32_t *m = *link;
      uint32_t *next = *(uint32_t **)m;
      if (page_in_use(&t, m)) {
        link = (uint32_t **)m;
        continue;
      }
      *link = next;
      if (bytes_b < IDS_RELEASE_MIN) ids_free_small -= bytes_b;
      stack_push(&ids_released[b], m);
    }
  }
  /* 3. Give back the pages that hold no map in use, in runs. */
  size_t released = 0;
  for (size_t c = 0; c < t.n; c++) {
    size_t run = 0;
    for (size_t pg = 0; pg <= CHUNK_OS_PAGES; pg++) {
      int keep = pg == CHUNK_OS_PAGES || ((t.used[c][pg / 64] >> (pg % 64)) & 1);
      if (!keep) {
        run++;
        continue;
      }
      if (run) {
        os_release(t.base[c] + (pg - run) * ALASKA_OS_PAGE_SIZE, run * ALASKA_OS_PAGE_SIZE);
        released += run;
      }
      run = 0;
    }
  }
  os_unmap(mem, bytes);
  return released * ALASKA_OS_PAGE_SIZE;
}

void ids_map_release(page_t *pg) {
  if (pg->ids_bytes == 0) return;
  ids_put(pg->ids, pg->ids_bytes, 0);
  pg->ids = NULL;
  pg->ids_bytes = 0;
}

void ids_map_release_released(page_t *pg) {
  if (pg->ids_bytes == 0) return;
  ids_put(pg->ids, pg->ids_bytes, 1);
  pg->ids = NULL;
  pg->ids_bytes = 0;
}

