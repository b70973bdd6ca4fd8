import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NmflabError, Rng, decodeAudio, readAudio, sniffCodec, writeAudio, writeWav } from '@nmflab/core';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const { dir } = tempDirs('nmflab-audio-');
const has = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const SOX = has('sox');
const OPUSENC = has('opusenc');
if (!SOX)
  console.warn(
    'audio.test: sox not found (Debian package sox, libsox-fmt-mp3; see .ci/system-deps): FLAC/MP3/Vorbis decoding tests skipped',
  );
if (!OPUSENC) console.warn('audio.test: opusenc not found (Debian package opus-tools): Ogg Opus decoding test skipped');

/**
 * Two channels at 16 kHz, 0.5 s, 16-bit-exact values, neither periodic (so a delay shows): a chirp
 * 200 → 2000 Hz left, smoothed noise right.
 */
function stereo(): Float64Array[] {
  const L = 8000;
  const q = (v: number) => Math.round(v * 32768) / 32768 + 0; // + 0: no −0
  const rng = new Rng(7);
  let s = 0;
  return [
    new Float64Array(L).map((_, t) => q(0.5 * Math.sin(2 * Math.PI * (200 * (t / 16000) + 1800 * (t / 16000) ** 2)))),
    new Float64Array(L).map(() => q((s = 0.9 * s + 0.1 * (2 * rng.uniform() - 1)) * 2)),
  ];
}

/** The delay of `y` against `x` (0…maxLag samples) that matches best, and the relative error there. */
function aligned(x: Float64Array, y: Float64Array, maxLag: number): { lag: number; err: number } {
  let best = { lag: 0, err: Infinity };
  for (let lag = 0; lag <= maxLag; lag++) {
    const err = relErr(x.subarray(500, x.length - 500), y.subarray(500 + lag));
    if (err < best.err) best = { lag, err };
  }
  return best;
}

function encode(wav: string, out: string, args: string[] = []): void {
  const r = spawnSync('sox', [wav, ...args, out]);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
}

