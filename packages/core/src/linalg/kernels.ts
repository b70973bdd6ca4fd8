import { Matrix } from './matrix.js';
import { commonWorkspace, gemmWasmInPlace, gemmWasmStaged, wasmAvailable } from './backends/wasm.js';
import { gemmNative, nativeAvailable } from './backends/native.js';

/**
 * Matrix products for NMF: C = AB, C = AᵀB, C = ABᵀ without materializing a transpose.
 *
 * Two kernels: the WebAssembly SIMD GEMM of `wasm.ts` (fast path, chosen by `product` below) and
 * this file's JS `gemmStrided` (fallback for small products and engines without WASM SIMD, and
 * the reference the WASM kernel is tested against).
 *
 * One blocked GEMM serves all three through strides: A and B are read through (row stride,
 * column stride) pairs and packed into contiguous 4-wide slivers, then a 4×4 register-tile
 * micro-kernel accumulates 16 values in locals. Packing buffers are module-level and only grow,
 * so repeated products of the same shapes allocate nothing.
 */
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 96;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * 64);

/**
 * C[cOff + i*cRs + j] (+)= Σ_p A[aOff + i*aRs + p*aCs] · B[bOff + p*bRs + j*bCs], i<m, j<n, p<k.
 */
export function gemmStrided(
  m: number, n: number, k: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number,
  accumulate = false,
): void {
  if (!accumulate) {
    for (let i = 0; i < m; i++) C.fill(0, cOff + i * cRs, cOff + i * cRs + n);
  }
  if (k === 0 || m === 0 || n === 0) return;
  const nPanels = Math.ceil(n / NR);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    const needB = nPanels * NR * kc;
    if (packB.length < needB) packB = new Float64Array(needB);
    // Pack B[pc:pc+kc, :] into NR-wide slivers, zero-padded at the right edge.
    for (let jp = 0; jp < nPanels; jp++) {
      const j0 = jp * NR;
      const base = jp * kc * NR;
      const jw = Math.min(NR, n - j0);
      for (let p = 0; p < kc; p++) {
        const src = bOff + (pc + p) * bRs + j0 * bCs;
        const dst = base + p * NR;
        if (jw === NR) {
          packB[dst] = B[src];
          packB[dst + 1] = B[src + bCs];
          packB[dst + 2] = B[src + 2 * bCs];
          packB[dst + 3] = B[src + 3 * bCs];
        } else {
          for (let jj = 0; jj < NR; jj++) packB[dst + jj] = jj < jw ? B[src + jj * bCs] : 0;
        }
      }
    }
    for (let ic = 0; ic < m; ic += MC) {
      const mc = Math.min(MC, m - ic);
      const mPanels = Math.ceil(mc / MR);
      const needA = mPanels * MR * kc;
      if (packA.length < needA) packA = new Float64Array(needA);
      for (let ip = 0; ip < mPanels; ip++) {
        const i0 = ic + ip * MR;
        const base = ip * kc * MR;
        const iw = Math.min(MR, m - i0);
        for (let p = 0; p < kc; p++) {
          const src = aOff + i0 * aRs + (pc + p) * aCs;
          const dst = base + p * MR;
          if (iw === MR) {
            packA[dst] = A[src];
            packA[dst + 1] = A[src + aRs];
            packA[dst + 2] = A[src + 2 * aRs];
            packA[dst + 3] = A[src + 3 * aRs];
          } else {
            for (let ii = 0; ii < MR; ii++) packA[dst + ii] = ii < iw ? A[src + ii * aRs] : 0;
          }
        }
      }
      for (let jp = 0; jp < nPanels; jp++) {
        const j0 = jp * NR;
        const jw = Math.min(NR, n - j0);
        for (let ip = 0; ip < mPanels; ip++) {
          const i0 = ic + ip * MR;
          const iw = Math.min(MR, m - i0);
          microKernel(kc, ip * kc * MR, jp * kc * NR, C, cOff + i0 * cRs + j0, cRs, iw, jw);
        }
      }
    }
  }
}

function microKernel(
  kc: number, aBase: number, bBase: number,
  C: Float64Array, cIdx: number, cRs: number, iw: number, jw: number,
): void {
  const a = packA;
  const b = packB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aBase;
  let bi = bBase;
  for (let p = 0; p < kc; p++) {
    const a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
    const b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai += 4;
    bi += 4;
  }
  if (iw === 4 && jw === 4) {
    let r = cIdx;
    C[r] += c00; C[r + 1] += c01; C[r + 2] += c02; C[r + 3] += c03; r += cRs;
    C[r] += c10; C[r + 1] += c11; C[r + 2] += c12; C[r + 3] += c13; r += cRs;
    C[r] += c20; C[r + 1] += c21; C[r + 2] += c22; C[r + 3] += c23; r += cRs;
    C[r] += c30; C[r + 1] += c31; C[r + 2] += c32; C[r + 3] += c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let i = 0; i < iw; i++) for (let j = 0; j < jw; j++) C[cIdx + i * cRs + j] += tile[i * 4 + j];
}

// Shape checks build their message only on failure, so products allocate nothing.
function mismatch(what: string): never {
  throw new RangeError(`shape mismatch: ${what}`);
}

function target(rows: number, cols: number, out?: Matrix): Matrix {
  if (!out) return new Matrix(rows, cols);
  if (!(out.rows === rows && out.cols === cols)) mismatch(`output is ${out.rows}×${out.cols}, expected ${rows}×${cols}`);
  return out;
}

