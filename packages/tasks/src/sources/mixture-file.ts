import { dirname, join } from 'node:path';
import { NmflabError, describeValue, paramFileError, readInputFile } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readWav } from '@nmflab/core';

interface Manifest {
  audio: string;
  stems: { name: string; audio: string; train?: string }[];
}

/**
 * Read and check a mixture description: a JSON object with `audio` and a non-empty list of stems,
 * each `{ name, audio, train? }` with a name of its own. Errors name the JSON file and `param`.
 */
function readManifest(file: string, param: string): Manifest {
  let text: string;
  try {
    text = readInputFile(file, { what: 'a mixture JSON file' }).toString('utf8');
  } catch (e) {
    throw paramFileError(e, param);
  }
  const bad = (reason: string, path: string, expected: string, found: unknown) =>
    new NmflabError(reason, { path: `${param}: ${file}${path ? `: ${path}` : ''}`, expected, found: describeValue(found) });
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { path: `${param}: ${file}` });
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw bad('a mixture description must be an object', '', '{ audio, stems: [{ name, audio, train? }] }', m);
  const o = m as Record<string, unknown>;
  if (typeof o.audio !== 'string' || o.audio === '') throw bad('the mixture has no audio file', 'audio', 'a WAV path', o.audio);
  if (!Array.isArray(o.stems) || o.stems.length === 0) throw bad('the mixture has no stems', 'stems', 'a list of {name, audio}', o.stems);
  const names = new Set<string>();
  o.stems.forEach((s, i) => {
    const st = s as { name?: unknown; audio?: unknown; train?: unknown } | null;
    if (!st || typeof st !== 'object' || typeof st.name !== 'string' || st.name === '' || typeof st.audio !== 'string' || st.audio === '') {
      throw bad('a stem needs a name and an audio file', `stems[${i}]`, '{name, audio}', s);
    }
    if (st.train !== undefined && typeof st.train !== 'string') throw bad('wrong type', `stems[${i}].train`, 'a WAV path', st.train);
    // Metrics and files are keyed by stem name: two stems of one name would overwrite each other.
    if (names.has(st.name)) throw bad('duplicate stem name', `stems[${i}].name`, 'a name no other stem has', st.name);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(st.name)) throw bad('bad stem name', `stems[${i}].name`, 'letters, digits, . _ - (it names the stem\'s WAV file)', st.name);
    names.add(st.name);
  });
  return o as unknown as Manifest;
}

/**
 * A mixture and its ground-truth stems from a mixture description (JSON, as
 * `data/mixtures/speech-chime-test.json`): `{ audio, stems: [{ name, audio, train? }] }`, paths
 * relative to the JSON file. The stems' training recordings, when listed, go to `extra.train`
 * (name → samples) for supervised separation. All audio is read as mono at the mixture's rate.
 */
export default definePlugin<'source', { path: string; seconds: number }>({
  meta: {
    kind: 'source',
    id: 'mixture-file',
    description: 'A mixture WAV with its stems and training recordings, from a mixture JSON',
    params: {
      path: { type: 'string', minLength: 1, required: true, description: 'the mixture JSON, relative to the working directory' },
      seconds: { type: 'number', minimum: 0, default: 0, description: 'keep only the first seconds of every signal (0 = all)' },
    },
  },
  // The description and every WAV it lists are read at validation: problems show before anything runs.
  check: (p) => {
    const m = readManifest(p.path, 'path');
    const base = dirname(p.path);
    const wav = (rel: string, where: string, rate?: number) => {
      try {
        return readWav(join(base, rel), { mono: true, sampleRate: rate });
      } catch (e) {
        throw paramFileError(e, `path: ${p.path}: ${where}`);
      }
    };
    const mix = wav(m.audio, 'audio');
    const keep = (n: number) => (p.seconds > 0 ? Math.min(n, Math.round(p.seconds * mix.sampleRate)) : n);
    m.stems.forEach((st, i) => {
      const x = wav(st.audio, `stems[${i}].audio`, mix.sampleRate);
      if (keep(x.samples.length) !== keep(mix.samples.length)) {
        throw new NmflabError('a stem differs in length from the mixture', { path: `path: ${p.path}: stems[${i}].audio`, expected: `${keep(mix.samples.length)} samples`, found: `${keep(x.samples.length)}` });
      }
      if (st.train !== undefined) wav(st.train, `stems[${i}].train`, mix.sampleRate);
    });
  },
  create: (p, ctx) => ({
    id: 'mixture-file',
    load() {
      const file = p.path;
      const m = readManifest(file, `${ctx.path}.path`);
      const base = dirname(file);
      const mix = readWav(join(base, m.audio), { mono: true });
      const rate = mix.sampleRate;
      const cut = (x: Float64Array) => (p.seconds > 0 ? x.subarray(0, Math.min(x.length, Math.round(p.seconds * rate))) : x);
      const samples = cut(mix.samples);
      const sources: { name: string; samples: Float64Array }[] = [];
      const train: Record<string, Float64Array> = {};
      m.stems.forEach((stem, i) => {
        const x = cut(readWav(join(base, stem.audio), { mono: true, sampleRate: rate }).samples);
        if (x.length !== samples.length) {
          throw new NmflabError('a stem differs in length from the mixture', { file, path: `stems[${i}].audio`, expected: `${samples.length} samples`, found: `${x.length}` });
        }
        sources.push({ name: stem.name, samples: x });
        if (stem.train !== undefined) train[stem.name] = readWav(join(base, stem.train), { mono: true, sampleRate: rate }).samples;
      });
      return { signal: { samples, sampleRate: rate }, sources, extra: { train } };
    },
  }),
});
