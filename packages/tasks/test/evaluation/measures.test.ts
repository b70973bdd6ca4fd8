import { describe, expect, it } from 'vitest';
import { Matrix } from '@nmflab/core';
import { hoyerSparseness, meanHoyerSparseness, pearson } from '../../src/evaluation/measures.js';

describe('hoyerSparseness', () => {
  it('is 1 for one non-zero entry, 0 for equal magnitudes, and reads strided columns', () => {
    expect(hoyerSparseness([0, 0, 5, 0])).toBe(1);
    expect(hoyerSparseness([2, -2, 2, 2])).toBeCloseTo(0, 15);
    // (√n − ‖x‖₁/‖x‖₂)/(√n − 1) for x = (3, 4): (√2 − 7/5)/(√2 − 1)
    expect(hoyerSparseness([3, 4])).toBeCloseTo((Math.SQRT2 - 1.4) / (Math.SQRT2 - 1), 15);
    const M = Matrix.fromRows([
      [3, 9],
      [9, 0],
      [4, 9],
    ]); // column 1 = (9, 0, 9)
    const col1 = (Math.sqrt(3) - 18 / Math.sqrt(162)) / (Math.sqrt(3) - 1);
    expect(hoyerSparseness(M.data, 1, 2, 3)).toBeCloseTo(col1, 15);
  });

  it('counts a vector with at most one non-zero entry as 1 (all zero, or a single entry)', () => {
    expect(hoyerSparseness([0, 0, 0])).toBe(1);
    expect(hoyerSparseness([7])).toBe(1);
    expect(hoyerSparseness([0])).toBe(1);
  });

  it('averages over rows or columns', () => {
    const M = Matrix.fromRows([
      [0, 4],
      [2, 2],
    ]);
    expect(meanHoyerSparseness(M, 'rows')).toBeCloseTo((1 + 0) / 2, 15);
    expect(meanHoyerSparseness(M, 'cols')).toBeCloseTo((1 + hoyerSparseness([4, 2])) / 2, 15);
  });
});

describe('pearson', () => {
  it('is ±1 for affine relations, 0 for a constant vector', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});
