import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  collectRuns,
  compareRows,
  parseNpyMatrix,
  runExperiment,
  writeFileAtomic,
  type ExperimentOptions,
  type RunRecord,
} from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import { tempDirs } from '../../../../test/support/temp-dir.js';

const base = fileURLToPath(new URL('../fixtures/configs/good/base.yaml', import.meta.url));
const createRunEnv = async (files: string[]) => ({ registry: await buildRegistry(files) });
const { fresh } = tempDirs('nmflab-runner-');
const run = (o: Partial<ExperimentOptions>) => runExperiment({ configFile: base, createRunEnv, ...o });
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as RunRecord;
/** trajectory.csv without its last column (wall time). */
const deterministic = (f: string) =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(0, -1).join(','));

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    out[f] = `${readFileSync(p).toString('base64')}@${statSync(p).mtimeMs}`;
  }
  return out;
}

describe('runner: run folders', () => {
  it('writes sweep.yaml, summary.csv and one complete folder per run', async () => {
    const out = fresh();
    const r = await run({ outDir: out, sweeps: ['model.rank=[2,3]'] });
    expect(r.completed).toBe(2);
    expect(r.dir.startsWith(join(out, 'base'))).toBe(true);
    expect(readdirSync(r.dir).sort()).toEqual(['0000', '0001', 'summary.csv', 'sweep.yaml']);
    for (const [i, name] of ['0000', '0001'].entries()) {
      const d = join(r.dir, name);
      expect(readdirSync(d).sort()).toEqual([
        'H.npy',
        'W.npy',
        'config.yaml',
        'metrics.csv',
        'metrics.json',
        'run.json',
        'trajectory.csv',
      ]);
      const rec = readJson(join(d, 'run.json'));
      expect(rec.status).toBe('completed');
      expect(rec.iterations).toBe(20);
      expect(rec.stopReason).toBe('max-iterations');
      expect(rec.increases).toBe(0);
      expect(rec.provenance.node).toBe(process.version);
      expect(Object.keys(rec.provenance.git)).toEqual(['commit', 'dirty']);
      expect(new Date(rec.finished!).getTime()).toBeGreaterThanOrEqual(new Date(rec.started!).getTime());
      // The snapshot is the resolved config, with the swept value and the seed in it.
      const cfg = parseYaml(readFileSync(join(d, 'config.yaml'), 'utf8')) as {
        model: { rank: number; solver: unknown };
        seed: number;
      };
      expect(cfg.model.rank).toBe(2 + i);
      expect(cfg.seed).toBe(7);
      expect(cfg.model.solver).toEqual({ id: 'test-mu', params: { eps: 1e-12, failAt: 0, delayMs: 0, mode: 'fast' } });
      // Factors have the run's rank; the final objective is recorded with its terms.
      const W = parseNpyMatrix(readFileSync(join(d, 'W.npy')));
      expect([W.rows, W.cols]).toEqual([12, 2 + i]);
      const metrics = JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')) as Record<string, unknown>;
      expect(metrics.objective).toBe(rec.objective!.total);
      expect(metrics['objective.data']).toBe(rec.objective!.terms.data);
      expect(metrics.normW).toBeGreaterThan(0);
      const csv = readFileSync(join(d, 'metrics.csv'), 'utf8').trim().split('\n');
      expect(csv[0]).toBe('metric,source,value');
      expect(csv).toContain('perSource,1,2');
      const traj = readFileSync(join(d, 'trajectory.csv'), 'utf8').trim().split('\n');
      expect(traj[0]).toBe('iteration,objective,term:data,seconds');
      expect(traj).toHaveLength(22);
    }
    const summary = readFileSync(join(r.dir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(
      summary[0].startsWith(
        'run,status,model.rank,seed,objective,objective.data,normW,normH,perSource[0],perSource[1],iterations,stopReason,seconds',
      ),
    ).toBe(true);
    expect(summary.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '0000,completed,2',
      '0001,completed,3',
    ]);
    const sweep = parseYaml(readFileSync(join(r.dir, 'sweep.yaml'), 'utf8')) as { runs: unknown[]; axes: unknown[] };
    expect(sweep.axes).toEqual([{ path: 'model.rank', values: [2, 3] }]);
    expect(sweep.runs).toHaveLength(2);
    expect(readFileSync(join(r.dir, 'sweep.yaml'), 'utf8')).not.toContain(process.cwd());
  });

  it('same seed → the same trajectory, bit for bit (wall time aside)', async () => {
    const a = await run({ outDir: fresh() });
    const b = await run({ outDir: fresh() });
    expect(deterministic(join(a.dir, '0000', 'trajectory.csv'))).toEqual(
      deterministic(join(b.dir, '0000', 'trajectory.csv')),
    );
    expect(readFileSync(join(a.dir, '0000', 'W.npy'))).toEqual(readFileSync(join(b.dir, '0000', 'W.npy')));
    const c = await run({ outDir: fresh(), sets: ['seed=8'] });
    expect(deterministic(join(c.dir, '0000', 'trajectory.csv'))).not.toEqual(
      deterministic(join(a.dir, '0000', 'trajectory.csv')),
    );
  });

  it('a failing run is recorded as failed (run.json with the error, no artifacts); the others complete', async () => {
    const r = await run({ outDir: fresh(), sweeps: ['model.solver.params.failAt=[0, 5]'] });
    expect(r.completed).toBe(1);
    expect(r.failed).toBe(1);
    const d = join(r.dir, '0001');
    expect(readdirSync(d).sort()).toEqual(['config.yaml', 'run.json']);
    const rec = readJson(join(d, 'run.json'));
    expect(rec.status).toBe('failed');
    expect(rec.error).toBe('internal error: test failure at iteration 5');
    expect(readFileSync(join(r.dir, 'summary.csv'), 'utf8')).toMatch(/\n0001,failed,5,/);
  });

  it('interrupted mid-sweep, then resumed: finished runs untouched, the rest as if never stopped', async () => {
    const out = fresh();
    const controller = new AbortController();
    const first = await run({
      outDir: out,
      sweeps: ['model.rank=[2,3,2]'],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.index === 1 && e.iteration === 7) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.records.map((x) => x?.status)).toEqual(['completed', 'interrupted', undefined]);
    expect(readdirSync(first.dir).sort()).toEqual(['0000', '0001', 'summary.csv', 'sweep.yaml']);
    expect(readJson(join(first.dir, '0001', 'run.json')).iterations).toBe(7);
    expect(readFileSync(join(first.dir, 'summary.csv'), 'utf8')).toMatch(/\n0001,interrupted,3,[^\n]*\n0002,queued,2,/);
    // A crash would leave a temporary folder: resume clears it.
    mkdirSync(join(first.dir, '.0002.tmp'));
    writeFileSync(join(first.dir, '.0002.tmp', 'run.json'), '{"status":"running"');
    const kept = snapshot(join(first.dir, '0000'));
    const events: number[] = [];
    const second = await runExperiment({
      resume: first.dir,
      createRunEnv,
      onEvent: (e) => e.type === 'start' && events.push(e.index),
    });
    expect(second.dir).toBe(first.dir);
    expect(events).toEqual([1, 2]);
    expect(second.records.map((x) => x?.status)).toEqual(['completed', 'completed', 'completed']);
    expect(snapshot(join(first.dir, '0000'))).toEqual(kept);
    expect(readdirSync(first.dir).filter((f) => f.startsWith('.'))).toEqual([]);
    // Runs 0 and 2 have the same config: the resumed run reproduces the first one exactly.
    expect(deterministic(join(first.dir, '0002', 'trajectory.csv'))).toEqual(
      deterministic(join(first.dir, '0000', 'trajectory.csv')),
    );
    expect(readJson(join(first.dir, '0001', 'run.json')).iterations).toBe(20);
  });

  it('--resume of a folder that is not a sweep is a clear error', async () => {
    await expect(runExperiment({ resume: fresh(), createRunEnv })).rejects.toThrow(
      /not a sweep folder \(expected a folder holding sweep\.yaml/,
    );
  });
});

describe('runner: atomic writes', () => {
  it('writeFileAtomic leaves the complete file and no temporary', () => {
    const d = fresh();
    writeFileAtomic(join(d, 'a', 'x.txt'), 'one');
    writeFileAtomic(join(d, 'a', 'x.txt'), 'two');
    expect(readdirSync(join(d, 'a'))).toEqual(['x.txt']);
    expect(readFileSync(join(d, 'a', 'x.txt'), 'utf8')).toBe('two');
  });

  it('a run folder only appears complete: while running, the files live in a hidden temporary folder', async () => {
    const out = fresh();
    let seenWhileRunning: string[] = [];
    const r = await run({
      outDir: out,
      onEvent: (e) => {
        if (e.type === 'progress' && e.iteration === 3) {
          const dir = join(out, 'base', readdirSync(join(out, 'base'))[0]);
          seenWhileRunning = readdirSync(dir).sort();
          const rec = readJson(join(dir, '.0000.tmp', 'run.json'));
          expect(rec.status).toBe('running');
        }
      },
    });
    expect(seenWhileRunning).toEqual(['.0000.tmp', 'summary.csv', 'sweep.yaml']);
    expect(existsSync(join(r.dir, '.0000.tmp'))).toBe(false);
    expect(existsSync(join(r.dir, '0000', 'run.json'))).toBe(true);
  });
});

describe('compare', () => {
  it('tabulates the parameters that differ, metrics, iterations and time', async () => {
    const r = await run({ outDir: fresh(), sweeps: ['model.rank=[2,3]'] });
    const rows = compareRows(collectRuns([r.dir]));
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]).slice(0, 3)).toEqual(['run', 'model.rank', 'status']);
    expect(rows.map((x) => x['model.rank'])).toEqual([2, 3]);
    expect(rows[0].iterations).toBe(20);
    expect(typeof rows[0].objective).toBe('number');
  });
});

