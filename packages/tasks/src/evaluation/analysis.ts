import { Matrix, matmul, matmulTN, NmflabError } from '@nmflab/core';
import { hoyerSparseness, pearson } from './measures.js';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { PNG } from 'pngjs';

/**
 * Shared measurements of the reproduction experiments (Lee & Seung 1999, Ellis & Arroyo 2004,
 * Olshausen & Field 1996, Frobenius-NMF geometry): PCA, Hoyer sparseness, correlations, mutual
 * angles, kurtosis, spatial spread, and bases drawn as PNG grids.
 */

export interface PcaResult {
  /** Principal directions U (F×k), unit ℓ2 columns, by decreasing variance. */
  components: Matrix;
  /** Coefficients Uᵀ(V − m1ᵀ) (k×N). */
  scores: Matrix;
  /** Column mean m (length F): the samples are V's columns. */
  mean: Float64Array;
  /** Variances λ_i (eigenvalues of the covariance, divided by N). */
  variances: Float64Array;
}

/**
 * PCA of the columns of V (samples are columns, features rows), deterministic: the eigen-
 * decomposition of the smaller of X Xᵀ (F×F) and XᵀX (N×N), X = V − m1ᵀ (then U = X v/√λ).
 * Signs fixed so that each component's entry of largest magnitude is positive.
 * With `center: false` X = V (the uncentred "SVD" basis).
 */
export function pca(V: Matrix, k: number, center = true): PcaResult {
  const F = V.rows,
    N = V.cols;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(F, N)) {
    throw new NmflabError('PCA rank out of range', {
      expected: `an integer in 1..${Math.min(F, N)}`,
      found: String(k),
    });
  }
  const mean = new Float64Array(F);
  if (center)
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += V.data[f * N + n];
      mean[f] = s / N;
    }
  const X = new Matrix(F, N);
  for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) X.data[f * N + n] = V.data[f * N + n] - mean[f];
  const Xt = X.transpose();
  const small = F <= N ? matmul(X, Xt) : matmul(Xt, X);
  const d = small.rows;
  const evd = new EigenvalueDecomposition(new MlMatrix(small.toRows()), { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = Array.from(vals.keys()).sort((a, b) => vals[b] - vals[a]);
  const U = new Matrix(F, k);
  const variances = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const c = order[j];
    const lam = Math.max(vals[c], 0);
    variances[j] = lam / N;
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = vecs.get(i, c);
    let u: Float64Array;
    if (F <= N) u = v;
    else {
      u = new Float64Array(F);
      for (let f = 0; f < F; f++) {
        let s = 0;
        for (let n = 0; n < N; n++) s += X.data[f * N + n] * v[n];
        u[f] = s;
      }
    }
    let norm = 0,
      big = 0;
    for (const x of u) {
      norm += x * x;
      if (Math.abs(x) > Math.abs(big)) big = x;
    }
    const scale = (big < 0 ? -1 : 1) / (Math.sqrt(norm) || 1);
    for (let f = 0; f < F; f++) U.data[f * k + j] = u[f] * scale;
  }
  return { components: U, scores: matmulTN(U, X), mean, variances };
}

export function column(M: Matrix, j: number): Float64Array {
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) out[i] = M.data[i * M.cols + j];
  return out;
}

export function row(M: Matrix, i: number): Float64Array {
  return M.data.slice(i * M.cols, (i + 1) * M.cols);
}

/** Mean Hoyer sparseness of the columns of W and of the rows of H. */
export function sparseness(W: Matrix, H: Matrix): { W: number; H: number } {
  let w = 0,
    h = 0;
  for (let k = 0; k < W.cols; k++) w += hoyerSparseness(column(W, k));
  for (let k = 0; k < H.rows; k++) h += hoyerSparseness(row(H, k));
  return { W: w / W.cols, H: h / H.rows };
}

/**
 * For each reference vector (column of R), the best |Pearson correlation| with any column of B
 * and which column it was (several references may pick the same column: that is "mixing").
 */
export function bestMatches(R: Matrix, B: Matrix): { corr: number[]; index: number[] } {
  const cols = Array.from({ length: B.cols }, (_, k) => column(B, k));
  const corr: number[] = [],
    index: number[] = [];
  for (let p = 0; p < R.cols; p++) {
    const r = column(R, p);
    let best = -1,
      bi = -1;
    cols.forEach((b, k) => {
      const c = Math.abs(pearson(r, b));
      if (c > best) [best, bi] = [c, k];
    });
    corr.push(best);
    index.push(bi);
  }
  return { corr, index };
}

