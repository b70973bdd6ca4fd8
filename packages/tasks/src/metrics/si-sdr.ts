import { NmflabError } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { siSdr, validateBssInput } from '../evaluation/bss-eval/index.js';
import { signalsOf } from './bss-eval-sources.js';

/**
 * Scale-invariant SDR (Le Roux, Wisdom, Erdogan & Hershey 2019), estimate j against reference j:
 * α = ⟨ŝ,s⟩/‖s‖², SI-SDR = 10 log10(‖αs‖²/‖αs − ŝ‖²), in dB, capped at ±300 dB.
 * Optionally with the means removed first (as many implementations do).
 */
export default definePlugin<'metric', { zeroMean: boolean }>({
  meta: {
    kind: 'metric',
    id: 'si-sdr',
    description: 'scale-invariant SDR per source (Le Roux et al. 2019), estimate j against reference j',
    params: {
      zeroMean: { type: 'boolean', default: false, description: 'remove each signal’s mean before scoring' },
    },
  },
  create: (params, ctx) => ({
    id: 'si-sdr',
    compute(input) {
      const { references, estimates } = signalsOf(input, 'si-sdr', ctx.path);
      validateBssInput(references, estimates, { what: 'si-sdr', path: ctx.path, file: ctx.file });
      const centre = (x: Float64Array): Float64Array => {
        if (!params.zeroMean) return x;
        let m = 0;
        for (let t = 0; t < x.length; t++) m += x[t]!;
        m /= x.length;
        return x.map((v) => v - m);
      };
      return {
        sisdr: references.map((r, j) => {
          const ref = centre(r);
          if (ref.every((v) => v === 0)) {
            throw new NmflabError(`si-sdr: reference ${j + 1} is constant, nothing is left once its mean is removed`, {
              path: ctx.path,
              file: ctx.file,
              expected: 'a non-constant reference (or zeroMean: false)',
              found: `a constant signal (${r[0]})`,
            });
          }
          return siSdr(ref, centre(estimates[j]!));
        }),
      };
    },
  }),
});
