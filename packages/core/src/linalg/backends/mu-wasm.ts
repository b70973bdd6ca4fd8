import type { Matrix } from '../matrix.js';
import { NmflabError } from '../../errors.js';
import { matmulNTOn, matmulOn, matmulTNOn, type MatmulBackend } from '../kernels.js';
import { WasmWorkspace, fusedScratch, muFusedWasm } from './wasm.js';
import type { KernelBackend, MuKernels } from '../kernel-backend.js';
import { allocatePlain, applyRatioJs, betaObjectiveJs, betaWeightsJs } from './mu-js.js';

/**
 * The `wasm` kernel backend: `MuKernels` (kernel-backend.ts) with the solver's matrices in one
 * WebAssembly memory, products in place by the WASM SIMD GEMM and the fused β = 1 / β = 0 passes
 * of `assembly/gemm.ts` (`muFusedWasm`); the element-wise passes outside them are the JS loops.
 * Bit-identical to the `js` backend (same summation order).
 */

/** One WasmWorkspace for all shapes; ordinary matrices when it does not fit in wasm32's 4 GiB. */
export function allocateWorkspace<N extends string>(shapes: Readonly<Record<N, readonly [number, number]>>): Record<N, Matrix> {
  try {
    return new WasmWorkspace(shapes).matrices as Record<N, Matrix>;
  } catch (e) {
    if (!(e instanceof NmflabError)) throw e;
    return allocatePlain(shapes);
  }
}

const fusedWasm: NonNullable<MuKernels['fused']> = (code, side, F, N, K, V, W, H, num, den, S, Bs, delta, objective) =>
  muFusedWasm(code, side, F, N, K, V, W, H, num, den, S, code === 0 ? Bs : undefined, delta, objective ?? undefined);

const cache = new Map<MatmulBackend, KernelBackend>();

/** The `wasm` backend with the product dispatch `products` (`wasm` or `auto`). */
export function wasmBackend(products: MatmulBackend): KernelBackend {
  let b = cache.get(products);
  if (!b) {
    const mu: MuKernels = {
      backend: 'wasm',
      matmul: (A, B, out) => matmulOn(products, A, B, out),
      matmulTN: (A, B, out) => matmulTNOn(products, A, B, out),
      matmulNT: (A, B, out) => matmulNTOn(products, A, B, out),
      allocate: allocateWorkspace,
      betaWeights: betaWeightsJs,
      objective: betaObjectiveJs,
      fusedScratch: fusedScratch,
      fused: fusedWasm,
      applyRatio: applyRatioJs,
    };
    b = { name: 'wasm', mu };
    cache.set(products, b);
  }
  return b;
}
