import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { NmflabError } from '../errors.js';
import { resample } from './resample.js';
import { downmix, parseWav, writeWav, WAV_FORMATS, type WavFormat } from './wav.js';

/**
 * Audio files in any of the formats researchers' recordings come in: WAV (this package's own
 * reader: PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, any channel count), FLAC (native
 * and Ogg FLAC), MP3 (MPEG layer I/II/III), Ogg Vorbis and Ogg Opus (WebAssembly builds of libFLAC,
 * mpg123, libvorbis and libopus from the wasm-audio-decoders family). The container is recognised
 * by its first bytes, not the file name, so a mislabelled file still reads and a file of another
 * kind is named for what it is. Decoders load on first use: importing core (every worker thread
 * does) pays nothing for them.
 *
 * Decoded samples are floats in [−1, 1]: FLAC with the WAV reader's scaling (code / 2^(b−1)), so a
 * FLAC copy of a WAV reads bit-identically; lossy decoders (MP3, Vorbis, Opus) return float32
 * values, widened here to float64. MP3 is decoded gapless where the file says how: the encoder
 * delay and padding of a Xing/Info header are removed. An MP3 without that header (sox writes
 * none) keeps the encoder's delay (LAME: 1105 samples at 16 kHz) and its padding, so it is longer
 * and later than the recording it was made from; files encoded the same way stay aligned with each
 * other. Vorbis and Opus streams carry their own pre-skip and length. Opus always decodes at 48 kHz.
 */

export const AUDIO_CODECS = ['wav', 'flac', 'mp3', 'vorbis', 'opus'] as const;
export type AudioCodec = (typeof AUDIO_CODECS)[number];

/** `keep` every channel, `mix` them down to their mean, or pick one by 0-based index. */
export type ChannelMode = 'keep' | 'mix' | number;

export interface ReadAudioOptions {
  /** Channel handling; default `keep`. */
  channels?: ChannelMode;
  /** Resample every channel to this rate (band-limited, see {@link resample}). */
  sampleRate?: number;
}

export interface AudioData {
  sampleRate: number;
  /** The rate stored in the file (before any resampling). */
  fileSampleRate: number;
  /** One array per channel after channel handling (one for `mix` or a picked channel). */
  channels: Float64Array[];
  /** The number of channels stored in the file. */
  fileChannels: number;
  codec: AudioCodec;
  /** True for MP3, Vorbis and Opus. */
  lossy: boolean;
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber: number }[];
}

const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** What the first bytes of `b` say it is (undefined: not a format readAudio knows). */
export function sniffCodec(b: Uint8Array): AudioCodec | undefined {
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return 'wav';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'RIFX' || ascii(b, 0, 4) === 'RF64')) return 'wav'; // the WAV reader says why not
  if (b.length >= 4 && ascii(b, 0, 4) === 'fLaC') return 'flac';
  if (b.length >= 4 && ascii(b, 0, 4) === 'OggS') {
    // The first page carries the stream's identification header: look for its signature.
    const head = ascii(b, 0, Math.min(b.length, 200));
    if (head.includes('OpusHead')) return 'opus';
    if (head.includes('\x01vorbis')) return 'vorbis';
    if (head.includes('\x7fFLAC')) return 'flac';
    return undefined;
  }
  if (b.length >= 3 && ascii(b, 0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame header: 11 sync bits, a layer that is not 0 ("reserved").
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0) return 'mp3';
  return undefined;
}

