import { bssEvalSources, prepareReferences } from '../evaluation/bss-eval/index.js';
import { NmflabError } from '@nmflab/core';
import { ComplexMatrix, Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { mean as meanOf } from '@nmflab/core';
import { meanHoyerSparseness } from '../evaluation/measures.js';
import { Stft } from '@nmflab/core';
import { complexComponentsOf, groupsFromLabels, synthesizeComponents } from '@nmflab/core';

/**
 * Complex NMF versus magnitude NMF with Wiener masks (Kameoka et al. 2009; reference §3 exp. 8).
 * Complex NMF (the run's configured solver, `complex-nmf`) models Y = Σ_k W_k H_k e^{jφ_k} and its
 * components X̄_k (complex, summing to Y) are inverted directly; magnitude NMF (`mu` with
 * `magnitudeDivergence`, same rank) models |Y| ≈ Σ_k W_k H_k and separates with the masks
 * Λ_k/Λ on Y. For both, component k goes to the source whose magnitude spectrogram |S_j| is
 * closest in cosine similarity to the component's magnitude (an oracle grouping, the same for
 * both, so only the models differ); `balanced` gives each source K/n components (largest total
 * similarity), `activity` fixes the grouping before fitting (score-informed start, `activityStart`).
 * Scores: BSS Eval v3 SDR/SIR/SAR per source, the ideal ratio mask |S_j|/Σ|S_i| as a reference
 * point, the mean Hoyer sparseness of H's rows, (√N − ‖h‖₁/‖h‖₂)/(√N − 1), and
 * `complex.sum-error` = max|x − Σ_j ŝ_j| / max|x| (complex NMF's estimates add up to the mixture).
 */
export const hoyer = (H: Matrix): number => meanHoyerSparseness(H, 'rows');

const mag = (Y: ComplexMatrix): Float64Array => {
  const out = new Float64Array(Y.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(Y.re[i], Y.im[i]);
  return out;
};

function cosines(component: Float64Array, refs: Float64Array[]): number[] {
  return refs.map((r) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < r.length; i++) {
      ab += component[i] * r[i];
      aa += component[i] ** 2;
      bb += r[i] ** 2;
    }
    return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  });
}

/** Index of the largest value (first on ties). */
const argmax = (c: number[]) => c.reduce((b, v, j) => (v > c[b] ? j : b), 0);

/**
 * The assignment of K components to n sources, K/n each, with the largest total cosine similarity
 * (exhaustive, in component order; the first best on ties). `sim[k][j]` = cos(component k, source j).
 */
export function balancedAssignment(sim: number[][], n: number): number[] {
  const K = sim.length;
  const cap = new Array<number>(n).fill(K / n);
  const label = new Array<number>(K).fill(0);
  let best: number[] = [];
  let bestScore = -Infinity;
  const visit = (k: number, score: number) => {
    if (k === K) {
      if (score > bestScore) [bestScore, best] = [score, label.slice()];
      return;
    }
    for (let j = 0; j < n; j++) {
      if (cap[j] === 0) continue;
      cap[j]--;
      label[k] = j;
      visit(k + 1, score + sim[k][j]);
      cap[j]++;
    }
  };
  visit(0, 0);
  return best;
}

/**
 * Score-informed start: component k belongs to source ⌊k/(K/n)⌋ and its activations start at
 * √(mean V/K) (the random initializer's scale) in the frames whose window overlaps one of that
 * source's `activity` intervals (seconds) and at 0 elsewhere. Multiplicative updates (MU and
 * complex NMF alike) keep those zeros, so each component stays with its source.
 */
export function activityStart(
  tr: Stft,
  N: number,
  K: number,
  names: string[],
  activity: Record<string, [number, number][]>,
  level: number,
): Matrix {
  const per = K / names.length;
  const H0 = new Matrix(K, N);
  for (let k = 0; k < K; k++) {
    const spans = activity[names[Math.floor(k / per)]].map(([a, b]) => [a * tr.sampleRate, b * tr.sampleRate] as const);
    for (let m = 0; m < N; m++) {
      const from = m * tr.hop - tr.pad;
      const to = from + tr.frameLength;
      if (spans.some(([a, b]) => from < b && to > a)) H0.data[k * N + m] = level;
    }
  }
  return H0;
}

