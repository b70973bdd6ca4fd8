// Shared timing helpers and data for the benchmark sections.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Stft, magnitudeSpectrogram, readWav } from '@nmflab/core';

const LOOP_PARTS = ['speech/train.wav', 'speech/test.wav', 'mixtures/speech-chime-test.wav'];

/** The committed recordings (data/, 16 kHz mono) in a fixed order, the material the long signals loop. */
export function loopParts(root) {
  return LOOP_PARTS.map((f) => readWav(join(root, 'data', f), { mono: true, sampleRate: 16000 }).samples);
}

/** `seconds` at 16 kHz from the committed recordings looped (gain 1), as |STFT| (1024/256). */
export function loopedSpectrogram(root, seconds) {
  const parts = loopParts(root);
  const x = new Float64Array(seconds * 16000);
  let o = 0;
  while (o < x.length)
    for (const p of parts) {
      const n = Math.min(p.length, x.length - o);
      x.set(p.subarray(0, n), o);
      o += n;
      if (o >= x.length) break;
    }
  const stft = new Stft({ sampleRate: 16000, frameLength: 1024, hop: 256 });
  return magnitudeSpectrogram(stft.analyze(x));
}

/** The gain of the r-th repetition of a committed recording in the long signals (0.3–1, fixed). */
const loopGain = (r) => 0.3 + 0.7 * (((r * 7919) % 101) / 100);

/** `seconds` at 16 kHz of the committed recordings looped, each repetition with its own gain (see writeLongWav). */
export function loopedSignal(root, seconds) {
  const parts = loopParts(root);
  const x = new Float64Array(seconds * 16000);
  let o = 0,
    rep = 0;
  while (o < x.length) {
    for (const p of parts) {
      const g = loopGain(rep++);
      const n = Math.min(p.length, x.length - o);
      for (let i = 0; i < n; i++) x[o + i] = g * p[i];
      o += n;
      if (o >= x.length) break;
    }
  }
  return x;
}

/**
 * Write a `seconds`-long 16 kHz 16-bit mono WAV to `file` without holding it in memory: the
 * committed recordings looped, each repetition with its own gain (0.3–1, a fixed sequence) so that
 * no two stretches are identical.
 */
export function writeLongWav(root, file, seconds) {
  const parts = loopParts(root);
  const total = seconds * 16000;
  const fd = openSync(file, 'w');
  try {
    const head = Buffer.alloc(44);
    head.write('RIFF', 0);
    head.writeUInt32LE(36 + 2 * total, 4);
    head.write('WAVE', 8);
    head.write('fmt ', 12);
    head.writeUInt32LE(16, 16);
    head.writeUInt16LE(1, 20);
    head.writeUInt16LE(1, 22);
    head.writeUInt32LE(16000, 24);
    head.writeUInt32LE(32000, 28);
    head.writeUInt16LE(2, 32);
    head.writeUInt16LE(16, 34);
    head.write('data', 36);
    head.writeUInt32LE(2 * total, 40);
    writeSync(fd, head);
    let written = 0,
      rep = 0;
    while (written < total) {
      for (const p of parts) {
        const gain = loopGain(rep++);
        const n = Math.min(p.length, total - written);
        const buf = Buffer.alloc(2 * n);
        for (let i = 0; i < n; i++)
          buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(gain * p[i] * 32767))), 2 * i);
        writeSync(fd, buf);
        written += n;
        if (written >= total) break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Median wall time (ms) of `fn` over `reps` runs after `warmup` runs. */
export function timeMs(fn, { reps = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** Print rows of objects as an aligned table. */
export function table(rows) {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padStart(w[i])).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

/** Median process CPU time (ms, user + system) of `fn` over `reps` runs after one warm-up: less
 * disturbed than wall time when the machine is shared. */
export function cpuMs(fn, reps = 3) {
  fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(reps / 2)];
}

/** `cpuMs` for an async `fn`. */
export async function cpuMsAsync(fn, reps = 3) {
  await fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(reps / 2)];
}
