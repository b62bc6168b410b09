/*
 * defrag_policy.c — when to compact and how long to sleep (docs/design.md §7).
 *
 * Pure: no clock, no threads, no runtime state, so test/defrag can drive it with made-up
 * readings. The service (defrag.c) feeds it the runtime's counters and runs the steps.
 */
#include "policy/defrag_policy.h"

#define US 1000ULL
#define MS (1000ULL * 1000ULL)
/* Live bytes falling faster than this fraction of themselves per second = the program is
 * freeing its heap (a teardown frees everything in well under a second, loaded or not). */
#define SHRINK_RATE 0.5

void defrag_config_from_options(defrag_config_t *cfg, const alaska_options_t *o) {
  /* ALASKA_DEFRAG_* (their defaults are options.inc's, not repeated here). */
  cfg->upper = o->defrag_upper;
  cfg->lower = o->defrag_lower;
  cfg->min_excess = o->defrag_min_excess;
  cfg->budget_bytes = o->defrag_budget;
  cfg->pause_target_ns = (uint64_t)(o->defrag_pause_us * 1e3);
  cfg->cpu_cap = o->defrag_cpu;
  cfg->poll_ns = (uint64_t)(o->defrag_poll_ms * 1e6);
  /* Fixed constants (docs/design.md §7), kept consistent with the options above. */
  cfg->min_budget_ns = 150 * US; /* a quarter page of 16-byte objects (1024 x 0.15 us) */
  cfg->max_budget_ns = 2 * cfg->pause_target_ns;
  if (cfg->max_budget_ns < cfg->min_budget_ns) cfg->max_budget_ns = cfg->min_budget_ns;
  cfg->max_poll_ns = 1000 * MS;
  if (cfg->max_poll_ns < cfg->poll_ns) cfg->max_poll_ns = cfg->poll_ns;
  cfg->retry_ns = 1 * MS;
  cfg->max_failures = 10;
  cfg->cooldown_ns = 1000 * MS;
  cfg->max_cooldown_ns = 64000 * MS;
}

double defrag_ratio(uint64_t live_bytes, uint64_t committed_bytes) {
  if (live_bytes == 0) return 0.0;
  return (double)committed_bytes / (double)live_bytes;
}

static uint64_t clamp_budget(const defrag_config_t *cfg, uint64_t ns) {
  if (ns > cfg->max_budget_ns) ns = cfg->max_budget_ns;
  if (ns < cfg->min_budget_ns) ns = cfg->min_budget_ns;
  return ns;
}

void defrag_policy_init(defrag_policy_t *p, const defrag_config_t *cfg) {
  *p = (defrag_policy_t){0};
  p->cfg = *cfg;
  p->state = DEFRAG_IDLE;
  p->idle_sleep_ns = cfg->poll_ns;
  p->cooldown_ns = cfg->cooldown_ns;
  /* Start by trusting the model: the first step's estimate is the target. */
  p->budget_ns = clamp_budget(cfg, cfg->pause_target_ns);
}

static defrag_decision_t compact_now(defrag_policy_t *p) {
  p->steps++;
  return (defrag_decision_t){.action = DEFRAG_COMPACT, .sleep_ns = 0,
                             .budget_bytes = p->cfg.budget_bytes, .budget_ns = p->budget_ns};
}

/* After a step: budget = target x estimated / measured time, when the step moved enough
 * (an estimate of at least a quarter of the target) for the ratio to be more than the fixed
 * cost of a pause; grow at most 2x per step, shrink at once. A step that moved less says
 * nothing about the rate, but one that took longer than the target still shrinks it. */
static void adapt_budget(defrag_policy_t *p, const defrag_step_result_t *step) {
  double next = (double)p->budget_ns, target = (double)p->cfg.pause_target_ns;
  if (step->estimate_ns >= p->cfg.pause_target_ns / 4 && step->compact_ns > 0)
    next = target * (double)step->estimate_ns / (double)step->compact_ns;
  else if (step->compact_ns > p->cfg.pause_target_ns)
    next = (double)p->budget_ns * target / (double)step->compact_ns;
  if (next > 2.0 * (double)p->budget_ns) next = 2.0 * (double)p->budget_ns;
  p->budget_ns = clamp_budget(&p->cfg, (uint64_t)next);
}

static uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

static int worth_compacting(const defrag_policy_t *p, const defrag_reading_t *r) {
  if (r->live_bytes == 0) return 0; /* nothing to move; an empty heap is the heap's job */
  if (r->committed_bytes < r->live_bytes + p->cfg.min_excess) return 0;
  return p->last_ratio > p->cfg.upper;
}

static defrag_decision_t sleep_for(uint64_t ns) {
  return (defrag_decision_t){.action = DEFRAG_SLEEP, .sleep_ns = ns};
}