/**
 * Which kernel `matmul`, `matmulTN` and `matmulNT` use: `auto` (the optional OpenBLAS addon when it
 * loaded and m·n·k ≥ NATIVE_MIN_WORK; else WASM SIMD when the operands live in one `WasmWorkspace`,
 * or when m·n·k ≥ WASM_MIN_WORK; the JS kernel otherwise), `js` (always the JS blocked kernel, the
 * reference), `wasm` (always WASM, staging copies if needed) or `native` (OpenBLAS for every
 * product it can take). `js` and `wasm` give bit-identical results on every machine; products
 * through OpenBLAS differ from them in the last bits (another summation order, FMA).
 */
export type MatmulBackend = 'auto' | 'js' | 'wasm' | 'native';

/** Below this m·n·k, `auto` keeps products off OpenBLAS (call overhead; bit-identity of small products across machines). */
export const NATIVE_MIN_WORK = 64 ** 3;

/**
 * Below this m·n·k the staging copies and call cost more than WASM gains. Measured here (median,
 * loaded machine): JS/WASM-staged time ratio 0.6–0.7 at 2³–4³, 1.5 at 6³–8³, 3.4 at 32³, ~4–5
 * from 48³. Products among workspace matrices use WASM at any size.
 */
export const WASM_MIN_WORK = 6 ** 3;

let backend: MatmulBackend = 'auto';

/** The current backend choice. */
export function getMatmulBackend(): MatmulBackend {
  return backend;
}

/** Select the product kernel (see `MatmulBackend`); returns the previous choice. */
export function setMatmulBackend(b: MatmulBackend): MatmulBackend {
  if (b === 'wasm' && !wasmAvailable) throw new RangeError('WASM SIMD kernel is not available in this engine');
  if (b === 'native' && !nativeAvailable) throw new RangeError('the native OpenBLAS backend is not built or did not load');
  const prev = backend;
  backend = b;
  return prev;
}

/** Dispatch one strided product (zero offsets, C row stride = n) to the kernel `backend` selects. */
function product(
  backend: MatmulBackend,
  m: number, n: number, k: number,
  A: Matrix, aRs: number, aCs: number,
  B: Matrix, bRs: number, bCs: number,
  C: Matrix,
): void {
  if (
    (backend === 'native' || (backend === 'auto' && nativeAvailable && m * n * k >= NATIVE_MIN_WORK)) &&
    gemmNative(m, n, k, A.data, aRs, aCs, B.data, bRs, bCs, C.data, n)
  ) {
    return;
  }
  if (backend !== 'js' && wasmAvailable && m > 0 && n > 0) {
    const ws = commonWorkspace(A, B, C);
    if (ws) {
      gemmWasmInPlace(ws, m, n, k, A.data, aRs, aCs, B.data, bRs, bCs, C.data, n);
      return;
    }
    if (
      (backend === 'wasm' || m * n * k >= WASM_MIN_WORK) &&
      gemmWasmStaged(m, n, k, A.data, aRs, aCs, B.data, bRs, bCs, C.data, n)
    ) {
      return;
    }
  }
  gemmStrided(m, n, k, A.data, 0, aRs, aCs, B.data, 0, bRs, bCs, C.data, 0, n);
}

/** C = A B (A m×k, B k×n). Pass `out` to reuse a buffer. */
export function matmul(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  return matmulOn(backend, A, B, out);
}

/** C = Aᵀ B (A k×m, B k×n). */
export function matmulTN(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  return matmulTNOn(backend, A, B, out);
}

/** C = A Bᵀ (A m×k, B n×k). */
export function matmulNT(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  return matmulNTOn(backend, A, B, out);
}

/** `matmul` on a given backend choice instead of the process-wide one (kernel backends bind theirs once). */
export function matmulOn(be: MatmulBackend, A: Matrix, B: Matrix, out?: Matrix): Matrix {
  if (!(A.cols === B.rows)) mismatch(`A is ${A.rows}×${A.cols}, B is ${B.rows}×${B.cols} in A·B`);
  const C = target(A.rows, B.cols, out);
  product(be, A.rows, B.cols, A.cols, A, A.cols, 1, B, B.cols, 1, C);
  return C;
}

/** `matmulTN` on a given backend choice. */
export function matmulTNOn(be: MatmulBackend, A: Matrix, B: Matrix, out?: Matrix): Matrix {
  if (!(A.rows === B.rows)) mismatch(`A is ${A.rows}×${A.cols}, B is ${B.rows}×${B.cols} in Aᵀ·B`);
  const C = target(A.cols, B.cols, out);
  product(be, A.cols, B.cols, A.rows, A, 1, A.cols, B, B.cols, 1, C);
  return C;
}

/** `matmulNT` on a given backend choice. */
export function matmulNTOn(be: MatmulBackend, A: Matrix, B: Matrix, out?: Matrix): Matrix {
  if (!(A.cols === B.cols)) mismatch(`A is ${A.rows}×${A.cols}, B is ${B.rows}×${B.cols} in A·Bᵀ`);
  const C = target(A.rows, B.rows, out);
  product(be, A.rows, B.rows, A.cols, A, A.cols, 1, B, 1, B.cols, C);
  return C;
}

/** The plain triple loop (i-k-j), kept as the correctness and speed reference for benchmarks. */
export function matmulNaive(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  if (!(A.cols === B.rows)) mismatch(`A is ${A.rows}×${A.cols}, B is ${B.rows}×${B.cols} in A·B`);
  const C = target(A.rows, B.cols, out);
  const { rows: m, cols: k } = A;
  const n = B.cols;
  const a = A.data, b = B.data, c = C.data;
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const bRow = p * n;
      const cRow = i * n;
      for (let j = 0; j < n; j++) c[cRow + j] += aip * b[bRow + j];
    }
  }
  return C;
}
