import { Matrix } from '@nmflab/core';
import type { MuRule, MuState } from './state.js';

/**
 * The update paths of mu: the numerators and denominators of the W and H updates (the β = 2 Gram
 * path, the β ∈ {0, 1} fused passes, the β = 1 sums, the general weighted products), the model Λ
 * they need, and the rescaling between updates. Each reaches the kernels only through `rule.k`.
 */

/**
 * Fill A (numerator weights, M⊙ζ(Λ)⊙V) and B (denominator weights, M⊙ζ(Λ)⊙Λ) in one pass.
 * β fast paths: V⊙Λ^{β−2} and Λ^{β−1}, Λ floored at δ (`modelFloor`) where the power is negative.
 */
export function weights(rule: MuRule, s: MuState): void {
  const L = s.L.data,
    V = s.Vd.data,
    A = s.A.data,
    B = s.B.data,
    M = s.M;
  const n = L.length;
  const eps = rule.lfloor; // δ: ε² (modelFloor eps2) or ε
  const sh = rule.shift;
  if (rule.path.kind === 'beta') {
    const beta = rule.path.beta;
    const b2 = beta - 2,
      b1 = beta - 1;
    if (!M && sh === 0 && (beta === 1 || beta === 0)) {
      // No mask, no shift: one division per entry, no power (β = 1: B is never read, the
      // denominators are row/column sums; β = 0: A = V/Λ², B = 1/Λ).
      rule.k.betaWeights(beta, L, V, A, B, eps);
    } else if (beta === 1) {
      for (let i = 0; i < n; i++) {
        const l = L[i] + sh;
        const lf = l > eps ? l : eps;
        const m = M ? M[i] : 1;
        A[i] = m === 0 ? 0 : (m * V[i]) / lf;
        B[i] = m;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const l = L[i] + sh;
        const m = M ? M[i] : 1;
        if (m === 0) {
          A[i] = 0;
          B[i] = 0;
          continue;
        }
        const ln = l > eps ? l : eps; // floor where the power is negative
        // One power per entry: Λ^{β−1} = Λ^{β−2}·Λ (Λ floored on both, as the Bregman path).
        let pw: number;
        if (b2 === 0) pw = 1;
        else if (b2 === -2) {
          const r = 1 / ln;
          pw = r * r;
        } else if (b2 === -3) {
          const r = 1 / ln;
          pw = r * r * r;
        } else pw = Math.pow(ln, b2);
        const mp = m * pw;
        A[i] = mp * V[i];
        // Λ^{β−1}: Λ^{β−2}·Λ (Λ floored where β−1 < 0); at β = 0 directly 1/Λ, one rounding.
        B[i] = b1 === 0 ? m * l : b2 === -2 ? m / ln : mp * (b1 < 0 ? ln : l);
      }
    }
  } else {
    const weight = rule.weightFn!;
    for (let i = 0; i < n; i++) {
      const m = M ? M[i] : 1;
      if (m === 0) {
        A[i] = 0;
        B[i] = 0;
        continue;
      }
      const l = L[i] + sh;
      const ln = l > eps ? l : eps;
      const z = m * weight(ln - sh); // the divergence's weight adds its own ε
      A[i] = z * V[i];
      B[i] = z * l;
    }
  }
}

/**
 * β ∈ {0, 1}, no mask, no shift, and a fused kernel (the native addon's `muFused`, else the
 * WebAssembly `muFusedWasm` unless the backend is `js`): numerators (and β = 0 denominators)
 * block by block, Λ never stored (recomputed only for the objective).
 */
export function fusedCode(rule: MuRule, s: MuState): 0 | 1 | -1 {
  if (rule.path.kind !== 'beta' || s.M || rule.shift !== 0) return -1;
  const beta = rule.path.beta;
  if (beta !== 0 && beta !== 1) return -1;
  return rule.k.fused ? beta : -1;
}

/** One side (0: W, 1: H) of the fused numerators/denominators; false when no fused kernel took it. */
export function fused(
  rule: MuRule,
  s: MuState,
  code: 0 | 1,
  side: 0 | 1,
  num: Matrix,
  den: Matrix,
  objective: Float64Array | null = null,
): boolean {
  // Scratch: the Λ buffer (a backend may write weights over it) and, at β = 0, B; Λ is stale after.
  if (!rule.k.fused!(code, side, s.F, s.N, s.K, s.V, s.W, s.H, num, den, s.S, s.S2, rule.lfloor, objective))
    return false;
  s.staleL = true;
  return true;
}

export function euclidFast(rule: MuRule, s: MuState): boolean {
  return rule.path.kind === 'beta' && rule.path.beta === 2 && !s.M && rule.shift === 0;
}

/** β = 1 without mask or shift: the denominators are row/column sums, no product needed. */
export function klFast(rule: MuRule, s: MuState): boolean {
  return rule.path.kind === 'beta' && rule.path.beta === 1 && !s.M && rule.shift === 0;
}

