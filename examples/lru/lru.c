/*
 * examples/lru/lru.c — a Redis-like LRU key-value cache and the Mesh/Alaska fragmentation
 * workload (issue 6). Plain C: build it with alaska-clang for Alaska, or with clang-19 and
 * glibc / -ljemalloc / -lmimalloc to compare allocators.
 *
 * The cache: a chained hash table (bucket array doubled when the load factor reaches 1) and
 * a doubly linked LRU list (every SET/GET moves the item to the head; each item also keeps a
 * logical access time). Every item is three heap objects, like Redis's dictEntry + key sds +
 * value: an `item` struct, the NUL-terminated key string and the value bytes.
 *
 * Eviction (--evict-samples K): K = 5 (default) is Redis's allkeys-lru — the least recently
 * used of 5 keys sampled from a random bucket onwards; K = 0 is exact LRU (the list tail).
 * The choice matters: exact LRU evicts the first wave strictly oldest-first, so its survivors
 * are the most recently allocated, contiguous objects and the heap hardly fragments (glibc
 * RSS/live ~1.4 here); sampled eviction, as in Redis, leaves survivors scattered over the
 * first wave's pages, which is the fragmentation the Mesh/Alaska workload is about.
 *
 * Cap: the cache counts, for every item it holds, the bytes it *requested* from malloc for it:
 *   sizeof(item) + (key length + 1) + value length
 * and evicts from the LRU tail while that sum exceeds --cap-mb (MiB). The bucket array is not
 * counted (Redis does not count its dict tables against maxmemory either... approximately).
 * `fragmentation = RSS / counted bytes` is what the summary line reports.
 *
 * Workload (defaults = the published one):
 *   1. SET ids 0..n1-1 with values of size1 bytes (700,000 x 240 B);
 *   2. SET ids n1..n1+n2-1 with values of size2 bytes (170,000 x 492 B) — evicts most of 1;
 *   3. for --seconds, GET random keys that are still held (each GET moves the item to the
 *      LRU head and checks every byte of the value);
 *   4. verify every held key: found through the hash table, value intact.
 * Values are derived from the id (splitmix64), so verification needs no copy.
 * RSS (/proc/self/statm) is sampled every --sample-ms during all phases and written, with
 * the counted bytes, to --trace FILE as CSV: t_s,phase,rss_mb,counted_mb,items.
 *
 * Output: one summary line on stdout starting with `lru:`; exit status 0 only if every
 * verification passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct item {
  struct item *hnext;       /* hash chain */
  struct item *prev, *next; /* LRU list: head = most recently used */
  char *key;
  char *val;
  uint64_t hash;
  uint64_t atime; /* logical clock of the last SET/GET (approximate-LRU eviction) */
  uint32_t klen, vlen;
  uint32_t id;
} item;

typedef struct cache {
  item **buckets;
  size_t nbuckets; /* power of two */
  size_t items;
  size_t counted; /* bytes counted against the cap (see header) */
  size_t cap;
  item *head, *tail;
  uint64_t evictions;
  uint64_t clock;     /* incremented by every SET and GET */
  int samples;        /* 0: exact LRU (evict the list tail); k > 0: Redis allkeys-lru */
  uint64_t rng;       /* for eviction sampling */
} cache;

/* ---------------------------------------------------------------- helpers -------- */
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

