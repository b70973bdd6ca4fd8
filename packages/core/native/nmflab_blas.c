/*
 * Optional native backend of @nmflab/core: double-precision GEMM through OpenBLAS's cblas_dgemm
 * (Debian: libopenblas-dev), exposed to Node through N-API. Built by scripts/build-native.mjs
 * with node-gyp; when it does not build or load, the WebAssembly kernel serves every product.
 *
 * dgemm(m, n, k, A, aRs, aCs, B, bRs, bCs, C, cRs, accumulate) — on up to two threads of our own
 * (setThreads), splitting C, never the sum (see dgemm_split)
 *   C[i, j] (+)= Σ_p A[i·aRs + p·aCs] · B[p·bRs + j·bCs], C[i·cRs + j]
 * with A, B, C Float64Arrays (any buffer, WebAssembly memory included: no copies). One of each
 * operand's strides must be 1 (the caller checks; see packages/core/src/native.ts).
 *
 * The `native` backend's `MuKernels` (packages/core/src/linalg/kernel-backend.ts: the interface,
 * its semantics; backends/mu-native.ts binds these functions to it), the same formulas in the same
 * order as the `js` backend's loops (backends/mu-js.ts). They use only IEEE-exact
 * operations (×, /, √, comparisons; compiled with -ffp-contract=off, no fast-math), so their
 * results are bit-identical to the JavaScript ones; the compiler vectorizes them (AVX).
 *   muWeights(code, L, V, A, B, eps): code 1 (β = 1): A = V / max(Λ, ε);
 *                                     code 0 (β = 0): r = 1/max(Λ, ε), B = r, A = r·r·V.
 *     (mu passes its floor of Λ, δ = ε² by default, as eps here and to muFused.)
 *   muApply(gammaCode, X, num, den, eps): X = max(X·(num/d)^γ, ε), d = den if den > 0 else ε
 *     (only zero denominators replaced, as scikit-learn), γ = 1 (code 1) or ½ (code 2).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <unistd.h>
#include <stdlib.h>

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "nmflab_blas: N-API call failed"); return NULL; } } while (0)

static int get_f64(napi_env env, napi_value v, double **ptr, size_t *len) {
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float64_array) return 0;
  *ptr = (double *)data;
  return 1;
}

static int64_t get_i(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

/* One cblas_dgemm call on a block of C: rows [i0, i1) and columns [j0, j1). */
typedef struct {
  enum CBLAS_TRANSPOSE ta, tb;
  int m, n, k, lda, ldb, ldc;
  const double *A, *B;
  double *C;
  double beta;
} Job;

static void run(const Job *j) {
  cblas_dgemm(CblasRowMajor, j->ta, j->tb, j->m, j->n, j->k, 1.0, j->A, j->lda, j->B, j->ldb, j->beta, j->C, j->ldc);
}

static void *run_thread(void *p) {
  run((const Job *)p);
  return NULL;
}

/* Threads used by dgemm and muFused: our own split of C (OpenBLAS itself runs single-threaded,
   see Init). Process-wide, shared by all Node threads. */
static int n_threads = 1;
/* Below this m·n·k a second thread costs more than it gains. */
#define SPLIT_MIN_WORK (1 << 20)

/*
 * C = op(A)·op(B) with C split into `threads` blocks of rows (when m ≥ n) or columns, each block
 * one single-threaded cblas_dgemm over the whole k: a split never cuts the reduction, so every
 * entry is summed the same way whatever the thread count (tested).
 */
static void dgemm_split(Job full, int threads) {
  if (threads < 2 || (double)full.m * full.n * full.k < SPLIT_MIN_WORK) { run(&full); return; }
  Job parts[2] = { full, full };
  if (full.m >= full.n) {
    int h = ((full.m / 2) + 7) / 8 * 8; /* tile-aligned split */
    if (h >= full.m) { run(&full); return; }
    parts[0].m = h;
    parts[1].m = full.m - h;
    parts[1].A = full.ta == CblasNoTrans ? full.A + (size_t)h * full.lda : full.A + h;
    parts[1].C = full.C + (size_t)h * full.ldc;
  } else {
    int h = ((full.n / 2) + 7) / 8 * 8;
    if (h >= full.n) { run(&full); return; }
    parts[0].n = h;
    parts[1].n = full.n - h;
    parts[1].B = full.tb == CblasNoTrans ? full.B + h : full.B + (size_t)h * full.ldb;
    parts[1].C = full.C + h;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, run_thread, &parts[1]) != 0) { run(&parts[0]); run(&parts[1]); return; }
  run(&parts[0]);
  pthread_join(t, NULL);
}

