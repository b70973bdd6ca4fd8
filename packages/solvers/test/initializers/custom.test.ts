import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix, writeMatrix } from '@nmflab/core';
import plugin from '../../src/initializers/custom.js';
import { data, run } from '../support/initializers.js';

const ctx = { path: 'model.initializer.params' } as never;

describe('initializer custom', () => {
  it('returns the given matrices, from rows or from .csv/.npy files', () => {
    const V = data(3, 4);
    const W0 = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const H0 = [
      [1, 0, 1, 0],
      [0, 1, 0, 1],
    ];
    const r = run(plugin.create({ W0, H0 }, ctx), V, 2);
    expect(r.W.toRows()).toEqual(W0);
    expect(r.H.toRows()).toEqual(H0);
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-custom-'));
    try {
      writeMatrix(join(dir, 'W0.csv'), Matrix.fromRows(W0));
      writeMatrix(join(dir, 'H0.npy'), Matrix.fromRows(H0));
      const f = run(plugin.create({ W0: join(dir, 'W0.csv'), H0: join(dir, 'H0.npy') }, ctx), V, 2);
      expect(f.W.toRows()).toEqual(W0);
      expect(f.H.toRows()).toEqual(H0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('wrong shapes and negative entries are errors naming the parameter', () => {
    const V = data(3, 4);
    expect(() =>
      run(
        plugin.create(
          {
            W0: [[1, 2]],
            H0: [
              [1, 1, 1, 1],
              [1, 1, 1, 1],
            ],
          },
          ctx,
        ),
        V,
        2,
      ),
    ).toThrow(/model\.initializer\.params\.W0: W0 has the wrong shape \(expected 3×2, found 1×2\)/);
    expect(() =>
      run(
        plugin.create(
          {
            W0: [
              [1, 2],
              [1, 2],
              [1, 2],
            ],
            H0: [
              [1, 1, 1, -1],
              [1, 1, 1, 1],
            ],
          },
          ctx,
        ),
        V,
        2,
      ),
    ).toThrow(/H0\[0\]\[3\]/);
  });
});
