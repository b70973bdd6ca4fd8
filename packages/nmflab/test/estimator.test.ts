import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ComplexMatrix,
  ComplexNMF,
  Estimator,
  Matrix,
  NMF,
  NmflabError,
  PLSA,
  Rng,
  SparseCoding,
  createRegistry,
  definePlugin,
  matrixToNpy,
  readMatrix,
  runExperiment,
  stft,
  writeFileAtomic,
} from 'nmflab';
import { tempDirs } from '../../../test/support/temp-dir.js';

const tmp = tempDirs('nmflab-estimator-');

function data(F: number, N: number, K: number, seed: number): Matrix {
  // A non-negative rank-K matrix plus a little positive noise.
  const rng = new Rng(seed);
  const W = new Matrix(F, K),
    H = new Matrix(K, N),
    V = new Matrix(F, N);
  rng.fillUniform(W.data, 0, 1);
  rng.fillUniform(H.data, 0, 1);
  for (let f = 0; f < F; f++)
    for (let n = 0; n < N; n++) {
      let s = 0.01 * rng.uniform();
      for (let k = 0; k < K; k++) s += W.data[f * K + k] * H.data[k * N + n];
      V.data[f * N + n] = s;
    }
  return V;
}

function identical(a: Matrix, b: Matrix): boolean {
  return a.rows === b.rows && a.cols === b.cols && a.data.every((v, i) => Object.is(v, b.data[i]));
}

function errorOf(f: () => unknown): NmflabError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NmflabError);
    return e as NmflabError;
  }
  throw new Error('expected an NmflabError');
}

const V = data(24, 40, 3, 1);
const Vnew = data(24, 15, 3, 2);

