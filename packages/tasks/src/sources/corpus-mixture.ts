import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { NmflabError, definePlugin, describeValue, didYouMean, readWav } from '@nmflab/core';

interface Params {
  manifest: string;
  item: string;
  split: string;
  snrDb: number;
  training: Record<string, string>;
  peak: number;
}

interface Item {
  id: string;
  split: string;
  stems: Record<string, string>;
  train?: Record<string, Record<string, string[]>>;
  [key: string]: unknown;
}

interface Manifest {
  sampleRate: number;
  sources: string[];
  items: Item[];
}

/** Manifests are parsed once per process: a sweep over items reads the same file many times. */
const cache = new Map<string, Manifest>();

function readManifest(file: string, at: string): Manifest {
  const hit = cache.get(file);
  if (hit) return hit;
  if (!existsSync(file))
    throw new NmflabError('corpus manifest not found', {
      path: at,
      expected: 'a corpus manifest JSON',
      found: JSON.stringify(file),
    });
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Partial<Manifest>;
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  if (!Number.isInteger(m.sampleRate) || (m.sampleRate as number) <= 0)
    throw new NmflabError('the corpus has no sample rate', {
      file,
      path: 'sampleRate',
      expected: 'a positive integer (Hz)',
      found: describeValue(m.sampleRate),
    });
  if (!Array.isArray(m.sources) || m.sources.length < 2)
    throw new NmflabError('the corpus names no sources', {
      file,
      path: 'sources',
      expected: 'a list of at least 2 source names',
      found: describeValue(m.sources),
    });
  if (!Array.isArray(m.items))
    throw new NmflabError('the corpus has no items', {
      file,
      path: 'items',
      expected: 'a list of { id, split, stems }',
      found: describeValue(m.items),
    });
  const manifest = m as Manifest;
  cache.set(file, manifest);
  return manifest;
}

const hint = (input: string, candidates: readonly string[]) => {
  const near = didYouMean(input, candidates);
  return near === undefined ? {} : { hint: `did you mean ${JSON.stringify(near)}?` };
};

const energy = (x: Float64Array) => {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return e;
};

/**
 * One mixture of a separation corpus (as `data/corpus/speech/manifest.json`): the item `item` of
 * split `split`, its stems read at the corpus rate (resampled when stored at another) and mixed at
 * `snrDb` = 10·log10(E_first / E_rest), the energy of the first source over the sum of the others'
 * (the others scaled by one factor), then both scaled so the mixture peaks at `peak`; the mixture
 * is the exact sum of the returned stems. `training` picks, per source, one of the item's named
 * training sets (default: the first listed); its recordings, concatenated, go to `extra.train` for
 * supervised separation. Sweep over the items with `data.params.item: items(<manifest>, <split>)`.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'corpus-mixture',
    description:
      'One mixture of a separation corpus (item of a split, at an SNR) with its stems and chosen training recordings',
    params: {
      manifest: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the corpus manifest JSON, relative to the working directory',
      },
      item: {
        type: 'string',
        minLength: 1,
        required: true,
        description: "the item's id (sweep with items(manifest, split))",
      },
      split: { type: 'string', minLength: 1, default: 'test', description: 'the split the item must belong to' },
      snrDb: { type: 'number', default: 0, description: 'energy of the first source over the others, in dB' },
      training: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description: 'per source, the name of the training set to use (default: the first the item lists)',
      },
      peak: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.8,
        description: 'peak of the mixture after scaling',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'corpus-mixture',
    load() {
      const at = (k: string) => `${ctx.path}.${k}`;
      const file = p.manifest;
      const m = readManifest(file, at('manifest'));
      const base = dirname(file);
      const path = (rel: string) => (isAbsolute(rel) ? rel : join(base, rel));
      const item = m.items.find((i) => i.id === p.item);
      if (!item) {
        const ids = m.items.filter((i) => i.split === p.split).map((i) => i.id);
        throw new NmflabError('no such corpus item', {
          path: at('item'),
          expected: `an item id of split ${p.split} in ${file}`,
          found: JSON.stringify(p.item),
          ...hint(p.item, ids),
        });
      }
      if (item.split !== p.split)
        throw new NmflabError('the item is not in that split', {
          path: at('split'),
          expected: JSON.stringify(item.split),
          found: JSON.stringify(p.split),
        });
      for (const k of Object.keys(p.training)) {
        if (!m.sources.includes(k))
          throw new NmflabError('unknown source name', {
            path: `${at('training')}.${k}`,
            expected: `one of ${m.sources.join(', ')}`,
          });
      }
      const rate = m.sampleRate;
      const read = (rel: string) => readWav(path(rel), { mono: true, sampleRate: rate }).samples;
      const stems = m.sources.map((name) => {
        const rel = item.stems?.[name];
        if (typeof rel !== 'string')
          throw new NmflabError('the item has no stem for a source', {
            file,
            path: `items[${item.id}].stems.${name}`,
            expected: 'a WAV path',
            found: describeValue(rel),
          });
        return { name, samples: read(rel) };
      });
      const len = stems[0].samples.length;
      stems.forEach((s, i) => {
        if (s.samples.length !== len)
          throw new NmflabError('the stems differ in length', {
            file,
            path: `items[${item.id}].stems.${s.name}`,
            expected: `${len} samples at ${rate} Hz`,
            found: `${s.samples.length}`,
          });
        if (energy(s.samples) === 0)
          throw new NmflabError('a stem is silent', {
            file,
            path: `items[${item.id}].stems.${m.sources[i]}`,
            expected: 'a stem with some energy',
          });
      });
      // Scale the other sources by one factor g so that E_first / (g² E_rest) = 10^(snr/10).
      const eFirst = energy(stems[0].samples);
      const rest = new Float64Array(len);
      for (const s of stems.slice(1)) for (let n = 0; n < len; n++) rest[n] += s.samples[n];
      const g = Math.sqrt(eFirst / (energy(rest) * 10 ** (p.snrDb / 10)));
      for (const s of stems.slice(1)) for (let n = 0; n < len; n++) s.samples[n] *= g;
      const mix = new Float64Array(len);
      for (const s of stems) for (let n = 0; n < len; n++) mix[n] += s.samples[n];
      let top = 0;
      for (let n = 0; n < len; n++) top = Math.max(top, Math.abs(mix[n]));
      // scale the stems, then sum them again, so that the mixture is their exact sum
      const scale = p.peak / top;
      mix.fill(0);
      for (const s of stems) for (let n = 0; n < len; n++) mix[n] += s.samples[n] *= scale;

      const train: Record<string, Float64Array> = {};
      const trainingSets: Record<string, string> = {};
      for (const name of m.sources) {
        const sets = item.train?.[name];
        if (!sets) continue;
        const names = Object.keys(sets);
        const chosen = p.training[name] ?? names[0];
        if (chosen === undefined) continue;
        const files = sets[chosen];
        if (!files)
          throw new NmflabError('no such training set for this source', {
            path: `${at('training')}.${name}`,
            expected: `one of ${names.join(', ')}`,
            found: JSON.stringify(chosen),
            ...hint(chosen, names),
          });
        const parts = files.map(read);
        const t = new Float64Array(parts.reduce((s, x) => s + x.length, 0));
        let o = 0;
        for (const x of parts) {
          t.set(x, o);
          o += x.length;
        }
        train[name] = t;
        trainingSets[name] = chosen;
      }
      return {
        signal: { samples: mix, sampleRate: rate },
        sources: stems,
        extra: { train, item: item.id, split: item.split, snrDb: p.snrDb, trainingSets },
      };
    },
  }),
});
