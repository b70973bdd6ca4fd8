import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The fuzz properties of support/fuzz-driver.mjs (random damage to an experiment YAML, a CSV data
 * file, a mixture JSON, sweep.yaml and run.json; see there) against the built CLI, in a Node
 * process of their own: every property holds on every seeded case.
 */
const driver = fileURLToPath(new URL('./support/fuzz-driver.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));

describe.skipIf(!built)('nmflab under randomly damaged inputs (fast-check, seeded, built CLI)', () => {
  it('no stack trace, no silent failure, no partial result', () => {
    const r = spawnSync(process.execPath, [driver], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr, 'driver stderr').toBe('');
    const results = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { name: string; runs: number; ok: boolean; error?: string });
    expect(results.map((x) => x.name)).toHaveLength(5);
    for (const x of results) expect(x, x.name).toMatchObject({ ok: true });
    expect(r.status).toBe(0);
  });
});
