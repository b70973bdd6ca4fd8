#!/usr/bin/env node
// Writes the speech + chime separation corpus (data/corpus/speech/) from Debian packages; see
// scripts/make-corpus-speech.sh (installs them) and data/corpus/speech/SOURCES.md. Run from the
// repository root:
//
//   node scripts/make-corpus-speech.mjs [out-dir]        (default: data/corpus/speech)
//
// Speech: recorded prompts of the asterisk voices (8 kHz originals) and two festival diphone voices,
// kept at 8 kHz (the prompts have nothing above 4 kHz; readers resample to the corpus rate).
// Chime: Tubular Bells melodies rendered with fluidsynth at 16 kHz. Every choice below (prompts,
// melodies) comes from a fixed-seed generator, so a rerun writes the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noteList, smf } from './make-midi.mjs';

const out = process.argv[2] ?? 'data/corpus/speech';
const work = mkdtempSync(join(tmpdir(), 'nmflab-corpus-speech-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });

const ASTERISK = '/usr/share/asterisk/sounds';
const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const SPEECH_RATE = 8000;
const CHIME_RATE = 16000;
/** Length of every test stem, and of each speaker's share of a training recording. */
const TEST_SECONDS = 2.0;
const TRAIN_SECONDS = 3.0;
const ADAPT_SECONDS = 9.0;
const TEST_PER_SPEAKER = 11;
const TEST_CHIMES = 11;
const CHIME_TRAIN_NOTES = 12;
const SNRS_DB = [-5, 0, 5];

// Speakers: the asterisk voices are one recorded person each (es_MX is Allison again, so she is one
// speaker in two languages); kal and ked are festival's diphone voices of two other men.
const SPEAKERS = {
  allison: {
    split: 'train',
    package: 'asterisk-core-sounds-en-wav, asterisk-core-sounds-es-wav',
    voices: ['en_US_f_Allison', 'es_MX_f_Allison'],
    sex: 'f',
    languages: ['en-US', 'es-MX'],
    kind: 'recorded prompts',
  },
  kal: {
    split: 'train',
    package: 'festvox-kallpc16k',
    festival: 'voice_kal_diphone',
    sex: 'm',
    languages: ['en-US'],
    kind: 'diphone synthesis (festival)',
  },
  ked: {
    split: 'train',
    package: 'festvox-kdlpc16k',
    festival: 'voice_ked_diphone',
    sex: 'm',
    languages: ['en-US'],
    kind: 'diphone synthesis (festival)',
  },
  june: {
    split: 'test',
    package: 'asterisk-core-sounds-fr-wav',
    voices: ['fr_CA_f_June'],
    sex: 'f',
    languages: ['fr-CA'],
    kind: 'recorded prompts',
  },
  carlo: {
    split: 'test',
    package: 'asterisk-core-sounds-it-wav',
    voices: ['it_IT_m_Carlo'],
    sex: 'm',
    languages: ['it-IT'],
    kind: 'recorded prompts',
  },
  ivrvoice: {
    split: 'test',
    package: 'asterisk-core-sounds-ru-wav',
    voices: ['ru_RU_f_IvrvoiceRU'],
    sex: 'f',
    languages: ['ru-RU'],
    kind: 'recorded prompts',
  },
};
// Our own sentences for the festival voices (about 3 s each once spoken).
const FESTIVAL_TEXT = {
  kal: 'Please leave the parcel by the blue door, and ring twice before you go.',
  ked: 'The morning train was late again, so we walked along the river to work.',
};

// Chime pitch sets (MIDI numbers): the test melodies use the black-key pentatonic C#5..A#5; the
// pitch-disjoint training melody uses the white-key pentatonic C5..C6 around it (no shared pitch),
// the pitch-overlap training melody uses the test set itself (other melodies than the test's).
const PITCHES = {
  test: [73, 75, 78, 80, 82],
  'pitch-disjoint': [72, 74, 76, 79, 81, 84],
  'pitch-overlap': [73, 75, 78, 80, 82],
};
const TUBULAR_BELLS = 14; // GM program byte (0-based)

/** mulberry32: a small fixed-seed generator, enough to make the choices reproducible. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffled(list, rand) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** sox: any input → raw little-endian float32 mono at `rate` (very high quality), read back. */
function f32(input, rate) {
  const name = join(work, `${createHash('sha1').update(input).digest('hex')}.f32`);
  run('sox', [
    '-R',
    '-G',
    '-V1',
    input,
    '-t',
    'raw',
    '-e',
    'floating-point',
    '-b',
    '32',
    '-L',
    name,
    'channels',
    '1',
    'rate',
    '-v',
    String(rate),
  ]);
  const b = readFileSync(name);
  return Float64Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2));
}

