import {
  Matrix,
  NmflabError,
  definePlugin,
  logGamma,
  matmul,
  type MetricValue,
  type PluginRef,
  type TaskContext,
} from '@nmflab/core';
import { round } from '../evaluation/analysis.js';

interface Params {
  fraction: number;
  divergences: PluginRef[];
}

/**
 * Which divergence fits data of a given noise model best (Banerjee et al. 2005; Dhillon & Sra
 * 2005)? A random `fraction` of V's entries is held out (mask M = 0 there); NMF by multiplicative
 * updates (`mu`, masked objective Σ M⊙d(V|WH)) is fitted with each listed divergence; each fit's
 * Λ = WH is scored on the held-out entries by the mean negative log-likelihood under the noise
 * model that generated the data (source `exp-family-synthetic`, its `extra`), exactly:
 *   gaussian: ½ log 2πσ² + (x − λ)²/2σ²
 *   poisson:  λ − x log λ + log Γ(x + 1)
 *   gamma:    log Γ(α) − α log(α/λ) − (α − 1) log x + αx/λ     (shape α, mean λ)
 * Lower is better; the matching divergence (Euclidean, KL, IS) should win. The oracle (the true
 * mean Λ) is reported as the floor.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'heldout-likelihood',
    description: "Masked NMF with each divergence; held-out likelihood under the data's true noise model",
    params: {
      fraction: {
        type: 'number',
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.2,
        description: 'fraction of entries held out',
      },
      divergences: {
        pluginList: 'divergence',
        default: ['euclidean', 'kl', 'is'],
        description: 'the divergences compared (mu solver, masked)',
      },
    },
  },
  create: (p) => ({
    id: 'heldout-likelihood',
    run(ctx: TaskContext) {
      const V = ctx.data.matrix;
      const ex = ctx.data.extra as { mean?: Matrix; noise?: string; sigma?: number; shape?: number } | undefined;
      if (!V || !ex?.mean || !ex.noise)
        throw new NmflabError('heldout-likelihood needs data with a known noise model', {
          path: 'data',
          expected: 'source exp-family-synthetic',
          found: V ? 'a matrix without a noise model' : 'no matrix',
        });
      const nll = pointNll(ex.noise, ex.sigma ?? 1, ex.shape ?? 1);
      const mrng = ctx.rng.fork('mask');
      const mask = new Matrix(V.rows, V.cols);
      const test: number[] = [];
      for (let i = 0; i < V.data.length; i++) {
        if (mrng.uniform() < p.fraction) test.push(i);
        else mask.data[i] = 1;
      }
      const score = (L: Float64Array) => test.reduce((s, i) => s + nll(V.data[i], L[i]), 0) / test.length;
      const metrics: Record<string, MetricValue> = { oracle: round(score(ex.mean.data), 5) };
      const scores: Record<string, number> = {};
      let first;
      for (const d of p.divergences) {
        const { ref, errors } = ctx.registry.validate(
          'solver',
          { id: 'mu', params: { divergence: d } },
          { path: 'task.params.divergences' },
        );
        if (!ref) throw errors[0];
        const f = ctx.fit({ problem: { V, rank: ctx.rank, mask }, label: 'masked', solver: ref });
        first ??= f;
        const L = matmul(f.result.W, f.result.H).data;
        const name = divergenceName(d);
        scores[name] = score(L);
        metrics[`heldout.${name}`] = round(scores[name], 5);
      }
      const best = Object.entries(scores).sort((a, b) => a[1] - b[1])[0][0];
      metrics.best = Object.keys(scores).indexOf(best);
      return {
        fit: first,
        metrics,
        extra: { noise: ex.noise, best, heldOut: test.length, order: Object.keys(scores) },
      };
    },
  }),
});

function divergenceName(ref: PluginRef): string {
  const params = ref.params ?? {};
  return ref.id === 'beta' ? `beta${String(params.beta)}` : ref.id;
}

function pointNll(noise: string, sigma: number, alpha: number): (x: number, l: number) => number {
  const lf = Math.max; // a model value of 0 where data are positive is an infinite loss; floor at 1e-12
  if (noise === 'gaussian')
    return (x, l) => 0.5 * Math.log(2 * Math.PI * sigma * sigma) + (x - l) ** 2 / (2 * sigma * sigma);
  if (noise === 'poisson') return (x, l) => lf(l, 1e-12) - x * Math.log(lf(l, 1e-12)) + logGamma(x + 1);
  const la = logGamma(alpha);
  return (x, l) => la - alpha * Math.log(alpha / lf(l, 1e-12)) - (alpha - 1) * Math.log(x) + (alpha * x) / lf(l, 1e-12);
}
