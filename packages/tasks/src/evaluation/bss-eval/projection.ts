import { SpdSolver, crossCorrelations, fftOf, nextPow2, spectrum } from '@nmflab/core';
import { BSS_FILTER_LENGTH } from './common.js';

/**
 * The references of one evaluation, with their spectra, the Gram matrix of their delayed copies
 * and its factorizations (all sources, and each source alone), reused for every estimate.
 */
export class DelayedReferences {
  readonly n: number;
  readonly nsampl: number;
  readonly L: number;
  readonly size: number;
  readonly refs: Float64Array[];
  private readonly spectra: Float64Array[];
  private readonly G: Float64Array;
  private readonly all: SpdSolver;
  private readonly single: SpdSolver[];
  private readonly buf: Float64Array;
  private readonly prod: Float64Array;
  private readonly work: Float64Array;

  constructor(refs: Float64Array[], L = BSS_FILTER_LENGTH) {
    this.refs = refs;
    this.n = refs.length;
    this.nsampl = refs[0].length;
    this.L = L;
    this.size = nextPow2(this.nsampl + L - 1);
    const { n, size } = this;
    this.buf = new Float64Array(size);
    this.prod = new Float64Array(2 * size);
    this.work = new Float64Array(2 * size);
    this.spectra = refs.map((r) => spectrum(r, size, this.buf));
    // G[(i,a),(j,b)] = ⟨s_i(·−a), s_j(·−b)⟩ = r_ij[b−a], r_ij[k] = Σ_t s_i[t+k] s_j[t]
    const nL = n * L;
    const G = new Float64Array(nL * nL);
    const ij: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) ij.push([i, j]);
    const rs = crossCorrelations(
      ij.map(([i, j]) => [this.spectra[i], this.spectra[j]]),
      size,
      this.prod,
      this.work,
    );
    for (const [p, [i, j]] of ij.entries()) {
      {
        const r = rs[p];
        for (let a = 0; a < L; a++) {
          // block (i,j), row a: r[b − a] for b ≥ a (contiguous), r[size − (a − b)] for b < a
          const row = (i * L + a) * nL + j * L;
          G.set(r.subarray(size - a, size), row);
          G.set(r.subarray(0, L - a), row + a);
        }
        if (i !== j) {
          // block (j,i) = block(i,j)ᵀ, written row by row: row b holds r[b − a] over a
          for (let b = 0; b < L; b++) {
            const row = (j * L + b) * nL + i * L;
            for (let a = 0; a <= b; a++) G[row + a] = r[b - a];
            for (let a = b + 1; a < L; a++) G[row + a] = r[size - (a - b)];
          }
        }
      }
    }
    this.G = G;
    this.all = new SpdSolver(G, nL);
    this.single = [];
    for (let j = 0; j < n; j++) {
      const lead = j === 0 ? this.all.leading(L) : undefined;
      if (lead) {
        this.single.push(lead);
        continue;
      }
      const B = new Float64Array(L * L);
      for (let a = 0; a < L; a++) B.set(G.subarray((j * L + a) * nL + j * L, (j * L + a) * nL + j * L + L), a * L);
      this.single.push(new SpdSolver(B, L));
    }
  }

  /** D[(i,a)] = ⟨s_i(·−a), ŝ⟩ for every reference i and delay a. */
  correlations(est: Float64Array): Float64Array {
    const { n, L, size } = this;
    const E = spectrum(est, size, this.buf);
    const D = new Float64Array(n * L);
    const rs = crossCorrelations(
      this.spectra.map((S) => [S, E]),
      size,
      this.prod,
      this.work,
    );
    for (let i = 0; i < n; i++) {
      const r = rs[i];
      for (let a = 0; a < L; a++) D[i * L + a] = r[(size - a) % size];
    }
    return D;
  }

  /** Distortion filters of ŝ on all references (n·L taps, source-major). */
  filtersAll(D: Float64Array): Float64Array {
    return this.all.solve(D);
  }

  /** Distortion filter of ŝ on reference j alone (L taps). */
  filtersSingle(D: Float64Array, j: number): Float64Array {
    return this.single[j].solve(D.subarray(j * this.L, (j + 1) * this.L));
  }

  /** Σ_i c_i ∗ s_i over the listed sources (whole signals), length nsampl + L − 1. */
  project(filters: Float64Array, sources: readonly number[]): Float64Array {
    const { L, size } = this;
    const acc = new Float64Array(2 * size);
    // filters are source-major blocks of L taps, in the order of `sources`
    sources.forEach((src, idx) => {
      const C = spectrum(filters.subarray(idx * L, (idx + 1) * L), size, this.buf);
      const S = this.spectra[src];
      for (let k = 0; k < 2 * size; k += 2) {
        const cr = C[k],
          ci = C[k + 1],
          sr = S[k],
          si = S[k + 1];
        acc[k] = acc[k] + cr * sr - ci * si;
        acc[k + 1] = acc[k + 1] + cr * si + ci * sr;
      }
    });
    fftOf(size).inverseTransform(this.work, acc);
    const M = this.nsampl + L - 1;
    const y = new Float64Array(M);
    for (let t = 0; t < M; t++) y[t] = this.work[2 * t];
    return y;
  }

  get gram(): Float64Array {
    return this.G;
  }

  /** y = G[rows of block set, cols of block set] x for one source block j (L×L) or all (nL×nL). */
  gramTimes(x: Float64Array, j?: number): Float64Array {
    const nL = this.n * this.L;
    const L = this.L;
    const off = j === undefined ? 0 : j * L;
    const m = j === undefined ? nL : L;
    const y = new Float64Array(m);
    const G = this.G;
    for (let a = 0; a < m; a++) {
      const row = (off + a) * nL + off;
      let s = 0;
      for (let b = 0; b < m; b++) s += G[row + b] * x[b];
      y[a] = s;
    }
    return y;
  }
}
