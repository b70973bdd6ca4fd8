import { NmflabError } from '@nmflab/core';
import { Matrix, type ComplexMatrix } from '@nmflab/core';
import { definePlugin, type MetricValue, type TaskContext, type Transform } from '@nmflab/core';
import type { Rng } from '@nmflab/core';
import { applyMask, wienerMasks } from '@nmflab/core';
import { complexComponentsOf, synthesizeComponents } from '@nmflab/core';
import { bssEvalSources, prepareReferences } from '../evaluation/bss-eval/index.js';
import { bregmanKMeans, type Clustering, type PointDivergence } from '../evaluation/kmeans.js';
import type { FitResult } from '@nmflab/core';

type Mode = 'unsupervised' | 'supervised' | 'semi-supervised';
type Synthesis = 'auto' | 'components' | 'masks';

interface Params {
  mode: Mode;
  ranks: number[];
  grouping: number[][];
  known: string[];
  maskExponent: number;
  oracle: boolean;
  clusterRestarts: number;
  synthesis: Synthesis;
}

/** The listed columns of W times the same rows of H: one source's part W_g H_g of the model. */
export function partialModel(W: Matrix, H: Matrix, cols: readonly number[]): Matrix {
  const F = W.rows,
    N = H.cols,
    K = W.cols;
  const out = new Matrix(F, N);
  for (const k of cols) {
    const hk = H.data.subarray(k * N, (k + 1) * N);
    for (let f = 0; f < F; f++) {
      const w = W.data[f * K + k];
      if (w === 0) continue;
      const row = f * N;
      for (let n = 0; n < N; n++) out.data[row + n] += w * hk[n];
    }
  }
  return out;
}

/**
 * Seeded k-means of the columns of W (evaluation/kmeans.ts with the squared distance, best of
 * `restarts` runs drawn in turn from `rng`), each column taken as its log-spectrum log(w + ε),
 * centred and scaled to unit norm, so that components with similar spectral shapes group together.
 * Returns, per cluster, its component indices.
 */
export function clusterComponents(W: Matrix, k: number, rng: Rng, restarts = 5): number[][] {
  const F = W.rows,
    K = W.cols;
  if (k > K)
    throw new NmflabError('fewer components than sources to group them into', {
      path: 'model.rank',
      expected: `at least ${k}`,
      found: String(K),
    });
  const X = new Float64Array(K * F); // point-major: component c at X[c·F …]
  for (let c = 0; c < K; c++) {
    const x = X.subarray(c * F, (c + 1) * F);
    let mean = 0;
    for (let f = 0; f < F; f++) mean += x[f] = Math.log(W.data[f * K + c] + 1e-9);
    mean /= F;
    let norm = 0;
    for (let f = 0; f < F; f++) norm += (x[f] -= mean) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let f = 0; f < F; f++) x[f] /= norm;
  }
  let best: Clustering | undefined;
  for (let r = 0; r < restarts; r++) {
    const c = bregmanKMeans(X, K, F, k, SQUARED, rng, 100);
    if (!best || c.objective < best.objective) best = c;
  }
  const labels = best!.labels;
  return Array.from({ length: k }, (_, c) => [...labels.keys()].filter((i) => labels[i] === c));
}

const SQUARED: PointDivergence = { point: (x, mu) => (x - mu) ** 2 };

/** Mask the mixture STFT with each model's generalized Wiener mask and resynthesize. */
function maskAndSynthesize(
  Y: ComplexMatrix,
  models: Matrix[],
  alpha: number,
  transform: Transform,
  length: number,
): Float64Array[] {
  return wienerMasks(models, alpha).map((m) => transform.synthesize(applyMask(Y, m), length));
}

function scores(prefix: string, r: { sdr: number[]; sir: number[]; sar: number[] }): Record<string, MetricValue> {
  return { [`${prefix}.sdr`]: r.sdr, [`${prefix}.sir`]: r.sir, [`${prefix}.sar`]: r.sar };
}

