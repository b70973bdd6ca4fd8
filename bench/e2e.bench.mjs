// End to end, as a user meets it: `nmflab factorize` (load V.npy, initialize, fit with the
// objective recorded every iteration, write W, H, trajectory, summary) against scikit-learn doing
// the same work (bench/sklearn_e2e.py: load, init, NMF(solver='mu', tol=0), save W and H as CSV),
// each a whole process timed by /usr/bin/time (wall seconds and peak RSS), in the same run.
// - 513×1000, K = 30, β = 2 / 1 / 0 from the same W0, H0: time per iteration as
//   (wall(201 iterations) − wall(1 iteration)) / 200, best of NMFLAB_E2E_REPS (default 3) runs each,
//   with the OpenBLAS addon and without it (NMFLAB_NATIVE=0: the portable WASM path).
// - 513×100000, KL, K = 30, nndsvda, 10 iterations: whole-process wall time and peak RSS (one run).
// scikit-learn does not compute its objective when tol = 0, so its side records none: the
// per-iteration ratio is against scikit-learn's bare MU. Both processes get the same environment:
// OPENBLAS_* unset and glibc's mmap/trim thresholds raised (NumPy at its fastest here, as in
// ../shared/bench/sklearn_mu_reference.py); nmflab is insensitive to the latter.
// NMFLAB_E2E_LARGE=0 skips the 513×100000 case.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, Rng, matrixToNpy, mean, nativeAvailable } from '@nmflab/core';
import { table } from './util.mjs';

export const title = 'End to end: nmflab factorize vs scikit-learn (whole processes, /usr/bin/time)';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(root, 'packages/cli/dist/bin.js');
const py = '/usr/bin/python3';
const pyScript = join(root, 'bench/sklearn_e2e.py');
const REPS = Number(process.env.NMFLAB_E2E_REPS ?? 3);

function env(extra = {}) {
  const e = { ...process.env, ...extra };
  for (const k of Object.keys(e)) if (k.startsWith('OPENBLAS_')) delete e[k];
  e.MALLOC_MMAP_THRESHOLD_ = '2147483647';
  e.MALLOC_TRIM_THRESHOLD_ = '2147483647';
  return e;
}

