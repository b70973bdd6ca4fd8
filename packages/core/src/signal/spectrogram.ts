import { NmflabError } from '../errors.js';
import { ComplexMatrix, type Matrix } from '../linalg/matrix.js';

/**
 * Spectrogram views of a complex STFT Y. The complex Y itself stays the input of phase-aware
 * methods (complex NMF, Wiener resynthesis with the mixture phase).
 */

/** |Y|. */
export function magnitudeSpectrogram(Y: ComplexMatrix): Matrix {
  return Y.abs();
}

/** |Y|². */
export function powerSpectrogram(Y: ComplexMatrix): Matrix {
  return Y.power();
}

export interface LogSpectrogramOptions {
  /** Powers below this are raised to it before the logarithm (default 1e-10, i.e. −100 dB). */
  floor?: number;
  /** Optionally also clip everything more than `topDb` below the maximum (as librosa's `top_db`). */
  topDb?: number;
}

/** 10·log₁₀(max(|Y|², floor)) in dB, optionally clipped to at most `topDb` below the maximum. */
export function logSpectrogram(Y: ComplexMatrix | Matrix, options: LogSpectrogramOptions = {}): Matrix {
  const floor = options.floor ?? 1e-10;
  if (!(floor > 0) || !Number.isFinite(floor)) {
    throw new NmflabError('invalid dB floor', { path: 'floor', expected: 'a positive power', found: String(floor) });
  }
  if (options.topDb !== undefined && !(options.topDb >= 0)) {
    throw new NmflabError('invalid dB range', {
      path: 'topDb',
      expected: 'a number ≥ 0',
      found: String(options.topDb),
    });
  }
  // A real matrix is taken as a power spectrogram already.
  const P = Y instanceof ComplexMatrix ? Y.power() : Y.clone();
  const d = P.data;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    d[i] = 10 * Math.log10(Math.max(d[i], floor));
    if (d[i] > max) max = d[i];
  }
  if (options.topDb !== undefined) {
    const lo = max - options.topDb;
    for (let i = 0; i < d.length; i++) if (d[i] < lo) d[i] = lo;
  }
  return P;
}
