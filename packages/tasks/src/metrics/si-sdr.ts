import { NmflabError } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { bssEvalSources, siSdr, validateBssInput } from '../evaluation/bss-eval/index.js';
import { signalsOf } from './bss-eval-sources.js';

/**
 * Scale-invariant SDR (Le Roux, Wisdom, Erdogan & Hershey 2019) of each reference j against the
 * estimate matched to it: α = ⟨ŝ,s⟩/‖s‖², SI-SDR = 10 log10(‖αs‖²/‖αs − ŝ‖²), in dB, capped at
 * ±300 dB; optionally with the means removed first (as many implementations do).
 * The matching (`order: bss-eval`, default) is BSS Eval's: the `perm` of a bss-eval-sources metric
 * listed before this one in the run, otherwise computed here the same way (best mean SIR over the
 * permutations), so that SI-SDR and SDR score the same pairs; `given` scores estimate j against
 * reference j as the task returned them.
 */
export default definePlugin<'metric', { zeroMean: boolean; order: 'bss-eval' | 'given' }>({
  meta: {
    kind: 'metric',
    id: 'si-sdr',
    description:
      'scale-invariant SDR per source (Le Roux et al. 2019), each reference against the estimate BSS Eval matches to it',
    params: {
      zeroMean: { type: 'boolean', default: false, description: 'remove each signal’s mean before scoring' },
      order: {
        type: 'string',
        enum: ['bss-eval', 'given'],
        default: 'bss-eval',
        description:
          'bss-eval: the estimate↔reference matching of BSS Eval (bss-eval-sources’ perm); given: estimate j against reference j',
      },
    },
  },
  create: (params, ctx) => ({
    id: 'si-sdr',
    compute(input) {
      const { references, estimates } = signalsOf(input, 'si-sdr', ctx.path);
      validateBssInput(references, estimates, { what: 'si-sdr', path: ctx.path, file: ctx.file });
      const n = references.length;
      let perm = references.map((_, j) => j);
      if (params.order === 'bss-eval' && n > 1) {
        const earlier = input.results?.perm;
        const valid =
          Array.isArray(earlier) && earlier.length === n && [...earlier].sort((a, b) => a - b).every((v, i) => v === i);
        perm = valid
          ? (earlier as number[])
          : bssEvalSources(references, estimates, { what: 'si-sdr', path: ctx.path, file: ctx.file }).perm;
      }
      const centre = (x: Float64Array): Float64Array => {
        if (!params.zeroMean) return x;
        let m = 0;
        for (let t = 0; t < x.length; t++) m += x[t];
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
          return siSdr(ref, centre(estimates[perm[j]]));
        }),
      };
    },
  }),
});
