import { Matrix, NmflabError, matmul, matmulTN, mean, type InitHooks, type Rng } from '@nmflab/core';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';

/**
 * NNDSVD (Boutsidis & Gallopoulos 2008) on the K leading singular triplets of V. The first pair is
 * √σ₁|u₁|, √σ₁|v₁|; each later pair keeps the positive or the negative parts of (u_j, v_j),
 * whichever has the larger ‖x‖‖y‖, scaled by √(σ_j m). Entries < 1e-6 become 0; `fill` then
 * replaces the zeros (nndsvda: mean(V); nndsvdar: |N(0,1)|·mean(V)/100).
 *
 * The triplets come from the Gram matrix of the short side (m = min(F, N)): G = (V/s)(V/s)ᵀ for
 * F ≤ N (else (V/s)ᵀ(V/s)), its eigenpairs (λ_j, u_j) give σ_j = s√λ_j, and the long side is one
 * product, v_j = Vᵀu_j/σ_j. Cost: one m×m×max(F, N) product on the fast kernels plus an m×m
 * symmetric eigensolver, against a full Golub–Kahan SVD of V (which took 736 s on 513×100000).
 * No draw is random, so the same V always gives the same factors. The triplets agree with the full
 * SVD's wherever σ_K > σ_{K+1} (the Gram matrix squares the condition number, which costs accuracy
 * only in the small singular values NNDSVD does not use).
 *
 * s = max V: squaring data around 1e-307 would underflow to 0, so V is scaled to max 1 first, a
 * chunk of rows/columns at a time (no F×N copy). The chunks are also where `hooks.signal` is
 * checked (Ctrl-C during a long initialization) and `hooks.progress` is told how far it is.
 */
export type NndsvdFill = 'none' | 'mean' | 'random';

/** Doubles per chunk of V (16 MiB): the copy stays small whatever the size of V. */
const CHUNK = 1 << 21;

function checkAbort(hooks: InitHooks | undefined): void {
  if (hooks?.signal?.aborted) throw new NmflabError('interrupted during initialization', { exitCode: 130 });
}

/**
 * The chunks of the long side of V/s: `rows` consecutive lines of the n long-side positions, each
 * an m-vector (F ≤ N: columns of V, transposed into rows; F > N: rows of V), into `buf` (rows×m).
 */
function loadChunk(V: Matrix, start: number, rows: number, inv: number, buf: Matrix): void {
  const F = V.rows,
    N = V.cols,
    v = V.data,
    b = buf.data;
  if (F <= N) {
    const m = F;
    for (let f = 0; f < F; f++) {
      const o = f * N + start;
      for (let j = 0; j < rows; j++) b[j * m + f] = v[o + j] * inv;
    }
  } else {
    const o = start * N;
    for (let i = 0; i < rows * N; i++) b[i] = v[o + i] * inv;
  }
}

/**
 * The K leading singular triplets of V: σ (descending), X (F×K, left vectors as columns) and Y
 * (N×K, right vectors as columns). `chunk`: doubles of V/s copied at a time.
 */
