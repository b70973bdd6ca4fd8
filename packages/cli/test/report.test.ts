import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWav } from '@nmflab/core';
import { parseImageShape } from '../src/commands/report.js';
import { TRANSFORM, twoTones, writeRunFixture } from '../../report/test/fixture.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nmflab-cli-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('nmflab report', () => {
  it('re-loads the run data through its source plugin and writes report.html', () => {
    // config.yaml as JSON (a YAML subset). A run whose config names a wav-mixture of two stems: the mixture spectrogram needs the data.
    const data = twoTones();
    const stems = data.sources!.map((s) => {
      const path = join(tmp, `${s.name}.wav`);
      writeWav(path, s.samples, 8000, { format: 'float32' });
      return { name: s.name, path };
    });
    const run = writeRunFixture(join(tmp, 'sweep'));
    writeFileSync(
      join(run, 'config.yaml'),
      JSON.stringify({
        name: 'fixture',
        seed: 1,
        data: { id: 'wav-mixture', params: { stems } },
        transform: TRANSFORM,
        model: { solver: { id: 'mu', params: {} }, rank: 2 },
        task: { id: 'factorize', params: {} },
      }),
    );
    const r = spawnSync(process.execPath, [bin, 'report', run, '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^report in .*report\.html$/m);
    expect(existsSync(join(run, 'report', 'spectrogram-mixture.svg'))).toBe(true);
    expect(existsSync(join(run, 'report', 'spectrogram-reference-high.svg'))).toBe(true);
    // The re-loaded mixture is written beside the figures and embedded in the page (self-contained).
    expect(existsSync(join(run, 'report', 'mixture.wav'))).toBe(true);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('src="data:audio/wav;base64,');
  });

  it('--image: HEIGHTxWIDTH, else a usage error', () => {
    // (A bad folder is a one-line NmflabError like any other: packages/report/test/report.test.ts.)
    expect(parseImageShape('25x20')).toEqual({ height: 25, width: 20 });
    expect(parseImageShape('25×25')).toEqual({ height: 25, width: 25 });
    expect(() => parseImageShape('25')).toThrow(/HEIGHTxWIDTH/);
  });
});