const peak = (x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Drop the leading silence: start 50 ms before the first sample reaching 2 % of the peak. */
function trimStart(x, rate) {
  const p = peak(x);
  let i = 0;
  while (i < x.length && Math.abs(x[i]) < 0.02 * p) i++;
  return x.subarray(Math.max(0, i - Math.round(0.05 * rate)));
}

/** Cut to n samples with a 100 ms linear fade-out where the sound is cut (zero-pad if shorter). */
function fitLength(x, n, rate) {
  const y = new Float64Array(n);
  y.set(x.subarray(0, n));
  if (x.length > n) {
    const fade = Math.min(n, rate / 10);
    for (let i = 0; i < fade; i++) y[n - fade + i] *= 1 - (i + 1) / fade;
  }
  return y;
}

function concat(parts) {
  const y = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    y.set(p, o);
    o += p.length;
  }
  return y;
}

/** Canonical 44-byte-header PCM 16-bit mono WAV, peak-normalized to 0.8, rounded without dither. */
function writeWav(rel, x, rate) {
  const g = 0.8 / peak(x);
  const buf = Buffer.alloc(44 + 2 * x.length);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + 2 * x.length, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(2 * x.length, 40);
  for (let i = 0; i < x.length; i++) buf.writeInt16LE(Math.round(x[i] * g * 32768), 44 + 2 * i);
  mkdirSync(join(out, rel, '..'), { recursive: true });
  writeFileSync(join(out, rel), buf);
  return {
    path: rel,
    bytes: buf.length,
    sha256: createHash('sha256').update(buf).digest('hex'),
    sampleRate: rate,
    samples: x.length,
  };
}

/** Prompts of a voice folder (top level only) with at least `seconds` of sound after the trim. */
function prompts(voice, seconds) {
  const dir = join(ASTERISK, voice);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => ({ prompt: `${voice}/${f}`, x: trimStart(f32(join(dir, f), SPEECH_RATE), SPEECH_RATE) }))
    .filter((p) => p.x.length >= seconds * SPEECH_RATE);
}

/** Whole prompts, one after another, until `seconds` are filled (the last one cut with a fade). */
function fill(list, seconds) {
  const n = Math.round(seconds * SPEECH_RATE);
  const used = [];
  let total = 0;
  for (const p of list) {
    if (total >= n) break;
    used.push(p);
    total += p.x.length;
  }
  return { x: fitLength(concat(used.map((p) => p.x)), n, SPEECH_RATE), prompts: used.map((p) => p.prompt) };
}

/**
 * A chime melody on a quarter-beat grid (a beat is 0.5 s), one note every 0.5–1 s. A test melody
 * draws its pitches at random until `seconds` are filled; a training melody (`notes` > 0) plays each
 * pitch twice in a shuffled order, then random pitches up to `notes` notes, whatever its length.
 */
function melody(pitches, seconds, rand, count = 0) {
  const notes = [];
  const order = count ? shuffled([...pitches, ...pitches], rand) : [];
  let t = Math.floor(rand() * 3) / 4;
  while (count ? notes.length < count : t < (seconds - 0.5) / 0.5) {
    const pitch = order.length ? order.shift() : pitches[Math.floor(rand() * pitches.length)];
    notes.push({ pitch, on: t, dur: 1, vel: 80 + Math.floor(rand() * 21) });
    t += 1 + Math.floor(rand() * 5) / 4;
  }
  return notes;
}

function renderChime(rel, notes, seconds) {
  const mid = join(work, `${rel.replace(/\W/g, '-')}.mid`);
  const wav = mid.replace(/\.mid$/, '.wav');
  writeFileSync(mid, smf(notes, TUBULAR_BELLS));
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
    wav,
    SOUNDFONT,
    mid,
  ]);
  const x = fitLength(f32(wav, CHIME_RATE), Math.round(seconds * CHIME_RATE), CHIME_RATE);
  return {
    ...writeWav(rel, x, CHIME_RATE),
    source: 'chime',
    notes: noteList(notes).map(({ pitch, onset, offset, velocity }) => ({ pitch, onset, offset, velocity })),
  };
}

