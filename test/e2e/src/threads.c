/* Four (and eight) pthreads sharing heap objects: a mutex-protected work queue of heap
 * nodes, per-thread allocation and cross-thread frees, a shared heap counter table,
 * thread arguments that are heap objects (pthread_create retains them). */
#include <pthread.h>
#include <string.h>
#include "check.h"

typedef struct job { int id; int *payload; int len; struct job *next; } job;
typedef struct queue { pthread_mutex_t lock; pthread_cond_t cv; job *head; int closed; } queue;
typedef struct shared { queue *q; long *totals; pthread_mutex_t tlock; char **names; } shared;
typedef struct warg { shared *sh; int index; long done; size_t namelen; job *to_free; } warg;

static job *pop(queue *q) {
  pthread_mutex_lock(&q->lock);
  while (!q->head && !q->closed) pthread_cond_wait(&q->cv, &q->lock);
  job *j = q->head;
  if (j) q->head = j->next;
  pthread_mutex_unlock(&q->lock);
  return j;
}

static void *worker(void *p) {
  warg *a = p;
  job *j;
  while ((j = pop(a->sh->q)) != NULL) {
    long s = 0;
    for (int i = 0; i < j->len; i++) s += j->payload[i];
    char *tmp = malloc(32); /* allocate and free locally too */
    snprintf(tmp, 32, "job%d", j->id);
    CHECK(strlen(tmp) > 3);
    free(tmp);
    pthread_mutex_lock(&a->sh->tlock);
    a->sh->totals[j->id % 16] += s;
    pthread_mutex_unlock(&a->sh->tlock);
    free(j->payload); /* freed on a different thread than it was allocated on */
    j->next = a->to_free;
    a->to_free = j;
    a->done++;
  }
  a->namelen = strlen(a->sh->names[a->index]); /* names read concurrently */
  return a;
}

static long run(int nthreads, int njobs) {
  shared *sh = malloc(sizeof *sh);
  sh->q = calloc(1, sizeof *sh->q);
  pthread_mutex_init(&sh->q->lock, NULL);
  pthread_cond_init(&sh->q->cv, NULL);
  pthread_mutex_init(&sh->tlock, NULL);
  sh->totals = calloc(16, sizeof *sh->totals);
  sh->names = malloc((size_t)nthreads * sizeof(char *));
  pthread_t *tids = malloc((size_t)nthreads * sizeof *tids);
  warg **args = malloc((size_t)nthreads * sizeof *args);
  for (int t = 0; t < nthreads; t++) {
    sh->names[t] = malloc(16);
    snprintf(sh->names[t], 16, "worker-%d", t);
    args[t] = calloc(1, sizeof(warg));
    args[t]->sh = sh;
    args[t]->index = t;
    CHECK(pthread_create(&tids[t], NULL, worker, args[t]) == 0);
  }
  for (int i = 0; i < njobs; i++) {
    job *j = malloc(sizeof *j);
    j->id = i;
    j->len = 1 + i % 50;
    j->payload = malloc((size_t)j->len * sizeof(int));
    for (int k = 0; k < j->len; k++) j->payload[k] = i + k;
    pthread_mutex_lock(&sh->q->lock);
    j->next = sh->q->head;
    sh->q->head = j;
    pthread_cond_signal(&sh->q->cv);
    pthread_mutex_unlock(&sh->q->lock);
  }
  pthread_mutex_lock(&sh->q->lock);
  sh->q->closed = 1;
  pthread_cond_broadcast(&sh->q->cv);
  pthread_mutex_unlock(&sh->q->lock);
  long done = 0;
  for (int t = 0; t < nthreads; t++) {
    void *ret;
    pthread_join(tids[t], &ret);
    CHECK(ret == args[t]);
    done += args[t]->done;
    CHECK(args[t]->namelen == strlen(sh->names[t]));
    while (args[t]->to_free) { job *j = args[t]->to_free; args[t]->to_free = j->next; free(j); }
    free(args[t]);
    free(sh->names[t]);
  }
  CHECK(done == njobs);
  long grand = 0;
  for (int i = 0; i < 16; i++) grand += sh->totals[i];
  printf("threads=%d jobs=%ld grand=%ld totals[3]=%ld\n", nthreads, done, grand, sh->totals[3]);
  free(tids); free(args); free(sh->names); free(sh->totals); free(sh->q); free(sh);
  return grand;
}

int main(void) {
  long a = run(4, 20000);
  long b = run(8, 5000);
  printf("sum=%ld\n", a + b);
  return 0;
}
