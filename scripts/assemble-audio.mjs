#!/usr/bin/env node
// Assembles the dataset's WAV files from the 16 kHz mono float32 intermediates that
// scripts/make-data.mjs prepares with fluidsynth, espeak-ng and sox (called from there).
//
// The work directory holds raw little-endian float32 mono 16 kHz files (`*.f32`). Everything here is plain
// arithmetic in double precision followed by rounding to 16-bit PCM (no dither), so the output
// depends only on the intermediates. Every mixture is written as the integer sum of its already
// quantized 16-bit stems: mix = stem1 + stem2 (+ …) exactly, sample by sample.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PIECES } from './make-midi.mjs';

export const RATE = 16000;
let work = '',
  out = '';

function readF32(name) {
  const b = readFileSync(join(work, `${name}.f32`));
  const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  return Float64Array.from(f);
}

/** Canonical 44-byte RIFF/WAVE header, PCM 16-bit mono. */
function writeWav(rel, pcm) {
  const dataBytes = pcm.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < pcm.length; i++) buf.writeInt16LE(pcm[i], 44 + 2 * i);
  const path = join(out, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, buf);
}

function writeJson(rel, obj) {
  writeFileSync(join(out, rel), `${JSON.stringify(obj, null, 1)}\n`);
}

const peak = (x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const rms = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const scaled = (x, g) => x.map((v) => v * g);
const normalized = (x, target = 0.8) => scaled(x, target / peak(x));

/** Trim or zero-pad to n samples; when trimmed, a 100 ms linear fade-out avoids a click. */
function fitLength(x, n) {
  const y = new Float64Array(n);
  y.set(x.subarray(0, n));
  if (x.length > n) {
    const fade = Math.min(n, RATE / 10);
    for (let i = 0; i < fade; i++) y[n - fade + i] *= 1 - (i + 1) / fade;
  }
  return y;
}

/** Round to 16-bit PCM, full scale = 32768; refuses to clip. */
function quantize(x, what) {
  const q = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 32768);
    if (v > 32767 || v < -32768) throw new Error(`${what}: sample ${i} would clip (${x[i]})`);
    q[i] = v;
  }
  return q;
}

/** The mixture as the exact integer sum of quantized stems. */
function sumStems(stems, what) {
  const n = stems[0].length;
  const mix = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const st of stems) s += st[i];
    if (s > 32767 || s < -32768) throw new Error(`${what}: mixture sample ${i} would clip`);
    mix[i] = s;
  }
  return mix;
}

const dB = (r) => Math.round(2000 * Math.log10(r)) / 100;

