import { NmflabError } from '../errors.js';

/** Analysis/synthesis windows of the STFT. `sinebell` is an alias of `sine`. */
export const WINDOWS = ['hann', 'sine', 'sinebell', 'hamming', 'rect'] as const;
export type WindowName = (typeof WINDOWS)[number];

/**
 * A periodic ("DFT-even") window of length n, the form used for STFT analysis:
 * - hann:    w[t] = ½ − ½ cos(2πt/n)            (w[0] = 0)
 * - sine:    w[t] = sin(π(t + ½)/n)              (the "sinebell" of Févotte et al.; never 0)
 * - hamming: w[t] = 0.54 − 0.46 cos(2πt/n)
 * - rect:    w[t] = 1
 */
export function makeWindow(name: WindowName | string, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new NmflabError('invalid window length', { expected: 'a positive integer', found: String(n) });
  }
  const w = new Float64Array(n);
  switch (name) {
    case 'hann':
      for (let t = 0; t < n; t++) w[t] = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / n);
      break;
    case 'sine':
    case 'sinebell':
      for (let t = 0; t < n; t++) w[t] = Math.sin((Math.PI * (t + 0.5)) / n);
      break;
    case 'hamming':
      for (let t = 0; t < n; t++) w[t] = 0.54 - 0.46 * Math.cos((2 * Math.PI * t) / n);
      break;
    case 'rect':
      w.fill(1);
      break;
    default:
      throw new NmflabError('unknown window', {
        path: 'window',
        expected: `one of ${WINDOWS.join(', ')}`,
        found: JSON.stringify(name),
      });
  }
  return w;
}
