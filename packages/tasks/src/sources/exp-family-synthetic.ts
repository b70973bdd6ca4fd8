import { Matrix, definePlugin, matmul, type Rng } from '@nmflab/core';

interface Params {
  rows: number;
  cols: number;
  rank: number;
  noise: 'gaussian' | 'poisson' | 'gamma';
  mean: number;
  sigma: number;
  shape: number;
}

/**
 * Data from an exponential-family model around a low-rank mean (Banerjee et al. 2005; Dhillon &
 * Sra 2005): Λ = c·W H with W_fk, H_kn ~ U(0.2, 1) (so Λ stays away from 0) and c setting
 * mean(Λ) = `mean`; then, entry by entry,
 *   gaussian: V = Λ + σ ε, ε ~ N(0, 1) (floored at 1e-3·mean: the rare negatives are counted in
 *             extra.clipped);
 *   poisson:  V ~ Poisson(Λ) (Knuth's product method for Λ < 30, else the PTRS transformed
 *             rejection of Hörmann 1993);
 *   gamma:    V ~ Gamma(shape α, mean Λ) (Marsaglia & Tsang 2000), i.e. Λ times multiplicative
 *             Gamma(α, 1/α) noise; α = 1 is the exponential model for which IS-NMF is ML.
 * Their maximum-likelihood divergences are Euclidean, KL and Itakura–Saito (α: IS up to a factor).
 * `extra` holds Λ (`mean`), the model and its parameters for likelihood evaluation.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'exp-family-synthetic',
    description: 'Gaussian, Poisson or Gamma data around a seeded low-rank mean W H (for matching-divergence studies)',
    params: {
      rows: { type: 'integer', minimum: 1, default: 60, description: 'F, rows of V' },
      cols: { type: 'integer', minimum: 1, default: 80, description: 'N, columns of V' },
      rank: { type: 'integer', minimum: 1, default: 5, description: 'rank of the mean W H' },
      noise: {
        type: 'string',
        enum: ['gaussian', 'poisson', 'gamma'],
        default: 'poisson',
        description: 'the noise model',
      },
      mean: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'mean of Λ over all entries' },
      sigma: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Gaussian standard deviation' },
      shape: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Gamma shape α (1 = exponential)' },
    },
  },
  create: (p) => ({
    id: 'exp-family-synthetic',
    load(rng) {
      const W = new Matrix(p.rows, p.rank, rng.fillUniform(new Float64Array(p.rows * p.rank), 0.2, 1));
      const H = new Matrix(p.rank, p.cols, rng.fillUniform(new Float64Array(p.rank * p.cols), 0.2, 1));
      const L = matmul(W, H);
      let m = 0;
      for (const x of L.data) m += x;
      const c = p.mean / (m / L.data.length);
      for (let i = 0; i < L.data.length; i++) L.data[i] *= c;
      const V = new Matrix(p.rows, p.cols);
      const noise = rng.fork(`noise-${p.noise}`);
      let clipped = 0;
      for (let i = 0; i < V.data.length; i++) {
        const l = L.data[i];
        if (p.noise === 'gaussian') {
          const x = l + p.sigma * noise.normal();
          if (x < 1e-3 * p.mean) clipped++;
          V.data[i] = Math.max(x, 1e-3 * p.mean);
        } else if (p.noise === 'poisson') V.data[i] = poisson(noise, l);
        else V.data[i] = (gamma(noise, p.shape) * l) / p.shape;
      }
      return { matrix: V, extra: { mean: L, noise: p.noise, sigma: p.sigma, shape: p.shape, clipped } };
    },
  }),
});

/** Poisson(λ) draw. */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda < 30) {
    const L = Math.exp(-lambda);
    let k = 0,
      prod = rng.uniform();
    while (prod > L) {
      k++;
      prod *= rng.uniform();
    }
    return k;
  }
  // PTRS (Hörmann 1993)
  const slam = Math.sqrt(lambda),
    loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam,
    a = -0.059 + 0.02483 * b,
    invalpha = 1.1239 + 1.1328 / (b - 3.4),
    vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = rng.uniform() - 0.5,
      V = rng.uniform(),
      us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - lgammaInt(k + 1))
      return k;
  }
}

function lgammaInt(n: number): number {
  let s = 0;
  for (let i = 2; i < n; i++) s += Math.log(i);
  return s;
}

/** Gamma(α, 1) draw (Marsaglia & Tsang; α < 1 by the boost U^{1/α}). */
export function gamma(rng: Rng, alpha: number): number {
  if (alpha < 1) return gamma(rng, alpha + 1) * Math.pow(rng.uniform(), 1 / alpha);
  const d = alpha - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
