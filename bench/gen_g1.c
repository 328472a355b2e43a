/*
 * gen_g1.c -- seeded, reproducible generator of the db-benchmark groupby "G1" CSV.
 *
 * Layout (as db-benchmark's groupby-datagen.R), N rows, K groups:
 *   id1, id2  "id%03d", uniform integer in 1..K
 *   id3       "id%010d", uniform integer in 1..N/K
 *   id4, id5  uniform integer in 1..K
 *   id6       uniform integer in 1..N/K
 *   v1        uniform integer in 1..5
 *   v2        uniform integer in 1..15
 *   v3        uniform real in [0,100) rounded to 6 decimals, printed with 6 decimals
 * NA variant (--na P, P an integer percent), as db-benchmark does it:
 *   for each key column id1..id6, floor(P% of its distinct values) are chosen at random
 *   and become NA everywhere they occur; for each of v1..v3, floor(P% of N) rows chosen at
 *   random (without replacement, independently per column) become NA.  NA = empty field.
 *
 * The random numbers are NOT R's, so the values differ from db-benchmark's files; the layout,
 * distributions and NA scheme are the same.  Files are byte-identical for the same options.
 *
 * Output: DIR/G1_<N>_<K>_<P>_0.csv, N and K written like db-benchmark (1e7, 1e2).
 * Written to a temp file in DIR, then renamed.
 *
 * Build:  cc -O2 -Wall -Wextra -o gen_g1 gen_g1.c      (or: make -C bench)
 * Usage:  gen_g1 [-n N] [-k K] [--na P] [--seed S] [-o DIR]
 *         N and K accept 1e7-style notation.  Defaults: N=1e7 K=1e2 P=0 DIR=bench/data.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- PRNG: xoshiro256** seeded through splitmix64 (Blackman & Vigna) ---- */

typedef struct { uint64_t s[4]; } rng_t;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* uniform integer in 0..n-1 by multiply-shift (bias below n/2^64: negligible) */
static inline uint64_t rng_below(rng_t *r, uint64_t n) {
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* uniform double in [0,1) with 53 random bits */
static inline double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* ---- one row ---- */

enum { NCOL = 9 };
typedef struct { uint64_t v[NCOL]; } row_t; /* id1..id6, v1, v2 as integers; v3 in 1e-6 units */

static inline void gen_row(rng_t *r, uint64_t N, uint64_t K, row_t *o) {
    uint64_t NK = N / K;
    o->v[0] = 1 + rng_below(r, K);
    o->v[1] = 1 + rng_below(r, K);
    o->v[2] = 1 + rng_below(r, NK);
    o->v[3] = 1 + rng_below(r, K);
    o->v[4] = 1 + rng_below(r, K);
    o->v[5] = 1 + rng_below(r, NK);
    o->v[6] = 1 + rng_below(r, 5);
    o->v[7] = 1 + rng_below(r, 15);
    o->v[8] = (uint64_t)llround(rng_unit(r) * 100.0 * 1e6); /* round(runif(0,100), 6) */
}

/* ---- bitmaps ---- */

static uint8_t *bm_new(uint64_t nbits) {
    uint8_t *b = calloc(nbits / 8 + 1, 1);
    if (!b) { fprintf(stderr, "gen_g1: out of memory\n"); exit(1); }
    return b;
}
static inline int bm_get(const uint8_t *b, uint64_t i) { return (b[i >> 3] >> (i & 7)) & 1; }
static inline void bm_set(uint8_t *b, uint64_t i) { b[i >> 3] |= (uint8_t)(1u << (i & 7)); }

/* ---- output buffer with hand-written formatting ---- */

typedef struct { FILE *f; char *buf; size_t len, cap; int err; } out_t;

static void out_flush(out_t *o) {
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) o->err = 1;
    o->len = 0;
}
static inline void out_ch(out_t *o, char c) { o->buf[o->len++] = c; }
static inline void out_str(out_t *o, const char *s) { while (*s) o->buf[o->len++] = *s++; }

/* decimal digits of x, left-padded with zeros to at least width w */
static inline void out_uint(out_t *o, uint64_t x, int w) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + x % 10); x /= 10; } while (x);
    while (n < w) tmp[n++] = '0';
    while (n) o->buf[o->len++] = tmp[--n];
}

/* ---- arguments ---- */

static uint64_t parse_count(const char *s, const char *what) {
    char *end;
    double d = strtod(s, &end);
    if (*end || d < 1 || d > 1e12 || d != floor(d)) {
        fprintf(stderr, "gen_g1: bad %s: %s\n", what, s);
        exit(2);
    }
    return (uint64_t)d;
}

/* db-benchmark style: 10000000 -> "1e7", 100 -> "1e2", 5000000 -> "5e6" */
static void pretty_sci(uint64_t x, char *dst, size_t cap) {
    int e = 0;
    while (x >= 10 && x % 10 == 0) { x /= 10; e++; }
    snprintf(dst, cap, "%llue%d", (unsigned long long)x, e);
}

static void usage(void) {
    fprintf(stderr, "usage: gen_g1 [-n N] [-k K] [--na PCT] [--seed S] [-o DIR]\n");
    exit(2);
}