describe('NMF estimator', () => {
  it('fits, transforms new data, saves, loads and reproduces H bit-identically', () => {
    const model = new NMF({ rank: 3, beta: 1, maxIterations: 60, seed: 7 });
    const H = model.fitTransform(V);
    expect(H.shape).toEqual([3, 40]);
    expect(model.components.shape).toEqual([24, 3]);
    expect(model.nIterations).toBe(60);
    expect(model.stopReason).toBe('max-iterations');
    expect(model.trajectory).toHaveLength(61);
    // mu is an MM algorithm: the objective never rises.
    for (let i = 1; i < model.trajectory.length; i++)
      expect(model.trajectory[i].objective!).toBeLessThanOrEqual(model.trajectory[i - 1].objective! * (1 + 1e-12));
    const W = model.components.clone();
    const Hn = model.transform(Vnew);
    expect(Hn.shape).toEqual([3, 15]);
    expect(identical(model.components, W)).toBe(true); // W stays fixed
    const dir = join(tmp.dir, 'nmf');
    model.save(dir);
    const loaded = NMF.load(dir);
    expect(identical(loaded.components, model.components)).toBe(true);
    expect(identical(loaded.activations, H)).toBe(true);
    expect(identical(loaded.transform(Vnew), Hn)).toBe(true);
    expect(loaded.solver).toEqual(model.solver);
    expect(loaded.nIterations).toBe(60);
    expect(loaded.objective).toBe(model.objective);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(saved.estimator).toBe('NMF');
    expect(saved.solver.params.divergence).toMatchObject({ id: 'beta', params: { beta: 1 } });
    expect(saved.packages.nmflab).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('transform reconstructs data made of the learned dictionary', () => {
    const model = new NMF({ rank: 3, divergence: 'euclidean', maxIterations: 300, seed: 0, init: 'nndsvda' }).fit(V);
    const rel = (a: Matrix, b: Matrix) =>
      Math.sqrt(a.data.reduce((s, x, i) => s + (x - b.data[i]) ** 2, 0) / b.data.reduce((s, x) => s + x * x, 0));
    expect(rel(model.inverseTransform(model.activations), V)).toBeLessThan(0.05);
    // New data in the span of W: coding it with W fixed fits as well as the training data.
    const Vspan = model.inverseTransform(data(3, 10, 3, 5));
    expect(rel(model.inverseTransform(model.transform(Vspan)), Vspan)).toBeLessThan(0.02);
  });

  it('takes a Matrix, rows of numbers or a typed array with its shape, with the same result', () => {
    const opts = { rank: 2, maxIterations: 20, seed: 3 };
    const a = new NMF(opts).fitTransform(V);
    const b = new NMF(opts).fitTransform(V.toRows());
    const c = new NMF(opts).fitTransform({ data: V.data.slice(), shape: [24, 40] });
    const d = new NMF(opts).fitTransform({ data: Array.from(V.data), shape: [24, 40] });
    for (const x of [b, c, d]) expect(identical(a, x)).toBe(true);
    expect(errorOf(() => new NMF(opts).fit({ data: new Float64Array(5), shape: [2, 3] })).path).toBe('V.data');
    expect(errorOf(() => new NMF(opts).fit([[1, 2], [3]])).path).toBe('V[1]');
  });

  it('gives the same numbers as the same model from YAML (nmflab run of the factorize task)', async () => {
    const dir = tmp.fresh();
    writeFileAtomic(join(dir, 'V.npy'), matrixToNpy(V));
    const model = new NMF({ rank: 3, divergence: 'is', init: 'nndsvda', maxIterations: 40, tol: 1e-9, seed: 11 }).fit(
      V,
    );
    const cfg = model.toConfig();
    const yaml = [
      'name: from-yaml',
      `seed: ${cfg.seed}`,
      `data: { id: matrix-file, params: { path: ${JSON.stringify(join(dir, 'V.npy'))} } }`,
      'model:',
      '  solver: { id: mu, params: { divergence: is, initializer: nndsvda } }',
      '  rank: 3',
      '  stopping: { maxIterations: 40, tol: 1.0e-9 }',
      'task: factorize',
    ].join('\n');
    writeFileSync(join(dir, 'exp.yaml'), `${yaml}\n`);
    const fromFile = await runExperiment(join(dir, 'exp.yaml'), { out: join(dir, 'results'), jobs: 1 });
    const fromObject = await runExperiment(
      {
        name: 'from-object',
        data: { id: 'matrix-file', params: { path: join(dir, 'V.npy') } },
        ...cfg,
        task: 'factorize',
      },
      { out: join(dir, 'results'), jobs: 1 },
    );
    for (const run of [fromFile, fromObject]) {
      expect(run.records).toHaveLength(1);
      expect(run.records[0].status).toBe('completed');
      const folder = join(run.dir, run.records[0].run);
      expect(identical(readMatrix(join(folder, 'W.npy')), model.components)).toBe(true);
      expect(identical(readMatrix(join(folder, 'H.npy')), model.activations)).toBe(true);
      expect(run.records[0].iterations).toBe(model.nIterations);
      expect(run.records[0].objective!.total).toBe(model.objective);
    }
  });

  it('rejects bad options with the config schema errors, naming the option', () => {
    expect(errorOf(() => new NMF({ rank: 0 })).message).toBe('rank: out of range (expected a number ≥ 1, found 0)');
    expect(errorOf(() => new NMF({ rank: 2.5 })).path).toBe('rank');
    expect(errorOf(() => new NMF({ rank: 2, beta: 'x' as never })).path).toBe('beta');
    expect(errorOf(() => new NMF({ rank: 2, divergence: 'kll' })).hint).toBe("did you mean 'kl'?");
    expect(errorOf(() => new NMF({ rank: 2, divergence: 'kl', beta: 1 })).path).toBe('beta');
    expect(errorOf(() => new NMF({ rank: 2, init: 'rand' })).path).toBe('init');
    expect(errorOf(() => new NMF({ rank: 2, maxIterations: -1 })).path).toBe('maxIterations');
    expect(errorOf(() => new NMF({ rank: 2, maxIteration: 10 })).hint).toBe("did you mean 'maxIterations'?");
    expect(errorOf(() => new NMF({ rank: 2, regularizers: [{ id: 'l1', params: { target: 'X' } }] })).path).toBe(
      'regularizers[0].params.target',
    );
    expect(errorOf(() => new ComplexNMF({ rank: 2, lamda: 1 } as never)).hint).toBe("did you mean 'lambda'?");
    expect(errorOf(() => new Estimator({ rank: 2, solver: { id: 'plsa', params: { temper: 3 } } })).path).toBe(
      'solver.params.temper',
    );
    expect(errorOf(() => new Estimator({ rank: 2, solver: 'nope' })).path).toBe('solver');
    const many = errorOf(() => new NMF({ rank: 0, mode: 'mmm' }));
    expect(many.message.split('\n')).toHaveLength(2);
    expect(errorOf(() => new NMF({ rank: 2 }).components).reason).toBe('the model is not fitted');
    expect(errorOf(() => new NMF({ rank: 2 }).fit(V.toRows().map((r) => r.map((x) => -x)))).reason).toBe(
      'data must be finite and non-negative',
    );
  });

  it('uses a mask and stops on an abort signal', () => {
    const mask = Matrix.filled(24, 40, 1);
    for (let n = 0; n < 40; n += 2) mask.data[n] = 0;
    const masked = new NMF({ rank: 3, maxIterations: 10, mask, seed: 1 }).fit(V);
    const plain = new NMF({ rank: 3, maxIterations: 10, seed: 1 }).fit(V);
    expect(identical(masked.components, plain.components)).toBe(false);
    const ac = new AbortController();
    let seen = 0;
    const model = new NMF({ rank: 3, maxIterations: 100 }).fit(V, {
      signal: ac.signal,
      onIteration: (row) => {
        seen = row.iteration;
        if (row.iteration === 5) ac.abort();
      },
    });
    expect(model.stopReason).toBe('interrupted');
    expect(model.nIterations).toBe(5);
    expect(seen).toBe(5);
  });

  it('numpy alone reads a saved model (the README recipe)', () => {
    const py = '/usr/bin/python3';
    const ok = existsSync(py) && spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
    if (!ok) {
      console.warn('numpy check skipped: /usr/bin/python3 with numpy is absent (Debian python3-numpy)');
      return;
    }
    const model = new NMF({ rank: 2, maxIterations: 15, seed: 4 }).fit(V);
    const dir = join(tmp.dir, 'py');
    model.save(dir);
    const script = [
      'import json, sys, numpy as np',
      'd = sys.argv[1]',
      'W = np.load(d + "/W.npy"); H = np.load(d + "/H.npy"); meta = json.load(open(d + "/model.json"))',
      'print(json.dumps({"W": W.shape, "H": H.shape, "dtype": str(W.dtype), "rank": meta["rank"], "solver": meta["solver"]["id"], "sum": float(W.sum() + H.sum()), "v": float(W[1, 0])}))',
    ].join('\n');
    const out = JSON.parse(execFileSync(py, ['-c', script, dir], { encoding: 'utf8' }));
    expect(out).toMatchObject({ W: [24, 2], H: [2, 40], dtype: 'float64', rank: 2, solver: 'mu' });
    expect(out.v).toBe(model.components.get(1, 0));
  });
});

describe('the other estimators', () => {
  it('PLSA: topics with unit-sum columns, folding-in of new documents', () => {
    const counts = new Matrix(
      24,
      40,
      V.data.map((x) => Math.round(10 * x)),
    );
    const model = new PLSA({ rank: 3, maxIterations: 30, seed: 2 }).fit(counts);
    for (let k = 0; k < 3; k++) expect(model.components.col(k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const H = model.transform(
      new Matrix(
        24,
        15,
        Vnew.data.map((x) => Math.round(10 * x)),
      ),
    );
    expect(H.shape).toEqual([3, 15]);
    const dir = join(tmp.dir, 'plsa');
    model.save(dir);
    expect(identical(PLSA.load(dir).components, model.components)).toBe(true);
    expect(errorOf(() => NMF.load(join(tmp.dir, 'nope'))).reason).toBe('not a saved model');
    expect(errorOf(() => SparseCoding.load(dir)).path).toBe('solver.id');
    expect(Estimator.load(dir).solver.id).toBe('plsa');
  });

  it('SparseCoding: unit-norm dictionary, codes of new data', () => {
    const model = new SparseCoding({ rank: 4, lambda: 0.01, maxIterations: 40, seed: 1 }).fit(V);
    for (let k = 0; k < 4; k++) expect(Math.hypot(...model.components.col(k))).toBeCloseTo(1, 9);
    const A = model.transform(Vnew);
    expect(A.shape).toEqual([4, 15]);
  });

  it('ComplexNMF: fits a complex STFT and keeps W on new frames', () => {
    const x = new Float64Array(4096);
    for (let i = 0; i < x.length; i++)
      x[i] =
        Math.sin((2 * Math.PI * 440 * i) / 8000) + (i > 2048 ? 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 8000) : 0);
    const Y: ComplexMatrix = stft(x, { frameLength: 256, hop: 128 });
    const model = new ComplexNMF({ rank: 2, maxIterations: 15, seed: 0 }).fit(Y);
    expect(model.components.shape).toEqual([129, 2]);
    expect(model.fitResult?.result.extra).toBeDefined();
    const W = model.components.clone();
    expect(model.transform(Y).shape).toEqual([2, Y.cols]);
    expect(identical(model.components, W)).toBe(true);
  });

  it('Estimator works over a user solver plugin', () => {
    // A user solver: mu at β = 1.5 under another id (a plugin built from another one).
    const mine = definePlugin<'solver', Record<string, never>>({
      meta: { kind: 'solver', id: 'my-solver', description: 'mu at beta 1.5', params: {} },
      create: (_p, ctx) =>
        ctx.registry.create('solver', { id: 'mu', params: { divergence: { id: 'beta', params: { beta: 1.5 } } } }),
    });
    const registry = createRegistry([mine]);
    const model = new Estimator({ solver: 'my-solver', rank: 2, maxIterations: 20, seed: 5, registry }).fit(V);
    const same = new NMF({ rank: 2, beta: 1.5, maxIterations: 20, seed: 5 }).fit(V);
    expect(identical(model.components, same.components)).toBe(true);
    const dir = join(tmp.dir, 'user');
    model.save(dir);
    expect(errorOf(() => Estimator.load(dir)).path).toBe('solver.id');
    expect(identical(Estimator.load(dir, { registry }).transform(Vnew), model.transform(Vnew))).toBe(true);
  });
});
