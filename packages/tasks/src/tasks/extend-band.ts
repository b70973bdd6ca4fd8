import { existsSync } from 'node:fs';
import { NmflabError } from '@nmflab/core';
import { ComplexMatrix, Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { griffinLim } from '@nmflab/core';
import { Stft } from '@nmflab/core';
import { readAudio } from '@nmflab/core';

/**
 * Bandwidth extension ("super-resolution", Smaragdis & Raj 2007, reference §3 exp. 7).
 * A full-band dictionary W is learned on a training recording (V_train ≈ W H_train); on the test
 * recording only the low band f < f_c is observed: H is fitted with W frozen and the weights
 * M_{fn} = [f < f_c] (high band unobserved), and the high band is read off Λ = W H. The estimate
 * keeps the input's low band and takes |Y| from Λ above f_c; phase by Griffin–Lim (initialized
 * with the input's low-band phase) or, as an upper bound for listening, the original's phase.
 *
 * Scores on the high band (f ≥ f_c) against the original's STFT S:
 *   LSD = mean_n sqrt( mean_{f ≥ f_c} (10 log10((|Ŝ|² + δ)/(|S|² + δ)))² ),  δ = 1e-8·max|S|²,
 *   SNR = 10 log10( Σ|S|² / Σ(|S| − |Ŝ|)² )  (magnitudes; phase-blind, as the model).
 * Baselines: the empty high band (SNR 0 dB by definition) and spectral folding (bin f ≥ f_c takes
 * the magnitude of bin 2f_c − f, the low band mirrored about the cutoff).
 */
export function highBandScores(ref: Matrix, est: Matrix, cutBin: number): { lsd: number; snr: number } {
  const F = ref.rows;
  const N = ref.cols;
  let max = 0;
  for (const v of ref.data) if (v * v > max) max = v * v;
  const delta = 1e-8 * max;
  let lsd = 0;
  let num = 0;
  let den = 0;
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let f = cutBin; f < F; f++) {
      const r = ref.data[f * N + n];
      const e = est.data[f * N + n];
      const d = 10 * Math.log10((e * e + delta) / (r * r + delta));
      s += d * d;
      num += r * r;
      den += (r - e) * (r - e);
    }
    lsd += Math.sqrt(s / Math.max(1, F - cutBin));
  }
  return { lsd: lsd / N, snr: 10 * Math.log10(num / Math.max(den, 1e-300)) };
}

const magnitude = (Y: ComplexMatrix): Matrix => {
  const M = new Matrix(Y.rows, Y.cols);
  for (let i = 0; i < M.data.length; i++) M.data[i] = Math.hypot(Y.re[i], Y.im[i]);
  return M;
};

interface Params {
  train: string;
  cutoff: number;
  phase: 'griffin-lim' | 'original';
  griffinLimIterations: number;
}

