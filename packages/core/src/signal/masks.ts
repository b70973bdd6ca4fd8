import { NmflabError } from '../errors.js';
import { ComplexMatrix, Matrix } from '../linalg/matrix.js';
import type { Rng } from '../rng.js';
import type { Stft } from './stft.js';

/**
 * Time–frequency masks and resynthesis.
 *
 * Generalized (α-)Wiener masks from non-negative component models Λ_k (F×N each, e.g. the
 * rank-one or per-source parts W_k H_k of a fit):  M_k = Λ_k^α / Σ_j Λ_j^α.
 * α = 1 on power models is the Wiener filter (the posterior mean under IS-NMF's Gaussian model),
 * α = 2 on magnitude models is the same filter; larger α sharpens towards the binary mask.
 * Where every model is 0 the ratio is 0/0: each component gets an equal share 1/K, so the masks
 * always sum to one and the separated signals add up to the mixture (ISTFT is linear).
 */
export function wienerMasks(models: readonly Matrix[], alpha = 1): Matrix[] {
  checkModels(models);
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new NmflabError('invalid Wiener exponent', {
      path: 'alpha',
      expected: 'a positive finite number',
      found: String(alpha),
    });
  }
  const K = models.length;
  const size = models[0].data.length;
  const masks = models.map((m) => new Matrix(m.rows, m.cols));
  const share = 1 / K;
  for (let i = 0; i < size; i++) {
    // Divide by the largest model first so Λ^α neither overflows nor underflows.
    let max = 0;
    for (let k = 0; k < K; k++) max = Math.max(max, models[k].data[i]);
    if (max === 0) {
      for (let k = 0; k < K; k++) masks[k].data[i] = share;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const r = models[k].data[i] / max;
      const p = alpha === 1 ? r : alpha === 2 ? r * r : Math.pow(r, alpha);
      masks[k].data[i] = p;
      sum += p; // ≥ 1: the largest term is 1
    }
    for (let k = 0; k < K; k++) masks[k].data[i] /= sum;
  }
  return masks;
}

/** Binary masks: 1 for the component with the largest model in each bin (first on ties), else 0. */
export function binaryMasks(models: readonly Matrix[]): Matrix[] {
  checkModels(models);
  const K = models.length;
  const masks = models.map((m) => new Matrix(m.rows, m.cols));
  const size = models[0].data.length;
  for (let i = 0; i < size; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (models[k].data[i] > models[best].data[i]) best = k;
    masks[best].data[i] = 1;
  }
  return masks;
}

/** M ⊙ Y (the mixture's phase is kept). */
export function applyMask(Y: ComplexMatrix, mask: Matrix): ComplexMatrix {
  if (mask.rows !== Y.rows || mask.cols !== Y.cols) {
    throw new NmflabError('mask does not match the spectrogram', {
      expected: `${Y.rows}×${Y.cols}`,
      found: `${mask.rows}×${mask.cols}`,
    });
  }
  const out = new ComplexMatrix(Y.rows, Y.cols);
  for (let i = 0; i < mask.data.length; i++) {
    out.re[i] = mask.data[i] * Y.re[i];
    out.im[i] = mask.data[i] * Y.im[i];
  }
  return out;
}

/** Each component's waveform: ISTFT(M_k ⊙ Y) with the mixture phase, `length` samples. */
export function resynthesize(Y: ComplexMatrix, masks: readonly Matrix[], stft: Stft, length?: number): Float64Array[] {
  return masks.map((m) => stft.synthesize(applyMask(Y, m), length));
}

function checkModels(models: readonly Matrix[]): void {
  if (models.length === 0)
    throw new NmflabError('no component models to build masks from', { expected: 'at least one F×N model' });
  const { rows, cols } = models[0];
  models.forEach((m, k) => {
    if (m.rows !== rows || m.cols !== cols) {
      throw new NmflabError('component models differ in shape', {
        path: `component ${k}`,
        expected: `${rows}×${cols}`,
        found: `${m.rows}×${m.cols}`,
      });
    }
    for (let i = 0; i < m.data.length; i++) {
      const v = m.data[i];
      if (!(v >= 0) || v === Infinity) {
        throw new NmflabError('component model is not a finite non-negative matrix', {
          path: `component ${k}, entry (${Math.floor(i / cols)}, ${i % cols})`,
          expected: 'finite values ≥ 0',
          found: String(v),
        });
      }
    }
  });
}

