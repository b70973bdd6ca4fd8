import { describe, expect, it } from 'vitest';
import { Matrix, NmflabError, Rng } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

const registry = await buildRegistry();
const metric = registry.create('metric', 'hoyer-sparseness');

describe('hoyer-sparseness metric', () => {
  it('is 1 for a one-hot vector, 0 for a constant one, scale-invariant and in [0, 1]', () => {
    // W 3×2: column 0 one-hot, column 1 constant; H 2×4.
    const W = new Matrix(3, 2, Float64Array.from([5, 1, 0, 1, 0, 1]));
    const H = new Matrix(2, 4, Float64Array.from([1, 2, 3, 4, 0, 0, 7, 0]));
    const m = metric.compute({ W, H });
    expect(m.W).toEqual([1, 0]);
    expect((m.H as number[])[1]).toBeCloseTo(1, 15);
    const x = [1, 2, 3, 4];
    const expected = (2 - 10 / Math.sqrt(30)) / (2 - 1);
    expect((m.H as number[])[0]).toBeCloseTo(expected, 15);
    expect(m.H_mean).toBeCloseTo((expected + 1) / 2, 15);
    expect(m.W_mean).toBeCloseTo(0.5, 15);
    const rng = new Rng(3);
    const R = new Matrix(5, 3);
    rng.fillUniform(R.data);
    const R7 = new Matrix(
      5,
      3,
      R.data.map((v) => 7 * v),
    );
    const a = metric.compute({ W: R }).W as number[],
      b = metric.compute({ W: R7 }).W as number[];
    a.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(b[i]).toBeCloseTo(v, 14);
    });
    void x;
  });

  it('says clearly when there is nothing to measure', () => {
    expect(() => metric.compute({})).toThrow(NmflabError);
    expect(() => metric.compute({ W: new Matrix(1, 3) })).toThrow(/length ≥ 2/);
  });
});
