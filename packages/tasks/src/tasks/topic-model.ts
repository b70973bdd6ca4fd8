import {
  Matrix,
  NmflabError,
  definePlugin,
  type FitResult,
  type MetricValue,
  type PluginRef,
  type TaskContext,
} from '@nmflab/core';
import { purity, round } from '../evaluation/analysis.js';

interface Params {
  tempers: number[];
  holdout: number;
  topWords: number;
  baselineDraws: number;
}

/**
 * pLSA (Hofmann 1999) versus KL-NMF on a term × document matrix V (source `corpus-file`):
 *
 * 1. Equivalence: from the same start (W0 column-stochastic, H0 = N_n P(z|n), drawn from the
 *    task's stream) EM (`plsa`, W and H from the same posterior) and the configured model (KL
 *    multiplicative updates, alternating, W columns ℓ1-normalized) are run for the configured
 *    iterations. Reported: the KL objective of both at iterations 1, 10, 100 and the end, the
 *    largest difference of the topics P(w|z) and of P(z|d) after normalization (the same fixed
 *    point: small), and the relative difference of the final KL.
 * 2. Held-out perplexity: `holdout` of the counts thinned away (the same split and start for every
 *    temperature: one fit label), EM and tempered EM at each of `tempers`; the final perplexity
 *    and the best one along the run (early stopping, as Hofmann's TEM).
 * 3. Clustering: each document goes to argmax_z P(z|d) of the EM fit; purity against the labels,
 *    against the mean purity of `baselineDraws` uniformly random assignments.
 * Topics (top `topWords` terms of each P(w|z)) go to extra.json.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'topic-model',
    description:
      'pLSA by EM vs KL-NMF: same fixed point, topics, held-out perplexity with tempered EM, clustering purity',
    params: {
      tempers: {
        type: 'array',
        items: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        default: [1, 0.9, 0.8],
        description: 'EM temperatures for the held-out perplexity (1 = plain EM)',
      },
      holdout: {
        type: 'number',
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.2,
        description: 'fraction of the counts held out (binomial thinning)',
      },
      topWords: { type: 'integer', minimum: 1, default: 8, description: 'words listed per topic' },
      baselineDraws: {
        type: 'integer',
        minimum: 1,
        default: 200,
        description: 'random assignments averaged for the purity baseline',
      },
    },
  },
  create: (p) => ({
    id: 'topic-model',
    run(ctx: TaskContext) {
      const V = ctx.data.matrix;
      const labels = ctx.data.extra?.labels as number[] | undefined;
      const vocabulary = ctx.data.extra?.vocabulary as string[] | undefined;
      if (!V || !labels || labels.length !== V.cols)
        throw new NmflabError('topic-model needs a term × document matrix with document labels', {
          path: 'data',
          expected: 'source corpus-file (matrix and extra.labels)',
          found: V ? `${labels?.length ?? 0} labels for ${V.cols} documents` : 'no matrix',
        });
      const F = V.rows,
        N = V.cols,
        K = ctx.rank;
      const rng = ctx.rng.fork('start');
      const W0 = new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.1, 1));
      const H0 = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.1, 1));
      normalizeColumns(W0);
      const Nn = new Float64Array(N);
      for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) Nn[n] += V.data[f * N + n];
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += H0.data[k * N + n];
        for (let k = 0; k < K; k++) H0.data[k * N + n] = (H0.data[k * N + n] / s) * Nn[n];
      }
      const plsaRef = (params: Record<string, unknown>): PluginRef => {
        const { ref, errors } = ctx.registry.validate('solver', { id: 'plsa', params }, { path: 'task.params' });
        if (!ref) throw errors[0];
        return ref;
      };
      const em = ctx.fit({ problem: { V, rank: K, W0: W0.clone(), H0: H0.clone() }, label: 'em', solver: plsaRef({}) });
      const mu = ctx.fit({ problem: { V, rank: K, W0: W0.clone(), H0: H0.clone() }, label: 'kl-nmf' });
      const metrics: Record<string, MetricValue> = {};
      const klAt = (f: FitResult, term: string) => (i: number) => {
        const t = f.trajectory[Math.min(i, f.trajectory.length - 1)];
        return t.terms[term] ?? t.objective;
      };
      const emKl = klAt(em, 'kl'),
        muKl = klAt(mu, 'data');
      for (const i of [1, 10, 100]) {
        metrics[`equivalence.emKL@${i}`] = round(emKl(i), 3);
        metrics[`equivalence.muKL@${i}`] = round(muKl(i), 3);
      }
      const last = Math.max(em.trajectory.length, mu.trajectory.length);
      const klEm = emKl(last),
        klMu = muKl(last);
      metrics['equivalence.emKL'] = round(klEm, 3);
      metrics['equivalence.muKL'] = round(klMu, 3);
      metrics['equivalence.relKLDiff'] = Number((Math.abs(klEm - klMu) / klMu).toExponential(3));
      const [Wa, Ha] = normalized(em.result.W, em.result.H),
        [Wb, Hb] = normalized(mu.result.W, mu.result.H);
      metrics['equivalence.maxTopicDiff'] = Number(maxDiff(Wa, Wb).toExponential(3));
      metrics['equivalence.maxMixtureDiff'] = Number(maxDiff(Ha, Hb).toExponential(3));
      metrics['equivalence.maxTopicProb'] = round(Math.max(...Wa.data), 4);

      // fixed point: KL-MU started at EM's end point stays there (drift of the normalized topics)
      const again = ctx.fit({
        problem: { V, rank: K, W0: em.result.W.clone(), H0: em.result.H.clone() },
        label: 'kl-nmf-from-em',
      });
      const [Wc, Hc] = normalized(again.result.W, again.result.H);
      metrics['equivalence.fixedPointTopicDrift'] = Number(maxDiff(Wa, Wc).toExponential(3));
      metrics['equivalence.fixedPointMixtureDrift'] = Number(maxDiff(Ha, Hc).toExponential(3));
      metrics['equivalence.fixedPointKLChange'] = Number(
        (Math.abs(klEm - klAt(again, 'data')(again.trajectory.length)) / klEm).toExponential(3),
      );
      const assign = Array.from({ length: N }, (_, n) => argmaxCol(Ha, n));
      metrics['cluster.purity'] = round(purity(assign, labels));
      metrics['cluster.purityKLNMF'] = round(
        purity(
          Array.from({ length: N }, (_, n) => argmaxCol(Hb, n)),
          labels,
        ),
      );
      const brng = ctx.rng.fork('baseline');
      let base = 0;
      for (let d = 0; d < p.baselineDraws; d++)
        base += purity(
          Array.from({ length: N }, () => brng.int(K)),
          labels,
        );
      metrics['cluster.purityRandom'] = round(base / p.baselineDraws);

      for (const T of p.tempers) {
        const f = ctx.fit({
          problem: { V, rank: K },
          label: 'heldout',
          solver: plsaRef({ temper: T, holdout: p.holdout, earlyStopping: true }),
        });
        const ppl = f.trajectory.map((t) => t.terms.heldOutPerplexity ?? NaN);
        // ∞ when EM drove a held-out word's probability to 0 (JSON has no ∞: reported as a flag)
        const fin = ppl[ppl.length - 1];
        if (Number.isFinite(fin)) metrics[`heldout.T${T}.final`] = round(fin, 3);
        else metrics[`heldout.T${T}.finalInfinite`] = 1;
        metrics[`heldout.T${T}.best`] = round(Math.min(...ppl.filter((x) => Number.isFinite(x))), 3);
        metrics[`heldout.T${T}.bestIteration`] = ppl.indexOf(Math.min(...ppl.filter((x) => Number.isFinite(x))));
      }
      const topics = Array.from({ length: K }, (_, k) => {
        const col = Array.from({ length: F }, (_, f) => [Wa.data[f * K + k], f] as const).sort((a, b) => b[0] - a[0]);
        return col.slice(0, p.topWords).map(([, f]) => vocabulary?.[f] ?? `term${f}`);
      });
      const categories = (ctx.data.extra?.categories as string[] | undefined) ?? [];
      const composition = Array.from({ length: K }, (_, k) => {
        const c: Record<string, number> = {};
        assign.forEach((a, n) => {
          if (a === k)
            c[categories[labels[n]] ?? String(labels[n])] = (c[categories[labels[n]] ?? String(labels[n])] ?? 0) + 1;
        });
        return c;
      });
      return {
        fit: em,
        metrics,
        matrices: { W: em.result.W, H: em.result.H, muW: mu.result.W, muH: mu.result.H },
        extra: {
          topics,
          composition,
          trajectories: {
            em: em.trajectory.map((t) => t.terms.kl ?? t.objective),
            klNmf: mu.trajectory.map((t) => t.terms.data ?? t.objective),
          },
        },
      };
    },
  }),
});

function normalizeColumns(W: Matrix): void {
  const { rows, cols } = W;
  for (let k = 0; k < cols; k++) {
    let s = 0;
    for (let f = 0; f < rows; f++) s += W.data[f * cols + k];
    for (let f = 0; f < rows; f++) W.data[f * cols + k] /= s || 1;
  }
}

/** P(w|z) = W/colsum(W) and P(z|d) = (diag(colsum W) H)/colsum, the scale-free pLSA parameters. */
function normalized(W: Matrix, H: Matrix): [Matrix, Matrix] {
  const { rows: F, cols: K } = W,
    N = H.cols;
  const s = new Float64Array(K);
  for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) s[k] += W.data[f * K + k];
  const Wn = W.clone();
  for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) Wn.data[f * K + k] /= s[k] || 1;
  const Hn = new Matrix(K, N);
  for (let n = 0; n < N; n++) {
    let c = 0;
    for (let k = 0; k < K; k++) c += s[k] * H.data[k * N + n];
    for (let k = 0; k < K; k++) Hn.data[k * N + n] = c > 0 ? (s[k] * H.data[k * N + n]) / c : 1 / K;
  }
  return [Wn, Hn];
}

function maxDiff(A: Matrix, B: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.data.length; i++) m = Math.max(m, Math.abs(A.data[i] - B.data[i]));
  return m;
}

function argmaxCol(H: Matrix, n: number): number {
  let best = 0;
  for (let k = 1; k < H.rows; k++) if (H.data[k * H.cols + n] > H.data[best * H.cols + n]) best = k;
  return best;
}
