/* Bad input: every case must exit non-zero with a clear `alaska: ...` message (checked by
 * re-running this binary per case and reading its stderr), or return NULL + errno where
 * malloc would. */
#include <alaska.h>
#include <dlfcn.h>

#include "harness.h"
#include "heap/internal.h"

static const char *self;

static void case_double_free(void) {
  void *h = halloc(32);
  hfree(h);
  hfree(h);
}
static void case_double_free_large(void) {
  void *h = halloc(1 << 20);
  hfree(h);
  hfree(h);
}
static void case_free_interior_handle(void) {
  char *h = halloc(32);
  hfree(h + 8);
}
static void case_free_never_issued_id(void) { hfree(alaska_make_handle(0x7ffffff0u, 0)); }
static void case_free_id_zero(void) { hfree(alaska_make_handle(0, 0)); }
static void case_free_stack_pointer(void) {
  char buf[64];
  memset(buf, 0, sizeof buf); /* no chunk header glibc could have written */
  hfree(buf + 16);
}
static void case_free_misaligned(void) {
  char *sys = strdup("a system allocation");
  hfree(sys + 1);
}
static void case_free_interior_raw(void) {
  char *raw = alaska_translate(halloc(64));
  hfree(raw + 8);
}
static void case_translate_freed(void) {
  void *h = halloc(32);
  hfree(h);
  alaska_translate(h);
}
static void case_use_freed_inline(void) {
  int *h = halloc(32);
  hfree(h);
  volatile int *p = alaska_translate_inline(h); /* what compiled code does */
  *p = 1;
}
static void case_untranslated_deref(void) {
  volatile int *h = halloc(32);
  *h = 1; /* a handle used as an address: non-canonical */
}
static void case_table_exhaustion(void) {
  for (int i = 0; i < 100000; i++) halloc(16);
}
/* more than any system can map (4 GiB and more is fine now: a system allocation, §1) */
static void case_new_out_of_memory(void) { alaska_new((size_t)1 << 62); }
static void case_second_runtime(void) {
  /* a second copy of the runtime (different file, same code) must refuse to start */
  char path[4096];
  const char *lib = getenv("ALASKA_TEST_LIB");
  CHECK(lib != NULL);
  snprintf(path, sizeof path, "/tmp/alaska-second-copy-%d.so", (int)getpid());
  char cmd[8400];
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", lib, path);
  CHECK(system(cmd) == 0);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  unlink(path);
  fprintf(stderr, "second copy loaded: %p\n", h);
}
static void case_bad_env(void) { halloc(1); }

static const harness_case_t cases[] = {
    {"double_free", case_double_free},
    {"double_free_large", case_double_free_large},
    {"free_interior_handle", case_free_interior_handle},
    {"free_never_issued_id", case_free_never_issued_id},
    {"free_id_zero", case_free_id_zero},
    {"free_stack_pointer", case_free_stack_pointer},
    {"free_interior_raw", case_free_interior_raw},
    {"free_misaligned", case_free_misaligned},
    {"translate_freed", case_translate_freed},
    {"use_freed_inline", case_use_freed_inline},
    {"untranslated_deref", case_untranslated_deref},
    {"table_exhaustion", case_table_exhaustion},
    {"new_out_of_memory", case_new_out_of_memory},
    {"second_runtime", case_second_runtime},
    {"bad_env", case_bad_env},
    {NULL, NULL},
};