/** Mean and minimum pairwise angle (degrees) between the columns of W (angle of |cos|). */
export function mutualAngles(W: Matrix): { mean: number; min: number; meanAbsCos: number } {
  const K = W.cols;
  const G = matmulTN(W, W);
  let s = 0,
    c = 0,
    min = 90;
  for (let i = 0; i < K; i++)
    for (let j = i + 1; j < K; j++) {
      const d = Math.sqrt(G.data[i * K + i] * G.data[j * K + j]);
      const cos = d > 0 ? Math.min(1, Math.abs(G.data[i * K + j]) / d) : 0;
      const ang = (Math.acos(cos) * 180) / Math.PI;
      s += cos;
      c++;
      if (ang < min) min = ang;
    }
  const meanAbsCos = c ? s / c : 0;
  return { mean: (Math.acos(meanAbsCos) * 180) / Math.PI, min, meanAbsCos };
}

/** Excess kurtosis E[(x−μ)⁴]/σ⁴ − 3 of all entries (0 for a Gaussian, > 0 for sparse). */
export function kurtosis(x: ArrayLike<number>): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let m2 = 0,
    m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] - m) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 > 0 ? m4 / (m2 * m2) - 3 : 0;
}

/**
 * Spatial spread of an image basis (h×w, row-major): the root mean squared distance (pixels) of
 * its energy x² from the energy centroid. A localized basis has a small spread; one spread
 * uniformly over a w×w square has about w/√6.
 */
export function spatialSpread(x: ArrayLike<number>, h: number, w: number): number {
  let e = 0,
    cy = 0,
    cx = 0;
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const v = x[r * w + c] ** 2;
      e += v;
      cy += v * r;
      cx += v * c;
    }
  if (e === 0) return 0;
  cy /= e;
  cx /= e;
  let s = 0;
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) s += x[r * w + c] ** 2 * ((r - cy) ** 2 + (c - cx) ** 2);
  return Math.sqrt(s / e);
}

/**
 * The columns of B (each an h×w image, row-major) as a PNG grid, each tile scaled to its own
 * range (signed bases: 0 is mid-grey when the tile has both signs), `zoom` pixels per pixel,
 * one-pixel white gaps.
 */
export function basisGridPng(
  B: Matrix,
  h: number,
  w: number,
  opts: { perRow?: number; zoom?: number } = {},
): Uint8Array {
  if (h * w !== B.rows)
    throw new NmflabError('image shape does not match the basis length', {
      expected: `h·w = ${B.rows}`,
      found: `${h}×${w}`,
    });
  const K = B.cols;
  const perRow = opts.perRow ?? Math.ceil(Math.sqrt(K));
  const zoom = opts.zoom ?? 3;
  const rowsOfTiles = Math.ceil(K / perRow);
  const W = perRow * (w * zoom + 1) + 1,
    H = rowsOfTiles * (h * zoom + 1) + 1;
  const png = new PNG({ width: W, height: H, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.alloc(W * H, 255);
  for (let k = 0; k < K; k++) {
    const x = column(B, k);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    let a = lo,
      b = hi;
    if (lo < 0 && hi > 0) {
      const m = Math.max(-lo, hi);
      [a, b] = [-m, m];
    }
    const span = b - a || 1;
    const ty = Math.floor(k / perRow) * (h * zoom + 1) + 1,
      tx = (k % perRow) * (w * zoom + 1) + 1;
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const g = Math.round((255 * (x[r * w + c] - a)) / span);
        for (let dy = 0; dy < zoom; dy++)
          for (let dx = 0; dx < zoom; dx++) png.data[(ty + r * zoom + dy) * W + tx + c * zoom + dx] = g;
      }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
}

/** Purity of a clustering against labels: Σ_clusters max_label |cluster ∩ label| / n. */
export function purity(assign: ArrayLike<number>, labels: ArrayLike<number>): number {
  const counts = new Map<string, number>();
  const best = new Map<number, number>();
  for (let i = 0; i < assign.length; i++) {
    const key = `${assign[i]}:${labels[i]}`;
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    best.set(assign[i], Math.max(best.get(assign[i]) ?? 0, c));
  }
  let s = 0;
  for (const v of best.values()) s += v;
  return s / assign.length;
}

export const round = (x: number, d = 4): number => Number(x.toFixed(d));
