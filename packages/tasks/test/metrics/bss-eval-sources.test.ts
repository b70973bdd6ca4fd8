import { describe, expect, it } from 'vitest';
import { NmflabError, Rng, SpdSolver, type Metric } from '@nmflab/core';
import { BSS_DB_CAP, bssEvalSources, taskPlugins, prepareReferences, type DelayedReferences } from '@nmflab/tasks';
import { loadBssFixtures } from '../evaluation/bss-fixtures.js';

const plugin = taskPlugins.find((p) => p.meta.id === 'bss-eval-sources')!;
const metric = (params: Record<string, unknown> = {}): Metric =>
  plugin.create(
    { permutation: true, filterLength: 512, ...params },
    { registry: undefined as never, path: 'metrics[0]' },
  ) as Metric;

/** Values at rounding level (mir_eval: ~250–320 dB for exact components) are compared as "huge". */
const HUGE = 200;

function noise(n: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  rng.fillNormal(x);
  return x;
}

describe('bss-eval-sources', () => {
  const { cases } = loadBssFixtures();
  // cases share references: build each set's Gram matrix once (as a pipeline scoring several
  // estimates against the same references would)
  const prepared = new Map<string, DelayedReferences>();
  for (const c of cases) {
    it(`matches mir_eval 0.7 within 0.01 dB: ${c.name}`, () => {
      const key = c.references.map((r) => r[0]).join();
      if (!prepared.has(key)) prepared.set(key, prepareReferences(c.references));
      const r = bssEvalSources(c.references, c.estimates, { permutation: c.permutation, prepared: prepared.get(key) });
      expect(r.perm).toEqual(c.expected.perm);
      for (const key of ['sdr', 'sir', 'sar'] as const) {
        c.expected[key].forEach((want, j) => {
          const got = r[key][j];
          if (want > HUGE) expect(got, `${key}[${j}]`).toBeGreaterThan(HUGE);
          else expect(Math.abs(got - want), `${key}[${j}]: ${got} vs ${want}`).toBeLessThan(0.01);
        });
      }
    });
  }

  it('estimate = s1 + 0.1·s2 with orthogonal sources gives SIR ≈ 20 dB', () => {
    // With white sources the L delayed copies of s1 also absorb ≈ L/n of the interference
    // energy, so the expected SIR is 20 − 10 log10(1 − L/n) dB (+0.14 dB at n = 16000).
    const rng = new Rng(3);
    const n = 16000;
    const s1 = noise(n, rng),
      s2 = noise(n, rng);
    // orthogonalize s2 against s1 (exactly orthogonal at lag 0; white, so nearly at other lags)
    let d = 0,
      e = 0;
    for (let t = 0; t < n; t++) {
      d += s1[t] * s2[t];
      e += s1[t] * s1[t];
    }
    for (let t = 0; t < n; t++) s2[t] = s2[t] - (d / e) * s1[t];
    const est1 = s1.map((v, t) => v + 0.1 * s2[t]);
    const r = bssEvalSources([s1, s2], [est1, s2.slice()], { filterLength: 512 });
    expect(Math.abs(r.sir[0] - (20 - 10 * Math.log10(1 - 512 / n)))).toBeLessThan(0.1);
    expect(r.sdr[0]).toBeLessThanOrEqual(r.sir[0] + 1e-9);
  });

  it('a perfect estimate gives a huge finite SDR, capped at BSS_DB_CAP', () => {
    const rng = new Rng(4);
    const s1 = noise(3000, rng),
      s2 = noise(3000, rng);
    const r = bssEvalSources([s1, s2], [s1.slice(), s2.slice()], { filterLength: 64 });
    for (const v of [...r.sdr, ...r.sir, ...r.sar]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(HUGE);
      expect(v).toBeLessThanOrEqual(BSS_DB_CAP);
    }
  });

  it('is invariant to the scale of each estimate, and finds swapped sources', () => {
    const rng = new Rng(5);
    const s1 = noise(3000, rng),
      s2 = noise(3000, rng),
      n1 = noise(3000, rng);
    const e1 = s1.map((v, t) => v + 0.2 * s2[t] + 0.1 * n1[t]);
    const e2 = s2.map((v, t) => v + 0.3 * s1[t]);
    const prepared = prepareReferences([s1, s2], 64);
    const a = bssEvalSources([s1, s2], [e1, e2], { filterLength: 64, prepared });
    const b = bssEvalSources([s1, s2], [e2.map((v) => -7 * v), e1.map((v) => 0.01 * v)], {
      filterLength: 64,
      prepared,
    });
    expect(b.perm).toEqual([1, 0]);
    for (const k of ['sdr', 'sir', 'sar'] as const) {
      for (let j = 0; j < 2; j++) {
        if (a[k][j] > HUGE) expect(b[k][j]).toBeGreaterThan(HUGE);
        else expect(b[k][j]).toBeCloseTo(a[k][j], 6);
      }
    }
  });

  it('rejects a silent reference or estimate with a clear error, never NaN', () => {
    const rng = new Rng(6);
    const s1 = noise(1000, rng),
      s2 = noise(1000, rng);
    expect(() => bssEvalSources([s1, new Float64Array(1000)], [s1, s2])).toThrow(/reference 2 is silent/);
    expect(() => metric().compute({ references: [s1, s2], estimates: [s1, new Float64Array(1000)] })).toThrow(
      NmflabError,
    );
    expect(() => metric().compute({ references: [s1, s2], estimates: [s1, new Float64Array(1000)] })).toThrow(
      /metrics\[0\]: .*estimate 2 is silent/,
    );
    expect(() => bssEvalSources([s1, s2], [s1])).toThrow(/as many estimates as references/);
    expect(() => bssEvalSources([s1], [s1.subarray(0, 999)])).toThrow(/different length/);
    expect(() => metric().compute({ references: [s1] })).toThrow(/needs estimates/);
  });

  it('the plugin returns per-source lists and the permutation', () => {
    const {
      cases: [c],
    } = loadBssFixtures();
    const out = metric({ filterLength: 32 }).compute({
      references: c!.references,
      estimates: c!.estimates,
      sampleRate: 8000,
    });
    expect(Object.keys(out).sort()).toEqual(['perm', 'sar', 'sdr', 'sir']);
    expect((out.sdr as number[]).length).toBe(2);
  });
});

