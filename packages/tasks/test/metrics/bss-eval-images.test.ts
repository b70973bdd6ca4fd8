import { describe, expect, it } from 'vitest';
import { Rng, type Metric } from '@nmflab/core';
import { bssEvalImages, taskPlugins, frames, nanMedian, prepareReferences } from '@nmflab/tasks';
import { loadBssFixtures } from '../evaluation/bss-fixtures.js';

const plugin = taskPlugins.find((p) => p.meta.id === 'bss-eval-images')!;
const metric = (params: Record<string, unknown> = {}): Metric =>
  plugin.create(
    { window: 0, hop: 0, permutation: false, filterLength: 512, ...params },
    { registry: undefined as never, path: 'metrics[1]' },
  ) as Metric;

const HUGE = 200;
const noise = (n: number, rng: Rng): Float64Array => rng.fillNormal(new Float64Array(n));

describe('bss-eval-images', () => {
  const { imageCases } = loadBssFixtures();
  for (const c of imageCases) {
    it(`one whole-signal frame matches mir_eval 0.7 bss_eval_images within 0.01 dB: ${c.name}`, () => {
      const r = bssEvalImages(c.references, c.estimates, { window: Infinity, hop: Infinity });
      expect(r.perm).toEqual(c.expected.perm);
      for (const key of ['sdr', 'isr', 'sir', 'sar'] as const) {
        c.expected[key].forEach((want, j) => {
          const got = r[key][j];
          if (want > HUGE) expect(got, `${key}[${j}]`).toBeGreaterThan(HUGE);
          else expect(Math.abs(got - want), `${key}[${j}]: ${got} vs ${want}`).toBeLessThan(0.01);
        });
      }
    });
  }

  it('est = 3·ref gives SDR = −6.02 dB (not scale-invariant), ISR the same, SIR/SAR huge', () => {
    const rng = new Rng(11);
    const s = noise(4000, rng);
    const out = metric({ window: 1000, filterLength: 32 }).compute({
      references: [s],
      estimates: [s.map((v) => 3 * v)],
      sampleRate: 8000,
    });
    expect((out.sdr as number[])[0]).toBeCloseTo(-20 * Math.log10(2), 3);
    expect((out.isr as number[])[0]).toBeCloseTo(-20 * Math.log10(2), 3);
    expect(out.frames).toBe(4);
  });

  it('frames follow museval Framing and silent frames are NaN, ignored by the median', () => {
    expect(frames(10, 4, 3)).toEqual([
      [0, 4],
      [3, 7],
      [6, 10],
    ]);
    expect(frames(10, 20, 5)).toEqual([[0, 10]]);
    const rng = new Rng(12);
    const n = 4000;
    const s1 = noise(n, rng),
      s2 = noise(n, rng),
      nz = noise(n, rng);
    s1.fill(0, 1000, 2000); // frame 1 of s1 silent
    const e1 = s1.map((v, t) => v + 0.1 * s2[t] + 0.05 * nz[t]);
    const e2 = s2.map((v, t) => v + 0.2 * s1[t]);
    const r = bssEvalImages([s1, s2], [e1, e2], { window: 1000, hop: 1000, filterLength: 32 });
    for (const key of ['sdr', 'isr', 'sir', 'sar'] as const) {
      for (let j = 0; j < 2; j++) {
        const f = r.frames[key][j];
        expect(f).toHaveLength(4);
        expect(Number.isNaN(f[1])).toBe(true);
        expect(f.filter((x) => !Number.isNaN(x))).toHaveLength(3);
        expect(r[key][j]).toBe(nanMedian(f));
      }
    }
  });

  it('per-frame values follow the local error with filters fixed on the whole signal', () => {
    const rng = new Rng(13);
    const n = 4000;
    const s1 = noise(n, rng),
      s2 = noise(n, rng),
      nz = noise(n, rng);
    // artifacts only in the second half: frames there have a much lower SDR
    const e1 = s1.map((v, t) => v + (t >= 2000 ? 0.5 * nz[t] : 0.01 * nz[t]));
    const prepared = prepareReferences([s1, s2], 32);
    const r = bssEvalImages([s1, s2], [e1, s2.slice()], { window: 1000, hop: 1000, filterLength: 32, prepared });
    const f = r.frames.sdr[0];
    expect(Math.min(f[0], f[1])).toBeGreaterThan(Math.max(f[2], f[3]) + 20);
    expect(Math.abs(f[3] - 10 * Math.log10(1 / 0.25))).toBeLessThan(1);
  });

  it('NaN median when every frame is silent for some source; silent whole signals are errors', () => {
    const rng = new Rng(14);
    const s1 = noise(2000, rng),
      s2 = noise(2000, rng);
    expect(() =>
      metric({ filterLength: 16 }).compute({ references: [s1, new Float64Array(2000)], estimates: [s1, s2] }),
    ).toThrow(/metrics\[1\]: .*reference 2 is silent/);
    expect(nanMedian([Number.NaN, 1, 3, Number.NaN, 2])).toBe(2);
    expect(Number.isNaN(nanMedian([Number.NaN]))).toBe(true);
  });
});
