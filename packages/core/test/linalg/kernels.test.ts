import { beforeEach, describe, expect, it } from 'vitest';
import { create, all } from 'mathjs';
import {
  Matrix,
  Rng,
  matmul,
  matmulNT,
  matmulTN,
  matmulNaive,
  rowSums,
  colSums,
  frobenius,
  lpSum,
  maxRelDiff,
  setMatmulBackend,
  WasmWorkspace,
  wasmAvailable,
  gemmWasmStaged,
  gemmStrided,
  NmflabError,
  nativeAvailable,
  gemmNative,
  NATIVE_MIN_WORK,
  muFusedWasm,
} from '@nmflab/core';
import { restoreMatmulBackendAfterEach } from '../../../../test/support/backend.js';

restoreMatmulBackendAfterEach();

const math = create(all);

function random(rows: number, cols: number, rng: Rng): Matrix {
  const m = new Matrix(rows, cols);
  rng.fillUniform(m.data, -1, 1);
  return m;
}

/** Index of the first entry whose bits differ, or -1 (toEqual on big typed arrays is very slow). */
function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** max |x − y| relative to the largest |y| (entries of random ±1 products can cancel to ~0). */
function normDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0,
    s = 1e-300;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / s;
}

function oracle(A: Matrix, B: Matrix): number[][] {
  return math.multiply(math.matrix(A.toRows()), math.matrix(B.toRows())).toArray() as number[][];
}

// Odd sizes exercise the edge tiles; sizes above the block sizes (KC=256, MC=96) the blocking.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [4, 4, 4],
  [7, 9, 13],
  [17, 3, 30],
  [101, 37, 300],
  [130, 5, 9],
];

const backends = ['js', 'wasm', 'auto', ...(nativeAvailable ? (['native'] as const) : [])] as const;
describe.each(backends)('matrix products against mathjs (%s kernel)', (backend) => {
  const rng = new Rng(42);
  // OpenBLAS sums in another order (and with FMA): entries built by cancellation differ more, relatively.
  const tol = backend === 'native' || (backend === 'auto' && nativeAvailable) ? 1e-10 : 1e-12;
  // Each test of the block runs on this backend; restoreMatmulBackendAfterEach puts it back.
  beforeEach(() => {
    setMatmulBackend(backend);
  });
  for (const [m, k, n] of shapes) {
    it(`AB, AᵀB, ABᵀ for ${m}×${k}·${k}×${n}`, () => {
      const A = random(m, k, rng);
      const B = random(k, n, rng);
      const ref = oracle(A, B).flat();
      expect(maxRelDiff(matmul(A, B).data, ref)).toBeLessThan(tol);
      expect(maxRelDiff(matmulNaive(A, B).data, ref)).toBeLessThan(1e-12);
      expect(maxRelDiff(matmulTN(A.transpose(), B).data, ref)).toBeLessThan(tol);
      expect(maxRelDiff(matmulNT(A, B.transpose()).data, ref)).toBeLessThan(tol);
    });
  }

  it('reuses an output buffer and rejects wrong shapes', () => {
    const A = random(5, 4, rng);
    const B = random(4, 6, rng);
    const out = new Matrix(5, 6);
    expect(matmul(A, B, out)).toBe(out);
    expect(() => matmul(A, A)).toThrow(/shape mismatch/);
    expect(() => matmul(A, B, new Matrix(6, 5))).toThrow(/shape mismatch/);
  });
});

