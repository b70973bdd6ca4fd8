import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cases from './bad-inputs.cases.mjs';

/**
 * Every bad input of bad-inputs.cases.mjs (the table, with the fixtures it runs on) against the
 * built CLI: exit status as listed (2 for bad input, 1 for a failed run, 130 interrupted), one
 * line on stderr naming the file and field or flag, no stack trace, no "internal error", no
 * temporary file left, no NaN/Infinity/null in a result file, no results folder for input refused
 * at validation. Cases needing a file-size limit run the command in a child under `ulimit -f`.
 */
interface Case {
  name: string;
  args: string[];
  code?: number;
  err?: string;
  ok?: string;
  lines?: number;
  ulimit?: number;
}
interface Outcome {
  index: number;
  name: string;
  code: number;
  err: string;
  out: string;
  leftovers: string[];
  nonFinite: string[];
  resultsCreated: boolean;
  intact?: boolean;
}

const table = cases as Case[];
const driver = fileURLToPath(new URL('./support/bad-inputs-driver.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));

function parse(stdout: string): Outcome[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Outcome);
}

const outcomes = new Map<number, Outcome>();
let driverError = '';
if (built) {
  const r = spawnSync(process.execPath, [driver], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: 240_000 });
  for (const o of parse(r.stdout)) outcomes.set(o.index, o);
  if (r.status !== 0) driverError = r.stderr.slice(-2000);
}

describe.skipIf(!built)('bad inputs (table of cases, built CLI)', () => {
  it('the driver ran every case', () => {
    expect(driverError).toBe('');
    const missing = table.map((c, i) => [i, c] as const).filter(([i]) => !outcomes.has(i));
    expect(missing.map(([, c]) => c.name)).toEqual([]);
    expect(table.length).toBeGreaterThan(193);
  });

  it.each(table.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = table[i];
    const o = outcomes.get(i);
    if (!o) return; // reported by the test above
    const want = c.code ?? 2;
    const lines = o.err.split('\n').filter((l) => l.trim() !== '');
    expect({ code: o.code, err: o.err }).toEqual({ code: want, err: expect.any(String) });
    expect(o.err).not.toMatch(/\n\s+at |internal error|driver: main threw/);
    if (want !== 0) {
      expect(lines.length, o.err).toBe(c.lines ?? 1);
      expect(lines[0]).toMatch(/^nmflab: \S/);
      if (c.err) expect(o.err).toMatch(new RegExp(c.err));
    } else if (c.ok) {
      expect(o.out + o.err).toMatch(new RegExp(c.ok));
    }
    expect(o.leftovers, 'temporary files left').toEqual([]);
    expect(o.nonFinite, 'NaN/Infinity/null in result files').toEqual([]);
    if (want === 2 && c.args[0] === 'run' && !c.ulimit)
      expect(o.resultsCreated, 'results folder created for refused input').toBe(false);
    if (o.intact !== undefined) expect(o.intact, 'resumed run folder whole').toBe(true);
  });
});
