import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Matrix, NmflabError, Rng, fit, matmul, maxRelDiff } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import plugin, { createPlsa, plsaStep, type PlsaParams } from '../../src/solvers/plsa.js';

const defaults: PlsaParams = { form: 'asymmetric', temper: 1, holdout: 0, earlyStopping: false };

/** Normwise difference max|a−b| / max|b| (entries that tend to zero converge sublinearly). */
function normDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

function colStochastic(F: number, K: number, rng: Rng, power = 1): Matrix {
  const W = new Matrix(
    F,
    K,
    rng.fillUniform(new Float64Array(F * K), 0.01, 1).map((x) => x ** power),
  );
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += W.data[f * K + k];
    for (let f = 0; f < F; f++) W.data[f * K + k] /= s;
  }
  return W;
}

/** Synthetic documents: `words` draws per document from Σ_z P(f|z)P(z|n) (sparse topics). */
function topicCounts(F: number, N: number, K: number, words: number, seed: number, power = 4): Matrix {
  const rng = new Rng(seed);
  const topics = colStochastic(F, K, rng, power);
  const V = new Matrix(F, N);
  for (let n = 0; n < N; n++) {
    const mix = rng.fillUniform(new Float64Array(K)).map((x) => x ** 3);
    const tot = mix.reduce((a, b) => a + b, 0);
    for (let w = 0; w < words; w++) {
      let u = rng.uniform() * tot,
        z = 0;
      while (z < K - 1 && (u -= mix[z]) > 0) z++;
      let v = rng.uniform(),
        f = 0;
      while (f < F - 1 && (v -= topics.data[f * K + z]) > 0) f++;
      V.data[f * N + n] += 1;
    }
  }
  return V;
}

/** Oracle 1: EM written from its definition (posterior R_z(f,n) for every cell). */
function emLiteral(V: Matrix, W: Matrix, H: Matrix, T = 1): { W: Matrix; H: Matrix } {
  const F = V.rows,
    N = V.cols,
    K = W.cols;
  const Wn = new Matrix(F, K),
    Hn = new Matrix(K, N);
  for (let f = 0; f < F; f++)
    for (let n = 0; n < N; n++) {
      let den = 0;
      for (let z = 0; z < K; z++) den += (W.get(f, z) * H.get(z, n)) ** T;
      for (let z = 0; z < K; z++) {
        const r = (W.get(f, z) * H.get(z, n)) ** T / den;
        Wn.data[f * K + z] += V.get(f, n) * r;
        Hn.data[z * N + n] += V.get(f, n) * r;
      }
    }
  for (let z = 0; z < K; z++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += Wn.get(f, z);
    for (let f = 0; f < F; f++) Wn.set(f, z, Wn.get(f, z) / s);
  }
  return { W: Wn, H: Hn };
}

/** Oracle 2: simultaneous KL-MU (W and H from the same WH), then W ← W/colsum(W), H as updated. */
function klMuSimultaneous(V: Matrix, W: Matrix, H: Matrix): { W: Matrix; H: Matrix } {
  const F = V.rows,
    N = V.cols,
    K = W.cols;
  const L = matmul(W, H);
  const Wn = W.clone(),
    Hn = H.clone();
  for (let f = 0; f < F; f++)
    for (let k = 0; k < K; k++) {
      let num = 0,
        den = 0;
      for (let n = 0; n < N; n++) {
        num += (V.get(f, n) / L.get(f, n)) * H.get(k, n);
        den += H.get(k, n);
      }
      Wn.set(f, k, (W.get(f, k) * num) / den);
    }
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) {
      let num = 0,
        den = 0;
      for (let f = 0; f < F; f++) {
        num += (W.get(f, k) * V.get(f, n)) / L.get(f, n);
        den += W.get(f, k);
      }
      Hn.set(k, n, (H.get(k, n) * num) / den);
    }
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += Wn.get(f, k);
    for (let f = 0; f < F; f++) Wn.set(f, k, Wn.get(f, k) / s);
  }
  return { W: Wn, H: Hn };
}

