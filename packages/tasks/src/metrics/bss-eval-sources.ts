import { NmflabError } from '@nmflab/core';
import { definePlugin, type MetricInput } from '@nmflab/core';
import { BSS_FILTER_LENGTH, bssEvalSources } from '../evaluation/bss-eval/index.js';

/** The references and estimates of a metric input, or a clear error naming what is missing. */
export function signalsOf(
  input: MetricInput,
  what: string,
  path: string,
): { references: Float64Array[]; estimates: Float64Array[] } {
  const { references, estimates } = input;
  for (const [name, v] of [
    ['references', references],
    ['estimates', estimates],
  ] as const) {
    if (!Array.isArray(v) || v.length === 0) {
      throw new NmflabError(`${what} needs ${name} (the task must return signals)`, {
        path,
        expected: `a list of ${name === 'references' ? 'reference' : 'estimated'} signals`,
        found: v === undefined ? 'nothing' : `${Array.isArray(v) ? 'an empty list' : typeof v}`,
      });
    }
  }
  return { references: references!, estimates: estimates! };
}

/**
 * BSS Eval v3 `bss_eval_sources` (Vincent, Gribonval & Févotte 2006), mir_eval 0.7 parity:
 * ŝ = s_target + e_interf + e_artif with s_target = P_{s_j} ŝ (512-tap distortion filter),
 * SDR = 10 log10(‖s_target‖²/‖e_interf + e_artif‖²), SIR = 10 log10(‖s_target‖²/‖e_interf‖²),
 * SAR = 10 log10(‖s_target + e_interf‖²/‖e_artif‖²); scale-invariant in each estimate.
 * Values are per reference, after the matching with the best mean SIR (`perm[j]` = estimate
 * index for reference j); ratios are capped at ±300 dB.
 */
export default definePlugin<'metric', { permutation: boolean; filterLength: number }>({
  meta: {
    kind: 'metric',
    id: 'bss-eval-sources',
    description: 'BSS Eval v3 SDR/SIR/SAR per source with the best permutation (mir_eval bss_eval_sources parity)',
    params: {
      permutation: {
        type: 'boolean',
        default: true,
        description: 'match estimates to references by the best mean SIR over all permutations',
      },
      filterLength: {
        type: 'integer',
        minimum: 1,
        maximum: 4096,
        default: BSS_FILTER_LENGTH,
        description: 'taps of the allowed distortion filter (512 in BSS Eval)',
      },
    },
  },
  create: (params, ctx) => ({
    id: 'bss-eval-sources',
    compute(input) {
      const { references, estimates } = signalsOf(input, 'bss-eval-sources', ctx.path);
      const r = bssEvalSources(references, estimates, {
        permutation: params.permutation,
        filterLength: params.filterLength,
        what: 'bss-eval-sources',
        path: ctx.path,
        file: ctx.file,
      });
      return { sdr: r.sdr, sir: r.sir, sar: r.sar, perm: r.perm };
    },
  }),
});
