import { Matrix } from '../matrix.js';
import { NmflabError } from '../../errors.js';
import { GEMM_WASM_BASE64 } from './wasm/gemm-wasm.js';

/**
 * WebAssembly SIMD GEMM (see packages/core/assembly/gemm.ts): f64x2, packed panels, 4×4 register
 * tile. The module is compiled once, synchronously, at import; every memory gets its own instance
 * (instances are cheap, and a memory that never grows keeps its Float64Array views valid).
 *
 * Two ways in:
 * - `gemmWasmStaged` copies the operands into a module-level staging memory (grows as needed),
 *   multiplies, copies C out. Used by `matmul*` for ordinary matrices above a size threshold.
 * - `WasmWorkspace` hands out matrices that live in WASM memory; products whose three operands
 *   live in the same workspace run with no copies and no allocation (the solver hot loop).
 */

interface GemmExports {
  gemm(
    m: number, n: number, k: number,
    a: number, aRs: number, aCs: number,
    b: number, bRs: number, bCs: number,
    c: number, cRs: number,
    accumulate: number, packA: number, packB: number,
  ): void;
  packABytes(): number;
  packBBytes(): number;
  muWeights(
    code: number, rows: number, cols: number,
    v: number, vRs: number, l: number, lRs: number, a: number, aRs: number, b: number, bRs: number,
    delta: number,
  ): void;
  muObjective(code: number, rows: number, cols: number, v: number, vRs: number, l: number, lRs: number): number;
}

// The ES2022 lib and @types/node 20 do not declare WebAssembly; the few members used, typed here.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** wasm32 addresses 4 GiB; keep one page of headroom. */
const MAX_BYTES = 65535 * PAGE;
const ALIGN = 64;

function loadModule(): object | null {
  if (!WA) return null;
  try {
    const bytes = Buffer.from(GEMM_WASM_BASE64, 'base64');
    // Engines without WASM SIMD reject the module; the JS kernel then serves every product.
    if (!WA.validate(bytes)) return null;
    return new WA.Module(bytes);
  } catch {
    return null;
  }
}

const gemmModule = loadModule();

/** True when the WASM SIMD kernel loaded (Node ≥ 16.4 on x64/arm64). */
export const wasmAvailable = gemmModule !== null;

const alignUp = (x: number) => Math.ceil(x / ALIGN) * ALIGN;

// 96·256 doubles for packed A, 256·1024 + 16 for packed B and the edge tile (see assembly/gemm.ts).
const SCRATCH_BYTES = alignUp(96 * 256 * 8) + alignUp((256 * 1024 + 16) * 8) + ALIGN;

/** One instance over one memory, with its packing scratch at the start of that memory. */
class GemmInstance {
  readonly memory: WasmMemory;
  readonly exports: GemmExports;
  readonly packA: number;
  readonly packB: number;
  /** First free byte after the scratch. */
  readonly heapStart: number;

  constructor(extraBytes: number, growable: boolean) {
    if (!gemmModule || !WA) throw new Error('WebAssembly SIMD is not available');
    // The scratch sizes are kernel constants, known here as SCRATCH_BYTES; checked below.
    const pages = Math.ceil((SCRATCH_BYTES + extraBytes) / PAGE);
    this.memory = growable
      ? new WA.Memory({ initial: pages, maximum: 65536 })
      : new WA.Memory({ initial: pages, maximum: pages });
    const inst = new WA.Instance(gemmModule, { env: { memory: this.memory } });
    this.exports = inst.exports as unknown as GemmExports;
    this.packA = ALIGN;
    this.packB = alignUp(this.packA + this.exports.packABytes());
    this.heapStart = alignUp(this.packB + this.exports.packBBytes());
    if (this.heapStart > SCRATCH_BYTES) throw new Error('WASM GEMM scratch larger than expected');
  }
}


/** Workspaces by their (never-growing) memory buffer, to recognize matrices living in WASM. */
const owners = new WeakMap<ArrayBuffer, WasmWorkspace<string>>();

