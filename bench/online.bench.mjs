// Solver online-mu (mini-batch MU) against batch mu and scikit-learn MiniBatchNMF in the same run,
// and the streaming path's peak memory.
//
// 1. V = |STFT| (1024/256, 16 kHz) of the committed recordings looped with varied gains, F = 513,
//    N = NMFLAB_BENCH_ONLINE_N frames (default 100000, 26.7 min), plus 1e-9 (IS needs V > 0), K = 30,
//    KL and IS, the same W0, H0. mu (mm) and online-mu (batch 1024, forget factor 0.7, no fresh
//    restarts: scikit-learn's defaults) each run for the same wall time, NMFLAB_BENCH_ONLINE_SECONDS
//    (default 60), with their objective evaluated after every iteration (pass) inside that time;
//    their final full objectives Σ d_β(V|WH) are compared. scikit-learn's MiniBatchNMF (same
//    settings, init custom, tol 0, no early stop) is run for 1, 2, 3, 5, 8… passes from the start
//    until its full objective reaches online-mu's final one: time to that objective, ratio.
// 2. `nmflab run experiments/online-is-stream.yaml` (IS, fresh restarts, one pass) on 10, 30 and
//    60 minute WAVs written to a temporary folder (the committed recordings looped with varied
//    gain, deleted after): wall time and the run's peak RSS (the stream-dictionary task reports
//    the process's maxRSS). NMFLAB_BENCH_STREAM_MINUTES=10,30,60 overrides the lengths.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, Rng, Stft, fit, magnitudeSpectrogram, matrixToNpy, mean } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import { loopedSignal, table, writeLongWav } from './util.mjs';

export const title =
  "Solver online-mu vs batch mu and scikit-learn MiniBatchNMF (KL, IS; K = 30), and the streaming path's peak RSS";

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const N = Number(process.env.NMFLAB_BENCH_ONLINE_N ?? 100000);
const T = Number(process.env.NMFLAB_BENCH_ONLINE_SECONDS ?? 60);
const MINUTES = (process.env.NMFLAB_BENCH_STREAM_MINUTES ?? '10,30,60').split(',').map(Number);
const K = 30;

const SKLEARN = String.raw`
import json, sys, time, warnings
import numpy as np
from sklearn.decomposition import MiniBatchNMF
from sklearn.decomposition._nmf import _beta_divergence
from sklearn.exceptions import ConvergenceWarning
d, K, beta, target, cap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
# sklearn factorizes X (samples x features) = frames x bins: X = V^T, its W = H^T, its H = W^T.
X = np.ascontiguousarray(np.load(d + "/V.npy").T); Wc = np.ascontiguousarray(np.load(d + "/H0.npy").T); Hc = np.ascontiguousarray(np.load(d + "/W0.npy").T)
rows, spent = [], 0.0
for it in [1, 2, 3, 5, 8, 12, 18, 27, 40]:
    m = MiniBatchNMF(n_components=K, beta_loss=beta, init="custom", batch_size=1024, forget_factor=0.7,
                     fresh_restarts=False, tol=0.0, max_no_improvement=None, max_iter=it)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = m.fit_transform(X, W=Wc.copy(), H=Hc.copy())
    s = time.perf_counter() - t
    spent += s
    f = float(_beta_divergence(X, W, m.components_, beta))
    rows.append({"passes": it, "seconds": s, "objective": f})
    if f <= target or spent > cap:
        break
print(json.dumps(rows))
`;

function sklearnAvailable() {
  return (
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', 'from sklearn.decomposition import MiniBatchNMF'], { encoding: 'utf8' })
      .status === 0
  );
}

/** Run `solver` for T seconds of fit loop (objective after every iteration included). */
function timed(solver, problem) {
  const signal = { aborted: false };
  const res = fit(solver, problem, new Rng(0), {
    stopping: { maxIterations: 1e6 },
    signal,
    onIteration: (row) => {
      if (row.seconds >= T) signal.aborted = true;
    },
  });
  return res.trajectory;
}

function data() {
  const x = loopedSignal(root, Math.ceil(((N + 4) * 256) / 16000));
  const S = magnitudeSpectrogram(new Stft({ sampleRate: 16000, frameLength: 1024, hop: 256 }).analyze(x));
  const V = new Matrix(S.rows, N);
  for (let f = 0; f < S.rows; f++) for (let j = 0; j < N; j++) V.data[f * N + j] = S.data[f * S.cols + j] + 1e-9;
  const r = new Rng(7);
  const scale = Math.sqrt(mean(V) / K);
  const W0 = new Matrix(V.rows, K),
    H0 = new Matrix(K, N);
  r.fillUniform(W0.data, 0, scale);
  r.fillUniform(H0.data, 0, scale);
  return { V, W0, H0 };
}

