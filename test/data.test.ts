/**
 * The committed dataset in data/ matches data/manifest.json (presence, size, sha256, WAV headers),
 * and its ground truth is well-formed and consistent with the audio: note and onset times lie inside
 * the recordings, every mixture's stems exist and the mixture equals the sum of its stems sample by
 * sample within 16-bit quantization. WAV and .npy headers are parsed here, independently of the
 * project's own readers.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMatrix } from '@nmflab/core';

const dataDir = fileURLToPath(new URL('../data/', import.meta.url));

interface ManifestEntry {
  path: string;
  bytes: number;
  sha256: string;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  samples?: number;
}
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { files: ManifestEntry[] };

// data/corpus/<name>/ holds evaluation corpora, each with its own manifest and test.
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? prefix === '' && e.name === 'corpus'
        ? []
        : listFiles(join(dir, e.name), `${prefix}${e.name}/`)
      : [`${prefix}${e.name}`],
  );
}

interface Wav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: number;
  samples: number;
  pcm: Int16Array;
}

/** Walks the RIFF chunks: 'fmt ' gives the format, 'data' the samples (chunks padded to even size). */
function readWav(file: string): Wav {
  const buf = readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${file}: not RIFF/WAVE`);
  expect(buf.readUInt32LE(4), `${file}: RIFF size`).toBe(buf.length - 8);
  let fmt: Omit<Wav, 'samples' | 'pcm'> | undefined;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
      expect(buf.readUInt32LE(body + 8), `${file}: byte rate`).toBe(
        (fmt.sampleRate * fmt.channels * fmt.bitsPerSample) / 8,
      );
      expect(buf.readUInt16LE(body + 12), `${file}: block align`).toBe((fmt.channels * fmt.bitsPerSample) / 8);
    } else if (id === 'data') {
      if (!fmt) throw new Error(`${file}: data chunk before fmt chunk`);
      expect(body + size, `${file}: data chunk inside the file`).toBeLessThanOrEqual(buf.length);
      const bytesPerFrame = (fmt.channels * fmt.bitsPerSample) / 8;
      const pcm = new Int16Array(size / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(body + 2 * i);
      return { ...fmt, samples: size / bytesPerFrame, pcm };
    }
    off = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

const wavCache = new Map<string, Wav>();
const wav = (file: string): Wav => {
  let w = wavCache.get(file);
  if (!w) wavCache.set(file, (w = readWav(file)));
  return w;
};
const duration = (w: Wav) => w.samples / w.sampleRate;

/** Notes of a Standard MIDI File (all tracks, constant tempo): pitch, onset/offset in s, velocity. */
function readMidiNotes(file: string): { pitch: number; onset: number; offset: number; velocity: number }[] {
  const b = readFileSync(file);
  expect(b.toString('ascii', 0, 4)).toBe('MThd');
  const ntracks = b.readUInt16BE(10),
    division = b.readUInt16BE(12);
  let usPerQuarter = 500_000;
  const open = new Map<number, { tick: number; velocity: number }>();
  const notes: { pitch: number; onTick: number; offTick: number; velocity: number }[] = [];
  let off = 8 + b.readUInt32BE(4);
  for (let t = 0; t < ntracks; t++) {
    expect(b.toString('ascii', off, off + 4)).toBe('MTrk');
    const end = off + 8 + b.readUInt32BE(off + 4);
    let p = off + 8,
      tick = 0,
      status = 0;
    const vlq = () => {
      let v = 0,
        c: number;
      do {
        c = b[p++];
        v = (v << 7) | (c & 0x7f);
      } while (c & 0x80);
      return v;
    };
    while (p < end) {
      tick += vlq();
      if (b[p] & 0x80) status = b[p++];
      if (status === 0xff) {
        const type = b[p++],
          len = vlq();
        if (type === 0x51) usPerQuarter = b.readUIntBE(p, 3);
        p += len;
      } else if (status === 0xf0 || status === 0xf7) {
        const len = vlq(); // read before adding: `p += vlq()` would add to the old p
        p += len;
      } else {
        const hi = status & 0xf0,
          d1 = b[p++],
          d2 = hi === 0xc0 || hi === 0xd0 ? 0 : b[p++];
        if (hi === 0x90 && d2 > 0) open.set(d1, { tick, velocity: d2 });
        else if (hi === 0x80 || (hi === 0x90 && d2 === 0)) {
          const o = open.get(d1)!;
          notes.push({ pitch: d1, onTick: o.tick, offTick: tick, velocity: o.velocity });
          open.delete(d1);
        }
      }
    }
    off = end;
  }
  expect(open.size, `${file}: notes left on`).toBe(0);
  const sec = (ticks: number) => (ticks * usPerQuarter) / division / 1e6;
  return notes
    .map((n) => ({ pitch: n.pitch, onset: sec(n.onTick), offset: sec(n.offTick), velocity: n.velocity }))
    .sort((a, c) => a.onset - c.onset || a.pitch - c.pitch);
}

function npyHeader(file: string): { descr: string; shape: number[]; dataBytes: number } {
  const buf = readFileSync(file);
  expect(buf.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  expect((start + hlen) % 16, `${file}: header alignment`).toBe(0);
  expect(header).toMatch(/'fortran_order': False/);
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  return { descr, shape, dataBytes: buf.length - start - hlen };
}

describe('data/ matches data/manifest.json', () => {
  const listed = new Set(manifest.files.map((f) => f.path));
  // each corpus in data/corpus/ has its own manifest, checked below
  const present = listFiles(dataDir).filter(
    (f) => f !== 'manifest.json' && f !== 'SOURCES.md' && !f.startsWith('corpus/'),
  );

  it('every file is listed and every listed file is present', () => {
    expect([...present].sort()).toEqual([...listed].sort());
    expect(existsSync(join(dataDir, 'SOURCES.md'))).toBe(true);
  });

  it('the dataset stays small (a few MB)', () => {
    const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
    expect(total).toBeLessThan(6 * 1024 * 1024);
  });

  for (const entry of manifest.files) {
    it(`${entry.path}: size and sha256${entry.path.endsWith('.wav') ? ', WAV header' : ''}`, () => {
      const buf = readFileSync(join(dataDir, entry.path));
      expect(buf.length).toBe(entry.bytes);
      expect(createHash('sha256').update(buf).digest('hex')).toBe(entry.sha256);
      if (entry.path.endsWith('.wav')) {
        const w = wav(join(dataDir, entry.path));
        expect(w.format, 'PCM').toBe(1);
        expect({
          sampleRate: w.sampleRate,
          channels: w.channels,
          bitsPerSample: w.bitsPerSample,
          samples: w.samples,
        }).toEqual({
          sampleRate: entry.sampleRate,
          channels: entry.channels,
          bitsPerSample: entry.bitsPerSample,
          samples: entry.samples,
        });
        // The project's audio convention: 16 kHz mono 16-bit.
        expect([w.sampleRate, w.channels, w.bitsPerSample]).toEqual([16000, 1, 16]);
      }
    });
  }
});

// The music corpus (its own folder, script and manifest.json): the same checks against its manifest
// (the speech corpus's own test checks that one).
const corpora = ['music'].filter((d) => existsSync(join(dataDir, 'corpus', d, 'manifest.json')));
for (const name of corpora) {
  const root = join(dataDir, 'corpus', name);
  const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { files: ManifestEntry[] };
  describe(`data/corpus/${name}/ matches its manifest.json`, () => {
    it('every file is listed and every listed file is present', () => {
      expect(
        listFiles(root)
          .filter((f) => f !== 'manifest.json')
          .sort(),
      ).toEqual(m.files.map((f) => f.path).sort());
    });
    it('the corpus stays small (a few MB)', () => {
      expect(m.files.reduce((s, f) => s + f.bytes, 0)).toBeLessThan(6 * 1024 * 1024);
    });
    it('sizes, sha256 and WAV headers', () => {
      for (const entry of m.files) {
        const buf = readFileSync(join(root, entry.path));
        expect(buf.length, entry.path).toBe(entry.bytes);
        expect(createHash('sha256').update(buf).digest('hex'), entry.path).toBe(entry.sha256);
        if (entry.path.endsWith('.wav')) {
          const w = wav(join(root, entry.path));
          expect([w.format, w.sampleRate, w.channels, w.bitsPerSample, w.samples], entry.path).toEqual([
            1,
            entry.sampleRate,
            entry.channels,
            entry.bitsPerSample,
            entry.samples,
          ]);
        }
      }
    });
  });
}

const jsonFiles = listFiles(dataDir).filter((f) => f.endsWith('.json') && !/(^|\/)manifest\.json$/.test(f));

describe('ground truth', () => {
  it('every audio file is described by some ground-truth JSON', () => {
    const described = new Set<string>();
    const add = (jsonPath: string, rel: string) => described.add(join(dirname(jsonPath), rel).slice(dataDir.length));
    for (const f of jsonFiles) {
      const j = JSON.parse(readFileSync(join(dataDir, f), 'utf8'));
      const at = join(dataDir, f);
      if (typeof j.audio === 'string') add(at, j.audio);
      if (j.audio && typeof j.audio === 'object') for (const a of Object.values(j.audio)) add(at, a as string);
      for (const x of j.files ?? []) add(at, x.audio);
      for (const s of j.stems ?? []) add(at, s.audio);
    }
    const wavs = manifest.files.map((e) => e.path).filter((p) => p.endsWith('.wav'));
    expect(wavs.filter((w) => !described.has(w))).toEqual([]);
  });

  for (const f of jsonFiles) {
    const path = join(dataDir, f);
    const j = JSON.parse(readFileSync(path, 'utf8'));
    const rel = (p: string) => join(dirname(path), p);

    if (j.kind === 'notes') {
      it(`${f}: notes lie inside the recording, pitches and names agree`, () => {
        const w = wav(rel(j.audio));
        expect(existsSync(rel(j.midi))).toBe(true);
        const names = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
        expect(j.notes.length).toBeGreaterThan(0);
        for (const n of j.notes) {
          expect(Number.isInteger(n.pitch) && n.pitch >= 0 && n.pitch <= 127).toBe(true);
          expect(n.name).toBe(`${names[n.pitch % 12]}${Math.floor(n.pitch / 12) - 1}`);
          expect(n.onset).toBeGreaterThanOrEqual(0);
          expect(n.offset).toBeGreaterThan(n.onset);
          expect(n.offset).toBeLessThanOrEqual(duration(w));
          expect(n.velocity >= 1 && n.velocity <= 127).toBe(true);
        }
        // The MIDI file that was rendered holds exactly these notes.
        const listed = j.notes.map((n: { pitch: number; onset: number; offset: number; velocity: number }) => ({
          pitch: n.pitch,
          onset: n.onset,
          offset: n.offset,
          velocity: n.velocity,
        }));
        expect(readMidiNotes(rel(j.midi))).toEqual(listed);
        expect(j.pitches).toEqual(
          [...new Set(j.notes.map((n: { pitch: number }) => n.pitch))].sort((a, b) => (a as number) - (b as number)),
        );
        // Every note's attack is audible: the signal around each onset is not silent.
        for (const n of j.notes) {
          const i = Math.round(n.onset * w.sampleRate);
          let pk = 0;
          for (let k = i; k < Math.min(w.samples, i + w.sampleRate / 10); k++) pk = Math.max(pk, Math.abs(w.pcm[k]));
          expect(pk, `onset ${n.onset} s`).toBeGreaterThan(100);
        }
      });
    }

    if (j.kind === 'onsets') {
      it(`${f}: onsets lie inside every stem, stems are silent before their first onset`, () => {
        for (const [name, onsets] of Object.entries(j.onsets as Record<string, number[]>)) {
          const w = wav(rel(j.audio[name]));
          expect(onsets.length).toBeGreaterThan(0);
          for (let i = 0; i < onsets.length; i++) {
            expect(onsets[i]).toBeGreaterThanOrEqual(0);
            expect(onsets[i]).toBeLessThan(duration(w));
            if (i > 0) expect(onsets[i]).toBeGreaterThan(onsets[i - 1]);
          }
          const first = Math.round(onsets[0] * w.sampleRate);
          for (let k = 0; k < first; k++) expect(w.pcm[k]).toBe(0);
          // Energy right after each onset: the hit is there.
          for (const t of onsets) {
            const i = Math.round(t * w.sampleRate);
            let pk = 0;
            for (let k = i; k < i + 160; k++) pk = Math.max(pk, Math.abs(w.pcm[k]));
            expect(pk, `${name} at ${t} s`).toBeGreaterThan(50);
          }
        }
        expect(existsSync(rel(j.mixture))).toBe(true);
      });
    }

    if (j.kind === 'mixture') {
      it(`${f}: the stems exist and sum to the mixture within 16-bit quantization`, () => {
        const mix = wav(rel(j.audio));
        expect(j.stems.length).toBeGreaterThanOrEqual(2);
        const stems = j.stems.map((s: { audio: string }) => wav(rel(s.audio)));
        for (const s of stems) expect(s.samples).toBe(mix.samples);
        let maxErr = 0;
        for (let i = 0; i < mix.samples; i++) {
          let sum = 0;
          for (const s of stems) sum += s.pcm[i];
          maxErr = Math.max(maxErr, Math.abs(sum - mix.pcm[i]));
        }
        expect(maxErr).toBeLessThanOrEqual(1);
        for (const s of j.stems) {
          if (s.train) expect(existsSync(rel(s.train)), s.train).toBe(true);
          if (s.notes) expect(existsSync(rel(s.notes)), s.notes).toBe(true);
        }
      });
    }

    if (j.kind === 'recordings') {
      it(`${f}: recordings exist with distinct train and test roles`, () => {
        const roles = j.files.map((x: { role: string }) => x.role).sort();
        expect(roles).toEqual(['test', 'train']);
        const hashes = j.files.map((x: { audio: string }) =>
          createHash('sha256')
            .update(readFileSync(rel(x.audio)))
            .digest('hex'),
        );
        expect(new Set(hashes).size).toBe(2);
        for (const x of j.files)
          if (x.highBandEnergyFraction !== undefined) expect(x.highBandEnergyFraction).toBeGreaterThan(0.01);
      });
    }

    if (j.kind === 'matrix' || j.kind === 'corpus') {
      it(`${f}: the matrix header agrees with the description`, () => {
        const h = npyHeader(rel(j.matrix));
        expect(h.descr).toBe(j.dtype);
        expect(h.shape).toEqual(j.shape);
        const bytes = { '<f8': 8, '<i4': 4, '<u1': 1 }[h.descr as '<f8'];
        expect(h.dataBytes).toBe(h.shape.reduce((a, b) => a * b, 1) * bytes);
        // The project's own reader takes the file as it is.
        const m = readMatrix(rel(j.matrix));
        expect([m.rows, m.cols]).toEqual(j.shape);
        if (j.kind === 'corpus') {
          expect(j.vocabulary.length).toBe(j.shape[1]);
          expect(new Set(j.vocabulary).size).toBe(j.vocabulary.length);
          expect(j.labels.length).toBe(j.shape[0]);
          for (const l of j.labels) expect(l >= 0 && l < j.categories.length).toBe(true);
          // Every document contains some vocabulary term and every term occurs in some document.
          const buf = readFileSync(rel(j.matrix));
          const data = new Int32Array(
            buf.buffer.slice(buf.byteOffset + buf.length - h.dataBytes, buf.byteOffset + buf.length),
          );
          const [D, T] = j.shape as [number, number];
          const rowSum = new Array<number>(D).fill(0),
            colSum = new Array<number>(T).fill(0);
          let negative = 0;
          for (let d = 0; d < D; d++)
            for (let t = 0; t < T; t++) {
              const c = data[d * T + t];
              if (c < 0) negative++;
              rowSum[d] += c;
              colSum[t] += c;
            }
          expect(negative).toBe(0);
          expect(rowSum.filter((s) => s === 0).length).toBe(0);
          expect(colSum.filter((s) => s === 0).length).toBe(0);
          // Terms are listed most frequent first.
          for (let t = 1; t < T; t++) expect(colSum[t]).toBeLessThanOrEqual(colSum[t - 1]);
        }
      });
    }
  }
});
