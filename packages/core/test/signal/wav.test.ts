import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NmflabError, Rng, WAV_FORMATS, downmix, encodeWav, parseWav, readWav, resample, writeWav } from '@nmflab/core';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const { dir } = tempDirs('nmflab-wav-');

function noise(L: number, seed: number, amp = 0.9): Float64Array {
  const rng = new Rng(seed);
  return new Float64Array(L).map(() => amp * (2 * rng.uniform() - 1));
}

/** A canonical 44-byte-header WAV built byte by byte (an oracle independent of wavefile). */
function rawWav(code: number, channels: number, rate: number, bits: number, data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(44 + data.length);
  const dv = new DataView(buf.buffer);
  const put = (o: number, s: string) => [...s].forEach((c, i) => (buf[o + i] = c.charCodeAt(0)));
  put(0, 'RIFF');
  dv.setUint32(4, 36 + data.length, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, code, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, (rate * channels * bits) / 8, true);
  dv.setUint16(32, (channels * bits) / 8, true);
  dv.setUint16(34, bits, true);
  put(36, 'data');
  dv.setUint32(40, data.length, true);
  buf.set(data, 44);
  return buf;
}

/** WAVE_FORMAT_EXTENSIBLE (fmt chunk of 40 bytes) with a sub-format code, and an odd-sized LIST chunk first. */
function extensibleWav(sub: number, channels: number, bits: number, data: Uint8Array): Uint8Array {
  const list = 'LIST\x05\x00\x00\x00abcde\x00'; // 5-byte body + pad byte
  const pre = 12 + list.length;
  const buf = new Uint8Array(pre + 56 + data.length);
  const dv = new DataView(buf.buffer);
  const put = (o: number, str: string) => [...str].forEach((c, i) => (buf[o + i] = c.charCodeAt(0)));
  put(0, 'RIFF');
  dv.setUint32(4, buf.length - 8, true);
  put(8, 'WAVE');
  put(12, list);
  put(pre, 'fmt ');
  dv.setUint32(pre + 4, 40, true);
  dv.setUint16(pre + 8, 0xfffe, true);
  dv.setUint16(pre + 10, channels, true);
  dv.setUint32(pre + 12, 8000, true);
  dv.setUint32(pre + 16, (8000 * channels * bits) / 8, true);
  dv.setUint16(pre + 20, (channels * bits) / 8, true);
  dv.setUint16(pre + 22, bits, true);
  dv.setUint16(pre + 24, 22, true); // cbSize
  dv.setUint16(pre + 26, bits, true); // valid bits
  dv.setUint32(pre + 28, 3, true); // channel mask
  dv.setUint16(pre + 32, sub, true); // sub-format GUID, first two bytes = format code
  buf.set([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], pre + 34);
  put(pre + 48, 'data');
  dv.setUint32(pre + 52, data.length, true);
  buf.set(data, pre + 56);
  return buf;
}

/** Largest distance from x to the nearest level of a b-bit PCM grid, allowing for clipping at +1. */
const quantum = (format: string) => ({ pcm8: 2 ** -7, pcm16: 2 ** -15, pcm24: 2 ** -23, pcm32: 2 ** -31 })[format];

