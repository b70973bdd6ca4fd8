// Solver mu (mode mm) for β = 2, 1, 0 on V 513×1000, K = 30, against scikit-learn's
// NMF(solver='mu') on the same problem (same V, W0, H0) in the same run, when Debian's
// /usr/bin/python3 has sklearn and the reference script ../shared/bench/sklearn_mu_reference.py
// (relative to the repository root) exists; otherwise that column is skipped with a message.
// Each result is checked first: our objective after the timed iterations must match sklearn's.
// Then: GFLOP/s of each product and pass, and a 200-iteration KL factorization of a 60 s, 16 kHz
// spectrogram (data/ speech and mixture recordings looped to 60 s; frame 1024, hop 256, K = 30).
// NMFLAB_BENCH_ITERS sets the iterations per timed run (default 20; sklearn's own reference: 200).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Matrix,
  Rng,
  WasmWorkspace,
  matmul,
  matmulNT,
  matmulTN,
  matrixToNpy,
  mean,
  getMatmulBackend,
  setMatmulBackend,
  nativeAvailable,
  nativeThreads,
  setNativeThreads,
} from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import { loopedSpectrogram, table } from './util.mjs';

export const title = 'Solver mu (mm): ms per iteration vs scikit-learn NMF(solver="mu") on 513×1000, K = 30';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const F = 513,
  N = 1000,
  K = 30;
const ITERS = Number(process.env.NMFLAB_BENCH_ITERS ?? 20);
const REPS = 5;
const FNK = F * N * K;
/** Floating-point operations of one iteration as mu computes it (products only; element-wise passes add < 2 %). */
const FLOPS = {
  // VHᵀ, WᵀV (2FNK each) and the Gram forms HHᵀ, W(HHᵀ), WᵀW, (WᵀW)H.
  2: 4 * FNK + 4 * K * K * N + 4 * F * K * K,
  // Λ = WH twice, (V/Λ)Hᵀ, Wᵀ(V/Λ); denominators are row/column sums.
  1: 8 * FNK,
  // Λ twice, AHᵀ, BHᵀ, WᵀA, WᵀB.
  0: 12 * FNK,
};

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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * ms per step over REPS runs of ITERS steps from the same start: the best run (the statistic the
 * sklearn reference reports, so the ratio compares like with like) and the median; and the final
 * data objective.
 */
function timeSolver(solver, problem, iters = ITERS, reps = REPS) {
  const ts = [];
  let objective = NaN;
  for (let rep = 0; rep < reps; rep++) {
    const st = solver.init(problem, new Rng(0));
    const t = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) solver.step(st);
    ts.push(Number(process.hrtime.bigint() - t) / 1e6 / iters);
    objective = solver.objective(st).terms.data;
  }
  return { ms: Math.min(...ts), median: median(ts), objective };
}

/** OpenBLAS thread counts to try (like the sklearn reference, which takes the best of 1 and 2). */
const threadChoices = () => (nativeAvailable ? [1, 2] : [0]);

function productTable(V, W0, H0) {
  const ws = new WasmWorkspace({ V: [F, N], W: [F, K], H: [K, N], L: [F, N], nW: [F, K], nH: [K, N] });
  const m = ws.matrices;
  m.V.data.set(V.data);
  m.W.data.set(W0.data);
  m.H.data.set(H0.data);
  const time = (fn) => {
    const ts = [];
    for (let r = 0; r < 7; r++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) fn();
      ts.push(Number(process.hrtime.bigint() - t) / 5e6);
    }
    return median(ts);
  };
  const rows = [];
  const prev = getMatmulBackend();
  const backends = [
    ['wasm', 0],
    ...(nativeAvailable
      ? [
          ['native', 1],
          ['native', 2],
        ]
      : []),
  ];
  for (const [be, th] of backends) {
    setMatmulBackend(be);
    if (th) setNativeThreads(th);
    const row = { backend: be + (th ? ` (${th} thr)` : '') };
    for (const [name, fn] of [
      ['WH', () => matmul(m.W, m.H, m.L)],
      ['WᵀV', () => matmulTN(m.W, m.V, m.nH)],
      ['VHᵀ', () => matmulNT(m.V, m.H, m.nW)],
    ]) {
      const ms = time(fn);
      row[`${name} ms`] = ms.toFixed(2);
      row[`${name} GF/s`] = ((2 * FNK) / ms / 1e6).toFixed(1);
    }
    rows.push(row);
  }
  setMatmulBackend(prev);
  table(rows);
}

const sixtySeconds = () => loopedSpectrogram(root, 60);

