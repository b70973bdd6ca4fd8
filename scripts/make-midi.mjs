#!/usr/bin/env node
// Writes the dataset's Standard MIDI Files byte by byte, and the note lists next to them, so that
// every rendered note's pitch, onset, offset and velocity is known exactly.
//
//   node scripts/make-midi.mjs <data-dir>
//
// For each piece P it writes <data-dir>/<dir>/<P>.mid and <data-dir>/<dir>/<P>.notes.json.
// Timing: 480 ticks per quarter note, tempo 120 bpm (500000 µs per quarter), so one beat is 0.5 s
// and every onset/offset below (in beats) converts to seconds exactly.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PPQ = 480;
const US_PER_QUARTER = 500_000;
const SEC_PER_BEAT = US_PER_QUARTER / 1e6;
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
/** MIDI 60 = C4 (scientific pitch notation). */
export const noteName = (p) => `${NAMES[p % 12]}${Math.floor(p / 12) - 1}`;

/** A note in beats: [pitch, onsetBeat, durationBeats, velocity]. */
const n = (pitch, on, dur, vel = 80) => ({ pitch, on, dur, vel });

// 1. Transcription piece: 8 distinct pitches (C4..C5 major scale), melody with some two-note
//    intervals, 28 beats = 14 s of notes, rendered to 15 s.
const C4 = 60,
  D4 = 62,
  E4 = 64,
  F4 = 65,
  G4 = 67,
  A4 = 69,
  B4 = 71,
  C5 = 72;
const transcription = [
  n(C4, 0, 1),
  n(E4, 1, 1),
  n(G4, 2, 1),
  n(C5, 3, 1),
  n(B4, 4, 0.5),
  n(A4, 4.5, 0.5),
  n(G4, 5, 1),
  n(C4, 6, 2, 70),
  n(E4, 6, 2, 70),
  n(F4, 8, 1),
  n(A4, 9, 1),
  n(D4, 10, 1),
  n(B4, 11, 1),
  n(G4, 12, 2, 90),
  n(D4, 12, 2, 60),
  n(E4, 14, 0.5),
  n(F4, 14.5, 0.5),
  n(G4, 15, 0.5),
  n(A4, 15.5, 0.5),
  n(B4, 16, 0.5),
  n(C5, 16.5, 1.5),
  n(A4, 18, 1),
  n(F4, 19, 1),
  n(E4, 20, 1, 70),
  n(C5, 20, 1, 70),
  n(D4, 21, 1),
  n(G4, 22, 1),
  n(B4, 22, 1),
  n(E4, 23, 1),
  n(D4, 24, 1, 90),
  n(F4, 24, 1, 90),
  n(C4, 25, 3, 80),
  n(E4, 25, 3, 70),
  n(G4, 25, 3, 70),
  n(C5, 25, 3, 80),
];

// 2. Févotte, Bertin & Durrieu (2009), IS-NMF piano example: four notes (Db4 F4 Ab4 C5) played all
//    together first, then by pairs in all six combinations; one event every 2.5 beats (1.25 s),
//    each held 2 beats (1 s); rendered to 10 s.
const four = [61, 65, 68, 72];
const fourNotes = [...four.map((p) => n(p, 0, 2, 80))];
{
  let k = 1;
  for (let i = 0; i < 4; i++)
    for (let j = i + 1; j < 4; j++, k++) {
      fourNotes.push(n(four[i], 2.5 * k, 2, 80), n(four[j], 2.5 * k, 2, 80));
    }
}

// 3. Chimes (GM Tubular Bells): the training pattern walks the pentatonic set C5 D5 E5 G5 A5 C6 up
//    and down one at a time; the test pattern uses a subset in another order and rhythm, with two
//    bell dyads, so training and test differ.
const chimeTrain = [72, 74, 76, 79, 81, 84, 81, 79, 76, 74, 72].map((p, i) => n(p, i, 1, 90));
const chimeTest = [
  n(76, 0, 1.5, 90),
  n(84, 1.5, 1, 85),
  n(79, 3, 1.5, 90),
  n(72, 4.5, 1, 85),
  n(76, 4.5, 1, 85),
  n(81, 6, 1, 90),
  n(74, 7, 1.5, 85),
  n(79, 8.5, 1, 85),
  n(84, 8.5, 1, 85),
];

