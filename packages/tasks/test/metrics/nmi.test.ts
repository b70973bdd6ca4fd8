import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NmflabError } from '@nmflab/core';
import { normalizedMutualInformation, type NmiAverage } from '@nmflab/tasks';
import { buildRegistry } from '../../../../test/support/registry.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/nmi/sklearn-nmi.json', import.meta.url), 'utf8')) as {
  cases: ({ name: string; truth: number[]; predicted: number[] } & Record<NmiAverage, number>)[];
};
const registry = await buildRegistry();

describe('normalized mutual information', () => {
  it('hand-computed case: I = (2/3) ln 2, H_A = ln 2, H_B = ln 3', () => {
    const a = [0, 0, 0, 1, 1, 1],
      b = [0, 0, 1, 1, 2, 2];
    const I = (2 / 3) * Math.log(2),
      ha = Math.log(2),
      hb = Math.log(3);
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(I / Math.sqrt(ha * hb), 14);
    expect(normalizedMutualInformation(a, b, 'arithmetic')).toBeCloseTo(I / ((ha + hb) / 2), 14);
    expect(normalizedMutualInformation(a, b, 'min')).toBeCloseTo(I / ha, 14);
    expect(normalizedMutualInformation(a, b, 'max')).toBeCloseTo(I / hb, 14);
  });

  it('matches scikit-learn 1.2.1 normalized_mutual_info_score for every average_method (fixture)', () => {
    for (const c of fx.cases) {
      for (const m of ['geometric', 'arithmetic', 'min', 'max'] as const) {
        expect(Math.abs(normalizedMutualInformation(c.truth, c.predicted, m) - c[m]), `${c.name}, ${m}`).toBeLessThan(
          1e-12,
        );
      }
    }
  });

  it('is symmetric, invariant to renaming labels, 1 for equal partitions, in [0, 1]', () => {
    for (const c of fx.cases) {
      const v = normalizedMutualInformation(c.truth, c.predicted);
      expect(normalizedMutualInformation(c.predicted, c.truth)).toBeCloseTo(v, 14);
      expect(
        normalizedMutualInformation(
          c.truth,
          c.predicted.map((x) => 7 - 3 * x),
        ),
      ).toBeCloseTo(v, 14);
      expect(normalizedMutualInformation(c.truth, c.truth)).toBeCloseTo(1, 14);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('metric plugin: the task’s extra.labels against the source’s extra.labels; clear errors when missing', () => {
    const m = registry.create('metric', 'nmi', { path: 'metrics[0]' });
    const c = fx.cases[0];
    expect(m.compute({ labels: c.predicted, data: { extra: { labels: c.truth } } }).nmi).toBeCloseTo(c.geometric, 14);
    expect(() => m.compute({ data: { extra: { labels: c.truth } } })).toThrow(NmflabError);
    expect(() => m.compute({ labels: c.predicted })).toThrow(/metrics\[0\]\.params: nmi needs the true labels/);
    expect(() => m.compute({ labels: [0, 1], data: { extra: { labels: c.truth } } })).toThrow(
      /one predicted label per item/,
    );
  });
});