static napi_value Dgemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value a[12];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc < 12) { napi_throw_type_error(env, NULL, "dgemm: 12 arguments expected"); return NULL; }
  const int m = (int)get_i(env, a[0]), n = (int)get_i(env, a[1]), k = (int)get_i(env, a[2]);
  const int aRs = (int)get_i(env, a[4]), aCs = (int)get_i(env, a[5]);
  const int bRs = (int)get_i(env, a[7]), bCs = (int)get_i(env, a[8]);
  const int cRs = (int)get_i(env, a[10]);
  bool acc = false;
  napi_get_value_bool(env, a[11], &acc);
  double *A, *B, *C;
  size_t la, lb, lc;
  if (!get_f64(env, a[3], &A, &la) || !get_f64(env, a[6], &B, &lb) || !get_f64(env, a[9], &C, &lc)) {
    napi_throw_type_error(env, NULL, "dgemm: A, B and C must be Float64Arrays");
    return NULL;
  }
  if (m <= 0 || n <= 0) return NULL;
  /* Row-major: A is m×k with lda = aRs when aCs = 1, else Aᵀ is stored (k×m, lda = aCs). */
  Job j;
  j.ta = aCs == 1 ? CblasNoTrans : CblasTrans;
  j.tb = bCs == 1 ? CblasNoTrans : CblasTrans;
  j.lda = aCs == 1 ? aRs : aCs;
  j.ldb = bCs == 1 ? bRs : bCs;
  j.ldc = cRs;
  j.m = m; j.n = n; j.k = k;
  j.A = A; j.B = B; j.C = C;
  j.beta = acc ? 1.0 : 0.0;
  dgemm_split(j, n_threads);
  return NULL;
}

static napi_value MuWeights(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  double *L, *V, *A, *B, eps = 0;
  size_t n, nv, na, nb;
  if (argc < 6 || !get_f64(env, a[1], &L, &n) || !get_f64(env, a[2], &V, &nv) || !get_f64(env, a[3], &A, &na) ||
      !get_f64(env, a[4], &B, &nb) || napi_get_value_double(env, a[5], &eps) != napi_ok || nv < n || na < n) {
    napi_throw_type_error(env, NULL, "muWeights: (code, L, V, A, B, eps) with Float64Arrays");
    return NULL;
  }
  const int64_t code = get_i(env, a[0]);
  if (code == 1) {
    for (size_t i = 0; i < n; i++) {
      const double l = L[i];
      A[i] = V[i] / (l > eps ? l : eps);
    }
  } else {
    if (nb < n) { napi_throw_range_error(env, NULL, "muWeights: B too short"); return NULL; }
    for (size_t i = 0; i < n; i++) {
      const double l = L[i];
      const double r = 1.0 / (l > eps ? l : eps);
      B[i] = r;
      A[i] = r * r * V[i];
    }
  }
  return NULL;
}

