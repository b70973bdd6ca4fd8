// An example user plugin (loaded with `plugins:` in a config or `--plugin` on the command line):
// Lee & Seung's multiplicative updates for ½‖V − WH‖²,
//   H ← H ⊙ (WᵀV) / (WᵀW H),   W ← W ⊙ (V Hᵀ) / (W (H Hᵀ)),
// monotone (non-increasing objective). Plain objects, no imports: the runner only needs the
// Solver contract (init/step/objective/result). The `mu` solver of @nmflab/solvers supersedes it.

function mat(rows, cols) {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** C = A B (A r×k, B k×c), written into C. */
function mul(A, B, C) {
  const r = A.rows, k = A.cols, c = B.cols, a = A.data, b = B.data, o = C.data;
  o.fill(0);
  for (let i = 0; i < r; i++) for (let p = 0; p < k; p++) {
    const x = a[i * k + p];
    if (x === 0) continue;
    for (let j = 0; j < c; j++) o[i * c + j] += x * b[p * c + j];
  }
}

/** C = Aᵀ B. */
function mulTN(A, B, C) {
  const r = A.cols, k = A.rows, c = B.cols, a = A.data, b = B.data, o = C.data;
  o.fill(0);
  for (let p = 0; p < k; p++) for (let i = 0; i < r; i++) {
    const x = a[p * r + i];
    if (x === 0) continue;
    for (let j = 0; j < c; j++) o[i * c + j] += x * b[p * c + j];
  }
}

/** C = A Bᵀ. */
function mulNT(A, B, C) {
  const r = A.rows, k = A.cols, c = B.rows, a = A.data, b = B.data, o = C.data;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
    o[i * c + j] = s;
  }
}

export default [
  {
    meta: {
      kind: 'solver',
      id: 'euclidean-mu',
      description: "Lee-Seung multiplicative updates for the Euclidean cost (example user plugin)",
      params: {
        eps: { type: 'number', minimum: 0, default: 1e-12, description: 'floor added to denominators' },
      },
    },
    create: (p) => ({
      id: 'euclidean-mu',
      monotone: true,
      init(problem, rng) {
        const V = problem.V, F = V.rows, N = V.cols, K = problem.rank;
        let mean = 0;
        for (const x of V.data) mean += x;
        const scale = Math.sqrt(mean / V.data.length / K);
        const W = mat(F, K), H = mat(K, N);
        for (let i = 0; i < W.data.length; i++) W.data[i] = scale * (0.5 + rng.uniform());
        for (let i = 0; i < H.data.length; i++) H.data[i] = scale * (0.5 + rng.uniform());
        return { V, W, H, WH: mat(F, N), WtV: mat(K, N), WtW: mat(K, K), WtWH: mat(K, N), VHt: mat(F, K), HHt: mat(K, K), WHHt: mat(F, K) };
      },
      step(s) {
        mulTN(s.W, s.V, s.WtV); mulTN(s.W, s.W, s.WtW); mul(s.WtW, s.H, s.WtWH);
        for (let i = 0; i < s.H.data.length; i++) s.H.data[i] *= s.WtV.data[i] / (s.WtWH.data[i] + p.eps);
        mulNT(s.V, s.H, s.VHt); mulNT(s.H, s.H, s.HHt); mul(s.W, s.HHt, s.WHHt);
        for (let i = 0; i < s.W.data.length; i++) s.W.data[i] *= s.VHt.data[i] / (s.WHHt.data[i] + p.eps);
      },
      objective(s) {
        mul(s.W, s.H, s.WH);
        let f = 0;
        for (let i = 0; i < s.WH.data.length; i++) { const d = s.V.data[i] - s.WH.data[i]; f += d * d; }
        return { total: f / 2, terms: { data: f / 2 } };
      },
      result(s) {
        return { W: s.W, H: s.H };
      },
    }),
  },
];
