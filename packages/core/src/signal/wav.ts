import { existsSync, readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { NmflabError } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import { resample } from './resample.js';

const { WaveFile } = wavefile;

/**
 * WAV files through the wavefile package. Reading checks the RIFF structure first (so a broken file
 * gets an NmflabError naming the file and the problem, never a library exception), then lets
 * wavefile decode the samples. Samples are floats in [−1, 1]: PCM b-bit values v map to
 * v / 2^(b−1) (8-bit: (v − 128) / 128); float files are taken as they are.
 */

export const WAV_FORMATS = ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'] as const;
export type WavFormat = (typeof WAV_FORMATS)[number];

export interface WavData {
  sampleRate: number;
  /** One array per channel (a single one after downmixing). */
  channels: Float64Array[];
  /** The mono downmix when `mono` was asked for, else the first channel. */
  samples: Float64Array;
  /** The sample format of the file. */
  format: WavFormat;
}

export interface ReadWavOptions {
  /** Average all channels into one. */
  mono?: boolean;
  /** Resample to this rate (see {@link resample}). */
  sampleRate?: number;
}

const FORMAT_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  85: 'MPEG layer 3',
  65534: 'extensible',
};

interface Header {
  formatCode: number;
  channels: number;
  sampleRate: number;
  bits: number;
  dataOffset: number;
  dataBytes: number;
}

/** Validate the RIFF/WAVE structure of `buf`; every problem is an NmflabError naming `file`. */
export function inspectWav(buf: Uint8Array, file = 'input'): Header & { format: WavFormat } {
  const bad = (reason: string, expected?: string, found?: string): never => {
    throw new NmflabError(reason, { file, expected, found, exitCode: 2 });
  };
  if (buf.length === 0) bad('empty file', 'a WAV file', '0 bytes');
  const ascii = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  const show = (s: string) => JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'));
  if (buf.length < 12) bad('not a WAV file: too short for a RIFF header', 'at least 12 bytes', `${buf.length} bytes`);
  const riff = ascii(0);
  if (riff === 'RIFX' || riff === 'RF64') bad('unsupported WAV container', 'a little-endian RIFF file', show(riff));
  if (riff !== 'RIFF') bad('not a WAV file: no RIFF header', '"RIFF" at byte 0', show(riff));
  if (ascii(8) !== 'WAVE') bad('not a WAV file: RIFF form is not WAVE', '"WAVE" at byte 8', show(ascii(8)));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let fmt: { code: number; channels: number; rate: number; align: number; bits: number } | undefined;
  let data: { offset: number; bytes: number } | undefined;
  let o = 12;
  while (o + 8 <= buf.length) {
    const id = ascii(o);
    const size = dv.getUint32(o + 4, true);
    const body = o + 8;
    if (id !== 'data' && body + size > buf.length) {
      bad(`chunk ${show(id)} runs past the end of the file`, `${size} bytes`, `${buf.length - body} bytes`);
    }
    if (id === 'fmt ') {
      if (size < 16) bad('fmt chunk too short', 'at least 16 bytes', `${size} bytes`);
      let code = dv.getUint16(body, true);
      if (code === 0xfffe) {
        // WAVE_FORMAT_EXTENSIBLE: the real format code is the first two bytes of the sub-format GUID.
        if (size < 40) bad('truncated extensible fmt chunk', '40 bytes', `${size} bytes`);
        code = dv.getUint16(body + 24, true);
      }
      fmt = { code, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), align: dv.getUint16(body + 12, true), bits: dv.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) bad('data chunk before the fmt chunk', 'a fmt chunk first');
      data = { offset: body, bytes: size };
      if (body + size > buf.length) {
        bad('truncated data chunk', `${size} bytes of samples (as its header says)`, `${buf.length - body} bytes`);
      }
      break;
    }
    o = body + size + (size & 1); // chunks are padded to even sizes
  }
  if (!fmt) bad('no fmt chunk', 'a "fmt " chunk describing the samples');
  const f = fmt!;
  if (!data) bad('no data chunk', 'a "data" chunk with the samples');
  const d = data!;
  if (f.code !== 1 && f.code !== 3) {
    bad('unsupported WAV sample format', 'format code 1 (PCM) or 3 (IEEE float)', `${f.code}${FORMAT_NAMES[f.code] ? ` (${FORMAT_NAMES[f.code]})` : ''}`);
  }
  if (f.channels === 0) bad('WAV file has zero channels', 'at least one channel', '0');
  if (f.rate === 0) bad('WAV file has sample rate 0', 'a positive sample rate', '0');
  const okBits = f.code === 1 ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(f.bits)) {
    bad(`unsupported ${f.code === 1 ? 'PCM' : 'float'} bit depth`, okBits.join(', '), String(f.bits));
  }
  const frameBytes = (f.channels * f.bits) / 8;
  if (f.align !== frameBytes) bad('inconsistent block align in the fmt chunk', `${frameBytes} bytes per frame (${f.channels} channels × ${f.bits} bits)`, String(f.align));
  if (d.bytes % frameBytes !== 0) {
    bad('data chunk is not a whole number of sample frames', `a multiple of ${frameBytes} bytes`, `${d.bytes} bytes`);
  }
  const format: WavFormat = f.code === 3 ? (f.bits === 32 ? 'float32' : 'float64') : (`pcm${f.bits}` as WavFormat);
  return { formatCode: f.code, channels: f.channels, sampleRate: f.rate, bits: f.bits, dataOffset: d.offset, dataBytes: d.bytes, format };
}