try {
  // everything but the hand-written provenance page is regenerated
  for (const d of ['train', 'adapt', 'test', 'manifest.json']) rmSync(join(out, d), { recursive: true, force: true });
  const files = [];
  const rand = generator(20070415);
  const testSpeakers = Object.keys(SPEAKERS).filter((s) => SPEAKERS[s].split === 'test');
  const trainSpeakers = Object.keys(SPEAKERS).filter((s) => SPEAKERS[s].split === 'train');

  // Training speech: TRAIN_SECONDS of each training speaker.
  const speakerDisjoint = [];
  for (const s of trainSpeakers) {
    const info = SPEAKERS[s];
    let rec;
    if (info.festival) {
      const wav = join(work, `${s}.wav`);
      run('text2wave', ['-eval', `(${info.festival})`, '-o', wav], {
        input: FESTIVAL_TEXT[s],
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      rec = {
        x: fitLength(trimStart(f32(wav, SPEECH_RATE), SPEECH_RATE), TRAIN_SECONDS * SPEECH_RATE, SPEECH_RATE),
        text: FESTIVAL_TEXT[s],
      };
    } else {
      // one speaker in several languages: an equal share of each
      const share = TRAIN_SECONDS / info.voices.length;
      const parts = info.voices.map((v) => fill(shuffled(prompts(v, 0.5), rand), share));
      rec = { x: concat(parts.map((p) => p.x)), prompts: parts.flatMap((p) => p.prompts) };
    }
    const path = `train/speech/${s}.wav`;
    files.push({
      ...writeWav(path, rec.x, SPEECH_RATE),
      source: 'speech',
      split: 'train',
      speaker: s,
      ...(rec.prompts ? { prompts: rec.prompts } : { text: rec.text }),
    });
    speakerDisjoint.push(path);
  }

  // Test speakers: TEST_PER_SPEAKER prompts for test, other prompts for the same-speaker training.
  const items = [];
  const chimes = [];
  for (let c = 0; c < TEST_CHIMES; c++) {
    const path = `test/chime/chime-${String(c + 1).padStart(2, '0')}.wav`;
    files.push({
      ...renderChime(path, melody(PITCHES.test, TEST_SECONDS, rand), TEST_SECONDS),
      split: 'test',
      pitchSet: 'test',
    });
    chimes.push(path);
  }
  const chimeTrain = {};
  for (const set of ['pitch-disjoint', 'pitch-overlap']) {
    const path = `train/chime/${set}.wav`;
    const notes = melody(PITCHES[set], 0, rand, CHIME_TRAIN_NOTES);
    // the last note's beat plus 1 s of its decay, on the 0.25 s grid
    const seconds = Math.ceil((notes.at(-1).on + notes.at(-1).dur) * 2) / 4 + 1;
    files.push({ ...renderChime(path, notes, seconds), split: 'train', pitchSet: set });
    chimeTrain[set] = [path];
  }
  for (const s of testSpeakers) {
    const voice = SPEAKERS[s].voices[0];
    const list = shuffled(prompts(voice, 0.5), rand);
    const test = list.filter((p) => p.x.length >= TEST_SECONDS * SPEECH_RATE).slice(0, TEST_PER_SPEAKER);
    const rest = list.filter((p) => !test.includes(p));
    const adapt = fill(rest, ADAPT_SECONDS);
    const adaptPath = `adapt/speech/${s}.wav`;
    files.push({
      ...writeWav(adaptPath, adapt.x, SPEECH_RATE),
      source: 'speech',
      split: 'adapt',
      speaker: s,
      prompts: adapt.prompts,
    });
    test.forEach((p, i) => {
      const id = `${s}-${String(i + 1).padStart(2, '0')}`;
      const path = `test/speech/${id}.wav`;
      files.push({
        ...writeWav(path, fitLength(p.x, TEST_SECONDS * SPEECH_RATE, SPEECH_RATE), SPEECH_RATE),
        source: 'speech',
        split: 'test',
        speaker: s,
        prompts: [p.prompt],
      });
      items.push({
        id,
        split: 'test',
        speaker: s,
        stems: { speech: path, chime: chimes[i % chimes.length] },
        train: {
          speech: { 'speaker-disjoint': speakerDisjoint, 'same-speaker': [adaptPath] },
          chime: { 'pitch-disjoint': chimeTrain['pitch-disjoint'], 'pitch-overlap': chimeTrain['pitch-overlap'] },
        },
      });
    });
  }

  const manifest = {
    kind: 'separation-corpus',
    name: 'speech-chime',
    description:
      'Speech + tubular-bell chime mixtures: test speakers never heard in training, test chime pitches never played in training',
    sampleRate: CHIME_RATE,
    sources: ['speech', 'chime'],
    snrDb: SNRS_DB,
    mixing:
      'at load: the chime stem is scaled so that 10·log10(Σ speech² / Σ chime²) = snrDb, then both stems by one factor so that the mixture peaks at 0.8; the mixture is their sum',
    splits: {
      train: 'training recordings of the speaker-disjoint speakers and of the chime pitch sets',
      adapt: 'other prompts of each test speaker (for the same-speaker control only; never a test stem)',
      test: 'the mixtures to separate',
    },
    speakers: SPEAKERS,
    pitchSets: PITCHES,
    trainingSets: {
      speech: {
        'speaker-disjoint': `${trainSpeakers.join(', ')} (${TRAIN_SECONDS} s each): no test speaker`,
        'same-speaker': `${ADAPT_SECONDS} s of other prompts of the item's own speaker (split adapt)`,
      },
      chime: {
        'pitch-disjoint': `a melody over ${PITCHES['pitch-disjoint'].join(' ')} (none of the test pitches)`,
        'pitch-overlap': `a melody over the test pitches ${PITCHES['pitch-overlap'].join(' ')}`,
      },
    },
    files,
    items,
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