// Products among matrices of one WasmWorkspace run in place; shapes cross every blocking edge of
// the WASM kernel (MR=NR=4, MC=96, KC=256, NC=1024) with ragged remainders.
describe('WASM kernel: workspace, blocking edges, determinism', () => {
  const rng = new Rng(3);
  const big: [number, number, number][] = [
    [1, 1, 1],
    [5, 1, 1030],
    [97, 257, 9],
    [30, 513, 101],
    [193, 31, 1027],
  ];

  it('is available on this engine', () => {
    expect(wasmAvailable).toBe(true);
  });

  for (const [m, k, n] of big) {
    it(`in-place and staged products equal the JS kernel bit for bit at ${m}×${k}·${k}×${n}`, () => {
      const A = random(m, k, rng);
      const B = random(k, n, rng);
      const ref = matmulNaive(A, B);
      const ws = new WasmWorkspace({
        A: [m, k],
        At: [k, m],
        B: [k, n],
        Bt: [n, k],
        C1: [m, n],
        C2: [m, n],
        C3: [m, n],
      });
      const w = ws.matrices;
      w.A.data.set(A.data);
      w.At.data.set(A.transpose().data);
      w.B.data.set(B.data);
      w.Bt.data.set(B.transpose().data);
      expect(ws.owns(w.C1) && !ws.owns(A)).toBe(true);
      const before = setMatmulBackend('wasm'); // in place (the OpenBLAS addon would take these under auto)
      matmul(w.A, w.B, w.C1);
      matmulTN(w.At, w.B, w.C2);
      matmulNT(w.A, w.Bt, w.C3);
      setMatmulBackend(before);
      const prev = setMatmulBackend('js');
      const js = [matmul(A, B), matmulTN(A.transpose(), B), matmulNT(A, B.transpose())];
      setMatmulBackend('wasm');
      const staged = [matmul(A, B), matmulTN(A.transpose(), B), matmulNT(A, B.transpose())];
      setMatmulBackend(prev);
      // Same summation order (p ascending within KC blocks, blocks added in order, no FMA) in
      // both kernels, so every path gives identical bits, and all agree with the naive loop.
      [w.C1, w.C2, w.C3].forEach((c, s) => {
        expect(normDiff(c.data, ref.data)).toBeLessThan(1e-13);
        expect(firstDiff(c.data, js[s].data)).toBe(-1);
        expect(firstDiff(staged[s].data, js[s].data)).toBe(-1);
      });
      // Repeating the product (scratch now dirty) changes nothing.
      setMatmulBackend('wasm');
      expect(firstDiff(matmul(w.A, w.B, w.C2).data, js[0].data)).toBe(-1);
      setMatmulBackend(prev);
    });
  }

  it('accumulates into C and handles empty inner dimension', () => {
    const A = random(9, 300, rng),
      B = random(300, 11, rng);
    const C = random(9, 11, rng);
    const expected = matmulNaive(A, B);
    for (let i = 0; i < C.data.length; i++) expected.data[i] += C.data[i];
    expect(gemmWasmStaged(9, 11, 300, A.data, 300, 1, B.data, 11, 1, C.data, 11, true)).toBe(true);
    expect(maxRelDiff(C.data, expected.data)).toBeLessThan(1e-12);
    const viaJs = random(9, 11, new Rng(5));
    const viaWasm = new Matrix(9, 11, viaJs.data.slice());
    gemmStrided(9, 11, 300, A.data, 0, 300, 1, B.data, 0, 11, 1, viaJs.data, 0, 11, true);
    gemmWasmStaged(9, 11, 300, A.data, 300, 1, B.data, 11, 1, viaWasm.data, 11, true);
    expect(firstDiff(viaWasm.data, viaJs.data)).toBe(-1);
    const prev = setMatmulBackend('wasm');
    const Z = matmul(new Matrix(4, 0), new Matrix(0, 6), Matrix.filled(4, 6, 7));
    setMatmulBackend(prev);
    expect(Array.from(Z.data)).toEqual(new Array(24).fill(0));
  });

  it('rejects bad workspace shapes with an NmflabError naming the matrix', () => {
    expect(() => new WasmWorkspace({ W: [3, -1] })).toThrow(NmflabError);
    expect(() => new WasmWorkspace({ W: [3, 1.5] })).toThrow(/W: bad workspace matrix shape/);
    expect(() => new WasmWorkspace({ V: [70000, 70000] })).toThrow(/too large for WebAssembly memory/);
  });
});

describe('muFusedWasm: fused MU numerators/denominators, block by block in WASM', () => {
  // F, N odd and above KC = 256 (blocked reductions over both), several blocks with a short last
  // one: W side 64 rows × 512 columns (the reduction over N accumulated in two chunks), H side
  // 108 columns (256 KiB blocks).
  const [F, N, K] = [301, 701, 20];
  const delta = 1.1920928955078125e-7 ** 2;

  /** The unfused formulas on the JS kernel: Λ = WH, weights, AHᵀ (BHᵀ) or WᵀA (WᵀB). */
  function unfused(code: 0 | 1, side: 0 | 1, V: Matrix, W: Matrix, H: Matrix): { num: Matrix; den: Matrix } {
    const prev = setMatmulBackend('js');
    const L = matmul(W, H);
    const A = new Matrix(F, N),
      B = new Matrix(F, N);
    for (let i = 0; i < L.data.length; i++) {
      const l = L.data[i];
      const lf = l > delta ? l : delta;
      if (code === 1) A.data[i] = V.data[i] / lf;
      else {
        const r = 1 / lf;
        B.data[i] = r;
        A.data[i] = r * r * V.data[i];
      }
    }
    const out =
      side === 0 ? { num: matmulNT(A, H), den: matmulNT(B, H) } : { num: matmulTN(W, A), den: matmulTN(W, B) };
    setMatmulBackend(prev);
    return out;
  }

  it('is bit-identical to forming Λ, the weights and the products with the JS kernel (β = 1, 0; W and H sides)', () => {
    const rng = new Rng(8);
    const ws = new WasmWorkspace({
      V: [F, N],
      W: [F, K],
      H: [K, N],
      S: [F, N],
      B: [F, N],
      numW: [F, K],
      denW: [F, K],
      numH: [K, N],
      denH: [K, N],
    });
    const m = ws.matrices;
    rng.fillUniform(m.V.data, 0.01, 2);
    rng.fillUniform(m.W.data, 0, 1);
    rng.fillUniform(m.H.data, 0, 1);
    // Zeros in the factors: Λ = 0 in a whole row and column, where the floor δ acts.
    for (let k = 0; k < K; k++) m.W.set(5, k, 0);
    for (let k = 0; k < K; k++) m.H.set(k, 7, 0);
    const V = m.V.clone(),
      W = m.W.clone(),
      H = m.H.clone();
    for (const code of [1, 0] as const) {
      for (const side of [0, 1] as const) {
        const num = side === 0 ? m.numW : m.numH,
          den = side === 0 ? m.denW : m.denH;
        expect(
          muFusedWasm(code, side, F, N, K, m.V, m.W, m.H, num, den, m.S, code === 0 ? m.B : undefined, delta),
        ).toBe(true);
        const ref = unfused(code, side, V, W, H);
        expect(firstDiff(num.data, ref.num.data), `code ${code} side ${side} numerator`).toBe(-1);
        if (code === 0) expect(firstDiff(den.data, ref.den.data), `code ${code} side ${side} denominator`).toBe(-1);
      }
    }
    // Inputs untouched; operands outside the workspace are refused (the caller then takes the unfused path).
    expect(firstDiff(m.W.data, W.data)).toBe(-1);
    expect(firstDiff(m.H.data, H.data)).toBe(-1);
    expect(muFusedWasm(1, 0, F, N, K, V, m.W, m.H, m.numW, m.denW, m.S, undefined, delta)).toBe(false);
  });
});

