import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aggregateRuns,
  formatInterval,
  parseSweep,
  studentTCdf,
  studentTQuantile,
  sweepValues,
  tInterval,
  type RunRecord,
} from '@nmflab/core';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const tmp = tempDirs('nmflab-aggregate-');

describe('Student t quantiles', () => {
  it('match the printed table of t_{0.975, ν} to 6 digits', () => {
    // Standard two-sided 95 % critical values (any statistics table).
    const table: [number, number][] = [
      [1, 12.706205],
      [2, 4.302653],
      [3, 3.182446],
      [5, 2.570582],
      [10, 2.228139],
      [29, 2.04523],
      [98, 1.984467],
      [1000, 1.962339],
    ];
    for (const [nu, t] of table) expect(studentTQuantile(0.975, nu)).toBeCloseTo(t, 5);
  });

  it('the CDF is symmetric, inverts the quantile, and ν = 1 is the Cauchy law', () => {
    for (const nu of [1, 4, 17]) {
      for (const p of [0.6, 0.9, 0.995]) expect(studentTCdf(studentTQuantile(p, nu), nu)).toBeCloseTo(p, 10);
      expect(studentTCdf(-1.3, nu) + studentTCdf(1.3, nu)).toBeCloseTo(1, 12);
    }
    expect(studentTCdf(2, 1)).toBeCloseTo(0.5 + Math.atan(2) / Math.PI, 12);
  });
});

describe('tInterval: mean ± t_{0.975, n−1} s/√n', () => {
  it('agrees with a hand computation', () => {
    // x = 1, 2, 3, 4, 10: mean 4, Σ(x−4)² = 9+4+1+0+36 = 50, s² = 12.5, s/√n = √2.5
    const r = tInterval([1, 2, 3, 4, 10]);
    expect(r.n).toBe(5);
    expect(r.mean).toBe(4);
    expect(r.sd).toBeCloseTo(Math.sqrt(12.5), 14);
    expect(r.ci95!).toBeCloseTo(2.776445 * Math.sqrt(2.5), 5);
    expect(formatInterval(r)).toBe('4.00 ± 4.39 (n=5)');
  });

  it('a single value has no interval; identical values a zero one', () => {
    expect(tInterval([3])).toEqual({ n: 1, mean: 3, sd: 0 });
    expect(tInterval([2, 2, 2]).ci95).toBe(0);
  });
});

describe('aggregateRuns', () => {
  const rec = (
    varied: Record<string, unknown>,
    metrics: Record<string, number>,
    status: RunRecord['status'] = 'completed',
  ) =>
    ({
      run: '',
      index: 0,
      experiment: 'e',
      status,
      seed: 1,
      varied,
      metrics,
      provenance: {} as RunRecord['provenance'],
    }) as RunRecord;

  it('pools the item axis and the seeds, keeps the other axes as groups, skips failed runs and non-finite values', () => {
    const axes = [{ path: 'snr' }, { path: 'item', over: true }];
    const records = [
      rec({ snr: 0, item: 'a', seed: 1 }, { sdr: 1 }),
      rec({ snr: 0, item: 'a', seed: 2 }, { sdr: 3 }),
      rec({ snr: 0, item: 'b', seed: 1 }, { sdr: 5 }),
      rec({ snr: 0, item: 'b', seed: 2 }, { sdr: 7, extra: Number.NaN }),
      rec({ snr: 5, item: 'a', seed: 1 }, { sdr: 10 }),
      rec({ snr: 5, item: 'b', seed: 1 }, { sdr: 99 }, 'failed'),
      undefined,
    ];
    const rows = aggregateRuns(axes, records);
    expect(rows.map((r) => [r.group, r.metric, r.n, r.mean])).toEqual([
      [{ snr: 0 }, 'sdr', 4, 4],
      [{ snr: 5 }, 'sdr', 1, 10],
    ]);
    // 1, 3, 5, 7: s² = (9+1+1+9)/3, half-width t_{0.975,3} · s / 2
    expect(rows[0].ci95!).toBeCloseTo((3.182446 * Math.sqrt(20 / 3)) / 2, 5);
  });
});

describe('items(manifest, split[, limit]) sweeps', () => {
  const manifest = join(tmp.dir, 'corpus.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      items: [
        { id: 'a', split: 'test' },
        { id: 't1', split: 'train' },
        { id: 'b', split: 'test' },
        { id: 'c', split: 'test' },
      ],
    }),
  );

  it('lists the ids of one split in manifest order, the first `limit` of them, and marks the axis as pooled', () => {
    expect(sweepValues(`items(${manifest}, test)`, { path: 'x' })).toEqual(['a', 'b', 'c']);
    expect(sweepValues(`items("${manifest}", 'test', 2)`, { path: 'x' })).toEqual(['a', 'b']);
    const plan = parseSweep({ 'data.params.item': `items(${manifest}, train)`, 'data.params.snrDb': [0, 5] }, []);
    expect(plan.axes).toEqual([
      { path: 'data.params.item', values: ['t1'], over: true },
      { path: 'data.params.snrDb', values: [0, 5] },
    ]);
  });

  it('names the sweep path and what was wrong', () => {
    expect(() => sweepValues(`items(${manifest}, dev)`, { path: 'sweep.item' })).toThrow(
      /^sweep\.item: no items in that split.*expected one of test, train/s,
    );
    expect(() => sweepValues('items(nowhere.json, test)', { path: 'sweep.item' })).toThrow(/corpus manifest not found/);
    expect(() => sweepValues(`items(${manifest})`, { path: 'sweep.item' })).toThrow(/bad items arguments/);
    expect(() => sweepValues(`items(${manifest}, test, 0)`, { path: 'sweep.item' })).toThrow(/bad items limit/);
  });
});
