/*
 * examples/lru/lru.c — a Redis-like LRU key-value cache and the Mesh/Alaska fragmentation
 * workload (issue 6). Plain C, one process: build it with alaska-clang for Alaska, or with
 * clang-19 and glibc / -ljemalloc / -lmimalloc to compare allocators.
 *
 * What it models, and why: the fragmentation a cache suffers depends on *how it allocates*,
 * so the server half of this program allocates and frees exactly the objects Redis 7.0
 * allocates and frees when it serves `SET key value` / `GET key` with `maxmemory 100mb` and
 * `maxmemory-policy allkeys-lru` (names below are Redis's own functions and structs):
 *
 *   networking.c  one client; a 16 KiB query buffer (sds) and a 16 KiB reply buffer, both
 *                 allocated once. Each command arrives as RESP bytes in the query buffer;
 *                 processMultibulkBuffer allocates an argv array and one string object per
 *                 argument (createStringObject: an *embstr* — robj and sds in one allocation —
 *                 for <= 44 bytes, else a *raw* string: an sds, then a 16-byte robj pointing
 *                 to it). After the command, freeClientArgv drops every argument and frees the
 *                 argv array.
 *   t_string.c    SET: tryObjectEncoding (values here are not integers and > 44 bytes, so the
 *                 argument robj itself becomes the stored value, refcount 2), setKey -> dbAdd:
 *                 the key's sds is duplicated (sdsdup) and a 24-byte dictEntry is added.
 *                 GET: lookupKeyRead updates the value's 24-bit LRU clock; the reply is copied
 *                 into the reply buffer (no allocation).
 *   dict.c        chained hash table with power-of-two tables, expanded when used >= size
 *                 (if that would not exceed maxmemory, or unconditionally above a load factor
 *                 of 1.618, Redis 7's dictExpandAllowed), rehashed incrementally: one bucket
 *                 per lookup/insert/delete, plus serverCron's active rehashing.
 *   evict.c       before every command (processCommand -> performEvictions), while used
 *                 memory > maxmemory: evictionPoolPopulate samples maxmemory-samples (5) keys
 *                 with dictGetSomeKeys into a 16-entry pool sorted by idle time (key names
 *                 copied into the pool's cached sds), the entry with the largest idle time that
 *                 still exists is deleted (a temporary key object is created for the deletion,
 *                 as Redis does for propagation). Idle time = LRU clock - object's LRU field,
 *                 Redis's resolution of 1 s.
 *   zmalloc.c     every server allocation goes through zmalloc/zfree, which keep used_memory.
 *                 What counts (--used-memory):
 *                   requested (default): the bytes asked for. Every allocator then holds the
 *                     *same* keys (the run is deterministic, see the clock below), so RSS
 *                     differences are the allocators' alone. Counting usable sizes instead
 *                     lets an allocator with coarser size classes hold less data under the
 *                     same cap (Alaska 720 usable bytes per 492-byte item vs glibc 688).
 *                   usable: malloc_usable_size of every block, as Redis's zmalloc does with
 *                     HAVE_MALLOC_SIZE (glibc, jemalloc, mimalloc; under Alaska the pass
 *                     turns the call into alaska_usable_size). The held key set then differs
 *                     slightly between allocators.
 *                 Either way it includes everything the server allocates (dict tables,
 *                 buffers, temporaries), like Redis's used_memory. maxmemory = --cap-mb MiB
 *                 (Redis's "100mb" is 100 * 2^20 bytes).
 *
 * The clock: Redis's LRU clock and serverCron run on wall time. Here the server's time is
 * *logical*: it advances by 1 / --ops-per-sec seconds per command (default 10,000/s, our
 * estimate of what the Alaska artifact's Python client — one SET per round trip, random
 * 128-character keys and values generated per call — achieves against a real Redis). So the
 * LRU clock (1 s resolution) ticks every 10,000 commands and serverCron (hz 10) runs every
 * 1,000, identically for every allocator and however fast the machine is (1,000/s and
 * 100,000/s change glibc's RSS by < 0.1 %). Random numbers (sampling) come from a seeded
 * generator.
 *
 * Not modelled (no or negligible effect on this workload's allocations): expires, the
 * keyspace-event and propagation machinery beyond the temporary key object (no replica, no
 * AOF), lazy freeing (off by default), dict shrinking (the dict never gets below 10 % full
 * here), the eviction time limit, clientsCron's reply-buffer resizing (one 16 KiB buffer) and
 * the artifact's once-a-second INFO connection.
 *
 * The client (harness) owns no heap memory: it writes RESP commands into the query buffer
 * (what read(2) would do), reads replies out of the reply buffer (what write(2) would do), and
 * keeps its own bookkeeping in mmap'd arrays, identical for every allocator.
 *
 * Workload (defaults = the published one, keys as in the Alaska artifact's script):
 *   1. SET n1 = 700,000 keys with values of 240 bytes;
 *   2. SET n2 = 170,000 more keys with values of 492 bytes — evicts most of wave 1;
 *   3. for --seconds, GET random keys that were held at the end of the fill, checking every
 *      reply byte;
 *   4. verify every key ever set: a key the server evicted must be absent, every other one
 *      present with the right value (GET through the same protocol path).
 * Keys are "key:<id>:" padded to --key-len (128) characters with letters derived from the id;
 * values are printable bytes derived from (id, wave), so verification needs no copy.
 * RSS (/proc/self/statm) is sampled every --sample-ms during all phases and written, with the
 * counted bytes, to --trace FILE as CSV: t_s,phase,rss_mb,counted_mb,items.
 *
 * --heapmap-signal N (Alaska runs with ALASKA_HEAPMAP=FILE ALASKA_HEAPMAP_SIGNAL=N, docs/env.md):
 * raise signal N at the end of the fill and again at the end of the GETs (before the
 * verification and shutdown free everything), each time waiting until the runtime has written
 * FILE.1 / FILE.2: heap maps of the fragmented and of the settled heap (bench/run-lru.sh
 * --heapmaps).
 *
 * Output: one summary line on stdout starting with `lru:`; exit status 0 only if every
 * verification passed, 1 if one failed, 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "lru: %s\n", what);
  exit(2);
}

/* ================================================================ zmalloc ============== */
static size_t used_memory;      /* what maxmemory is compared with (--used-memory) */
static size_t used_requested;   /* always kept: bytes requested, for the report */
static int count_usable;        /* 1: used_memory counts malloc_usable_size */

static void *zmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory");
  used_requested += n;
  used_memory += count_usable ? malloc_usable_size(p) : n;
  return p;
}

