/*
 * Optional native backend of @nmflab/core: double-precision GEMM through OpenBLAS's cblas_dgemm
 * (Debian: libopenblas-dev), exposed to Node through N-API. Built by scripts/build-native.mjs
 * with node-gyp; when it does not build or load, the WebAssembly kernel serves every product.
 *
 * dgemm(m, n, k, A, aRs, aCs, B, bRs, bCs, C, cRs, accumulate)
 *   C[i, j] (+)= Σ_p A[i·aRs + p·aCs] · B[p·bRs + j·bCs], C[i·cRs + j]
 * with A, B, C Float64Arrays (any buffer, WebAssembly memory included: no copies). One of each
 * operand's strides must be 1 (the caller checks; see packages/core/src/native.ts).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>

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
  const enum CBLAS_TRANSPOSE ta = aCs == 1 ? CblasNoTrans : CblasTrans;
  const enum CBLAS_TRANSPOSE tb = bCs == 1 ? CblasNoTrans : CblasTrans;
  const int lda = aCs == 1 ? aRs : aCs;
  const int ldb = bCs == 1 ? bRs : bCs;
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, A, lda, B, ldb, acc ? 1.0 : 0.0, C, cRs);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc >= 1) openblas_set_num_threads((int)get_i(env, a[0]));
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &r));
  return r;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    { "dgemm", NULL, Dgemm, NULL, NULL, NULL, napi_default, NULL },
    { "setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL },
    { "getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof d / sizeof d[0], d));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