describe('SpdSolver (the Gram solve)', () => {
  it('solves a positive definite system by Cholesky', () => {
    const rng = new Rng(41);
    const n = 70;
    const B = rng.fillNormal(new Float64Array(n * n));
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += B[k * n + i] * B[k * n + j];
        A[i * n + j] = s;
      }
    const x = rng.fillNormal(new Float64Array(n));
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * x[j];
    const S = new SpdSolver(A, n);
    expect(S.pivoted).toBe(false);
    const y = S.solve(b);
    for (let i = 0; i < n; i++) expect(y[i]).toBeCloseTo(x[i], 8);
  });

  it('falls back to a least-squares solution on a singular (rank-deficient) Gram matrix', () => {
    // A = BᵀB with B 5×12: rank 5; b in the range of A, so A x = b must hold for the solution
    const rng = new Rng(42);
    const m = 5,
      n = 12;
    const B = rng.fillNormal(new Float64Array(m * n));
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) A[i * n + j] += B[k * n + i] * B[k * n + j];
    const y0 = rng.fillNormal(new Float64Array(n));
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * y0[j];
    const S = new SpdSolver(A, n);
    expect(S.pivoted).toBe(true);
    expect(S.rank).toBe(m);
    const x = S.solve(b);
    let res = 0,
      nb = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
      res += (s - b[i]) ** 2;
      nb += b[i] ** 2;
    }
    expect(Math.sqrt(res / nb)).toBeLessThan(1e-8);
  });

  it('a pure-tone reference (delays span 2 dimensions) still gives finite, sensible scores', () => {
    const n = 3000;
    const tone = new Float64Array(n).map((_, t) => Math.sin((2 * Math.PI * 440 * t) / 8000));
    const rng = new Rng(43);
    const other = rng.fillNormal(new Float64Array(n));
    const est = tone.map((v, t) => 0.5 * v + 0.1 * other[t]);
    const r = bssEvalSources([tone, other], [est, other.map((v, t) => v + 0.01 * tone[t])], { filterLength: 64 });
    for (const v of [...r.sdr, ...r.sir, ...r.sar]) expect(Number.isFinite(v)).toBe(true);
    // the interference is 0.1·other against 0.5·tone: SIR ≈ 10 log10(0.25·‖tone‖²/(0.01·‖other‖²)) ≈ 11 dB
    expect(Math.abs(r.sir[0] - 10 * Math.log10((0.25 * 0.5) / 0.01))).toBeLessThan(1);
  });
});
