/*
 * region.c — the heap region: one MAP_NORESERVE reservation of up to 1 TiB cut into 64 KiB
 * pages, and the parallel array of page descriptors. Core dumps include only the part of
 * both that the pool has handed out (heap_region_in_use).
 */
#include "heap/internal.h"
#include "os/os.h"

uintptr_t alaska_heap_base;
page_t *alaska_pages;
page_t alaska_empty_page; /* kind PAGE_UNUSED, no free blocks, used as "no current page" */

uint64_t alaska_heap_reserve; /* 0 until reserved: heap_contains is false for everything */
uint64_t alaska_heap_pages;

static os_dump_prefix_t heap_dump, desc_dump;

void heap_region_init(void) {
  for (uint64_t size = ALASKA_HEAP_RESERVE_MAX; size >= ALASKA_HEAP_RESERVE_MIN; size /= 4) {
    uint64_t pages = size >> ALASKA_PAGE_SHIFT;
    void *mem = os_reserve(size + ALASKA_PAGE_SIZE);
    void *desc = mem ? os_reserve(pages * sizeof(page_t)) : NULL;
    /* A never-issued id's entry is 0 and names address 2^31 (entry + bias); hfree, resolve
     * and the table's readers reject it as "outside the heap" only if the heap does not
     * contain it. (Kernels place reservations this large far above it.) */
    uintptr_t bias = ALASKA_HANDLE_BIAS;
    if (desc && bias - (uintptr_t)mem < size + ALASKA_PAGE_SIZE)
      alaska_fatal("the kernel placed the heap region over address 2^31, which never-issued "
                   "handles name");
    if (desc) {
      os_exclude_from_dumps(mem, size + ALASKA_PAGE_SIZE);
      os_exclude_from_dumps(desc, pages * sizeof(page_t));
      alaska_pages = desc;
      alaska_heap_pages = pages;
      alaska_heap_base = ((uintptr_t)mem + ALASKA_PAGE_SIZE - 1) & ~(uintptr_t)(ALASKA_PAGE_SIZE - 1);
      alaska_heap_reserve = size;
      heap_dump = (os_dump_prefix_t){alaska_heap_base, size, 0};
      desc_dump = (os_dump_prefix_t){(uintptr_t)desc, pages * sizeof(page_t), 0};
      return;
    }
    if (mem) os_unmap(mem, size + ALASKA_PAGE_SIZE);
  }
  alaska_fatal("cannot reserve the heap region (even 4 GiB of address space, MAP_NORESERVE)");
}

/* Pages [0, pages) have been handed out: include them and their descriptors in core dumps.
 * Called with alaska_heap_lock held. */
void heap_region_in_use(size_t pages) {
  if (os_dump_prefix_covers(&heap_dump, pages << ALASKA_PAGE_SHIFT)) return;
  os_dump_prefix_grow(&heap_dump, pages << ALASKA_PAGE_SHIFT);
  os_dump_prefix_grow(&desc_dump, pages * sizeof(page_t));
}
