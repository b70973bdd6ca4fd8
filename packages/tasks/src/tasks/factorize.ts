import { NmflabError } from '@nmflab/core';
import type { Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';

/**
 * Fit the configured model to V and return W, H and the fit. V is the source's matrix, or, for
 * audio, the configured representation (|Y| or |Y|²) of the mixture's STFT Y.
 */
export default definePlugin<'task', Record<string, never>>({
  meta: {
    kind: 'task',
    id: 'factorize',
    description: 'Fit the model to V (the data matrix or the mixture spectrogram) and save W, H',
    params: {},
  },
  create: () => ({
    id: 'factorize',
    run(ctx) {
      let V: Matrix | undefined = ctx.data.matrix;
      if (!V && ctx.data.signal && ctx.transform)
        V = ctx.transform.represent(ctx.transform.analyze(ctx.data.signal.samples));
      if (!V)
        throw new NmflabError('the source gave no data to factorize', {
          path: 'data',
          expected: 'a matrix or an audio signal',
        });
      const fit = ctx.fit({ problem: { V, rank: ctx.rank }, label: 'main' });
      return { fit, matrices: { W: fit.result.W, H: fit.result.H } };
    },
  }),
});
