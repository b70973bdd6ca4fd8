import { NmflabError, SpdSolver } from '@nmflab/core';
import { BSS_FILTER_LENGTH, safeDb } from './common.js';
import { DelayedReferences } from './projection.js';
import { bestPermutation } from './permutation.js';
import { type BssInputWhere, isSilent } from './validate.js';

/**
 * BSS Eval images of multichannel signals, as mir_eval 0.7's `bss_eval_images` (BSS Eval v3
 * images, one whole-signal frame). Each source j is an image of C channels s_j = (s_j1 … s_jC);
 * each channel ŝ_i of an estimate is projected onto the delayed copies (L taps) of every channel of
 * reference j (P_j) and of every channel of every reference (P_S), and with zero padding of L − 1:
 *
 *   s_true,i = s_ji,  e_spat,i = P_j ŝ_i − s_ji,  e_interf,i = P_S ŝ_i − P_j ŝ_i,  e_artif,i = ŝ_i − P_S ŝ_i,
 *
 * and the ratios sum energies over channels and samples: SDR = ‖s_true‖²/‖e_spat + e_interf + e_artif‖²,
 * ISR = ‖s_true‖²/‖e_spat‖², SIR = ‖s_true + e_spat‖²/‖e_interf‖², SAR = ‖s_true + e_spat + e_interf‖²/‖e_artif‖².
 * With permutation (mir_eval's default), every estimate/reference pair is scored and the matching
 * with the best mean SIR is kept.
 *
 * A reference channel that is a scalar multiple of another channel of the same source (or silent)
 * spans nothing new, so it is left out of the projections: the projected signals are the same and
 * the Gram matrix stays non-singular (mir_eval's `solve` then falls back to `lstsq` for the same
 * projection). The Gram matrix has (Σ_j C_j′·L)² entries for the C_j′ channels kept, so its cost
 * grows as the cube of channels × sources × L.
 */

export interface BssImagesMultichannelOptions extends BssInputWhere {
  /** Try every matching, best mean SIR (default true, as mir_eval's bss_eval_images). */
  permutation?: boolean;
  filterLength?: number;
}

export interface BssImagesMultichannelResult {
  /** Per reference j: the ratios of the estimate matched to it. */
  sdr: number[];
  isr: number[];
  sir: number[];
  sar: number[];
  /** perm[j] = index of the estimate matched to reference j. */
  perm: number[];
}

/** True when y = α·x for some α (to 1e-12 of y's largest sample). */
function isMultipleOf(y: Float64Array, x: Float64Array): boolean {
  let xy = 0,
    xx = 0,
    ymax = 0;
  for (let t = 0; t < x.length; t++) {
    xy += x[t] * y[t];
    xx += x[t] * x[t];
    ymax = Math.max(ymax, Math.abs(y[t]));
  }
  if (xx === 0) return false;
  const a = xy / xx;
  for (let t = 0; t < x.length; t++) if (Math.abs(y[t] - a * x[t]) > 1e-12 * ymax) return false;
  return true;
}

function validate(references: Float64Array[][], estimates: Float64Array[][], where: BssInputWhere): void {
  const what = where.what ?? 'bss eval images';
  const at = { file: where.file, path: where.path };
  if (references.length === 0)
    throw new NmflabError(`${what}: no reference signals`, {
      ...at,
      expected: 'at least one reference',
      found: 'none',
    });
  if (estimates.length !== references.length) {
    throw new NmflabError(`${what}: as many estimates as references are needed`, {
      ...at,
      expected: `${references.length} estimate(s)`,
      found: `${estimates.length}`,
    });
  }
  const C = references[0].length;
  const len = references[0][0]?.length ?? 0;
  if (C === 0)
    throw new NmflabError(`${what}: reference 1 has no channels`, {
      ...at,
      expected: 'at least one channel',
      found: '0',
    });
  if (len === 0)
    throw new NmflabError(`${what}: empty signals`, { ...at, expected: 'at least one sample', found: '0 samples' });
  for (const [kind, list] of [
    ['reference', references],
    ['estimate', estimates],
  ] as const) {
    list.forEach((chans, i) => {
      if (chans.length !== C)
        throw new NmflabError(`${what}: ${kind} ${i + 1} has a different channel count`, {
          ...at,
          expected: `${C} channels (as reference 1)`,
          found: `${chans.length}`,
        });
      chans.forEach((x, c) => {
        if (x.length !== len)
          throw new NmflabError(`${what}: ${kind} ${i + 1}, channel ${c + 1} has a different length`, {
            ...at,
            expected: `${len} samples`,
            found: `${x.length}`,
          });
        for (let t = 0; t < len; t++) {
          if (!Number.isFinite(x[t]))
            throw new NmflabError(`${what}: ${kind} ${i + 1}, channel ${c + 1} has a non-finite sample`, {
              ...at,
              expected: 'finite samples',
              found: `${x[t]} at sample ${t}`,
            });
        }
      });
      // mir_eval: a source is silent when every channel of it is zero.
      if (chans.every((x) => isSilent(x))) {
        throw new NmflabError(
          `${what}: ${kind} ${i + 1} is silent (all zeros); BSS Eval is undefined for silent sources`,
          { ...at, expected: 'a non-silent signal', found: 'all-zero samples in every channel' },
        );
      }
    });
  }
}

