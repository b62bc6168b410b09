#ifndef STREAMLIB_H
#define STREAMLIB_H
#include <stddef.h>

typedef struct stream {
  const unsigned char *next_in;
  size_t avail_in;
  unsigned char *next_out;
  size_t avail_out;
  struct stream_state *state;
} stream_t;

int stream_init(stream_t *s);
int stream_run(stream_t *s);
unsigned long stream_end(stream_t *s);
#endif