/** @param {string} workDir @param {string} dataDir @param {{speech: object, bwe: object}} info */
export function assembleAudio(workDir, dataDir, info) {
  work = workDir;
  out = dataDir;
  // --- Rendered music (piano pieces, training chime) ---------------------------------------------
  for (const p of PIECES.filter((q) => q.seconds !== null)) {
    const x = normalized(fitLength(readF32(`${p.dir}-${p.name}`), Math.round(p.seconds * RATE)));
    writeWav(`${p.dir}/${p.name}.wav`, quantize(x, p.name));
  }

  // --- Speech (real recordings, 8 kHz originals upsampled) -----------------------------------------
  const speechTrain = normalized(readF32('speech-train'));
  writeWav('speech/train.wav', quantize(speechTrain, 'speech train'));
  writeJson('speech/speech.json', { kind: 'recordings', ...info.speech });

  // --- Speech + chime test mixture: stems at equal energy (0 dB), jointly scaled to a 0.8 peak -----
  {
    const speech = readF32('speech-test');
    const chime = fitLength(readF32('chime-test'), speech.length);
    const chimeAtSpeechEnergy = scaled(chime, rms(speech) / rms(chime));
    const mixFloat = speech.map((v, i) => v + chimeAtSpeechEnergy[i]);
    const g = 0.8 / peak(mixFloat);
    const s = quantize(scaled(speech, g), 'speech test');
    const c = quantize(scaled(chimeAtSpeechEnergy, g), 'chime test');
    writeWav('speech/test.wav', s);
    writeWav('chime/test.wav', c);
    writeWav('mixtures/speech-chime-test.wav', sumStems([s, c], 'speech+chime'));
    writeJson('mixtures/speech-chime-test.json', {
      kind: 'mixture',
      role: 'test',
      audio: 'speech-chime-test.wav',
      sum: 'every sample of the mixture is the exact integer sum of the 16-bit stem samples',
      stems: [
        { name: 'speech', audio: '../speech/test.wav', train: '../speech/train.wav' },
        { name: 'chime', audio: '../chime/test.wav', train: '../chime/train.wav', notes: '../chime/test.notes.json' },
      ],
      stemEnergyRatioDb: { speechOverChime: dB(rms(Array.from(s)) / rms(Array.from(c))) },
    });
  }

  // --- Drums: CC0 one-shots placed at known onsets, 120 bpm, 4 bars of 4/4 ------------------------
  {
    const bpm = 120,
      bars = 4,
      beat = 60 / bpm;
    const beats = [];
    for (let b = 0; b < bars * 4; b++) beats.push(b);
    const pattern = {
      hihat: beats.flatMap((b) => [b, b + 0.5]),
      snare: beats.filter((b) => b % 4 === 1 || b % 4 === 3),
      kick: beats
        .filter((b) => b % 4 === 0 || b % 4 === 2)
        .concat([1 * 4 + 2.5, 3 * 4 + 2.5])
        .sort((a, b) => a - b),
    };
    const sample = { hihat: 'drum_cymbal_closed', snare: 'drum_snare_hard', kick: 'drum_bass_hard' };
    const gain = { hihat: 0.35, snare: 0.8, kick: 1.0 };
    const n = bars * 4 * beat * RATE;
    const stemsF = {};
    const lead = {};
    for (const name of Object.keys(sample)) {
      let x = readF32(`drums-${name}`);
      // Start each one-shot at its attack: the first sample reaching 2% of its peak.
      const pk = peak(x);
      const i0 = x.findIndex((v) => Math.abs(v) >= 0.02 * pk);
      lead[name] = i0;
      x = scaled(x.subarray(i0), gain[name] / pk);
      const y = new Float64Array(n);
      for (const b of pattern[name]) {
        const at = Math.round(b * beat * RATE);
        for (let i = 0; i < x.length && at + i < n; i++) y[at + i] += x[i];
      }
      stemsF[name] = y;
    }
    const mixF = new Float64Array(n).map((_, i) => stemsF.hihat[i] + stemsF.snare[i] + stemsF.kick[i]);
    const g = 0.8 / peak(mixF);
    const q = {};
    for (const name of Object.keys(sample)) {
      q[name] = quantize(scaled(stemsF[name], g), name);
      writeWav(`drums/${name}.wav`, q[name]);
    }
    writeWav('mixtures/drums.wav', sumStems(Object.values(q), 'drums'));
    writeJson('drums/onsets.json', {
      kind: 'onsets',
      tempoBpm: bpm,
      beatsPerBar: 4,
      bars,
      audio: { hihat: 'hihat.wav', snare: 'snare.wav', kick: 'kick.wav' },
      mixture: '../mixtures/drums.wav',
      samples: Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, `sonic-pi-samples ${v}.flac`])),
      onsetMeaning:
        'time (s) at which the one-shot starts; each one-shot was cut at its first sample reaching 2% of its peak',
      onsets: Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, v.map((b) => b * beat)])),
    });
    writeJson('mixtures/drums.json', {
      kind: 'mixture',
      role: 'test',
      audio: 'drums.wav',
      sum: 'every sample of the mixture is the exact integer sum of the 16-bit stem samples',
      stems: [
        { name: 'hihat', audio: '../drums/hihat.wav' },
        { name: 'snare', audio: '../drums/snare.wav' },
        { name: 'kick', audio: '../drums/kick.wav' },
      ],
      onsets: '../drums/onsets.json',
    });
  }

  // --- Full-band speech for bandwidth extension (espeak-ng at 22.05 kHz, resampled to 16 kHz) -------
  {
    const files = [];
    for (const role of ['train', 'test']) {
      const x = normalized(readF32(`bwe-${role}`));
      const q = quantize(x, `bwe ${role}`);
      writeWav(`bwe/${role}.wav`, q);
      files.push({ audio: `${role}.wav`, role, highBandEnergyFraction: highBandFraction(Float64Array.from(q)) });
    }
    const { texts, ...about } = info.bwe;
    writeJson('bwe/bwe.json', {
      kind: 'recordings',
      ...about,
      bandSplitHz: 4000,
      files: files.map((f) => ({ ...f, text: texts[f.role] })),
    });
  }
}

/** Fraction of the energy above 4 kHz, from 512-point Hann-windowed frames (hop 256). */
function highBandFraction(x) {
  const N = 512;
  let lo = 0,
    hi = 0;
  const re = new Float64Array(N),
    im = new Float64Array(N);
  for (let s = 0; s + N <= x.length; s += N / 2) {
    for (let i = 0; i < N; i++) {
      re[i] = x[s + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 1; k < N / 2; k++) {
      const e = re[k] * re[k] + im[k] * im[k];
      if ((k * RATE) / N >= 4000) hi += e;
      else lo += e;
    }
  }
  return Math.round((hi / (lo + hi)) * 1e4) / 1e4;
}

/** In-place radix-2 FFT. */
function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const a = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(a * k),
          wi = Math.sin(a * k);
        const ur = re[i + k],
          ui = im[i + k];
        const vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        const vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
}
