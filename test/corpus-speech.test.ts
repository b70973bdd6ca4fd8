/**
 * The speech + chime corpus in data/corpus/speech/ matches its manifest (every file present and
 * listed, size, sha256, WAV header parsed here independently of the project's reader), and its
 * splits hold what they promise: no test speaker in the speaker-disjoint training set, no test
 * chime pitch in the pitch-disjoint training melody, at least 3 test speakers and 30 test items.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../data/corpus/speech/', import.meta.url));

interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
  sampleRate: number;
  samples: number;
  source: 'speech' | 'chime';
  split: 'train' | 'adapt' | 'test';
  speaker?: string;
  pitchSet?: string;
  notes?: { pitch: number; onset: number; offset: number }[];
}
interface Item {
  id: string;
  split: string;
  speaker: string;
  stems: Record<string, string>;
  train: Record<string, Record<string, string[]>>;
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  sampleRate: number;
  sources: string[];
  snrDb: number[];
  speakers: Record<string, { split: string }>;
  pitchSets: Record<string, number[]>;
  files: FileEntry[];
  items: Item[];
};
const byPath = new Map(manifest.files.map((f) => [f.path, f]));

function listFiles(d: string, prefix = ''): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('data/corpus/speech matches its manifest', () => {
  it('every file is listed and every listed file is present; a few MB in all', () => {
    const present = listFiles(dir).filter((f) => f !== 'manifest.json' && f !== 'SOURCES.md');
    expect(present.sort()).toEqual(manifest.files.map((f) => f.path).sort());
    expect(manifest.files.reduce((s, f) => s + f.bytes, 0)).toBeLessThan(4 * 1024 * 1024);
  });

  it('sizes, sha256 and canonical 16-bit mono WAV headers', () => {
    for (const f of manifest.files) {
      const buf = readFileSync(join(dir, f.path));
      expect(buf.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(buf).digest('hex'), f.path).toBe(f.sha256);
      expect(buf.toString('ascii', 0, 4) + buf.toString('ascii', 8, 16) + buf.toString('ascii', 36, 40), f.path).toBe(
        'RIFFWAVEfmt data',
      );
      expect([buf.readUInt16LE(20), buf.readUInt16LE(22), buf.readUInt32LE(24), buf.readUInt16LE(34)], f.path).toEqual([
        1,
        1,
        f.sampleRate,
        16,
      ]);
      expect(buf.readUInt32LE(40), f.path).toBe(2 * f.samples);
      expect(f.sampleRate, f.path).toBe(f.source === 'speech' ? 8000 : 16000);
    }
  });
});

describe('splits', () => {
  const test = manifest.items.filter((i) => i.split === 'test');

  it('at least 30 test items from at least 3 test speakers, each stem a test file of its source', () => {
    expect(test.length).toBeGreaterThanOrEqual(30);
    const speakers = new Set(test.map((i) => i.speaker));
    expect(speakers.size).toBeGreaterThanOrEqual(3);
    for (const i of test) {
      expect(Object.keys(i.stems)).toEqual(manifest.sources);
      for (const [source, path] of Object.entries(i.stems)) {
        expect(byPath.get(path), `${i.id}: ${path}`).toMatchObject({ source, split: 'test' });
      }
      expect(byPath.get(i.stems.speech!)!.speaker).toBe(i.speaker);
      expect(byPath.get(i.stems.speech!)!.samples * 2).toBe(byPath.get(i.stems.chime!)!.samples); // 8 and 16 kHz, same length
    }
    expect(new Set(test.map((i) => i.stems.speech)).size).toBe(test.length);
  });

  it("speaker-disjoint training holds no test speaker; same-speaker training is the item speaker's adapt file", () => {
    const testSpeakers = new Set(test.map((i) => i.speaker));
    for (const s of testSpeakers) expect(manifest.speakers[s].split).toBe('test');
    for (const i of test) {
      for (const p of i.train.speech!['speaker-disjoint']) {
        const f = byPath.get(p)!;
        expect(f.split).toBe('train');
        expect(testSpeakers.has(f.speaker!)).toBe(false);
      }
      expect(i.train.speech!['same-speaker'].map((p) => byPath.get(p)!)).toEqual([
        expect.objectContaining({ split: 'adapt', speaker: i.speaker }),
      ]);
    }
  });

  it('test chime pitches: none in the pitch-disjoint training melody, all in the pitch-overlap one', () => {
    const pitches = (paths: string[]) => new Set(paths.flatMap((p) => byPath.get(p)!.notes!.map((n) => n.pitch)));
    for (const i of test) {
      const testPitches = pitches([i.stems.chime!]);
      expect(testPitches.size).toBeGreaterThan(0);
      const disjoint = pitches(i.train.chime!['pitch-disjoint']);
      const overlap = pitches(i.train.chime!['pitch-overlap']);
      expect([...testPitches].filter((p) => disjoint.has(p))).toEqual([]);
      expect([...testPitches].filter((p) => !overlap.has(p))).toEqual([]);
    }
    expect(manifest.pitchSets.test!.filter((p) => manifest.pitchSets['pitch-disjoint'].includes(p))).toEqual([]);
  });

  it('every note lies inside its recording', () => {
    for (const f of manifest.files.filter((x) => x.notes)) {
      for (const n of f.notes!) expect(n.onset, f.path).toBeLessThan(f.samples / f.sampleRate);
    }
  });
});
