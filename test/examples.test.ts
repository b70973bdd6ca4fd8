import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './support/temp-dir.js';

/**
 * Every script in examples/ runs (against the built packages, as a user runs it) at the reduced
 * size its `--quick` flag selects, and prints what it claims.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const tmp = tempDirs('nmflab-examples-');

async function example(name: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [join(root, 'examples', name), ...args, '--quick'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return stdout;
}

describe('examples', () => {
  it('every example has a test here', () => {
    const tested = [
      'custom-divergence.mjs',
      'fit-transform.mjs',
      'quickstart.mjs',
      'supervised-separation.mjs',
      'sweep.mjs',
    ];
    expect(
      readdirSync(join(root, 'examples'))
        .filter((f) => f.endsWith('.mjs'))
        .sort(),
    ).toEqual(tested);
  });

  it('quickstart: at most 10 lines fit, transform, save, load and reproduce H bit-identically', async () => {
    expect(
      readFileSync(join(root, 'examples', 'quickstart.mjs'), 'utf8')
        .trimEnd()
        .split('\n').length,
    ).toBeLessThanOrEqual(10);
    expect(await example('quickstart.mjs', [join(tmp.dir, 'model')])).toBe('same H: true\n');
  });

  it('fit-transform: fits and codes new data as well as the training data', async () => {
    const out = await example('fit-transform.mjs');
    const m = /relative error on the training data (\S+), on new data (\S+)/.exec(out)!;
    expect(Number(m[1])).toBeLessThan(0.1);
    expect(Number(m[2])).toBeLessThan(0.1);
    expect(out).toContain('"rank":5');
  });

  it('supervised separation on the committed mixture beats the mixture by 5 dB SDR', async () => {
    const out = await example('supervised-separation.mjs');
    for (const name of ['speech', 'chime']) {
      const m = new RegExp(`${name}: SDR (\\S+) dB \\(mixture (\\S+) dB\\)`).exec(out)!;
      expect(Number(m[1])).toBeGreaterThan(Number(m[2]) + 5);
    }
  });

  it('custom divergence: the hand-written plugin matches the built-in β = 1.5 and never rises', async () => {
    const out = await example('custom-divergence.mjs');
    expect(Number(/largest relative difference of W: (\S+)/.exec(out)![1])).toBeLessThan(1e-8);
    expect(out).toContain('iterations where the objective rose: 0');
  });

  it('sweep: six runs of the rank × divergence grid complete', async () => {
    const out = await example('sweep.mjs', [join(tmp.dir, 'results')]);
    expect(out).toContain('6 completed, 0 failed');
  });
});
