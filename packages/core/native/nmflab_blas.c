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
 * Element-wise passes of the multiplicative updates (packages/solvers/src/solvers/mu.ts), the
 * same formulas in the same order as the JavaScript loops there. They use only IEEE-exact
 * operations (×, /, √, comparisons; compiled with -ffp-contract=off, no fast-math), so their
 * results are bit-identical to the JavaScript ones; the compiler vectorizes them (AVX).
 *   muWeights(code, L, V, A, B, eps): code 1 (β = 1): A = V / max(Λ, ε);
 *                                     code 0 (β = 0): r = 1/max(Λ, ε), B = r, A = r·r·V.
 *   muApply(gammaCode, X, num, den, eps): X = max(X·(num/max(den, ε))^γ, ε), γ = 1 (code 1) or ½ (code 2).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <unistd.h>

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

/* Threads used by dgemm: our own split of C (OpenBLAS itself runs single-threaded, see Init). */
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
      const double x = X[i] * (Q[i] / (d > eps ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const double d = P[i];
      const double x = X[i] * sqrt(Q[i] / (d > eps ? d : eps));
      X[i] = x > eps ? x : eps;
    }
  }
  return NULL;
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
    { "muApply", NULL, MuApply, NULL, NULL, NULL, napi_default, NULL },
    { "setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL },
    { "getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof d / sizeof d[0], d));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
