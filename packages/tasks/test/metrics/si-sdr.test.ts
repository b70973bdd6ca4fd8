import { describe, expect, it } from 'vitest';
import { Rng, type Metric } from '@nmflab/core';
import { BSS_DB_CAP, bssEvalSources, taskPlugins, siSdr } from '@nmflab/tasks';

const plugin = taskPlugins.find((p) => p.meta.id === 'si-sdr')!;
const metric = (params: Record<string, unknown> = {}): Metric =>
  plugin.create(
    { zeroMean: false, order: 'bss-eval', ...params },
    { registry: undefined as never, path: 'metrics[2]' },
  ) as Metric;
const noise = (n: number, rng: Rng): Float64Array => rng.fillNormal(new Float64Array(n));

describe('si-sdr', () => {
  it('is invariant to the estimate’s scale and sign', () => {
    const rng = new Rng(21);
    const s = noise(2000, rng),
      e = noise(2000, rng);
    const est = s.map((v, t) => v + 0.3 * e[t]);
    const a = siSdr(s, est);
    expect(
      siSdr(
        s,
        est.map((v) => 5 * v),
      ),
    ).toBeCloseTo(a, 9);
    expect(
      siSdr(
        s,
        est.map((v) => -0.01 * v),
      ),
    ).toBeCloseTo(a, 9);
  });

  it('equals 10 log10(‖αs‖²/‖αs − ŝ‖²) for an orthogonal error', () => {
    const rng = new Rng(22);
    const s = noise(4000, rng),
      e = noise(4000, rng);
    let d = 0,
      q = 0;
    for (let t = 0; t < s.length; t++) {
      d += s[t] * e[t];
      q += s[t] * s[t];
    }
    const eo = e.map((v, t) => v - (d / q) * s[t]);
    let es = 0,
      ee = 0;
    for (let t = 0; t < s.length; t++) {
      es += s[t] ** 2;
      ee += eo[t] ** 2;
    }
    // ŝ = 2s + e⊥: α = 2, SI-SDR = 10 log10(4‖s‖²/‖e⊥‖²)
    expect(
      siSdr(
        s,
        s.map((v, t) => 2 * v + eo[t]),
      ),
    ).toBeCloseTo(10 * Math.log10((4 * es) / ee), 9);
  });

  it('a perfect estimate is capped, not Infinity; with the matching in order the plugin scores estimate j against reference j', () => {
    const rng = new Rng(23);
    const s1 = noise(500, rng),
      s2 = noise(500, rng);
    expect(siSdr(s1, s1)).toBe(BSS_DB_CAP);
    const out = metric().compute({ references: [s1, s2], estimates: [s1, s2.map((v, t) => v + s1[t])] });
    const v = out.sisdr as number[];
    expect(v[0]).toBe(BSS_DB_CAP);
    expect(v[1]).toBeCloseTo(
      siSdr(
        s2,
        s2.map((x, t) => x + s1[t]),
      ),
      12,
    );
  });

  it('scores the pairs BSS Eval matches: swapped estimates give the same SI-SDR, and bss-eval-sources’ perm is used when it ran first', () => {
    const rng = new Rng(25);
    const s1 = noise(3000, rng),
      s2 = noise(3000, rng),
      n1 = noise(3000, rng),
      n2 = noise(3000, rng);
    const e1 = s1.map((v, t) => v + 0.2 * n1[t] + 0.1 * s2[t]);
    const e2 = s2.map((v, t) => v + 0.3 * n2[t]);
    const matched = metric().compute({ references: [s1, s2], estimates: [e1, e2] }).sisdr as number[];
    const swapped = metric().compute({ references: [s1, s2], estimates: [e2, e1] }).sisdr as number[];
    expect(swapped).toEqual(matched);
    expect(matched[0]).toBeCloseTo(siSdr(s1, e1), 12);
    expect(matched[1]).toBeCloseTo(siSdr(s2, e2), 12);
    expect(matched[0]).toBeGreaterThan(10);
    // the same matching as BSS Eval's
    expect(bssEvalSources([s1, s2], [e2, e1]).perm).toEqual([1, 0]);
    // order: given scores them as returned (the swapped run is then strongly negative)
    const given = metric({ order: 'given' }).compute({ references: [s1, s2], estimates: [e2, e1] }).sisdr as number[];
    expect(given[0]).toBeLessThan(0);
    expect(given[1]).toBeLessThan(0);
    // an earlier bss-eval-sources result's perm is taken as it is
    const forced = metric().compute({ references: [s1, s2], estimates: [e1, e2], results: { perm: [1, 0] } })
      .sisdr as number[];
    expect(forced).toEqual(given.slice().map((_, j) => siSdr([s1, s2][j], [e1, e2][[1, 0][j]])));
  });

  it('zeroMean removes the offsets first; silent inputs are errors', () => {
    const rng = new Rng(24);
    const s = noise(500, rng);
    const out = metric({ zeroMean: true }).compute({
      references: [s.map((v) => v + 3)],
      estimates: [s.map((v) => 2 * v - 1)],
    });
    expect((out.sisdr as number[])[0]).toBeGreaterThan(200);
    expect(() =>
      metric({ zeroMean: true }).compute({
        references: [new Float64Array(10).fill(2)],
        estimates: [s.subarray(0, 10)],
      }),
    ).toThrow(/reference 1 is constant/);
    expect(() => metric().compute({ references: [new Float64Array(10)], estimates: [s.subarray(0, 10)] })).toThrow(
      /metrics\[2\]: .*reference 1 is silent/,
    );
  });
});
