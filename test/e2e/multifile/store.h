/* store.h — a string-keyed counter table (store.c) shared across translation units. */
#ifndef STORE_H
#define STORE_H
#include <stddef.h>

typedef struct record { char *word; long count; struct record *next; } record;
typedef struct store { record **buckets; size_t nbuckets, size; } store;
typedef int (*record_visitor)(const record *r, void *ctx);

store *store_new(size_t nbuckets);
record *store_bump(store *s, const char *word, size_t len);
int store_remove(store *s, const char *word);
int store_visit(const store *s, record_visitor visit, void *ctx);
record **store_sorted(const store *s); /* heap array of record pointers, NULL-terminated */
void store_free(store *s);
extern store *global_store; /* defined in store.c, filled by main.c */
#endif
