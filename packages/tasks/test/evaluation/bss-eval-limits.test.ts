import { describe, expect, it } from 'vitest';
import { Rng } from '@nmflab/core';
import { bssEvalImages, bssEvalSources } from '@nmflab/tasks';

/** Limits where BSS Eval's cost explodes are refused before any work (mir_eval refuses > 100 sources up front). */
function signals(n: number, length: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length }, () => rng.normal()));
}

describe('BSS Eval up-front limits', () => {
  it('9 sources with the permutation search are refused at once, naming the count and the way out', () => {
    const refs = signals(9, 2048, 1),
      ests = signals(9, 2048, 2);
    const t0 = performance.now();
    expect(() => bssEvalSources(refs, ests, { what: 'bss-eval-sources', path: 'metrics[0]' })).toThrow(
      /^metrics\[0\]: bss-eval-sources: too many sources for the permutation search \(expected at most 8 sources with permutation \(9! = 3\.63e\+5 orderings to score\), or permutation: false, found 9\)$/,
    );
    expect(() => bssEvalImages(refs, ests, { permutation: true })).toThrow(
      /too many sources for the permutation search/,
    );
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('more than 100 sources are refused whatever the permutation setting, before any allocation', () => {
    const refs = signals(101, 16, 3);
    expect(() => bssEvalSources(refs, refs, { permutation: false })).toThrow(
      /too many sources \(expected at most 100 sources \(as mir_eval\), found 101\)/,
    );
    expect(() => bssEvalImages(refs, refs, { permutation: false })).toThrow(/too many sources/);
  });
});