describe('WAV files', () => {
  it('decode hand-built PCM and float files to floats in [−1, 1]', () => {
    const i16 = new Int16Array([0, 16384, -32768, 32767]);
    const r16 = parseWav(rawWav(1, 1, 8000, 16, new Uint8Array(i16.buffer)), 'a.wav');
    expect(Array.from(r16.samples)).toEqual([0, 0.5, -1, 32767 / 32768]);
    expect(r16.sampleRate).toBe(8000);
    expect(r16.format).toBe('pcm16');
    const r8 = parseWav(rawWav(1, 2, 11025, 8, Uint8Array.of(128, 0, 192, 255)), 'b.wav');
    expect(r8.channels.map((c) => Array.from(c))).toEqual([
      [0, 0.5],
      [-1, 127 / 128],
    ]);
    const f64 = new Float64Array([0.25, -0.125, 1.5]);
    const rf = parseWav(rawWav(3, 1, 48000, 64, new Uint8Array(f64.buffer)), 'c.wav');
    expect(Array.from(rf.samples)).toEqual([0.25, -0.125, 1.5]);
    expect(rf.format).toBe('float64');
    const ef = parseWav(
      extensibleWav(3, 2, 32, new Uint8Array(new Float32Array([0.5, -0.25, 0.125, 1]).buffer)),
      'd.wav',
    );
    expect(ef.channels.map((c) => Array.from(c))).toEqual([
      [0.5, 0.125],
      [-0.25, 1],
    ]);
    expect(ef.format).toBe('float32');
    const ep = parseWav(
      extensibleWav(1, 2, 16, new Uint8Array(new Int16Array([16384, -16384, 0, 8192]).buffer)),
      'e.wav',
    );
    expect(ep.channels.map((c) => Array.from(c))).toEqual([
      [0.5, 0],
      [-0.5, 0.25],
    ]);
  });

  for (const format of WAV_FORMATS) {
    it(`round-trips ${format}, mono and 3-channel, within the format's quantization`, () => {
      const chans = [noise(500, 1), noise(500, 2), noise(500, 3)];
      chans[0][0] = 1; // full scale clips to the largest code, one quantum below 1
      chans[0][1] = -1;
      const file = join(dir, `rt-${format}.wav`);
      for (const input of [chans[0], chans]) {
        writeWav(file, input, 22050, { format });
        const r = readWav(file);
        const want = input instanceof Float64Array ? [input] : input;
        expect(r.channels).toHaveLength(want.length);
        expect(r.sampleRate).toBe(22050);
        expect(r.format).toBe(format);
        let err = 0;
        want.forEach((c, k) => c.forEach((v, i) => (err = Math.max(err, Math.abs(r.channels[k][i] - v)))));
        const q = quantum(format);
        if (q !== undefined) expect(err).toBeLessThanOrEqual(q * (1 + 1e-9));
        else expect(err).toBeLessThanOrEqual(format === 'float32' ? 2 ** -24 : 0);
        expect(r.samples).toBe(r.channels[0]);
      }
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // atomic writes leave no temporaries
    });
  }

  it('writes a valid header: RIFF size = file size − 8, data size = the samples (odd sizes too)', () => {
    for (const [L, C, format] of [
      [3, 1, 'pcm8'],
      [5, 3, 'pcm24'],
      [4, 2, 'float64'],
    ] as const) {
      const b = encodeWav(
        Array.from({ length: C }, () => new Float64Array(L).fill(0.5)),
        8000,
        { format },
      );
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      expect(dv.getUint32(4, true)).toBe(b.length - 8);
      const r = parseWav(b, 'h.wav');
      expect(r.channels).toHaveLength(C);
      expect(r.channels.every((c) => c.length === L)).toBe(true);
    }
  });

  it('downmixes to mono on request and clips PCM to [−1, 1]', () => {
    const a = noise(300, 4),
      b = noise(300, 5);
    const bytes = encodeWav([a, b], 16000, { format: 'float64' });
    const m = parseWav(bytes, 'x.wav', { mono: true });
    expect(m.channels).toHaveLength(1);
    m.samples.forEach((v, i) => expect(v).toBeCloseTo((a[i] + b[i]) / 2, 15));
    expect(Array.from(downmix([Float64Array.of(1, 2), Float64Array.of(3, 6)]))).toEqual([2, 4]);
    const loud = parseWav(encodeWav(Float64Array.of(2, -3, 0.5), 8000, { format: 'pcm16' }), 'y.wav');
    expect(Array.from(loud.samples)).toEqual([32767 / 32768, -1, 0.5]);
  });

  it('rejects what it cannot write, naming the file', () => {
    expect(() => writeWav(join(dir, 'n.wav'), Float64Array.of(0, NaN), 8000)).toThrow(
      /n\.wav: channel 0, sample 1: non-finite sample/,
    );
    expect(() => encodeWav([new Float64Array(3), new Float64Array(4)], 8000, {}, 'o.wav')).toThrow(
      'o.wav: channels differ in length (expected 3 samples, found 4 in channel 1)',
    );
    expect(() => encodeWav(new Float64Array(3), 0, {}, 'o.wav')).toThrow(
      'o.wav: invalid sample rate (expected a positive integer, found 0)',
    );
    expect(() => encodeWav(new Float64Array(3), 8000, { format: 'mp3' as never }, 'o.wav')).toThrow(
      'o.wav: unknown WAV format',
    );
  });
});