static defrag_decision_t end_episode(defrag_policy_t *p, const defrag_reading_t *r) {
  p->state = DEFRAG_IDLE;
  p->failures = 0;
  p->idle_sleep_ns = p->cfg.poll_ns;
  if (p->last_ratio <= p->cfg.upper) {
    /* Reached the lower bound, or got as far as the heap allows (nothing more moved) below
     * the trigger: the normal trigger (> upper) starts the next episode. */
    p->stuck = 0;
    p->cooldown_ns = p->cfg.cooldown_ns;
  } else {
    /* Still above the trigger (pinned objects, nothing movable, busy threads): wait for the
     * heap to change (or the cooldown to pass) before paying for barriers again. */
    p->stuck = 1;
    p->stuck_until_ns = r->now_ns + p->cooldown_ns;
    p->stuck_live = r->live_bytes;
    p->stuck_committed = r->committed_bytes;
    p->cooldown_ns *= 2;
    if (p->cooldown_ns > p->cfg.max_cooldown_ns) p->cooldown_ns = p->cfg.max_cooldown_ns;
  }
  return sleep_for(p->cfg.poll_ns);
}

defrag_decision_t defrag_policy_decide(defrag_policy_t *p, const defrag_reading_t *r,
                                       const defrag_step_result_t *step) {
  int changed = r->live_bytes != p->last_live || r->committed_bytes != p->last_committed;
  /* The program is freeing its heap fast (live falling at more than SHRINK_RATE of itself
   * per second since the previous reading, e.g. a cache torn down before exit): objects
   * moved now are about to die, and the pages they leave are returned by the heap itself.
   * Wait until it settles. A rate, not a fraction per reading, because readings are 20 ms
   * to 1 s apart. */
  int shrinking = 0;
  if (r->live_bytes < p->last_live && r->now_ns > p->last_now_ns) {
    double fell = (double)(p->last_live - r->live_bytes) / (double)p->last_live;
    double secs = (double)(r->now_ns - p->last_now_ns) / 1e9;
    shrinking = fell > SHRINK_RATE * secs;
  }
  p->last_now_ns = r->now_ns;
  p->last_live = r->live_bytes;
  p->last_committed = r->committed_bytes;
  p->last_ratio = defrag_ratio(r->live_bytes, r->committed_bytes);

  if (p->state == DEFRAG_ACTIVE && shrinking) {
    /* The episode waits, still active: once live stops falling it goes on down to the lower
     * bound (ending it here left Redis's heap at 1.13 after a bulk load, below the trigger
     * for good). */
    p->failures = 0;
    if (step && step->stopped) {
      p->steps_stopped++;
      adapt_budget(p, step);
    }
    return sleep_for(p->cfg.poll_ns);
  }
  if (p->state == DEFRAG_ACTIVE) {
    if (step) {
      if (!step->stopped) {
        /* A thread stayed inside the runtime or did not answer: back off and retry, and
         * give the episode up after max_failures in a row. */
        if (++p->failures >= p->cfg.max_failures) return end_episode(p, r);
        uint64_t wait = p->cfg.retry_ns << (p->failures - 1 < 6 ? p->failures - 1 : 6);
        return sleep_for(wait);
      }
      p->failures = 0;
      p->steps_stopped++;
      adapt_budget(p, step);
      if (p->last_ratio <= p->cfg.lower) return end_episode(p, r);
      if (step->bytes_moved == 0 && step->bytes_released == 0) return end_episode(p, r);
      /* Pace: paused for d, so sleep d * (1 - cap) / cap to spend at most `cap` of the
       * wall time paused. */
      double cap = p->cfg.cpu_cap;
      if (cap >= 1.0 || cap <= 0.0) {
        if (cap >= 1.0) return compact_now(p);
        cap = 0.05;
      }
      return sleep_for((uint64_t)((double)step->duration_ns * (1.0 - cap) / cap));
    }
    /* Woke up from pacing or a retry wait. */
    if (p->last_ratio <= p->cfg.lower || r->live_bytes == 0) return end_episode(p, r);
    return compact_now(p);
  }

  /* DEFRAG_IDLE */
  if (p->stuck) {
    uint64_t moved = absdiff(r->live_bytes, p->stuck_live) +
                     absdiff(r->committed_bytes, p->stuck_committed);
    if (r->now_ns < p->stuck_until_ns && moved < p->stuck_committed / 8) goto idle;
    p->stuck = 0;
  }
  if (!shrinking && worth_compacting(p, r)) {
    p->state = DEFRAG_ACTIVE;
    p->failures = 0;
    p->episodes++;
    return compact_now(p);
  }
idle:
  /* Idle programs cost nothing: poll quickly while the heap changes, back off (doubling)
   * while it does not. */
  if (changed) {
    p->idle_sleep_ns = p->cfg.poll_ns;
  } else {
    p->idle_sleep_ns *= 2;
    if (p->idle_sleep_ns > p->cfg.max_poll_ns) p->idle_sleep_ns = p->cfg.max_poll_ns;
  }
  if (p->stuck && p->stuck_until_ns > r->now_ns &&
      p->stuck_until_ns - r->now_ns < p->idle_sleep_ns)
    return sleep_for(p->stuck_until_ns - r->now_ns);
  return sleep_for(p->idle_sleep_ns);
}
