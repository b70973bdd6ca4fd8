import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, writeWav } from '@nmflab/core';
import { bssEvalSignals, formatBssTable } from '../src/commands/bss-eval.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function signals(n = 4000) {
  const rng = new Rng(31);
  const a = rng.fillNormal(new Float64Array(n)).map((v) => 0.1 * v);
  const b = rng.fillNormal(new Float64Array(n)).map((v) => 0.1 * v);
  return { a, b, e1: b.map((v, t) => v + 0.1 * a[t]), e2: a.map((v, t) => v + 0.2 * b[t]) };
}

describe('bss-eval command', () => {
  it('prints one line per reference with its matched estimate', () => {
    const text = formatBssTable(
      { sdr: [14.2, 20.2], sir: [14.3, 20.25], sar: [78.7, 78.5], perm: [1, 0] },
      ['r1.wav', 'r2.wav'],
      ['e1.wav', 'e2.wav'],
    );
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^reference +estimate +SDR dB +SIR dB +SAR dB$/);
    expect(lines[1]).toMatch(/^r1\.wav +e2\.wav +14\.20 +14\.30 +78\.70$/);
    expect(lines[2]).toMatch(/^r2\.wav +e1\.wav +20\.20 +20\.25 +78\.50$/);
  });

  it('rejects mismatched rates, lengths and counts naming the file', () => {
    const { a, b } = signals(1000);
    const s = (name: string, samples: Float64Array, sampleRate = 8000) => ({ name, samples, sampleRate });
    expect(() => bssEvalSignals([s('r1', a)], [s('e1', b, 16000)])).toThrow(
      /e1: all files must have the same sample rate/,
    );
    expect(() => bssEvalSignals([s('r1', a)], [s('e1', b.subarray(1))])).toThrow(
      /e1: all files must have the same length/,
    );
    expect(() => bssEvalSignals([s('r1', a)], [s('e1', b), s('e2', b)])).toThrow(/one estimate per reference/);
    expect(() => bssEvalSignals([s('r1', a), s('r2', new Float64Array(1000))], [s('e1', b), s('e2', a)])).toThrow(
      /r2: reference is silent/,
    );
  });

  // the whole path (WAV reading, bssEvalSignals, JSON) through the built command
  it.skipIf(!existsSync(bin))('reads WAV files and prints --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-bss-'));
    try {
      const { a, b, e1, e2 } = signals();
      const files = { r1: a, r2: b, e1, e2 };
      for (const [k, v] of Object.entries(files)) writeWav(join(dir, `${k}.wav`), v, 8000, { format: 'float32' });
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [bin, 'bss-eval', ...args], { cwd: dir, encoding: 'utf8' });
      const r = run('--reference', 'r1.wav', 'r2.wav', '--estimate', 'e1.wav', 'e2.wav', '--json');
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { sdr: number[]; sir: number[]; sar: number[]; perm: number[] };
      expect(Object.keys(out)).toEqual(['sdr', 'sir', 'sar', 'perm']);
      expect(out.perm).toEqual([1, 0]);
      expect(Math.abs(out.sir[1] - (20 - 10 * Math.log10(1 - 512 / 4000)))).toBeLessThan(0.5);
      expect(Math.abs(out.sir[0] - (10 * Math.log10(1 / 0.04) - 10 * Math.log10(1 - 512 / 4000)))).toBeLessThan(0.5);
      const bad = run('--reference', 'r1.wav', '--estimate', 'missing.wav');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^nmflab: missing\.wav: file not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