/** BSS Eval v3 images of multichannel sources (see the module comment): references[j][c], estimates[e][c]. */
export function bssEvalImagesMultichannel(
  references: Float64Array[][],
  estimates: Float64Array[][],
  opts: BssImagesMultichannelOptions = {},
): BssImagesMultichannelResult {
  validate(references, estimates, opts);
  const n = references.length,
    C = references[0].length,
    L = opts.filterLength ?? BSS_FILTER_LENGTH;
  const nsampl = references[0][0].length,
    M = nsampl + L - 1;
  // The channels that span each reference's delayed copies, source-major.
  const flat: Float64Array[] = [];
  const blocks: { offset: number; count: number }[] = [];
  for (const chans of references) {
    const kept: Float64Array[] = [];
    for (const x of chans) if (!isSilent(x) && !kept.some((k) => isMultipleOf(x, k))) kept.push(x);
    blocks.push({ offset: flat.length, count: kept.length });
    flat.push(...kept);
  }
  const refs = new DelayedReferences(flat, L);
  const G = refs.gram,
    nL = flat.length * L;
  const solverAll = new SpdSolver(G, nL);
  const solvers = blocks.map(({ offset, count }) => {
    const m = count * L;
    const B = new Float64Array(m * m);
    for (let a = 0; a < m; a++)
      B.set(G.subarray((offset * L + a) * nL + offset * L, (offset * L + a) * nL + offset * L + m), a * m);
    return new SpdSolver(B, m);
  });
  const allIdx = flat.map((_, k) => k);
  const blockIdx = blocks.map(({ offset, count }) => Array.from({ length: count }, (_, k) => offset + k));
  const permute = opts.permutation ?? true;
  const mk = () => Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
  const R = { sdr: mk(), isr: mk(), sir: mk(), sar: mk() };
  for (let e = 0; e < n; e++) {
    const js = permute ? [...Array(n).keys()] : [e];
    // Energies per reference j, summed over channels.
    const acc = js.map(() => ({ eTrue: 0, eErr: 0, eSpat: 0, eTS: 0, eI: 0, eTSI: 0, eA: 0 }));
    for (let i = 0; i < C; i++) {
      const est = estimates[e][i];
      const D = refs.correlations(est);
      const ps = refs.project(solverAll.solve(D), allIdx);
      js.forEach((j, q) => {
        const { offset, count } = blocks[j];
        const pj = refs.project(solvers[j].solve(D.subarray(offset * L, (offset + count) * L)), blockIdx[j]);
        const s = references[j][i];
        const a = acc[q];
        for (let k = 0; k < M; k++) {
          const sTrue = k < nsampl ? s[k] : 0;
          const x = k < nsampl ? est[k] : 0;
          const eSpat = pj[k] - sTrue;
          const eInterf = ps[k] - pj[k];
          const eArtif = x - ps[k];
          const err = eSpat + eInterf + eArtif;
          a.eTrue += sTrue * sTrue;
          a.eErr += err * err;
          a.eSpat += eSpat * eSpat;
          a.eTS += (sTrue + eSpat) * (sTrue + eSpat);
          a.eI += eInterf * eInterf;
          a.eTSI += (sTrue + eSpat + eInterf) * (sTrue + eSpat + eInterf);
          a.eA += eArtif * eArtif;
        }
      });
    }
    js.forEach((j, q) => {
      const a = acc[q];
      R.sdr[e][j] = safeDb(a.eTrue, a.eErr);
      R.isr[e][j] = safeDb(a.eTrue, a.eSpat);
      R.sir[e][j] = safeDb(a.eTS, a.eI);
      R.sar[e][j] = safeDb(a.eTSI, a.eA);
    });
  }
  const perm = permute ? bestPermutation(R.sir, n, opts) : [...Array(n).keys()];
  const pick = (X: number[][]) => perm.map((e, j) => X[e][j]);
  return { sdr: pick(R.sdr), isr: pick(R.isr), sir: pick(R.sir), sar: pick(R.sar), perm };
}
