import { describe, expect, it } from 'vitest';
import { type Matrix, Rng, createContainer, Registry, matmul } from '@nmflab/core';
import { tasksModule } from '@nmflab/tasks';

const registry = Registry.fromContainer(createContainer([tasksModule]));
const make = (params: Record<string, unknown>) => registry.create('source', { id: 'synthetic-lowrank', params });

describe('source synthetic-lowrank', () => {
  it('without noise V is exactly the product of the non-negative true factors it keeps', async () => {
    const d = await make({ rows: 6, cols: 9, rank: 2 }).load(new Rng(3));
    const V = d.matrix!;
    const W = d.extra!.trueW as Matrix;
    const H = d.extra!.trueH as Matrix;
    expect([V.rows, V.cols, W.cols, H.rows]).toEqual([6, 9, 2, 2]);
    expect(Array.from(matmul(W, H).data)).toEqual(Array.from(V.data));
    for (const x of [...W.data, ...H.data]) expect(x).toBeGreaterThanOrEqual(0);
  });

  it('same seed → identical data; another seed → other data', async () => {
    const a = await make({ rows: 5, cols: 7, rank: 3, noise: 0.1 }).load(new Rng(1));
    const b = await make({ rows: 5, cols: 7, rank: 3, noise: 0.1 }).load(new Rng(1));
    const c = await make({ rows: 5, cols: 7, rank: 3, noise: 0.1 }).load(new Rng(2));
    expect(Array.from(a.matrix!.data)).toEqual(Array.from(b.matrix!.data));
    expect(Array.from(a.matrix!.data)).not.toEqual(Array.from(c.matrix!.data));
  });

  it('noise stays non-negative and is relative to the mean; floor shifts every entry', async () => {
    const d = await make({ rows: 30, cols: 40, rank: 3, noise: 0.5, floor: 0.25 }).load(new Rng(4));
    const clean = d.extra!.clean as Matrix;
    let diff = 0;
    for (let i = 0; i < clean.data.length; i++) {
      expect(d.matrix!.data[i]).toBeGreaterThanOrEqual(0.25);
      diff += Math.abs(d.matrix!.data[i] - 0.25 - clean.data[i]);
    }
    expect(diff).toBeGreaterThan(0);
  });

  it('rejects bad sizes with the parameter path', () => {
    expect(() => make({ rows: 0 })).toThrow(/params\.rows: out of range \(expected a number ≥ 1, found 0\)/);
  });
});
