import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix, Rng, createContainer, Registry, matrixToNpy } from '@nmflab/core';
import { tasksModule } from '@nmflab/tasks';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const registry = Registry.fromContainer(createContainer([tasksModule]));
const { dir } = tempDirs('nmflab-matrix-file-');

describe('source matrix-file', () => {
  const M = Matrix.fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('reads .npy and .csv to the same matrix, and transposes on request', async () => {
    writeFileSync(join(dir, 'm.npy'), matrixToNpy(M));
    writeFileSync(join(dir, 'm.csv'), '1,2,3\n4,5,6\n');
    const a = await registry
      .create('source', { id: 'matrix-file', params: { path: join(dir, 'm.npy') } })
      .load(new Rng(0));
    const b = await registry
      .create('source', { id: 'matrix-file', params: { path: join(dir, 'm.csv') } })
      .load(new Rng(0));
    expect(Array.from(a.matrix!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(b.matrix!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const t = await registry
      .create('source', { id: 'matrix-file', params: { path: join(dir, 'm.csv'), transpose: true } })
      .load(new Rng(0));
    expect([t.matrix!.rows, t.matrix!.cols]).toEqual([3, 2]);
    expect(Array.from(t.matrix!.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('the path is required', () => {
    const { errors } = registry.validate('source', 'matrix-file', { path: 'data' });
    expect(errors.map((e) => e.format())).toEqual([
      'data.params.path: missing required parameter (expected a value, found nothing)',
    ]);
  });

  it('a missing file or a non-finite entry is an error naming the file, found at validation', async () => {
    // Before anything is created: validate() reads the file through the plugin's check.
    const missing = registry.validate(
      'source',
      { id: 'matrix-file', params: { path: join(dir, 'none.csv') } },
      { file: 'exp.yaml', path: 'data' },
    );
    expect(missing.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^exp\.yaml: data\.params\.path: .*none\.csv: file not found/),
    ]);
    const nan = new Matrix(1, 2, new Float64Array([1, NaN]));
    writeFileSync(join(dir, 'nan.npy'), matrixToNpy(nan));
    expect(() => registry.create('source', { id: 'matrix-file', params: { path: join(dir, 'nan.npy') } })).toThrow(
      /nan\.npy: entry \[0, 1\]: not a finite number \(expected finite values, found NaN\)/,
    );
  });
});