static uint64_t fnv(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

/* Keys are "key:<id>:" padded to key_len characters with pseudo-random letters derived
 * from the id. Default 16 (the Alaska artifact's Redis script used random 128-character
 * keys; measured here, 128-character keys slow the fill ~3x and change RSS/live by < 0.1). */
#define MAX_KEY 256
static uint32_t key_len = 16;

static uint32_t make_key(char *buf, uint32_t id) {
  char tmp[16];
  int n = 0;
  uint32_t x = id;
  do {
    tmp[n++] = (char)('0' + x % 10);
    x /= 10;
  } while (x);
  memcpy(buf, "key:", 4);
  for (int i = 0; i < n; i++) buf[4 + i] = tmp[n - 1 - i];
  uint32_t len = (uint32_t)(4 + n);
  buf[len++] = ':';
  uint64_t r = splitmix(id ^ 0x5bd1e995u);
  for (; len < key_len; len++) {
    buf[len] = (char)('A' + r % 26);
    r = r / 26 ? r / 26 : splitmix(r + len);
  }
  buf[len] = 0;
  return len;
}

static inline unsigned char value_byte(uint64_t seed, uint32_t j) {
  return (unsigned char)((seed >> ((j & 7) * 8)) + (j >> 3) * 131);
}

static void fill_value(char *v, uint32_t id, uint32_t len) {
  uint64_t seed = splitmix(id);
  for (uint32_t j = 0; j < len; j++) v[j] = (char)value_byte(seed, j);
}

static int check_value(const item *it, uint32_t expect_len) {
  if (it->vlen != expect_len) return 0;
  uint64_t seed = splitmix(it->id);
  for (uint32_t j = 0; j < it->vlen; j++)
    if ((unsigned char)it->val[j] != value_byte(seed, j)) return 0;
  return 1;
}

static size_t item_bytes(uint32_t klen, uint32_t vlen) {
  return sizeof(item) + klen + 1 + vlen;
}

static void die(const char *what) {
  fprintf(stderr, "lru: %s\n", what);
  exit(2);
}

/* ---------------------------------------------------------------- cache ---------- */
static void lru_unlink(cache *c, item *it) {
  if (it->prev) it->prev->next = it->next; else c->head = it->next;
  if (it->next) it->next->prev = it->prev; else c->tail = it->prev;
  it->prev = it->next = NULL;
}

static void lru_push_head(cache *c, item *it) {
  it->prev = NULL;
  it->next = c->head;
  if (c->head) c->head->prev = it; else c->tail = it;
  c->head = it;
}

static void grow(cache *c) {
  size_t nb = c->nbuckets * 2;
  item **b = calloc(nb, sizeof(item *));
  if (!b) die("out of memory (buckets)");
  for (size_t i = 0; i < c->nbuckets; i++)
    for (item *it = c->buckets[i], *nx; it; it = nx) {
      nx = it->hnext;
      it->hnext = b[it->hash & (nb - 1)];
      b[it->hash & (nb - 1)] = it;
    }
  free(c->buckets);
  c->buckets = b;
  c->nbuckets = nb;
}

static item *lookup(cache *c, const char *key, uint32_t klen, uint64_t h) {
  for (item *it = c->buckets[h & (c->nbuckets - 1)]; it; it = it->hnext)
    if (it->hash == h && it->klen == klen && memcmp(it->key, key, klen) == 0) return it;
  return NULL;
}

static void unhash(cache *c, item *it) {
  item **pp = &c->buckets[it->hash & (c->nbuckets - 1)];
  while (*pp != it) pp = &(*pp)->hnext;
  *pp = it->hnext;
}

static void destroy(cache *c, item *it) {
  unhash(c, it);
  lru_unlink(c, it);
  c->counted -= item_bytes(it->klen, it->vlen);
  c->items--;
  free(it->key);
  free(it->val);
  free(it);
}

/* Redis's allkeys-lru: look at `samples` keys found from a random bucket onwards and evict
 * the least recently used of them (Redis samples maxmemory-samples = 5 keys the same way,
 * dictGetSomeKeys). Unlike exact LRU, this leaves the survivors of an old generation scattered
 * over the heap — which is what makes the workload fragment. */
static item *sample_victim(cache *c) {
  item *best = NULL;
  int seen = 0;
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  size_t b = c->rng & (c->nbuckets - 1);
  for (size_t probes = 0; seen < c->samples && probes < c->nbuckets; probes++) {
    for (item *it = c->buckets[b]; it && seen < c->samples; it = it->hnext, seen++)
      if (!best || it->atime < best->atime) best = it;
    b = (b + 1) & (c->nbuckets - 1);
  }
  return best;
}

static void evict_to_cap(cache *c) {
  while (c->counted > c->cap && c->tail) {
    destroy(c, c->samples > 0 ? sample_victim(c) : c->tail);
    c->evictions++;
  }
}

static void set(cache *c, uint32_t id, uint32_t vlen) {
  char key[MAX_KEY + 1];
  uint32_t klen = make_key(key, id);
  uint64_t h = fnv(key, klen);
  item *old = lookup(c, key, klen, h);
  if (old) destroy(c, old);
  item *it = malloc(sizeof *it);
  char *k = malloc(klen + 1);
  char *v = malloc(vlen ? vlen : 1);
  if (!it || !k || !v) die("out of memory (item)");
  memcpy(k, key, klen + 1);
  fill_value(v, id, vlen);
  it->key = k;
  it->val = v;
  it->klen = klen;
  it->vlen = vlen;
  it->hash = h;
  it->id = id;
  it->atime = ++c->clock;
  if (c->items >= c->nbuckets) grow(c);
  it->hnext = c->buckets[h & (c->nbuckets - 1)];
  c->buckets[h & (c->nbuckets - 1)] = it;
  lru_push_head(c, it);
  c->items++;
  c->counted += item_bytes(klen, vlen);
  evict_to_cap(c);
}

static item *get(cache *c, uint32_t id) {
  char key[MAX_KEY + 1];
  uint32_t klen = make_key(key, id);
  item *it = lookup(c, key, klen, fnv(key, klen));
  if (it) {
    it->atime = ++c->clock;
    if (it != c->head) {
      lru_unlink(c, it);
      lru_push_head(c, it);
    }
  }
  return it;
}

/* ---------------------------------------------------------------- sampling ------- */
typedef struct sample {
  float t, rss_mb, counted_mb;
  int phase;
  uint32_t items;
} sample;

#define MAX_SAMPLES 200000
static sample samples[MAX_SAMPLES];
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

/* VmHWM of /proc/self/status: peak RSS of this process image (getrusage's ru_maxrss would
 * include the parent's RSS before exec). */
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

static void take_sample(const cache *c, int phase, double t) {
  if (nsamples == MAX_SAMPLES) return;
  sample *s = &samples[nsamples++];
  s->t = (float)(t - t_start);
  s->rss_mb = (float)(rss_bytes() / 1048576.0);
  s->counted_mb = (float)(c->counted / 1048576.0);
  s->phase = phase;
  s->items = (uint32_t)c->items;
}

static inline void maybe_sample(const cache *c, int phase) {
  double t = now();
  if (t >= next_sample) {
    take_sample(c, phase, t);
    next_sample += sample_every;
    if (next_sample < t) next_sample = t + sample_every;
  }
}

/* ---------------------------------------------------------------- main ----------- */
static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--n1 N] [--size1 B] [--n2 N] [--size2 B] [--cap-mb MB] [--seconds S]\n"
          "          [--sample-ms MS] [--trace FILE.csv] [--label NAME] [--seed N]\n"
          "          [--evict-samples K]   (0 = exact LRU; default 5 = Redis allkeys-lru)\n"
          "          [--key-len L]         (default 16 characters)\n"
          "defaults: 700000 x 240 B, then 170000 x 492 B, cap 100 MiB, 10 s of GETs\n",
          argv0);
  exit(2);
}