export function leadingSingularTriplets(
  V: Matrix,
  K: number,
  hooks?: InitHooks,
  chunk = CHUNK,
): { sigma: Float64Array; X: Matrix; Y: Matrix } {
  const F = V.rows,
    N = V.cols;
  const m = Math.min(F, N),
    n = Math.max(F, N);
  let s = 0;
  for (let i = 0; i < V.data.length; i++) {
    const a = Math.abs(V.data[i]);
    if (a > s) s = a;
  }
  const sigma = new Float64Array(K);
  const short = new Matrix(m, K),
    long = new Matrix(n, K);
  const result = () => (F <= N ? { sigma, X: short, Y: long } : { sigma, X: long, Y: short });
  if (!(s > 0)) return result(); // V = 0: every σ is 0, the factors are 0
  const inv = 1 / s;
  const step = Math.max(1, Math.min(n, Math.floor(chunk / m)));
  const buf = new Matrix(step, m);
  const G = new Matrix(m, m);
  const part = new Matrix(m, m);
  const chunks = Math.ceil(n / step);
  // Two passes over V (G, then the long side): progress counts chunks of both.
  let done = 0;
  const tick = () => {
    done++;
    hooks?.progress?.(done / (2 * chunks));
  };
  for (let c0 = 0; c0 < n; c0 += step) {
    checkAbort(hooks);
    const r = Math.min(step, n - c0);
    const C = r === step ? buf : new Matrix(r, m, buf.data.subarray(0, r * m));
    loadChunk(V, c0, r, inv, C);
    matmulTN(C, C, part);
    const g = G.data,
      p = part.data;
    for (let i = 0; i < g.length; i++) g[i] += p[i];
    tick();
  }
  checkAbort(hooks);
  // G is symmetric up to rounding of the two triangles' sums; make it exactly so.
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row = new Array<number>(m);
    for (let j = 0; j < m; j++) row[j] = i <= j ? G.data[i * m + j] : G.data[j * m + i];
    rows.push(row);
  }
  const eig = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  const E = eig.eigenvectorMatrix;
  const order = lambda
    .map((l, i) => [l, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map((x) => x[1]);
  // U/σ_s, so the long side is one product: (V/s)ᵀ (U/σ_s) = the long-side vectors.
  const Us = new Matrix(m, K);
  for (let j = 0; j < K; j++) {
    const c = order[j];
    const ss = Math.sqrt(Math.max(lambda[c], 0));
    sigma[j] = s * ss;
    for (let i = 0; i < m; i++) {
      const u = E.get(i, c);
      short.data[i * K + j] = u;
      Us.data[i * K + j] = ss > 0 ? u / ss : 0;
    }
  }
  const out = new Matrix(step, K);
  for (let c0 = 0; c0 < n; c0 += step) {
    checkAbort(hooks);
    const r = Math.min(step, n - c0);
    const C = r === step ? buf : new Matrix(r, m, buf.data.subarray(0, r * m));
    const O = r === step ? out : new Matrix(r, K, out.data.subarray(0, r * K));
    loadChunk(V, c0, r, inv, C);
    matmul(C, Us, O);
    long.data.set(O.data.subarray(0, r * K), c0 * K);
    tick();
  }
  return result();
}

export function nndsvd(V: Matrix, K: number, fill: NndsvdFill, rng: Rng, hooks?: InitHooks): { W: Matrix; H: Matrix } {
  const F = V.rows,
    N = V.cols;
  if (K > Math.min(F, N)) {
    throw new NmflabError('NNDSVD needs rank ≤ min(F, N)', {
      path: 'rank',
      expected: `at most ${Math.min(F, N)}`,
      found: String(K),
      hint: 'use the random initializer for larger ranks',
    });
  }
  const { sigma, X: U, Y: Vt } = leadingSingularTriplets(V, K, hooks);
  const W = new Matrix(F, K);
  const H = new Matrix(K, N);
  const x = new Float64Array(F),
    y = new Float64Array(N);
  for (let j = 0; j < K; j++) {
    const s = Math.max(sigma[j], 0);
    for (let f = 0; f < F; f++) x[f] = U.data[f * K + j];
    for (let n = 0; n < N; n++) y[n] = Vt.data[n * K + j];
    if (j === 0) {
      const r = Math.sqrt(s);
      for (let f = 0; f < F; f++) W.data[f * K] = r * Math.abs(x[f]);
      for (let n = 0; n < N; n++) H.data[n] = r * Math.abs(y[n]);
      continue;
    }
    let xp = 0,
      xn = 0,
      yp = 0,
      yn = 0;
    for (let f = 0; f < F; f++) {
      const v = x[f];
      if (v > 0) xp += v * v;
      else xn += v * v;
    }
    for (let n = 0; n < N; n++) {
      const v = y[n];
      if (v > 0) yp += v * v;
      else yn += v * v;
    }
    xp = Math.sqrt(xp);
    xn = Math.sqrt(xn);
    yp = Math.sqrt(yp);
    yn = Math.sqrt(yn);
    const mp = xp * yp,
      mn = xn * yn;
    const pos = mp > mn;
    const m = pos ? mp : mn;
    const nx = pos ? xp : xn,
      ny = pos ? yp : yn;
    const r = Math.sqrt(s * m);
    for (let f = 0; f < F; f++) {
      const v = pos ? Math.max(x[f], 0) : Math.max(-x[f], 0);
      W.data[f * K + j] = nx > 0 ? (r * v) / nx : 0;
    }
    for (let n = 0; n < N; n++) {
      const v = pos ? Math.max(y[n], 0) : Math.max(-y[n], 0);
      H.data[j * N + n] = ny > 0 ? (r * v) / ny : 0;
    }
  }
  for (const X of [W, H]) for (let i = 0; i < X.data.length; i++) if (X.data[i] < 1e-6) X.data[i] = 0;
  if (fill !== 'none') {
    const avg = mean(V);
    for (const X of [W, H]) {
      for (let i = 0; i < X.data.length; i++) {
        if (X.data[i] === 0) X.data[i] = fill === 'mean' ? avg : Math.abs(rng.normal()) * (avg / 100);
      }
    }
  }
  return { W, H };
}