static napi_value MuApply(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  double *X, *P, *Q, eps = 0;
  size_t n, nq, np;
  if (argc < 5 || !get_f64(env, a[1], &X, &n) || !get_f64(env, a[2], &Q, &nq) || !get_f64(env, a[3], &P, &np) ||
      napi_get_value_double(env, a[4], &eps) != napi_ok || nq < n || np < n) {
    napi_throw_type_error(env, NULL, "muApply: (gammaCode, X, num, den, eps) with Float64Arrays");
    return NULL;
  }
  if (get_i(env, a[0]) == 1) {
    for (size_t i = 0; i < n; i++) {
      const double d = P[i];
      const double x = X[i] * (Q[i] / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const double d = P[i];
      const double x = X[i] * sqrt(Q[i] / (d > 0 ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  }
  return NULL;
}


/*
 * Fused, cache-blocked MU numerators (and β = 0 denominators) without materializing Λ = WH:
 *   side 0 (W update), rows of F in blocks of RB:   S = W_b H;  A = V_b / max(S, ε)  [β=1]
 *          or r = 1/max(S, ε), A = r·r·V_b, B = r [β=0];  num_b = A Hᵀ, den_b = B Hᵀ
 *   side 1 (H update), columns of N in blocks of CB: S = W H_c;  same passes;  num_c = Wᵀ A, den_c = Wᵀ B
 * Each block's S fits in cache, so the F×N intermediates never go to memory (the unfused
 * iteration moves ~10 F×N arrays through memory per update). Blocks are independent (rows of
 * num for side 0, columns for side 1) and have a fixed size, so results do not depend on the
 * number of threads (blocks t, t+T, … go to thread t).
 */
#ifndef RB
#define RB 16
#endif
#ifndef CB
#define CB 64
#endif

typedef struct {
  int code, side, F, N, K, t, T;
  const double *V, *W, *H;
  double *num, *den;
  double eps;
  double *SA, *SB; /* per-thread scratch: max(RB·N, F·CB) doubles each */
  double *sums;     /* per-block Σ d(V|Λ) when the objective is asked for, else NULL */
} Fused;

/*
 * Σ d(V|Λ) over a block (row by row, in order): β = 1 (code 1, KL) v log(v/λ) − v + λ (λ where
 * v = 0), β = 0 (code 0, IS) v/λ − log(v/λ) − 1; NaN where some λ ≤ 0 or a ratio is not finite
 * (the caller then evaluates the divergence itself). The `MuKernels.fused` objective.
 */
static double block_objective(int code, int rows, int cols, const double *V, int ldv, const double *S) {
  double sum = 0;
  for (int i = 0; i < rows; i++) {
    const double *v = V + (size_t)i * ldv, *s = S + (size_t)i * cols;
    for (int j = 0; j < cols; j++) {
      const double x = v[j], y = s[j];
      if (!(y > 0) || !(y < INFINITY)) return NAN;
      if (code == 1 && x == 0) { sum += y; continue; }
      const double r = x / y;
      if (!(r > 0) || !(r < INFINITY)) return NAN;
      sum += code == 1 ? x * log(r) - x + y : r - log(r) - 1.0;
    }
  }
  return sum;
}

static void fused_block(const Fused *x, int b, int rows, int cols, const double *V, int ldv, const double *Wb, const double *Hc, int ldh) {
  const int K = x->K;
  double *SA = x->SA, *SB = x->SB;
  const double eps = x->eps;
  /* S = Wb (rows×K) · Hc (K×cols), row-major with ld = cols. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, cols, K, 1.0, Wb, K, Hc, ldh, 0.0, SA, cols);
  if (x->sums) x->sums[b] = block_objective(x->code, rows, cols, V, ldv, SA);
  for (int i = 0; i < rows; i++) {
    double *sa = SA + (size_t)i * cols, *sb = SB + (size_t)i * cols;
    const double *v = V + (size_t)i * ldv;
    if (x->code == 1) {
      for (int j = 0; j < cols; j++) { const double l = sa[j]; sa[j] = v[j] / (l > eps ? l : eps); }
    } else {
      for (int j = 0; j < cols; j++) {
        const double l = sa[j];
        const double r = 1.0 / (l > eps ? l : eps);
        sb[j] = r;
        sa[j] = r * r * v[j];
      }
    }
  }
}

static void *fused_run(void *p) {
  const Fused *x = (const Fused *)p;
  const int F = x->F, N = x->N, K = x->K;
  if (x->side == 0) {
    for (int b = x->t; b * RB < F; b += x->T) {
      const int r0 = b * RB, rows = F - r0 < RB ? F - r0 : RB;
      fused_block(x, b, rows, N, x->V + (size_t)r0 * N, N, x->W + (size_t)r0 * K, x->H, N);
      /* num_b (rows×K) = A (rows×N) · Hᵀ */
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, K, N, 1.0, x->SA, N, x->H, N, 0.0, x->num + (size_t)r0 * K, K);
      if (x->code == 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, K, N, 1.0, x->SB, N, x->H, N, 0.0, x->den + (size_t)r0 * K, K);
    }
  } else {
    for (int b = x->t; b * CB < N; b += x->T) {
      const int c0 = b * CB, cols = N - c0 < CB ? N - c0 : CB;
      fused_block(x, b, F, cols, x->V + c0, N, x->W, x->H + c0, N);
      /* num_c (K×cols, ld N) = Wᵀ (K×F) · A (F×cols) */
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, cols, F, 1.0, x->W, K, x->SA, cols, 0.0, x->num + c0, N);
      if (x->code == 0)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, cols, F, 1.0, x->W, K, x->SB, cols, 0.0, x->den + c0, N);
    }
  }
  return NULL;
}

/* Scratch kept between calls, per calling thread: Node worker threads may run fits concurrently. */
static _Thread_local double *scratch = NULL;
static _Thread_local size_t scratch_len = 0;
static _Thread_local double *block_sums = NULL;
static _Thread_local size_t block_sums_len = 0;

/* muFused(code, side, F, N, K, V, W, H, num, den, eps[, objective]) → false when scratch cannot be
   allocated; with `objective` (a Float64Array), objective[0] = Σ d(V|Λ) of the Λ = WH at entry, the
   block sums added in block order (so the value does not depend on the thread count). */
