import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { type Matrix, NmflabError, Rng, readMatrix } from '@nmflab/core';
import corpusFile from '../../src/sources/corpus-file.js';

const make = (path: string) => corpusFile.create({ path }, { registry: undefined as never, path: 'data.params' });

describe('source corpus-file', () => {
  it('gives V = terms × documents (the transpose of the stored counts) with labels and vocabulary', () => {
    const d = make('data/text/fortunes.json').load(new Rng(1)) as {
      matrix: Matrix;
      extra: { labels: number[]; vocabulary: string[]; categories: string[] };
    };
    const counts = readMatrix('data/text/fortunes-counts.npy');
    const desc = JSON.parse(readFileSync('data/text/fortunes.json', 'utf8'));
    expect(d.matrix.shape).toEqual([counts.cols, counts.rows]);
    expect(d.matrix.get(3, 7)).toBe(counts.get(7, 3));
    expect(d.extra.labels).toEqual(desc.labels);
    expect(d.extra.vocabulary[0]).toBe(desc.vocabulary[0]);
    expect(d.extra.categories).toEqual(['computers', 'food', 'science', 'sports']);
  });
  it('names the parameter when the file is missing', () => {
    expect(() => make('data/text/nope.json').load(new Rng(1))).toThrow(NmflabError);
    try {
      make('data/text/nope.json').load(new Rng(1));
    } catch (e) {
      expect((e as NmflabError).format()).toMatch(/data\.params\.path: corpus description not found/);
    }
  });
});
