import { Matrix, NmflabError, definePlugin, describeValue, type Rng } from '@nmflab/core';
import { gamma, poisson } from './exp-family-synthetic.js';

type Model = 'gaussian' | 'poisson' | 'binomial' | 'gamma';

interface Params {
  model: Model;
  points: number;
  dim: number;
  means: (number | number[])[];
  sigma: number;
  trials: number;
  shape: number;
}

/**
 * Points from a mixture of one exponential family with equal priors (Banerjee et al. 2005, §7.1):
 * point j gets a component z_j uniform on 1..k (the true label), then each of its `dim`
 * coordinates is drawn independently with mean μ_{z_j} (the component's entry of `means`):
 *   gaussian: x = μ + σ ε, ε ~ N(0, 1), floored at 0 (the count is extra.clipped: the KL, binomial
 *             and IS divergences are undefined for negative data);
 *   poisson:  x ~ Poisson(μ);
 *   binomial: x ~ Binomial(n, μ/n), n = `trials`, as a sum of n Bernoulli draws;
 *   gamma:    x ~ Gamma(shape α, mean μ), variance μ²/α.
 * Their matching Bregman divergences (the mixture component's negative log-likelihood up to terms
 * in x) are squared Euclidean, generalized KL, binomial and Itakura–Saito (α·IS). V is dim × points
 * (a column per point, as V's columns are samples); extra.labels holds z (0-based).
 * Labels and draws use separate streams, so every model gets the same labels for the same seed.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'exp-family-mixture',
    description:
      'points from an equal-prior mixture of Gaussian, Poisson, Binomial or Gamma components, with their true labels',
    params: {
      model: {
        type: 'string',
        enum: ['gaussian', 'poisson', 'binomial', 'gamma'],
        default: 'poisson',
        description: 'the exponential family of every component',
      },
      points: { type: 'integer', minimum: 1, default: 300, description: 'number of points (columns of V)' },
      dim: { type: 'integer', minimum: 1, default: 1, description: 'dimension of a point (rows of V)' },
      means: {
        type: 'array',
        minItems: 1,
        items: { anyOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }] },
        default: [10, 20, 40],
        description: 'each component’s mean: a number (the same in every coordinate) or a list of dim numbers',
      },
      sigma: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'Gaussian standard deviation' },
      trials: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        default: 100,
        description: 'n of the Binomial (means must lie in (0, n))',
      },
      shape: { type: 'number', exclusiveMinimum: 0, default: 20, description: 'Gamma shape α (variance μ²/α)' },
    },
  },
  create: (p, ctx) => {
    const where = (i: number) => ({ file: ctx.file, path: `${ctx.path}.means[${i}]` });
    const means = p.means.map((m, i) => {
      const v = typeof m === 'number' ? new Array<number>(p.dim).fill(m) : m;
      if (v.length !== p.dim)
        throw new NmflabError('a component mean has the wrong length', {
          ...where(i),
          expected: `a number or a list of dim = ${p.dim} numbers`,
          found: `${v.length} numbers`,
        });
      for (const x of v) {
        const ok = p.model === 'gaussian' ? Number.isFinite(x) : p.model === 'binomial' ? x > 0 && x < p.trials : x > 0;
        if (!ok) {
          const expected =
            p.model === 'binomial'
              ? `means in (0, trials = ${p.trials})`
              : p.model === 'gaussian'
                ? 'finite means'
                : `positive means (${p.model})`;
          throw new NmflabError('a component mean is outside the model’s range', {
            ...where(i),
            expected,
            found: describeValue(m),
          });
        }
      }
      return v;
    });
    return {
      id: 'exp-family-mixture',
      load(rng) {
        const k = means.length,
          n = p.points,
          d = p.dim;
        const lrng = rng.fork('labels'),
          drng = rng.fork(`draws-${p.model}`);
        const labels = Array.from({ length: n }, () => lrng.int(k));
        const V = new Matrix(d, n);
        let clipped = 0;
        for (let j = 0; j < n; j++) {
          const mu = means[labels[j]];
          for (let r = 0; r < d; r++) {
            let x = draw(drng, p, mu[r]);
            if (x < 0) {
              clipped++;
              x = 0;
            }
            V.data[r * n + j] = x;
          }
        }
        return {
          matrix: V,
          extra: {
            labels,
            components: k,
            means,
            model: p.model,
            sigma: p.sigma,
            trials: p.trials,
            shape: p.shape,
            clipped,
          },
        };
      },
    };
  },
});

function draw(rng: Rng, p: Params, mu: number): number {
  switch (p.model) {
    case 'gaussian':
      return mu + p.sigma * rng.normal();
    case 'poisson':
      return poisson(rng, mu);
    case 'binomial': {
      const q = mu / p.trials;
      let s = 0;
      for (let t = 0; t < p.trials; t++) if (rng.uniform() < q) s++;
      return s;
    }
    case 'gamma':
      return (gamma(rng, p.shape) * mu) / p.shape;
  }
}
