import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix, Rng, fit, matrixToCsv, matrixToNpy, parseCsvMatrix } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import type { Solver } from '@nmflab/core';
import { runFactorize, type FactorizeOptions } from '../src/commands/factorize.js';

const defaults: Omit<FactorizeOptions, 'input' | 'rank' | 'out'> = {
  divergence: 'beta',
  iterations: 200,
  mode: 'mm',
  init: 'nndsvda',
  seed: 0,
  tol: 0,
  restarts: 1,
  plugin: [],
};

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(bin);
const fx = JSON.parse(
  readFileSync(new URL('../../solvers/test/fixtures/sklearn-mu-trajectories.json', import.meta.url), 'utf8'),
) as {
  V: number[][];
  W0: number[][];
  H0: number[][];
  trajectories: Record<string, number[]>;
};

function nmflab(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function readCsv(file: string): Matrix {
  return parseCsvMatrix(readFileSync(file, 'utf8'), file);
}

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-factorize-'));
    try {
      writeFileSync(join(dir, 'V.csv'), matrixToCsv(Matrix.fromRows(fx.V)));
      writeFileSync(join(dir, 'V.npy'), matrixToNpy(Matrix.fromRows(fx.V)));
      writeFileSync(join(dir, 'W0.csv'), matrixToCsv(Matrix.fromRows(fx.W0)));
      writeFileSync(join(dir, 'H0.csv'), matrixToCsv(Matrix.fromRows(fx.H0)));
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

// Tests start the CLI (about 1.5 s of CPU) and fit in process too: on a loaded 2-core machine one
// took 25 s, too close to the 60 s default.
describe.skipIf(!built)('nmflab factorize (built dist)', { timeout: 180_000 }, () => {
  it(
    'writes W.csv, H.csv and trajectory.csv that match scikit-learn and the in-process fit bit for bit',
    withDir(async (dir) => {
      const r = nmflab(
        dir,
        'factorize',
        '--input',
        'V.csv',
        '--rank',
        '4',
        '--divergence',
        'beta',
        '--beta',
        '0.5',
        '--iterations',
        '50',
        '--init',
        'custom',
        '--w0',
        'W0.csv',
        '--h0',
        'H0.csv',
        '--out',
        'out',
      );
      expect(r.err).toMatch(/max-iterations after 50 iterations/);
      expect(r.code).toBe(0);
      const lines = readFileSync(join(dir, 'out/trajectory.csv'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('iteration,objective,data,seconds');
      expect(lines).toHaveLength(52);
      const ref = fx.trajectories['0.5'];
      lines.slice(1).forEach((l, i) => {
        const [it, obj] = l.split(',').map(Number);
        expect(it).toBe(i);
        expect(Math.abs(obj! - ref[i]) / ref[i]).toBeLessThan(1e-9);
      });
      // Full float64 precision: the files hold exactly the factors of the same fit run here.
      const registry = await buildRegistry();
      const solver = registry.create('solver', {
        id: 'mu',
        params: { divergence: { id: 'beta', params: { beta: 0.5 } } },
      }) as Solver;
      const res = fit(
        solver,
        { V: Matrix.fromRows(fx.V), rank: 4, W0: Matrix.fromRows(fx.W0), H0: Matrix.fromRows(fx.H0) },
        new Rng(0),
        { stopping: { maxIterations: 50 } },
      );
      expect(Array.from(readCsv(join(dir, 'out/W.csv')).data)).toEqual(Array.from(res.result.W.data));
      expect(Array.from(readCsv(join(dir, 'out/H.csv')).data)).toEqual(Array.from(res.result.H.data));
      expect(JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8')).stopReason).toBe('max-iterations');
    }),
  );

  it(
    'reads .npy, takes other divergences by id, seeds, restarts and a tolerance',
    withDir(async (dir) => {
      const args = [
        'factorize',
        '--input',
        'V.npy',
        '--rank',
        '3',
        '--divergence',
        'kl',
        '--init',
        'nndsvdar',
        '--seed',
        '4',
        '--iterations',
        '300',
        '--tol',
        '1e-4',
        '--restarts',
        '2',
      ];
      const a = nmflab(dir, ...args, '--out', 'a');
      expect(a.code).toBe(0);
      // The same options in-process (sources) give the same bytes as the built command.
      await runFactorize({
        ...defaults,
        input: join(dir, 'V.npy'),
        rank: 3,
        divergence: 'kl',
        init: 'nndsvdar',
        seed: 4,
        iterations: 300,
        tol: 1e-4,
        restarts: 2,
        out: join(dir, 'b'),
      });
      const W = readCsv(join(dir, 'a/W.csv'));
      expect([W.rows, W.cols]).toEqual([20, 3]);
      expect(readFileSync(join(dir, 'a/H.csv'), 'utf8')).toBe(readFileSync(join(dir, 'b/H.csv'), 'utf8'));
      const s = JSON.parse(readFileSync(join(dir, 'a/summary.json'), 'utf8'));
      expect(s.restartObjectives).toHaveLength(2);
      expect(s.stopReason).toBe('objective-tolerance');
      expect(s.increases).toEqual([]);
    }),
  );

  const badCases: [Partial<FactorizeOptions>, RegExp][] = [
    [{ input: 'missing.csv', rank: 2 }, /^missing\.csv: file not found/],
    [{ input: 'bad.csv', rank: 2 }, /^bad\.csv: row 2, column 2: not a number/],
    [{ input: 'V.csv', rank: 0 }, /^--rank: invalid rank/],
    [
      { input: 'V.csv', rank: 2, divergence: 'kll' },
      /^--divergence\.id: unknown divergence 'kll'.*did you mean 'kl'\?/,
    ],
    [{ input: 'V.csv', rank: 2, divergence: 'beta', beta: NaN }, /^--beta: not a number/],
    [{ input: 'V.csv', rank: 2, init: 'custom' }, /^--init: --init custom needs both --w0 and --h0/],
    [{ input: 'V.csv', rank: 2, init: 'nndsvdx' }, /^--init: unknown initializer 'nndsvdx'.*did you mean 'nndsvd'\?/],
    [{ input: 'zeros.csv', rank: 1, divergence: 'is' }, /zero entries.*offset/],
    [{ input: 'V.csv', rank: 2, mode: 'fast' as never }, /^--mode: not an allowed value/],
    [
      { input: 'V.csv', rank: 2, modelFloor: 'eps3' as never },
      /^--model-floor: not an allowed value \(expected one of eps2, eps/,
    ],
  ];
  it(
    'bad input is one NmflabError naming the option or file, and nothing is written',
    withDir(async (dir) => {
      writeFileSync(join(dir, 'bad.csv'), '1,2\n3,x\n');
      writeFileSync(join(dir, 'zeros.csv'), '1,0\n3,4\n');
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        for (const [o, pattern] of badCases) {
          await expect(runFactorize({ ...defaults, out: 'out', ...o } as FactorizeOptions)).rejects.toThrow(pattern);
          expect(existsSync(join(dir, 'out'))).toBe(false);
        }
      } finally {
        process.chdir(cwd);
      }
    }),
  );
  it(
    'the command prints bad input as one line and exits 2, without a stack trace',
    withDir((dir) => {
      writeFileSync(join(dir, 'zeros.csv'), '1,0\n3,4\n');
      const r = nmflab(dir, 'factorize', '--input', 'zeros.csv', '--rank', '1', '--divergence', 'is', '--out', 'out');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^nmflab: .*zero entries.*offset/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }),
  );

  it(
    '--model-floor reaches mu: on data below ε, eps (scikit-learn) and eps2 (default) give different trajectories',
    withDir(async (dir) => {
      // All of V ~1e-9 < ε ≈ 1.2e-7: the eps floor lifts WH to ε in the weights, the eps2 floor never acts.
      const tiny = new Matrix(6, 8);
      new Rng(3).fillUniform(tiny.data, 1e-10, 1e-9);
      writeFileSync(join(dir, 'tiny.npy'), matrixToNpy(tiny));
      const common = ['factorize', '--input', 'tiny.npy', '--rank', '2', '--divergence', 'kl', '--iterations', '30'];
      expect(nmflab(dir, ...common, '--model-floor', 'eps', '--out', 'eps').code).toBe(0);
      const base = { ...defaults, input: join(dir, 'tiny.npy'), rank: 2, divergence: 'kl', iterations: 30 };
      await runFactorize({ ...base, modelFloor: 'eps', out: join(dir, 'eps-in-process') });
      await runFactorize({ ...base, out: join(dir, 'default') });
      const objectives = (name: string) =>
        readFileSync(join(dir, name, 'trajectory.csv'), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => Number(l.split(',')[1]));
      const summary = (name: string) =>
        JSON.parse(readFileSync(join(dir, name, 'summary.json'), 'utf8')) as {
          solver: { id: string; params: Record<string, unknown> };
        };
      // The option as given on the command line is what the solver used, and it is recorded.
      expect(summary('eps').solver.id).toBe('mu');
      expect(summary('eps').solver.params.modelFloor).toBe('eps');
      expect(summary('default').solver.params.modelFloor).toBe('eps2');
      expect(objectives('eps')).toEqual(objectives('eps-in-process'));
      // Same start (row 0), then the floors take different steps.
      const [a, b] = [objectives('eps'), objectives('default')];
      expect(a[0]).toBe(b[0]);
      expect(a.slice(1).some((x, i) => x !== b[i + 1])).toBe(true);
      // eps2 is the MM step: never increasing.
      for (let i = 1; i < b.length; i++) expect(b[i]).toBeLessThanOrEqual(b[i - 1]);
    }),
  );

  it(
    'Ctrl-C stops cleanly: partial results written with the stop reason, exit 130',
    withDir(async (dir) => {
      const big = new Matrix(120, 100);
      new Rng(1).fillUniform(big.data, 0.01, 1);
      writeFileSync(join(dir, 'big.npy'), matrixToNpy(big));
      const child = spawn(
        process.execPath,
        [
          bin,
          'factorize',
          '--input',
          'big.npy',
          '--rank',
          '5',
          '--iterations',
          '10000000',
          '--init',
          'random',
          '--progress',
          '--out',
          'out',
        ],
        { cwd: dir },
      );
      let err = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/iteration [1-9]\d*\/10000000/.test(err) && !child.killed) child.kill('SIGINT');
        });
        // 'close', not 'exit': 'exit' can come before the last of stderr is read.
        child.on('close', (c) => resolve(c));
      });
      expect(code).toBe(130);
      expect(err).toMatch(/interrupted after \d+ iterations/);
      const s = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8'));
      expect(s.stopReason).toBe('interrupted');
      expect(s.iterations).toBeGreaterThan(0);
      expect(readFileSync(join(dir, 'out/trajectory.csv'), 'utf8').trim().split('\n')).toHaveLength(s.iterations + 2);
      expect(readCsv(join(dir, 'out/W.csv')).cols).toBe(5);
    }),
  );
});
