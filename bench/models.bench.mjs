// Time per iteration of the complex-nmf, plsa and sparse-coding solvers (F=257, N=200, K=10),
// as a ratio to one Euclidean Lee–Seung MU iteration (four blocked products + element-wise work)
// on the same sizes, measured in the same run. Each solver is checked first: finite objective that
// decreases over the warm-up iterations. Timings on a shared machine are noisy.
import { ComplexMatrix, Matrix, Rng, matmul, matmulNT, matmulTN } from '@nmflab/core';
import { solverPlugins } from '@nmflab/solvers';
import { table, timeMs, cpuMs } from './util.mjs';

export const title = 'Complex NMF, pLSA, sparse coding: ms per iteration vs one EU-MU iteration';

function solver(id, params) {
  const p = solverPlugins.find((x) => x.meta.id === id);
  const full = Object.fromEntries(Object.entries(p.meta.params).map(([k, s]) => [k, params[k] ?? s.default]));
  return p.create(full, { path: 'model.params' });
}

export default async function () {
  const F = 257,
    N = 200,
    K = 10;
  const rng = new Rng(1);
  const Y = new ComplexMatrix(F, N, rng.fillNormal(new Float64Array(F * N)), rng.fillNormal(new Float64Array(F * N)));
  const V = Y.abs();
  const X = new Matrix(F, N, rng.fillNormal(new Float64Array(F * N)));
  // Reference: one EU-MU iteration H ← H⊙WᵀV/WᵀWH, W ← W⊙VHᵀ/WHHᵀ with buffers reused.
  const W = new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.1, 1));
  const H = new Matrix(K, N, rng.fillUniform(new Float64Array(K * N), 0.1, 1));
  const WtV = new Matrix(K, N),
    WtW = new Matrix(K, K),
    WtWH = new Matrix(K, N),
    VHt = new Matrix(F, K),
    HHt = new Matrix(K, K),
    WHHt = new Matrix(F, K);
  const euMu = () => {
    matmulTN(W, V, WtV);
    matmulTN(W, W, WtW);
    matmul(WtW, H, WtWH);
    for (let i = 0; i < H.data.length; i++) H.data[i] *= WtV.data[i] / WtWH.data[i];
    matmulNT(V, H, VHt);
    matmulNT(H, H, HHt);
    matmul(W, HHt, WHHt);
    for (let i = 0; i < W.data.length; i++) W.data[i] *= VHt.data[i] / WHHt.data[i];
  };
  const tRef = timeMs(euMu, { reps: 21, warmup: 3 });
  const cRef = cpuMs(euMu, 21);
  const cases = [
    ['complex-nmf (refresh)', 'complex-nmf', { lambda: 0.01 }, { V, Y, rank: K }],
    ['complex-nmf (no refresh)', 'complex-nmf', { lambda: 0.01, refresh: false }, { V, Y, rank: K }],
    ['plsa', 'plsa', {}, { V, rank: K }],
    ['plsa (temper 0.8)', 'plsa', { temper: 0.8 }, { V, rank: K }],
    ['sparse-coding ista + gradient', 'sparse-coding', { codes: 'ista' }, { V: X, rank: K }],
    ['sparse-coding fista + mod', 'sparse-coding', { dictionary: 'mod' }, { V: X, rank: K }],
  ];
  const rows = [
    {
      solver: 'EU-MU iteration (reference)',
      'wall ms/iter': tRef.toFixed(3),
      'wall ratio': '1.00×',
      'CPU ms/iter': cRef.toFixed(3),
      'CPU ratio': '1.00×',
    },
  ];
  for (const [name, id, params, problem] of cases) {
    const s = solver(id, params);
    const st = s.init(problem, new Rng(2));
    const f0 = s.objective(st).total;
    for (let i = 0; i < 5; i++) s.step(st);
    const f1 = s.objective(st).total;
    if (!(Number.isFinite(f1) && f1 < f0)) throw new Error(`${name}: objective did not decrease (${f0} → ${f1})`);
    const t = timeMs(() => s.step(st), { reps: 15, warmup: 2 });
    const c = cpuMs(() => s.step(st), 15);
    rows.push({
      solver: name,
      'wall ms/iter': t.toFixed(3),
      'wall ratio': `${(t / tRef).toFixed(2)}×`,
      'CPU ms/iter': c.toFixed(3),
      'CPU ratio': `${(c / cRef).toFixed(2)}×`,
    });
  }
  table(rows);
}
