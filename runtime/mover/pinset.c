/*
 * pinset.c — the pinned set of a barrier: the ids the stack scan found in pin frames, an
 * open-addressing hash set in mmap'd memory, cleared by generation tags (docs/design.md §6.2).
 * Written only by the barrier initiator while the world is stopped.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mover/barrier.h"
#include "mover/internal.h"
#include "os/os.h"

static uint64_t *pin_table;   /* entry = (tag << 32) | id; empty unless tag == pin_tag */
static size_t pin_capacity;   /* power of two */
static uint32_t pin_tag;
static size_t pin_count;

void pin_table_reset(size_t candidates) {
  size_t want = 1024;
  while (want < candidates * 2) want <<= 1;
  if (want > pin_capacity) {
    if (pin_table) munmap(pin_table, pin_capacity * sizeof *pin_table);
    pin_table = mmap(NULL, want * sizeof *pin_table, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pin_table == MAP_FAILED) {
      alaska_fatal("cannot map the pinned set");
    }
    pin_capacity = want;
    pin_tag = 0;
  }
  if (++pin_tag == 0) { /* tags wrapped: really clear once every 2^32 barriers */
    memset(pin_table, 0, pin_capacity * sizeof *pin_table);
    pin_tag = 1;
  }
  pin_count = 0;
}

static size_t pin_slot(uint32_t id) {
  return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & (pin_capacity - 1);
}

void pin_insert(uint32_t id) {
  uint64_t entry = ((uint64_t)pin_tag << 32) | id;
  for (size_t i = pin_slot(id);; i = (i + 1) & (pin_capacity - 1)) {
    uint64_t e = pin_table[i];
    if (e == entry) return;
    if ((uint32_t)(e >> 32) != pin_tag) {
      pin_table[i] = entry;
      pin_count++;
      return;
    }
  }
}

int alaska_barrier_is_pinned(uint32_t id, void *ctx) {
  (void)ctx;
  uint64_t entry = ((uint64_t)pin_tag << 32) | id;
  for (size_t i = pin_slot(id);; i = (i + 1) & (pin_capacity - 1)) {
    uint64_t e = pin_table[i];
    if (e == entry) return 1;
    if ((uint32_t)(e >> 32) != pin_tag) return 0;
  }
}

size_t alaska_barrier_pinned_count(void) { return pin_count; }
