/* text.h — tokenizer (text.c) handing out pointers into a heap copy of the input. */
#ifndef TEXT_H
#define TEXT_H
#include <stddef.h>

typedef struct token { const char *start; size_t len; } token;
typedef struct tokens { token *items; size_t len, cap; char *text; } tokens;

tokens tokenize(const char *text); /* struct returned by value across the TU boundary */
void tokens_free(tokens *t);
char *join_upper(const tokens *t, size_t first, size_t n, char sep);
#endif