export default async function () {
  const rng = new Rng(513);
  const V = new Matrix(F, N);
  rng.fillUniform(V.data, 1e-6, 1 + 1e-6);
  const scale = Math.sqrt(mean(V) / K);
  const W0 = new Matrix(F, K),
    H0 = new Matrix(K, N);
  rng.fillUniform(W0.data, 0, scale);
  rng.fillUniform(H0.data, 0, scale);
  const registry = await buildRegistry();
  const defaultThreads = nativeThreads();
  console.log(
    `backend ${getMatmulBackend()}; native OpenBLAS addon ${nativeAvailable ? `loaded (default ${defaultThreads} threads)` : 'not built: WASM SIMD kernel'}; ${ITERS} iterations per run; nmflab: best and median of ${REPS} runs, sklearn: best of 3 (its script's statistic)`,
  );

  const ref = findReference();
  const py = ref && sklearnAvailable();
  if (!ref)
    console.log('(sklearn reference script ../shared/bench/sklearn_mu_reference.py not found: sklearn column skipped)');
  else if (!py)
    console.log('(/usr/bin/python3 without sklearn: sklearn column skipped; apt-get install python3-sklearn)');
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-mu-bench-'));
  try {
    for (const [name, m] of [
      ['V', V],
      ['W0', W0],
      ['H0', H0],
    ])
      writeFileSync(join(dir, `${name}.npy`), matrixToNpy(m));
    const rows = [];
    for (const beta of [2, 1, 0]) {
      const solver = registry.create('solver', {
        id: 'mu',
        params: { divergence: { id: 'beta', params: { beta } }, mode: 'mm' },
      });
      const problem = { V, rank: K, W0, H0 };
      let best = { ms: Infinity, median: NaN, objective: NaN, threads: 0 };
      for (const th of threadChoices()) {
        if (th) setNativeThreads(th);
        const r = timeSolver(solver, problem);
        if (r.ms < best.ms) best = { ...r, threads: th };
      }
      if (nativeAvailable) setNativeThreads(defaultThreads);
      const row = {
        β: beta,
        'nmflab ms/iter': best.ms.toFixed(2),
        median: best.median.toFixed(2),
        'GF/s': (FLOPS[beta] / best.ms / 1e6).toFixed(1),
        'BLAS thr': best.threads || '-',
      };
      if (py) {
        const r = spawnSync(
          '/usr/bin/python3',
          [
            ref,
            '--input',
            join(dir, 'V.npy'),
            '--w0',
            join(dir, 'W0.npy'),
            '--h0',
            join(dir, 'H0.npy'),
            '--rank',
            String(K),
            '--beta',
            String(beta),
            '--iterations',
            String(ITERS),
            '--repeat',
            '3',
          ],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`sklearn reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
        const out = JSON.parse(r.stdout);
        const rel = Math.abs(out.objective_final - best.objective) / Math.abs(out.objective_final);
        if (!(rel < 1e-8))
          throw new Error(
            `β=${beta}: nmflab objective ${best.objective} differs from sklearn ${out.objective_final} (rel ${rel})`,
          );
        Object.assign(row, {
          'sklearn ms/iter': out.ms_per_iter.toFixed(2),
          'sklearn GF/s': (FLOPS[beta] / out.ms_per_iter / 1e6).toFixed(1),
          'nmflab / sklearn': `${(best.ms / out.ms_per_iter).toFixed(2)}×`,
          'sklearn thr': out.blas_threads,
          'objective rel diff': rel.toExponential(1),
        });
      }
      rows.push(row);
    }
    table(rows);
    console.log("Ratio > 1: nmflab slower. GF/s = products' flops (β=2: 4FNK + Gram; β=1: 8FNK; β=0: 12FNK) / time.");
    console.log('Both sides: best of 1 and 2 BLAS threads. 2 shared cores: timings are noisy, compare within the run.');

    console.log('\nEach product (F=513, N=1000, K=30; median of 7×5, operands in one WasmWorkspace):');
    productTable(V, W0, H0);

    const V60 = sixtySeconds();
    const kl = registry.create('solver', { id: 'mu', params: { divergence: 'kl', mode: 'mm', initializer: 'random' } });
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const st = kl.init({ V: V60, rank: K }, new Rng(1));
    for (let i = 0; i < 200; i++) kl.step(st);
    const f = kl.objective(st).terms.data;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c1 = process.cpuUsage(c0);
    // CPU time (user + system, all threads): what the run costs when it does not wait for a core.
    const cpu = (c1.user + c1.system) / 1e6;
    let ref60 = '';
    if (py) {
      // sklearn on the same V (its own random start), 20 iterations, best of 1 and 2 BLAS threads.
      writeFileSync(join(dir, 'V60.npy'), matrixToNpy(V60));
      const r = spawnSync(
        '/usr/bin/python3',
        [
          ref,
          '--input',
          join(dir, 'V60.npy'),
          '--rank',
          String(K),
          '--beta',
          '1',
          '--iterations',
          '20',
          '--repeat',
          '1',
        ],
        { encoding: 'utf8' },
      );
      if (r.status === 0) {
        const ms = JSON.parse(r.stdout).ms_per_iter;
        ref60 = `; sklearn in this run: ${ms.toFixed(1)} ms/iter, i.e. ${((ms * 200) / 1000).toFixed(2)} s for 200 (ratio ${((s * 1000) / 200 / ms).toFixed(2)}×)`;
      }
    }
    console.log(
      `\n60 s at 16 kHz (|STFT| ${V60.rows}×${V60.cols}), KL, K=30, 200 iterations (init + steps + final objective): ` +
        `${s.toFixed(2)} s wall (${s < 4 ? 'under' : 'OVER'} the 4 s target), ${cpu.toFixed(2)} s CPU, ${((s * 1000) / 200).toFixed(1)} ms/iter, ` +
        `objective ${f.toExponential(4)}${ref60}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
