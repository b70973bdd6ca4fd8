#!/usr/bin/env node
// Regenerates the music/transcription corpus, data/corpus/music/, from Debian's soundfonts (see
// scripts/make-corpus-music.sh, which installs them, and data/SOURCES.md). From the repo root:
//
//   node scripts/make-corpus-music.mjs [out-dir]        (default: data/corpus/music)
//
// Every piece is a MIDI file written here from a seeded generator (no randomness outside it), so
// its note list is exact; fluidsynth renders it (reverb and chorus off) through one soundfont and
// sox resamples it to 16 kHz mono. Train and test are disjoint by soundfont family and by pitch
// set (and so by melody): the test side's three soundfonts come from makers whose samples appear
// nowhere in training. The manifest states the split of every piece and the sha256 of every file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { noteName, smf } from './make-midi.mjs';

const RATE = 16000;
const SECONDS = 6;
/** make-midi.mjs writes 480 ticks per quarter at 120 bpm: one tick is 1/960 s. */
const TICKS_PER_SECOND = 960;

/** Soundfonts by family: FluidR3 and the two MuseScore banks derived from it are one family (training only). */
export const SOUNDFONTS = [
  {
    id: 'fluidr3',
    split: 'train',
    file: '/usr/share/sounds/sf2/FluidR3_GM.sf2',
    package: 'fluid-soundfont-gm',
    family: 'FluidR3 (Frank Wen)',
    license: 'MIT',
  },
  {
    id: 'fluidr3mono',
    split: 'train',
    file: '/usr/share/sounds/sf3/FluidR3Mono_GM.sf3',
    package: 'fluidr3mono-gm-soundfont',
    family: 'FluidR3 (Frank Wen; mono version by Michael Cowgill)',
    license: 'MIT',
  },
  {
    id: 'musescore',
    split: 'train',
    file: '/usr/share/sounds/sf3/MuseScore_General.sf3',
    package: 'musescore-general-soundfont-small',
    family: 'FluidR3 (Frank Wen; MuseScore adaptation by S. Christian Collins)',
    license: 'MIT',
  },
  {
    id: 'timgm6mb',
    split: 'test',
    file: '/usr/share/sounds/sf2/TimGM6mb.sf2',
    package: 'timgm6mb-soundfont',
    family: 'TimGM6mb (Tim Brechbill)',
    license: 'GPL-2',
  },
  {
    id: 'csound',
    split: 'test',
    file: '/usr/share/sounds/sf2/sf_GMbank.sf2',
    package: 'csound-soundfont',
    family: 'Csound GM bank (public domain)',
    license: 'public-domain',
  },
  {
    id: 'opl3',
    split: 'test',
    file: '/usr/share/sounds/sf2/OPL-3_FM_128M.sf2',
    package: 'opl3-soundfont',
    family: 'OPL-3 FM emulation (Bret Curtis)',
    license: 'GPL-3+',
  },
];

/** GM programs (0-based, as in the program-change byte): instruments with struck or plucked attacks. */
const INSTRUMENTS = [
  { program: 0, name: 'Acoustic Grand Piano' },
  { program: 4, name: 'Electric Piano 1' },
  { program: 24, name: 'Acoustic Guitar (nylon)' },
  { program: 46, name: 'Orchestral Harp' },
  { program: 11, name: 'Vibraphone' },
];

/** Pitch sets (MIDI numbers); the test sets are different sets from the training sets, over A2–A5. */
export const PITCH_SETS = [
  { id: 'tr1', split: 'train', pitches: [55, 57, 59, 62, 64, 67] },
  { id: 'tr2', split: 'train', pitches: [60, 63, 65, 67, 70, 72, 75] },
  { id: 'tr3', split: 'train', pitches: [50, 53, 57, 60, 62, 65, 69] },
  { id: 'te1', split: 'test', pitches: [48, 52, 55, 59, 60, 64] },
  { id: 'te2', split: 'test', pitches: [62, 64, 66, 69, 71, 74, 76] },
  { id: 'te3', split: 'test', pitches: [57, 60, 61, 64, 65, 68, 69] },
  { id: 'te4', split: 'test', pitches: [65, 67, 69, 72, 74, 77, 79, 81] },
  { id: 'te5', split: 'test', pitches: [45, 49, 52, 56, 57, 59, 61] },
];

/** mulberry32: a small deterministic PRNG (same sequence on every platform). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One piece over a pitch set: events on a tick grid until 5 s — single notes, chords of 2–3
 * pitches, repeated notes (the same pitch struck 2–3 times, each released 31–100 ms before the
 * next strike) and a held low note under two melody notes. Every piece has at least two chords
 * and two repeated-note groups, and every pitch of the set sounds at least once.
 * Returns notes in ticks: {pitch, on, off, vel}.
 */