/** Oracle 3: Lee–Seung alternating KL-MU (H then W, WH recomputed). */
function klMuAlternating(V: Matrix, W: Matrix, H: Matrix): void {
  const F = V.rows,
    N = V.cols,
    K = W.cols;
  let L = matmul(W, H);
  const Hn = H.clone();
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) {
      let num = 0,
        den = 0;
      for (let f = 0; f < F; f++) {
        num += (W.get(f, k) * V.get(f, n)) / L.get(f, n);
        den += W.get(f, k);
      }
      Hn.set(k, n, (H.get(k, n) * num) / den);
    }
  H.data.set(Hn.data);
  L = matmul(W, H);
  const Wn = W.clone();
  for (let f = 0; f < F; f++)
    for (let k = 0; k < K; k++) {
      let num = 0,
        den = 0;
      for (let n = 0; n < N; n++) {
        num += (V.get(f, n) / L.get(f, n)) * H.get(k, n);
        den += H.get(k, n);
      }
      Wn.set(f, k, (W.get(f, k) * num) / den);
    }
  W.data.set(Wn.data);
}

/** Scale W's columns to unit sum, moving the scale into H (the model WH is unchanged). */
function normalized(W: Matrix, H: Matrix): { W: Matrix; H: Matrix } {
  const Wn = W.clone(),
    Hn = H.clone();
  const F = W.rows,
    K = W.cols,
    N = H.cols;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += W.get(f, k);
    for (let f = 0; f < F; f++) Wn.set(f, k, W.get(f, k) / s);
    for (let n = 0; n < N; n++) Hn.set(k, n, H.get(k, n) * s);
  }
  return { W: Wn, H: Hn };
}

