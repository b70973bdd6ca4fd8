import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(bin);

function nmflab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)('nmflab command (built dist)', () => {
  it('--help lists the commands', () => {
    const r = nmflab('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/plugins/);
  });

  it('plugins --json prints an array of {kind, id, description, params}', () => {
    const r = nmflab('plugins', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { kind: string; id: string; description: string; params: object }[];
    expect(Array.isArray(list)).toBe(true);
    for (const p of list) expect(Object.keys(p).sort()).toEqual(['description', 'id', 'kind', 'params']);
  });

  it.each([
    [['frobnicate'], /^nmflab: Unknown argument: frobnicate\n$/],
    [[], /^nmflab: no command given; run nmflab --help for the list\n$/],
    [['plugins', 'solverz'], /^nmflab: unknown plugin kind 'solverz' .*did you mean 'solver'\?\n$/],
    [['plugins', '--plugin', 'missing.js'], /^nmflab: missing\.js: plugin module not found/],
    // Usage errors stop before the command's handler runs (one line, not the handler's error too).
    [['factorize', '--rank', '2'], /^nmflab: Missing required arguments: input, out\n$/],
    [
      ['factorize', '--input', 'V.csv', '--rank', '2', '--out', 'o', '--mode', 'bogus'],
      /^nmflab: Invalid values: Argument: mode, Given: "bogus", Choices: "mm", "heuristic"\n$/,
    ],
  ])('bad input %j exits non-zero with one clear line', (args, pattern) => {
    const r = nmflab(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
