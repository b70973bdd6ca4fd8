import { NmflabError } from '@nmflab/core';
import { BSS_FILTER_LENGTH, type BssSourcesResult, safeDb } from './common.js';
import { DelayedReferences } from './projection.js';
import { type BssInputWhere, validateBssInput } from './validate.js';
import { bestPermutation } from './permutation.js';

/**
 * The references' Gram matrix and its factorizations, to share between evaluations against the
 * same references (e.g. a separation, its oracle and its mixture baseline): pass it as
 * `prepared`. It must be built from the same arrays and filter length.
 */
export function prepareReferences(references: Float64Array[], filterLength = BSS_FILTER_LENGTH): DelayedReferences {
  validateBssInput(references, references, { what: 'bss eval references' });
  return new DelayedReferences(references, filterLength);
}

export function referencesFor(
  references: Float64Array[],
  filterLength: number,
  prepared: DelayedReferences | undefined,
): DelayedReferences {
  if (!prepared) return new DelayedReferences(references, filterLength);
  if (
    prepared.L !== filterLength ||
    prepared.refs.length !== references.length ||
    prepared.refs.some((r, i) => r !== references[i])
  ) {
    throw new NmflabError('bss eval: prepared references do not match the references given', {
      expected: `the same ${references.length} reference arrays and filter length ${filterLength}`,
      found: `${prepared.refs.length} arrays, filter length ${prepared.L}`,
    });
  }
  return prepared;
}

export interface BssSourcesOptions extends BssInputWhere {
  /** From {@link prepareReferences}, to reuse the Gram matrix of these references. */
  prepared?: DelayedReferences;
  /** Try every estimate/reference matching and keep the best mean SIR (default true). */
  permutation?: boolean;
  filterLength?: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Below this fraction of ‖ŝ‖², an error energy computed from Gram quantities is dominated by
 * cancellation (rounding ~1e-16 relative), so that pair is recomputed in the time domain.
 */
const GRAM_CANCELLATION = 1e-8;

/** What one estimate shares across references: its correlations, filters on all, P_S ŝ energies. */
interface EstimateTerms {
  est: Float64Array;
  D: Float64Array;
  c: Float64Array;
  Gc: Float64Array;
  energy: number;
  psps: number;
  estps: number;
  ps?: Float64Array;
}

function estimateTerms(refs: DelayedReferences, est: Float64Array): EstimateTerms {
  const D = refs.correlations(est);
  const c = refs.filtersAll(D);
  const Gc = refs.gramTimes(c);
  return { est, D, c, Gc, energy: dot(est, est), psps: dot(c, Gc), estps: dot(c, D) };
}

/**
 * SDR/SIR/SAR of an estimate against reference j. With s_filt = P_j ŝ (filters c_j) and
 * P_S ŝ (filters c), every energy is a quadratic form in the Gram matrix G:
 * ‖P_j ŝ‖² = c_jᵀG_jj c_j, ⟨P_S ŝ, P_j ŝ⟩ = (Gc)_jᵀ c_j, ⟨ŝ, P_j ŝ⟩ = D_jᵀ c_j, ‖P_S ŝ‖² = cᵀGc;
 * e.g. ‖e_artif‖² = ‖ŝ‖² − 2Dᵀc + cᵀGc. When an error energy is at rounding level the pair is
 * recomputed from the time-domain components as mir_eval does (`_bss_decomp_mtifilt`).
 */
function sourceCriteria(refs: DelayedReferences, T: EstimateTerms, j: number): [number, number, number] {
  const { L } = refs;
  const cj = refs.filtersSingle(T.D, j);
  const Gcj = refs.gramTimes(cj, j);
  const pjpj = dot(cj, Gcj);
  const pspj = dot(T.Gc.subarray(j * L, (j + 1) * L), cj);
  const estpj = dot(T.D.subarray(j * L, (j + 1) * L), cj);
  const eI = T.psps - 2 * pspj + pjpj;
  const eIA = T.energy - 2 * estpj + pjpj;
  const eA = T.energy - 2 * T.estps + T.psps;
  const floor = GRAM_CANCELLATION * T.energy;
  if (eI > floor && eIA > floor && eA > floor) return [safeDb(pjpj, eIA), safeDb(pjpj, eI), safeDb(T.psps, eA)];
  return sourceCriteriaTime(refs, T, cj, j);
}

function sourceCriteriaTime(
  refs: DelayedReferences,
  T: EstimateTerms,
  cj: Float64Array,
  j: number,
): [number, number, number] {
  const { L, nsampl } = refs;
  const ps = (T.ps ??= refs.project(
    T.c,
    Array.from({ length: refs.n }, (_, i) => i),
  ));
  const pj = refs.project(cj, [j]);
  const s = refs.refs[j];
  const est = T.est;
  const M = nsampl + L - 1;
  let eFilt = 0,
    eIA = 0,
    eI = 0,
    eFI = 0,
    eA = 0;
  for (let t = 0; t < M; t++) {
    const sTrue = t < nsampl ? s[t] : 0;
    const e = t < nsampl ? est[t] : 0;
    const eSpat = pj[t] - sTrue;
    const eInterf = ps[t] - sTrue - eSpat;
    const eArtif = e - sTrue - eSpat - eInterf;
    const sFilt = sTrue + eSpat;
    eFilt += sFilt * sFilt;
    eIA += (eInterf + eArtif) * (eInterf + eArtif);
    eI += eInterf * eInterf;
    eFI += (sFilt + eInterf) * (sFilt + eInterf);
    eA += eArtif * eArtif;
  }
  return [safeDb(eFilt, eIA), safeDb(eFilt, eI), safeDb(eFI, eA)];
}

/**
 * BSS Eval v3 `bss_eval_sources` (mir_eval 0.7 parity): per reference, SDR, SIR and SAR of its
 * matched estimate, and the matching `perm` (perm[j] = estimate index for reference j) with the
 * best mean SIR. Throws an NmflabError for silent, non-finite or mismatched signals.
 */
export function bssEvalSources(
  references: Float64Array[],
  estimates: Float64Array[],
  opts: BssSourcesOptions = {},
): BssSourcesResult {
  const permute = opts.permutation ?? true;
  validateBssInput(references, estimates, opts, permute);
  const n = references.length;
  const refs = referencesFor(references, opts.filterLength ?? BSS_FILTER_LENGTH, opts.prepared);
  const all = Array.from({ length: n }, (_, i) => i);
  const nan = (): number[][] => Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN));
  const sdr = nan(),
    sir = nan(),
    sar = nan();
  for (let e = 0; e < n; e++) {
    const T = estimateTerms(refs, estimates[e]);
    for (let j = 0; j < n; j++) {
      if (!permute && j !== e) continue;
      [sdr[e][j], sir[e][j], sar[e][j]] = sourceCriteria(refs, T, j);
    }
  }
  const perm = permute ? bestPermutation(sir, n, opts) : all;
  return {
    sdr: perm.map((e, j) => sdr[e][j]),
    sir: perm.map((e, j) => sir[e][j]),
    sar: perm.map((e, j) => sar[e][j]),
    perm,
  };
}
