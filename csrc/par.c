/* par.c: running a loop on several threads.
 *
 * zs_parallel splits [0, n) into `parts` contiguous ranges and runs the
 * body on each, the first on the calling thread, the rest on new threads;
 * it returns when all are done.  Bodies never call Lua and never allocate
 * through it.  Results must not depend on how many threads ran: callers
 * either fix the number of parts from the data alone (zs_fixed_parts) and
 * merge per-part results in part order, or give each part its own groups. */
#include <pthread.h>
#include <unistd.h>

#include "zs.h"

int zs_nthreads = 1;

#define MAX_PARTS 64
#define MIN_ROWS_PER_PART (1 << 16)

typedef struct {
  zs_body body;
  void *ctx;
  int64_t n;
  int parts, first, stride;
} worker;

static void *run_worker(void *arg) {
  worker *w = arg;
  int64_t n = w->n, parts = w->parts;
  for (int p = w->first; p < w->parts; p += w->stride) {
    int64_t from = n / parts * p + (p < n % parts ? p : n % parts);
    int64_t to = from + n / parts + (p < n % parts);
    w->body(w->ctx, from, to, p);
  }
  return NULL;
}

int zs_threads_for(int64_t n) {
  int64_t t = zs_nthreads;
  if (t > n / MIN_ROWS_PER_PART) t = n / MIN_ROWS_PER_PART;
  if (t > MAX_PARTS) t = MAX_PARTS;
  return t < 1 ? 1 : (int)t;
}

int zs_fixed_parts(int64_t n) {
  int64_t p = n / MIN_ROWS_PER_PART;
  if (p > 8) p = 8;
  return p < 1 ? 1 : (int)p;
}

void zs_parallel(int64_t n, int parts, zs_body body, void *ctx) {
  if (parts < 1) parts = 1;
  if (parts > MAX_PARTS) parts = MAX_PARTS;
  int threads = zs_nthreads < parts ? zs_nthreads : parts;
  if (threads < 1) threads = 1;
  worker w[MAX_PARTS];
  pthread_t tid[MAX_PARTS];
  int started[MAX_PARTS] = {0};
  for (int t = 0; t < threads; t++) {
    w[t].body = body;
    w[t].ctx = ctx;
    w[t].n = n;
    w[t].parts = parts;
    w[t].first = t;
    w[t].stride = threads;
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, run_worker, &w[t]) == 0;
  run_worker(&w[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else run_worker(&w[t]);
  }
}
