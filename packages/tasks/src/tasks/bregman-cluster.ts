import {
  Matrix,
  NmflabError,
  definePlugin,
  type Divergence,
  type PluginRef,
  type Rng,
  type TaskContext,
} from '@nmflab/core';

interface Params {
  divergence: PluginRef;
  clusters: number;
  restarts: number;
  maxIterations: number;
}

/**
 * Bregman hard clustering (Banerjee, Merugu, Dhillon & Ghosh, JMLR 2005, Algorithm 1): the columns
 * x_j of V (dim × n) are split into k clusters with centroids μ_c minimizing
 *   J = Σ_j d_φ(x_j, μ_{z_j}),   d_φ(x, μ) = Σ_r d(x_r | μ_r)
 * for the configured (separable, right-argument Bregman) divergence d, data on the left. Lloyd's
 * two steps, each of which cannot increase J:
 *   assignment  z_j ← argmin_c d_φ(x_j, μ_c)   (ties keep the current cluster, else the lowest c);
 *   centroid    μ_c ← mean of {x_j : z_j = c}  (for every Bregman divergence the arithmetic mean is
 *               the unique minimizer of Σ_j d_φ(x_j, μ) — the paper's Proposition 1);
 * repeated until no assignment changes (or `maxIterations` centroid steps). An empty cluster takes
 * the point farthest (in d_φ) from its centroid among clusters with two or more points, which
 * lowers J too. Seeding is k-means++ with the same divergence (Arthur & Vassilvitskii 2007 with
 * d_φ in place of the squared distance, as in Bregman k-means++ by Ackermann & Blömer): the first
 * centre a uniform point, each next one a point drawn with probability ∝ min_c d_φ(x_j, μ_c) (among
 * the points at +∞, uniformly, when some are). Of `restarts` seeded runs (streams `restart-r` of
 * the task's Rng) the one with the lowest final J is kept. The labels go to extra.labels (scored by
 * the `nmi` metric against the source's labels); J after every half-step is extra.trajectory.
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
        const c = lloyd(X, n, d, k, div, ctx.rng.fork(`restart-${r}`), p.maxIterations);
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

export interface Clustering {
  labels: Int32Array;
  /** Centroids, cluster-major (k × dim). */
  centres: Float64Array;
  objective: number;
  iterations: number;
  converged: boolean;
  /** J after the seeding assignment, then after every centroid and assignment step. */
  trajectory: number[];
}

/** One seeded Bregman k-means run on the point-major X (n × d). */
export function lloyd(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  div: Divergence,
  rng: Rng,
  maxIterations: number,
): Clustering {
  const mu = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const own = new Float64Array(n); // d_φ(x_j, μ_{z_j})
  const counts = new Int32Array(k);
  const dist = (j: number, c: number): number => {
    let s = 0;
    for (let r = 0; r < d; r++) s += div.point(X[j * d + r], mu[c * d + r]);
    return s;
  };
  seed(X, n, d, k, mu, own, dist, rng);

  /** Assignment step; returns the number of changed labels (all of them count at `first`). */
  const assign = (first: boolean): number => {
    let changed = 0;
    for (let j = 0; j < n; j++) {
      const cur = labels[j];
      // after a centroid step own[j] already is d_φ(x_j, μ_cur)
      let bc = first ? 0 : cur,
        bd = first ? dist(j, 0) : own[j];
      for (let c = 0; c < k; c++) {
        if (c === bc) continue;
        const v = dist(j, c);
        if (v < bd) {
          bd = v;
          bc = c;
        }
      }
      if (first || bc !== cur) changed++;
      labels[j] = bc;
      own[j] = bd;
    }
    return changed;
  };
  const total = (): number => {
    let s = 0;
    for (let j = 0; j < n; j++) s += own[j];
    return s;
  };
  const update = (): void => {
    counts.fill(0);
    for (let j = 0; j < n; j++) counts[labels[j]]++;
    // Empty clusters take the worst-served point of a cluster that can spare one.
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) continue;
      let bj = -1,
        bd = -1;
      for (let j = 0; j < n; j++) if (counts[labels[j]] > 1 && own[j] > bd) (bd = own[j]), (bj = j);
      counts[labels[bj]]--;
      labels[bj] = c;
      counts[c] = 1;
    }
    mu.fill(0);
    for (let j = 0; j < n; j++) {
      const c = labels[j];
      for (let r = 0; r < d; r++) mu[c * d + r] += X[j * d + r];
    }
    for (let c = 0; c < k; c++) for (let r = 0; r < d; r++) mu[c * d + r] /= counts[c];
    for (let j = 0; j < n; j++) own[j] = dist(j, labels[j]);
  };

  assign(true);
  const trajectory = [total()];
  let iterations = 0,
    converged = false;
  while (iterations < maxIterations) {
    update();
    iterations++;
    trajectory.push(total());
    const changed = assign(false);
    trajectory.push(total());
    if (changed === 0) {
      converged = true;
      break;
    }
  }
  // After the last assignment the centroids may be stale (not converged): one more centroid step
  // keeps J = Σ d_φ(x_j, mean of x_j's cluster), the objective the labels are judged by.
  if (!converged) {
    update();
    trajectory.push(total());
  }
  return { labels, centres: mu, objective: trajectory[trajectory.length - 1], iterations, converged, trajectory };
}

/** k-means++ seeding with d_φ; `own` ends as min_c d_φ(x_j, μ_c). */
function seed(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  mu: Float64Array,
  own: Float64Array,
  dist: (j: number, c: number) => number,
  rng: Rng,
): void {
  const take = (c: number, j: number) => {
    for (let r = 0; r < d; r++) mu[c * d + r] = X[j * d + r];
  };
  take(0, rng.int(n));
  for (let j = 0; j < n; j++) own[j] = dist(j, 0);
  for (let c = 1; c < k; c++) {
    let sum = 0,
      inf = 0;
    for (let j = 0; j < n; j++) {
      if (own[j] === Infinity) inf++;
      else sum += own[j];
    }
    let pick = -1;
    if (inf > 0) {
      // Points infinitely far from every centre (e.g. x > 0 against a centre coordinate 0 under KL) come first.
      let t = rng.int(inf);
      for (let j = 0; j < n && pick < 0; j++) if (own[j] === Infinity && t-- === 0) pick = j;
    } else if (sum > 0) {
      let t = rng.uniform() * sum;
      for (let j = 0; j < n; j++) {
        t -= own[j];
        if (t < 0) {
          pick = j;
          break;
        }
      }
      if (pick < 0) for (let j = n - 1; j >= 0 && pick < 0; j--) if (own[j] > 0) pick = j; // rounding at the end of the scan
    } else pick = rng.int(n); // every point sits on a centre: duplicates are unavoidable
    take(c, pick);
    for (let j = 0; j < n; j++) {
      const v = dist(j, c);
      if (v < own[j]) own[j] = v;
    }
  }
}

function divergenceName(ref: PluginRef): string {
  const params = ref.params ?? {};
  return ref.id === 'beta' ? `beta${String(params.beta)}` : ref.id;
}