/** GM program numbers as written in the program-change byte (0-based): 0 = Acoustic Grand Piano,
 * 14 = Tubular Bells (15 in the 1-based GM list). */
export const PIECES = [
  {
    dir: 'piano',
    name: 'transcription',
    role: 'transcription',
    program: 0,
    instrument: 'Acoustic Grand Piano',
    notes: transcription,
    seconds: 15,
  },
  {
    dir: 'piano',
    name: 'four-notes',
    role: 'is-nmf decomposition (Févotte et al. 2009)',
    program: 0,
    instrument: 'Acoustic Grand Piano',
    notes: fourNotes,
    seconds: 10,
  },
  {
    dir: 'chime',
    name: 'train',
    role: 'train',
    program: 14,
    instrument: 'Tubular Bells',
    notes: chimeTrain,
    seconds: 6.5,
  },
  // The test chime is the stem of the speech+chime test mixture: its length is the test speech's.
  {
    dir: 'chime',
    name: 'test',
    role: 'test',
    program: 14,
    instrument: 'Tubular Bells',
    notes: chimeTest,
    seconds: null,
  },
];

function vlq(v) {
  const bytes = [v & 0x7f];
  while ((v >>= 7) > 0) bytes.unshift((v & 0x7f) | 0x80);
  return bytes;
}

/** A format-0 SMF with one track on channel 0: tempo, program change, then the notes. At equal
 * times note-offs come before note-ons so that a repeated pitch is re-struck cleanly. */
export function smf(notes, program) {
  const ev = [];
  for (const x of notes) {
    const on = Math.round(x.on * PPQ),
      off = Math.round((x.on + x.dur) * PPQ);
    ev.push({ t: on, order: 1, bytes: [0x90, x.pitch, x.vel] });
    ev.push({ t: off, order: 0, bytes: [0x80, x.pitch, 0] });
  }
  ev.sort((a, b) => a.t - b.t || a.order - b.order || a.bytes[1] - b.bytes[1]);
  const track = [
    0x00,
    0xff,
    0x51,
    0x03,
    (US_PER_QUARTER >> 16) & 0xff,
    (US_PER_QUARTER >> 8) & 0xff,
    US_PER_QUARTER & 0xff,
    0x00,
    0xc0,
    program,
  ];
  let now = 0;
  for (const e of ev) {
    track.push(...vlq(e.t - now), ...e.bytes);
    now = e.t;
  }
  track.push(0x00, 0xff, 0x2f, 0x00);
  const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return Uint8Array.from([
    ...Buffer.from('MThd'),
    ...u32(6),
    0,
    0,
    0,
    1,
    (PPQ >> 8) & 0xff,
    PPQ & 0xff,
    ...Buffer.from('MTrk'),
    ...u32(track.length),
    ...track,
  ]);
}

export function noteList(notes) {
  return notes
    .map((x) => ({
      pitch: x.pitch,
      name: noteName(x.pitch),
      onset: x.on * SEC_PER_BEAT,
      offset: (x.on + x.dur) * SEC_PER_BEAT,
      velocity: x.vel,
    }))
    .sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node scripts/make-midi.mjs <data-dir>');
    process.exit(2);
  }
  for (const p of PIECES) {
    mkdirSync(join(out, p.dir), { recursive: true });
    writeFileSync(join(out, p.dir, `${p.name}.mid`), smf(p.notes, p.program));
    const notes = noteList(p.notes);
    const json = {
      kind: 'notes',
      role: p.role,
      audio: `${p.name}.wav`,
      midi: `${p.name}.mid`,
      instrument: p.instrument,
      gmProgram0: p.program,
      tempoBpm: 60 / SEC_PER_BEAT,
      offsetMeaning: 'note-off time of the MIDI note; the rendered sound decays past it (release tail)',
      pitches: [...new Set(notes.map((x) => x.pitch))].sort((a, b) => a - b),
      notes,
    };
    writeFileSync(join(out, p.dir, `${p.name}.notes.json`), `${JSON.stringify(json, null, 1)}\n`);
  }
}
