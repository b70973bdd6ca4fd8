import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summarize } from '@nmflab/core';
import { tempDirs } from '../../../test/support/temp-dir.js';
import { FAKE_SEEDS, fakeValue, writeFakeSweep } from '../../../test/support/fake-sweep.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(bin);
const { dir } = tempDirs('nmflab-cli-compare-');
const sweep = writeFakeSweep(dir);

function nmflab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const meanSdr = (m: string, rank: number, seed: number) =>
  (fakeValue(m, rank, seed, 0) + fakeValue(m, rank, seed, 1)) / 2;

describe.skipIf(!built)('nmflab compare (built dist)', { timeout: 60_000 }, () => {
  it('groups by solver and rank: mean ± CI over seeds, paired tests of the best against the others', () => {
    const r = nmflab(
      'compare',
      sweep,
      '--metrics',
      'sdr,sir',
      '--by',
      'model.solver.id,model.rank',
      '--test',
      'model.solver.id',
      '--format',
      'json',
    );
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as Record<string, Record<string, number | string>[]>;
    const [summary, tests] = Object.values(doc) as [
      Record<string, number | string>[],
      Record<string, number | string>[],
    ];
    expect(summary).toHaveLength(6);
    const row = summary.find((x) => x['model.solver.id'] === 'plsa' && x['model.rank'] === 16)!;
    const want = summarize(Array.from({ length: FAKE_SEEDS }, (_, s) => meanSdr('plsa', 16, s + 1)));
    expect(row.n).toBe(FAKE_SEEDS);
    expect(row['sdr.mean']).toBeCloseTo(want.mean, 10);
    expect(row['sdr.ci95']).toBeCloseTo(want.ciHalf, 10);
    expect(tests).toHaveLength(4);
    expect(tests.every((t) => t['best model.solver.id'] === 'mu' && t.pairs === FAKE_SEEDS)).toBe(true);
    // mu − plsa is 0.5 dB on every seed: no spread, t infinite (shown as null), Wilcoxon exact p = 2/2^4
    const vsPlsa = tests.find((t) => t.vs === 'plsa')!;
    expect(vsPlsa['mean diff']).toBeCloseTo(0.5, 10);
    expect(vsPlsa['p (W)']).toBeCloseTo(0.125, 12);
  });

  it('the paper table: pivot as Markdown, and the aligned terminal table', () => {
    const md = nmflab(
      'compare',
      sweep,
      '--metrics',
      'sdr',
      '--pivot',
      'model.solver.id×model.rank',
      '--format',
      'markdown',
    );
    expect(md.code, md.err).toBe(0);
    expect(md.out).toContain('| model.solver.id | 8 | 16 |');
    expect(md.out).toMatch(/\| mu \| \d+\.\d{3} ± \d\.\d{3} \|/);
    const t = nmflab(
      'compare',
      sweep,
      '--metrics',
      'sdr',
      '--by',
      'model.solver.id,model.rank',
      '--sort',
      'sdr:desc',
      '--filter',
      'model.rank=16',
    );
    expect(t.code, t.err).toBe(0);
    const lines = t.out.split('\n');
    expect(lines[1]).toMatch(/^model\.solver\.id +model\.rank +n +sdr \(mean ± 95% CI\)/);
    expect(lines.slice(3, 6).map((l) => l.split(/\s+/)[0])).toEqual(['mu', 'plsa', 'complex-nmf']);
    expect(t.out).toContain('Student-t interval');
  });

  it('CSV to a file; the plain run table still works', () => {
    const out = join(dir, 'cmp.csv');
    const r = nmflab(
      'compare',
      sweep,
      '--by',
      'model.solver.id',
      '--pair-on',
      'seed,model.rank',
      '--format',
      'csv',
      '--output',
      out,
    );
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('model.solver.id,n,sdr.mean,sdr.ci95,sdr.std,sdr.ciLow,sdr.ciHigh');
    expect(lines).toHaveLength(4);
    const plain = nmflab('compare', sweep, '--metrics', 'sdr');
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out.split('\n')[0]).toMatch(
      /^run +seed +model\.solver\.id +model\.rank +status +sdr\[speech\] +sdr\[chime\] +iterations +seconds$/,
    );
  });

  it('bad input: exit 2, one line naming the flag', () => {
    for (const args of [
      ['--by', 'model.solverid'],
      ['--metrics', 'sdx', '--by', 'model.rank,model.solver.id'],
      ['--pivot', 'model.rank'],
      ['--by', 'model.rank'],
      ['--filter', 'x'],
    ]) {
      const r = nmflab('compare', sweep, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).toMatch(/^nmflab: --(by|metrics|pivot|filter): /);
    }
  });
});
