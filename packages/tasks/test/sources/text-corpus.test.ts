import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Matrix, NmflabError, Rng } from '@nmflab/core';
import textCorpus from '../../src/sources/text-corpus.js';

const MANIFEST = 'data/corpus/debian/manifest.json';
const ctx = { registry: undefined as never, path: 'data.params' };
const make = (p: { manifest: string; split?: 'train' | 'test'; limit?: number }) =>
  textCorpus.create({ split: 'test', limit: 0, ...p }, ctx);
type Loaded = {
  matrix: Matrix;
  extra: {
    labels: number[];
    vocabulary: string[];
    categories: string[];
    documents: string[];
    train?: { matrix: Matrix; labels: number[]; documents: string[] };
  };
};

describe('source text-corpus on data/corpus/debian', () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  const corpus = JSON.parse(readFileSync('data/corpus/debian/corpus.json', 'utf8'));

  it('matches its manifest: sha256, per-section counts, train/test disjoint by package', () => {
    const bytes = readFileSync('data/corpus/debian/corpus.json');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.files[0].sha256);
    for (const split of ['train', 'test'] as const) {
      const counts = manifest.split[split] as Record<string, number>;
      corpus.categories.forEach((c: string, i: number) =>
        expect(corpus[split].labels.filter((l: number) => l === i).length).toBe(counts[c]),
      );
    }
    const train = new Set(corpus.train.packages);
    expect(corpus.test.packages.filter((p: string) => train.has(p))).toEqual([]);
    expect(manifest.documents).toBe(corpus.train.labels.length + corpus.test.labels.length);
    expect(manifest.documents).toBeGreaterThanOrEqual(2000);
  });

  it('gives V = terms × documents whose columns are the documents’ token histograms, and the train split beside the test one', () => {
    const d = make({ manifest: MANIFEST }).load(new Rng(1)) as Loaded;
    const F = corpus.vocabulary.length;
    expect(d.matrix.shape).toEqual([F, corpus.test.documents.length]);
    expect(d.extra.labels).toEqual(corpus.test.labels);
    expect(d.extra.train!.matrix.shape).toEqual([F, corpus.train.documents.length]);
    const N = d.matrix.cols;
    for (const n of [0, 17, N - 1]) {
      const doc: number[] = corpus.test.documents[n];
      let total = 0;
      for (let f = 0; f < F; f++) total += d.matrix.data[f * N + n];
      expect(total).toBe(doc.length);
      expect(d.matrix.data[doc[0] * N + n]).toBe(doc.filter((f) => f === doc[0]).length);
    }
    const t = make({ manifest: MANIFEST, split: 'train', limit: 50 }).load(new Rng(1)) as Loaded;
    expect(t.matrix.cols).toBe(50);
    expect(t.extra.train).toBeUndefined();
    expect(t.extra.documents[1]).toBe(corpus.train.packages[Math.floor(corpus.train.packages.length / 50)]);
    expect(new Set(t.extra.labels).size).toBe(corpus.categories.length);
  });

  it('rejects a missing manifest or an edited corpus at validation, naming the parameter or file', () => {
    const run = (manifestPath: string) => {
      try {
        textCorpus.check!({ manifest: manifestPath, split: 'test', limit: 0 }, ctx);
      } catch (e) {
        expect(e).toBeInstanceOf(NmflabError);
        return (e as NmflabError).format();
      }
      return 'no error';
    };
    // at validation the runner adds the plugin's path; at load the source names it itself
    expect(run('data/corpus/debian/nope.json')).toMatch(
      /^data\/corpus\/debian\/nope\.json: manifest: corpus manifest not found/,
    );
    expect(() => make({ manifest: 'data/corpus/debian/nope.json' }).load(new Rng(1))).toThrow(
      /corpus manifest not found/,
    );
    try {
      make({ manifest: 'data/corpus/debian/nope.json' }).load(new Rng(1));
    } catch (e) {
      expect((e as NmflabError).format()).toMatch(/data\.params\.manifest: corpus manifest not found/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-text-corpus-'));
    try {
      const edited = { ...corpus, test: { ...corpus.test, labels: corpus.test.labels.map(() => 99) } };
      const text = JSON.stringify(edited);
      writeFileSync(join(dir, 'corpus.json'), text);
      const sha = createHash('sha256').update(text).digest('hex');
      writeFileSync(
        join(dir, 'manifest.json'),
        JSON.stringify({ ...manifest, files: [{ path: 'corpus.json', sha256: sha }] }),
      );
      expect(run(join(dir, 'manifest.json'))).toMatch(/test\.labels\[0\].*label out of range/);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      expect(run(join(dir, 'manifest.json'))).toMatch(/corpus file differs from its manifest/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
