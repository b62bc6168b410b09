/*
 * slotmap.c — slot->id maps.
 *
 * Each small page points at a map of exactly the size its class needs (4 bytes per slot,
 * rounded up to a power of two >= 64 B), carved from 1 MiB mmap'd chunks and recycled
 * through per-size free lists. Dense maps keep the map writes of halloc on few cache lines
 * and OS pages (a fixed 16 KiB-per-page layout put every map on its own OS page). A page
 * keeps its map while free and reuses it when its next class fits; purging a free page
 * gives its map back to the free lists (and the OS pages of maps >= 4 KiB to the OS).
 * Callers hold alaska_heap_lock.
 */
#include <string.h>

#include "heap/internal.h"
#include "os/os.h"

static uint32_t *ids_free[IDS_BINS];
static char *ids_chunk, *ids_chunk_end;
#define IDS_CHUNK_BYTES (1u << 20)
/* Every chunk mapped so far (never unmapped), for slotmap_resident_bytes: a directory of
 * os_reserve'd memory that doubles when full. */
static char **ids_chunks;
static size_t ids_nchunks, ids_chunks_cap;

static void ids_record_chunk(char *chunk) {
  if (ids_nchunks == ids_chunks_cap) {
    size_t cap = ids_chunks_cap ? 2 * ids_chunks_cap : 512;
    char **d = os_reserve(cap * sizeof *d);
    if (!d) alaska_fatal("out of memory for slot maps");
    if (ids_nchunks) {
      memcpy(d, ids_chunks, ids_nchunks * sizeof *d);
      os_unmap(ids_chunks, ids_chunks_cap * sizeof *d);
    }
    ids_chunks = d;
    ids_chunks_cap = cap;
  }
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

uint32_t *ids_alloc(unsigned bin) {
  uint32_t *m = ids_free[bin];
  if (m) {
    ids_free[bin] = *(uint32_t **)m;
    return m;
  }
  size_t bytes = (size_t)1 << (IDS_MIN_SHIFT + bin);
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

