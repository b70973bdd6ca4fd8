import type { Rng } from '@nmflab/core';

/**
 * Bregman hard clustering (Banerjee, Merugu, Dhillon & Ghosh, JMLR 2005, Algorithm 1), the one
 * k-means of nmflab. The points x_j (rows of the point-major X, n × d) are split into k clusters
 * with centroids μ_c minimizing
 *   J = Σ_j d_φ(x_j, μ_{z_j}),   d_φ(x, μ) = Σ_r d(x_r | μ_r)
 * for a separable divergence d given by its scalar term (data on the left; squared distance gives
 * classic k-means). Conventions:
 * - seeding: k-means++ with d_φ (Arthur & Vassilvitskii 2007, d_φ in place of the squared distance,
 *   as in Bregman k-means++ by Ackermann & Blömer): the first centre a uniform point (rng.int(n)),
 *   each next one a point drawn with probability ∝ min_c d_φ(x_j, μ_c) from one rng.uniform(); among
 *   the points at +∞, uniformly, when some are; uniformly when every point sits on a centre;
 * - assignment: z_j ← argmin_c d_φ(x_j, μ_c); ties keep the current cluster, else the lowest c;
 * - centroid: μ_c ← the arithmetic mean of its points (sum, then one division), the unique
 *   minimizer of Σ_j d_φ(x_j, μ) for every Bregman divergence (the paper's Proposition 1);
 * - an empty cluster takes the point farthest (in d_φ) from its centroid among the clusters with two
 *   or more points, which lowers J too;
 * - stop when no assignment changes, or after `maxIterations` centroid steps; an unconverged run
 *   ends with one more centroid step, so that J is judged at the means of the final clusters.
 * Each step cannot increase J. Restarts (and which rng each draws from) are the caller's.
 */

/** The scalar term d(x | μ) of a separable divergence (a Divergence plugin is one). */
export interface PointDivergence {
  point(x: number, mu: number): number;
}

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

/** One seeded Bregman k-means run on the point-major X (n × d); the conventions are the module's. */
export function bregmanKMeans(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  div: PointDivergence,
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