/**
 * Matrices that live in WebAssembly memory, so products among them need no copies.
 *
 * All matrices are allocated at construction, in one memory of fixed size (never grown, so the
 * `Float64Array` views stay valid for the workspace's life). Use them as ordinary `Matrix`
 * objects; `matmul`, `matmulTN`, `matmulNT` detect when A, B and the output all belong to the
 * same workspace and then run the WASM kernel in place.
 *
 * ```ts
 * const ws = new WasmWorkspace({ W: [F, K], H: [K, N], V: [F, N], WH: [F, N] });
 * const { W, H, V, WH } = ws.matrices;
 * V.data.set(input.data);
 * matmul(W, H, WH); // no copies, no allocation
 * ```
 */
export class WasmWorkspace<Name extends string = string> {
  readonly matrices: Readonly<Record<Name, Matrix>>;
  /** @internal */
  readonly instance: GemmInstance;

  constructor(shapes: Readonly<Record<Name, readonly [rows: number, cols: number]>>) {
    if (!gemmModule) {
      throw new NmflabError('WebAssembly SIMD is not available in this JavaScript engine', {
        expected: 'Node.js ≥ 16.4 (WASM SIMD)', found: `Node.js ${process.version}`,
        hint: 'use ordinary Matrix objects; the JavaScript kernel serves them',
      });
    }
    let bytes = 0;
    for (const [name, shape] of Object.entries(shapes) as [string, readonly [number, number]][]) {
      const [r, c] = shape;
      if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || c < 0) {
        throw new NmflabError('bad workspace matrix shape', {
          path: name, expected: 'non-negative integer rows and cols', found: `${r}×${c}`,
        });
      }
      bytes += alignUp(r * c * 8);
    }
    if (SCRATCH_BYTES + bytes > MAX_BYTES) {
      throw new NmflabError('workspace too large for WebAssembly memory', {
        expected: 'at most 4 GiB in total', found: `${(bytes / 2 ** 30).toFixed(2)} GiB`,
      });
    }
    this.instance = new GemmInstance(bytes, false);
    const buf = this.instance.memory.buffer;
    let off = this.instance.heapStart;
    const out: Record<string, Matrix> = {};
    for (const [name, shape] of Object.entries(shapes) as [string, readonly [number, number]][]) {
      const [r, c] = shape;
      out[name] = new Matrix(r, c, new Float64Array(buf, off, r * c));
      off += alignUp(r * c * 8);
    }
    this.matrices = out as Record<Name, Matrix>;
    owners.set(buf, this as WasmWorkspace<string>);
  }

  /** Whether `m` is one of this workspace's matrices (its data is a view into this memory). */
  owns(m: Matrix): boolean {
    return m.data.buffer === this.instance.memory.buffer;
  }
}

/** The workspace that owns all of `mats`, if one does. */
export function commonWorkspace(...mats: Matrix[]): WasmWorkspace<string> | undefined {
  const ws = owners.get(mats[0].data.buffer as ArrayBuffer);
  if (!ws) return undefined;
  for (let i = 1; i < mats.length; i++) if (mats[i].data.buffer !== mats[0].data.buffer) return undefined;
  return ws;
}

/**
 * C (+)= op(A)·op(B) in place in a workspace: A, B, C are views into its memory; offsets come from
 * the views, strides are in elements as in `gemmStrided`.
 */
export function gemmWasmInPlace(
  ws: WasmWorkspace<string>,
  m: number, n: number, k: number,
  A: Float64Array, aRs: number, aCs: number,
  B: Float64Array, bRs: number, bCs: number,
  C: Float64Array, cRs: number,
  accumulate = false,
): void {
  const x = ws.instance;
  x.exports.gemm(m, n, k, A.byteOffset, aRs, aCs, B.byteOffset, bRs, bCs, C.byteOffset, cRs,
    accumulate ? 1 : 0, x.packA, x.packB);
}

let staging: GemmInstance | null = null;
let stagingHeap = new Float64Array(0);

/**
 * C (+)= op(A)·op(B) through the staging memory: copies A and B (whole arrays) in, multiplies,
 * copies C out. Same arguments as `gemmStrided` with zero offsets. Returns false, leaving C
 * untouched, when the operands do not fit in WebAssembly memory (4 GiB) or it cannot grow; the
 * caller then uses the JS kernel. The staging memory keeps its largest size (it never shrinks).
 */