describe('plsa solver', () => {
  it('declares its parameters', () => {
    expect(Object.keys(plugin.meta.params).sort()).toEqual(['earlyStopping', 'form', 'holdout', 'temper']);
  });

  it('one EM step from a column-stochastic W equals EM by definition and the simultaneous KL-MU + W normalization (H not rescaled)', () => {
    let worstEm = 0,
      worstMu = 0;
    for (let trial = 0; trial < 10; trial++) {
      const rng = new Rng(trial);
      const V = topicCounts(12, 9, 3, 25, 50 + trial);
      for (let i = 0; i < V.data.length; i++) V.data[i] += 0.5 * rng.uniform(); // also non-integer data
      const W = colStochastic(12, 3, rng);
      const H = new Matrix(3, 9);
      for (let n = 0; n < 9; n++) {
        const p = rng.fillUniform(new Float64Array(3), 0.1, 1);
        const tot = p.reduce((a, b) => a + b, 0);
        let Nn = 0;
        for (let f = 0; f < 12; f++) Nn += V.get(f, n);
        for (let k = 0; k < 3; k++) H.set(k, n, (p[k] / tot) * Nn);
      }
      for (const form of ['asymmetric', 'symmetric'] as const) {
        const solver = createPlsa({ ...defaults, form });
        const s = solver.init({ V, rank: 3, W0: W, H0: H }, new Rng(1));
        plsaStep(s);
        const lit = emLiteral(V, W, H);
        const mu = klMuSimultaneous(V, W, H);
        worstEm = Math.max(worstEm, maxRelDiff(s.W.data, lit.W.data), maxRelDiff(s.H.data, lit.H.data));
        worstMu = Math.max(worstMu, maxRelDiff(s.W.data, mu.W.data), maxRelDiff(s.H.data, mu.H.data));
      }
    }
    expect(worstEm).toBeLessThan(1e-13);
    expect(worstMu).toBeLessThan(1e-13);
  });

  it('tempered EM step equals the tempered posterior by definition', () => {
    const rng = new Rng(3);
    const V = topicCounts(10, 8, 3, 20, 4);
    const W = colStochastic(10, 3, rng);
    const H = new Matrix(3, 8, rng.fillUniform(new Float64Array(24), 0.5, 5));
    const s = createPlsa({ ...defaults, temper: 0.7 }).init({ V, rank: 3, W0: W, H0: H }, new Rng(1));
    plsaStep(s);
    const lit = emLiteral(V, W, H, 0.7);
    expect(maxRelDiff(s.W.data, lit.W.data)).toBeLessThan(1e-13);
    expect(maxRelDiff(s.H.data, lit.H.data)).toBeLessThan(1e-13);
  });

  for (const form of ['asymmetric', 'symmetric'] as const) {
    it(`the log-likelihood never decreases (${form}), Σ WH = Σ V and columns of W stay stochastic`, () => {
      const V = topicCounts(30, 40, 4, 50, 8);
      const r = fit(createPlsa({ ...defaults, form }), { V, rank: 4 }, new Rng(2), {
        stopping: { maxIterations: 150 },
      });
      expect(r.increases).toEqual([]);
      const t = r.trajectory.map((x) => x.objective);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeLessThanOrEqual(t[i - 1] + 1e-12 * Math.abs(t[i - 1]));
      expect(t.at(-1)!).toBeLessThan(t[0]);
      const { W, H } = r.result;
      for (let k = 0; k < 4; k++) expect(W.col(k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
      const L = matmul(W, H);
      expect(L.data.reduce((a, b) => a + b, 0)).toBeCloseTo(
        V.data.reduce((a, b) => a + b, 0),
        8,
      );
      // NLL and KL differ by a constant once column sums match: compare the last two rows.
      const a = r.trajectory.at(-2)!.terms,
        b = r.trajectory.at(-1)!.terms;
      expect(a.nll! - a.kl!).toBeCloseTo(b.nll! - b.kl!, 8);
    });
  }

  it('both forms have the same iterates; the symmetric outputs are distributions with H = S·P(z)P(n|z)', () => {
    const V = topicCounts(15, 12, 3, 30, 11);
    const a = fit(createPlsa(defaults), { V, rank: 3 }, new Rng(4), { stopping: { maxIterations: 20 } }).result;
    const b = fit(createPlsa({ ...defaults, form: 'symmetric' }), { V, rank: 3 }, new Rng(4), {
      stopping: { maxIterations: 20 },
    }).result;
    expect(Array.from(a.H.data)).toEqual(Array.from(b.H.data));
    const pz = b.extra!.pz as Float64Array,
      pnz = b.extra!.pnGivenZ as Matrix;
    expect(pz.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 13);
    const S = V.data.reduce((x, y) => x + y, 0);
    for (let k = 0; k < 3; k++)
      for (let n = 0; n < 12; n++) expect(b.H.get(k, n)).toBeCloseTo(S * pz[k] * pnz.get(k, n), 9);
    const pzn = a.extra!.pzGivenN as Matrix;
    for (let n = 0; n < 12; n++) expect(pzn.col(n).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 13);
  });

  it('fixed points match KL-NMF: EM and Lee–Seung KL-MU reach the same normalized factors on an exactly low-rank problem', () => {
    // W* and H* with anchor rows/columns make the exact NMF unique up to permutation and scale.
    const rng = new Rng(12);
    const F = 8,
      N = 10,
      K = 2;
    const Wt = new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.2, 1));
    Wt.set(0, 1, 0);
    Wt.set(1, 0, 0);
    const Ht = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.2, 1));
    Ht.set(0, 0, 0);
    Ht.set(1, 1, 0);
    const V = matmul(Wt, Ht);
    const W0 = colStochastic(F, K, rng);
    const H0 = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.5, 1.5));
    const em = fit(createPlsa(defaults), { V, rank: K, W0, H0 }, new Rng(1), {
      stopping: { maxIterations: 4000 },
    }).result;
    const W = W0.clone(),
      H = H0.clone();
    for (let it = 0; it < 4000; it++) klMuAlternating(V, W, H);
    const mu = normalized(W, H);
    const target = normalized(Wt, Ht);
    const perm = maxRelDiff(em.W.data, target.W.data) < 1e-2 ? [0, 1] : [1, 0];
    const permute = (M: Matrix, byCol: boolean) => {
      const P = M.clone();
      for (let i = 0; i < M.rows; i++)
        for (let j = 0; j < M.cols; j++) {
          if (byCol) P.set(i, j, M.get(i, perm[j]));
          else P.set(i, j, M.get(perm[i], j));
        }
      return P;
    };
    expect(normDiff(permute(em.W, true).data, target.W.data)).toBeLessThan(1e-3);
    expect(normDiff(permute(em.H, false).data, target.H.data)).toBeLessThan(1e-3);
    expect(normDiff(em.W.data, mu.W.data)).toBeLessThan(1e-4);
    expect(normDiff(em.H.data, mu.H.data)).toBeLessThan(1e-4);
    // And EM's limit is a fixed point of the KL-MU.
    const W2 = em.W.clone(),
      H2 = em.H.clone();
    klMuAlternating(V, W2, H2);
    const n2 = normalized(W2, H2);
    expect(normDiff(n2.W.data, em.W.data)).toBeLessThan(1e-6);
    expect(normDiff(n2.H.data, em.H.data)).toBeLessThan(1e-6);
  });

  it('held-out perplexity on synthetic topic data decreases with training; early stopping keeps the best iterate', () => {
    const V = topicCounts(40, 60, 4, 60, 21);
    const r = fit(createPlsa({ ...defaults, holdout: 0.2, earlyStopping: true }), { V, rank: 4 }, new Rng(6), {
      stopping: { maxIterations: 60 },
    });
    const ppl = r.trajectory.map((t) => t.terms.heldOutPerplexity!);
    expect(ppl.every(Number.isFinite)).toBe(true);
    for (let i = 1; i <= 10; i++) expect(ppl[i]).toBeLessThan(ppl[i - 1]);
    expect(Math.min(...ppl)).toBeLessThan(0.9 * ppl[0]);
    const best = r.result.extra!.bestIteration as number;
    expect(ppl[best]).toBe(Math.min(...ppl.slice(1)));
    // The held-out counts are a binomial thinning: train + held-out = V.
    const held = r.result.extra!.heldOut as Matrix;
    expect(held.data.every((x, i) => Number.isInteger(x) && x >= 0 && x <= V.data[i])).toBe(true);
    const frac = held.data.reduce((a, b) => a + b, 0) / V.data.reduce((a, b) => a + b, 0);
    expect(frac).toBeGreaterThan(0.15);
    expect(frac).toBeLessThan(0.25);
  });

  it('tempered EM (Hofmann): on scarce data plain EM over-fits, T < 1 keeps the held-out perplexity low at a lower training likelihood', () => {
    // 40 documents of 15 words over 20 words, K = 6 > 3 true topics, 30 % of the words held out.
    for (let seed = 0; seed < 3; seed++) {
      const V = topicCounts(20, 40, 3, 15, 300 + seed, 1);
      const run = (temper: number) =>
        fit(createPlsa({ ...defaults, temper, holdout: 0.3 }), { V, rank: 6 }, new Rng(seed), {
          stopping: { maxIterations: 300 },
        });
      const [em, tem, cold] = [run(1), run(0.8), run(0.6)];
      const ppl = (r: typeof em) => r.trajectory.map((t) => t.terms.heldOutPerplexity!);
      // Plain EM: the held-out perplexity passes a minimum, then grows (over-fitting) …
      expect(ppl(em).at(-1)!).toBeGreaterThan(2 * Math.min(...ppl(em)));
      // … tempered EM ends far lower, and at least as good a minimum (within 2 %).
      expect(ppl(tem).at(-1)!).toBeLessThan(0.5 * ppl(em).at(-1)!);
      expect(Math.min(...ppl(tem))).toBeLessThan(1.02 * Math.min(...ppl(em)));
      // Flattening the posterior costs training likelihood.
      expect(cold.trajectory.at(-1)!.objective).toBeGreaterThan(em.trajectory.at(-1)!.objective);
      expect(cold.trajectory.at(-1)!.objective).toBeGreaterThan(tem.trajectory.at(-1)!.objective);
    }
  });

  it('folding-in: with W frozen, EM re-estimates P(z|n) only and recovers the mixing weights of new documents', () => {
    const rng = new Rng(31);
    const W = colStochastic(30, 3, rng, 4);
    // New documents with known P(z|n), expected counts (no sampling noise): V = W·H exactly.
    const Ht = new Matrix(3, 6, rng.fillUniform(new Float64Array(18), 0.1, 1));
    const V = matmul(W, Ht);
    const r = fit(createPlsa(defaults), { V, rank: 3, W0: W, freezeW: true }, new Rng(1), {
      stopping: { maxIterations: 2000 },
    });
    expect(Array.from(r.result.W.data)).toEqual(Array.from(W.data));
    expect(r.increases).toEqual([]);
    expect(normDiff(r.result.H.data, Ht.data)).toBeLessThan(1e-4);
    const frozenH = fit(createPlsa(defaults), { V, rank: 3, H0: Ht, freezeH: true }, new Rng(1), {
      stopping: { maxIterations: 5 },
    });
    expect(Array.from(frozenH.result.H.data)).toEqual(Array.from(Ht.data));
    // A frozen topic must be a distribution; a mask is rejected.
    const W2 = W.clone();
    W2.data[0] += 0.5;
    expect(() => createPlsa(defaults).init({ V, rank: 3, W0: W2, freezeW: [0] }, new Rng(1))).toThrow(
      /problem\.W0\[:, 0\]/,
    );
    expect(() => createPlsa(defaults).init({ V, rank: 3, mask: V }, new Rng(1))).toThrow(/problem\.mask/);
  });

  it('bad input gives an NmflabError naming the path', async () => {
    const V = Matrix.fromRows([
      [1, 2],
      [3, -1],
    ]);
    expect(() => createPlsa(defaults).init({ V, rank: 1 }, new Rng(1))).toThrow(/problem\.V\[3\]/);
    expect(() => createPlsa(defaults).init({ V: new Matrix(2, 2), rank: 1 }, new Rng(1))).toThrow(NmflabError);
    const registry = await buildRegistry();
    expect(() => registry.create('solver', { id: 'plsa', params: { earlyStopping: true } })).toThrow(/earlyStopping/);
  });
});

