import { definePlugin } from '@nmflab/core';
import { BSS_FILTER_LENGTH, bssEvalImages } from '../evaluation/bss-eval/index.js';
import { signalsOf } from './bss-eval-sources.js';

/**
 * BSS Eval v4 images, framewise (museval `bss_eval` conventions): ŝ = s_true + e_spat + e_interf
 * + e_artif with filters computed once on the whole signals and applied per frame;
 * SDR = 10 log10(‖s‖²/‖e_spat + e_interf + e_artif‖²), ISR = 10 log10(‖s‖²/‖e_spat‖²),
 * SIR = 10 log10(‖s + e_spat‖²/‖e_interf‖²), SAR = 10 log10(‖s + e_spat + e_interf‖²/‖e_artif‖²).
 * Frames where any reference or estimate is silent are NaN; each source's value is the median
 * over its frames ignoring NaN (NaN if all frames are). Not scale-invariant (3·s gives −6.02 dB).
 */
export default definePlugin<'metric', { window: number; hop: number; permutation: boolean; filterLength: number }>({
  meta: {
    kind: 'metric',
    id: 'bss-eval-images',
    description: 'BSS Eval v4 framewise SDR/ISR/SIR/SAR, median over frames (museval conventions)',
    params: {
      window: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'frame length in samples; 0 = one second at the sample rate (museval evaluate())',
      },
      hop: { type: 'integer', minimum: 0, default: 0, description: 'hop between frames in samples; 0 = the window' },
      permutation: {
        type: 'boolean',
        default: false,
        description: 'match estimates to references by the best mean SIR (museval default: off)',
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
    id: 'bss-eval-images',
    compute(input) {
      const { references, estimates } = signalsOf(input, 'bss-eval-images', ctx.path);
      const rate = typeof input.sampleRate === 'number' && input.sampleRate > 0 ? input.sampleRate : 44100;
      const window = params.window > 0 ? params.window : Math.round(rate);
      const hop = params.hop > 0 ? params.hop : window;
      const r = bssEvalImages(references, estimates, {
        window,
        hop,
        permutation: params.permutation,
        filterLength: params.filterLength,
        what: 'bss-eval-images',
        path: ctx.path,
        file: ctx.file,
      });
      return { sdr: r.sdr, isr: r.isr, sir: r.sir, sar: r.sar, perm: r.perm, frames: r.frames.sdr[0]?.length ?? 0 };
    },
  }),
});