/** A short description of what a file that is no known audio format starts with. */
function describeStart(b: Uint8Array): string {
  if (b.length === 0) return '0 bytes';
  const n = Math.min(b.length, 8);
  const hex = [...b.subarray(0, n)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const text = ascii(b, 0, n).replace(/[^\x20-\x7e]/g, '.');
  if (b.length >= 4 && ascii(b, 0, 4) === 'OggS')
    return `an Ogg stream of another codec (first page ${JSON.stringify(ascii(b, 28, 8).replace(/[^\x20-\x7e]/g, '.'))})`;
  return `bytes ${hex} ("${text}")`;
}

async function decodeCompressed(codec: Exclude<AudioCodec, 'wav'>, bytes: Uint8Array): Promise<Decoded> {
  switch (codec) {
    case 'flac': {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      const d = new FLACDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
    case 'mp3': {
      const { MPEGDecoder } = await import('mpg123-decoder');
      const d = new MPEGDecoder({ enableGapless: true });
      await d.ready;
      try {
        return d.decode(bytes);
      } finally {
        d.free();
      }
    }
    case 'vorbis': {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      const d = new OggVorbisDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
    case 'opus': {
      const { OggOpusDecoder } = await import('ogg-opus-decoder');
      const d = new OggOpusDecoder();
      await d.ready;
      try {
        return await d.decodeFile(bytes);
      } finally {
        d.free();
      }
    }
  }
}

const CODEC_NAMES: Record<AudioCodec, string> = {
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  vorbis: 'Ogg Vorbis',
  opus: 'Ogg Opus',
};

/** Decode the bytes of an audio file (see {@link readAudio}); `file` names it in errors. */
export async function decodeAudio(
  bytes: Uint8Array,
  file = 'input',
  options: ReadAudioOptions = {},
): Promise<AudioData> {
  const codec = sniffCodec(bytes);
  if (codec === undefined) {
    throw new NmflabError('not an audio file readAudio knows', {
      file,
      expected: 'WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus',
      found: describeStart(bytes),
      exitCode: 2,
    });
  }
  let channels: Float64Array[];
  let rate: number;
  if (codec === 'wav') {
    const w = parseWav(bytes, file);
    channels = w.channels;
    rate = w.sampleRate;
  } else {
    let d: Decoded;
    try {
      d = await decodeCompressed(codec, bytes);
    } catch (e) {
      throw new NmflabError(`could not decode the ${CODEC_NAMES[codec]} file: ${(e as Error).message}`, {
        file,
        expected: `a valid ${CODEC_NAMES[codec]} stream`,
        exitCode: 2,
      });
    }
    if (d.errors.length > 0) {
      const e = d.errors[0];
      throw new NmflabError(`corrupt ${CODEC_NAMES[codec]} data: ${e.message}`, {
        file,
        path: `frame ${e.frameNumber}`,
        expected: `a valid ${CODEC_NAMES[codec]} stream`,
        found: `${d.errors.length} undecodable frame(s)`,
        exitCode: 2,
      });
    }
    if (d.samplesDecoded === 0 || d.channelData.length === 0) {
      throw new NmflabError(`${CODEC_NAMES[codec]} file holds no samples`, {
        file,
        expected: 'at least one decoded sample',
        found: `${bytes.length} bytes, 0 samples decoded`,
        exitCode: 2,
      });
    }
    rate = d.sampleRate;
    // libFLAC's float output is code / (2^(b−1) − 1); the WAV reader's convention is code / 2^(b−1):
    // recover the integer code (float32 holds it to < 0.25 of a step up to 24 bits) and rescale, so
    // a FLAC copy of a WAV reads bit-identically.
    const bits = codec === 'flac' ? (d as Decoded & { bitDepth?: number }).bitDepth : undefined;
    const up = bits && bits <= 24 ? 2 ** (bits - 1) - 1 : 0;
    const down = bits ? 2 ** (bits - 1) : 1;
    channels = d.channelData.map((c) => {
      const x = new Float64Array(d.samplesDecoded);
      if (up > 0) for (let i = 0; i < x.length; i++) x[i] = Math.round(c[i] * up) / down;
      else for (let i = 0; i < x.length; i++) x[i] = c[i];
      return x;
    });
  }
  const fileChannels = channels.length;
  const mode = options.channels ?? 'keep';
  if (mode === 'mix') {
    if (channels.length > 1) channels = [downmix(channels)];
  } else if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode >= channels.length) {
      throw new NmflabError('no such channel in the file', {
        file,
        path: 'channels',
        expected: `a channel index 0…${channels.length - 1}, 'keep' or 'mix'`,
        found: String(mode),
        exitCode: 2,
      });
    }
    channels = [channels[mode]];
  } else if (mode !== 'keep') {
    throw new NmflabError('invalid channel handling', {
      file,
      path: 'channels',
      expected: "'keep', 'mix' or a channel index",
      found: JSON.stringify(mode),
    });
  }
  let sampleRate = rate;
  if (options.sampleRate !== undefined && options.sampleRate !== rate) {
    channels = channels.map((c) => resample(c, rate, options.sampleRate!));
    sampleRate = options.sampleRate;
  }
  return {
    sampleRate,
    fileSampleRate: rate,
    channels,
    fileChannels,
    codec,
    lossy: codec === 'mp3' || codec === 'vorbis' || codec === 'opus',
  };
}

/** Read an audio file: WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus, recognised by its content. */
export async function readAudio(file: string, options: ReadAudioOptions = {}): Promise<AudioData> {
  if (!existsSync(file))
    throw new NmflabError('file not found', {
      file,
      expected: 'an audio file (WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus)',
      exitCode: 2,
    });
  return decodeAudio(readFileSync(file), file, options);
}

export interface WriteAudioOptions {
  /** WAV sample format (default `pcm16`). */
  format?: WavFormat;
}

/**
 * Write audio. Only WAV is written (atomically); a file name with another extension is refused
 * rather than silently written as WAV.
 */
export function writeAudio(
  file: string,
  channels: Float64Array | readonly Float64Array[],
  sampleRate: number,
  options: WriteAudioOptions = {},
): void {
  const ext = extname(file).toLowerCase();
  if (ext !== '.wav') {
    throw new NmflabError('cannot write this audio format', {
      file,
      expected: 'a .wav file name (WAV is the only format written)',
      found: ext ? `extension ${ext}` : 'no extension',
      exitCode: 2,
    });
  }
  if (options.format !== undefined && !(WAV_FORMATS as readonly string[]).includes(options.format)) {
    throw new NmflabError('unknown WAV format', {
      file,
      path: 'format',
      expected: WAV_FORMATS.join(', '),
      found: JSON.stringify(options.format),
    });
  }
  writeWav(file, channels, sampleRate, options);
}