async function inMemory(registry) {
  const { V, W0, H0 } = data();
  const py = sklearnAvailable();
  if (!py) console.log('(/usr/bin/python3 without sklearn: MiniBatchNMF column skipped)');
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-online-bench-'));
  const rows = [];
  try {
    if (py)
      for (const [n, m] of [
        ['V', V],
        ['W0', W0],
        ['H0', H0],
      ])
        writeFileSync(join(dir, `${n}.npy`), matrixToNpy(m));
    for (const [beta, div] of [
      [1, 'kl'],
      [0, 'is'],
    ]) {
      const problem = { V, rank: K, W0, H0 };
      const mu = timed(
        registry.create('solver', { id: 'mu', params: { divergence: div, normalize: 'none' } }),
        problem,
      );
      const on = timed(
        registry.create('solver', { id: 'online-mu', params: { divergence: div, batchSize: 1024, forgetFactor: 0.7 } }),
        problem,
      );
      const fMu = mu.at(-1).objective,
        fOn = on.at(-1).objective;
      const row = {
        β: beta,
        'budget s': T,
        'mu iters': mu.at(-1).iteration,
        'mu objective': fMu.toPrecision(6),
        'online passes': on.at(-1).iteration,
        'online objective': fOn.toPrecision(6),
        'online/mu': (fOn / fMu).toFixed(4),
      };
      // Our time to our final objective: when the trajectory first reached it (the last row).
      const ours = on.at(-1).seconds;
      if (py) {
        const r = spawnSync(
          '/usr/bin/python3',
          ['-c', SKLEARN, dir, String(K), String(beta), String(fOn), String(8 * T)],
          { encoding: 'utf8', maxBuffer: 1 << 26 },
        );
        if (r.status !== 0) throw new Error(`sklearn MiniBatchNMF failed: ${r.stderr.slice(-2000)}`);
        const sk = JSON.parse(r.stdout.trim().split('\n').at(-1));
        const hit = sk.find((s) => s.objective <= fOn);
        const last = sk.at(-1);
        row['sklearn passes'] = hit ? hit.passes : `>${last.passes}`;
        row['sklearn s to it'] = hit ? hit.seconds.toFixed(1) : `>${last.seconds.toFixed(1)}`;
        row['sklearn objective'] = (hit ?? last).objective.toPrecision(6);
        row['online/sklearn time'] = `${hit ? '' : '<'}${(ours / (hit ?? last).seconds).toFixed(2)}`;
      }
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(rows);
}

function streaming() {
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-stream-bench-'));
  const rows = [];
  try {
    for (const min of MINUTES) {
      const wav = join(dir, `long-${min}min.wav`);
      writeLongWav(root, wav, min * 60);
      const out = join(dir, `results-${min}`);
      const t = performance.now();
      const r = spawnSync(
        process.execPath,
        [
          join(root, 'packages/cli/dist/bin.js'),
          'run',
          join(root, 'experiments/online-is-stream.yaml'),
          '--set',
          `data.params.path=${wav}`,
          '--set',
          'task.params.passes=1',
          '--out',
          out,
          '--jobs',
          '1',
          '--quiet',
        ],
        { encoding: 'utf8', cwd: root },
      );
      const wall = (performance.now() - t) / 1000;
      if (r.status !== 0) throw new Error(`nmflab run failed on ${min} min: ${r.stderr.slice(-2000)}`);
      const sweep = join(out, 'online-is-stream');
      const run = join(sweep, readdirSync(sweep)[0], '0000');
      const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
      rows.push({
        minutes: min,
        'file MB': (statSync(wav).size / 2 ** 20).toFixed(0),
        frames: m.frames,
        'learn s': m.streamSeconds.toFixed(1),
        'run wall s': wall.toFixed(1),
        'mean batch IS/frame': m.passCost.toPrecision(5),
        'peak RSS MB': m.peakRssMB.toFixed(0),
      });
      rmSync(wav, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(rows);
}

export default async function () {
  const registry = await buildRegistry();
  const parts = (process.env.NMFLAB_BENCH_ONLINE_PARTS ?? 'memory,stream').split(',');
  if (parts.includes('memory')) {
    console.log(`in memory: V 513×${N}, ${T} s per solver and β`);
    await inMemory(registry);
  }
  if (!parts.includes('stream')) return;
  console.log(
    '\nstreaming: nmflab run experiments/online-is-stream.yaml (IS, K = 30, one pass, H of the first 10 s with W frozen)',
  );
  streaming();
}
