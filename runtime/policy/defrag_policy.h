/*
 * defrag_policy.h — the defragmentation policy (defrag_policy.c, docs/design.md §7): pure
 * functions that, given counter readings and the results of the compaction steps they asked
 * for, decide whether to compact now and how long to sleep. No clock, no threads, no runtime
 * state: unit-tested in test/defrag. The service that runs it is defrag.h.
 */
#ifndef ALASKA_RUNTIME_DEFRAG_POLICY_H
#define ALASKA_RUNTIME_DEFRAG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* ---- configuration (ALASKA_DEFRAG_* environment variables, docs/env.md) ------------- */
typedef struct defrag_config {
  double upper;             /* start compacting above this committed/live ratio */
  double lower;             /* stop once at or below this ratio */
  uint64_t min_excess;      /* ... and only if committed - live >= this many bytes */
  uint64_t budget_bytes;    /* most bytes moved per pause */
  uint64_t pause_target_ns; /* aim for compaction work of this long per pause */
  /* The adaptive budget, in estimated moving time (heap.h's cost model), is kept within
   * [min_budget_ns, max_budget_ns]: the floor lets a step empty any page but the densest
   * of 16-byte objects, the ceiling bounds what a step after a hot-cache one (which looked
   * faster than estimated) can cost. */
  uint64_t min_budget_ns, max_budget_ns;
  double cpu_cap;           /* max fraction of wall time spent in compaction pauses */
  uint64_t poll_ns;         /* idle polling interval after a change */
  uint64_t max_poll_ns;     /* idle polling backs off (doubling) up to this */
  uint64_t retry_ns;        /* wait after a barrier that could not stop the world */
  unsigned max_failures;    /* consecutive failed barriers that end an episode */
  uint64_t cooldown_ns;     /* after an episode that got stuck above `lower` */
  uint64_t max_cooldown_ns; /* cooldown doubles per consecutive stuck episode up to this */
} defrag_config_t;

/* The configuration for parsed options (alaska_options(); docs/env.md): the ALASKA_DEFRAG_*
 * values plus the fixed constants of docs/design.md §7. Reads nothing but `o`. */
void defrag_config_from_options(defrag_config_t *cfg, const alaska_options_t *o);

/* ---- policy --------------------------------------------------------------------------- */
/* What happened in the compaction step the policy last asked for. */
typedef struct defrag_step_result {
  int stopped;              /* the barrier stopped the world (else busy/timeout: nothing ran) */
  uint64_t bytes_moved;
  uint64_t estimate_ns;     /* of the moves made, by the heap's cost model */
  uint64_t bytes_released;  /* returned to the OS */
  uint64_t duration_ns;     /* wall time of the whole step (attempts + pause) */
  uint64_t compact_ns;      /* of which moving objects and releasing pages (world stopped) */
} defrag_step_result_t;

typedef struct defrag_reading {
  uint64_t now_ns;          /* monotonic clock */
  uint64_t live_bytes;      /* usable bytes of live objects */
  uint64_t committed_bytes; /* heap bytes backed by memory, minus the pool's free-page cache */
} defrag_reading_t;

typedef enum defrag_action {
  DEFRAG_SLEEP = 0,         /* nothing to do now; sleep sleep_ns and read again */
  DEFRAG_COMPACT = 1,       /* run one compaction step now, then call back with the result */
} defrag_action_t;

typedef struct defrag_decision {
  defrag_action_t action;
  uint64_t sleep_ns;        /* DEFRAG_SLEEP: how long until the next reading */
  uint64_t budget_bytes;    /* DEFRAG_COMPACT: most bytes to move in this step */
  uint64_t budget_ns;       /* ... and most estimated moving time (heap.h's cost model) */
} defrag_decision_t;

typedef enum defrag_state {
  DEFRAG_IDLE = 0,          /* below the upper bound (or cooling down after getting stuck) */
  DEFRAG_ACTIVE = 1,        /* in an episode: compacting until the lower bound */
} defrag_state_t;

typedef struct defrag_policy {
  defrag_config_t cfg;
  defrag_state_t state;
  uint64_t idle_sleep_ns;           /* current (backed-off) idle polling interval */
  uint64_t last_live, last_committed; /* previous reading, to detect an idle heap */
  uint64_t last_now_ns;             /* ... and its time, to detect a shrinking heap */
  unsigned failures;                /* consecutive barriers that did not stop the world */
  /* Estimated moving time per step (heap.h's model: per object + per KiB, so that the mix
   * of classes a step meets does not change its cost), scaled after every step that moved
   * enough to measure by estimated / measured time, so the compaction part of a pause stays
   * near pause_target_ns on this machine. Within [min_budget_ns, max_budget_ns]. */
  uint64_t budget_ns;
  /* After an episode that ended still above `upper` (pinned objects, nothing movable, busy
   * threads) the policy does not start again until the heap changed by 1/8 or the
   * cooldown elapsed, so a stuck heap does not cost a barrier every poll. */
  int stuck;
  uint64_t stuck_until_ns;
  uint64_t stuck_live, stuck_committed;
  uint64_t cooldown_ns;             /* next cooldown length */
  /* Counters (for stats and tests). */
  uint64_t episodes;                /* idle -> active transitions */
  uint64_t steps;                   /* compaction steps asked for */
  uint64_t steps_stopped;           /* ... of which stopped the world */
  double last_ratio;                /* committed/live of the last reading (0 if no live) */
} defrag_policy_t;

void defrag_policy_init(defrag_policy_t *p, const defrag_config_t *cfg);
/* committed / live, or 0 when nothing is live. */
double defrag_ratio(uint64_t live_bytes, uint64_t committed_bytes);
/* One decision. `step` is the result of the compaction step the previous decision asked
 * for (NULL if the previous decision was DEFRAG_SLEEP, or on the first call). */
defrag_decision_t defrag_policy_decide(defrag_policy_t *p, const defrag_reading_t *r,
                                       const defrag_step_result_t *step);

#endif /* ALASKA_RUNTIME_DEFRAG_POLICY_H */
