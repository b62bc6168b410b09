/* A program handing a library a struct that holds its heap buffers' addresses (like zlib's
 * z_stream): see uncompiled/streamlib.c for the two ways this is built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uncompiled/streamlib.h"

int main(void) {
  unsigned long total = 0;
  for (int round = 0; round < 3000; round++) {
    size_t n = 64 + (size_t)(round % 500) * 7;
    unsigned char *in = malloc(n), *out = malloc(n);
    stream_t *s = calloc(1, sizeof *s);
    if (!in || !out || !s || stream_init(s) != 0) return 1;
    for (size_t i = 0; i < n; i++) in[i] = (unsigned char)(i * 13 + round);
    s->next_in = in;
    s->avail_in = n;
    s->next_out = out;
    s->avail_out = n / 2; /* two calls, as a caller of a compressor refills its output */
    stream_run(s);
    if (s->avail_in != n - n / 2 || s->next_out != out + n / 2) return 2;
    s->avail_out = n - n / 2;
    stream_run(s);
    if (s->avail_in != 0 || s->next_in != in + n) return 3;
    unsigned long sum = stream_end(s);
    for (size_t i = 0; i < n; i++) total = total * 7 + out[i];
    total ^= sum;
    free(in);
    free(out);
    free(s);
  }
  printf("checksum %lu\n", total);
  return 0;
}
