// GFLOP/s of the three NMF product shapes (F=513, N=1000, K=30) and of 1024³ for each kernel:
// the naive i-k-j loop (reference), the JS blocked kernel, the WASM SIMD kernel through staging
// copies (ordinary matrices) and in place (operands in a WasmWorkspace), and the optional native
// OpenBLAS backend when its addon is built (its default thread count). Speed-ups are against
// the naive loop measured in the same run; times are medians. Every result is checked first.
import {
  Matrix,
  Rng,
  matmul,
  matmulTN,
  matmulNT,
  matmulNaive,
  maxRelDiff,
  setMatmulBackend,
  WasmWorkspace,
  nativeAvailable,
} from '@nmflab/core';
import { table, timeMs } from './util.mjs';

export const title = 'Matrix products (float64): naive loop, JS blocked kernel, WASM SIMD kernel';

function rand(r, c, rng) {
  const m = new Matrix(r, c);
  rng.fillUniform(m.data);
  return m;
}

const ops = { AB: matmul, AᵀB: matmulTN, ABᵀ: matmulNT };

export default async function () {
  const rng = new Rng(1);
  const F = 513,
    N = 1000,
    K = 30;
  const W = rand(F, K, rng),
    H = rand(K, N, rng),
    V = rand(F, N, rng);
  const big = 1024;
  const A = rand(big, big, rng),
    B = rand(big, big, rng);
  const cases = [
    { name: 'WH (F×K·K×N)', op: 'AB', a: W, b: H, naive: [W, H] },
    { name: 'WᵀV (K×F·F×N)', op: 'AᵀB', a: W, b: V, naive: [W.transpose(), V] },
    { name: 'VHᵀ (F×N·N×K)', op: 'ABᵀ', a: V, b: H, naive: [V, H.transpose()] },
    { name: '1024³ AB', op: 'AB', a: A, b: B, naive: [A, B], reps: 3, naiveReps: 1 },
  ];
  const rows = [];
  const prev = setMatmulBackend('auto');
  try {
    for (const c of cases) {
      const f = ops[c.op];
      const ref = matmulNaive(c.naive[0], c.naive[1]);
      const [m, k] = [c.naive[0].rows, c.naive[0].cols];
      const n = ref.cols;
      const flops = 2 * m * n * k;
      const reps = c.reps ?? 15;
      const out = new Matrix(ref.rows, ref.cols);
      const ws = new WasmWorkspace({ a: [c.a.rows, c.a.cols], b: [c.b.rows, c.b.cols], c: [ref.rows, ref.cols] });
      ws.matrices.a.data.set(c.a.data);
      ws.matrices.b.data.set(c.b.data);
      const kernels = {
        naive: () => matmulNaive(c.naive[0], c.naive[1], out),
        js: () => {
          setMatmulBackend('js');
          return f(c.a, c.b, out);
        },
        'wasm staged': () => {
          setMatmulBackend('wasm');
          return f(c.a, c.b, out);
        },
        'wasm in place': () => {
          setMatmulBackend('wasm');
          return f(ws.matrices.a, ws.matrices.b, ws.matrices.c);
        },
        // The optional OpenBLAS addon (packages/core/native), when built: same workspace operands.
        ...(nativeAvailable
          ? {
              native: () => {
                setMatmulBackend('native');
                return f(ws.matrices.a, ws.matrices.b, ws.matrices.c);
              },
            }
          : {}),
      };
      const row = { product: c.name };
      let tNaive = 0,
        tJs = 0;
      for (const [name, run] of Object.entries(kernels)) {
        const err = maxRelDiff(run().data, ref.data);
        if (err > 1e-10) throw new Error(`${c.name}: ${name} differs from naive by ${err}`);
        // The naive loop is slow (seconds at 1024³): fewer repetitions, no extra warm-up (its
        // correctness run above warmed it).
        const t = name === 'naive' ? timeMs(run, { reps: c.naiveReps ?? 5, warmup: 0 }) : timeMs(run, { reps });
        if (name === 'naive') tNaive = t;
        if (name === 'js') tJs = t;
        row[`${name} ms`] = t.toFixed(2);
        row[`${name} GF/s`] = (flops / t / 1e6).toFixed(1);
        if (name !== 'naive') row[`${name} ×`] = (tNaive / t).toFixed(1);
      }
      row['in place / js'] = `${(tJs / Number(row['wasm in place ms'])).toFixed(1)}×`;
      rows.push(row);
    }
  } finally {
    setMatmulBackend(prev);
  }
  table(rows);
  console.log('(medians; the 2-core machine is shared, so absolute times are noisy — compare ratios within a row)');
}
