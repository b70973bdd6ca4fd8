import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NmflabError } from '@nmflab/core';
import { parseMidi } from '../../src/evaluation/midi.js';

const vlq = (v: number): number[] => {
  const out = [v & 0x7f];
  while ((v >>= 7) > 0) out.unshift((v & 0x7f) | 0x80);
  return out;
};
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const chunk = (tag: string, body: number[]) => [...Buffer.from(tag), ...u32(body.length), ...body];
const smf = (format: number, division: number, tracks: number[][]) =>
  Uint8Array.from([
    ...chunk('MThd', [0, format, 0, tracks.length, (division >> 8) & 0xff, division & 0xff]),
    ...tracks.flatMap((t) => chunk('MTrk', t)),
  ]);
const end = [0x00, 0xff, 0x2f, 0x00];

describe('parseMidi', () => {
  it('reads the corpus MIDI files exactly as their note lists', () => {
    for (const id of ['test/te1-csound', 'test/te5-opl3', 'train/tr2-musescore']) {
      const notes = parseMidi(readFileSync(`data/corpus/music/${id}.mid`), id);
      const truth = JSON.parse(readFileSync(`data/corpus/music/${id}.notes.json`, 'utf8')).notes as {
        pitch: number;
        onset: number;
        offset: number;
        velocity: number;
      }[];
      expect(notes.map(({ pitch, onset, offset, velocity }) => ({ pitch, onset, offset, velocity }))).toEqual(
        truth.map(({ pitch, onset, offset, velocity }) => ({ pitch, onset, offset, velocity })),
      );
    }
  });

  it('format 1: tempo map in its own track, a tempo change, running status, note-on velocity 0 as note-off, channel 10 left out', () => {
    // 96 ticks per quarter; 120 bpm, then 60 bpm from tick 192 (1 s)
    const tempo = [0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, ...vlq(192), 0xff, 0x51, 0x03, 0x0f, 0x42, 0x40, ...end];
    // C4 for a quarter (running status: 0x90 once), then E4 across the tempo change
    const melody = [0x00, 0x90, 60, 100, ...vlq(96), 60, 0, 0x00, 64, 90, ...vlq(192), 0x80, 64, 0, ...end];
    const drums = [0x00, 0x99, 36, 120, ...vlq(48), 0x89, 36, 0, ...end];
    const notes = parseMidi(smf(1, 96, [tempo, melody, drums]), 'x.mid');
    expect(
      notes.map(({ pitch, onset, offset, velocity, track }) => ({ pitch, onset, offset, velocity, track })),
    ).toEqual([
      { pitch: 60, onset: 0, offset: 0.5, velocity: 100, track: 1 },
      // ticks 96–288: 96 ticks at 120 bpm (0.5 s) then 96 at 60 bpm (1 s)
      { pitch: 64, onset: 0.5, offset: 2, velocity: 90, track: 1 },
    ]);
    expect(parseMidi(smf(1, 96, [tempo, melody, drums]), 'x.mid', { percussion: true }).map((n) => n.pitch)).toEqual([
      36, 60, 64,
    ]);
  });

  it('overlapping strikes of one pitch close first in, first out; notes still on close at the end of the track; meta and sysex are skipped', () => {
    const track = [
      0x00,
      0xff,
      0x03,
      0x04,
      ...Buffer.from('name'),
      0x00,
      0xf0,
      0x03,
      0x7e,
      0x7f,
      0xf7,
      0x00,
      0x90,
      67,
      80,
      ...vlq(48),
      0x90,
      67,
      70,
      ...vlq(48),
      0x80,
      67,
      0,
      ...vlq(48),
      0x80,
      67,
      0,
      0x00,
      0x90,
      72,
      60,
      ...vlq(96),
      0xb0,
      64,
      127, // controller, then the track ends with 72 still on
      ...end,
    ];
    const notes = parseMidi(smf(0, 96, [track]), 'x.mid');
    expect(notes.map(({ pitch, onset, offset, velocity }) => [pitch, onset, offset, velocity])).toEqual([
      [67, 0, 0.5, 80],
      [67, 0.25, 0.75, 70],
      [72, 0.75, 1.25, 60],
    ]);
  });

  it('SMPTE division: 25 frames × 40 ticks = 1000 ticks per second', () => {
    const track = [0x00, 0x90, 60, 100, ...vlq(500), 0x80, 60, 0, ...end];
    const notes = parseMidi(smf(0, (0xe7 << 8) | 40, [track]), 'x.mid');
    expect(notes[0].offset).toBeCloseTo(0.5, 12);
  });

  it('names the file and the byte where it is not MIDI', () => {
    expect(() => parseMidi(Buffer.from('RIFF....WAVEfmt '), 'song.wav')).toThrow(NmflabError);
    expect(() => parseMidi(Buffer.from('RIFF....WAVEfmt '), 'song.wav')).toThrow(/song\.wav.*not a Standard MIDI File/);
    const truncated = smf(0, 96, [[0x00, 0x90, 60, 100, ...end]]).subarray(0, 26);
    expect(() => parseMidi(truncated, 'cut.mid')).toThrow(/cut\.mid.*past the end/);
  });
});