static napi_value MuFused(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value a[12];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  Fused x;
  double *V, *W, *H, *num, *den;
  size_t lv, lw, lh, ln, ld;
  if (argc < 11 || !get_f64(env, a[5], &V, &lv) || !get_f64(env, a[6], &W, &lw) || !get_f64(env, a[7], &H, &lh) ||
      !get_f64(env, a[8], &num, &ln) || !get_f64(env, a[9], &den, &ld) || napi_get_value_double(env, a[10], &x.eps) != napi_ok) {
    napi_throw_type_error(env, NULL, "muFused: (code, side, F, N, K, V, W, H, num, den, eps)");
    return NULL;
  }
  x.code = (int)get_i(env, a[0]); x.side = (int)get_i(env, a[1]);
  x.F = (int)get_i(env, a[2]); x.N = (int)get_i(env, a[3]); x.K = (int)get_i(env, a[4]);
  const size_t F = x.F, N = x.N, K = x.K;
  const size_t numLen = x.side == 0 ? F * K : K * N;
  if (F == 0 || N == 0 || K == 0 || lv < F * N || lw < F * K || lh < K * N || ln < numLen || (x.code == 0 && ld < numLen)) {
    napi_throw_range_error(env, NULL, "muFused: array sizes do not match F, N, K");
    return NULL;
  }
  x.V = V; x.W = W; x.H = H; x.num = num; x.den = den;
  double *objOut = NULL;
  size_t lo = 0;
  x.sums = NULL;
  const size_t nBlocks = x.side == 0 ? (F + RB - 1) / RB : (N + CB - 1) / CB;
  if (argc >= 12 && get_f64(env, a[11], &objOut, &lo) && lo >= 1) {
    if (nBlocks > block_sums_len) {
      double *p = (double *)realloc(block_sums, nBlocks * sizeof(double));
      napi_value r;
      if (!p) { napi_get_boolean(env, false, &r); return r; }
      block_sums = p;
      block_sums_len = nBlocks;
    }
    x.sums = block_sums;
  } else {
    objOut = NULL;
  }
  const int T = n_threads;
  const size_t per = (RB * N > F * CB ? RB * N : F * CB);
  const size_t need = per * 2 * T;
  if (need > scratch_len) {
    double *p = (double *)realloc(scratch, need * sizeof(double));
    napi_value r;
    if (!p) { napi_get_boolean(env, false, &r); return r; }
    scratch = p;
    scratch_len = need;
  }
  Fused parts[2];
  pthread_t th;
  int started = 0;
  for (int t = 0; t < T; t++) {
    parts[t] = x;
    parts[t].t = t; parts[t].T = T;
    parts[t].SA = scratch + per * 2 * t;
    parts[t].SB = parts[t].SA + per;
  }
  if (T == 2 && pthread_create(&th, NULL, fused_run, &parts[1]) == 0) started = 1;
  if (T == 2 && !started) { parts[0].T = 1; }
  fused_run(&parts[0]);
  if (started) pthread_join(th, NULL);
  if (objOut) {
    double t = 0;
    for (size_t b = 0; b < nBlocks; b++) t += block_sums[b];
    objOut[0] = t;
  }
  napi_value r;
  napi_get_boolean(env, true, &r);
  return r;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc >= 1) {
    const int t = (int)get_i(env, a[0]);
    n_threads = t < 1 ? 1 : t > 2 ? 2 : t;
  }
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r;
  CHECK(napi_create_int32(env, n_threads, &r));
  return r;
}

/* Bumped whenever a kernel's semantics change (2: muApply replaces only zero denominators;
   3: muFused's objective), so
   that native.ts ignores an addon built from older sources instead of giving old results. */
#define NMFLAB_ABI 3

static napi_value Init(napi_env env, napi_value exports) {
  /* OpenBLAS's own threading may split the reduction (results then depend on the thread count,
     measured): it runs single-threaded and dgemm_split parallelizes over C instead. */
  openblas_set_num_threads(1);
  {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    n_threads = cores >= 2 ? 2 : 1;
  }
  napi_property_descriptor d[] = {
    { "dgemm", NULL, Dgemm, NULL, NULL, NULL, napi_default, NULL },
    { "muWeights", NULL, MuWeights, NULL, NULL, NULL, napi_default, NULL },
    { "muFused", NULL, MuFused, NULL, NULL, NULL, napi_default, NULL },
    { "muApply", NULL, MuApply, NULL, NULL, NULL, napi_default, NULL },
    { "setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL },
    { "getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof d / sizeof d[0], d));
  {
    napi_value abi;
    CHECK(napi_create_int32(env, NMFLAB_ABI, &abi));
    CHECK(napi_set_named_property(env, exports, "abi", abi));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