static void *zcalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) die("out of memory");
  used_requested += n;
  used_memory += count_usable ? malloc_usable_size(p) : n;
  return p;
}

/* Every free names the size that was requested (Redis without malloc_size would keep it in
 * a prefix header, which would change the allocation sizes). */
static void zfree(void *p, size_t n) {
  if (!p) return;
  used_requested -= n;
  used_memory -= count_usable ? malloc_usable_size(p) : n;
  free(p);
}

/* ================================================================ sds ================== */
/* Redis's simple dynamic strings: a packed header (length, capacity, type) in front of the
 * bytes; an sds is a pointer to the bytes (an interior pointer of the allocation). */
typedef char *sds;
#define SDS_TYPE_5 0
#define SDS_TYPE_8 1
#define SDS_TYPE_16 2
#define SDS_TYPE_32 3
#define SDS_TYPE_MASK 7
struct __attribute__((packed)) sdshdr8 { uint8_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((packed)) sdshdr16 { uint16_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((packed)) sdshdr32 { uint32_t len, alloc; unsigned char flags; char buf[]; };

static size_t sds_hdr_size(int type) {
  switch (type) {
  case SDS_TYPE_5: return 1;
  case SDS_TYPE_8: return sizeof(struct sdshdr8);
  case SDS_TYPE_16: return sizeof(struct sdshdr16);
  default: return sizeof(struct sdshdr32);
  }
}

static int sds_req_type(size_t len) {
  if (len < 32) return SDS_TYPE_5;
  if (len < 256) return SDS_TYPE_8;
  if (len < 65536) return SDS_TYPE_16;
  return SDS_TYPE_32;
}

static size_t sdslen(const sds s) {
  unsigned char flags = (unsigned char)s[-1];
  switch (flags & SDS_TYPE_MASK) {
  case SDS_TYPE_5: return flags >> 3;
  case SDS_TYPE_8: return ((struct sdshdr8 *)(s - sizeof(struct sdshdr8)))->len;
  case SDS_TYPE_16: return ((struct sdshdr16 *)(s - sizeof(struct sdshdr16)))->len;
  default: return ((struct sdshdr32 *)(s - sizeof(struct sdshdr32)))->len;
  }
}

static size_t sdsalloc(const sds s) {
  unsigned char flags = (unsigned char)s[-1];
  switch (flags & SDS_TYPE_MASK) {
  case SDS_TYPE_5: return flags >> 3;
  case SDS_TYPE_8: return ((struct sdshdr8 *)(s - sizeof(struct sdshdr8)))->alloc;
  case SDS_TYPE_16: return ((struct sdshdr16 *)(s - sizeof(struct sdshdr16)))->alloc;
  default: return ((struct sdshdr32 *)(s - sizeof(struct sdshdr32)))->alloc;
  }
}

static void sds_set_len(sds s, size_t len) {
  switch ((unsigned char)s[-1] & SDS_TYPE_MASK) {
  case SDS_TYPE_5: s[-1] = (char)(SDS_TYPE_5 | (len << 3)); break;
  case SDS_TYPE_8: ((struct sdshdr8 *)(s - sizeof(struct sdshdr8)))->len = (uint8_t)len; break;
  case SDS_TYPE_16: ((struct sdshdr16 *)(s - sizeof(struct sdshdr16)))->len = (uint16_t)len; break;
  default: ((struct sdshdr32 *)(s - sizeof(struct sdshdr32)))->len = (uint32_t)len; break;
  }
}

/* sdsnewlen: an empty string gets type 8 (it will probably grow), as in Redis. Redis records
 * the allocator's usable size as the capacity; here the capacity is always the request, so
 * that zfree knows the requested size. The difference only matters to sdsMakeRoomFor (never
 * called on stored strings here) and to the trim in tryObjectEncoding, which this workload's
 * values do not trigger either way (<= 12 spare bytes against a 10 % threshold). */
static sds sdsnewlen(const void *init, size_t len) {
  int type = sds_req_type(len);
  if (type == SDS_TYPE_5 && len == 0) type = SDS_TYPE_8;
  size_t hdr = sds_hdr_size(type);
  unsigned char *sh = zmalloc(hdr + len + 1);
  size_t cap = len;
  sds s = (sds)sh + hdr;
  switch (type) {
  case SDS_TYPE_5: s[-1] = (char)(SDS_TYPE_5 | (len << 3)); break;
  case SDS_TYPE_8: {
    struct sdshdr8 *h = (struct sdshdr8 *)sh;
    h->len = (uint8_t)len, h->alloc = (uint8_t)cap, h->flags = SDS_TYPE_8;
    break;
  }
  case SDS_TYPE_16: {
    struct sdshdr16 *h = (struct sdshdr16 *)sh;
    h->len = (uint16_t)len, h->alloc = (uint16_t)cap, h->flags = SDS_TYPE_16;
    break;
  }
  default: {
    struct sdshdr32 *h = (struct sdshdr32 *)sh;
    h->len = (uint32_t)len, h->alloc = (uint32_t)cap, h->flags = SDS_TYPE_32;
    break;
  }
  }
  if (init && len) memcpy(s, init, len);
  else if (len) memset(s, 0, len);
  s[len] = 0;
  return s;
}

/* The size that was requested for s (for zfree): header + capacity + NUL. */
static size_t sds_alloc_size(const sds s) {
  int type = (unsigned char)s[-1] & SDS_TYPE_MASK;
  return sds_hdr_size(type) + sdsalloc(s) + 1;
}

static void sdsfree(sds s) {
  if (!s) return;
  int type = (unsigned char)s[-1] & SDS_TYPE_MASK;
  zfree(s - sds_hdr_size(type), sds_alloc_size(s));
}

static sds sdsdup(const sds s) { return sdsnewlen(s, sdslen(s)); }

/* ================================================================ objects =============== */
#define OBJ_STRING 0
#define OBJ_ENCODING_RAW 0
#define OBJ_ENCODING_EMBSTR 8
#define OBJ_ENCODING_EMBSTR_SIZE_LIMIT 44
#define LRU_BITS 24
#define LRU_CLOCK_MAX ((1u << LRU_BITS) - 1)
#define LRU_CLOCK_RESOLUTION 1000 /* ms */

typedef struct robj {
  unsigned type : 4;
  unsigned encoding : 4;
  unsigned lru : LRU_BITS; /* LRU clock (s) of the last access */
  int refcount;
  void *ptr;
} robj; /* 16 bytes, as in Redis */

static uint32_t server_lruclock; /* updated by serverCron, like server.lruclock */

static robj *createObject(int type, void *ptr) {
  robj *o = zmalloc(sizeof *o);
  o->type = (unsigned)type;
  o->encoding = OBJ_ENCODING_RAW;
  o->ptr = ptr;
  o->refcount = 1;
  o->lru = server_lruclock;
  return o;
}

/* robj header and an sdshdr8 string in one allocation. */
static robj *createEmbeddedStringObject(const char *ptr, size_t len) {
  size_t n = sizeof(robj) + sizeof(struct sdshdr8) + len + 1;
  robj *o = zmalloc(n);
  struct sdshdr8 *sh = (struct sdshdr8 *)(o + 1);
  o->type = OBJ_STRING;
  o->encoding = OBJ_ENCODING_EMBSTR;
  o->ptr = sh + 1;
  o->refcount = 1;
  o->lru = server_lruclock;
  sh->len = (uint8_t)len;
  sh->alloc = (uint8_t)len;
  sh->flags = SDS_TYPE_8;
  if (ptr) memcpy(sh->buf, ptr, len);
  sh->buf[len] = 0;
  return o;
}

static robj *createStringObject(const char *ptr, size_t len) {
  if (len <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT) return createEmbeddedStringObject(ptr, len);
  return createObject(OBJ_STRING, sdsnewlen(ptr, len)); /* the sds first, then the robj */
}

static void decrRefCount(robj *o) {
  if (o->refcount == 1) {
    if (o->encoding == OBJ_ENCODING_RAW) {
      sdsfree(o->ptr);
      zfree(o, sizeof *o);
    } else {
      zfree(o, sizeof(robj) + sizeof(struct sdshdr8) + sdslen(o->ptr) + 1);
    }
  } else {
    o->refcount--;
  }
}

/* tryObjectEncoding for strings that are not integers: short raw strings become embstr;
 * a raw string with more than 10 % spare capacity is trimmed (never the case here, but it
 * is what Redis does with the value before storing it). */
static robj *tryObjectEncoding(robj *o) {
  size_t len = sdslen(o->ptr);
  if (o->encoding == OBJ_ENCODING_RAW && o->refcount == 1 && len <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT) {
    robj *emb = createEmbeddedStringObject(o->ptr, len);
    decrRefCount(o);
    return emb;
  }
  if (o->encoding == OBJ_ENCODING_RAW && sdsalloc(o->ptr) - len > len / 10) {
    sds old = o->ptr;
    o->ptr = sdsnewlen(old, len); /* sdsRemoveFreeSpace: a realloc to the exact size */
    sdsfree(old);
  }
  return o;
}

/* ================================================================ dict ================= */
typedef struct dictEntry {
  void *key;              /* sds */
  void *val;              /* robj */
  struct dictEntry *next; /* chain */
} dictEntry;              /* 24 bytes, as in Redis 7.0 */

typedef struct dict {
  dictEntry **table[2];
  unsigned long used[2];
  int8_t exp[2];   /* log2 of the table sizes, -1 = no table */
  long rehashidx;  /* -1 = not rehashing */
} dict;

#define DICT_SIZE(e) ((e) == -1 ? 0UL : 1UL << (e))
#define DICT_MASK(e) ((e) == -1 ? 0UL : DICT_SIZE(e) - 1)
#define DICT_INITIAL_EXP 2
#define HASHTABLE_MAX_LOAD_FACTOR 1.618

static uint64_t rng_state = 1;
static uint64_t rand64(void) { /* xorshift64*; Redis uses a Mersenne twister here */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

/* A 64-bit hash of the key bytes (Redis uses SipHash; any well-mixing hash gives the same
 * bucket occupancy). */
static uint64_t dict_hash(const char *s, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  h ^= h >> 32;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 29);
}

static int dict_is_rehashing(const dict *d) { return d->rehashidx != -1; }

static void dict_free_entry(dictEntry *de) {
  sdsfree(de->key);
  decrRefCount(de->val);
  zfree(de, sizeof *de);
}

/* Move up to n non-empty buckets of table 0 to table 1, visiting at most 10n empty ones. */
static int dictRehash(dict *d, int n) {
  int empty_visits = n * 10;
  if (!dict_is_rehashing(d)) return 0;
  while (n-- && d->used[0] != 0) {
    while (d->table[0][d->rehashidx] == NULL) {
      d->rehashidx++;
      if (--empty_visits == 0) return 1;
    }
    dictEntry *de = d->table[0][d->rehashidx];
    while (de) {
      dictEntry *next = de->next;
      uint64_t h = dict_hash(de->key, sdslen(de->key)) & DICT_MASK(d->exp[1]);
      de->next = d->table[1][h];
      d->table[1][h] = de;
      d->used[0]--;
      d->used[1]++;
      de = next;
    }
    d->table[0][d->rehashidx] = NULL;
    d->rehashidx++;
  }
  if (d->used[0] == 0) {
    zfree(d->table[0], DICT_SIZE(d->exp[0]) * sizeof(dictEntry *));
    d->table[0] = d->table[1];
    d->used[0] = d->used[1];
    d->exp[0] = d->exp[1];
    d->table[1] = NULL;
    d->used[1] = 0;
    d->exp[1] = -1;
    d->rehashidx = -1;
    return 0;
  }
  return 1;
}

static void dict_rehash_step(dict *d) {
  if (dict_is_rehashing(d)) dictRehash(d, 1);
}

static void dict_expand(dict *d, unsigned long size) {
  int8_t e = DICT_INITIAL_EXP;
  while (DICT_SIZE(e) < size) e++;
  dictEntry **t = zcalloc(DICT_SIZE(e) * sizeof(dictEntry *));
  if (d->exp[0] == -1) {
    d->table[0] = t;
    d->exp[0] = e;
    return;
  }
  d->table[1] = t;
  d->exp[1] = e;
  d->used[1] = 0;
  d->rehashidx = 0;
}

static size_t maxmemory;

/* dictExpandAllowed (server.c): below the maximal load factor, only if the new table does not
 * push used memory over maxmemory. */
static int dict_expand_allowed(size_t more, double ratio) {
  if (ratio <= HASHTABLE_MAX_LOAD_FACTOR) return !(maxmemory && used_memory + more > maxmemory);
  return 1;
}

static void dict_expand_if_needed(dict *d) {
  if (dict_is_rehashing(d)) return;
  if (d->exp[0] == -1) {
    dict_expand(d, DICT_SIZE(DICT_INITIAL_EXP));
    return;
  }
  unsigned long size = DICT_SIZE(d->exp[0]), next = size;
  while (next < d->used[0] + 1) next *= 2;
  if (d->used[0] >= size &&
      dict_expand_allowed(next * sizeof(dictEntry *), (double)d->used[0] / (double)size))
    dict_expand(d, d->used[0] + 1);
}

static dictEntry *dictFind(dict *d, const sds key) {
  if (d->used[0] + d->used[1] == 0) return NULL;
  dict_rehash_step(d);
  size_t len = sdslen(key);
  uint64_t h = dict_hash(key, len);
  for (int t = 0; t <= 1; t++) {
    if (d->exp[t] == -1) break;
    for (dictEntry *de = d->table[t][h & DICT_MASK(d->exp[t])]; de; de = de->next)
      if (sdslen(de->key) == len && memcmp(de->key, key, len) == 0) return de;
    if (!dict_is_rehashing(d)) break;
  }
  return NULL;
}

/* The caller has checked that the key is absent (dbAdd after lookupKeyWrite). */
static void dictAdd(dict *d, sds key, robj *val) {
  dict_rehash_step(d);
  dict_expand_if_needed(d);
  int t = dict_is_rehashing(d) ? 1 : 0;
  uint64_t h = dict_hash(key, sdslen(key)) & DICT_MASK(d->exp[t]);
  dictEntry *de = zmalloc(sizeof *de);
  de->key = key;
  de->val = val;
  de->next = d->table[t][h];
  d->table[t][h] = de;
  d->used[t]++;
}

static int dictDelete(dict *d, const sds key) {
  if (d->used[0] + d->used[1] == 0) return 0;
  dict_rehash_step(d);
  size_t len = sdslen(key);
  uint64_t h = dict_hash(key, len);
  for (int t = 0; t <= 1; t++) {
    if (d->exp[t] == -1) break;
    dictEntry **pp = &d->table[t][h & DICT_MASK(d->exp[t])];
    for (dictEntry *de = *pp; de; pp = &de->next, de = de->next) {
      if (sdslen(de->key) == len && memcmp(de->key, key, len) == 0) {
        *pp = de->next;
        d->used[t]--;
        dict_free_entry(de);
        return 1;
      }
    }
    if (!dict_is_rehashing(d)) break;
  }
  return 0;
}

static unsigned long dictSize(const dict *d) { return d->used[0] + d->used[1]; }

/* dictGetSomeKeys: from a random bucket on, collect whole chains until `count` entries, with
 * a bounded number of steps; a run of empty buckets longer than max(count, 5) jumps to a new
 * random place. Not uniform — neither is Redis's; the eviction pool compensates. */
static unsigned dictGetSomeKeys(dict *d, dictEntry **des, unsigned count) {
  if (dictSize(d) < count) count = (unsigned)dictSize(d);
  unsigned long maxsteps = (unsigned long)count * 10, stored = 0;
  for (unsigned j = 0; j < count && dict_is_rehashing(d); j++) dictRehash(d, 1);
  int tables = dict_is_rehashing(d) ? 2 : 1;
  unsigned long mask = DICT_MASK(d->exp[0]);
  if (tables > 1 && DICT_MASK(d->exp[1]) > mask) mask = DICT_MASK(d->exp[1]);
  unsigned long i = rand64() & mask, emptylen = 0;
  while (stored < count && maxsteps--) {
    for (int t = 0; t < tables; t++) {
      /* buckets of table 0 below rehashidx are empty */
      if (tables == 2 && t == 0 && i < (unsigned long)d->rehashidx) {
        if (i >= DICT_SIZE(d->exp[1])) i = (unsigned long)d->rehashidx;
        else continue;
      }
      if (i >= DICT_SIZE(d->exp[t])) continue;
      dictEntry *he = d->table[t][i];
      if (!he) {
        if (++emptylen >= 5 && emptylen > count) {
          i = rand64() & mask;
          emptylen = 0;
        }
        continue;
      }
      emptylen = 0;
      for (; he; he = he->next) {
        des[stored++] = he;
        if (stored == count) return (unsigned)stored;
      }
    }
    i = (i + 1) & mask;
  }
  return (unsigned)stored;
}

/* ================================================================ server =============== */
#define PROTO_IOBUF_LEN (16 * 1024)
#define PROTO_REPLY_CHUNK_BYTES (16 * 1024)
#define EVPOOL_SIZE 16
#define EVPOOL_CACHED_SDS_SIZE 255

typedef struct client {
  sds querybuf;
  size_t qb_pos;
  int argc, argv_len;
  robj **argv;
  char *buf; /* reply buffer */
  size_t bufpos;
} client;

struct evictionPoolEntry {
  unsigned long long idle;
  sds key;    /* NULL = empty entry; == cached when the name fits */
  sds cached; /* preallocated name buffer */
};

static struct {
  dict *db;
  struct evictionPoolEntry *pool;
  int maxmemory_samples;
  uint64_t model_ms;      /* the server's logical time */
  uint64_t ops, ops_per_sec;
  uint64_t next_cron_ms;
  uint64_t evicted_keys, hits, misses;
} server;

/* Harness hook: the client-side bookkeeping of which keys the server evicted (not part of
 * Redis; touches no heap memory). */
static void harness_on_evict(const sds key);

static uint32_t lru_clock(void) {
  return (uint32_t)((server.model_ms / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX);
}

static unsigned long long estimateObjectIdleTime(const robj *o) {
  unsigned long long now = server_lruclock;
  if (now >= o->lru) return (now - o->lru) * LRU_CLOCK_RESOLUTION;
  return (now + (LRU_CLOCK_MAX - o->lru)) * LRU_CLOCK_RESOLUTION;
}

/* serverCron at hz 10: refresh the LRU clock, rehash actively (Redis: 1 ms of
 * dictRehashMilliseconds; here a fixed 100 x 100 buckets so the run stays deterministic). */
static void serverCron(void) {
  server_lruclock = lru_clock();
  for (int i = 0; i < 100 && dict_is_rehashing(server.db); i++) dictRehash(server.db, 100);
}

static void advance_clock(void) {
  server.ops++;
  server.model_ms = server.ops * 1000 / server.ops_per_sec;
  while (server.model_ms >= server.next_cron_ms) {
    serverCron();
    server.next_cron_ms += 100;
  }
}

static void evictionPoolAlloc(void) {
  server.pool = zmalloc(sizeof(struct evictionPoolEntry) * EVPOOL_SIZE);
  for (int j = 0; j < EVPOOL_SIZE; j++) {
    server.pool[j].idle = 0;
    server.pool[j].key = NULL;
    server.pool[j].cached = sdsnewlen(NULL, EVPOOL_CACHED_SDS_SIZE);
  }
}

/* Sample keys and insert the ones that are idler than the pool's least idle entry, keeping
 * the pool sorted by ascending idle time. */
static void evictionPoolPopulate(void) {
  struct evictionPoolEntry *pool = server.pool;
  dictEntry *samples[64];
  unsigned count = dictGetSomeKeys(server.db, samples, (unsigned)server.maxmemory_samples);
  for (unsigned j = 0; j < count; j++) {
    sds key = samples[j]->key;
    unsigned long long idle = estimateObjectIdleTime(samples[j]->val);
    int k = 0;
    while (k < EVPOOL_SIZE && pool[k].key && pool[k].idle < idle) k++;
    if (k == 0 && pool[EVPOOL_SIZE - 1].key != NULL) continue; /* less idle than all, full */
    if (k < EVPOOL_SIZE && pool[k].key == NULL) {
      /* an empty slot at k */
    } else if (pool[EVPOOL_SIZE - 1].key == NULL) {
      /* room at the right: shift k.. right, keeping the cached buffer that falls off */
      sds cached = pool[EVPOOL_SIZE - 1].cached;
      memmove(pool + k + 1, pool + k, sizeof(pool[0]) * (EVPOOL_SIZE - k - 1));
      pool[k].cached = cached;
    } else {
      /* full: drop the least idle entry (index 0) and shift ..k-1 left */
      k--;
      sds cached = pool[0].cached;
      if (pool[0].key != pool[0].cached) sdsfree(pool[0].key);
      memmove(pool, pool + 1, sizeof(pool[0]) * k);
      pool[k].cached = cached;
    }
    size_t klen = sdslen(key);
    if (klen > EVPOOL_CACHED_SDS_SIZE) {
      pool[k].key = sdsdup(key);
    } else {
      memcpy(pool[k].cached, key, klen + 1);
      sds_set_len(pool[k].cached, klen);
      pool[k].key = pool[k].cached;
    }
    pool[k].idle = idle;
  }
}

/* performEvictions for allkeys-lru: evict the idlest pooled key that still exists until used
 * memory is back under maxmemory. */
static void performEvictions(void) {
  if (!maxmemory || used_memory <= maxmemory) return;
  size_t mem_tofree = used_memory - maxmemory, mem_freed = 0;
  while (mem_freed < mem_tofree) {
    sds bestkey = NULL;
    while (bestkey == NULL) {
      if (dictSize(server.db) == 0) return;
      evictionPoolPopulate();
      for (int k = EVPOOL_SIZE - 1; k >= 0; k--) {
        if (server.pool[k].key == NULL) continue;
        dictEntry *de = dictFind(server.db, server.pool[k].key);
        if (server.pool[k].key != server.pool[k].cached) sdsfree(server.pool[k].key);
        server.pool[k].key = NULL;
        server.pool[k].idle = 0;
        if (de) {
          bestkey = de->key;
          break;
        }
        /* a ghost: deleted since it was pooled; try the next one */
      }
    }
    /* deleting frees bestkey: the temporary key object keeps a copy of the name */
    robj *keyobj = createStringObject(bestkey, sdslen(bestkey));
    size_t before = used_memory;
    dictDelete(server.db, keyobj->ptr);
    mem_freed += before - used_memory;
    server.evicted_keys++;
    harness_on_evict(keyobj->ptr);
    decrRefCount(keyobj);
  }
}

/* ---- replies (copied into the client's reply buffer; the harness reads them out) ------- */
static void addReplyRaw(client *c, const char *s, size_t len) {
  if (c->bufpos + len > PROTO_REPLY_CHUNK_BYTES) die("reply does not fit the reply buffer");
  memcpy(c->buf + c->bufpos, s, len);
  c->bufpos += len;
}

static void addReplyBulk(client *c, const robj *o) {
  char hdr[32];
  size_t len = sdslen(o->ptr);
  int n = snprintf(hdr, sizeof hdr, "$%zu\r\n", len);
  addReplyRaw(c, hdr, (size_t)n);
  addReplyRaw(c, o->ptr, len);
  addReplyRaw(c, "\r\n", 2);
}

/* ---- commands ------------------------------------------------------------------------ */
static void setCommand(client *c) {
  c->argv[2] = tryObjectEncoding(c->argv[2]);
  robj *key = c->argv[1], *val = c->argv[2];
  dictEntry *de = dictFind(server.db, key->ptr); /* lookupKeyWrite */
  val->refcount++;                               /* the db's reference */
  if (de) {
    robj *old = de->val; /* dbOverwrite */
    de->val = val;
    decrRefCount(old);
  } else {
    dictAdd(server.db, sdsdup(key->ptr), val); /* dbAdd */
  }
  addReplyRaw(c, "+OK\r\n", 5);
}

static void getCommand(client *c) {
  dictEntry *de = dictFind(server.db, c->argv[1]->ptr);
  if (!de) {
    server.misses++;
    addReplyRaw(c, "$-1\r\n", 5);
    return;
  }
  robj *val = de->val;
  val->lru = server_lruclock; /* lookupKey touches the object */
  server.hits++;
  addReplyBulk(c, val);
}

static void freeClientArgv(client *c) {
  for (int j = 0; j < c->argc; j++) decrRefCount(c->argv[j]);
  c->argc = 0;
  zfree(c->argv, sizeof(robj *) * (size_t)c->argv_len);
  c->argv = NULL;
  c->argv_len = 0;
}

static void processCommand(client *c) {
  const char *name = c->argv[0]->ptr;
  void (*proc)(client *) = NULL;
  int arity = 0;
  if (strcasecmp(name, "set") == 0) proc = setCommand, arity = 3;
  else if (strcasecmp(name, "get") == 0) proc = getCommand, arity = 2;
  if (!proc) {
    addReplyRaw(c, "-ERR unknown command\r\n", 22);
    return;
  }
  if (c->argc != arity) {
    addReplyRaw(c, "-ERR wrong number of arguments\r\n", 32);
    return;
  }
  performEvictions(); /* Redis evicts before executing any command when maxmemory is set */
  proc(c);
  advance_clock();
}

static long parse_len(client *c, char prefix) {
  const char *p = c->querybuf + c->qb_pos;
  if (*p != prefix) die("protocol error: unexpected byte in the query buffer");
  const char *nl = memchr(p, '\r', sdslen(c->querybuf) - c->qb_pos);
  if (!nl) die("protocol error: incomplete length line");
  long n = 0;
  for (p++; p < nl; p++) {
    if (*p < '0' || *p > '9') die("protocol error: bad length");
    n = n * 10 + (*p - '0');
  }
  c->qb_pos = (size_t)(nl - c->querybuf) + 2;
  return n;
}

/* processInputBuffer + processMultibulkBuffer: one argument object per bulk string. */
static void processInputBuffer(client *c) {
  while (c->qb_pos < sdslen(c->querybuf)) {
    long argc = parse_len(c, '*');
    if (argc <= 0 || argc > 1024) die("protocol error: bad argument count");
    c->argv_len = (int)argc;
    c->argv = zmalloc(sizeof(robj *) * (size_t)argc);
    for (long j = 0; j < argc; j++) {
      long len = parse_len(c, '$');
      if (c->qb_pos + (size_t)len + 2 > sdslen(c->querybuf)) die("protocol error: short bulk");
      c->argv[c->argc++] = createStringObject(c->querybuf + c->qb_pos, (size_t)len);
      c->qb_pos += (size_t)len + 2;
    }
    processCommand(c);
    freeClientArgv(c); /* resetClient */
  }
  sds_set_len(c->querybuf, 0); /* everything consumed */
  c->qb_pos = 0;
}

static client *createClient(void) {
  client *c = zmalloc(sizeof *c);
  memset(c, 0, sizeof *c);
  c->querybuf = sdsnewlen(NULL, PROTO_IOBUF_LEN); /* sdsMakeRoomFor(sdsempty(), 16 KiB) */
  sds_set_len(c->querybuf, 0);
  c->buf = zmalloc(PROTO_REPLY_CHUNK_BYTES);
  return c;
}

/* ================================================================ harness (client) ==== */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static void *harness_alloc(size_t bytes) { /* outside every allocator, identical for all */
  void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) die("cannot map the harness's bookkeeping");
  return p;
}

#define MAX_KEY 1024
#define MAX_VALUE 8000
static uint32_t key_len = 128;
static long n1 = 700000, size1 = 240, n2 = 170000, size2 = 492;
static uint8_t *evicted_bits; /* per id, one bit: the server evicted it */
static int evicted(uint32_t id) { return evicted_bits[id >> 3] >> (id & 7) & 1; }

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static uint32_t make_key(char *buf, uint32_t id) {
  int n = snprintf(buf, 32, "key:%u:", id);
  uint32_t len = (uint32_t)n;
  uint64_t r = splitmix(id ^ 0x5bd1e995u);
  for (; len < key_len; len++) {
    buf[len] = alnum[r % 26];
    r = r / 26 ? r / 26 : splitmix(r + len);
  }
  buf[len] = 0;
  return len;
}

static void harness_on_evict(const sds key) {
  unsigned long id = strtoul(key + 4, NULL, 10);
  if (strncmp(key, "key:", 4) != 0 || id >= (unsigned long)(n1 + n2)) die("evicted a key the client never set");
  evicted_bits[id >> 3] |= (uint8_t)(1u << (id & 7));
}

static int wave_of(uint32_t id) { return id < (uint32_t)n1 ? 1 : 2; }
static uint32_t value_len(uint32_t id) { return (uint32_t)(wave_of(id) == 1 ? size1 : size2); }

static void make_value(char *v, uint32_t id) {
  uint32_t len = value_len(id);
  uint64_t r = splitmix(((uint64_t)id << 2) | (uint64_t)wave_of(id));
  for (uint32_t j = 0; j < len; j++) {
    if ((j & 7) == 0 && j) r = splitmix(r);
    v[j] = alnum[(r >> ((j & 7) * 8)) % 36];
  }
}

/* "read(2)": the command's bytes land in the query buffer; the server processes them. */
static void send_command(client *c, int argc, const char **argv, const uint32_t *lens) {
  size_t pos = sdslen(c->querybuf);
  char *q = c->querybuf;
  size_t cap = sdsalloc(c->querybuf);
  int n = snprintf(q + pos, cap - pos, "*%d\r\n", argc);
  pos += (size_t)n;
  for (int j = 0; j < argc; j++) {
    if (pos + lens[j] + 32 > cap) die("command does not fit the query buffer");
    n = snprintf(q + pos, cap - pos, "$%u\r\n", lens[j]);
    pos += (size_t)n;
    memcpy(q + pos, argv[j], lens[j]);
    pos += lens[j];
    q[pos++] = '\r';
    q[pos++] = '\n';
  }
  q[pos] = 0;
  sds_set_len(c->querybuf, pos);
  processInputBuffer(c);
}

static void do_set(client *c, uint32_t id) {
  char key[MAX_KEY + 1], val[MAX_VALUE];
  uint32_t klen = make_key(key, id);
  make_value(val, id);
  const char *argv[3] = {"SET", key, val};
  uint32_t lens[3] = {3, klen, value_len(id)};
  send_command(c, 3, argv, lens);
  if (c->bufpos != 5 || memcmp(c->buf, "+OK\r\n", 5) != 0) die("SET did not reply +OK");
  c->bufpos = 0; /* "write(2)" */
}

/* GET id through the protocol; 1 = the right value, 0 = nil, -1 = anything else. */
static int do_get(client *c, uint32_t id) {
  char key[MAX_KEY + 1], val[MAX_VALUE], hdr[32];
  uint32_t klen = make_key(key, id);
  const char *argv[2] = {"GET", key};
  uint32_t lens[2] = {3, klen};
  send_command(c, 2, argv, lens);
  int r = -1;
  if (c->bufpos == 5 && memcmp(c->buf, "$-1\r\n", 5) == 0) {
    r = 0;
  } else {
    uint32_t vlen = value_len(id);
    int h = snprintf(hdr, sizeof hdr, "$%u\r\n", vlen);
    make_value(val, id);
    if (c->bufpos == (size_t)h + vlen + 2 && memcmp(c->buf, hdr, (size_t)h) == 0 &&
        memcmp(c->buf + h, val, vlen) == 0 && memcmp(c->buf + h + vlen, "\r\n", 2) == 0)
      r = 1;
  }
  c->bufpos = 0;
  return r;
}

/* ---------------------------------------------------------------- sampling ------- */
typedef struct sample {
  float t, rss_mb, counted_mb;
  int phase;
  uint32_t items;
} sample;

#define MAX_SAMPLES 200000
static sample *samples;
static size_t nsamples;
static double t_start, next_sample, sample_every;
static long page_size;

static size_t rss_bytes(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  unsigned long size = 0, resident = 0;
  if (sscanf(buf, "%lu %lu", &size, &resident) != 2) return 0;
  return resident * (size_t)page_size;
}

/* VmHWM of /proc/self/status: peak RSS of this process image. */
static size_t peak_rss_bytes(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char *p = strstr(buf, "VmHWM:");
  unsigned long kb = 0;
  if (!p || sscanf(p + 6, "%lu", &kb) != 1) return 0;
  return kb * 1024;
}

static void take_sample(int phase, double t) {
  if (nsamples == MAX_SAMPLES) return;
  sample *s = &samples[nsamples++];
  s->t = (float)(t - t_start);
  s->rss_mb = (float)(rss_bytes() / 1048576.0);
  s->counted_mb = (float)(used_memory / 1048576.0);
  s->phase = phase;
  s->items = (uint32_t)dictSize(server.db);
}

static inline void maybe_sample(int phase) {
  double t = now();
  if (t >= next_sample) {
    take_sample(phase, t);
    next_sample += sample_every;
    if (next_sample < t) next_sample = t + sample_every;
  }
}

/* --heapmap-signal: ask the runtime for heap map snapshot k (ALASKA_HEAPMAP.k) and wait up
 * to 60 s until it is written (the runtime renames it into place complete). */
static void heapmap_snapshot(int signo, int k) {
  const char *base = getenv("ALASKA_HEAPMAP");
  if (!signo) return;
  if (!base) die("--heapmap-signal needs ALASKA_HEAPMAP (and ALASKA_HEAPMAP_SIGNAL)");
  char path[4096];
  snprintf(path, sizeof path, "%s.%d", base, k);
  if (raise(signo) != 0) die("--heapmap-signal: raise failed");
  for (int i = 0; i < 6000; i++) {
    if (access(path, F_OK) == 0) return;
    usleep(10000);
  }
  fprintf(stderr, "lru: %s did not appear (is ALASKA_HEAPMAP_SIGNAL=%d set?)\n", path, signo);
  exit(2);
}

/* ---------------------------------------------------------------- main ----------- */
static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--n1 N] [--size1 B] [--n2 N] [--size2 B] [--cap-mb MIB] [--seconds S]\n"
          "          [--sample-ms MS] [--trace FILE.csv] [--label NAME] [--seed N]\n"
          "          [--evict-samples K]   maxmemory-samples, 1..64 (default 5)\n"
          "          [--key-len L]         key length, 16..%d characters (default 128)\n"
          "          [--ops-per-sec R]     the server's logical clock (default 10000)\n"
          "          [--used-memory requested|usable]  what counts against the cap\n"
          "          [--heapmap-signal N]  raise N after the fill and after the GETs, wait\n"
          "                                for ALASKA_HEAPMAP.1 / .2 (Alaska heap maps)\n"
          "defaults: 700000 x 240 B, then 170000 x 492 B, maxmemory 100 MiB, 10 s of GETs\n",
          argv0, MAX_KEY);
  exit(2);
}

