import { convolve } from '@nmflab/core';
import { BSS_FILTER_LENGTH, type BssImagesResult, safeDb } from './common.js';
import type { DelayedReferences } from './projection.js';
import { type BssInputWhere, isSilent, validateBssInput } from './validate.js';
import { bestPermutation } from './permutation.js';
import { prepareReferences, referencesFor } from './sources.js';

export interface BssImagesOptions extends BssInputWhere {
  /** From {@link prepareReferences}, to reuse the Gram matrix of these references. */
  prepared?: DelayedReferences;
  /** Frame length in samples; ≥ signal length (or Infinity) = one frame on the whole signal. */
  window: number;
  /** Hop between frames in samples. */
  hop: number;
  /** Try every matching, best mean SIR (museval default false). */
  permutation?: boolean;
  filterLength?: number;
}

/** Median ignoring NaN (numpy nanmedian); NaN when every value is NaN. */
export function nanMedian(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Frames as museval's `Framing`: nwin = ⌊(len − win + hop)/hop⌋ when win < len, else 1. */
export function frames(length: number, window: number, hop: number): [number, number][] {
  if (!(window < length)) return [[0, length]];
  const nwin = Math.floor((length - window + hop) / hop);
  const out: [number, number][] = [];
  for (let t = 0; t < nwin; t++) out.push([t * hop, Math.min(t * hop + window, length)]);
  return out;
}

/**
 * BSS Eval v4 images, framewise, as museval `bss_eval` with its defaults: the distortion filters
 * are computed once on the whole signals and applied to each frame of the references; frames
 * where any reference or estimate is silent give NaN; per source, the frame values are aggregated
 * by their median ignoring NaN. Not scale-invariant: est = 3·ref gives SDR = −6.02 dB.
 */
export function bssEvalImages(
  references: Float64Array[],
  estimates: Float64Array[],
  opts: BssImagesOptions,
): BssImagesResult {
  const permute = opts.permutation ?? false;
  validateBssInput(references, estimates, opts, permute);
  const n = references.length;
  const refs = referencesFor(references, opts.filterLength ?? BSS_FILTER_LENGTH, opts.prepared);
  const L = refs.L;
  const all = Array.from({ length: n }, (_, i) => i);
  // filters on the whole signals: C[e] (all references) and Cj[e][j] (reference j alone)
  const C: Float64Array[] = [];
  const Cj: (Float64Array | undefined)[][] = [];
  for (let e = 0; e < n; e++) {
    const D = refs.correlations(estimates[e]);
    C.push(refs.filtersAll(D));
    Cj.push(all.map((j) => (permute || j === e ? refs.filtersSingle(D, j) : undefined)));
  }
  const fr = frames(refs.nsampl, opts.window, opts.hop);
  const nw = fr.length;
  // s_r[m][e][j][t]
  const mk = (): number[][][] => all.map(() => all.map(() => new Array<number>(nw).fill(Number.NaN)));
  const R = { sdr: mk(), isr: mk(), sir: mk(), sar: mk() };
  fr.forEach(([a, b], t) => {
    const silent = [...references, ...estimates].some((x) => isSilent(x, a, b));
    if (silent) return;
    const len = b - a;
    const M = len + L - 1;
    const segs = references.map((r) => r.subarray(a, b));
    // projections of the frame's references: per source, its own filtered copy with each filter
    for (let e = 0; e < n; e++) {
      const est = estimates[e].subarray(a, b);
      // P_S ŝ on this frame: Σ_i C[e]_i ∗ s_i(frame)
      const ps = new Float64Array(M);
      for (let i = 0; i < n; i++) {
        const y = convolve(C[e].subarray(i * L, (i + 1) * L), segs[i], M);
        for (let k = 0; k < M; k++) ps[k] = ps[k] + y[k];
      }
      for (let j = 0; j < n; j++) {
        const cj = Cj[e][j];
        if (!cj) continue;
        const pj = convolve(cj, segs[j], M);
        const s = segs[j];
        let eTrue = 0,
          eErr = 0,
          eSpat2 = 0,
          eTS = 0,
          eI = 0,
          eTSI = 0,
          eA = 0;
        for (let k = 0; k < M; k++) {
          const sTrue = k < len ? s[k] : 0;
          const x = k < len ? est[k] : 0;
          const eSpat = pj[k] - sTrue;
          const eInterf = ps[k] - sTrue - eSpat;
          const eArtif = x - sTrue - eSpat - eInterf;
          const err = eSpat + eInterf + eArtif;
          eTrue += sTrue * sTrue;
          eErr += err * err;
          eSpat2 += eSpat * eSpat;
          eTS += (sTrue + eSpat) * (sTrue + eSpat);
          eI += eInterf * eInterf;
          eTSI += (sTrue + eSpat + eInterf) * (sTrue + eSpat + eInterf);
          eA += eArtif * eArtif;
        }
        R.sdr[e][j][t] = safeDb(eTrue, eErr);
        R.isr[e][j][t] = safeDb(eTrue, eSpat2);
        R.sir[e][j][t] = safeDb(eTS, eI);
        R.sar[e][j][t] = safeDb(eTSI, eA);
      }
    }
  });
  let perm = all;
  if (permute) {
    const meanSir = all.map((e) => all.map((j) => nanMean(R.sir[e][j])));
    perm = bestPermutation(meanSir, n, opts);
  }
  const pick = (X: number[][][]): number[][] => perm.map((e, j) => X[e][j]);
  const framesOut = { sdr: pick(R.sdr), isr: pick(R.isr), sir: pick(R.sir), sar: pick(R.sar) };
  return {
    sdr: framesOut.sdr.map(nanMedian),
    isr: framesOut.isr.map(nanMedian),
    sir: framesOut.sir.map(nanMedian),
    sar: framesOut.sar.map(nanMedian),
    perm,
    frames: framesOut,
  };
}

/** Mean ignoring NaN (NaN when all are NaN): the permutation score over frames. */
function nanMean(xs: readonly number[]): number {
  let s = 0,
    c = 0;
  for (const x of xs)
    if (!Number.isNaN(x)) {
      s += x;
      c++;
    }
  return c ? s / c : Number.NaN;
}
