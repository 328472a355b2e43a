/* The floor for q1: the time needed just to read its two columns from memory.
 *
 *   bench/read_baseline [-n ROWS] [-t THREADS] [-r REPEATS]
 *
 * q1 (sum of v1 by id1) has to read id1 and v1 once.  In zonestat's columns
 * these are 32-bit dictionary codes and 64-bit integers, so this program
 * allocates arrays of exactly those widths and lengths (default 1e7 rows,
 * 120 MB in all), fills them (so that the pages exist), and times a pass
 * that reads both in full on THREADS threads (default 2), each thread
 * summing its own contiguous share of both arrays.  It prints one JSON line
 * with the median of REPEATS passes (default 7), in the format of the other
 * bench scripts; compare.lua does not read it: run.sh quotes it next to q1.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const int32_t *codes;
  const int64_t *values;
  int64_t from, to;
  int64_t sum;
} share;

static void *read_share(void *arg) {
  share *s = arg;
  int64_t sum = 0;
  for (int64_t i = s->from; i < s->to; i++) sum += s->codes[i] + s->values[i];
  s->sum = sum;
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int64_t n = 10000000;
  int threads = 2, repeats = 7;
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) n = (int64_t)strtod(argv[++i], NULL);
    else if (i + 1 < argc && strcmp(argv[i], "-t") == 0) threads = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "-r") == 0) repeats = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [-n ROWS] [-t THREADS] [-r REPEATS]\n", argv[0]);
      return 2;
    }
  }
  if (n < 1 || threads < 1 || threads > 64 || repeats < 1 || repeats > 1000) {
    fprintf(stderr, "read_baseline: bad argument\n");
    return 2;
  }
  int32_t *codes = malloc((size_t)n * sizeof *codes);
  int64_t *values = malloc((size_t)n * sizeof *values);
  double *times = malloc((size_t)repeats * sizeof *times);
  if (!codes || !values || !times) {
    fprintf(stderr, "read_baseline: out of memory\n");
    return 1;
  }
  uint64_t x = 88172645463325252ULL; /* xorshift64: values like G1's id1 and v1 */
  for (int64_t i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    codes[i] = (int32_t)(x % 100);
    values[i] = (int64_t)(x >> 32) % 5 + 1;
  }
  share s[64];
  pthread_t tid[64];
  int64_t total = 0;
  for (int r = 0; r < repeats; r++) {
    double t0 = now();
    for (int k = 0; k < threads; k++) {
      s[k] = (share){ codes, values, n * k / threads, n * (k + 1) / threads, 0 };
      if (k > 0 && pthread_create(&tid[k], NULL, read_share, &s[k]) != 0) {
        fprintf(stderr, "read_baseline: cannot start a thread\n");
        return 1;
      }
    }
    read_share(&s[0]);
    total = s[0].sum;
    for (int k = 1; k < threads; k++) {
      pthread_join(tid[k], NULL);
      total += s[k].sum;
    }
    times[r] = now() - t0;
  }
  qsort(times, (size_t)repeats, sizeof *times, cmp_double);
  printf("{\"tool\":\"memory-read\",\"task\":\"read id1 codes and v1\",\"rows\":%lld,"
         "\"threads\":%d,\"repeats\":%d,\"seconds\":%.6f,\"check\":%lld}\n",
         (long long)n, threads, repeats, times[repeats / 2], (long long)total);
  free(codes);
  free(values);
  free(times);
  return 0;
}