export function generatePiece(pitches, seed) {
  const rand = prng(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const shuffle = (xs) => {
    const y = [...xs];
    for (let i = y.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [y[i], y[j]] = [y[j], y[i]];
    }
    return y;
  };
  const sorted = [...pitches].sort((a, b) => a - b);
  const unused = shuffle(sorted);
  const nextPitch = () => (unused.length ? unused.shift() : pick(sorted));
  const vel = () => 60 + Math.floor(rand() * 51);
  const types = shuffle([
    'chord',
    'chord',
    'repeat',
    'repeat',
    'held',
    'single',
    'single',
    'single',
    'single',
    'single',
  ]);
  const notes = [];
  const end = 5 * TICKS_PER_SECOND;
  let t = Math.round(0.1 * TICKS_PER_SECOND);
  let i = 0;
  while (t < end) {
    const type = i < types.length ? types[i] : pick(['single', 'single', 'single', 'chord', 'repeat']);
    i++;
    if (type === 'single') {
      const d = pick([240, 360, 480, 720]);
      notes.push({ pitch: nextPitch(), on: t, off: t + d, vel: vel() });
      t += d;
    } else if (type === 'chord') {
      const k = rand() < 0.5 ? 2 : 3;
      const d = pick([480, 720, 960]);
      const chosen = new Set();
      while (chosen.size < k) chosen.add(chosen.size === 0 ? nextPitch() : pick(sorted));
      for (const p of chosen) notes.push({ pitch: p, on: t, off: t + d, vel: vel() });
      t += d;
    } else if (type === 'repeat') {
      const k = rand() < 0.6 ? 2 : 3;
      const step = pick([192, 240, 288]);
      const gap = pick([30, 48, 72, 96]);
      const p = nextPitch();
      for (let j = 0; j < k; j++) notes.push({ pitch: p, on: t + j * step, off: t + (j + 1) * step - gap, vel: vel() });
      t += k * step;
    } else {
      // a held low note (from the lower half of the set) under two melody notes from the upper half
      const low = pick(sorted.slice(0, Math.ceil(sorted.length / 2)));
      const high = sorted.slice(Math.ceil(sorted.length / 2));
      notes.push({ pitch: low, on: t, off: t + 960, vel: vel() });
      const a = pick(high);
      const b = pick(high.filter((x) => x !== a));
      notes.push({ pitch: a, on: t, off: t + 480, vel: vel() }, { pitch: b, on: t + 480, off: t + 960, vel: vel() });
      t += 960;
    }
  }
  // any pitch the events did not reach closes the piece as a chord
  if (unused.length) {
    for (const p of unused) notes.push({ pitch: p, on: t, off: t + 480, vel: vel() });
  }
  notes.sort((a, b) => a.on - b.on || a.pitch - b.pitch);
  return notes;
}

/** Counts of the piece's structures: repeated notes (same pitch struck again within 150 ms of its release) and chord onsets. */
function structure(notes) {
  let repeats = 0;
  for (const n of notes)
    if (
      notes.some((m) => m.pitch === n.pitch && m.on > n.on && m.on - n.off <= 0.15 * TICKS_PER_SECOND && m.on >= n.off)
    )
      repeats++;
  const onsets = new Map();
  for (const n of notes) onsets.set(n.on, (onsets.get(n.on) ?? 0) + 1);
  return { repeatedNotes: repeats, chords: [...onsets.values()].filter((c) => c > 1).length };
}

/** The pieces: every training pitch set through every training soundfont, likewise for test; the instrument rotates. */
export function pieces() {
  const out = [];
  for (const split of ['train', 'test']) {
    const sets = PITCH_SETS.filter((s) => s.split === split);
    const fonts = SOUNDFONTS.filter((f) => f.split === split);
    sets.forEach((set, si) => {
      fonts.forEach((font, fi) => {
        const instrument = INSTRUMENTS[(si + fi) % INSTRUMENTS.length];
        // one melody per (pitch set, soundfont): the seed depends on both, so no two pieces share a melody
        const seed = 1000 * (PITCH_SETS.indexOf(set) + 1) + fi + 1;
        out.push({
          id: `${set.id}-${font.id}`,
          split,
          set,
          font,
          instrument,
          seed,
          notes: generatePiece(set.pitches, seed),
        });
      });
    });
  }
  return out;
}

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });

/** Canonical 44-byte RIFF/WAVE header, PCM 16-bit mono at RATE. */
function wavBytes(pcm) {
  const dataBytes = pcm.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(pcm[i], 44 + 2 * i);
  return buf;
}

/** Cut or zero-pad to `n` samples (100 ms linear fade where cut), peak 0.8, rounded to int16 without dither. */
function toPcm(x, n) {
  const y = new Float64Array(n);
  y.set(x.subarray(0, n));
  if (x.length > n) {
    const fade = RATE / 10;
    for (let i = 0; i < fade; i++) y[n - fade + i] *= 1 - (i + 1) / fade;
  }
  let peak = 0;
  for (const v of y) peak = Math.max(peak, Math.abs(v));
  if (!(peak > 0)) throw new Error('silent rendering');
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round((0.8 * y[i] * 32768) / peak)));
  return pcm;
}

