import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { deriveSeed, expandSweep, parseSweep, prepareExperiment, sweepValues } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const good = fileURLToPath(new URL('../fixtures/configs/good', import.meta.url));
const at = { path: 'x' };

describe('sweep values', () => {
  it('lists are taken as written', () => {
    expect(sweepValues([1, 'a', { id: 'kl' }], at)).toEqual([1, 'a', { id: 'kl' }]);
  });

  it('range(from, to, step) includes `to` when it falls on the grid; {from, to, step} is the same', () => {
    expect(sweepValues('range(1, 10, 2)', at)).toEqual([1, 3, 5, 7, 9]);
    expect(sweepValues('range(2, 10, 2)', at)).toEqual([2, 4, 6, 8, 10]);
    expect(sweepValues('range(0, 1, 0.1)', at)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(sweepValues('range(3, 1, -1)', at)).toEqual([3, 2, 1]);
    expect(sweepValues('range(1, 3)', at)).toEqual([1, 2, 3]);
    expect(sweepValues({ from: 0, to: 2, step: 0.5 }, at)).toEqual(sweepValues('range(0, 2, 0.5)', at));
  });

  it('logspace(from, to, num) spaces the values geometrically, ends exact', () => {
    expect(sweepValues('logspace(1e-3, 1, 4)', at)).toEqual([0.001, 0.01, 0.1, 1]);
    const v = sweepValues({ from: 1, to: 1000, num: 7, log: true }, at) as number[];
    expect(v[0]).toBe(1);
    expect(v[6]).toBe(1000);
    for (let i = 1; i < v.length; i++) expect(v[i] / v[i - 1]).toBeCloseTo(Math.sqrt(10), 9);
  });

  it('rejects what is not a sweep, with the path', () => {
    expect(() => sweepValues(3, at)).toThrow(/^x: not a sweep/);
    expect(() => sweepValues([], at)).toThrow(/empty sweep list/);
    expect(() => sweepValues('range(0, 1, 0)', at)).toThrow(/bad range step/);
    expect(() => sweepValues('logspace(-1, 1, 3)', at)).toThrow(/bad logspace bounds/);
    expect(() => sweepValues('logspace(1, 10, 2.5)', at)).toThrow(/bad logspace count/);
    expect(() => sweepValues({ from: 1, to: 2, stp: 1 }, at)).toThrow(/^x\.stp: unknown key/);
  });
});

describe('sweep expansion', () => {
  it('is the Cartesian product (last axis fastest) times seeds, with derived seeds', () => {
    const plan = parseSweep({ a: [1, 2], b: 'range(0, 1, 0.5)', seeds: 2 }, []);
    const runs = expandSweep({ seed: 5, a: 0, nested: { keep: true } }, plan);
    expect(runs).toHaveLength(2 * 3 * 2);
    expect(runs.map((r) => r.name).slice(0, 3)).toEqual(['0000', '0001', '0002']);
    expect(runs.map((r) => [r.raw.a, r.raw.b, r.raw.seed])).toEqual(
      [1, 2].flatMap((a) => [0, 0.5, 1].flatMap((b) => [0, 1].map((s) => [a, b, deriveSeed(5, `seed-${s}`)]))),
    );
    expect(runs[0].varied).toEqual({ a: 1, b: 0, seed: deriveSeed(5, 'seed-0') });
    for (const r of runs) expect(r.raw.sweep).toBeUndefined();
    // Seeds are shared across parameter values (paired comparisons) and differ across repetitions.
    expect(new Set(runs.map((r) => r.raw.seed)).size).toBe(2);
  });

  it('--sweep adds axes and replaces a same-path axis of the file', () => {
    const plan = parseSweep({ a: [1, 2] }, ['a=[7]', 'b=logspace(1, 100, 3)', 'seeds=3']);
    expect(plan).toEqual({
      axes: [
        { path: 'a', values: [7] },
        { path: 'b', values: [1, 10, 100] },
      ],
      seeds: 3,
    });
  });

  it('without a sweep there is one run with the root seed', () => {
    const runs = expandSweep({ seed: 9 }, parseSweep(undefined, []));
    expect(runs).toHaveLength(1);
    expect(runs[0].raw.seed).toBe(9);
    expect(runs[0].varied).toEqual({});
  });

  it('a sweep file: lists × logspace × range × seeds, every run validated', async () => {
    const p = await prepareExperiment(`${good}/sweep.yaml`, {}, (f) => buildRegistry(f));
    expect(p.runs).toHaveLength(2 * 4 * 3 * 2);
    expect(new Set(p.runs.map((r) => r.config.model.solver.params.eps))).toEqual(new Set([1e-12, 1e-11, 1e-10, 1e-9]));
    expect(new Set(p.runs.map((r) => r.config.data.params.cols))).toEqual(new Set([10, 12, 14]));
    expect(new Set(p.runs.map((r) => r.config.model.rank))).toEqual(new Set([2, 3]));
  });
});
