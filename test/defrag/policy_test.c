/*
 * policy_test.c — unit tests of the defragmentation policy (runtime/policy/defrag_policy.c):
 * feed it made-up counter readings and step results, check what it decides.
 */
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "policy/defrag_policy.h"

#define MIB (1024ULL * 1024ULL)
#define MS (1000ULL * 1000ULL)

static int failures;
#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
      failures++;                                                                    \
    }                                                                                \
  } while (0)

static defrag_reading_t reading(uint64_t now_ms, uint64_t live, uint64_t committed) {
  return (defrag_reading_t){.now_ns = now_ms * MS, .live_bytes = live, .committed_bytes = committed};
}

/* The configuration the service runs with when no ALASKA_* variable is set (main unsets
 * them): the options table's defaults. */
static void default_config(defrag_config_t *cfg) { defrag_config_from_options(cfg, alaska_options()); }

/* The defaults docs/design.md §7 and docs/env.md document. */
static void test_defaults(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  CHECK(cfg.upper == 1.2 && cfg.lower == 1.02);
  CHECK(cfg.min_excess == 4 * MIB && cfg.budget_bytes == 4 * MIB);
  CHECK(cfg.min_budget_ns == 150 * 1000 && cfg.pause_target_ns == 500 * 1000);
  CHECK(cfg.pause_target_ns == 500 * 1000 && cfg.cpu_cap == 0.05);
  CHECK(cfg.poll_ns == 50 * MS && cfg.max_poll_ns == 1000 * MS);
}

/* A heap below the upper bound is never compacted, and an unchanged heap backs the
 * polling interval off up to max_poll_ns. */
static void test_idle_backs_off(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  uint64_t t = 0, prev_sleep = 0;
  for (int i = 0; i < 20; i++) {
    defrag_reading_t r = reading(t, 100 * MIB, 110 * MIB); /* ratio 1.1 < 1.2 */
    defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
    CHECK(d.action == DEFRAG_SLEEP);
    CHECK(d.sleep_ns >= prev_sleep || i == 0);
    CHECK(d.sleep_ns <= cfg.max_poll_ns);
    prev_sleep = d.sleep_ns;
    t += d.sleep_ns / MS;
  }
  CHECK(prev_sleep == cfg.max_poll_ns);
  /* A change resets the interval to poll_ns. */
  defrag_reading_t r = reading(t, 101 * MIB, 111 * MIB);
  defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_SLEEP && d.sleep_ns == cfg.poll_ns);
  CHECK(p.steps == 0 && p.episodes == 0);
}

/* Tiny heaps never pay, whatever their ratio: the excess is below min_excess. */
static void test_tiny_heap_never_compacts(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  for (int i = 0; i < 10; i++) {
    defrag_reading_t r = reading(i * 50, 256 * 1024, 3 * MIB); /* ratio 12, excess < 4 MiB */
    defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
    CHECK(d.action == DEFRAG_SLEEP);
  }
  /* Nothing live: nothing to move. */
  defrag_reading_t r = reading(1000, 0, 64 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_SLEEP);
  CHECK(p.steps == 0);
}

/* Above the upper bound: compact, pace sleeps to the CPU cap, stop at the lower bound. */
static void test_episode_reaches_lower_bound(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  uint64_t live = 100 * MIB, committed = 250 * MIB, t = 0;
  defrag_reading_t r = reading(t, live, committed);
  defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_COMPACT);
  CHECK(p.state == DEFRAG_ACTIVE && p.episodes == 1);
  int steps = 0;
  while (d.action == DEFRAG_COMPACT && steps < 1000) {
    steps++;
    /* Each step moves the budget and releases 2 MiB. */
    committed -= 2 * MIB;
    defrag_step_result_t s = {.stopped = 1, .bytes_moved = cfg.budget_bytes,
                              .bytes_released = 2 * MIB, .duration_ns = 1 * MS};
    t += 1;
    r = reading(t, live, committed);
    d = defrag_policy_decide(&p, &r, &s);
    if (p.state == DEFRAG_IDLE) break;
    /* Paced: 1 ms pause at a 5 % cap -> 19 ms sleep. */
    CHECK(d.action == DEFRAG_SLEEP);
    CHECK(d.sleep_ns == 19 * MS);
    t += d.sleep_ns / MS;
    r = reading(t, live, committed);
    d = defrag_policy_decide(&p, &r, NULL);
  }
  CHECK(p.state == DEFRAG_IDLE);
  CHECK(!p.stuck);
  CHECK(p.last_ratio <= cfg.lower);
  /* (250 - 102) / 2 = 74 steps to get to <= 102 MiB (lower bound 1.02). */
  CHECK(steps == 74);
  CHECK(p.steps_stopped == 74);
  /* Below the lower bound now: later readings do not restart. */
  r = reading(t + 100, live, committed);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_SLEEP);
  CHECK(p.episodes == 1);
}

