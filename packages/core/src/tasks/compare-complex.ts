import { bssEvalSources } from '../bss-eval.js';
import { NmflabError } from '../errors.js';
import { ComplexMatrix, Matrix } from '../matrix.js';
import { definePlugin } from '../plugin.js';
import { hoyerSparseness } from '../kernels.js';
import { Stft } from '../signal/stft.js';
import { complexComponentsOf, groupsFromLabels, synthesizeComponents } from '../signal/components.js';

/**
 * Complex NMF versus magnitude NMF with Wiener masks (Kameoka et al. 2009; reference §3 exp. 8).
 * Complex NMF (the run's configured solver, `complex-nmf`) models Y = Σ_k W_k H_k e^{jφ_k} and its
 * components X̄_k (complex, summing to Y) are inverted directly; magnitude NMF (`mu` with
 * `magnitudeDivergence`, same rank) models |Y| ≈ Σ_k W_k H_k and separates with the masks
 * Λ_k/Λ on Y. For both, component k goes to the source whose magnitude spectrogram |S_j| is
 * closest in cosine similarity to the component's magnitude (an oracle grouping, the same for
 * both, so only the models differ). Scores: BSS Eval v3 SDR/SIR/SAR per source, the ideal ratio
 * mask |S_j|/Σ|S_i| as a reference point, and the mean Hoyer sparseness of H's rows,
 * (√N − ‖h‖₁/‖h‖₂)/(√N − 1).
 */
export function hoyer(H: Matrix): number {
  let s = 0;
  for (let k = 0; k < H.rows; k++) s += hoyerSparseness(H.data, k * H.cols, 1, H.cols);
  return s / H.rows;
}

const mag = (Y: ComplexMatrix): Float64Array => {
  const out = new Float64Array(Y.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(Y.re[i]!, Y.im[i]!);
  return out;
};

function closest(component: Float64Array, refs: Float64Array[]): number {
  let best = 0;
  let bestC = -Infinity;
  refs.forEach((r, j) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < r.length; i++) {
      ab += component[i]! * r[i]!;
      aa += component[i]! ** 2;
      bb += r[i]! ** 2;
    }
    const c = aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    if (c > bestC) [best, bestC] = [j, c];
  });
  return best;
}

export default definePlugin<'task', { magnitudeDivergence: string }>({
  meta: {
    kind: 'task',
    id: 'compare-complex',
    description: 'Complex NMF (the run solver) versus magnitude NMF with Wiener masks: SDR/SIR/SAR of the separated sources and activation sparsity',
    params: {
      magnitudeDivergence: { type: 'string', enum: ['kl', 'euclidean', 'is'], default: 'kl', description: 'divergence of the magnitude NMF baseline (mu)' },
    },
  },
  create: (p) => ({
    id: 'compare-complex',
    run(tc) {
      const sig = tc.data.signal;
      const srcs = tc.data.sources;
      const tr = tc.transform;
      if (!sig || !srcs || srcs.length < 2 || !(tr instanceof Stft)) throw new NmflabError('the comparison needs a mixture, its sources and an STFT', { path: 'data', expected: 'an audio source with reference sources and a transform: block' });
      const Y = tr.analyze(sig.samples);
      const V = new Matrix(Y.rows, Y.cols, mag(Y));
      const S = srcs.map((s) => mag(tr.analyze(s.samples)));
      const refs = srcs.map((s) => s.samples);
      const T = sig.samples.length;
      const F = Y.rows;
      const N = Y.cols;
      const score = (est: Float64Array[]) => {
        const r = bssEvalSources(refs, est, { filterLength: 512, permutation: false });
        return { sdr: r.sdr, sir: r.sir, sar: r.sar };
      };

      // complex NMF (the configured solver)
      const cfit = tc.fit({ problem: { V, Y, rank: tc.rank }, label: 'complex' });
      const comps = complexComponentsOf(cfit.result);
      if (!comps) throw new NmflabError('the run solver gave no complex components', { path: 'model.solver', expected: 'complex-nmf' });
      const cGroups = comps.map((c) => closest(mag(c), S));
      const cEst = synthesizeComponents(comps, groupsFromLabels(cGroups, srcs.length), tr, T);

      // magnitude NMF + Wiener masks
      const v = tc.registry.validate('solver', { id: 'mu', params: { divergence: p.magnitudeDivergence } }, { path: 'task.params.magnitudeDivergence' });
      if (!v.ref) throw v.errors[0] ?? new NmflabError('the magnitude NMF solver is not available', { path: 'task.params.magnitudeDivergence' });
      const mfit = tc.fit({ problem: { V, rank: tc.rank }, label: 'magnitude', solver: v.ref });
      const { W, H } = mfit.result;
      const K = W.cols;
      const lam = new Float64Array(F * N);
      const models: Float64Array[] = [];
      for (let k = 0; k < K; k++) {
        const m = new Float64Array(F * N);
        for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) m[f * N + n] = W.data[f * K + k]! * H.data[k * N + n]!;
        for (let i = 0; i < m.length; i++) lam[i] += m[i]!;
        models.push(m);
      }
      const mGroups = models.map((m) => closest(m, S));
      const masked = (num: (i: number) => number, den: (i: number) => number) => {
        const Z = new ComplexMatrix(F, N);
        for (let i = 0; i < Z.re.length; i++) {
          const d = den(i);
          const g = d > 0 ? num(i) / d : 0;
          Z.re[i] = Y.re[i]! * g;
          Z.im[i] = Y.im[i]! * g;
        }
        return tr.synthesize(Z, T);
      };
      const mEst = srcs.map((_, j) =>
        masked(
          (i) => models.reduce((s, m, k) => (mGroups[k] === j ? s + m[i]! : s), 0),
          (i) => lam[i]!,
        ),
      );
      const irm = srcs.map((_, j) => masked((i) => S[j]![i]!, (i) => S.reduce((s, x) => s + x[i]!, 0)));

      const c = score(cEst);
      const m = score(mEst);
      const o = score(irm);
      const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
      return {
        fit: cfit,
        estimates: [...srcs.map((s, j) => ({ name: `complex-${s.name}`, samples: cEst[j]! })), ...srcs.map((s, j) => ({ name: `magnitude-${s.name}`, samples: mEst[j]! }))],
        sampleRate: sig.sampleRate,
        matrices: { W: cfit.result.W, H: cfit.result.H, 'magnitude-W': W, 'magnitude-H': H },
        metrics: {
          'complex.sdr': c.sdr,
          'complex.sir': c.sir,
          'complex.sar': c.sar,
          'complex.mean-sdr': mean(c.sdr),
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