function main(out) {
  const work = mkdtempSync(join(tmpdir(), 'nmflab-music-'));
  try {
    rmSync(out, { recursive: true, force: true });
    const items = [];
    for (const piece of pieces()) {
      const dir = join(out, piece.split);
      mkdirSync(dir, { recursive: true });
      const beats = piece.notes.map((n) => ({ pitch: n.pitch, on: n.on / 480, dur: (n.off - n.on) / 480, vel: n.vel }));
      const midPath = join(dir, `${piece.id}.mid`);
      writeFileSync(midPath, smf(beats, piece.instrument.program));
      const wav44 = join(work, `${piece.id}.wav`);
      const f32 = join(work, `${piece.id}.f32`);
      run('fluidsynth', [
        '-q',
        '-n',
        '-i',
        '-R',
        '0',
        '-C',
        '0',
        '-r',
        '44100',
        '-g',
        '0.5',
        '-T',
        'wav',
        '-O',
        'float',
        '-F',
        wav44,
        piece.font.file,
        midPath,
      ]);
      run('sox', [
        '-R',
        '-G',
        '-V1',
        wav44,
        '-t',
        'raw',
        '-e',
        'floating-point',
        '-b',
        '32',
        '-L',
        f32,
        'channels',
        '1',
        'rate',
        '-v',
        String(RATE),
      ]);
      const raw = readFileSync(f32);
      const x = Float64Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2));
      writeFileSync(join(dir, `${piece.id}.wav`), wavBytes(toPcm(x, SECONDS * RATE)));
      const notes = piece.notes.map((n) => ({
        pitch: n.pitch,
        name: noteName(n.pitch),
        onset: n.on / TICKS_PER_SECOND,
        offset: n.off / TICKS_PER_SECOND,
        velocity: n.vel,
      }));
      const s = structure(piece.notes);
      writeFileSync(
        join(dir, `${piece.id}.notes.json`),
        `${JSON.stringify(
          {
            kind: 'notes',
            audio: `${piece.id}.wav`,
            midi: `${piece.id}.mid`,
            soundfont: piece.font.id,
            instrument: piece.instrument.name,
            gmProgram0: piece.instrument.program,
            pitchSet: piece.set.id,
            offsetMeaning: 'note-off time of the MIDI note; the rendered sound decays past it (release tail)',
            pitches: [...piece.set.pitches].sort((a, b) => a - b),
            notes,
          },
          null,
          1,
        )}\n`,
      );
      items.push({
        id: piece.id,
        split: piece.split,
        audio: `${piece.split}/${piece.id}.wav`,
        notes: `${piece.split}/${piece.id}.notes.json`,
        midi: `${piece.split}/${piece.id}.mid`,
        soundfont: piece.font.id,
        pitchSet: piece.set.id,
        instrument: piece.instrument.name,
        gmProgram0: piece.instrument.program,
        melodySeed: piece.seed,
        seconds: SECONDS,
        noteCount: notes.length,
        ...s,
      });
    }
    const files = [];
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(relative(out, p).split('\\').join('/'));
      }
    };
    walk(out);
    const trainPitches = new Set(PITCH_SETS.filter((s) => s.split === 'train').flatMap((s) => s.pitches));
    const manifest = {
      kind: 'transcription-corpus',
      name: 'music',
      description: 'Rendered MIDI pieces with exact note truth, for transcription: 16 kHz mono 16-bit WAV, 6 s each',
      sampleRate: RATE,
      splits: {
        rule: 'train and test share no soundfont family and no pitch set; every piece has its own melody (seeded by pitch set and soundfont)',
        train: {
          soundfonts: SOUNDFONTS.filter((f) => f.split === 'train').map((f) => f.id),
          pitchSets: PITCH_SETS.filter((s) => s.split === 'train').map((s) => s.id),
        },
        test: {
          soundfonts: SOUNDFONTS.filter((f) => f.split === 'test').map((f) => f.id),
          pitchSets: PITCH_SETS.filter((s) => s.split === 'test').map((s) => s.id),
          pitchesAlsoInTraining: [...new Set(PITCH_SETS.filter((s) => s.split === 'test').flatMap((s) => s.pitches))]
            .filter((p) => trainPitches.has(p))
            .sort((a, b) => a - b),
        },
      },
      soundfonts: SOUNDFONTS.map(({ id, split, package: pkg, family, license, file }) => ({
        id,
        split,
        package: pkg,
        file: file.replace(/^.*\//, ''),
        family,
        license,
      })),
      pitchSets: PITCH_SETS,
      items,
      files: files.map((f) => {
        const buf = readFileSync(join(out, f));
        const entry = {
          path: f,
          bytes: statSync(join(out, f)).size,
          sha256: createHash('sha256').update(buf).digest('hex'),
        };
        return f.endsWith('.wav')
          ? { ...entry, sampleRate: RATE, channels: 1, bitsPerSample: 16, samples: (buf.length - 44) / 2 }
          : entry;
      }),
    };
    writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()))
  main(process.argv[2] ?? 'data/corpus/music');