/* Hysteresis: between the bounds an episode in progress continues, an idle policy waits. */
static void test_hysteresis(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 115 * MIB); /* 1.15: between the bounds */
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_SLEEP);
  r = reading(50, 100 * MIB, 130 * MIB); /* 1.3: start */
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t s = {.stopped = 1, .bytes_moved = MIB, .bytes_released = 15 * MIB,
                            .duration_ns = MS};
  r = reading(51, 100 * MIB, 115 * MIB); /* 1.15: above lower, keep going */
  defrag_decision_t d = defrag_policy_decide(&p, &r, &s);
  CHECK(d.action == DEFRAG_SLEEP && p.state == DEFRAG_ACTIVE);
  r = reading(70, 100 * MIB, 115 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
}

/* A step that moves and releases nothing ends the episode as stuck; the policy then waits
 * for the cooldown (doubling) or a change of the heap by 1/8 before trying again. */
static void test_stuck_episode_cools_down(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 200 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t nothing = {.stopped = 1, .duration_ns = MS};
  r = reading(1, 100 * MIB, 200 * MIB);
  defrag_decision_t d = defrag_policy_decide(&p, &r, &nothing);
  CHECK(d.action == DEFRAG_SLEEP && p.state == DEFRAG_IDLE && p.stuck);
  /* Unchanged heap during the 1 s cooldown: no compaction. */
  uint64_t t = 1;
  int compacts = 0;
  while (t < 999) {
    t += d.sleep_ns / MS;
    if (t >= 999) break;
    r = reading(t, 100 * MIB, 200 * MIB);
    d = defrag_policy_decide(&p, &r, NULL);
    if (d.action == DEFRAG_COMPACT) compacts++;
    CHECK(d.sleep_ns > 0 || d.action == DEFRAG_COMPACT);
  }
  CHECK(compacts == 0);
  /* After the cooldown: one more try. */
  r = reading(1001, 100 * MIB, 200 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  r = reading(1002, 100 * MIB, 200 * MIB);
  defrag_policy_decide(&p, &r, &nothing);
  CHECK(p.stuck && p.stuck_until_ns == 1002 * MS + 2000 * MS); /* doubled */
  /* A heap that changed by more than 1/8 re-arms at once. */
  r = reading(1100, 130 * MIB, 230 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
}

/* Barriers that cannot stop the world back off exponentially and give up after
 * max_failures in a row. */
static void test_failed_barriers_give_up(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 200 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t busy = {.stopped = 0, .duration_ns = 100000};
  uint64_t prev = 0;
  unsigned tries = 1;
  for (;;) {
    defrag_decision_t d = defrag_policy_decide(&p, &r, &busy);
    CHECK(d.action == DEFRAG_SLEEP);
    if (p.state == DEFRAG_IDLE) break;
    CHECK(d.sleep_ns >= prev);
    prev = d.sleep_ns;
    d = defrag_policy_decide(&p, &r, NULL);
    CHECK(d.action == DEFRAG_COMPACT);
    tries++;
    if (tries > 100) break;
  }
  CHECK(tries == cfg.max_failures);
  CHECK(p.stuck);
  CHECK(p.steps_stopped == 0);
}

/* cpu_cap shapes the pacing sleep. */
static void test_cpu_cap(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  cfg.cpu_cap = 0.5;
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 200 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t s = {.stopped = 1, .bytes_moved = MIB, .bytes_released = MIB,
                            .duration_ns = 3 * MS};
  defrag_decision_t d = defrag_policy_decide(&p, &r, &s);
  CHECK(d.action == DEFRAG_SLEEP && d.sleep_ns == 3 * MS);
}

/* The budget is estimated moving time (heap.h's cost model): scaled by estimated / measured
 * time after each step that moved enough to measure, so the next step's compaction takes
 * about pause_target_ns; within [min_budget_ns, max_budget_ns], growing at most 2x per
 * step. The byte cap is ALASKA_DEFRAG_BUDGET throughout. */
static void test_budget_adapts(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  uint64_t target = cfg.pause_target_ns;
  CHECK(cfg.min_budget_ns < target && cfg.max_budget_ns == 2 * target);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 200 * MIB);
  defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_COMPACT);
  CHECK(d.budget_bytes == cfg.budget_bytes);
  CHECK(d.budget_ns == target); /* the model is trusted until a step says otherwise */
  uint64_t b = d.budget_ns;
  /* The machine moves twice as fast as estimated: twice the budget. */
  defrag_step_result_t quick = {.stopped = 1, .bytes_moved = MIB, .bytes_released = MIB,
                                .estimate_ns = b, .duration_ns = b / 2, .compact_ns = b / 2};
  defrag_policy_decide(&p, &r, &quick);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_COMPACT && d.budget_ns == 2 * target);
  CHECK(d.budget_bytes == cfg.budget_bytes);
  b = d.budget_ns;
  /* Twice slower than estimated: half the target, at once. */
  defrag_step_result_t slow = {.stopped = 1, .bytes_moved = MIB, .bytes_released = MIB,
                               .estimate_ns = b, .duration_ns = 2 * b, .compact_ns = 2 * b};
  defrag_policy_decide(&p, &r, &slow);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_COMPACT && d.budget_ns == target / 2);
  /* As estimated: stays (whatever bytes or classes the step moved). */
  b = d.budget_ns;
  defrag_step_result_t exact = {.stopped = 1, .bytes_moved = 64 * 1024,
                                .estimate_ns = target / 2, .duration_ns = target / 2,
                                .compact_ns = target / 2};
  defrag_policy_decide(&p, &r, &exact);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.budget_ns == target);
  b = d.budget_ns;
  /* A step that moved too little to measure a rate leaves it alone... */
  defrag_step_result_t tiny = {.stopped = 1, .bytes_moved = 4096, .estimate_ns = target / 10,
                               .duration_ns = target / 3, .compact_ns = target / 3};
  defrag_policy_decide(&p, &r, &tiny);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.budget_ns == b);
  /* ... unless it took longer than the target anyway. */
  tiny.compact_ns = 2 * target;
  defrag_policy_decide(&p, &r, &tiny);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.budget_ns == b / 2);
  /* Very slow steps never push it below the floor. */
  for (int i = 0; i < 20; i++) {
    slow.estimate_ns = d.budget_ns;
    slow.compact_ns = 50 * d.budget_ns;
    defrag_policy_decide(&p, &r, &slow);
    d = defrag_policy_decide(&p, &r, NULL);
  }
  CHECK(d.budget_ns == cfg.min_budget_ns);
  /* Very fast steps: doubles per step, up to the ceiling. */
  uint64_t prev = d.budget_ns;
  for (int i = 0; i < 30; i++) {
    defrag_step_result_t fast = {.stopped = 1, .bytes_moved = MIB, .bytes_released = MIB,
                                 .estimate_ns = d.budget_ns, .duration_ns = 1000,
                                 .compact_ns = 1000};
    defrag_policy_decide(&p, &r, &fast);
    d = defrag_policy_decide(&p, &r, NULL);
    CHECK(d.budget_ns <= 2 * prev && d.budget_ns <= cfg.max_budget_ns);
    prev = d.budget_ns;
  }
  CHECK(d.budget_ns == cfg.max_budget_ns);
  /* A barrier that did not stop the world says nothing about the budget. */
  defrag_step_result_t busy = {.stopped = 0, .duration_ns = 100000};
  defrag_policy_decide(&p, &r, &busy);
  d = defrag_policy_decide(&p, &r, NULL);
  CHECK(d.action == DEFRAG_COMPACT && d.budget_ns == cfg.max_budget_ns);
}

