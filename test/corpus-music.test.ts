/**
 * The transcription corpus (data/corpus/music, made by scripts/make-corpus-music.sh) is split as its
 * manifest says: train and test share no soundfont and no pitch set, the test side has at least 10
 * pieces and 3 soundfonts, every melody is its own, and each piece has what the onset rule must
 * handle (chords, a pitch struck again after a short gap). Files and hashes are checked by
 * data.test.ts against the same manifest.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../data/corpus/music/', import.meta.url));
interface Item {
  id: string;
  split: 'train' | 'test';
  audio: string;
  notes: string;
  midi: string;
  soundfont: string;
  pitchSet: string;
  repeatedNotes: number;
  chords: number;
  noteCount: number;
}
const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
  items: Item[];
  soundfonts: { id: string; split: string; family: string }[];
  pitchSets: { id: string; split: string; pitches: number[] }[];
  splits: { train: { soundfonts: string[]; pitchSets: string[] }; test: { soundfonts: string[]; pitchSets: string[] } };
};
type Note = { pitch: number; onset: number; offset: number };
const notesOf = (it: Item) =>
  JSON.parse(readFileSync(join(root, it.notes), 'utf8')) as {
    notes: Note[];
    pitches: number[];
    soundfont: string;
    pitchSet: string;
  };

describe('music corpus split', () => {
  const train = m.items.filter((i) => i.split === 'train');
  const test = m.items.filter((i) => i.split === 'test');

  it('the test side has ≥ 10 pieces over ≥ 3 soundfonts none of which is used in training', () => {
    expect(test.length).toBeGreaterThanOrEqual(10);
    const testFonts = new Set(test.map((i) => i.soundfont));
    const trainFonts = new Set(train.map((i) => i.soundfont));
    expect(testFonts.size).toBeGreaterThanOrEqual(3);
    expect([...testFonts].filter((f) => trainFonts.has(f))).toEqual([]);
    expect([...testFonts].sort()).toEqual([...m.splits.test.soundfonts].sort());
    expect([...trainFonts].sort()).toEqual([...m.splits.train.soundfonts].sort());
  });

  it('no soundfont family is on both sides (the FluidR3-derived banks are all training)', () => {
    const family = (id: string) => m.soundfonts.find((f) => f.id === id)!.family.split(' (')[0];
    const trainFamilies = new Set(train.map((i) => family(i.soundfont)));
    expect(test.filter((i) => trainFamilies.has(family(i.soundfont)))).toEqual([]);
  });

  it('pitch sets are disjoint between the splits and every pitch set is a distinct set', () => {
    const trainSets = new Set(train.map((i) => i.pitchSet));
    expect(test.filter((i) => trainSets.has(i.pitchSet))).toEqual([]);
    const keys = m.pitchSets.map((s) => [...s.pitches].sort((a, b) => a - b).join(','));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every piece has its own melody, its files, chords and repeated notes after a short gap', () => {
    const melodies = new Set<string>();
    for (const it of m.items) {
      for (const f of [it.audio, it.notes, it.midi]) expect(existsSync(join(root, f)), f).toBe(true);
      const doc = notesOf(it);
      expect(doc.soundfont).toBe(it.soundfont);
      expect(doc.pitchSet).toBe(it.pitchSet);
      expect(doc.pitches).toEqual([...m.pitchSets.find((s) => s.id === it.pitchSet)!.pitches].sort((a, b) => a - b));
      expect(doc.notes.length).toBe(it.noteCount);
      melodies.add(doc.notes.map((n) => `${n.pitch}@${n.onset}`).join(' '));
      // recomputed from the note list, not taken from the manifest
      const repeated = doc.notes.filter((n) =>
        doc.notes.some((k) => k.pitch === n.pitch && k.onset >= n.offset && k.onset - n.offset <= 0.15),
      ).length;
      const onsets = new Map<number, number>();
      for (const n of doc.notes) onsets.set(n.onset, (onsets.get(n.onset) ?? 0) + 1);
      expect(repeated, it.id).toBe(it.repeatedNotes);
      expect(repeated, it.id).toBeGreaterThanOrEqual(2);
      expect([...onsets.values()].filter((c) => c > 1).length, it.id).toBeGreaterThanOrEqual(2);
    }
    expect(melodies.size).toBe(m.items.length);
  });
});
