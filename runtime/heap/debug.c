/*
 * debug.c — `alaska_debug_descriptor`: where a debugger finds the handle table, the heap, the
 * counters, and how the runtime's structures are laid out. The gdb extension
 * (gdb/alaska.py) reads only this and the memory it points at, so it needs neither debug
 * info for the runtime nor a function call into the inferior (it works on core files), and
 * it follows layout changes: every offset and size below comes from the compiler.
 *
 * Format (fixed; a debugger checks magic and version): a header, then `count` entries of
 * {name, value, size}. Name forms:
 *   "table_base" ...   constants; size 0
 *   "&heap_base" ...   address of a runtime variable; size = its size in bytes
 *   "page_t" ...       a type; value = its size
 *   "page.kind" ...    a field; value = offset in its struct, size = field size
 * Adding an entry needs no version change; changing the meaning of an existing one (a field
 * that now holds something else, a different slot-map encoding) must bump
 * ALASKA_DEBUG_VERSION, and gdb/alaska.py with it.
 */
#include <stddef.h>

#include "heap/internal.h"
#include "heap/stats.h"

#define ALASKA_DEBUG_MAGIC 0x4244414b53414c41ULL /* the bytes "ALASKADB" */
#define ALASKA_DEBUG_VERSION 1

typedef struct alaska_debug_entry {
  const char *name;
  uint64_t value;
  uint64_t size;
} alaska_debug_entry_t;

typedef struct alaska_debug_descriptor {
  uint64_t magic;
  uint32_t version;
  uint32_t entry_size; /* sizeof(alaska_debug_entry_t) */
  uint64_t count;
  const alaska_debug_entry_t *entries;
} alaska_debug_descriptor_t;

/* Class sizes as the heap computes them, filled at load time (before main, so also in core
 * files of crashed programs): a debugger needs them for live bytes per class. */
static uint32_t class_sizes[ALASKA_NUM_CLASSES];
__attribute__((constructor)) static void debug_class_sizes(void) {
  for (unsigned cls = 0; cls < ALASKA_NUM_CLASSES; cls++)
    class_sizes[cls] = (uint32_t)alaska_class_size(cls);
}

#define CONST(name, v) {name, (uint64_t)(v), 0}
#define VAR(name, var) {"&" name, (uint64_t)(uintptr_t)&(var), sizeof(var)}
#define TYPE(t) {#t, sizeof(t), 0}
#define FIELD(prefix, t, f) {prefix "." #f, offsetof(t, f), sizeof(((t *)0)->f)}

/* Not const (like the descriptor): .data is in every core file, whatever the dump filter. */
static alaska_debug_entry_t entries[] = {
    CONST("abi_version", ALASKA_ABI_VERSION),
    CONST("table_base", ALASKA_TABLE_BASE),
    CONST("table_entries", ALASKA_TABLE_ENTRIES),
    CONST("poison_base", ALASKA_POISON_BASE),
    CONST("poison_bytes", ALASKA_POISON_BYTES),
    CONST("id_bits", ALASKA_ID_BITS),
    CONST("offset_bits", ALASKA_OFFSET_BITS),
    CONST("handle_bias", ALASKA_HANDLE_BIAS),
    CONST("pin_frame_tag", ALASKA_PIN_FRAME_TAG),
    CONST("pin_frame_count_bits", ALASKA_PIN_FRAME_COUNT_BITS),
    CONST("pin_frame_header_words", ALASKA_PIN_FRAME_HEADER_WORDS),
    CONST("page_shift", ALASKA_PAGE_SHIFT),
    CONST("small_max", ALASKA_SMALL_MAX),
    CONST("num_classes", ALASKA_NUM_CLASSES),
    CONST("id_publish_slack", ALASKA_ID_PUBLISH_SLACK),
    CONST("peak_untracked", ALASKA_PEAK_UNTRACKED),
    CONST("slot_pin_bit", ALASKA_PIN_BIT),
    CONST("slot_entry_bytes", sizeof(((page_t *)0)->ids[0])), /* slot->id map entries */
    CONST("kind.unused", PAGE_UNUSED),
    CONST("kind.free", PAGE_FREE),
    CONST("kind.free_tail", PAGE_FREE_TAIL),
    CONST("kind.small", PAGE_SMALL),
    CONST("kind.large", PAGE_LARGE),
    CONST("kind.large_tail", PAGE_LARGE_TAIL),

    VAR("heap_base", alaska_heap_base),
    VAR("heap_reserve", alaska_heap_reserve),
    VAR("heap_pages", alaska_heap_pages),
    VAR("pages", alaska_pages),
    VAR("all_caches", alaska_all_caches),
    VAR("pool_bump", pool_bump),
    VAR("id_bump", id_bump),
    VAR("class_sizes", class_sizes),
    VAR("stat.committed_pages", alaska_stat_committed_pages),
    VAR("stat.pages_released", alaska_stat_pages_released),
    VAR("stat.objects_moved", alaska_stat_objects_moved),
    VAR("stat.bytes_moved", alaska_stat_bytes_moved),
    VAR("handles_published_peak", handles_published_peak),

    TYPE(page_t),
    FIELD("page", page_t, start),
    FIELD("page", page_t, ids),
    FIELD("page", page_t, owner),
    FIELD("page", page_t, used),
    FIELD("page", page_t, bump),
    FIELD("page", page_t, capacity),
    FIELD("page", page_t, block_size),
    FIELD("page", page_t, size_class),
    FIELD("page", page_t, kind),
    FIELD("page", page_t, dirty),
    FIELD("page", page_t, pinned),
    FIELD("page", page_t, span_pages),
    FIELD("page", page_t, span_head),
    FIELD("page", page_t, large_id),
    FIELD("page", page_t, large_offset),
    FIELD("page", page_t, large_size),

    TYPE(cache_t),
    FIELD("cache", cache_t, cls_alloc),
    FIELD("cache", cache_t, cls_free),
    FIELD("cache", cache_t, large_alloc),
    FIELD("cache", cache_t, large_free),
    FIELD("cache", cache_t, realloc_moves),
    FIELD("cache", cache_t, large_live_bytes),
    FIELD("cache", cache_t, handles_peak),
    FIELD("cache", cache_t, next_all),
    FIELD("cache", cache_t, alive),
};

/* The one symbol a debugger looks up. */
ALASKA_API __attribute__((used)) alaska_debug_descriptor_t alaska_debug_descriptor = {
    ALASKA_DEBUG_MAGIC, ALASKA_DEBUG_VERSION, sizeof(alaska_debug_entry_t),
    sizeof entries / sizeof entries[0], entries,
};
