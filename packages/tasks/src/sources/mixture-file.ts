import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readAudio, type ChannelMode } from '@nmflab/core';

interface Manifest {
  audio?: unknown;
  stems?: unknown;
}

/**
 * A mixture and its ground-truth stems from a mixture description (JSON, as
 * `data/mixtures/speech-chime-test.json`): `{ audio, stems: [{ name, audio, train? }] }`, paths
 * relative to the JSON file. The stems' training recordings, when listed, go to `extra.train`
 * (name → samples) for supervised separation. Audio files may be WAV, FLAC, MP3, Ogg Vorbis or Ogg
 * Opus (see readAudio); all are read at the mixture's rate (or `sampleRate`) and reduced to one channel as
 * `channels` says: their mean (`mix`, the default) or the channel of that 0-based index.
 */
export default definePlugin<'source', { path: string; seconds: number; channels: 'mix' | number; sampleRate?: number }>({
  meta: {
    kind: 'source',
    id: 'mixture-file',
    description: 'A mixture recording (WAV, FLAC, MP3, Ogg) with its stems and training recordings, from a mixture JSON',
    params: {
      path: { type: 'string', minLength: 1, required: true, description: 'the mixture JSON, relative to the working directory' },
      seconds: { type: 'number', minimum: 0, default: 0, description: 'keep only the first seconds of every signal (0 = all)' },
      sampleRate: { type: 'integer', minimum: 1, description: "resample every recording to this rate (default: the mixture's rate; Ogg Opus always decodes at 48 kHz)" },
      channels: { anyOf: [{ enum: ['mix'] }, { type: 'integer', minimum: 0 }], default: 'mix', description: "multichannel files: 'mix' (mean of the channels) or the 0-based index of the channel to use" },
    },
  },
  create: (p, ctx) => ({
    id: 'mixture-file',
    async load() {
      const file = p.path;
      if (!existsSync(file)) throw new NmflabError('mixture description not found', { path: `${ctx.path}.path`, expected: 'a mixture JSON file', found: JSON.stringify(file) });
      let m: Manifest;
      try {
        m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      } catch (e) {
        throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
      }
      const base = dirname(file);
      if (typeof m.audio !== 'string') throw new NmflabError('the mixture has no audio file', { file, path: 'audio', expected: 'an audio file path', found: describeValue(m.audio) });
      if (!Array.isArray(m.stems) || m.stems.length === 0) throw new NmflabError('the mixture has no stems', { file, path: 'stems', expected: 'a list of {name, audio}', found: describeValue(m.stems) });
      const channels: ChannelMode = p.channels ?? 'mix';
      const mix = await readAudio(join(base, m.audio), { channels, sampleRate: p.sampleRate });
      const rate = mix.sampleRate;
      const cut = (x: Float64Array) => (p.seconds > 0 ? x.subarray(0, Math.min(x.length, Math.round(p.seconds * rate))) : x);
      const samples = cut(mix.channels[0]!);
      const read = async (f: string) => (await readAudio(join(base, f), { channels, sampleRate: rate })).channels[0]!;
      const sources: { name: string; samples: Float64Array }[] = [];
      const train: Record<string, Float64Array> = {};
      for (const [i, s] of (m.stems as unknown[]).entries()) {
        const stem = s as { name?: unknown; audio?: unknown; train?: unknown };
        if (typeof stem.name !== 'string' || typeof stem.audio !== 'string') {
          throw new NmflabError('a stem needs a name and an audio file', { file, path: `stems[${i}]`, expected: '{name, audio}', found: describeValue(s) });
        }
        const x = cut(await read(stem.audio));
        if (x.length !== samples.length) {
          throw new NmflabError('a stem differs in length from the mixture', { file, path: `stems[${i}].audio`, expected: `${samples.length} samples`, found: `${x.length}` });
        }
        sources.push({ name: stem.name, samples: x });
        if (typeof stem.train === 'string') train[stem.name] = await read(stem.train);
      }
      return { signal: { samples, sampleRate: rate }, sources, extra: { train } };
    },
  }),
});