export function gemmWasmStaged(
  m: number, n: number, k: number,
  A: Float64Array, aRs: number, aCs: number,
  B: Float64Array, bRs: number, bCs: number,
  C: Float64Array, cRs: number,
  accumulate = false,
): boolean {
  if (!gemmModule) return false;
  const cLen = m === 0 ? 0 : (m - 1) * cRs + n;
  const need = alignUp(A.length * 8) + alignUp(B.length * 8) + alignUp(cLen * 8);
  if (SCRATCH_BYTES + need > MAX_BYTES) return false;
  if (!staging) staging = new GemmInstance(need, true);
  const x = staging;
  const a = x.heapStart;
  const b = a + alignUp(A.length * 8);
  const c = b + alignUp(B.length * 8);
  const end = c + alignUp(cLen * 8);
  const have = x.memory.buffer.byteLength;
  if (end > have) {
    try {
      x.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      return false; // out of memory for the engine: fall back rather than fail the product
    }
  }
  // A view is re-made only when the memory grew (growing detaches the old buffer).
  if (stagingHeap.buffer !== x.memory.buffer) stagingHeap = new Float64Array(x.memory.buffer);
  const heap = stagingHeap;
  heap.set(A, a / 8);
  heap.set(B, b / 8);
  // C is copied back whole, so bring it in when its old values (or row gaps) must survive.
  if (accumulate || cRs !== n) heap.set(C.subarray(0, cLen), c / 8);
  x.exports.gemm(m, n, k, a, aRs, aCs, b, bRs, bCs, c, cRs, accumulate ? 1 : 0, x.packA, x.packB);
  C.set(heap.subarray(c / 8, c / 8 + cLen));
  return true;
}

/**
 * Doubles per block of Λ in `muFusedWasm` (256 KiB): the block, its weights and the product's
 * packed panels stay in a 1 MiB L2 cache.
 */
const FUSED_BLOCK = 32768;

/**
 * The blocks of `muFusedWasm`: side 0 R rows × Cn columns (Cn a multiple of 256), side 1 all F
 * rows × C columns. Exported so the `js` backend sums its objective in the same order.
 */
export function fusedBlocks(F: number, N: number): { R: number; Cn: number; C: number } {
  const R = Math.min(F, 64);
  return {
    R,
    Cn: Math.min(N, Math.max(256, Math.floor(FUSED_BLOCK / R / 256) * 256)),
    C: Math.max(4, Math.min(N, Math.floor(FUSED_BLOCK / F / 4) * 4)),
  };
}

/** Doubles of each scratch (`S`, and `Bs` at β = 0) `muFusedWasm` needs: its largest block. */
export function fusedScratch(F: number, N: number): number {
  const { R, Cn, C } = fusedBlocks(F, N);
  return Math.max(R * Cn, F * C);
}

/**
 * The fused MU numerators (and β = 0 denominators) in WebAssembly, block by block, as the native
 * addon's `muFused` does: Λ is never formed whole, so the F×N weights never leave the cache.
 *
 * - side 0 (W): for 64 rows × Cn columns at a time, Λ_b = W_b H_b, weights, num_b += A_b H_bᵀ
 *   (den_b += B_b H_bᵀ), Cn a multiple of 256;
 * - side 1 (H): for C columns at a time, Λ_c = W H_c, weights, num_c = Wᵀ A_c (den_c = Wᵀ B_c);
 *
 * with the weights of `muWeights` in assembly/gemm.ts: code 1 (β = 1) A = V/max(Λ, δ) (the β = 1
 * denominators are sums, computed by the caller); code 0 (β = 0) B = 1/max(Λ, δ), A = B²V.
 *
 * Every product is the same `gemm` as `matmul*`, whose per-entry sum depends only on KC (ascending
 * within each 256-long block of the reduction, blocks added in order), never on how the output
 * is cut: so the result is bit-identical to forming Λ = WH, the weights, then AHᵀ / WᵀA with the JS
 * or WASM kernel (tested). `S` (Λ block, weights A written over it) and `Bs` (β = 0 only) are
 * scratch of at least `fusedScratch(F, N)` doubles (one block). Returns false, doing nothing,
 * unless all operands live in one workspace. With `objective`, objective[0] = Σ d(V|Λ) for the Λ
 * at entry (β = 1: KL, β = 0: IS; NaN where some λ ≤ 0: see `muObjective` in assembly/gemm.ts).
 */
