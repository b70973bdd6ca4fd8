// Milliseconds per iteration of solver mu (mode mm) for β = 2, 1, 0 on V 513×1000, K = 30, and the
// same problem (same V, W0, H0) through scikit-learn's NMF(solver='mu') in the same run, when
// Debian's /usr/bin/python3 has sklearn and the reference script ../shared/bench/sklearn_mu_reference.py
// (relative to the repository root) exists; otherwise that column is skipped with a message.
// Each result is checked first: our objective after the timed iterations must match sklearn's.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, Rng, matrixToNpy, mean } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import { table } from './util.mjs';

export const title = 'Solver mu (mm): ms per iteration vs scikit-learn NMF(solver="mu") on 513×1000, K = 30';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const F = 513, N = 1000, K = 30, ITERS = 20;

function findReference() {
  for (const up of ['..', '../..', '../../..']) {
    const p = resolve(root, up, 'shared/bench/sklearn_mu_reference.py');
    if (existsSync(p)) return p;
  }
  return undefined;
}

function sklearnAvailable() {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
}

export default async function () {
  const rng = new Rng(513);
  const V = new Matrix(F, N);
  rng.fillUniform(V.data, 1e-6, 1 + 1e-6);
  const scale = Math.sqrt(mean(V) / K);
  const W0 = new Matrix(F, K), H0 = new Matrix(K, N);
  rng.fillUniform(W0.data, 0, scale);
  rng.fillUniform(H0.data, 0, scale);
  const registry = await buildRegistry();

  const ref = findReference();
  const py = ref && sklearnAvailable();
  if (!ref) console.log('(sklearn reference script ../shared/bench/sklearn_mu_reference.py not found: sklearn column skipped)');
  else if (!py) console.log('(/usr/bin/python3 without sklearn: sklearn column skipped; apt-get install python3-sklearn)');
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-mu-bench-'));
  try {
    for (const [name, m] of [['V', V], ['W0', W0], ['H0', H0]]) writeFileSync(join(dir, `${name}.npy`), matrixToNpy(m));
    const rows = [];
    for (const beta of [2, 1, 0]) {
      const solver = registry.create('solver', { id: 'mu', params: { divergence: { id: 'beta', params: { beta } }, mode: 'mm' } });
      const problem = { V, rank: K, W0, H0 };
      // Best of 3 runs of ITERS steps (the machine is shared: timings are noisy).
      let best = Infinity, objective = NaN;
      for (let rep = 0; rep < 3; rep++) {
        const st = solver.init(problem, new Rng(0));
        const t = process.hrtime.bigint();
        for (let i = 0; i < ITERS; i++) solver.step(st);
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6 / ITERS);
        objective = solver.objective(st).terms.data;
      }
      const row = { 'β': beta, 'nmflab ms/iter': best.toFixed(2) };
      if (py) {
        const r = spawnSync('/usr/bin/python3', [ref, '--input', join(dir, 'V.npy'), '--w0', join(dir, 'W0.npy'), '--h0', join(dir, 'H0.npy'),
          '--rank', String(K), '--beta', String(beta), '--iterations', String(ITERS), '--repeat', '3'], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`sklearn reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
        const out = JSON.parse(r.stdout);
        const rel = Math.abs(out.objective_final - objective) / Math.abs(out.objective_final);
        if (!(rel < 1e-8)) throw new Error(`β=${beta}: nmflab objective ${objective} differs from sklearn ${out.objective_final} (rel ${rel})`);
        Object.assign(row, {
          'sklearn ms/iter': out.ms_per_iter.toFixed(2),
          'nmflab / sklearn': (best / out.ms_per_iter).toFixed(2) + '×',
          'objective rel diff': rel.toExponential(1),
          'BLAS threads': out.blas_threads,
        });
      }
      rows.push(row);
    }
    table(rows);
    console.log('Ratio > 1: nmflab slower. 2 shared cores: timings are noisy; sklearn uses the best of 1 and 2 BLAS threads.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
