import { type Matrix, Rng, type Initializer } from '@nmflab/core';
import { randMatrix } from './oracles.js';

export function data(F = 12, N = 9, seed = 1): Matrix {
  return randMatrix(F, N, new Rng(seed), 0.01, 3);
}

export function nonNegative(m: Matrix): boolean {
  return m.data.every((v) => v >= 0 && Number.isFinite(v));
}

export function run(init: Initializer, V: Matrix, K: number, seed = 1): { W: Matrix; H: Matrix } {
  return init.init(V, K, new Rng(seed));
}

/** Leading singular triplet by power iteration on VᵀV (an independent oracle for NNDSVD's first pair). */
export function leadingTriplet(V: Matrix): { s: number; u: Float64Array; v: Float64Array } {
  const F = V.rows,
    N = V.cols;
  let v = new Float64Array(N).fill(1 / Math.sqrt(N));
  const u = new Float64Array(F);
  let s = 0;
  for (let it = 0; it < 2000; it++) {
    for (let f = 0; f < F; f++) {
      let t = 0;
      for (let n = 0; n < N; n++) t += V.data[f * N + n] * v[n];
      u[f] = t;
    }
    const nv = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let t = 0;
      for (let f = 0; f < F; f++) t += V.data[f * N + n] * u[f];
      nv[n] = t;
    }
    const norm = Math.hypot(...nv);
    for (let n = 0; n < N; n++) nv[n] /= norm;
    v = nv;
  }
  for (let f = 0; f < F; f++) {
    let t = 0;
    for (let n = 0; n < N; n++) t += V.data[f * N + n] * v[n];
    u[f] = t;
  }
  s = Math.hypot(...u);
  for (let f = 0; f < F; f++) u[f] /= s;
  return { s, u, v };
}
