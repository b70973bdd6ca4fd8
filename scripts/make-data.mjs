#!/usr/bin/env node
// Regenerates everything in data/ from Debian packages (see scripts/make-data.sh, which installs
// them, and data/SOURCES.md). Run from the repository root:
//
//   node scripts/make-data.mjs [data-dir]        (default: data)
//
// External tools: fluidsynth + FluidR3_GM.sf2 (MIDI rendering, reverb and chorus off), sox (format
// conversion, resampling with `rate -v`), espeak-ng (synthetic full-band speech), dpkg-deb (faces).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PIECES } from './make-midi.mjs';
import { assembleAudio, RATE } from './assemble-audio.mjs';

const out = process.argv[2] ?? 'data';
const work = mkdtempSync(join(tmpdir(), 'nmflab-data-'));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });

export const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
export const ALLISON = '/usr/share/asterisk/sounds/en_US_f_Allison';
export const SONIC_PI = '/usr/share/sonic-pi/samples';
export const FORTUNES = '/usr/share/games/fortunes';

/** sox: any input → raw little-endian float32, mono (channel average), 16 kHz (very high quality). */
function toF32(input, name, inputArgs = []) {
  run('sox', [
    '-R',
    '-G',
    '-V1',
    ...inputArgs,
    input,
    '-t',
    'raw',
    '-e',
    'floating-point',
    '-b',
    '32',
    '-L',
    join(work, `${name}.f32`),
    'channels',
    '1',
    'rate',
    '-v',
    String(RATE),
  ]);
}

try {
  // 1. MIDI files and note lists, rendered one stem at a time.
  run('node', [new URL('./make-midi.mjs', import.meta.url).pathname, out]);
  for (const p of PIECES) {
    const mid = join(out, p.dir, `${p.name}.mid`);
    const wav = join(work, `${p.dir}-${p.name}.wav`);
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
    toF32(wav, `${p.dir}-${p.name}`);
  }

  // 2. Real speech (8 kHz prompts, upsampled); different utterances for training and test.
  const speech = {
    source:
      'asterisk-core-sounds-en-wav, voice en_US_f_Allison (recorded speech, 8 kHz original: no energy above 4 kHz)',
    files: [
      { audio: 'train.wav', role: 'train', prompt: 'tt-allbusy.wav' },
      { audio: 'test.wav', role: 'test', prompt: 'demo-thanks.wav', mixture: '../mixtures/speech-chime-test.wav' },
    ],
  };
  for (const f of speech.files) toF32(join(ALLISON, f.prompt), `speech-${f.role}`);

  // 3. Drum one-shots (CC0).
  const drums = { hihat: 'drum_cymbal_closed', snare: 'drum_snare_hard', kick: 'drum_bass_hard' };
  for (const [k, v] of Object.entries(drums)) toF32(join(SONIC_PI, `${v}.flac`), `drums-${k}`);

  // 4. Full-band synthetic speech for bandwidth extension.
  const bwe = {
    source: 'espeak-ng, voice en-us, 150 words per minute, 22.05 kHz resampled to 16 kHz',
    texts: {
      train:
        'She sells sea shells by the seashore, and the shells she sells are surely seashells. Six thick thistle sticks.',
      test: 'The quick brown fox jumps over the lazy dog. Fresh fish and chips are served at six.',
    },
  };
  for (const [role, text] of Object.entries(bwe.texts)) {
    const wav = join(work, `bwe-${role}.wav`);
    run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, text]);
    toF32(wav, `bwe-${role}`);
  }

  assembleAudio(work, out, { speech, bwe });
  makeFaces();
  makeCorpus();
  makeManifest();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A C-order .npy (format 1.0) with the header padded to a multiple of 64 bytes. */
function npy(descr, shape, bytes) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += `${' '.repeat(64 - ((10 + header.length + 1) % 64))}\n`;
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(header.length, 8);
  return Buffer.concat([h, Buffer.from(header, 'latin1'), bytes]);
}

/** The 100 face crops (the first 100 of 200 images) of skimage's lfw_subset.npy, as 100 × 625. */
function makeFaces() {
  // apt-get download runs as the unprivileged _apt user when it can write to the directory.
  const debDir = join(work, 'deb');
  chmodSync(work, 0o755);
  mkdirSync(debDir);
  chmodSync(debDir, 0o777);
  run('apt-get', ['download', 'python3-skimage'], { cwd: debDir });
  const deb = readdirSync(debDir).find((f) => f.startsWith('python3-skimage_') && f.endsWith('.deb'));
  run('dpkg-deb', ['-x', join(debDir, deb), join(work, 'skimage')]);
  const src = readFileSync(join(work, 'skimage/usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy'));
  const hlen = src.readUInt16LE(8);
  const header = src.subarray(10, 10 + hlen).toString('latin1');
  if (
    !/'descr': '<f8'/.test(header) ||
    !/'shape': \(200, 25, 25\)/.test(header) ||
    !/'fortran_order': False/.test(header)
  ) {
    throw new Error(`lfw_subset.npy: unexpected header ${header}`);
  }
  const data = src.subarray(10 + hlen, 10 + hlen + 100 * 625 * 8);
  mkdirSync(join(out, 'faces'), { recursive: true });
  writeFileSync(join(out, 'faces/lfw-faces.npy'), npy('<f8', [100, 625], data));
  writeFileSync(
    join(out, 'faces/faces.json'),
    `${JSON.stringify(
      {
        kind: 'matrix',
        matrix: 'lfw-faces.npy',
        dtype: '<f8',
        shape: [100, 625],
        rows: 'images (the 100 face crops, images 0–99 of lfw_subset.npy; images 100–199 there are non-faces)',
        cols: 'pixels of a 25×25 grey-level image in row-major order (pixel (r, c) is column 25·r + c), values in [0, 1]',
        source: 'python3-skimage skimage/data/lfw_subset.npy (a subset of Labeled Faces in the Wild)',
      },
      null,
      1,
    )}\n`,
  );
}