int main(int argc, char **argv) {
    uint64_t N = 10000000, K = 100, seed = 20240101;
    int na = 0;
    const char *dir = "bench/data";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        if (!strcmp(a, "-n")) N = parse_count(argv[++i], "N");
        else if (!strcmp(a, "-k")) K = parse_count(argv[++i], "K");
        else if (!strcmp(a, "--na")) na = atoi(argv[++i]);
        else if (!strcmp(a, "--seed")) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "-o")) dir = argv[++i];
        else usage();
    }
    if (K > N || na < 0 || na > 100) { fprintf(stderr, "gen_g1: need 1 <= K <= N, 0 <= na <= 100\n"); return 2; }
    uint64_t NK = N / K;

    /* ---- NA plan (pass 1): which key values and which value rows become NA ---- */
    uint64_t dom[6] = {K, K, NK, K, K, NK};
    uint8_t *na_key[6] = {0};
    uint8_t *na_row[3] = {0};
    if (na > 0) {
        uint8_t *present[6];
        for (int c = 0; c < 6; c++) present[c] = bm_new(dom[c] + 1);
        rng_t r;
        row_t row;
        rng_seed(&r, seed);
        for (uint64_t i = 0; i < N; i++) {
            gen_row(&r, N, K, &row);
            for (int c = 0; c < 6; c++) bm_set(present[c], row.v[c]);
        }
        rng_t rn;
        rng_seed(&rn, seed ^ 0x5EED0F0A11A5ULL); /* separate stream for the NA choices */
        for (int c = 0; c < 6; c++) {
            uint64_t u = 0;
            uint64_t *vals = malloc((dom[c] + 1) * sizeof *vals);
            if (!vals) { fprintf(stderr, "gen_g1: out of memory\n"); return 1; }
            for (uint64_t v = 1; v <= dom[c]; v++)
                if (bm_get(present[c], v)) vals[u++] = v;
            uint64_t nna = u * (uint64_t)na / 100; /* as.integer(length(ucol) * nas/100) */
            na_key[c] = bm_new(dom[c] + 1);
            for (uint64_t j = 0; j < nna; j++) { /* partial Fisher-Yates: sample without replacement */
                uint64_t k = j + rng_below(&rn, u - j);
                uint64_t t = vals[j]; vals[j] = vals[k]; vals[k] = t;
                bm_set(na_key[c], vals[j]);
            }
            free(vals);
            free(present[c]);
        }
        uint64_t nna = N * (uint64_t)na / 100;
        for (int c = 0; c < 3; c++) {
            na_row[c] = bm_new(N);
            if ((uint64_t)na * 2 <= 100) { /* sparse: rejection sampling */
                for (uint64_t j = 0; j < nna;) {
                    uint64_t k = rng_below(&rn, N);
                    if (!bm_get(na_row[c], k)) { bm_set(na_row[c], k); j++; }
                }
            } else { /* dense: pick the rows that stay, then invert */
                for (uint64_t j = 0; j < N - nna;) {
                    uint64_t k = rng_below(&rn, N);
                    if (!bm_get(na_row[c], k)) { bm_set(na_row[c], k); j++; }
                }
                for (uint64_t k = 0; k < N / 8 + 1; k++) na_row[c][k] = (uint8_t)~na_row[c][k];
            }
        }
    }

    /* ---- write (pass 2) ---- */
    char sn[32], sk[32], name[128];
    pretty_sci(N, sn, sizeof sn);
    pretty_sci(K, sk, sizeof sk);
    snprintf(name, sizeof name, "G1_%s_%s_%d_0.csv", sn, sk, na);
    size_t plen = strlen(dir) + strlen(name) + 64;
    char *path = malloc(plen), *tmp = malloc(plen);
    snprintf(path, plen, "%s/%s", dir, name);
    snprintf(tmp, plen, "%s/.%s.tmp%ld", dir, name, (long)getpid());
    mkdir(dir, 0777); /* best effort; fopen reports the real error */

    out_t o = {0};
    o.f = fopen(tmp, "wb");
    if (!o.f) { fprintf(stderr, "gen_g1: %s: %s\n", tmp, strerror(errno)); return 1; }
    o.cap = 1u << 22;
    o.buf = malloc(o.cap + 1024);
    out_str(&o, "id1,id2,id3,id4,id5,id6,v1,v2,v3\n");

    rng_t r;
    row_t row;
    rng_seed(&r, seed);
    for (uint64_t i = 0; i < N; i++) {
        gen_row(&r, N, K, &row);
        for (int c = 0; c < 6; c++) {
            if (!(na_key[c] && bm_get(na_key[c], row.v[c]))) {
                if (c < 2) { out_str(&o, "id"); out_uint(&o, row.v[c], 3); }
                else if (c == 2) { out_str(&o, "id"); out_uint(&o, row.v[c], 10); }
                else out_uint(&o, row.v[c], 1);
            }
            out_ch(&o, ',');
        }
        for (int c = 0; c < 3; c++) {
            if (!(na_row[c] && bm_get(na_row[c], i))) {
                if (c < 2) out_uint(&o, row.v[6 + c], 1);
                else {
                    out_uint(&o, row.v[8] / 1000000, 1);
                    out_ch(&o, '.');
                    out_uint(&o, row.v[8] % 1000000, 6);
                }
            }
            out_ch(&o, c < 2 ? ',' : '\n');
        }
        if (o.len > o.cap) out_flush(&o);
    }
    out_flush(&o);
    if (fclose(o.f) != 0) o.err = 1;
    if (o.err) { fprintf(stderr, "gen_g1: write error on %s\n", tmp); unlink(tmp); return 1; }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "gen_g1: rename %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    printf("%s\n", path);
    free(o.buf); free(path); free(tmp);
    for (int c = 0; c < 6; c++) free(na_key[c]);
    for (int c = 0; c < 3; c++) free(na_row[c]);
    return 0;
}
