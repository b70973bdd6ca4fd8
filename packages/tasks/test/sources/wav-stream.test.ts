import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, Registry, Stft, createContainer, encodeWav, readWav, type WavFormat } from '@nmflab/core';
import { openFrameStream, tasksModule, type FrameStream } from '@nmflab/tasks';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const registry = Registry.fromContainer(createContainer([tasksModule]));
const { dir } = tempDirs('nmflab-wav-stream-');

function tone(length: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = 0.5 * Math.sin(0.01 * i * (1 + 0.001 * i)) + 0.1 * (rng.uniform() - 0.5);
  return x;
}

function write(name: string, x: Float64Array | Float64Array[], format: WavFormat = 'pcm16', rate = 8000): string {
  const file = join(dir, name);
  writeFileSync(file, encodeWav(x, rate, { format }));
  return file;
}

/** Every block of the stream, concatenated by columns. */
function collect(s: FrameStream, size: number): number[][] {
  const rows: number[][] = Array.from({ length: s.bins }, () => []);
  for (const X of s.blocks(size))
    for (let f = 0; f < X.rows; f++) for (let j = 0; j < X.cols; j++) rows[f].push(X.get(f, j));
  return rows;
}

describe('source wav-stream', () => {
  const cases: [string, number, Record<string, unknown>][] = [
    ['reflect padding, magnitude', 20000, {}],
    ['zero padding, power', 20000, { padMode: 'zero', representation: 'power' }],
    ['no centring, hop 100', 9001, { center: false, hop: 100, frameLength: 512 }],
    ['a short file (reflections fold)', 700, { frameLength: 256, hop: 64 }],
  ];
  for (const [name, length, params] of cases) {
    it(`${name}: the blocks are the whole-file STFT frames, bit for bit, whatever the block size`, () => {
      const file = write(`t${length}.wav`, tone(length, length));
      const s = openFrameStream({ path: file, frameLength: 1024, hop: 256, ...params } as never);
      const w = readWav(file, { mono: true });
      const stft = new Stft({ sampleRate: 8000, frameLength: 1024, hop: 256, ...params } as never);
      const V = stft.represent(stft.analyze(w.samples));
      expect([s.bins, s.frames]).toEqual([V.rows, V.cols]);
      for (const size of [1, 7, 64, 100000]) {
        const rows = collect(s, size);
        expect(rows.flat()).toEqual(Array.from(V.data));
      }
      const from = Math.floor(s.frames / 3),
        to = Math.min(s.frames, from + 5);
      const part = s.read(from, to);
      for (let f = 0; f < s.bins; f++) for (let j = from; j < to; j++) expect(part.get(f, j - from)).toBe(V.get(f, j));
      s.close();
    });
  }

  it('stereo files are averaged as readWav({ mono: true }) does; float32 files too', () => {
    const file = write('st.wav', [tone(5000, 1), tone(5000, 2)], 'float32');
    const s = openFrameStream({ path: file });
    const w = readWav(file, { mono: true });
    const stft = new Stft({ sampleRate: 8000, frameLength: 1024, hop: 256 });
    expect(collect(s, 10).flat()).toEqual(Array.from(stft.represent(stft.analyze(w.samples)).data));
    s.close();
  });

  it('the plugin gives the stream as data.extra.stream; bad input is named', async () => {
    const file = write('p.wav', tone(3000, 3));
    const src = registry.create(
      'source',
      { id: 'wav-stream', params: { path: file, frameLength: 256, hop: 128 } },
      { path: 'data' },
    );
    const d = await src.load(new Rng(0));
    const s = d.extra!.stream as FrameStream;
    expect(s.bins).toBe(129);
    expect(s.frameAt(0.25)).toBe(Math.ceil(2000 / 128));
    expect(s.frameAt(100)).toBe(s.frames);
    expect(() => s.read(0, s.frames + 1)).toThrow(/frame range outside the recording/);
    s.close();
    const missing = registry.create(
      'source',
      { id: 'wav-stream', params: { path: join(dir, 'nope.wav') } },
      { path: 'data' },
    );
    expect(() => missing.load(new Rng(0))).toThrow(/nope\.wav: file not found/);
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not a wav file at all');
    expect(() => openFrameStream({ path: bad })).toThrow(/bad\.wav: not a WAV file/);
    expect(
      registry.validate('source', { id: 'wav-stream', params: { path: file, frameLenght: 512 } }, { path: 'data' })
        .errors.length,
    ).toBeGreaterThan(0);
  });
});