describe('runner: solver specs given by a task', () => {
  it('are validated like a config: defaults filled, so the fit is finite', async () => {
    const r = await run({ outDir: fresh(), sets: ['task=test-own-solver'] });
    expect(r.completed).toBe(1);
    const rec = readJson(join(r.dir, '0000', 'run.json'));
    expect(Number.isFinite(rec.objective!.total)).toBe(true);
  });
  it('name the task fit when they are wrong', async () => {
    const r = await run({
      outDir: fresh(),
      sets: ['task={id: test-own-solver, params: {solver: {id: test-mu, params: {mode: fst}}}}'],
    });
    expect(r.failed).toBe(1);
    const rec = readJson(join(r.dir, '0000', 'run.json'));
    expect(rec.error).toContain(
      'task fit own: solver.params.mode: not an allowed value (expected one of fast, exact, found "fst"); did you mean \'fast\'?',
    );
  });
});

describe('runner: a task that fits no model', () => {
  const noModel = fileURLToPath(new URL('../fixtures/configs/good/no-model.yaml', import.meta.url));
  it('runs without a model block: run.json, config.yaml, summary.csv and compare have no fit columns', async () => {
    const r = await run({ configFile: noModel, outDir: fresh(), sweeps: ['data.params.rank=[2,3]'] });
    expect(r.completed).toBe(2);
    const d = join(r.dir, '0000');
    expect(readdirSync(d).sort()).toEqual(['config.yaml', 'extra.json', 'metrics.csv', 'metrics.json', 'run.json']);
    const rec = readJson(join(d, 'run.json'));
    expect(rec.status).toBe('completed');
    expect(rec.iterations).toBeUndefined();
    expect(rec.objective).toBeUndefined();
    expect(rec.metrics!.total).toBeGreaterThan(0);
    expect(parseYaml(readFileSync(join(d, 'config.yaml'), 'utf8'))).not.toHaveProperty('model');
    const summary = readFileSync(join(r.dir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary).toHaveLength(3);
    expect(summary[1].startsWith('0000,completed,2,')).toBe(true);
    const rows = compareRows(collectRuns([r.dir]));
    expect(rows.map((x) => x['data.params.rank'])).toEqual([2, 3]);
    expect(
      rows.every((x) => x.status === 'completed' && x.iterations === undefined && typeof x.total === 'number'),
    ).toBe(true);
  });
  it('a task that asks for the model anyway fails with a clear error, not a TypeError', async () => {
    const r = await run({ configFile: noModel, outDir: fresh(), sets: ['task.params.fit=true'] });
    expect(r.failed).toBe(1);
    expect(readJson(join(r.dir, '0000', 'run.json')).error).toBe(
      "model: task 'test-no-model' asked for the model, but the config has none (expected a model block with solver and rank, found no model block)",
    );
  });
});

describe('runner: worker threads that cannot start', () => {
  it('fail the sweep (exit 1, the worker error named) instead of leaving its runs queued', async () => {
    const out = fresh();
    // Against the TypeScript sources the worker module (worker.js) does not exist: no worker starts.
    const p = run({ outDir: out, sweeps: ['model.rank=[2,3]'], jobs: 2, workerSetupModule: 'file:///none.js' });
    await expect(p).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^2 of 2 runs not run: the worker threads stopped \(.*worker\.js/),
    });
  });
});
