/* stdio interop: setvbuf with a heap buffer (retained by libc), fwrite/fread/fgets of heap
 * buffers, getline/getdelim growing a heap buffer (libc reallocs it), writev/readv with heap
 * iovec arrays pointing at heap strings, open_memstream, fmemopen over a heap buffer. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/uio.h>
#include "check.h"

int main(void) {
  char path[] = "/tmp/alaska-e2e-stdio-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  FILE *f = fdopen(fd, "w+");
  char *vbuf = malloc(512);
  CHECK(setvbuf(f, vbuf, _IOFBF, 512) == 0);
  for (int i = 0; i < 200; i++) {
    char *line = malloc(64 + i);
    memset(line, 'a' + i % 26, (size_t)(i + 1));
    line[i + 1] = 0;
    fprintf(f, "%d:%s\n", i, line);
    free(line);
  }
  unsigned char *blob = malloc(1000);
  for (int i = 0; i < 1000; i++) blob[i] = (unsigned char)(i * 13);
  fputs("BLOB\n", f);
  CHECK(fwrite(blob, 1, 1000, f) == 1000);
  fflush(f);
  rewind(f);

  char *line = malloc(4); /* deliberately small: getline must realloc it */
  size_t cap = 4;
  ssize_t n;
  long chars = 0; int lines = 0;
  while ((n = getline(&line, &cap, f)) > 0) {
    CHECK((size_t)n == strlen(line));
    if (strcmp(line, "BLOB\n") == 0) break;
    chars += n; lines++;
  }
  printf("getline lines=%d chars=%ld cap>=%d\n", lines, chars, cap >= 202);
  unsigned char *back = malloc(1000);
  CHECK(fread(back, 1, 1000, f) == 1000 && memcmp(back, blob, 1000) == 0);
  rewind(f);
  char *word = NULL; size_t wcap = 0; int fields = 0;
  while (getdelim(&word, &wcap, ':', f) > 0 && fields < 50) fields++;
  printf("getdelim fields=%d last=%.5s\n", fields, word);
  free(word);
  rewind(f);
  char *small = malloc(16);
  CHECK(fgets(small, 16, f) == small);
  printf("fgets '%s'\n", strtok(small, "\n"));
  fclose(f);
  free(vbuf); free(line); free(small); free(back); free(blob);

  /* writev/readv with iovecs in the heap, pointing at heap strings */
  fd = open(path, O_RDWR | O_TRUNC);
  CHECK(fd >= 0);
  struct iovec *iov = malloc(4 * sizeof *iov);
  char *parts[4];
  for (int i = 0; i < 4; i++) {
    parts[i] = malloc(16);
    int len = snprintf(parts[i], 16, "part%d;", i);
    iov[i].iov_base = parts[i];
    iov[i].iov_len = (size_t)len;
  }
  CHECK(writev(fd, iov, 4) == 24);
  lseek(fd, 0, SEEK_SET);
  char *r1 = calloc(1, 13), *r2 = calloc(1, 13);
  iov[0] = (struct iovec){r1, 12};
  iov[1] = (struct iovec){r2, 12};
  CHECK(readv(fd, iov, 2) == 24);
  printf("readv '%s' '%s'\n", r1, r2);
  close(fd);
  unlink(path);
  for (int i = 0; i < 4; i++) free(parts[i]);
  free(iov); free(r1); free(r2);

  char *mem = NULL; size_t memlen = 0; /* libc allocates and reallocs `mem` itself */
  FILE *ms = open_memstream(&mem, &memlen);
  for (int i = 0; i < 100; i++) fprintf(ms, "%d,", i);
  fclose(ms);
  printf("open_memstream len=%zu tail=%s\n", memlen, mem + memlen - 6);
  free(mem);

  char *src = malloc(64);
  strcpy(src, "10 20 30 forty");
  FILE *mf = fmemopen(src, strlen(src), "r");
  int a, b, c; char w[8];
  CHECK(fscanf(mf, "%d %d %d %7s", &a, &b, &c, w) == 4);
  fclose(mf);
  printf("fmemopen %d %s\n", a + b + c, w);
  free(src);
  return 0;
}