/** One process under /usr/bin/time: { wall s, rss MiB }; throws with its stderr when it fails. */
function timed(cmd, args, extraEnv, dir) {
  const tf = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', tf, cmd, ...args], {
    env: env(extraEnv),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`,
    );
  const [wall, kb] = readFileSync(tf, 'utf8').trim().split('\n').at(-1).split(/\s+/).map(Number);
  return { wall, rss: kb / 1024 };
}

const best = (f, reps = REPS) => {
  let b;
  for (let i = 0; i < reps; i++) {
    const r = f();
    if (!b || r.wall < b.wall) b = r;
  }
  return b;
};

function nmflab(dir, args, native) {
  return timed(
    process.execPath,
    [bin, 'factorize', ...args, '--out', join(dir, 'out-nmflab')],
    native ? {} : { NMFLAB_NATIVE: '0' },
    dir,
  );
}
function sklearn(dir, args) {
  return timed(py, [pyScript, ...args, '--out', join(dir, 'out-sklearn')], {}, dir);
}

export default async function () {
  if (!existsSync(bin)) {
    console.log('(packages/cli/dist/bin.js missing: run npm run build first)');
    return;
  }
  const haveSk = existsSync(py) && spawnSync(py, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
  if (!haveSk) {
    console.log('(/usr/bin/python3 without sklearn: apt-get install python3-sklearn; section skipped)');
    return;
  }
  if (!existsSync('/usr/bin/time')) {
    console.log('(/usr/bin/time missing: apt-get install time; section skipped)');
    return;
  }
  const paths = nativeAvailable
    ? [
        ['addon', true],
        ['portable (NMFLAB_NATIVE=0)', false],
      ]
    : [['portable (addon not built)', false]];
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-e2e-'));
  try {
    const F = 513,
      N = 1000,
      K = 30;
    const rng = new Rng(513);
    const V = new Matrix(F, N);
    rng.fillUniform(V.data, 1e-6, 1 + 1e-6);
    const scale = Math.sqrt(mean(V) / K);
    const W0 = new Matrix(F, K),
      H0 = new Matrix(K, N);
    rng.fillUniform(W0.data, 0, scale);
    rng.fillUniform(H0.data, 0, scale);
    for (const [n, m] of [
      ['V', V],
      ['W0', W0],
      ['H0', H0],
    ])
      writeFileSync(join(dir, `${n}.npy`), matrixToNpy(m));
    const common = [
      '--input',
      join(dir, 'V.npy'),
      '--rank',
      String(K),
      '--init',
      'custom',
      '--w0',
      join(dir, 'W0.npy'),
      '--h0',
      join(dir, 'H0.npy'),
    ];
    console.log(
      `${F}×${N}, K = ${K}, from the same W0, H0; ms per iteration = (wall(201 it) − wall(1 it)) / 200, best of ${REPS}; scikit-learn without an objective (tol = 0)`,
    );
    const rows = [];
    for (const beta of [2, 1, 0]) {
      const b = ['--beta', String(beta)];
      const sk = (it) => best(() => sklearn(dir, [...common, ...b, '--iterations', String(it)]));
      const s100 = sk(201),
        s1 = sk(1);
      const skMs = ((s100.wall - s1.wall) / 200) * 1000;
      for (const [name, native] of paths) {
        const nm = (it) =>
          best(() =>
            nmflab(dir, [...common, ...b, '--mode', 'mm', '--model-floor', 'eps', '--iterations', String(it)], native),
          );
        const n100 = nm(201),
          n1 = nm(1);
        const ms = ((n100.wall - n1.wall) / 200) * 1000;
        rows.push({
          β: beta,
          path: name,
          'nmflab ms/it': ms.toFixed(2),
          'sklearn ms/it': skMs.toFixed(2),
          ratio: `${(ms / skMs).toFixed(2)}×`,
          'nmflab 201 it s': n100.wall.toFixed(2),
          'sklearn 201 it s': s100.wall.toFixed(2),
          'nmflab RSS MiB': n100.rss.toFixed(0),
          'sklearn RSS MiB': s100.rss.toFixed(0),
        });
      }
    }
    table(rows);
    console.log('Ratio > 1: nmflab slower. Wall times of whole processes on 2 shared cores: compare within the run.');

    if (process.env.NMFLAB_E2E_LARGE !== '0') {
      const NL = 100000;
      const VL = new Matrix(F, NL);
      new Rng(7).fillUniform(VL.data, 1e-6, 1 + 1e-6);
      writeFileSync(join(dir, 'VL.npy'), matrixToNpy(VL));
      const args = [
        '--input',
        join(dir, 'VL.npy'),
        '--rank',
        String(K),
        '--beta',
        '1',
        '--init',
        'nndsvda',
        '--iterations',
        '10',
      ];
      const sk = sklearn(dir, args);
      const big = [];
      for (const [name, native] of paths) {
        const r = nmflab(dir, args, native);
        big.push({
          path: name,
          'nmflab wall s': r.wall.toFixed(1),
          'sklearn wall s': sk.wall.toFixed(1),
          'wall ratio': `${(r.wall / sk.wall).toFixed(2)}×`,
          'nmflab RSS MiB': r.rss.toFixed(0),
          'sklearn RSS MiB': sk.rss.toFixed(0),
          'RSS ratio': `${(r.rss / sk.rss).toFixed(2)}×`,
        });
      }
      console.log(
        `\n${F}×${NL} (uniform data), KL, K = ${K}, nndsvda, 10 iterations, whole process (load .npy, init, fit, write CSV), one run each:`,
      );
      table(big);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