export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'extend-band',
    description:
      'Bandwidth extension: full-band dictionary from training audio, activations from the low band, high band from W H',
    params: {
      train: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'full-band training WAV, relative to the working directory',
      },
      cutoff: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 4000,
        description: 'band split f_c in Hz: below it is observed, above it is reconstructed',
      },
      phase: {
        type: 'string',
        enum: ['griffin-lim', 'original'],
        default: 'griffin-lim',
        description: 'phase of the reconstructed high band: Griffin–Lim, or the original’s (an upper bound)',
      },
      griffinLimIterations: { type: 'integer', minimum: 1, default: 50, description: 'Griffin–Lim iterations' },
    },
  },
  create: (p, ctx) => ({
    id: 'extend-band',
    async run(tc) {
      const sig = tc.data.signal;
      const tr = tc.transform;
      if (!sig || !(tr instanceof Stft))
        throw new NmflabError('bandwidth extension needs audio and an STFT', {
          path: 'data',
          expected: 'an audio source and a transform: block',
        });
      if (tr.representation !== 'magnitude')
        throw new NmflabError('bandwidth extension models magnitudes', {
          path: 'transform.representation',
          expected: 'magnitude',
          found: tr.representation,
        });
      if (!existsSync(p.train))
        throw new NmflabError('training recording not found', {
          path: `${ctx.path}.train`,
          expected: 'an audio file',
          found: JSON.stringify(p.train),
        });
      if (p.cutoff >= sig.sampleRate / 2)
        throw new NmflabError('cutoff at or above Nyquist', {
          path: `${ctx.path}.cutoff`,
          expected: `< ${sig.sampleRate / 2} Hz`,
          found: String(p.cutoff),
        });
      const train = (await readAudio(p.train, { channels: 'mix', sampleRate: sig.sampleRate })).channels[0];
      const dict = tc.fit({ problem: { V: tr.represent(tr.analyze(train)), rank: tc.rank }, label: 'train' });
      const W = dict.result.W;

      const S = tr.analyze(sig.samples);
      const ref = magnitude(S);
      const F = ref.rows;
      const N = ref.cols;
      const cutBin = Math.ceil((p.cutoff * tr.frameLength) / sig.sampleRate);
      // The observed input: the original with the high band removed.
      const low = new ComplexMatrix(F, N);
      const mask = new Matrix(F, N);
      for (let f = 0; f < cutBin; f++) {
        for (let n = 0; n < N; n++) {
          const i = f * N + n;
          low.re[i] = S.re[i];
          low.im[i] = S.im[i];
          mask.data[i] = 1;
        }
      }
      const lowMag = magnitude(low);
      const fit = tc.fit({ problem: { V: lowMag, rank: W.cols, W0: W, freezeW: true, mask }, label: 'test' });
      const model = new Matrix(F, N);
      {
        const H = fit.result.H;
        const K = W.cols;
        for (let f = 0; f < F; f++)
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += W.data[f * K + k] * H.data[k * N + n];
            model.data[f * N + n] = s;
          }
      }
      const extended = new Matrix(F, N);
      const folded = new Matrix(F, N);
      for (let f = 0; f < F; f++) {
        const mirror = 2 * cutBin - f;
        for (let n = 0; n < N; n++) {
          const i = f * N + n;
          extended.data[i] = f < cutBin ? lowMag.data[i] : model.data[i];
          folded.data[i] = f < cutBin ? lowMag.data[i] : mirror >= 0 ? lowMag.data[mirror * N + n] : 0;
        }
      }
      const nmf = highBandScores(ref, extended, cutBin);
      const empty = highBandScores(ref, lowMag, cutBin);
      const fold = highBandScores(ref, folded, cutBin);

      // Waveforms: the low band kept exactly, the high band's phase from Griffin–Lim or the original.
      let wave: Float64Array;
      if (p.phase === 'original') {
        const Y = new ComplexMatrix(F, N);
        for (let i = 0; i < Y.re.length; i++) {
          const a = Math.hypot(S.re[i], S.im[i]);
          const g = a > 0 ? extended.data[i] / a : 0;
          Y.re[i] = S.re[i] * g;
          Y.im[i] = S.im[i] * g;
        }
        wave = tr.synthesize(Y, sig.samples.length);
      } else {
        wave = griffinLim(extended, tr, { iterations: p.griffinLimIterations, length: sig.samples.length }).samples;
        // put the observed low band back exactly (Griffin–Lim only chooses the high band's phase)
        const G = tr.analyze(wave);
        for (let f = 0; f < F; f++)
          for (let n = 0; n < N; n++) {
            const i = f * N + n;
            if (f < cutBin) {
              G.re[i] = low.re[i];
              G.im[i] = low.im[i];
            }
          }
        wave = tr.synthesize(G, sig.samples.length);
      }
      return {
        fit,
        estimates: [
          { name: 'extended', samples: wave },
          { name: 'lowband', samples: tr.synthesize(low, sig.samples.length) },
        ],
        sampleRate: sig.sampleRate,
        matrices: { W, H: fit.result.H },
        metrics: {
          'nmf.lsd': nmf.lsd,
          'nmf.snr': nmf.snr,
          'empty.lsd': empty.lsd,
          'empty.snr': empty.snr,
          'folding.lsd': fold.lsd,
          'folding.snr': fold.snr,
        },
        extra: {
          cutoffBin: cutBin,
          trainObjective: dict.trajectory.at(-1)?.objective,
          trainIterations: dict.iterations,
        },
      };
    },
  }),
});