/**
 * Source separation with NMF on the mixture's spectrogram V = represent(STFT(x)):
 * - unsupervised: fit V ≈ WH with the run's rank; group the components into sources (the given
 *   `grouping`, else seeded k-means of the normalized log-spectra of W's columns);
 * - supervised (Smaragdis et al. 2007): learn W_k on each source's own training recording,
 *   concatenate W = [W_1 … W_n], freeze it and fit only H on the mixture;
 * - semi-supervised: the `known` sources' dictionaries are learned and frozen, the other sources
 *   get free components (their `ranks`) learned on the mixture.
 * Each source k is Λ_k = W_k H_k; masks M_k = Λ_k^α / Σ_j Λ_j^α (generalized Wiener), and
 * ŝ_k = ISTFT(M_k ⊙ Y) with the mixture's phase. A phase-aware solver (complex NMF) fits the
 * complex STFT Y itself and returns components X̄_i with Σ_i X̄_i = Y; with `synthesis: auto`
 * (default) or `components` source k is then ŝ_k = ISTFT(Σ_{i ∈ G_k} X̄_i), each component with
 * its own phase (Kameoka et al. 2009), so estimates covering every component sum to the mixture;
 * `masks` keeps the Wiener path for comparison. With `oracle`, the ideal ratio mask (the same
 * masks from the true sources' spectrograms) and the mixture itself are scored with BSS Eval v3
 * next to it (`oracle-irm.*`, `mixture.*`): the ceiling and the floor of the separation.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'separate',
    description:
      'NMF source separation (unsupervised, supervised, semi-supervised) with Wiener masks or complex components, and oracle baselines',
    params: {
      mode: {
        type: 'string',
        enum: ['unsupervised', 'supervised', 'semi-supervised'],
        default: 'supervised',
        description: 'how the per-source dictionaries are obtained',
      },
      ranks: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        default: [],
        description: 'components per source (default: the run rank split evenly)',
      },
      grouping: {
        type: 'array',
        items: { type: 'array', items: { type: 'integer', minimum: 0 } },
        default: [],
        description: 'unsupervised: component indices of each source (default: k-means of W)',
      },
      known: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'semi-supervised: sources whose dictionary is learned from training (default: all but the last)',
      },
      maskExponent: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: 'α of the Wiener masks Λ_k^α/ΣΛ_j^α (1 for magnitude models, as Smaragdis; 2 = power)',
      },
      oracle: {
        type: 'boolean',
        default: true,
        description: 'also score the ideal ratio mask and the unprocessed mixture (ceiling and floor)',
      },
      clusterRestarts: {
        type: 'integer',
        minimum: 1,
        default: 5,
        description: 'k-means restarts when grouping components',
      },
      synthesis: {
        type: 'string',
        enum: ['auto', 'components', 'masks'],
        default: 'auto',
        description:
          "how estimates are built: 'components' = ISTFT of each source's complex components (complex NMF), 'masks' = Wiener masks on the mixture, 'auto' = components when the solver gives them, else masks",
      },
    },
  },
  create: (p, pctx) => ({
    id: 'separate',
    run(ctx: TaskContext) {
      const at = (k: string) => `${pctx.path}.${k}`;
      const { data, transform } = ctx;
      if (!data.signal || !transform)
        throw new NmflabError('separate needs an audio source', {
          path: 'data',
          expected: 'a source with a mixture signal',
        });
      const refs = data.sources ?? [];
      if (refs.length < 2)
        throw new NmflabError('separate needs the ground-truth sources', {
          path: 'data',
          expected: 'at least 2 sources (stems)',
          found: String(refs.length),
        });
      const n = refs.length;
      const names = refs.map((r) => r.name);
      const x = data.signal.samples;
      const len = x.length;
      const Y = transform.analyze(x);
      const V = transform.represent(Y);
      const ranks = p.ranks.length ? p.ranks : names.map(() => Math.max(1, Math.floor(ctx.rank / n)));
      if (ranks.length !== n)
        throw new NmflabError('one rank per source is needed', {
          path: at('ranks'),
          expected: `${n} numbers (${names.join(', ')})`,
          found: JSON.stringify(p.ranks),
        });
      const offsets = ranks.map((_, k) => ranks.slice(0, k).reduce((a, b) => a + b, 0));
      const colsOf = (k: number) => Array.from({ length: ranks[k] }, (_, i) => offsets[k] + i);
      const train = (data.extra?.train ?? {}) as Record<string, Float64Array>;
      const learn = (k: number): Matrix => {
        const t = train[names[k]];
        if (!t)
          throw new NmflabError(`no training recording for source '${names[k]}'`, {
            path: 'data',
            expected: 'a stem with a train recording',
            found: Object.keys(train).join(', ') || 'none',
          });
        const Yt = transform.analyze(t);
        return ctx.fit({
          problem: { V: transform.represent(Yt), Y: Yt, rank: ranks[k] },
          label: `train:${names[k]}`,
          reusable: true,
        }).result.W;
      };
      const concat = (Ws: Matrix[]): Matrix => {
        const K = Ws.reduce((s, w) => s + w.cols, 0);
        const out = new Matrix(V.rows, K);
        let c0 = 0;
        for (const w of Ws) {
          for (let f = 0; f < V.rows; f++)
            for (let c = 0; c < w.cols; c++) out.data[f * K + c0 + c] = w.data[f * w.cols + c];
          c0 += w.cols;
        }
        return out;
      };

      let fit: FitResult;
      let groups: number[][];
      const extra: Record<string, unknown> = { mode: p.mode };
      if (p.mode === 'unsupervised') {
        fit = ctx.fit({ problem: { V, Y, rank: ctx.rank }, label: 'mixture' });
        if (p.grouping.length) {
          if (p.grouping.length !== n)
            throw new NmflabError('one group of components per source is needed', {
              path: at('grouping'),
              expected: `${n} lists`,
              found: `${p.grouping.length}`,
            });
          for (const g of p.grouping.flat()) {
            if (g >= ctx.rank)
              throw new NmflabError('component index out of range', {
                path: at('grouping'),
                expected: `indices in 0..${ctx.rank - 1}`,
                found: String(g),
              });
          }
          groups = p.grouping;
        } else {
          groups = clusterComponents(fit.result.W, n, ctx.rng.fork('cluster'), p.clusterRestarts);
        }
        extra.grouping = groups;
      } else {
        const knownNames = p.mode === 'supervised' ? names : p.known.length ? p.known : names.slice(0, -1);
        for (const k of knownNames)
          if (!names.includes(k))
            throw new NmflabError('unknown source name', {
              path: at('known'),
              expected: `one of ${names.join(', ')}`,
              found: JSON.stringify(k),
            });
        const isKnown = names.map((nm) => knownNames.includes(nm));
        const Ws = names.map((_, k) => (isKnown[k] ? learn(k) : undefined));
        const K = ranks.reduce((a, b) => a + b, 0);
        // free components start from the initializer's draw: build W0 with random columns there
        const W0 = concat(Ws.map((w, k) => w ?? randomColumns(V.rows, ranks[k], ctx.rng.fork(`free:${names[k]}`), V)));
        const frozen = names.flatMap((_, k) => (isKnown[k] ? colsOf(k) : []));
        fit = ctx.fit({
          problem: { V, Y, rank: K, W0, freezeW: frozen.length === K ? true : frozen },
          label: 'mixture',
        });
        groups = names.map((_, k) => colsOf(k));
        extra.known = knownNames;
      }
      const { W, H } = fit.result;
      // Problem.Y lets a phase-aware solver fit the complex STFT; others ignore it.
      const components = p.synthesis === 'masks' ? undefined : complexComponentsOf(fit.result);
      if (p.synthesis === 'components' && !components) {
        throw new NmflabError('the solver gives no complex components to synthesize from', {
          path: at('synthesis'),
          expected: "a phase-aware solver (complex-nmf) for 'components', or synthesis 'auto' or 'masks'",
          found: 'a solver without complex components',
        });
      }
      extra.synthesis = components ? 'components' : 'masks';
      const signals = components
        ? synthesizeComponents(components, groups, transform, len, p.mode === 'unsupervised' ? at('grouping') : 'model')
        : maskAndSynthesize(
            Y,
            groups.map((g) => partialModel(W, H, g)),
            p.maskExponent,
            transform,
            len,
          );
      const estimates = signals.map((samples, k) => ({
        name: p.mode === 'unsupervised' ? `group-${k + 1}` : names[k],
        samples,
      }));
      const metrics: Record<string, MetricValue> = {};
      if (p.oracle) {
        const references = refs.map((r) => r.samples);
        const prepared = prepareReferences(references);
        const trueModels = references.map((s) => transform.represent(transform.analyze(s)));
        const irm = maskAndSynthesize(Y, trueModels, p.maskExponent, transform, len);
        Object.assign(metrics, scores('oracle-irm', bssEvalSources(references, irm, { prepared, what: 'oracle-irm' })));
        Object.assign(
          metrics,
          scores(
            'mixture',
            bssEvalSources(
              references,
              references.map(() => x),
              { prepared, what: 'mixture' },
            ),
          ),
        );
      }
      return {
        estimates,
        references: refs.map((r) => ({ name: r.name, samples: r.samples })),
        sampleRate: data.signal.sampleRate,
        fit,
        matrices: { W, H },
        metrics,
        extra,
      };
    },
  }),
});

/** Non-negative random columns scaled to the data's mean level (start of free components). */
function randomColumns(F: number, K: number, rng: Rng, V: Matrix): Matrix {
  let mean = 0;
  for (let i = 0; i < V.data.length; i++) mean += V.data[i];
  mean /= V.data.length || 1;
  const m = new Matrix(F, K);
  rng.fillUniform(m.data, 0, Math.sqrt(mean) + 1e-12);
  return m;
}