/** Relative error of `y` against `x` over their common length. */
function relErr(x: Float64Array, y: Float64Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    num += (x[i] - y[i]) ** 2;
    den += x[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('readAudio', () => {
  const src = join(dir, 'stereo.wav');
  const x = stereo();
  writeWav(src, x, 16000);

  it('reads WAV through the WAV reader: keep, mix, pick a channel, resample', async () => {
    const keep = await readAudio(src);
    expect(keep.codec).toBe('wav');
    expect(keep.lossy).toBe(false);
    expect(keep.channels.length).toBe(2);
    expect(keep.channels[0]).toEqual(x[0]);
    expect(keep.channels[1]).toEqual(x[1]);
    const mix = await readAudio(src, { channels: 'mix' });
    expect(mix.channels.length).toBe(1);
    expect(mix.fileChannels).toBe(2);
    expect(mix.channels[0][100]).toBeCloseTo((x[0][100] + x[1][100]) / 2, 15);
    const right = await readAudio(src, { channels: 1 });
    expect(right.channels).toEqual([x[1]]);
    const up = await readAudio(src, { channels: 0, sampleRate: 32000 });
    expect(up.sampleRate).toBe(32000);
    expect(up.fileSampleRate).toBe(16000);
    expect(up.channels[0].length).toBe(16000);
  });

  it('errors name the file and what was found', async () => {
    await expect(readAudio(join(dir, 'missing.flac'))).rejects.toThrow(
      /missing\.flac.*file not found|file not found[\s\S]*missing\.flac/,
    );
    const junk = join(dir, 'junk.mp3');
    writeFileSync(junk, 'hello, this is text');
    const e = await readAudio(junk).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NmflabError);
    expect(String((e as Error).message)).toMatch(/junk\.mp3/);
    expect(String((e as Error).message)).toMatch(/68 65 6c 6c 6f/);
    await expect(readAudio(src, { channels: 2 })).rejects.toThrow(/no such channel[\s\S]*0…1/);
    // A FLAC signature with nothing after it.
    const broken = join(dir, 'broken.flac');
    writeFileSync(broken, Buffer.from('fLaC\x00\x00\x00\x22garbage-garbage-garbage'));
    const b = await readAudio(broken).catch((err: unknown) => err);
    expect(b).toBeInstanceOf(NmflabError);
    expect(String((b as Error).message)).toMatch(/broken\.flac[\s\S]*FLAC|FLAC[\s\S]*broken\.flac/);
  });

  it('knows containers by content, not by name', () => {
    expect(sniffCodec(Buffer.from('fLaC\0\0\0\0'))).toBe('flac');
    expect(sniffCodec(Buffer.from('ID3\x04'))).toBe('mp3');
    expect(sniffCodec(Uint8Array.from([0xff, 0xfb, 0x90, 0x00]))).toBe('mp3');
    expect(sniffCodec(Buffer.from('RIFF\0\0\0\0WAVE'))).toBe('wav');
    expect(sniffCodec(Buffer.from('hello'))).toBeUndefined();
  });

  it('writes WAV only, and says so for another extension', () => {
    expect(() => writeAudio(join(dir, 'out.flac'), x, 16000)).toThrow(/\.wav[\s\S]*\.flac|\.flac[\s\S]*\.wav/);
    writeAudio(join(dir, 'out.wav'), x, 16000, { format: 'float32' });
    return decodeAudio(readFileSync(join(dir, 'out.wav')), 'out.wav').then((a) => expect(a.channels.length).toBe(2));
  });

  it.skipIf(!SOX)('FLAC (16 and 24 bit, native and a mislabelled name) decodes bit-exactly', async () => {
    for (const bits of [16, 24]) {
      const f = join(dir, `s${bits}.flac`);
      encode(src, f, ['-b', String(bits)]);
      const a = await readAudio(f);
      expect(a.codec).toBe('flac');
      expect(a.sampleRate).toBe(16000);
      expect(a.channels.length).toBe(2);
      expect(a.channels[0].length).toBe(8000);
      for (let c = 0; c < 2; c++) for (let i = 0; i < 8000; i++) expect(a.channels[c][i]).toBe(x[c][i]);
    }
    const named = join(dir, 'flac-named.wav');
    writeFileSync(named, readFileSync(join(dir, 's16.flac')));
    expect((await readAudio(named)).codec).toBe('flac');
  });

  it.skipIf(!SOX)(
    'MP3 and Ogg Vorbis decode close to the original (lossy), with the right rate and channels',
    async () => {
      for (const [ext, codec, tol] of [
        ['mp3', 'mp3', 0.2],
        ['ogg', 'vorbis', 0.2],
      ] as const) {
        const f = join(dir, `s.${ext}`);
        encode(src, f, ext === 'mp3' ? ['-C', '192'] : ['-C', '6']);
        const a = await readAudio(f);
        expect(a.codec).toBe(codec);
        expect(a.lossy).toBe(true);
        expect(a.sampleRate).toBe(16000);
        expect(a.channels.length).toBe(2);
        // Vorbis trims its own pre-skip; sox's MP3 has no Xing header, so LAME's delay (576 + 529
        // samples) stays, the same in both channels.
        const expectedLag = codec === 'mp3' ? 1105 : 0;
        expect(a.channels[0].length - 8000 - expectedLag).toBeGreaterThanOrEqual(0);
        expect(a.channels[0].length - 8000 - expectedLag).toBeLessThan(1200);
        for (let c = 0; c < 2; c++) {
          const { lag, err } = aligned(x[c], a.channels[c], 1500);
          expect(lag).toBe(expectedLag);
          expect(err).toBeLessThan(tol);
        }
        const m = await readAudio(f, { channels: 'mix' });
        expect(m.channels.length).toBe(1);
      }
    },
  );

  it.skipIf(!OPUSENC)('Ogg Opus decodes at 48 kHz and resamples on request', async () => {
    const f = join(dir, 's.opus');
    const r = spawnSync('opusenc', ['--quiet', '--bitrate', '96', src, f]);
    expect(r.status).toBe(0);
    const a = await readAudio(f);
    expect(a.codec).toBe('opus');
    expect(a.fileSampleRate).toBe(48000);
    expect(a.channels.length).toBe(2);
    const b = await readAudio(f, { sampleRate: 16000, channels: 0 });
    expect(b.sampleRate).toBe(16000);
    expect(Math.abs(b.channels[0].length - 8000)).toBeLessThan(2000);
    // The decoder applies the stream's pre-skip, so the signal lines up.
    const { lag, err } = aligned(x[0], b.channels[0], 1500);
    expect(lag).toBe(0);
    expect(err).toBeLessThan(0.2);
  });

  it('random bytes that only look like MPEG sync are an error naming the file', async () => {
    const rng = new Rng(3);
    const bytes = new Uint8Array(4000).map(() => Math.floor(rng.uniform() * 256));
    bytes[0] = 0xff;
    bytes[1] = 0xfb;
    const f = join(dir, 'noise.mp3');
    writeFileSync(f, bytes);
    const e = await readAudio(f).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NmflabError);
    expect(String((e as Error).message)).toMatch(/noise\.mp3/);
  });
});
