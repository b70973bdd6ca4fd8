import { describe, expect, it } from 'vitest';
import { create, all } from 'mathjs';
import { Matrix, Rng, matmul, matmulNT, matmulTN, matmulNaive, rowSums, colSums, frobenius, lpSum, maxRelDiff } from '@nmflab/core';

const math = create(all);

function random(rows: number, cols: number, rng: Rng): Matrix {
  const m = new Matrix(rows, cols);
  rng.fillUniform(m.data, -1, 1);
  return m;
}

function oracle(A: Matrix, B: Matrix): number[][] {
  return math.multiply(math.matrix(A.toRows()), math.matrix(B.toRows())).toArray() as number[][];
}

// Odd sizes exercise the edge tiles; sizes above the block sizes (KC=256, MC=96) the blocking.
const shapes: [number, number, number][] = [
  [1, 1, 1], [3, 5, 2], [4, 4, 4], [7, 9, 13], [17, 3, 30], [101, 37, 300], [130, 5, 9],
];

describe('matrix products against mathjs', () => {
  const rng = new Rng(42);
  for (const [m, k, n] of shapes) {
    it(`AB, AᵀB, ABᵀ for ${m}×${k}·${k}×${n}`, () => {
      const A = random(m, k, rng);
      const B = random(k, n, rng);
      const ref = oracle(A, B).flat();
      expect(maxRelDiff(matmul(A, B).data, ref)).toBeLessThan(1e-12);
      expect(maxRelDiff(matmulNaive(A, B).data, ref)).toBeLessThan(1e-12);
      expect(maxRelDiff(matmulTN(A.transpose(), B).data, ref)).toBeLessThan(1e-12);
      expect(maxRelDiff(matmulNT(A, B.transpose()).data, ref)).toBeLessThan(1e-12);
    });
  }

  it('reuses an output buffer and rejects wrong shapes', () => {
    const A = random(5, 4, rng);
    const B = random(4, 6, rng);
    const out = new Matrix(5, 6);
    expect(matmul(A, B, out)).toBe(out);
    expect(() => matmul(A, A)).toThrow(/shape mismatch/);
    expect(() => matmul(A, B, new Matrix(6, 5))).toThrow(/shape mismatch/);
  });
});

describe('reductions against mathjs', () => {
  const rng = new Rng(7);
  const A = random(13, 9, rng);
  const rows = A.toRows();
  it('row and column sums', () => {
    const rs = math.sum(math.matrix(rows), 1) as unknown as { toArray(): number[] };
    const cs = math.sum(math.matrix(rows), 0) as unknown as { toArray(): number[] };
    expect(maxRelDiff(rowSums(A), rs.toArray())).toBeLessThan(1e-13);
    expect(maxRelDiff(colSums(A), cs.toArray())).toBeLessThan(1e-13);
  });
  it('Frobenius and Lp norms', () => {
    expect(frobenius(A)).toBeCloseTo(math.norm(math.matrix(rows), 'fro') as number, 12);
    const flat = rows.flat();
    expect(lpSum(A, 1)).toBeCloseTo(flat.reduce((s, v) => s + Math.abs(v), 0), 12);
    expect(lpSum(A, 0.5)).toBeCloseTo(flat.reduce((s, v) => s + Math.sqrt(Math.abs(v)), 0), 12);
  });
});

describe('Matrix', () => {
  it('checks its shape', () => {
    expect(() => new Matrix(2, 3, new Float64Array(5))).toThrow(/needs 6 values/);
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(/row 1/);
  });
  it('transposes and round-trips rows', () => {
    const A = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(A.transpose().toRows()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(A.col(1)).toEqual(new Float64Array([2, 5]));
  });
});