/** Decode WAV bytes (see {@link readWav}). */
export function parseWav(buf: Uint8Array, file = 'input', options: ReadWavOptions = {}): WavData {
  const h = inspectWav(buf, file);
  let decoded: Float64Array | Float64Array[];
  try {
    const wav = new WaveFile();
    wav.fromBuffer(buf);
    decoded = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  } catch (e) {
    throw new NmflabError('unreadable WAV file', { file, found: (e as Error).message });
  }
  const raw = h.channels === 1 ? [decoded as Float64Array] : (decoded as Float64Array[]);
  const frames = h.dataBytes / ((h.channels * h.bits) / 8);
  if (raw.length !== h.channels || raw.some((c) => c.length !== frames)) {
    throw new NmflabError('WAV decoder returned an unexpected shape', { file, expected: `${h.channels} channels × ${frames} samples`, found: `${raw.length} channels` });
  }
  let channels = raw.map((c) => {
    if (h.formatCode === 3) {
      for (let i = 0; i < c.length; i++) {
        if (!Number.isFinite(c[i]!)) throw new NmflabError('WAV file contains a non-finite float sample', { file, path: `sample ${i}`, found: String(c[i]) });
      }
      return c;
    }
    const scale = 2 ** (h.bits - 1);
    const offset = h.bits === 8 ? 128 : 0; // 8-bit PCM is unsigned
    for (let i = 0; i < c.length; i++) c[i] = (c[i]! - offset) / scale;
    return c;
  });
  if (options.mono && channels.length > 1) channels = [downmix(channels)];
  let sampleRate = h.sampleRate;
  if (options.sampleRate !== undefined && options.sampleRate !== sampleRate) {
    channels = channels.map((c) => resample(c, sampleRate, options.sampleRate!));
    sampleRate = options.sampleRate;
  }
  return { sampleRate, channels, samples: channels[0]!, format: h.format };
}

/** Read a WAV file: PCM 8/16/24/32-bit or float 32/64, any channel count and sample rate. */
export function readWav(file: string, options: ReadWavOptions = {}): WavData {
  if (!existsSync(file)) throw new NmflabError('file not found', { file, expected: 'a WAV file' });
  return parseWav(readFileSync(file), file, options);
}

/** Mean of the channels. */
export function downmix(channels: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(channels[0]?.length ?? 0);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i] += c[i]!;
  for (let i = 0; i < out.length; i++) out[i] /= channels.length;
  return out;
}

export interface WriteWavOptions {
  /** Sample format; default `pcm16`. PCM clips to [−1, 1]; float formats store values as they are. */
  format?: WavFormat;
}

/** Encode samples (one channel, or one array per channel) as WAV bytes. */
export function encodeWav(samples: Float64Array | readonly Float64Array[], sampleRate: number, options: WriteWavOptions = {}, file = 'output'): Uint8Array {
  const format = options.format ?? 'pcm16';
  const channels = samples instanceof Float64Array ? [samples] : [...samples];
  const fail = (reason: string, expected: string, found: string): never => {
    throw new NmflabError(reason, { file, expected, found });
  };
  if (!(WAV_FORMATS as readonly string[]).includes(format)) fail('unknown WAV format', WAV_FORMATS.join(', '), JSON.stringify(format));
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) fail('invalid sample rate', 'a positive integer', String(sampleRate));
  if (channels.length === 0 || channels.length > 65535) fail('invalid channel count', '1…65535 channels', String(channels.length));
  const len = channels[0]!.length;
  channels.forEach((c, k) => {
    if (c.length !== len) fail('channels differ in length', `${len} samples`, `${c.length} in channel ${k}`);
    for (let i = 0; i < c.length; i++) {
      if (!Number.isFinite(c[i]!)) throw new NmflabError('non-finite sample', { file, path: `channel ${k}, sample ${i}`, expected: 'finite numbers', found: String(c[i]) });
    }
  });
  let depth: string;
  let data: Float64Array[];
  if (format === 'float32' || format === 'float64') {
    depth = format === 'float32' ? '32f' : '64';
    data = channels;
  } else {
    const bits = Number(format.slice(3));
    depth = String(bits);
    const scale = 2 ** (bits - 1);
    const offset = bits === 8 ? 128 : 0;
    data = channels.map((c) => {
      const q = new Float64Array(c.length);
      for (let i = 0; i < c.length; i++) {
        const v = Math.round(c[i]! * scale);
        q[i] = Math.min(scale - 1, Math.max(-scale, v)) + offset;
      }
      return q;
    });
  }
  const wav = new WaveFile();
  wav.fromScratch(channels.length, sampleRate, depth, data.length === 1 ? data[0]! : data);
  return wav.toBuffer();
}

/** Write a WAV file atomically (readers see the old file or the whole new one). */
export function writeWav(file: string, samples: Float64Array | readonly Float64Array[], sampleRate: number, options: WriteWavOptions = {}): void {
  writeFileAtomic(file, encodeWav(samples, sampleRate, options, file));
}
