import { dirname, isAbsolute, join } from 'node:path';
import { NmflabError, describeValue, paramFileError, readInputFile } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readAudio, readWav, type ChannelMode } from '@nmflab/core';

/** A path of the mixture JSON: absolute as it is, relative to the JSON's folder. */
const resolveIn = (base: string, rel: string): string => (isAbsolute(rel) ? rel : join(base, rel));

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
    new NmflabError(reason, {
      path: `${param}: ${file}${path ? `: ${path}` : ''}`,
      expected,
      found: describeValue(found),
    });
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { path: `${param}: ${file}` });
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw bad('a mixture description must be an object', '', '{ audio, stems: [{ name, audio, train? }] }', m);
  const o = m as Record<string, unknown>;
  if (typeof o.audio !== 'string' || o.audio === '')
    throw bad('the mixture has no audio file', 'audio', 'a WAV path', o.audio);
  if (!Array.isArray(o.stems) || o.stems.length === 0)
    throw bad('the mixture has no stems', 'stems', 'a list of {name, audio}', o.stems);
  const names = new Set<string>();
  o.stems.forEach((s, i) => {
    const st = s as { name?: unknown; audio?: unknown; train?: unknown } | null;
    if (
      !st ||
      typeof st !== 'object' ||
      typeof st.name !== 'string' ||
      st.name === '' ||
      typeof st.audio !== 'string' ||
      st.audio === ''
    ) {
      throw bad('a stem needs a name and an audio file', `stems[${i}]`, '{name, audio}', s);
    }
    if (st.train !== undefined && typeof st.train !== 'string')
      throw bad('wrong type', `stems[${i}].train`, 'a WAV path', st.train);
    // Metrics and files are keyed by stem name: two stems of one name would overwrite each other.
    if (names.has(st.name)) throw bad('duplicate stem name', `stems[${i}].name`, 'a name no other stem has', st.name);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(st.name))
      throw bad('bad stem name', `stems[${i}].name`, "letters, digits, . _ - (it names the stem's WAV file)", st.name);
    names.add(st.name);
  });
  return o as unknown as Manifest;
}

/**
 * A mixture and its ground-truth stems from a mixture description (JSON, as
 * `data/mixtures/speech-chime-test.json`): `{ audio, stems: [{ name, audio, train? }] }`, paths
 * relative to the JSON file or absolute. The stems' training recordings, when listed, go to `extra.train`
 * (name → samples) for supervised separation. Audio files may be WAV, FLAC, MP3, Ogg Vorbis or Ogg
 * Opus (see readAudio); all are read at the mixture's rate (or `sampleRate`) and reduced to one channel as
 * `channels` says: their mean (`mix`, the default) or the channel of that 0-based index.
 */
export default definePlugin<'source', { path: string; seconds: number; channels: 'mix' | number; sampleRate?: number }>(
  {
    meta: {
      kind: 'source',
      id: 'mixture-file',
      description:
        'A mixture recording (WAV, FLAC, MP3, Ogg) with its stems and training recordings, from a mixture JSON',
      params: {
        path: {
          type: 'string',
          minLength: 1,
          required: true,
          description: 'the mixture JSON, relative to the working directory',
        },
        seconds: {
          type: 'number',
          minimum: 0,
          default: 0,
          description: 'keep only the first seconds of every signal (0 = all)',
        },
        sampleRate: {
          type: 'integer',
          minimum: 1,
          description:
            "resample every recording to this rate (default: the mixture's rate; Ogg Opus always decodes at 48 kHz)",
        },
        channels: {
          anyOf: [{ enum: ['mix'] }, { type: 'integer', minimum: 0 }],
          default: 'mix',
          description: "multichannel files: 'mix' (mean of the channels) or the 0-based index of the channel to use",
        },
      },
    },
    // The description and every WAV it lists are read at validation: problems show before anything runs.
    check: (p) => {
      const m = readManifest(p.path, 'path');
      const base = dirname(p.path);
      // WAV files are read whole here (so lengths are checked); other formats decode asynchronously
      // when the source loads, so here they need only be readable files.
      const wav = (
        rel: string,
        where: string,
        rate?: number,
      ): { samples: Float64Array; sampleRate: number } | undefined => {
        try {
          const file = resolveIn(base, rel);
          const head = readInputFile(file, { what: 'an audio file' }).subarray(0, 4);
          // FLAC, Ogg and MP3 (ID3 tag or frame sync) are decoded at load; anything else must be a WAV.
          const tag = head.toString('latin1');
          const compressed =
            tag === 'fLaC' ||
            tag === 'OggS' ||
            tag.startsWith('ID3') ||
            (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0);
          return compressed ? undefined : readWav(file, { mono: true, sampleRate: rate });
        } catch (e) {
          throw paramFileError(e, `path: ${p.path}: ${where}`);
        }
      };
      const mix = wav(m.audio, 'audio', p.sampleRate);
      const keep = (n: number) => (mix && p.seconds > 0 ? Math.min(n, Math.round(p.seconds * mix.sampleRate)) : n);
      m.stems.forEach((st, i) => {
        const x = wav(st.audio, `stems[${i}].audio`, mix?.sampleRate);
        if (mix && x && keep(x.samples.length) !== keep(mix.samples.length)) {
          throw new NmflabError('a stem differs in length from the mixture', {
            path: `path: ${p.path}: stems[${i}].audio`,
            expected: `${keep(mix.samples.length)} samples`,
            found: `${keep(x.samples.length)}`,
          });
        }
        if (st.train !== undefined) wav(st.train, `stems[${i}].train`, mix?.sampleRate);
      });
    },
    create: (p, ctx) => ({
      id: 'mixture-file',
      async load() {
        const file = p.path;
        const m = readManifest(file, `${ctx.path}.path`);
        const base = dirname(file);
        const channels: ChannelMode = p.channels ?? 'mix';
        const mix = await readAudio(resolveIn(base, m.audio), { channels, sampleRate: p.sampleRate });
        const rate = mix.sampleRate;
        const cut = (x: Float64Array) =>
          p.seconds > 0 ? x.subarray(0, Math.min(x.length, Math.round(p.seconds * rate))) : x;
        const samples = cut(mix.channels[0]);
        const read = async (f: string) =>
          (await readAudio(resolveIn(base, f), { channels, sampleRate: rate })).channels[0];
        const sources: { name: string; samples: Float64Array }[] = [];
        const train: Record<string, Float64Array> = {};
        for (const [i, stem] of m.stems.entries()) {
          const x = cut(await read(stem.audio));
          if (x.length !== samples.length) {
            throw new NmflabError('a stem differs in length from the mixture', {
              file,
              path: `stems[${i}].audio`,
              expected: `${samples.length} samples`,
              found: `${x.length}`,
            });
          }
          sources.push({ name: stem.name, samples: x });
          if (stem.train !== undefined) train[stem.name] = await read(stem.train);
        }
        return { signal: { samples, sampleRate: rate }, sources, extra: { train } };
      },
    }),
  },
);
