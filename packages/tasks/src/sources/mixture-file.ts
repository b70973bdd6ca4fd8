import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readWav } from '@nmflab/core';

interface Manifest {
  audio?: unknown;
  stems?: unknown;
}

/**
 * A mixture and its ground-truth stems from a mixture description (JSON, as
 * `data/mixtures/speech-chime-test.json`): `{ audio, stems: [{ name, audio, train? }] }`, paths
 * relative to the JSON file or absolute. The stems' training recordings, when listed, go to `extra.train`
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
  create: (p, ctx) => ({
    id: 'mixture-file',
    load() {
      const file = p.path;
      if (!existsSync(file)) throw new NmflabError('mixture description not found', { path: `${ctx.path}.path`, expected: 'a mixture JSON file', found: JSON.stringify(file) });
      let m: Manifest;
      try {
        m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      } catch (e) {
        throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
      }
      const base = dirname(file);
      // absolute paths are taken as they are, relative ones are relative to the JSON's folder
      const at = (rel: string) => (isAbsolute(rel) ? rel : join(base, rel));
      if (typeof m.audio !== 'string') throw new NmflabError('the mixture has no audio file', { file, path: 'audio', expected: 'a WAV path', found: describeValue(m.audio) });
      if (!Array.isArray(m.stems) || m.stems.length === 0) throw new NmflabError('the mixture has no stems', { file, path: 'stems', expected: 'a list of {name, audio}', found: describeValue(m.stems) });
      const mix = readWav(at(m.audio), { mono: true });
      const rate = mix.sampleRate;
      const cut = (x: Float64Array) => (p.seconds > 0 ? x.subarray(0, Math.min(x.length, Math.round(p.seconds * rate))) : x);
      const samples = cut(mix.samples);
      const sources: { name: string; samples: Float64Array }[] = [];
      const train: Record<string, Float64Array> = {};
      (m.stems as unknown[]).forEach((s, i) => {
        const stem = s as { name?: unknown; audio?: unknown; train?: unknown };
        if (typeof stem.name !== 'string' || typeof stem.audio !== 'string') {
          throw new NmflabError('a stem needs a name and an audio file', { file, path: `stems[${i}]`, expected: '{name, audio}', found: describeValue(s) });
        }
        const x = cut(readWav(at(stem.audio), { mono: true, sampleRate: rate }).samples);
        if (x.length !== samples.length) {
          throw new NmflabError('a stem differs in length from the mixture', { file, path: `stems[${i}].audio`, expected: `${samples.length} samples`, found: `${x.length}` });
        }
        sources.push({ name: stem.name, samples: x });
        if (typeof stem.train === 'string') train[stem.name] = readWav(at(stem.train), { mono: true, sampleRate: rate }).samples;
      });
      return { signal: { samples, sampleRate: rate }, sources, extra: { train } };
    },
  }),
});
