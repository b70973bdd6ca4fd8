// Solver hals against scikit-learn NMF(solver='cd') in the same run: time to reach the objective
// ½‖V − WH‖² that sklearn's cd reaches in 200 iterations (tol 0, no shuffle), from the same W0, H0,
// on V 513×1000 (uniform random, as mu.bench) and on the |STFT| of 60 s of the committed recordings
// looped (1024/256, 16 kHz), K = 30. Each side runs in its own process (node for nmflab, Debian's
// /usr/bin/python3 for sklearn) so that the peak RSS is the solver's own. nmflab's time is the fit
// loop's (what `nmflab run` spends in the fit: initial objective, every iteration and its objective);
// sklearn's is fit_transform's. Best of 3 each. mu (β = 2) is timed to the same target for the HALS
// vs MU comparison (capped at NMFLAB_BENCH_MU_ITERS iterations, default 2000).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, Rng, fit, matrixToNpy, mean, readMatrix } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import { loopedSpectrogram, table } from './util.mjs';

export const title =
  'Solver hals vs scikit-learn NMF(solver="cd"): time to the objective cd reaches in 200 iterations, K = 30';

const here = fileURLToPath(import.meta.url);
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const K = 30;
const REPS = 3;
const MU_ITERS = Number(process.env.NMFLAB_BENCH_MU_ITERS ?? 2000);

const SKLEARN = String.raw`
import json, resource, sys, time, warnings
import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
d, K, iters, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
V = np.load(d + "/V.npy"); W0 = np.load(d + "/W0.npy"); H0 = np.load(d + "/H0.npy")
best = None
for _ in range(reps):
    m = NMF(n_components=K, solver="cd", init="custom", tol=0.0, max_iter=iters, shuffle=False)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = m.fit_transform(V, W=W0.copy(), H=H0.copy())
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
R = V - W @ m.components_
print(json.dumps({"seconds": best, "objective": float(0.5 * np.sum(R * R)), "iterations": int(m.n_iter_),
                  "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

/** Child: fit `solver` from the saved problem until the objective is ≤ target; best of REPS. */
async function child(dir, solverId, target, maxIterations) {
  const V = readMatrix(join(dir, 'V.npy')),
    W0 = readMatrix(join(dir, 'W0.npy')),
    H0 = readMatrix(join(dir, 'H0.npy'));
  const registry = await buildRegistry();
  const params = solverId === 'mu' ? { divergence: 'euclidean', normalize: 'none' } : {};
  let best;
  for (let r = 0; r < REPS; r++) {
    const solver = registry.create('solver', { id: solverId, params });
    const signal = { aborted: false };
    let hit;
    const res = fit(solver, { V, rank: K, W0, H0 }, new Rng(0), {
      stopping: { maxIterations },
      signal,
      onIteration: (row) => {
        if (!hit && row.objective <= target) {
          hit = row;
          signal.aborted = true;
        }
      },
    });
    const last = res.trajectory.at(-1);
    const out = hit
      ? { seconds: hit.seconds, iterations: hit.iteration, reached: true, objective: hit.objective }
      : { seconds: last.seconds, iterations: last.iteration, reached: false, objective: last.objective };
    if (!best || out.seconds < best.seconds) best = out;
  }
  best.rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(best));
}

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args[0]} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

function sklearnAvailable() {
  return (
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0
  );
}

function problems() {
  const rng = new Rng(513);
  const V = new Matrix(513, 1000);
  rng.fillUniform(V.data, 1e-6, 1 + 1e-6);
  const S = loopedSpectrogram(root, 60);
  return [
    ['513×1000 uniform', V],
    [`60 s |STFT| ${S.rows}×${S.cols}`, S],
  ].map(([name, X]) => {
    const r = new Rng(7);
    const scale = Math.sqrt(mean(X) / K);
    const W0 = new Matrix(X.rows, K),
      H0 = new Matrix(K, X.cols);
    r.fillUniform(W0.data, 0, scale);
    r.fillUniform(H0.data, 0, scale);
    return { name, V: X, W0, H0 };
  });
}

export default async function () {
  if (!sklearnAvailable()) {
    console.log('(/usr/bin/python3 without sklearn: section skipped; apt-get install python3-sklearn)');
    return;
  }
  console.log(`best of ${REPS} runs per side, each side in its own process; RSS: that process's peak`);
  const rows = [];
  for (const p of problems()) {
    const dir = mkdtempSync(join(tmpdir(), 'nmflab-hals-bench-'));
    try {
      for (const [n, m] of [
        ['V', p.V],
        ['W0', p.W0],
        ['H0', p.H0],
      ])
        writeFileSync(join(dir, `${n}.npy`), matrixToNpy(m));
      const sk = runJson('/usr/bin/python3', ['-c', SKLEARN, dir, String(K), '200', String(REPS)]);
      const target = sk.objective;
      const h = runJson(process.execPath, [here, '--child', dir, 'hals', String(target), '1000']);
      const mu = runJson(process.execPath, [here, '--child', dir, 'mu', String(target), String(MU_ITERS)]);
      rows.push({
        problem: p.name,
        'target ½‖V−WH‖²': target.toPrecision(7),
        'sklearn cd s': sk.seconds.toFixed(3),
        'hals s': h.seconds.toFixed(3),
        'hals iters': h.iterations,
        'hals/cd': (h.seconds / sk.seconds).toFixed(2),
        'mu s': mu.reached ? mu.seconds.toFixed(2) : `>${mu.seconds.toFixed(1)}`,
        'mu iters': mu.reached ? mu.iterations : `>${mu.iterations}`,
        'mu/hals': `${mu.reached ? '' : '>'}${(mu.seconds / h.seconds).toFixed(1)}`,
        'RSS MB cd/hals/mu': `${sk.rssMB.toFixed(0)}/${h.rssMB.toFixed(0)}/${mu.rssMB.toFixed(0)}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  table(rows);
}

if (process.argv[1] === here && process.argv[2] === '--child') {
  const [, , , dir, solverId, target, maxIterations] = process.argv;
  await child(dir, solverId, Number(target), Number(maxIterations));
}
