// Types for fft.js 4.x (radix-4 FFT by Fedor Indutny; the package ships no declarations).
declare module 'fft.js' {
  /** An FFT of one fixed size, which must be a power of two greater than 1. */
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    /** A zeroed interleaved complex array [re0, im0, re1, im1, ...] of 2·size numbers. */
    createComplexArray(): number[];
    /** Interleaved complex → array of real parts (storage optional). */
    fromComplexArray(complex: ArrayLike<number>, storage?: number[]): number[];
    /** Real array → interleaved complex with zero imaginary parts. */
    toComplexArray(input: ArrayLike<number>, storage?: number[]): number[];
    /** Fill the upper half of a realTransform output by Hermitian symmetry. */
    completeSpectrum(spectrum: number[] | Float64Array): void;
    /** Forward complex DFT, X[k] = Σ x[t] e^{-2πi kt/size}; out and data must differ. */
    transform(out: number[] | Float64Array, data: ArrayLike<number>): void;
    /** Forward DFT of a real input; fills bins 0..size/2 of the interleaved output. */
    realTransform(out: number[] | Float64Array, data: ArrayLike<number>): void;
    /** Inverse complex DFT, divided by size. */
    inverseTransform(out: number[] | Float64Array, data: ArrayLike<number>): void;
  }
}