static long parse_long(const char *s, const char *argv0) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end) usage(argv0);
  return v;
}

static double parse_double(const char *s, const char *argv0) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end) usage(argv0);
  return v;
}

int main(int argc, char **argv) {
  double cap_mb = 100, seconds = 10, sample_ms = 100;
  const char *trace = NULL, *label = "lru", *used_mode = "requested";
  uint64_t seed = 1;
  long evict_samples = 5, klen_opt = 128, ops_per_sec = 10000, heapmap_signal = 0;
  static const struct option opts[] = {
      {"n1", 1, 0, 'a'},          {"size1", 1, 0, 'b'},        {"n2", 1, 0, 'c'},
      {"size2", 1, 0, 'd'},       {"cap-mb", 1, 0, 'e'},       {"seconds", 1, 0, 'f'},
      {"sample-ms", 1, 0, 'g'},   {"trace", 1, 0, 'h'},        {"label", 1, 0, 'i'},
      {"seed", 1, 0, 'j'},        {"evict-samples", 1, 0, 'k'}, {"key-len", 1, 0, 'l'},
      {"ops-per-sec", 1, 0, 'm'}, {"used-memory", 1, 0, 'n'},  {"help", 0, 0, 'z'},
      {"heapmap-signal", 1, 0, 'o'},
      {0, 0, 0, 0}};
  int o;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (o) {
    case 'a': n1 = parse_long(optarg, argv[0]); break;
    case 'b': size1 = parse_long(optarg, argv[0]); break;
    case 'c': n2 = parse_long(optarg, argv[0]); break;
    case 'd': size2 = parse_long(optarg, argv[0]); break;
    case 'e': cap_mb = parse_double(optarg, argv[0]); break;
    case 'f': seconds = parse_double(optarg, argv[0]); break;
    case 'g': sample_ms = parse_double(optarg, argv[0]); break;
    case 'h': trace = optarg; break;
    case 'i': label = optarg; break;
    case 'j': seed = (uint64_t)parse_long(optarg, argv[0]); break;
    case 'k': evict_samples = parse_long(optarg, argv[0]); break;
    case 'l': klen_opt = parse_long(optarg, argv[0]); break;
    case 'm': ops_per_sec = parse_long(optarg, argv[0]); break;
    case 'n': used_mode = optarg; break;
    case 'o': heapmap_signal = parse_long(optarg, argv[0]); break;
    default: usage(argv[0]);
    }
  }
  if (optind != argc || n1 < 0 || n2 < 0 || size1 < 0 || size2 < 0 || size1 > MAX_VALUE ||
      size2 > MAX_VALUE || n1 + n2 <= 0 || n1 + n2 > 0x7fffffff || !(cap_mb > 0) ||
      seconds < 0 || !(sample_ms > 0) || evict_samples < 1 || evict_samples > 64 ||
      klen_opt < 16 || klen_opt > MAX_KEY || ops_per_sec < 1 || heapmap_signal < 0 ||
      heapmap_signal > 64)
    usage(argv[0]);
  if (strcmp(used_mode, "usable") == 0) count_usable = 1;
  else if (strcmp(used_mode, "requested") != 0) usage(argv[0]);

  key_len = (uint32_t)klen_opt; /* never shorter than "key:<id>:" */
  page_size = sysconf(_SC_PAGESIZE);
  long nkeys = n1 + n2;
  evicted_bits = harness_alloc((size_t)nkeys / 8 + 1);
  samples = harness_alloc(sizeof(sample) * MAX_SAMPLES);
  rng_state = splitmix(seed + 1000) | 1;

  /* initServer */
  maxmemory = (size_t)(cap_mb * 1048576.0);
  server.maxmemory_samples = (int)evict_samples;
  server.ops_per_sec = (uint64_t)ops_per_sec;
  server.db = zmalloc(sizeof(dict));
  *server.db = (dict){.exp = {-1, -1}, .rehashidx = -1};
  evictionPoolAlloc();
  client *c = createClient();

  sample_every = sample_ms / 1000.0;
  t_start = now();
  next_sample = t_start;
  take_sample(0, t_start);

  /* phases 1 and 2: fill */
  for (long i = 0; i < nkeys; i++) {
    do_set(c, (uint32_t)i);
    if ((i & 1023) == 0) maybe_sample(i < n1 ? 1 : 2);
  }
  double t_filled = now();
  const double t_fill_end = t_filled;
  take_sample(2, t_filled);
  size_t rss_after_fill = rss_bytes();
  if (heapmap_signal) { /* the snapshot is not part of the GET phase's time */
    heapmap_snapshot((int)heapmap_signal, 1);
    t_filled = now();
  }
  uint64_t evicted_in_fill = server.evicted_keys;

  /* the ids the server holds, per the client's bookkeeping */
  uint32_t *held = harness_alloc(sizeof(uint32_t) * (size_t)nkeys);
  size_t nheld = 0, held1 = 0;
  for (long i = 0; i < nkeys; i++)
    if (!evicted((uint32_t)i)) held[nheld++] = (uint32_t)i, held1 += i < n1;
  int ok = nheld == dictSize(server.db);
  if (!ok) fprintf(stderr, "lru: the server holds %lu keys, the client expects %zu\n",
                   dictSize(server.db), nheld);

  /* phase 3: serve GETs of held keys for `seconds` (Redis may still evict a few keys when a
   * command's temporaries push used memory over the cap: a nil is then correct) */
  uint64_t rng = splitmix(seed) | 1, gets = 0, bad = 0, nils = 0;
  double t_end = t_filled + seconds, t;
  next_sample = t_filled + sample_every;
  if (nheld) {
    do {
      for (int k = 0; k < 256; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        uint32_t id = held[rng % nheld];
        int r = do_get(c, id);
        if (r == 0 && evicted(id)) nils++;
        else if (r != 1) bad++;
      }
      gets += 256;
      maybe_sample(3);
      t = now();
    } while (t < t_end);
  } else {
    while ((t = now()) < t_end) {
      maybe_sample(3);
      usleep(1000);
    }
  }
  take_sample(3, t);
  double read_secs = t - t_filled;
  size_t rss_final = rss_bytes();
  heapmap_snapshot((int)heapmap_signal, 2);
  size_t used_final = used_memory, requested_final = used_requested;
  unsigned long items_final = dictSize(server.db);

  /* phase 4: every key ever set: absent if evicted, else present with the right value */
  size_t verified = 0, retained = 0, absent_ok = 0, wrong = 0;
  for (long i = 0; i < nkeys; i++) {
    int r = do_get(c, (uint32_t)i);
    if (evicted((uint32_t)i)) {
      if (r == 0) absent_ok++;
      else wrong++;
    } else {
      retained++;
      if (r == 1) verified++;
      else wrong++;
    }
  }
  ok = ok && bad == 0 && wrong == 0 && verified == retained && retained == dictSize(server.db);

  size_t peak = peak_rss_bytes();
  if (trace) {
    FILE *f = fopen(trace, "w");
    if (!f) {
      perror(trace);
      return 2;
    }
    fprintf(f, "t_s,phase,rss_mb,counted_mb,items\n");
    for (size_t i = 0; i < nsamples; i++)
      fprintf(f, "%.3f,%d,%.2f,%.2f,%u\n", samples[i].t, samples[i].phase, samples[i].rss_mb,
              samples[i].counted_mb, samples[i].items);
    fclose(f);
  }

  double fill_s = t_fill_end - t_start;
  double counted_mb = used_final / 1048576.0;
  printf("lru: label=%s used_memory=%s evict_samples=%ld key_len=%u fill_s=%.2f "
         "sets_per_s=%.0f rss_after_fill_mb=%.1f final_rss_mb=%.1f peak_rss_mb=%.1f "
         "counted_mb=%.1f requested_mb=%.1f frag=%.2f items=%lu held_from_wave1=%zu "
         "evictions=%llu evictions_in_reads=%llu gets=%llu read_s=%.2f gets_per_s=%.0f "
         "nil_gets=%llu verified=%zu/%zu absent_ok=%zu bad_gets=%llu samples=%zu result=%s\n",
         label, count_usable ? "usable" : "requested", evict_samples, key_len, fill_s,
         fill_s > 0 ? nkeys / fill_s : 0.0, rss_after_fill / 1048576.0, rss_final / 1048576.0,
         peak / 1048576.0, counted_mb, requested_final / 1048576.0,
         counted_mb > 0 ? rss_final / 1048576.0 / counted_mb : 0.0, items_final, held1,
         (unsigned long long)server.evicted_keys,
         (unsigned long long)(server.evicted_keys - evicted_in_fill), (unsigned long long)gets,
         read_secs, read_secs > 0 ? gets / read_secs : 0.0, (unsigned long long)nils, verified,
         retained, absent_ok, (unsigned long long)bad, nsamples, ok ? "OK" : "FAIL");
  fflush(stdout);

  /* shutdown: free the keyspace and the server (lets leak checkers and ALASKA_STATS see a
   * clean heap) */
  for (int t2 = 0; t2 <= 1; t2++) {
    dict *d = server.db;
    if (d->exp[t2] == -1) continue;
    for (unsigned long b = 0; b < DICT_SIZE(d->exp[t2]); b++)
      for (dictEntry *de = d->table[t2][b], *nx; de; de = nx) {
        nx = de->next;
        dict_free_entry(de);
      }
    zfree(d->table[t2], DICT_SIZE(d->exp[t2]) * sizeof(dictEntry *));
  }
  zfree(server.db, sizeof(dict));
  for (int j = 0; j < EVPOOL_SIZE; j++) {
    if (server.pool[j].key && server.pool[j].key != server.pool[j].cached) sdsfree(server.pool[j].key);
    sdsfree(server.pool[j].cached);
  }
  zfree(server.pool, sizeof(struct evictionPoolEntry) * EVPOOL_SIZE);
  sdsfree(c->querybuf);
  zfree(c->buf, PROTO_REPLY_CHUNK_BYTES);
  zfree(c, sizeof *c);
  if (used_requested != 0) {
    fprintf(stderr, "lru: %zu bytes still counted after shutdown (accounting bug)\n", used_requested);
    return 1;
  }
  return ok ? 0 : 1;
}