/** Numerator and denominator of the W update into numW, denW. */
export function ratioW(rule: MuRule, s: MuState, ready = false): void {
  if (euclidFast(rule, s)) {
    // num = V Hᵀ, den = W (H Hᵀ): K² products instead of a full Λ pass.
    rule.k.matmulNT(s.V, s.H, s.numW);
    rule.k.matmulNT(s.H, s.H, s.gram);
    rule.k.matmul(s.W, s.gram, s.denW);
    return;
  }
  const code = fusedCode(rule, s);
  if (code >= 0 && (ready || fused(rule, s, code as 0 | 1, 0, s.numW, s.denW))) {
    if (code === 1) sumsW(s);
    return;
  }
  freshL(rule, s);
  fullBuffers(rule, s);
  weights(rule, s);
  rule.k.matmulNT(s.A, s.H, s.numW);
  if (klFast(rule, s)) {
    sumsW(s);
    return;
  }
  rule.k.matmulNT(s.B, s.H, s.denW);
}

/** β = 1 W denominator 1Hᵀ: the row sums of H, broadcast over rows of W. */
export function sumsW(s: MuState): void {
  const { K, N } = s;
  const h = s.H.data,
    sums = s.sums,
    d = s.denW.data;
  for (let k = 0; k < K; k++) {
    let t = 0;
    for (let j = 0; j < N; j++) t += h[k * N + j];
    sums[k] = t;
  }
  for (let f = 0; f < s.F; f++) for (let k = 0; k < K; k++) d[f * K + k] = sums[k];
}

export function ratioH(rule: MuRule, s: MuState, ready = false): void {
  if (euclidFast(rule, s)) {
    rule.k.matmulTN(s.W, s.V, s.numH);
    rule.k.matmulTN(s.W, s.W, s.gram);
    rule.k.matmul(s.gram, s.H, s.denH);
    return;
  }
  const code = fusedCode(rule, s);
  if (code >= 0 && (ready || fused(rule, s, code as 0 | 1, 1, s.numH, s.denH))) {
    if (code === 1) sumsH(s);
    return;
  }
  freshL(rule, s);
  fullBuffers(rule, s);
  weights(rule, s);
  rule.k.matmulTN(s.W, s.A, s.numH);
  if (klFast(rule, s)) {
    sumsH(s);
    return;
  }
  rule.k.matmulTN(s.W, s.B, s.denH);
}

/** β = 1 H denominator Wᵀ1: the column sums of W, broadcast over columns of H. */
export function sumsH(s: MuState): void {
  const { K, N, F } = s;
  const w = s.W.data,
    sums = s.sums,
    d = s.denH.data;
  sums.fill(0, 0, K);
  for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) sums[k] += w[f * K + k];
  for (let k = 0; k < K; k++) d.fill(sums[k], k * N, (k + 1) * N);
}

/** A and B at full size for the unfused weights, when a lean path's fused pass was refused (e.g. matrices beyond WASM memory). */
export function fullBuffers(rule: MuRule, s: MuState): void {
  const n = s.F * s.N;
  if (s.A.data.length < n) s.A = new Matrix(s.F, s.N);
  if (s.B.data.length < n && !(klFast(rule, s) || euclidFast(rule, s))) s.B = new Matrix(s.F, s.N);
}

/** Λ = WH, recomputed if the β = 2 or fused path left it stale. */
export function freshL(rule: MuRule, s: MuState): Matrix {
  if (s.L.data.length < s.F * s.N) {
    // A lean path that needs Λ after all (model(), a direct objective, a fused pass refused).
    s.L = new Matrix(s.F, s.N);
    s.staleL = true;
  }
  if (s.staleL) {
    rule.k.matmul(s.W, s.H, s.L);
    s.staleL = false;
  }
  return s.L;
}

/** Normalize W's columns (or H's rows) to unit norm and move the scale into the other factor. */
export function rescale(s: MuState, which: 'W' | 'H', kind: 'l1' | 'l2'): void {
  const { F, N, K } = s;
  const w = s.W.data,
    h = s.H.data,
    norms = s.norms;
  norms.fill(0);
  if (which === 'W') {
    for (let f = 0; f < F; f++)
      for (let k = 0; k < K; k++) {
        const v = w[f * K + k];
        norms[k] += kind === 'l1' ? Math.abs(v) : v * v;
      }
  } else {
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        const v = h[k * N + n];
        norms[k] += kind === 'l1' ? Math.abs(v) : v * v;
      }
  }
  for (let k = 0; k < K; k++) {
    const nk = kind === 'l2' ? Math.sqrt(norms[k]) : norms[k];
    // Frozen W columns keep their values exactly.
    norms[k] = nk > 0 && s.frozenCols[k] === 0 ? nk : 1;
  }
  if (which === 'W') {
    for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) w[f * K + k] /= norms[k];
    for (let k = 0; k < K; k++) {
      const nk = norms[k];
      for (let n = 0; n < N; n++) h[k * N + n] *= nk;
    }
  } else {
    for (let k = 0; k < K; k++) {
      const nk = norms[k];
      for (let n = 0; n < N; n++) h[k * N + n] /= nk;
    }
    for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) w[f * K + k] *= norms[k];
  }
}
