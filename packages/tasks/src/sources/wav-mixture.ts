import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readAudio, resample } from '@nmflab/core';

interface Stem {
  name?: string;
  path: string;
  gain?: number;
}

/**
 * A mixture built from audio stems (WAV, FLAC, MP3, Ogg Vorbis or Opus; see readAudio):
 * x = Σ_i g_i s_i (each stem reduced to one channel as `channels` says, resampled to
 * `sampleRate` when given, trimmed to the shortest), with the scaled stems g_i s_i kept as the
 * reference sources the mixture is the exact sum of. Paths are relative to the working directory.
 */
export default definePlugin<'source', { stems: Stem[]; sampleRate?: number; channels: 'mix' | number }>({
  meta: {
    kind: 'source',
    id: 'wav-mixture',
    description:
      'A mixture of listed audio stems (WAV, FLAC, MP3, Ogg) with gains; the scaled stems are the reference sources',
    params: {
      stems: {
        type: 'array',
        minItems: 1,
        required: true,
        items: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, description: 'source name (default: the file name)' },
            path: {
              type: 'string',
              minLength: 1,
              description: 'audio file (WAV, FLAC, MP3, Ogg), relative to the working directory',
            },
            gain: { type: 'number', default: 1, description: 'linear gain applied to the stem' },
          },
        },
        description: 'the stems: [{ name, path, gain }]',
      },
      sampleRate: {
        type: 'integer',
        minimum: 1,
        description: 'resample every stem to this rate (default: the stems’ common rate)',
      },
      channels: {
        anyOf: [{ enum: ['mix'] }, { type: 'integer', minimum: 0 }],
        default: 'mix',
        description: "multichannel stems: 'mix' (mean of the channels) or the 0-based index of the channel to use",
      },
    },
  },
  create: (p, ctx) => {
    p.stems.forEach((s, i) => {
      if (typeof s.path !== 'string') {
        throw new NmflabError('missing stem path', {
          file: ctx.file,
          path: `${ctx.path}.stems[${i}].path`,
          expected: 'an audio file path',
          found: describeValue(s.path),
        });
      }
    });
    const names = p.stems.map((s) => s.name ?? s.path.replace(/^.*\//, '').replace(/\.(wav|flac|mp3|ogg|opus)$/i, ''));
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      throw new NmflabError('two stems have the same name', {
        file: ctx.file,
        path: `${ctx.path}.stems`,
        found: JSON.stringify(dup),
        hint: 'give each stem its own name:',
      });
    return {
      id: 'wav-mixture',
      async load() {
        const wavs = await Promise.all(
          p.stems.map(async (s) => {
            const a = await readAudio(s.path, { channels: p.channels ?? 'mix' });
            return { sampleRate: a.sampleRate, samples: a.channels[0] };
          }),
        );
        let rate = p.sampleRate;
        if (rate === undefined) {
          rate = wavs[0].sampleRate;
          const other = wavs.findIndex((w) => w.sampleRate !== rate);
          if (other >= 0) {
            throw new NmflabError('stems have different sample rates', {
              file: p.stems[other].path,
              path: `${ctx.path}.sampleRate`,
              expected: `${rate} Hz like ${p.stems[0].path}, or a sampleRate to resample to`,
              found: `${wavs[other].sampleRate} Hz`,
            });
          }
        }
        const signals = wavs.map((w) => (w.sampleRate === rate ? w.samples : resample(w.samples, w.sampleRate, rate!)));
        const length = Math.min(...signals.map((x) => x.length));
        const mix = new Float64Array(length);
        const sources = signals.map((x, i) => {
          const g = p.stems[i].gain ?? 1;
          const s = new Float64Array(length);
          for (let t = 0; t < length; t++) {
            s[t] = g * x[t];
            mix[t] += s[t];
          }
          return { name: names[i], samples: s };
        });
        return { signal: { samples: mix, sampleRate: rate }, sources };
      },
    };
  },
});
