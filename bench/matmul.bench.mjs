// GFLOP/s of the three NMF product shapes (F=513, N=1000, K=30) and of 1024³, blocked kernel
// versus the naive i-k-j loop measured in the same run. Each result is checked first.
import { Matrix, Rng, matmul, matmulTN, matmulNT, matmulNaive, maxRelDiff } from '@nmflab/core';
import { table, timeMs } from './util.mjs';

export const title = 'Matrix products (float64): blocked kernels vs naive loop';

function rand(r, c, rng) {
  const m = new Matrix(r, c);
  rng.fillUniform(m.data);
  return m;
}

export default async function () {
  const rng = new Rng(1);
  const F = 513, N = 1000, K = 30;
  const W = rand(F, K, rng), H = rand(K, N, rng), V = rand(F, N, rng);
  const big = 1024;
  const A = rand(big, big, rng), B = rand(big, big, rng);
  const cases = [
    { name: 'WH (F×K·K×N)', flops: 2 * F * K * N, fast: (o) => matmul(W, H, o), a: W, b: H, out: new Matrix(F, N) },
    { name: 'WᵀV (K×F·F×N)', flops: 2 * F * K * N, fast: (o) => matmulTN(W, V, o), a: W.transpose(), b: V, out: new Matrix(K, N) },
    { name: 'VHᵀ (F×N·N×K)', flops: 2 * F * K * N, fast: (o) => matmulNT(V, H, o), a: V, b: H.transpose(), out: new Matrix(F, K) },
    { name: '1024³', flops: 2 * big ** 3, fast: (o) => matmul(A, B, o), a: A, b: B, out: new Matrix(big, big), reps: 3 },
  ];
  const rows = [];
  for (const c of cases) {
    const ref = matmulNaive(c.a, c.b);
    const err = maxRelDiff(c.fast(c.out).data, ref.data);
    if (err > 1e-10) throw new Error(`${c.name}: blocked product differs from naive by ${err}`);
    const naiveOut = new Matrix(c.out.rows, c.out.cols);
    const tn = timeMs(() => matmulNaive(c.a, c.b, naiveOut), { reps: c.reps ?? 7 });
    const tf = timeMs(() => c.fast(c.out), { reps: c.reps ?? 7 });
    rows.push({
      product: c.name,
      'naive ms': tn.toFixed(2),
      'naive GFLOP/s': (c.flops / tn / 1e6).toFixed(2),
      'blocked ms': tf.toFixed(2),
      'blocked GFLOP/s': (c.flops / tf / 1e6).toFixed(2),
      'speed-up': (tn / tf).toFixed(2) + '×',
      'max rel err': err.toExponential(1),
    });
  }
  table(rows);
}