static void test_death_cases(void) {
  expect_failure(self, "double_free", NULL, "alaska: double free of handle 0x8");
  expect_failure(self, "double_free_large", NULL, "alaska: double free of handle 0x8");
  expect_failure(self, "free_interior_handle", NULL, "alaska: free of invalid pointer 0x8");
  expect_failure(self, "free_never_issued_id", NULL, "alaska: free of invalid pointer 0xfffffff080000000");
  expect_failure(self, "free_id_zero", NULL, "alaska: free of invalid pointer 0x8000000080000000");
  expect_failure(self, "free_stack_pointer", NULL, "alaska: free of invalid pointer");
  expect_failure(self, "free_interior_raw", NULL, "alaska: free of invalid pointer");
  expect_failure(self, "free_misaligned", NULL, "alaska: free of invalid pointer");
  expect_failure(self, "translate_freed", NULL, "alaska: use of freed handle 0x8");
  expect_failure(self, "use_freed_inline", NULL, "alaska: use of freed handle (fault at 0x8");
  expect_failure(self, "untranslated_deref", NULL, "alaska: segmentation fault on a non-canonical address");
  expect_failure(self, "table_exhaustion", "ALASKA_MAX_HANDLES=5000",
                 "alaska: handle table exhausted: all 5000 handle ids are in use");
  expect_failure(self, "new_out_of_memory", NULL, "alaska: out of memory in operator new");
  expect_failure(self, "second_runtime", NULL,
                 "alaska: another Alaska runtime already owns the handle table");
  expect_failure(self, "bad_env", "ALASKA_MAX_HANDLES=0",
                 "alaska: ALASKA_MAX_HANDLES=0 is not a number in [1, 2147483647]");
  expect_failure(self, "bad_env", "ALASKA_MAX_HANDLES=lots",
                 "alaska: ALASKA_MAX_HANDLES=lots is not a number in [1, 2147483647]");
}

/* Every malformed option: the one message of docs/env.md, alone on stderr, and exit 1 (at
 * start-up, before main). One or more cases per option type of runtime/options.inc. */