export interface GriffinLimOptions {
  /** Number of iterations (default 32). */
  iterations?: number;
  /** Initial phase: all zero (default) or uniform random from `rng`. */
  initialPhase?: 'zero' | 'random';
  /** Required for `initialPhase: 'random'`. */
  rng?: Rng;
  /** Output length in samples (default: what the frames cover). */
  length?: number;
}

export interface GriffinLimResult {
  samples: Float64Array;
  /** The consistent STFT of `samples`. */
  spectrum: ComplexMatrix;
  /** Spectral convergence ‖ |STFT(x_i)| − S ‖_F / ‖S‖_F after each iteration i = 1…iterations. */
  convergence: number[];
}

/**
 * Griffin & Lim (1984) phase reconstruction from a magnitude S (F×N): repeat
 * x ← ISTFT(S·e^{iφ}), φ ← ∠STFT(x). Each iteration cannot increase the distance between S·e^{iφ}
 * and the set of consistent STFTs; the spectral convergence is reported per iteration.
 */
export function griffinLim(S: Matrix, stft: Stft, options: GriffinLimOptions = {}): GriffinLimResult {
  const iterations = options.iterations ?? 32;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new NmflabError('invalid Griffin–Lim iteration count', {
      path: 'iterations',
      expected: 'an integer ≥ 1',
      found: String(iterations),
    });
  }
  if (S.rows !== stft.bins) {
    throw new NmflabError('magnitude does not match the STFT', {
      expected: `${stft.bins} frequency rows`,
      found: `${S.rows} rows`,
    });
  }
  const init = options.initialPhase ?? 'zero';
  if (init !== 'zero' && init !== 'random') {
    throw new NmflabError('invalid initial phase', {
      path: 'initialPhase',
      expected: 'zero or random',
      found: String(init),
    });
  }
  if (init === 'random' && !options.rng) {
    throw new NmflabError('random initial phase needs an Rng', { path: 'rng', expected: 'the seeded Rng of the run' });
  }
  const s = S.data;
  let norm = 0;
  for (let i = 0; i < s.length; i++) {
    if (!(s[i] >= 0) || s[i] === Infinity) {
      throw new NmflabError('magnitude is not finite and non-negative', {
        path: `entry ${i}`,
        expected: 'finite values ≥ 0',
        found: String(s[i]),
      });
    }
    norm += s[i] * s[i];
  }
  norm = Math.sqrt(norm) || 1;
  const X = new ComplexMatrix(S.rows, S.cols);
  for (let i = 0; i < s.length; i++) {
    const phi = init === 'random' ? 2 * Math.PI * options.rng!.uniform() : 0;
    X.re[i] = s[i] * Math.cos(phi);
    X.im[i] = s[i] * Math.sin(phi);
  }
  const length = options.length ?? stft.coveredLength(S.cols);
  const convergence: number[] = [];
  if (!Number.isInteger(length) || stft.frameCount(length) !== S.cols) {
    throw new NmflabError('length does not give back the same number of frames', {
      path: 'length',
      expected: `a length whose STFT has ${S.cols} frames`,
      found: `${length} samples (${Number.isInteger(length) ? stft.frameCount(length) : '?'} frames)`,
    });
  }
  // Work space reused by every iteration (no allocation inside the loop).
  const x = new Float64Array(length);
  const Y = new ComplexMatrix(S.rows, S.cols);
  for (let it = 0; it < iterations; it++) {
    stft.synthesize(X, length, x);
    stft.analyze(x, Y);
    let err = 0;
    for (let i = 0; i < s.length; i++) {
      const a = Math.hypot(Y.re[i], Y.im[i]);
      const d = a - s[i];
      err += d * d;
      // Keep the new phase, impose the target magnitude (phase 0 where |Y| = 0).
      if (a > 0) {
        X.re[i] = (s[i] * Y.re[i]) / a;
        X.im[i] = (s[i] * Y.im[i]) / a;
      } else {
        X.re[i] = s[i];
        X.im[i] = 0;
      }
    }
    convergence.push(Math.sqrt(err) / norm);
  }
  return { samples: x, spectrum: stft.analyze(x), convergence };
}