type Grouping = 'closest' | 'balanced' | 'activity';

export default definePlugin<'task', { magnitudeDivergence: string; grouping: Grouping }>({
  meta: {
    kind: 'task',
    id: 'compare-complex',
    description:
      'Complex NMF (the run solver) versus magnitude NMF with Wiener masks: SDR/SIR/SAR of the separated sources and activation sparsity',
    params: {
      magnitudeDivergence: {
        type: 'string',
        enum: ['kl', 'euclidean', 'is'],
        default: 'kl',
        description: 'divergence of the magnitude NMF baseline (mu)',
      },
      grouping: {
        type: 'string',
        enum: ['closest', 'balanced', 'activity'],
        default: 'closest',
        description:
          "components to sources: each to its most similar source ('closest', oracle), rank/sources each with the largest total similarity ('balanced', oracle), or rank/sources each in order with activations started at 0 where that source is silent ('activity': score-informed, from the source's extra.activity; fixed before fitting)",
      },
    },
  },
  create: (p, pctx) => ({
    id: 'compare-complex',
    run(tc) {
      const sig = tc.data.signal;
      const srcs = tc.data.sources;
      const tr = tc.transform;
      if (!sig || !srcs || srcs.length < 2 || !(tr instanceof Stft))
        throw new NmflabError('the comparison needs a mixture, its sources and an STFT', {
          path: 'data',
          expected: 'an audio source with reference sources and a transform: block',
        });
      const Y = tr.analyze(sig.samples);
      const V = new Matrix(Y.rows, Y.cols, mag(Y));
      const S = srcs.map((s) => mag(tr.analyze(s.samples)));
      const refs = srcs.map((s) => s.samples);
      const T = sig.samples.length;
      const F = Y.rows;
      const N = Y.cols;
      const n = srcs.length;
      const names = srcs.map((s) => s.name);
      if (p.grouping !== 'closest' && tc.rank % n !== 0)
        throw new NmflabError(`${p.grouping} grouping needs the same number of components per source`, {
          path: 'model.rank',
          expected: `a multiple of ${n} (the number of sources)`,
          found: String(tc.rank),
        });
      if (p.grouping === 'balanced') {
        // the exhaustive search visits K!/((K/n)!)^n assignments: keep it small
        let count = 1;
        for (let k = 1, m = tc.rank / n; k <= tc.rank; k++) count *= k / (((k - 1) % m) + 1);
        if (count > 1e6)
          throw new NmflabError('too many components for the exhaustive balanced grouping', {
            path: 'model.rank',
            expected: 'at most 10^6 balanced assignments (e.g. rank ≤ 20 for 2 sources)',
            found: `rank ${tc.rank}: ${count.toPrecision(3)} assignments`,
            hint: `or ${pctx.path}.grouping: closest`,
          });
      }
      let H0: Matrix | undefined;
      if (p.grouping === 'activity') {
        const activity = tc.data.extra?.activity as Record<string, [number, number][]> | undefined;
        const missing = names.filter((nm) => !Array.isArray(activity?.[nm]));
        if (missing.length)
          throw new NmflabError('activity grouping needs when each source sounds', {
            path: `${pctx.path}.grouping`,
            expected:
              "a source reporting extra.activity (seconds per source, e.g. harmonic-pair), or grouping 'closest' or 'balanced'",
            found: `no activity for ${missing.join(', ')}`,
          });
        H0 = activityStart(tr, N, tc.rank, names, activity!, Math.sqrt(meanOf(V) / tc.rank));
      }
      const assign = (parts: Float64Array[]) => {
        if (p.grouping === 'activity') return parts.map((_, k) => Math.floor(k / (tc.rank / n)));
        const sim = parts.map((c) => cosines(c, S));
        return p.grouping === 'balanced' ? balancedAssignment(sim, n) : sim.map(argmax);
      };
      // the references' Gram matrix (the costly part of BSS Eval) once for the three scorings
      const prepared = prepareReferences(refs, 512);
      const score = (est: Float64Array[]) => {
        const r = bssEvalSources(refs, est, { filterLength: 512, permutation: false, prepared });
        return { sdr: r.sdr, sir: r.sir, sar: r.sar };
      };

      // complex NMF (the configured solver)
      const cfit = tc.fit({ problem: { V, Y, rank: tc.rank, H0 }, label: 'complex' });
      const comps = complexComponentsOf(cfit.result);
      if (!comps)
        throw new NmflabError('the run solver gave no complex components', {
          path: 'model.solver',
          expected: 'complex-nmf',
        });
      const cGroups = assign(comps.map(mag));
      const cEst = synthesizeComponents(comps, groupsFromLabels(cGroups, srcs.length), tr, T);
      // The components are a decomposition of the mixture: max_t |x − Σ_j ŝ_j| / max_t |x| (rounding level).
      let sumErr = 0;
      let peak = 0;
      for (let t = 0; t < T; t++) {
        sumErr = Math.max(sumErr, Math.abs(cEst.reduce((acc, e) => acc - e[t], sig.samples[t])));
        peak = Math.max(peak, Math.abs(sig.samples[t]));
      }

      // magnitude NMF + Wiener masks
      const v = tc.registry.validate(
        'solver',
        { id: 'mu', params: { divergence: p.magnitudeDivergence } },
        { path: 'task.params.magnitudeDivergence' },
      );
      if (!v.ref)
        throw (
          v.errors[0] ??
          new NmflabError('the magnitude NMF solver is not available', { path: 'task.params.magnitudeDivergence' })
        );
      const mfit = tc.fit({ problem: { V, rank: tc.rank, H0 }, label: 'magnitude', solver: v.ref });
      const { W, H } = mfit.result;
      const K = W.cols;
      const lam = new Float64Array(F * N);
      const models: Float64Array[] = [];
      for (let k = 0; k < K; k++) {
        const m = new Float64Array(F * N);
        for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) m[f * N + n] = W.data[f * K + k] * H.data[k * N + n];
        for (let i = 0; i < m.length; i++) lam[i] += m[i];
        models.push(m);
      }
      const mGroups = assign(models);
      const masked = (num: (i: number) => number, den: (i: number) => number) => {
        const Z = new ComplexMatrix(F, N);
        for (let i = 0; i < Z.re.length; i++) {
          const d = den(i);
          const g = d > 0 ? num(i) / d : 0;
          Z.re[i] = Y.re[i] * g;
          Z.im[i] = Y.im[i] * g;
        }
        return tr.synthesize(Z, T);
      };
      const mEst = srcs.map((_, j) =>
        masked(
          (i) => models.reduce((s, m, k) => (mGroups[k] === j ? s + m[i] : s), 0),
          (i) => lam[i],
        ),
      );
      const irm = srcs.map((_, j) =>
        masked(
          (i) => S[j][i],
          (i) => S.reduce((s, x) => s + x[i], 0),
        ),
      );

      const c = score(cEst);
      const m = score(mEst);
      const o = score(irm);
      const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
      return {
        fit: cfit,
        estimates: [
          ...srcs.map((s, j) => ({ name: `complex-${s.name}`, samples: cEst[j] })),
          ...srcs.map((s, j) => ({ name: `magnitude-${s.name}`, samples: mEst[j] })),
        ],
        sampleRate: sig.sampleRate,
        matrices: { W: cfit.result.W, H: cfit.result.H, 'magnitude-W': W, 'magnitude-H': H },
        metrics: {
          'complex.sdr': c.sdr,
          'complex.sir': c.sir,
          'complex.sar': c.sar,
          'complex.mean-sdr': mean(c.sdr),
          'complex.sum-error': peak > 0 ? sumErr / peak : sumErr,
          'magnitude.sdr': m.sdr,
          'magnitude.sir': m.sir,
          'magnitude.sar': m.sar,
          'magnitude.mean-sdr': mean(m.sdr),
          'oracle-irm.mean-sdr': mean(o.sdr),
          'complex.hoyer-h': hoyer(cfit.result.H),
          'magnitude.hoyer-h': hoyer(H),
        },
        extra: { complexGrouping: cGroups, magnitudeGrouping: mGroups, ...(tc.data.extra ?? {}) },
      };
    },
  }),
});
