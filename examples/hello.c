/* hello.c — the smallest tour of Alaska: every malloc below returns a *handle*, and the
 * program neither knows nor cares. Built by `meson compile` with build/compiler/driver/
 * alaska-clang; run `ALASKA_STATS=1 build/examples/hello` to see the runtime's counters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct greeting { char *text; struct greeting *next; } greeting;

static greeting *prepend(greeting *list, const char *word) {
  greeting *g = malloc(sizeof *g);
  g->text = strdup(word);
  g->next = list;
  return g;
}

int main(void) {
  const char *words[] = {"Alaska!", "from", "hello"};
  greeting *list = NULL;
  for (int i = 0; i < 3; i++) list = prepend(list, words[i]);

  size_t len = 1;
  for (greeting *g = list; g; g = g->next) len += strlen(g->text) + 1;
  char *line = calloc(len, 1);
  for (greeting *g = list; g; g = g->next) {
    strcat(line, g->text);
    if (g->next) strcat(line, " ");
  }
  char *bang = strchr(line, '!'); /* libc returns a pointer into our (handle) buffer */
  printf("%s\n", line);
  printf("%zu characters, '!' at offset %td, heap pointers are %s\n", strlen(line), bang - line,
         ((uintptr_t)line >> 63) ? "Alaska handles" : "plain addresses");

  while (list) {
    greeting *next = list->next;
    free(list->text);
    free(list);
    list = next;
  }
  free(line);
  return 0;
}
