// staticbuf.c — code whose hot loops never see a malloc pointer (issue 14: a QR encoder,
// a regex matcher), as in small embedded-style benchmark suites: a bump allocator hands out
// pieces of a static array, a static global holds the frame being worked on and is reloaded
// after every byte store (a char store may alias the global pointer itself), and a
// backtracking matcher runs over static strings through static functions. Every pointer
// here is raw; what Alaska costs here is instrumentation only. Prints a checksum.
#include <stdio.h>
#include <string.h>

enum { WIDTH = 121, FRAME = WIDTH * WIDTH, ROUNDS = 1400 };

static unsigned char arena[1 << 16];
static unsigned arena_used;

static unsigned char *arena_alloc(unsigned n) {
  unsigned char *p = arena + arena_used;
  arena_used += (n + 15) & ~15u;
  return p;
}

static unsigned char *frame, *mask, *best; // set once from arena_alloc
static int width;

__attribute__((noinline)) static void apply_mask(int m) {
  for (int y = 0; y < width; y++)
    for (int x = 0; x < width; x++) {
      int bit;
      switch (m & 3) {
      case 0: bit = (x + y) & 1; break;
      case 1: bit = y & 1; break;
      case 2: bit = (x % 3) == 0; break;
      default: bit = ((x * y) % 3 + (x + y)) & 1; break;
      }
      if (!mask[y * width + x]) frame[y * width + x] ^= (unsigned char)bit;
    }
}

__attribute__((noinline)) static int penalty(void) {
  int score = 0;
  for (int y = 0; y < width; y++) {
    int run = 1;
    for (int x = 1; x < width; x++) {
      if (frame[y * width + x] == frame[y * width + x - 1]) {
        if (++run == 5) score += 3;
        else if (run > 5) score++;
      } else
        run = 1;
    }
  }
  for (int y = 0; y + 1 < width; y++)
    for (int x = 0; x + 1 < width; x++) {
      unsigned char c = frame[y * width + x];
      if (c == frame[y * width + x + 1] && c == frame[(y + 1) * width + x] &&
          c == frame[(y + 1) * width + x + 1])
        score += 3;
    }
  return score;
}

static unsigned qr_rounds(void) {
  width = WIDTH;
  frame = arena_alloc(FRAME);
  mask = arena_alloc(FRAME);
  best = arena_alloc(FRAME);
  unsigned seed = 12345, total = 0;
  for (int i = 0; i < FRAME; i++) {
    seed = seed * 1103515245u + 12345u;
    frame[i] = (seed >> 16) & 1;
    mask[i] = (i % 11) == 0;
  }
  int best_score = 1 << 30;
  for (int r = 0; r < ROUNDS; r++) {
    apply_mask(r);
    int s = penalty();
    if (s < best_score) {
      best_score = s;
      memcpy(best, frame, FRAME);
    }
    total = total * 31 + (unsigned)s;
  }
  for (int i = 0; i < FRAME; i++) total += best[i] * (unsigned)(i & 7);
  return total;
}

// A small backtracking matcher (., *, ^, $, character classes [a-z]) over static text.
static int match_here(const char *re, const char *text);

static int match_class(const char *re, char c, const char **end) {
  int neg = re[1] == '^', hit = 0;
  const char *p = re + 1 + neg;
  for (; *p && *p != ']'; p++) {
    if (p[1] == '-' && p[2] && p[2] != ']') {
      if (c >= p[0] && c <= p[2]) hit = 1;
      p += 2;
    } else if (*p == c)
      hit = 1;
  }
  *end = *p ? p + 1 : p;
  return c && (hit != neg);
}

static int match_one(const char *re, char c, const char **next) {
  if (*re == '[') return match_class(re, c, next);
  *next = re + 1;
  return c && (*re == '.' || *re == c);
}

static int match_star(const char *re, const char *after, const char *text) {
  do {
    if (match_here(after, text)) return 1;
  } while (*text && match_one(re, *text++, &(const char *){0}));
  return 0;
}

static int match_here(const char *re, const char *text) {
  for (;;) {
    if (re[0] == 0) return 1;
    if (re[0] == '$' && re[1] == 0) return *text == 0;
    const char *next;
    int ok = match_one(re, *text, &next);
    if (*next == '*') return match_star(re, next + 1, text);
    if (!ok) return 0;
    re = next;
    text++;
  }
}

static int match(const char *re, const char *text) {
  if (re[0] == '^') return match_here(re + 1, text);
  do {
    if (match_here(re, text)) return 1;
  } while (*text++);
  return 0;
}

static const char *const patterns[] = {"^a.*z$", "[0-9][0-9]*-[a-f]*x", "handle*s", "o.b.j",
                                       "^[^q]*q[a-m]*$", "t.*a.*b.*l.*e"};
static char corpus[64][96];

static unsigned regex_rounds(void) {
  unsigned seed = 777;
  for (int i = 0; i < 64; i++) {
    for (int j = 0; j < 95; j++) {
      seed = seed * 1103515245u + 12345u;
      corpus[i][j] = "abcdefghijklmnopqrstuvwxyz0123456789-xq"[(seed >> 16) % 39];
    }
    corpus[i][(i * 7) % 60 + 30] = 0;
  }
  unsigned hits = 0;
  for (int r = 0; r < 1500; r++)
    for (int i = 0; i < 64; i++)
      for (unsigned p = 0; p < sizeof patterns / sizeof *patterns; p++)
        hits += (unsigned)match(patterns[p], corpus[(i + r) & 63] + (r % 5)) * (p + 1);
  return hits;
}

int main(void) {
  unsigned q = qr_rounds();
  unsigned m = regex_rounds();
  printf("staticbuf: qr %u regex %u\n", q, m);
  return 0;
}