/* An episode that cannot get below the lower bound but is below the trigger ends normally:
 * no cooldown, and the next episode starts only above the upper bound. */
static void test_partial_progress_is_not_stuck(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 150 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t some = {.stopped = 1, .bytes_moved = MIB, .bytes_released = 45 * MIB,
                               .duration_ns = MS, .compact_ns = MS};
  r = reading(1, 100 * MIB, 105 * MIB); /* 1.05: between lower (1.02) and upper */
  CHECK(defrag_policy_decide(&p, &r, &some).action == DEFRAG_SLEEP);
  r = reading(30, 100 * MIB, 105 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  defrag_step_result_t nothing = {.stopped = 1, .duration_ns = MS, .compact_ns = MS};
  r = reading(31, 100 * MIB, 105 * MIB);
  defrag_policy_decide(&p, &r, &nothing);
  CHECK(p.state == DEFRAG_IDLE && !p.stuck);
  /* Idle between the bounds: no more steps, however long. */
  for (uint64_t t = 100; t < 100000; t += 500) {
    r = reading(t, 100 * MIB, 105 * MIB);
    CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_SLEEP);
  }
  /* Above the trigger again: at once (no cooldown pending). */
  r = reading(100001, 100 * MIB, 130 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  CHECK(p.episodes == 2);
}

/* A program freeing its heap fast (live falling at more than half of itself per second,
 * e.g. a cache torn down before exit) is left alone, fragmented or not; an episode waits
 * meanwhile, still active, and goes on once live stops falling (below the trigger too). */
static void test_shrinking_heap_is_left_alone(void) {
  defrag_config_t cfg;
  default_config(&cfg);
  defrag_policy_t p;
  defrag_policy_init(&p, &cfg);
  defrag_reading_t r = reading(0, 100 * MIB, 110 * MIB); /* 1.1: below the trigger */
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_SLEEP);
  uint64_t live = 100 * MIB;
  for (int i = 1; i <= 5; i++) {
    live = live * 3 / 4; /* -25 % per reading, committed stays: the ratio climbs past 4 */
    r = reading((uint64_t)i * 50, live, 110 * MIB);
    defrag_decision_t d = defrag_policy_decide(&p, &r, NULL);
    CHECK(d.action == DEFRAG_SLEEP && d.sleep_ns == cfg.poll_ns);
  }
  CHECK(p.episodes == 0 && p.steps == 0);
  /* Settled (same live as the last reading): fragmented, so compact now. */
  r = reading(300, live, 110 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  CHECK(p.episodes == 1);
  /* During the episode the program starts freeing fast again: the episode waits. */
  defrag_step_result_t some = {.stopped = 1, .bytes_moved = MIB, .bytes_released = MIB,
                               .duration_ns = MS, .compact_ns = MS};
  r = reading(301, live / 2, 109 * MIB);
  defrag_decision_t d = defrag_policy_decide(&p, &r, &some);
  CHECK(d.action == DEFRAG_SLEEP && d.sleep_ns == cfg.poll_ns);
  CHECK(p.state == DEFRAG_ACTIVE && !p.stuck);
  /* Settled again: the same episode goes on at once. */
  r = reading(351, live / 2, 109 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  CHECK(p.episodes == 1);
  /* Slow shrinking (2 % in 100 ms = 0.2/s) does not hold an episode back. */
  r = reading(451, live / 2 - live / 100, 108 * MIB);
  CHECK(defrag_policy_decide(&p, &r, &some).action == DEFRAG_SLEEP); /* CPU-cap pacing */
  CHECK(p.state == DEFRAG_ACTIVE);
  /* The same drop within 10 ms (2/s) does. */
  uint64_t l2 = live / 2 - live / 100;
  r = reading(452, l2, 108 * MIB);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  r = reading(462, l2 - l2 / 50, 108 * MIB);
  d = defrag_policy_decide(&p, &r, &some);
  CHECK(d.action == DEFRAG_SLEEP && p.state == DEFRAG_ACTIVE && !p.stuck);
  /* An episode paused that way resumes below the trigger: 1.13 is above the lower bound. */
  uint64_t l3 = l2 - l2 / 50;
  r = reading(562, l3, l3 + l3 * 13 / 100);
  CHECK(defrag_policy_decide(&p, &r, NULL).action == DEFRAG_COMPACT);
  CHECK(p.episodes == 1);
}

int main(void) {
  /* The documented defaults, whatever the caller's environment holds. */
#define ALASKA_OPTION(field, name, type, dflt, min, max, doc) unsetenv(#name);
#include "options.inc"
#undef ALASKA_OPTION
  test_defaults();
  test_idle_backs_off();
  test_tiny_heap_never_compacts();
  test_episode_reaches_lower_bound();
  test_hysteresis();
  test_stuck_episode_cools_down();
  test_failed_barriers_give_up();
  test_cpu_cap();
  test_budget_adapts();
  test_partial_progress_is_not_stuck();
  test_shrinking_heap_is_left_alone();
  if (failures) {
    fprintf(stderr, "policy_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("policy_test: ok\n");
  return 0;
}