describe('broken WAV files', () => {
  const good = encodeWav(noise(100, 6), 8000, { format: 'pcm16' }); // canonical 44-byte header
  const edit = (f: (b: Uint8Array, dv: DataView) => void) => {
    const b = good.slice();
    f(b, new DataView(b.buffer));
    return b;
  };
  const ascii = (b: Uint8Array, o: number, s: string) => [...s].forEach((c, i) => (b[o + i] = c.charCodeAt(0)));
  const corpus: [string, Uint8Array, string][] = [
    ['empty.wav', new Uint8Array(0), 'empty.wav: empty file (expected a WAV file, found 0 bytes)'],
    [
      'short.wav',
      good.slice(0, 10),
      'short.wav: not a WAV file: too short for a RIFF header (expected at least 12 bytes, found 10 bytes)',
    ],
    [
      'text.wav',
      new TextEncoder().encode('hello, this is not audio at all'),
      'text.wav: not a WAV file: no RIFF header (expected "RIFF" at byte 0, found "hell")',
    ],
    [
      'riff.wav',
      edit((b) => ascii(b, 0, 'RIFZ')),
      'riff.wav: not a WAV file: no RIFF header (expected "RIFF" at byte 0, found "RIFZ")',
    ],
    [
      'rifx.wav',
      edit((b) => ascii(b, 0, 'RIFX')),
      'rifx.wav: unsupported WAV container (expected a little-endian RIFF file, found "RIFX")',
    ],
    [
      'avi.wav',
      edit((b) => ascii(b, 8, 'AVI ')),
      'avi.wav: not a WAV file: RIFF form is not WAVE (expected "WAVE" at byte 8, found "AVI ")',
    ],
    [
      'truncated.wav',
      good.slice(0, 44 + 150),
      'truncated.wav: truncated data chunk (expected 200 bytes of samples (as its header says), found 150 bytes)',
    ],
    [
      'halfframe.wav',
      edit((_, dv) => dv.setUint32(40, 199, true)),
      'halfframe.wav: data chunk is not a whole number of sample frames (expected a multiple of 2 bytes, found 199 bytes)',
    ],
    [
      'zero-channels.wav',
      edit((_, dv) => dv.setUint16(22, 0, true)),
      'zero-channels.wav: WAV file has zero channels (expected at least one channel, found 0)',
    ],
    [
      'zero-rate.wav',
      edit((_, dv) => dv.setUint32(24, 0, true)),
      'zero-rate.wav: WAV file has sample rate 0 (expected a positive sample rate, found 0)',
    ],
    [
      'huge-data.wav',
      edit((_, dv) => dv.setUint32(40, 0xfffffff0, true)),
      'huge-data.wav: truncated data chunk (expected 4294967280 bytes of samples (as its header says), found 200 bytes)',
    ],
    [
      'huge-fmt.wav',
      edit((_, dv) => dv.setUint32(16, 0x7fffffff, true)),
      'huge-fmt.wav: chunk "fmt " runs past the end of the file (expected 2147483647 bytes, found 224 bytes)',
    ],
    [
      'tiny-fmt.wav',
      edit((_, dv) => dv.setUint32(16, 8, true)),
      'tiny-fmt.wav: fmt chunk too short (expected at least 16 bytes, found 8 bytes)',
    ],
    [
      'adpcm.wav',
      edit((_, dv) => dv.setUint16(20, 2, true)),
      'adpcm.wav: unsupported WAV sample format (expected format code 1 (PCM) or 3 (IEEE float), found 2 (Microsoft ADPCM))',
    ],
    [
      'ext-alaw.wav',
      extensibleWav(6, 1, 8, new Uint8Array(4)),
      'ext-alaw.wav: unsupported WAV sample format (expected format code 1 (PCM) or 3 (IEEE float), found 6 (A-law))',
    ],
    [
      'code-9.wav',
      edit((_, dv) => dv.setUint16(20, 9, true)),
      'code-9.wav: unsupported WAV sample format (expected format code 1 (PCM) or 3 (IEEE float), found 9)',
    ],
    [
      'pcm12.wav',
      edit((_, dv) => dv.setUint16(34, 12, true)),
      'pcm12.wav: unsupported PCM bit depth (expected 8, 16, 24, 32, found 12)',
    ],
    [
      'float16.wav',
      edit((_, dv) => dv.setUint16(20, 3, true)),
      'float16.wav: unsupported float bit depth (expected 32, 64, found 16)',
    ],
    [
      'align.wav',
      edit((_, dv) => dv.setUint16(32, 3, true)),
      'align.wav: inconsistent block align in the fmt chunk (expected 2 bytes per frame (1 channels × 16 bits), found 3)',
    ],
    [
      'no-data.wav',
      edit((b) => ascii(b, 36, 'junk')),
      'no-data.wav: no data chunk (expected a "data" chunk with the samples)',
    ],
    [
      'no-fmt.wav',
      edit((b) => ascii(b, 12, 'junk')),
      'no-fmt.wav: data chunk before the fmt chunk (expected a fmt chunk first)',
    ],
  ];
  for (const [name, bytes, message] of corpus) {
    it(`${name}: ${message.slice(name.length + 2)}`, () => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      let err: unknown;
      try {
        readWav(file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NmflabError);
      expect((err as NmflabError).message).toBe(message.replace(name, file));
    });
  }
  it('a missing file', () => {
    expect(() => readWav(join(dir, 'nope.wav'))).toThrow(/nope\.wav: file not found \(expected a WAV file\)/);
  });
});