describe('reductions against mathjs', () => {
  const rng = new Rng(7);
  const A = random(13, 9, rng);
  const rows = A.toRows();
  it('row and column sums', () => {
    const rs = math.sum(math.matrix(rows), 1) as unknown as { toArray(): number[] };
    const cs = math.sum(math.matrix(rows), 0) as unknown as { toArray(): number[] };
    expect(maxRelDiff(rowSums(A), rs.toArray())).toBeLessThan(1e-13);
    expect(maxRelDiff(colSums(A), cs.toArray())).toBeLessThan(1e-13);
  });
  it('Frobenius and Lp norms', () => {
    expect(frobenius(A)).toBeCloseTo(math.norm(math.matrix(rows), 'fro') as number, 12);
    const flat = rows.flat();
    expect(lpSum(A, 1)).toBeCloseTo(
      flat.reduce((s, v) => s + Math.abs(v), 0),
      12,
    );
    expect(lpSum(A, 0.5)).toBeCloseTo(
      flat.reduce((s, v) => s + Math.sqrt(Math.abs(v)), 0),
      12,
    );
  });
});

describe('Matrix', () => {
  it('checks its shape', () => {
    expect(() => new Matrix(2, 3, new Float64Array(5))).toThrow(/needs 6 values/);
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(/row 1/);
  });
  it('transposes and round-trips rows', () => {
    const A = Matrix.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(A.transpose().toRows()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(A.col(1)).toEqual(new Float64Array([2, 5]));
  });
});

describe.skipIf(!nativeAvailable)('native OpenBLAS backend (optional addon)', () => {
  const rng = new Rng(7);
  it('AB, AᵀB, ABᵀ, in workspaces and ordinary matrices, agree with the JS kernel to rounding', () => {
    const [m, k, n] = [70, 90, 110];
    expect(m * k * n).toBeGreaterThan(NATIVE_MIN_WORK); // auto takes these to OpenBLAS
    const A = random(m, k, rng),
      B = random(k, n, rng);
    const prev = setMatmulBackend('js');
    const ref = matmulNaive(A, B);
    setMatmulBackend('native');
    const ws = new WasmWorkspace({ A: [m, k], B: [k, n], Bt: [n, k], C: [m, n] });
    ws.matrices.A.data.set(A.data);
    ws.matrices.B.data.set(B.data);
    ws.matrices.Bt.data.set(B.transpose().data);
    const outs = [
      matmul(A, B),
      matmulTN(A.transpose(), B),
      matmulNT(A, B.transpose()),
      matmul(ws.matrices.A, ws.matrices.B, ws.matrices.C).clone(),
      matmulNT(ws.matrices.A, ws.matrices.Bt, ws.matrices.C).clone(),
    ];
    setMatmulBackend(prev);
    for (const c of outs) expect(normDiff(c.data, ref.data)).toBeLessThan(1e-14);
  });
  it('accumulates, and refuses layouts BLAS cannot express (the caller then uses WASM/JS)', () => {
    const A = random(5, 7, rng),
      B = random(7, 6, rng),
      C = random(5, 6, rng);
    const expected = matmulNaive(A, B);
    for (let i = 0; i < C.data.length; i++) expected.data[i] += C.data[i];
    expect(gemmNative(5, 6, 7, A.data, 7, 1, B.data, 6, 1, C.data, 6, true)).toBe(true);
    expect(maxRelDiff(C.data, expected.data)).toBeLessThan(1e-12);
    const untouched = C.data.slice();
    expect(gemmNative(5, 6, 3, A.data, 14, 2, B.data, 6, 1, C.data, 6)).toBe(false); // no unit stride
    expect(gemmNative(5, 6, 7, A.data, 3, 1, B.data, 6, 1, C.data, 6)).toBe(false); // lda < k
    expect(Array.from(C.data)).toEqual(Array.from(untouched));
  });
});
