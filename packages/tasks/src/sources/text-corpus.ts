import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Matrix, NmflabError, definePlugin, describeValue } from '@nmflab/core';

interface Params {
  manifest: string;
  split: 'train' | 'test';
  limit: number;
}

interface Split {
  packages: string[];
  labels: number[];
  documents: number[][];
}

/** The validated corpus: categories, vocabulary and both splits. */
interface Corpus {
  categories: string[];
  vocabulary: string[];
  train: Split;
  test: Split;
}

/**
 * A labelled text corpus with train/test splits (`data/corpus/debian/manifest.json`, made by
 * `scripts/make-debian-corpus.mjs`): the manifest lists `corpus.json` with its sha256, which holds
 * the categories, the vocabulary and per split the labels and each document as its tokens'
 * vocabulary indices. V is the split's term × document count matrix (F terms, N documents: W's
 * columns are topics P(term|z), H's columns documents); `extra` holds labels, categories,
 * vocabulary and document names, and for split `test` also `train` (the training split's V and
 * labels), so a task can fit on train and fold the test documents in. `limit` keeps that many
 * documents of each split, evenly spaced (reduced runs), and the terms those training documents use.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'text-corpus',
    description: 'Term × document counts of one split of a labelled text corpus (manifest + corpus.json)',
    params: {
      manifest: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the corpus manifest JSON, relative to the working directory',
      },
      split: {
        type: 'string',
        enum: ['train', 'test'],
        default: 'test',
        description: 'the split whose documents V holds (test also carries the train split in extra.train)',
      },
      limit: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'keep this many documents of each split, evenly spaced (0 = all), and the terms of the kept training ones',
      },
    },
  },
  // Read at validation too: a missing or inconsistent corpus is reported before the results folder exists.
  check: (p) => {
    // the runner prefixes errors raised here with the plugin's path
    readCorpus(p.manifest, 'manifest');
  },
  create: (p, ctx) => ({
    id: 'text-corpus',
    load() {
      const c = readCorpus(p.manifest, `${ctx.path}.manifest`);
      const trainAll = cut(c.train, p.limit);
      // Terms the (kept) training documents use: all of them for the full corpus, whose vocabulary
      // is built on its train split; a limited split drops the others, which no topic could explain.
      const used = new Uint8Array(c.vocabulary.length);
      for (const d of trainAll.documents) for (const f of d) used[f] = 1;
      const index = new Int32Array(c.vocabulary.length).fill(-1);
      const vocabulary: string[] = [];
      c.vocabulary.forEach((w, f) => {
        if (used[f]) index[f] = vocabulary.push(w) - 1;
      });
      const F = vocabulary.length;
      const remap = (s: Split): Split =>
        vocabulary.length === c.vocabulary.length
          ? s
          : { ...s, documents: s.documents.map((d) => d.filter((f) => index[f] >= 0).map((f) => index[f])) };
      const own = remap(cut(c[p.split], p.limit));
      const extra: Record<string, unknown> = {
        labels: own.labels,
        categories: c.categories,
        vocabulary,
        documents: own.packages,
        split: p.split,
      };
      if (p.split === 'test') {
        const train = remap(trainAll);
        extra.train = { matrix: countMatrix(train.documents, F), labels: train.labels, documents: train.packages };
      }
      return { matrix: countMatrix(own.documents, F), extra };
    },
  }),
});

/** `limit` documents evenly spaced through the split (which is in category order): every category keeps its share. */
function cut(s: Split, limit: number): Split {
  const N = s.documents.length;
  if (limit <= 0 || limit >= N) return s;
  const at = Array.from({ length: limit }, (_, i) => Math.floor((i * N) / limit));
  return {
    packages: at.map((i) => s.packages[i]),
    labels: at.map((i) => s.labels[i]),
    documents: at.map((i) => s.documents[i]),
  };
}

/** F × N counts: column n is the histogram of document n's term indices. */
function countMatrix(documents: number[][], F: number): Matrix {
  const N = documents.length;
  const V = new Matrix(F, N);
  for (let n = 0; n < N; n++) for (const f of documents[n]) V.data[f * N + n] += 1;
  return V;
}

/** The corpus `manifest` describes, validated; `param` names the manifest parameter in errors. */
function readCorpus(manifest: string, param: string): Corpus {
  const bad = (message: string, where: { file: string; path: string }, expected: string, found: unknown): never => {
    throw new NmflabError(message, {
      ...where,
      expected,
      found: typeof found === 'string' ? found : describeValue(found),
    });
  };
  const atParam = { file: manifest, path: param };
  if (!existsSync(manifest))
    bad('corpus manifest not found', atParam, 'a corpus manifest JSON file', JSON.stringify(manifest));
  const parse = (file: string, path: string): unknown => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return bad('not valid JSON', { file, path }, 'JSON', (e as Error).message);
    }
  };
  const m = parse(manifest, param) as { kind?: unknown; files?: unknown };
  if (m?.kind !== 'text-corpus')
    bad('not a text-corpus manifest', { file: manifest, path: 'kind' }, '"text-corpus"', m?.kind);
  const entry = Array.isArray(m.files) ? (m.files as { path?: unknown; sha256?: unknown }[])[0] : undefined;
  if (typeof entry?.path !== 'string' || typeof entry.sha256 !== 'string')
    bad('the manifest lists no corpus file', { file: manifest, path: 'files[0]' }, '{ path, sha256 }', entry);
  const file = join(dirname(manifest), entry!.path as string);
  if (!existsSync(file))
    bad('corpus file not found', { file: manifest, path: 'files[0].path' }, 'an existing file', file);
  const bytes = readFileSync(file);
  const sha = createHash('sha256').update(bytes).digest('hex');
  // A corpus edited by hand (or regenerated from another Packages file) is not the one the manifest describes.
  if (sha !== entry!.sha256)
    bad('corpus file differs from its manifest', { file, path: 'sha256' }, String(entry!.sha256), sha);
  const c = parse(file, 'corpus') as Partial<Corpus>;
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (!strings(c.categories))
    bad('corpus has no categories', { file, path: 'categories' }, 'a list of names', c.categories);
  if (!strings(c.vocabulary))
    bad('corpus has no vocabulary', { file, path: 'vocabulary' }, 'a list of terms', c.vocabulary);
  const K = c.categories!.length,
    F = c.vocabulary!.length;
  for (const name of ['train', 'test'] as const) {
    const s = c[name];
    const at = (k: string) => ({ file, path: `${name}.${k}` });
    if (!s || !Array.isArray(s.documents) || !Array.isArray(s.labels) || !Array.isArray(s.packages))
      bad('corpus split is incomplete', at(''), '{ packages, labels, documents }', s);
    const n = s!.documents.length;
    if (s!.labels.length !== n || s!.packages.length !== n)
      bad(
        'corpus split lengths differ',
        at('labels'),
        `${n} labels and names`,
        `${s!.labels.length} and ${s!.packages.length}`,
      );
    s!.labels.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0 || l >= K)
        bad('label out of range', at(`labels[${i}]`), `an integer 0–${K - 1}`, l);
    });
    s!.documents.forEach((d, i) => {
      if (!Array.isArray(d) || d.some((f) => !Number.isInteger(f) || f < 0 || f >= F))
        bad('document is not a list of term indices', at(`documents[${i}]`), `integers 0–${F - 1}`, d);
    });
  }
  return c as Corpus;
}
