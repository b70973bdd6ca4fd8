import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix, Rng, readMatrix, writeMatrix, parseCsvMatrix, parseNpyMatrix, writeFileAtomic } from '@nmflab/core';
import { tempDirs } from '../../../test/support/temp-dir.js';

const { dir } = tempDirs('nmflab-io-');

describe('matrix files', () => {
  const m = new Matrix(3, 4);
  new Rng(1).fillNormal(m.data);
  it.each(['a.npy', 'a.csv'])('round-trips %s bit for bit', (name) => {
    writeMatrix(join(dir, name), m);
    expect(readMatrix(join(dir, name)).data).toEqual(m.data);
  });
  it('reads Fortran-order and float32 .npy', () => {
    const header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
    const pad = `${header.padEnd(128 - 10 - 1, ' ')}\n`;
    const buf = new Uint8Array(128 + 6 * 4);
    buf.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, pad.length, 0]);
    for (let i = 0; i < pad.length; i++) buf[10 + i] = pad.charCodeAt(i);
    new Float32Array(buf.buffer, 128, 6).set([1, 4, 2, 5, 3, 6]); // column-major of [[1,2,3],[4,5,6]]
    expect(parseNpyMatrix(buf).toRows()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });
  it('names the file and the place of bad input', () => {
    expect(() => parseCsvMatrix('1,2\n3,x\n', 'V.csv')).toThrow(
      'V.csv: row 2, column 2: not a number (expected a finite number, found "x")',
    );
    expect(() => parseCsvMatrix('1,2\n3\n', 'V.csv')).toThrow(
      'V.csv: row 2: ragged matrix (expected 2 values, found 1)',
    );
    expect(() => parseNpyMatrix(new Uint8Array([1, 2, 3]), 'V.npy')).toThrow(/V\.npy: not a \.npy file/);
    writeFileSync(join(dir, 'short.npy'), new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0]));
    expect(() => readMatrix(join(dir, 'short.npy'))).toThrow(/truncated \.npy header/);
    expect(() => readMatrix(join(dir, 'nope.csv'))).toThrow(/file not found/);
    expect(() => readMatrix(join(dir, 'short.mat'))).toThrow(/file not found|unsupported/);
  });
  it('writes atomically (no temporary file left behind)', () => {
    writeFileAtomic(join(dir, 'sub', 'x.txt'), 'hello');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.txt']);
  });
});