static void test_malformed_options(void) {
  static const struct {
    const char *env, *line;
  } bad[] = {
      /* int: not digits, out of range, negative, overflowing */
      {"ALASKA_STRESS_MS=abc", "alaska: ALASKA_STRESS_MS=abc is not a number in [1, 100000]"},
      {"ALASKA_BARRIER_TIMEOUT_US=0",
       "alaska: ALASKA_BARRIER_TIMEOUT_US=0 is not a number in [1, 60000000]"},
      {"ALASKA_TRACE_MS=3600001", "alaska: ALASKA_TRACE_MS=3600001 is not a number in [1, 3600000]"},
      {"ALASKA_STRESS_EVERY=-1",
       "alaska: ALASKA_STRESS_EVERY=-1 is not a number in [0, 1099511627776]"},
      {"ALASKA_MAX_HANDLES=99999999999999999999",
       "alaska: ALASKA_MAX_HANDLES=99999999999999999999 is not a number in [1, 2147483647]"},
      {"ALASKA_MAX_HANDLES=12 ", "alaska: ALASKA_MAX_HANDLES=12  is not a number in [1, 2147483647]"},
      /* double: not a number, out of range */
      {"ALASKA_DEFRAG_UPPER=high", "alaska: ALASKA_DEFRAG_UPPER=high is not a number in [1, 1000]"},
      {"ALASKA_DEFRAG_POLL_MS=0.5", "alaska: ALASKA_DEFRAG_POLL_MS=0.5 is not a number in [1, 60000]"},
      {"ALASKA_DEFRAG_PAUSE_US=1e7",
       "alaska: ALASKA_DEFRAG_PAUSE_US=1e7 is not a number in [10, 1000000]"},
      {"ALASKA_DEFRAG_UPPER=1.5.", "alaska: ALASKA_DEFRAG_UPPER=1.5. is not a number in [1, 1000]"},
      /* fraction: a percentage out of range, a bad percentage */
      {"ALASKA_DEFRAG_CPU=200%",
       "alaska: ALASKA_DEFRAG_CPU=200% is not a number in [0.001, 1] or a percentage"},
      {"ALASKA_DEFRAG_CPU=5%%",
       "alaska: ALASKA_DEFRAG_CPU=5%% is not a number in [0.001, 1] or a percentage"},
      /* bytes: bad suffix, below the minimum, above the maximum */
      {"ALASKA_DEFRAG_BUDGET=4Q",
       "alaska: ALASKA_DEFRAG_BUDGET=4Q is not a byte count in [4K, 1T] (K/M/G/T suffixes)"},
      {"ALASKA_DEFRAG_BUDGET=1K",
       "alaska: ALASKA_DEFRAG_BUDGET=1K is not a byte count in [4K, 1T] (K/M/G/T suffixes)"},
      {"ALASKA_DEFRAG_MIN_EXCESS=2T",
       "alaska: ALASKA_DEFRAG_MIN_EXCESS=2T is not a byte count in [0, 1T] (K/M/G/T suffixes)"},
      /* bool */
      {"ALASKA_DEFRAG=yes", "alaska: ALASKA_DEFRAG=yes is not 0 or 1"},
      {"ALASKA_STRESS=2", "alaska: ALASKA_STRESS=2 is not 0 or 1"},
      /* signal: a forbidden one, out of range, a bad name */
      {"ALASKA_SIGNAL=9",
       "alaska: ALASKA_SIGNAL=9 is not a signal number in [1, SIGRTMAX] other than SIGKILL, "
       "SIGSTOP, SIGSEGV"},
      {"ALASKA_SIGNAL=SIGRTMIN+99",
       "alaska: ALASKA_SIGNAL=SIGRTMIN+99 is not a signal number in [1, SIGRTMAX] other than "
       "SIGKILL, SIGSTOP, SIGSEGV"},
      {"ALASKA_SIGNAL=SIGUSR1",
       "alaska: ALASKA_SIGNAL=SIGUSR1 is not a signal number in [1, SIGRTMAX] other than "
       "SIGKILL, SIGSTOP, SIGSEGV"},
      /* the constraint between two rows */
      {"ALASKA_DEFRAG_LOWER=1.5",
       "alaska: ALASKA_DEFRAG_LOWER=1.5 is not <= ALASKA_DEFRAG_UPPER=1.2"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect_exit1_line(self, "bad_env", bad[i].env, bad[i].line);
  /* well-formed values of each type start normally */
  static const char *good[] = {
      "ALASKA_STRESS_MS=7",       "ALASKA_STRESS_EVERY=0",     "ALASKA_MAX_HANDLES=",
      "ALASKA_DEFRAG_UPPER=1.5",  "ALASKA_DEFRAG_UPPER=1.02",  "ALASKA_DEFRAG_PAUSE_US=2e3",
      "ALASKA_DEFRAG_CPU=5%",     "ALASKA_DEFRAG_CPU=.25",     "ALASKA_DEFRAG_BUDGET=64k",
      "ALASKA_DEFRAG_MIN_EXCESS=1T", "ALASKA_DEFRAG=0",        "ALASKA_SIGNAL=SIGRTMIN+3",
      "ALASKA_SIGNAL=40",         "ALASKA_STATS=0",            "ALASKA_TRACE=/dev/null",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    expect_success(self, "bad_env", good[i]);
}

/* ENOMEM only when the system says so (huge requests go to glibc; test_huge.c covers the
 * ones it grants). */
static void test_malloc_like_failures(void) {
  const size_t impossible = (size_t)1 << 62;
  errno = 0;
  CHECK(halloc(impossible) == NULL && errno == ENOMEM);
  errno = 0;
  CHECK(halloc(SIZE_MAX) == NULL && errno == ENOMEM);
  errno = 0;
  CHECK(hcalloc(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
  errno = 0;
  CHECK(hcalloc((size_t)1 << 32, (size_t)1 << 32) == NULL && errno == ENOMEM);
  void *h = halloc(10);
  errno = 0;
  CHECK(hrealloc(h, impossible) == NULL && errno == ENOMEM);
  CHECK(alaska_translate(h) != NULL); /* the old object survives a failed realloc */
  hfree(h);
  void *out = (void *)1;
  CHECK_EQ(alaska_posix_memalign(&out, 64, impossible), ENOMEM);
  CHECK(alaska_new_nothrow(impossible) == NULL);
}

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  self = argv[0];
  RUN(test_malloc_like_failures);
  RUN(test_death_cases);
  RUN(test_malformed_options);
  return 0;
}