describe('plsa on a real document-term matrix (data/text/fortunes-counts.npy, 300 fortunes × 300 terms)', async () => {
  const { readMatrix } = await import('@nmflab/core');
  const docs = readMatrix(fileURLToPath(new URL('../../../../data/text/fortunes-counts.npy', import.meta.url)));
  const V = docs.transpose(); // terms × documents

  it('the likelihood never decreases, held-out perplexity decreases with training, and tempered EM over-fits less', () => {
    const run = (temper: number) =>
      fit(createPlsa({ ...defaults, temper, holdout: 0.2 }), { V, rank: 4 }, new Rng(1), {
        stopping: { maxIterations: 60 },
      });
    const em = run(1),
      tem = run(0.8);
    expect(em.increases).toEqual([]);
    const ppl = (r: typeof em) => r.trajectory.map((t) => t.terms.heldOutPerplexity!);
    const p = ppl(em);
    // Short documents (≈ 8 counted terms each): plain EM improves the held-out perplexity for a
    // few iterations only (observed 312 → 292 at iteration 3), then over-fits (up to infinity:
    // the model probability P(f|n) of some held-out counts underflows to 0); tempered EM ends far lower.
    for (let i = 1; i <= 3; i++) expect(p[i]).toBeLessThan(p[i - 1]);
    expect(Math.min(...p)).toBeLessThan(0.96 * p[0]);
    expect(p.at(-1)!).toBeGreaterThan(Math.min(...p));
    expect(ppl(tem).at(-1)!).toBeLessThan(p.at(-1)!);
  });

  it('one EM step equals the simultaneous KL-MU step with W normalized (H not rescaled)', () => {
    const s = createPlsa(defaults).init({ V, rank: 4 }, new Rng(2));
    const W = s.W.clone(),
      H = s.H.clone();
    plsaStep(s);
    const mu = klMuSimultaneous(V, W, H);
    // Entries where V and WH are both 0 do not occur (W, H > 0 at the start).
    expect(maxRelDiff(s.W.data, mu.W.data)).toBeLessThan(1e-13);
    expect(maxRelDiff(s.H.data, mu.H.data)).toBeLessThan(1e-13);
  });
});
