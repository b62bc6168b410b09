/*
 * list.h — the runtime's one intrusive doubly-linked list: a cache's partial and full pages,
 * the abandoned pages, the page pool's bins of free spans, the thread registry.
 *
 * An element type has `next` and `prev` pointers to its own type; a list is a head and a
 * tail. ALASKA_LIST_DEFINE(name, type) defines `name##_t` and, for it, name##_push_front,
 * name##_push_back and name##_remove (O(1) each). Invariants: an empty list has
 * head == tail == NULL; head->prev == NULL and tail->next == NULL; an element is on at most
 * one list (its owner knows which: page_t::where, the registry lock); remove leaves the
 * element's links NULL. Walkers that remove read `next` first.
 */
#ifndef ALASKA_RUNTIME_HEAP_LIST_H
#define ALASKA_RUNTIME_HEAP_LIST_H

#include <stddef.h>

#define ALASKA_LIST_DEFINE(name, type)                                                    \
  typedef struct name {                                                                   \
    type *head, *tail;                                                                    \
  } name##_t;                                                                             \
  static inline void name##_push_front(name##_t *l, type *e) {                            \
    e->prev = NULL;                                                                       \
    e->next = l->head;                                                                    \
    if (l->head) l->head->prev = e;                                                       \
    else l->tail = e;                                                                     \
    l->head = e;                                                                          \
  }                                                                                       \
  static inline void name##_push_back(name##_t *l, type *e) {                             \
    e->next = NULL;                                                                       \
    e->prev = l->tail;                                                                    \
    if (l->tail) l->tail->next = e;                                                       \
    else l->head = e;                                                                     \
    l->tail = e;                                                                          \
  }                                                                                       \
  static inline void name##_remove(name##_t *l, type *e) {                                \
    if (e->prev) e->prev->next = e->next;                                                 \
    else l->head = e->next;                                                               \
    if (e->next) e->next->prev = e->prev;                                                 \
    else l->tail = e->prev;                                                               \
    e->next = e->prev = NULL;                                                             \
  }

#endif /* ALASKA_RUNTIME_HEAP_LIST_H */
