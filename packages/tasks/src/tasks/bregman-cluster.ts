import { Matrix, NmflabError, definePlugin, type PluginRef, type TaskContext } from '@nmflab/core';
import { bregmanKMeans, type Clustering } from '../evaluation/kmeans.js';

interface Params {
  divergence: PluginRef;
  clusters: number;
  restarts: number;
  maxIterations: number;
}

/**
 * Bregman hard clustering (Banerjee, Merugu, Dhillon & Ghosh, JMLR 2005, Algorithm 1) of the
 * columns x_j of V (dim × n) into k clusters, minimizing J = Σ_j d_φ(x_j, μ_{z_j}) for the
 * configured (separable, right-argument Bregman) divergence, data on the left. The algorithm and
 * its conventions (k-means++ seeding with d_φ, ties, empty clusters, stopping) are those of
 * evaluation/kmeans.ts. Of `restarts` seeded runs (streams `restart-r` of the task's Rng) the one
 * with the lowest final J is kept. The labels go to extra.labels (scored by the `nmi` metric
 * against the source's labels); J after every half-step is extra.trajectory.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'bregman-cluster',
    description:
      'Bregman hard clustering (k-means with a Bregman divergence d_φ(x, μ)) of V’s columns; labels for the nmi metric',
    needsModel: false, // fits no NMF: its configs need no model block
    params: {
      divergence: {
        plugin: 'divergence',
        default: 'euclidean',
        description: 'the divergence d(x|μ): a right-argument Bregman divergence (not dual)',
      },
      clusters: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'k; 0 = the number of components of the data (the source’s extra.components)',
      },
      restarts: {
        type: 'integer',
        minimum: 1,
        default: 10,
        description: 'seeded k-means++ restarts; the lowest total divergence is kept',
      },
      maxIterations: {
        type: 'integer',
        minimum: 1,
        default: 300,
        description: 'at most this many centroid updates per restart (stops earlier when assignments stop changing)',
      },
    },
  },
  create: (p, pctx) => ({
    id: 'bregman-cluster',
    run(ctx: TaskContext) {
      const V = ctx.data.matrix;
      const path = `${pctx.path}.divergence`;
      if (!V)
        throw new NmflabError('bregman-cluster needs a data matrix', {
          path: 'data',
          expected: 'a source giving a matrix whose columns are the points (e.g. exp-family-mixture)',
          found: 'no matrix',
        });
      const div = ctx.registry.instantiate('divergence', p.divergence, { path, file: pctx.file });
      if (div.dual || !div.weight) {
        throw new NmflabError(
          'Bregman hard clustering needs a right-argument Bregman divergence d_φ(x|μ) (for those the mean is the optimal centroid)',
          {
            path,
            file: pctx.file,
            expected: 'a divergence with a weight φ″ and dual: false (euclidean, kl, is, beta, bregman, binomial)',
            found: `${div.id}${div.dual ? ' (dual)' : ' (no φ″)'}`,
          },
        );
      }
      const comps = (ctx.data.extra as { components?: unknown } | undefined)?.components;
      const k = p.clusters || (typeof comps === 'number' ? comps : 0);
      if (!k)
        throw new NmflabError('the number of clusters is unknown', {
          path: `${pctx.path}.clusters`,
          file: pctx.file,
          expected: 'clusters ≥ 1, or a source that gives extra.components',
          found: '0 and no extra.components',
        });
      const d = V.rows,
        n = V.cols;
      if (k > n)
        throw new NmflabError('more clusters than points', {
          path: `${pctx.path}.clusters`,
          file: pctx.file,
          expected: `at most ${n} (the columns of V)`,
          found: String(k),
        });
      // Point-major copy; d(x|x) = 0 over all of V checks every entry against the divergence's domain once, naming it.
      const X = new Float64Array(n * d);
      for (let r = 0; r < d; r++) for (let j = 0; j < n; j++) X[j * d + r] = V.data[r * n + j];
      div.value(V.data, V.data);

      let best: Clustering | undefined;
      const finals: number[] = [];
      for (let r = 0; r < p.restarts; r++) {
        const c = bregmanKMeans(X, n, d, k, div, ctx.rng.fork(`restart-${r}`), p.maxIterations);
        finals.push(c.objective);
        if (!best || c.objective < best.objective) best = c;
      }
      const b = best!;
      const centroids = new Matrix(d, k);
      for (let c = 0; c < k; c++) for (let r = 0; r < d; r++) centroids.data[r * k + c] = b.centres[c * d + r];
      return {
        metrics: { objective: b.objective, lloydIterations: b.iterations, converged: b.converged ? 1 : 0, clusters: k },
        matrices: { centroids },
        extra: {
          divergence: divergenceName(p.divergence),
          labels: Array.from(b.labels),
          restartObjectives: finals,
          trajectory: b.trajectory,
        },
      };
    },
  }),
});

function divergenceName(ref: PluginRef): string {
  const params = ref.params ?? {};
  return ref.id === 'beta' ? `beta${String(params.beta)}` : ref.id;
}
