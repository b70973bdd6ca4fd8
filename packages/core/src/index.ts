export * from './errors.js';
export * from './linalg/matrix.js';
export * from './linalg/kernels.js';
export * from './linalg/reductions.js';
export * from './linalg/spd.js';
export {
  nativeAvailable,
  nativeThreads,
  setNativeThreads,
  gemmNative,
  type NativeMuKernels,
} from './linalg/backends/native.js';
export { WasmWorkspace, wasmAvailable, gemmWasmStaged, gemmWasmInPlace, muFusedWasm } from './linalg/backends/wasm.js';
export { selectKernels, type KernelBackend, type KernelBackendName, type MuKernels } from './linalg/kernel-backend.js';
export * from './rng.js';
export * from './special.js';
export * from './plugin/params.js';
export * from './plugin/plugin.js';
export * from './plugin/registry.js';
export * from './plugin/docs.js';
export * from './plugin/fit.js';
export * from './plugin/mm-step.js';
export * from './io.js';
export * from './config/index.js';
export * from './runner/index.js';
export * from './signal/index.js';
export * from './plugin/services.js';
export * from './stats.js';
