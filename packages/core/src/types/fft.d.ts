/** Types for fft.js 4 (radix-4 FFT on interleaved [re, im, re, im, …] arrays; size a power of 2 ≥ 4). */
declare module 'fft.js' {
  type NumArray = number[] | Float64Array | Float32Array;
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    toComplexArray(input: NumArray, storage?: NumArray): number[];
    fromComplexArray(complex: NumArray, storage?: NumArray): number[];
    completeSpectrum(spectrum: NumArray): void;
    /** Forward transform of complex `data` into `out`. */
    transform(out: NumArray, data: NumArray): void;
    /** Forward transform of real `data` (length size) into the left half of complex `out`. */
    realTransform(out: NumArray, data: NumArray): void;
    /** Inverse transform, scaled by 1/size. */
    inverseTransform(out: NumArray, data: NumArray): void;
  }
}
