import { NmflabError } from '@nmflab/core';
import { safeDb } from './common.js';

/**
 * Scale-invariant SDR of estimate ŝ against reference s: α = ⟨ŝ,s⟩/‖s‖²,
 * SI-SDR = 10 log10(‖αs‖² / ‖αs − ŝ‖²) (capped as the other ratios; no mean removal).
 */
export function siSdr(reference: Float64Array, estimate: Float64Array): number {
  let ss = 0,
    se = 0;
  for (let t = 0; t < reference.length; t++) {
    ss += reference[t] * reference[t];
    se += reference[t] * estimate[t];
  }
  if (!(ss > 0))
    throw new NmflabError('si-sdr: the reference is silent', {
      expected: 'a non-silent reference',
      found: 'zero energy',
    });
  const alpha = se / ss;
  let num = 0,
    den = 0;
  for (let t = 0; t < reference.length; t++) {
    const target = alpha * reference[t];
    const err = target - estimate[t];
    num += target * target;
    den += err * err;
  }
  return safeDb(num, den);
}