int main(int argc, char **argv) {
  long n1 = 700000, size1 = 240, n2 = 170000, size2 = 492;
  double cap_mb = 100, seconds = 10, sample_ms = 100;
  const char *trace = NULL, *label = "lru";
  uint64_t seed = 1;
  int evict_samples = 5;
  long klen_opt = 16;
  static const struct option opts[] = {
      {"n1", 1, 0, 'a'},      {"size1", 1, 0, 'b'},   {"n2", 1, 0, 'c'},
      {"size2", 1, 0, 'd'},   {"cap-mb", 1, 0, 'e'},  {"seconds", 1, 0, 'f'},
      {"sample-ms", 1, 0, 'g'}, {"trace", 1, 0, 'h'}, {"label", 1, 0, 'i'},
      {"seed", 1, 0, 'j'},    {"evict-samples", 1, 0, 'k'}, {"key-len", 1, 0, 'l'}, {"help", 0, 0, 'z'},    {0, 0, 0, 0}};
  int o;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (o) {
    case 'a': n1 = atol(optarg); break;
    case 'b': size1 = atol(optarg); break;
    case 'c': n2 = atol(optarg); break;
    case 'd': size2 = atol(optarg); break;
    case 'e': cap_mb = atof(optarg); break;
    case 'f': seconds = atof(optarg); break;
    case 'g': sample_ms = atof(optarg); break;
    case 'h': trace = optarg; break;
    case 'i': label = optarg; break;
    case 'j': seed = strtoull(optarg, NULL, 10); break;
    case 'k': evict_samples = atoi(optarg); break;
    case 'l': klen_opt = atol(optarg); break;
    default: usage(argv[0]);
    }
  }
  if (n1 < 0 || n2 < 0 || size1 < 0 || size2 < 0 || n1 + n2 <= 0 || n1 + n2 > 0x7fffffff ||
      cap_mb <= 0 || seconds < 0 || sample_ms <= 0 || evict_samples < 0 || evict_samples > 64 ||
      klen_opt < 0 || klen_opt > MAX_KEY)
    usage(argv[0]);

  key_len = (uint32_t)klen_opt; /* short keys are never shorter than "key:<id>:" */
  page_size = sysconf(_SC_PAGESIZE);
  cache c = {0};
  c.nbuckets = 1024;
  c.buckets = calloc(c.nbuckets, sizeof(item *));
  if (!c.buckets) die("out of memory (buckets)");
  c.cap = (size_t)(cap_mb * 1048576.0);
  c.samples = evict_samples;
  c.rng = splitmix(seed + 1000) | 1;

  sample_every = sample_ms / 1000.0;
  t_start = now();
  next_sample = t_start;
  take_sample(&c, 0, t_start);

  /* phase 1 and 2: fill */
  for (long i = 0; i < n1 + n2; i++) {
    int phase = i < n1 ? 1 : 2;
    set(&c, (uint32_t)i, (uint32_t)(phase == 1 ? size1 : size2));
    if ((i & 1023) == 0) maybe_sample(&c, phase);
  }
  double t_filled = now();
  take_sample(&c, 2, t_filled);
  size_t rss_after_fill = rss_bytes();

  /* the ids still held, in LRU order (system allocation of the harness, not counted) */
  uint32_t *held = malloc(sizeof(uint32_t) * (c.items ? c.items : 1));
  if (!held) die("out of memory (held)");
  size_t nheld = 0;
  for (item *it = c.tail; it; it = it->prev) held[nheld++] = it->id;
  size_t held1 = 0;
  for (size_t i = 0; i < nheld; i++) held1 += held[i] < (uint32_t)n1;

  /* phase 3: serve GETs of held keys for `seconds` */
  uint64_t rng = splitmix(seed) | 1, gets = 0, bad = 0;
  double t_end = t_filled + seconds, t;
  next_sample = t_filled + sample_every;
  if (nheld) {
    do {
      for (int k = 0; k < 256; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        uint32_t id = held[rng % nheld];
        item *it = get(&c, id);
        if (!it || it->id != id || !check_value(it, (uint32_t)(id < (uint32_t)n1 ? size1 : size2)))
          bad++;
      }
      gets += 256;
      maybe_sample(&c, 3);
      t = now();
    } while (t < t_end);
  } else {
    while ((t = now()) < t_end) {
      maybe_sample(&c, 3);
      usleep(1000);
    }
  }
  take_sample(&c, 3, t);
  double read_secs = t - t_filled;
  size_t rss_final = rss_bytes();

  /* phase 4: verify every held key */
  size_t verified = 0;
  for (size_t i = 0; i < nheld; i++) {
    uint32_t id = held[i];
    char key[MAX_KEY + 1];
    uint32_t klen = make_key(key, id);
    item *it = lookup(&c, key, klen, fnv(key, klen));
    if (it && it->id == id && check_value(it, (uint32_t)(id < (uint32_t)n1 ? size1 : size2)))
      verified++;
  }
  size_t listed = 0;
  for (item *it = c.head; it; it = it->next) listed++;
  int ok = bad == 0 && verified == nheld && listed == c.items && nheld == c.items;

  size_t peak = peak_rss_bytes();
  float peak_sampled = 0;
  for (size_t i = 0; i < nsamples; i++)
    if (samples[i].rss_mb > peak_sampled) peak_sampled = samples[i].rss_mb;

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

  double counted_mb = c.counted / 1048576.0;
  printf("lru: label=%s evict_samples=%d fill_s=%.2f rss_after_fill_mb=%.1f final_rss_mb=%.1f "
         "peak_rss_mb=%.1f peak_sampled_mb=%.1f counted_mb=%.1f frag=%.2f items=%zu "
         "held_from_wave1=%zu evictions=%llu gets=%llu read_s=%.2f gets_per_s=%.0f "
         "verified=%zu/%zu bad_gets=%llu samples=%zu result=%s\n",
         label, evict_samples, t_filled - t_start, rss_after_fill / 1048576.0, rss_final / 1048576.0,
         peak / 1048576.0, peak_sampled, counted_mb,
         counted_mb > 0 ? rss_final / 1048576.0 / counted_mb : 0.0, c.items, held1,
         (unsigned long long)c.evictions, (unsigned long long)gets, read_secs,
         read_secs > 0 ? gets / read_secs : 0.0, verified, nheld, (unsigned long long)bad,
         nsamples, ok ? "OK" : "FAIL");
  fflush(stdout);

  /* tear down (lets leak checkers and the Alaska stats see a clean heap) */
  while (c.head) destroy(&c, c.head);
  free(c.buckets);
  free(held);
  return ok ? 0 : 1;
}