describe('resampling', () => {
  /** Frequency of the strongest sinusoid, by a fine direct DFT search around the expected value. */
  function peakHz(x: Float64Array, rate: number, around: number): number {
    let best = 0,
      bestP = -1;
    for (let f = around - 5; f <= around + 5; f += 0.25) {
      let re = 0,
        im = 0;
      for (let t = 0; t < x.length; t++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / x.length);
        re += w * x[t] * Math.cos((2 * Math.PI * f * t) / rate);
        im += w * x[t] * Math.sin((2 * Math.PI * f * t) / rate);
      }
      if (re * re + im * im > bestP) (bestP = re * re + im * im), (best = f);
    }
    return best;
  }
  const rate = 16000,
    L = 8000;
  const sine = new Float64Array(L).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));

  for (const to of [8000, 22050, 44100]) {
    it(`a 440 Hz sine keeps its frequency and amplitude, and the length scales (16000 → ${to} Hz)`, () => {
      const y = resample(sine, rate, to);
      expect(y.length).toBe(Math.ceil((L * to) / rate));
      expect(peakHz(y, to, 440)).toBeCloseTo(440, 0);
      // Away from the edges the output is the same sine sampled at the new rate.
      let err = 0;
      for (let i = 200; i < y.length - 200; i++)
        err = Math.max(err, Math.abs(y[i] - 0.5 * Math.sin((2 * Math.PI * 440 * i) / to)));
      expect(err).toBeLessThan(1e-3);
    });
  }

  it('removes content above the new Nyquist when downsampling', () => {
    const hi = new Float64Array(L).map((_, i) => Math.sin((2 * Math.PI * 6000 * i) / rate)); // above 4 kHz
    const y = resample(hi, rate, 8000);
    let e = 0;
    for (let i = 100; i < y.length - 100; i++) e += y[i] ** 2;
    expect(Math.sqrt(e / (y.length - 200))).toBeLessThan(1e-3);
  });

  it('readWav resamples and downmixes on request; bad rates are errors', () => {
    const file = join(dir, 'rs.wav');
    writeWav(file, [sine, sine], rate, { format: 'float64' });
    const r = readWav(file, { mono: true, sampleRate: 22050 });
    expect(r.sampleRate).toBe(22050);
    expect(r.channels).toHaveLength(1);
    expect(r.samples.length).toBe(Math.ceil((L * 22050) / rate));
    expect(Array.from(resample(sine, rate, rate))).toEqual(Array.from(sine));
    expect(() => resample(sine, rate, 0)).toThrow(
      'sampleRate: invalid target sample rate (expected a positive number, found 0)',
    );
  });
});