export function muFusedWasm(
  code: 0 | 1, side: 0 | 1, F: number, N: number, K: number,
  V: Matrix, W: Matrix, H: Matrix, num: Matrix, den: Matrix, S: Matrix, Bs: Matrix | undefined,
  delta: number, objective?: Float64Array,
): boolean {
  // No rest-argument array (commonWorkspace): this runs twice per MU iteration.
  const buf = V.data.buffer;
  const ws = owners.get(buf as ArrayBuffer);
  const same = W.data.buffer === buf && H.data.buffer === buf && num.data.buffer === buf && S.data.buffer === buf &&
    (code === 1 || (den.data.buffer === buf && Bs !== undefined && Bs.data.buffer === buf));
  const need = fusedScratch(F, N);
  if (!ws || !same || F === 0 || N === 0 || K === 0 || S.data.length < need || (code === 0 && Bs!.data.length < need)) return false;
  const x = ws.instance, e = x.exports, pa = x.packA, pb = x.packB;
  const v = V.data.byteOffset, w = W.data.byteOffset, h = H.data.byteOffset;
  const nu = num.data.byteOffset, de = den.data.byteOffset, sc = S.data.byteOffset;
  const bs = code === 0 ? Bs!.data.byteOffset : 0;
  // Σ d(V|Λ) of the Λ = WH this pass forms anyway, block by block in a fixed order (objective[0]).
  let obj = 0;
  const withObj = objective !== undefined;
  if (side === 0) {
    // R rows × Cn columns of Λ at a time; Cn is a multiple of KC = 256, so accumulating the
    // column chunks of num_b = A_b Hᵀ adds the same 256-long partial sums in the same order as
    // one product over all N (a few rows at a time over all N would repack H for every block).
    const { R, Cn } = fusedBlocks(F, N);
    for (let f0 = 0; f0 < F; f0 += R) {
      const r = Math.min(R, F - f0);
      for (let n0 = 0; n0 < N; n0 += Cn) {
        const c = Math.min(Cn, N - n0), acc = n0 > 0 ? 1 : 0;
        e.gemm(r, c, K, w + f0 * K * 8, K, 1, h + n0 * 8, N, 1, sc, c, 0, pa, pb);
        if (withObj) obj += e.muObjective(code, r, c, v + (f0 * N + n0) * 8, N, sc, c);
        e.muWeights(code, r, c, v + (f0 * N + n0) * 8, N, sc, c, sc, c, bs, c, delta);
        e.gemm(r, K, c, sc, c, 1, h + n0 * 8, 1, N, nu + f0 * K * 8, K, acc, pa, pb);
        if (code === 0) e.gemm(r, K, c, bs, c, 1, h + n0 * 8, 1, N, de + f0 * K * 8, K, acc, pa, pb);
      }
    }
  } else {
    const { C } = fusedBlocks(F, N);
    for (let c0 = 0; c0 < N; c0 += C) {
      const c = Math.min(C, N - c0);
      e.gemm(F, c, K, w, K, 1, h + c0 * 8, N, 1, sc, c, 0, pa, pb);
      if (withObj) obj += e.muObjective(code, F, c, v + c0 * 8, N, sc, c);
      e.muWeights(code, F, c, v + c0 * 8, N, sc, c, sc, c, bs, c, delta);
      e.gemm(K, c, F, w, 1, K, sc, c, 1, nu + c0 * 8, N, 0, pa, pb);
      if (code === 0) e.gemm(K, c, F, w, 1, K, bs, c, 1, de + c0 * 8, N, 0, pa, pb);
    }
  }
  if (withObj) objective[0] = obj;
  return true;
}
