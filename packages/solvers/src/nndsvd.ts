import { Matrix, NmflabError, mean, type Rng } from '@nmflab/core';
import { Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * NNDSVD (Boutsidis & Gallopoulos 2008) on a deterministic full SVD (ml-matrix, Golub–Kahan),
 * so the same V always gives the same factors. The first pair is √σ₁|u₁|, √σ₁|v₁|; each later pair
 * keeps the positive or the negative parts of (u_j, v_j), whichever has the larger ‖x‖‖y‖, scaled by
 * √(σ_j m). Entries < 1e-6 become 0; `fill` then replaces the zeros (nndsvda: mean(V); nndsvdar:
 * |N(0,1)|·mean(V)/100).
 */
export type NndsvdFill = 'none' | 'mean' | 'random';

export function nndsvd(V: Matrix, K: number, fill: NndsvdFill, rng: Rng): { W: Matrix; H: Matrix } {
  const F = V.rows, N = V.cols;
  if (K > Math.min(F, N)) {
    throw new NmflabError('NNDSVD needs rank ≤ min(F, N)', { path: 'rank', expected: `at most ${Math.min(F, N)}`, found: String(K), hint: 'use the random initializer for larger ranks' });
  }
  const svd = new SingularValueDecomposition(new MlMatrix(V.toRows()), {
    computeLeftSingularVectors: true, computeRightSingularVectors: true, autoTranspose: true,
  });
  const U = svd.leftSingularVectors;
  const Vt = svd.rightSingularVectors;
  const S = svd.diagonal;
  // Order by decreasing σ (ml-matrix returns them sorted, but do not rely on it).
  const order = S.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map((x) => x[1]);
  const W = new Matrix(F, K);
  const H = new Matrix(K, N);
  const x = new Float64Array(F), y = new Float64Array(N);
  for (let j = 0; j < K; j++) {
    const c = order[j]!;
    const s = Math.max(S[c]!, 0);
    for (let f = 0; f < F; f++) x[f] = U.get(f, c);
    for (let n = 0; n < N; n++) y[n] = Vt.get(n, c);
    if (j === 0) {
      const r = Math.sqrt(s);
      for (let f = 0; f < F; f++) W.data[f * K] = r * Math.abs(x[f]!);
      for (let n = 0; n < N; n++) H.data[n] = r * Math.abs(y[n]!);
      continue;
    }
    let xp = 0, xn = 0, yp = 0, yn = 0;
    for (let f = 0; f < F; f++) { const v = x[f]!; if (v > 0) xp += v * v; else xn += v * v; }
    for (let n = 0; n < N; n++) { const v = y[n]!; if (v > 0) yp += v * v; else yn += v * v; }
    xp = Math.sqrt(xp); xn = Math.sqrt(xn); yp = Math.sqrt(yp); yn = Math.sqrt(yn);
    const mp = xp * yp, mn = xn * yn;
    const pos = mp > mn;
    const m = pos ? mp : mn;
    const nx = pos ? xp : xn, ny = pos ? yp : yn;
    const r = Math.sqrt(s * m);
    for (let f = 0; f < F; f++) {
      const v = pos ? Math.max(x[f]!, 0) : Math.max(-x[f]!, 0);
      W.data[f * K + j] = nx > 0 ? (r * v) / nx : 0;
    }
    for (let n = 0; n < N; n++) {
      const v = pos ? Math.max(y[n]!, 0) : Math.max(-y[n]!, 0);
      H.data[j * N + n] = ny > 0 ? (r * v) / ny : 0;
    }
  }
  for (const X of [W, H]) for (let i = 0; i < X.data.length; i++) if (X.data[i]! < 1e-6) X.data[i] = 0;
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
