/**
 * Statistics for comparing runs: mean, spread and a Student-t confidence interval of a sample, and
 * paired tests between two methods scored on the same units (seeds, files): the paired t-test and
 * the Wilcoxon signed-rank test, their effect sizes, and Holm's correction for a family of tests.
 * Conventions follow scipy.stats (checked against it by a committed fixture, see
 * packages/core/test/stats.test.ts): two-sided p-values; the signed-rank test drops zero
 * differences ('wilcox'), is exact when n ≤ 50 and no difference is zero, else uses the normal
 * approximation with the tie-corrected variance and no continuity correction.
 */

import { logGamma } from './special.js';
import { NmflabError } from './errors.js';

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with ν degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with ν degrees of freedom (bisection on the CDF, to 1e-12). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1) || !(nu > 0))
    throw new NmflabError('bad t quantile', { expected: '0 < p < 1 and ν > 0', found: `p=${p}, ν=${nu}` });
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, nu);
  let lo = 0,
    hi = 1;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Two-sided p-value of a t statistic: P(|T| ≥ |t|). */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

/** Standard normal CDF Φ(z) = erfc(−z/√2)/2. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** erfc(x) through the regularized incomplete gamma Q(1/2, x²) (continued fraction / series). */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x === 0) return 1;
  const s = x * x;
  // Q(a, s) with a = 1/2: series for P when s < a + 1, continued fraction for Q otherwise.
  const a = 0.5;
  const lnFront = -s + a * Math.log(s) - logGamma(a);
  if (s < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= s / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - Math.exp(lnFront) * sum;
  }
  const tiny = 1e-300;
  let b = s + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(lnFront) * h;
}

export interface Summary {
  /** Number of values. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  std: number;
  /** Standard error of the mean, std/√n. */
  sem: number;
  /** Half-width of the two-sided confidence interval, t_{(1+level)/2, n−1}·sem (NaN for n < 2). */
  ciHalf: number;
  ciLow: number;
  ciHigh: number;
  /** The confidence level (0.95 by default). */
  level: number;
}

export function sampleMean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (divisor n − 1), two-pass. */
export function sampleStd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return 0;
  const m = sampleMean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/** Mean, spread and Student-t confidence interval of the mean. */
export function summarize(x: ArrayLike<number>, level = 0.95): Summary {
  const n = x.length;
  if (n === 0) throw new RangeError('summary of no values');
  const m = sampleMean(x);
  const s = sampleStd(x);
  const sem = s / Math.sqrt(n);
  const ciHalf = n < 2 ? NaN : studentTQuantile((1 + level) / 2, n - 1) * sem;
  return { n, mean: m, std: s, sem, ciHalf, ciLow: m - ciHalf, ciHigh: m + ciHalf, level };
}

export interface PairedTest {
  /** Number of pairs given. */
  n: number;
  /** Mean of the differences a − b. */
  meanDiff: number;
  t: { statistic: number; df: number; p: number /** Cohen's d_z: mean(d)/sd(d). */; effect: number };
  wilcoxon: {
    /** min(W+, W−) as scipy reports it for the two-sided test. */
    statistic: number;
    /** Pairs with a non-zero difference (the ones ranked). */
    nonZero: number;
    p: number;
    method: 'exact' | 'normal';
    /** Matched-pairs rank-biserial correlation (W+ − W−)/(W+ + W−), in [−1, 1]. */
    effect: number;
  };
}

/** Average ranks (1-based) of |values|; ties share the mean of their ranks. */
function absRanks(d: readonly number[]): { ranks: number[]; ties: number[] } {
  const idx = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]) - Math.abs(d[j]));
  const ranks = new Array<number>(d.length);
  const ties: number[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && Math.abs(d[idx[j + 1]]) === Math.abs(d[idx[i]])) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** P(W+ ≤ w) under H0 for n untied ranks 1..n: counts of subsets by rank sum (dynamic programming). */
function signedRankCdf(w: number, n: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s] += counts[s - k];
  let below = 0;
  for (let s = 0; s <= Math.floor(w); s++) below += counts[s];
  return below / 2 ** n;
}

/** Paired t-test and Wilcoxon signed-rank test of a against b (same units, same order). */
export function pairedTests(a: ArrayLike<number>, b: ArrayLike<number>): PairedTest {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length (${a.length} and ${b.length})`);
  const n = a.length;
  if (n < 2) throw new RangeError(`a paired test needs at least 2 pairs, got ${n}`);
  const d = Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const md = sampleMean(d);
  const sd = sampleStd(d);
  const tStat = sd === 0 ? (md === 0 ? NaN : Math.sign(md) * Infinity) : md / (sd / Math.sqrt(n));
  const t = {
    statistic: tStat,
    df: n - 1,
    p: studentTTwoSided(tStat, n - 1),
    effect: sd === 0 ? (md === 0 ? 0 : Math.sign(md) * Infinity) : md / sd,
  };

  const nz = d.filter((x) => x !== 0);
  const m = nz.length;
  let wilcoxon: PairedTest['wilcoxon'];
  if (m === 0) {
    wilcoxon = { statistic: 0, nonZero: 0, p: 1, method: 'exact', effect: 0 };
  } else {
    const { ranks, ties } = absRanks(nz);
    let wPlus = 0;
    let wMinus = 0;
    nz.forEach((x, i) => (x > 0 ? (wPlus += ranks[i]) : (wMinus += ranks[i])));
    const stat = Math.min(wPlus, wMinus);
    const total = (m * (m + 1)) / 2;
    const effect = (wPlus - wMinus) / total;
    // As scipy 1.10's mode 'auto': exact up to 50 pairs unless a difference is zero (tied ranks
    // then take the untied null distribution); the normal approximation otherwise.
    if (m <= 50 && m === n) {
      wilcoxon = { statistic: stat, nonZero: m, p: Math.min(1, 2 * signedRankCdf(stat, m)), method: 'exact', effect };
    } else {
      const meanW = total / 2;
      let varW = (m * (m + 1) * (2 * m + 1)) / 24;
      for (const c of ties) varW -= (c * c * c - c) / 48;
      const z = varW > 0 ? (stat - meanW) / Math.sqrt(varW) : 0;
      wilcoxon = { statistic: stat, nonZero: m, p: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: 'normal', effect };
    }
  }
  return { n, meanDiff: md, t, wilcoxon };
}

/** Holm–Bonferroni adjusted p-values (same order as given): step-down, monotone, capped at 1. */
export function holm(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
  const out = new Array<number>(m);
  let run = 0;
  order.forEach((i, k) => {
    run = Math.max(run, Math.min(1, (m - k) * p[i]));
    out[i] = run;
  });
  return out;
}
