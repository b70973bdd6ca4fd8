/**
 * BSS Eval (Vincent, Gribonval & Févotte 2006), mono signals.
 *
 * For an estimate ŝ and references s_1..s_n, let P_j project onto the span of the delayed copies
 * {s_j(t−τ), τ = 0..L−1} and P_S onto the span of all of them (L = 512 taps, the distortion
 * filter). With ŝ and s_j zero-padded by L−1 samples:
 *
 *   s_true = s_j,  e_spat = P_j ŝ − s_true,  e_interf = P_S ŝ − P_j ŝ,  e_artif = ŝ − P_S ŝ.
 *
 * The projections are least-squares fits G c = D, where G is the block-Toeplitz Gram matrix of
 * the delayed references and D the correlations of ŝ with them, both read off FFT
 * cross-correlations (one FFT size for the whole signal). G does not depend on the estimate, so it
 * is built and Cholesky-factored once per call (mir_eval rebuilds it for every pair and solves by
 * LU; the solution is the same). If G is not numerically positive definite the solve falls back to
 * a rank-revealing (pivoted) Cholesky, i.e. a least-squares solution, as mir_eval falls back to
 * lstsq.
 *
 * Ratios in dB are capped at ±{@link BSS_DB_CAP}: a perfect estimate, whose error energy is zero
 * or at rounding level, gets +300 dB instead of +Infinity (mir_eval returns Infinity only for an
 * exactly zero denominator, else the rounding-level ratio, typically 250–320 dB).
 */

/** The cap of every BSS Eval ratio in dB (an energy ratio of 10^30, beyond float64 resolution). */
export const BSS_DB_CAP = 300;

/** Default length of the distortion filters (taps), as in mir_eval and museval. */
export const BSS_FILTER_LENGTH = 512;

/** Largest source count for the exhaustive permutation search (n! candidates). */
export const BSS_MAX_PERMUTED_SOURCES = 8;

export interface BssSourcesResult {
  /** Per reference j: SDR/SIR/SAR of the estimate matched to it. */
  sdr: number[];
  sir: number[];
  sar: number[];
  /** perm[j] = index of the estimate matched to reference j. */
  perm: number[];
}

export interface BssImagesResult extends BssSourcesResult {
  isr: number[];
  /** Per reference j, per frame (NaN where a reference or estimate is silent in the frame). */
  frames: { sdr: number[][]; isr: number[][]; sir: number[][]; sar: number[][] };
}

/** 10 log10(num/den), capped at ±BSS_DB_CAP (a zero denominator gives +cap). */
export function safeDb(num: number, den: number): number {
  if (!(den > 0)) return num > 0 ? BSS_DB_CAP : Number.NaN;
  if (!(num > 0)) return -BSS_DB_CAP;
  const v = 10 * Math.log10(num / den);
  return Math.max(-BSS_DB_CAP, Math.min(BSS_DB_CAP, v));
}
