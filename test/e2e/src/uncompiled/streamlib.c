/* streamlib.c — a library with zlib's interface shape: the caller stores the addresses of its
 * buffers in a struct it hands over (z_stream's next_in/next_out), and the library reads
 * them out of that struct. Under Alaska those stored addresses are handles, so the library
 * must be compiled by Alaska too (design.md §4): uncompiled, it dereferences a handle and
 * the runtime stops it with a message (e2e uncompiled_struct); compiled, it runs as
 * natively (e2e variant_struct_lib). */
#include "streamlib.h"

#include <stdlib.h>

struct stream_state {
  unsigned long sum; /* the library's own allocation, reached through the struct as well */
};

int stream_init(stream_t *s) {
  s->state = calloc(1, sizeof *s->state);
  return s->state ? 0 : -1;
}

/* Copy avail_in bytes to next_out, each xored with the running sum; advance both. */
int stream_run(stream_t *s) {
  while (s->avail_in && s->avail_out) {
    unsigned char c = *s->next_in++;
    s->state->sum = s->state->sum * 31 + c;
    *s->next_out++ = (unsigned char)(c ^ s->state->sum);
    s->avail_in--;
    s->avail_out--;
  }
  return 0;
}

unsigned long stream_end(stream_t *s) {
  unsigned long sum = s->state->sum;
  free(s->state);
  s->state = NULL;
  return sum;
}