/** Document-term count matrix from four categories of the BSD fortune files. */
function makeCorpus() {
  const categories = ['computers', 'food', 'science', 'sports'];
  const perCategory = 75;
  const minWords = 12;
  const minTerms = 2;
  const vocabularySize = 300;
  // A small fixed English stop-word list (function words, pronouns, auxiliaries, contractions).
  const stop = new Set(
    `a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
    few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
    him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most mustn't
    my myself no nor not now of off on once one only or other ought our ours ourselves out over own said same say says shan't
    she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then there there's
    these they they'd they'll they're they've this those through to too two under until up upon us very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's will with won't
    would wouldn't you you'd you'll you're you've your yours yourself yourselves will shall may might must us much many
    well even ever every never always also yet still back way make made go going goes went come came take took see seen
    know knew think thought want first last new old good great little long know don't ll ve re isn't s t d m`
      .split(/\s+/)
      .filter(Boolean),
  );
  // Candidates: every fortune of ≥ minWords words, in file order.
  const pool = categories.map((cat) => {
    const text = readFileSync(join(FORTUNES, cat), 'latin1');
    return text.split(/\n%\n/).flatMap((raw) => {
      // Drop attribution lines ("-- Author"), which would make authors' names topic words.
      const body = raw
        .split('\n')
        .filter((l) => !/^\s*--/.test(l))
        .join(' ');
      const words = body.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
      return words.length >= minWords ? [{ category: cat, words }] : [];
    });
  });
  const keep = (w) => w.length >= 3 && !stop.has(w) && !w.includes("'");
  const topTerms = (docs) => {
    const freq = new Map();
    for (const d of docs) for (const w of d.words) if (keep(w)) freq.set(w, (freq.get(w) ?? 0) + 1);
    return [...freq.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, vocabularySize)
      .map((e) => e[0]);
  };
  // Fixed point: the first perCategory candidates of each category that contain at least
  // minTerms occurrences of vocabulary terms, the vocabulary being the top terms of those documents
  // (so that no document column of the count matrix is empty).
  let docs = pool.flatMap((p) => p.slice(0, perCategory));
  let vocabulary = topTerms(docs);
  for (let round = 0; ; round++) {
    const v = new Set(vocabulary);
    const next = pool.flatMap((p, c) => {
      const ok = p.filter((d) => d.words.filter((w) => v.has(w)).length >= minTerms).slice(0, perCategory);
      if (ok.length < perCategory) throw new Error(`fortunes/${categories[c]}: only ${ok.length} usable documents`);
      return ok;
    });
    const same = next.length === docs.length && next.every((d, i) => d === docs[i]);
    docs = next;
    vocabulary = topTerms(docs);
    if (same) break;
    if (round === 20) throw new Error('fortunes: document selection did not converge');
  }
  const index = new Map(vocabulary.map((w, i) => [w, i]));
  const counts = new Int32Array(docs.length * vocabulary.length);
  docs.forEach((d, r) => {
    for (const w of d.words) {
      const j = index.get(w);
      if (j !== undefined) counts[r * vocabulary.length + j]++;
    }
  });
  mkdirSync(join(out, 'text'), { recursive: true });
  writeFileSync(
    join(out, 'text/fortunes-counts.npy'),
    npy('<i4', [docs.length, vocabulary.length], Buffer.from(counts.buffer)),
  );
  writeFileSync(
    join(out, 'text/fortunes.json'),
    `${JSON.stringify({
      kind: 'corpus',
      matrix: 'fortunes-counts.npy',
      dtype: '<i4',
      shape: [docs.length, vocabulary.length],
      rows: 'documents (fortunes), in category order then file order',
      cols: 'terms of the vocabulary, most frequent first',
      selection: `the first ${perCategory} fortunes of each category file with at least ${minWords} words and at least ${minTerms} occurrences of vocabulary terms (document set and vocabulary iterated to a fixed point), attribution lines ("-- …") removed; tokens are lower-cased [a-z]+('[a-z]+)?; vocabulary = the ${vocabularySize} most frequent tokens of ≥ 3 letters that are not stop words (ties alphabetical)`,
      source: 'fortunes (BSD fortune-mod data files)',
      categories,
      labels: docs.map((d) => categories.indexOf(d.category)),
      vocabulary,
    })}\n`,
  );
}

/** Canonical 44-byte header as written by assemble-audio.mjs. */
function WAV_FIELDS(buf) {
  return {
    sampleRate: buf.readUInt32LE(24),
    channels: buf.readUInt16LE(22),
    bitsPerSample: buf.readUInt16LE(34),
    samples: buf.readUInt32LE(40) / ((buf.readUInt16LE(22) * buf.readUInt16LE(34)) / 8),
  };
}

/** data/manifest.json: every data file (not the manifest nor SOURCES.md) with sha256 and size. */
function makeManifest() {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(out, p).split('\\').join('/'));
    }
  };
  walk(out);
  const entries = files
    .filter((f) => f !== 'manifest.json' && f !== 'SOURCES.md')
    .map((f) => {
      const buf = readFileSync(join(out, f));
      const entry = {
        path: f,
        bytes: statSync(join(out, f)).size,
        sha256: createHash('sha256').update(buf).digest('hex'),
      };
      return f.endsWith('.wav') ? { ...entry, ...WAV_FIELDS(buf) } : entry;
    });
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify({ files: entries }, null, 1)}\n`);
}
