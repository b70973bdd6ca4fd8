import { NmflabError } from '@nmflab/core';
import { ComplexMatrix, Matrix } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { griffinLim } from '@nmflab/core';
import { Stft } from '@nmflab/core';
import { basisPitch, midiToHz } from './transcribe.js';
import { readNoteList } from '../evaluation/notes.js';

/**
 * Monaural separation demo with pitch transposition (reference §3 exp. 13). V = |STFT(x)| ≈ W H;
 * each basis is labelled with a pitch (harmonic summation, as `transcribe`); G = the components
 * of the chosen `pitch`. With Λ = W H and Λ_G = W_G H_G:
 *   only.wav    = ISTFT(X ⊙ Λ_G/Λ)            ("only the G")
 *   without.wav = ISTFT(X ⊙ (1 − Λ_G/Λ))      ("everything but the G")
 *   transposed.wav = without.wav + GL(W'_G H_G), where W'_{fk} = W_{f/r, k} (linear interpolation,
 *     r = 2^{semitones/12}: each basis spectrum stretched along frequency, so its partials move
 *     from h·f0 to h·r·f0) and GL is Griffin–Lim phase reconstruction of that magnitude.
 * Checks: the energy of the f0 band of the note (±½ semitone) over the frames where the note
 * sounds, in the mixture versus without.wav (drop in dB) and versus only.wav (kept); the other
 * notes' f0 bands in only.wav (drop); and the f0 of the transposed part over those frames
 * (parabolic peak of its mean spectrum near r·f0, divided by the same peak of only.wav near f0).
 */
export function stretchColumn(w: Float64Array, r: number): Float64Array {
  const F = w.length;
  const out = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    const src = f / r;
    const i = Math.floor(src);
    const t = src - i;
    if (i + 1 < F) out[f] = (1 - t) * w[i] + t * w[i + 1];
    else if (i < F) out[f] = w[i];
  }
  return out;
}

/** Peak frequency (Hz) of a spectrum in [lo, hi] Hz by parabolic interpolation of the largest bin. */
export function peakHz(spec: Float64Array, binHz: number, lo: number, hi: number): number {
  const a = Math.max(1, Math.floor(lo / binHz));
  const b = Math.min(spec.length - 2, Math.ceil(hi / binHz));
  let k = a;
  for (let f = a; f <= b; f++) if (spec[f] > spec[k]) k = f;
  const [y0, y1, y2] = [Math.log(spec[k - 1] + 1e-300), Math.log(spec[k] + 1e-300), Math.log(spec[k + 1] + 1e-300)];
  const d = y0 - 2 * y1 + y2;
  const off = d < 0 ? (0.5 * (y0 - y2)) / d : 0;
  return (k + off) * binHz;
}

interface Params {
  notes: string;
  pitch: number;
  semitones: number;
  seconds: number;
  griffinLimIterations: number;
  minPitch: number;
  maxPitch: number;
}

export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'transpose',
    description:
      'Separation demo: keep or silence the components of one note, or transpose them by stretching their basis spectra',
    params: {
      notes: {
        type: 'string',
        minLength: 1,
        required: true,
        description:
          'reference note list JSON (frames where the note sounds are measured), relative to the working directory',
      },
      pitch: {
        type: 'integer',
        minimum: 0,
        maximum: 127,
        default: 67,
        description: 'MIDI pitch of the note to keep, silence and transpose (67 = G4)',
      },
      semitones: {
        type: 'number',
        minimum: -24,
        maximum: 24,
        default: -1,
        description: 'transposition of that note (−1 = a semitone down)',
      },
      seconds: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'use only the first seconds of the recording (0 = all)',
      },
      griffinLimIterations: {
        type: 'integer',
        minimum: 1,
        default: 50,
        description: 'Griffin–Lim iterations for the transposed part',
      },
      minPitch: {
        type: 'integer',
        minimum: 0,
        maximum: 127,
        default: 48,
        description: 'lowest MIDI pitch a basis may get',
      },
      maxPitch: {
        type: 'integer',
        minimum: 0,
        maximum: 127,
        default: 84,
        description: 'highest MIDI pitch a basis may get',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'transpose',
    run(tc) {
      const sig = tc.data.signal;
      const tr = tc.transform;
      if (!sig || !(tr instanceof Stft))
        throw new NmflabError('transposition needs audio and an STFT', {
          path: 'data',
          expected: 'an audio source and a transform: block',
        });
      if (tr.representation !== 'magnitude')
        throw new NmflabError('the demo models magnitudes', {
          path: 'transform.representation',
          expected: 'magnitude',
          found: tr.representation,
        });
      const notes = readNoteList(p.notes, `${ctx.path}.notes`);
      const x =
        p.seconds > 0
          ? sig.samples.subarray(0, Math.min(sig.samples.length, Math.round(p.seconds * sig.sampleRate)))
          : sig.samples;
      const X = tr.analyze(x);
      const V = tr.represent(X);
      const fit = tc.fit({ problem: { V, rank: tc.rank }, label: 'main' });
      const { W, H } = fit.result;
      const F = V.rows;
      const N = V.cols;
      const K = W.cols;
      const pitches = Array.from(
        { length: K },
        (_, k) => basisPitch(W.col(k), sig.sampleRate, tr.frameLength, p.minPitch, p.maxPitch).pitch,
      );
      const G = pitches.flatMap((q, k) => (q === p.pitch ? [k] : []));
      if (G.length === 0)
        throw new NmflabError('no component has the chosen pitch', {
          path: `${ctx.path}.pitch`,
          expected: `one of the basis pitches ${JSON.stringify([...new Set(pitches)].sort((a, b) => a - b))}`,
          found: String(p.pitch),
          hint: 'raise the rank or pick another note',
        });
      const r = 2 ** (p.semitones / 12);
      const lam = new Float64Array(F * N);
      const lamG = new Float64Array(F * N);
      const trans = new Matrix(F, N);
      const Wt = G.map((k) => stretchColumn(W.col(k), r));
      for (let f = 0; f < F; f++) {
        for (let n = 0; n < N; n++) {
          let s = 0;
          let g = 0;
          let t = 0;
          for (let k = 0; k < K; k++) s += W.data[f * K + k] * H.data[k * N + n];
          G.forEach((k, j) => {
            g += W.data[f * K + k] * H.data[k * N + n];
            t += Wt[j][f] * H.data[k * N + n];
          });
          lam[f * N + n] = s;
          lamG[f * N + n] = g;
          trans.data[f * N + n] = t;
        }
      }
      const masked = (keep: boolean) => {
        const Y = new ComplexMatrix(F, N);
        for (let i = 0; i < Y.re.length; i++) {
          const m = lam[i] > 0 ? lamG[i] / lam[i] : 0;
          const g = keep ? m : 1 - m;
          Y.re[i] = X.re[i] * g;
          Y.im[i] = X.im[i] * g;
        }
        return Y;
      };
      const onlyY = masked(true);
      const withoutY = masked(false);
      const only = tr.synthesize(onlyY, x.length);
      const without = tr.synthesize(withoutY, x.length);
      const moved = griffinLim(trans, tr, { iterations: p.griffinLimIterations, length: x.length }).samples;
      const transposed = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) transposed[i] = without[i] + moved[i];

      // measurements on the frames where the note sounds
      const frameTime = tr.hop / sig.sampleRate;
      const binHz = sig.sampleRate / tr.frameLength;
      const sounding = (pitch: number) => {
        const on = new Uint8Array(N);
        for (const nt of notes)
          if (nt.pitch === pitch)
            for (let n = 0; n < N; n++) if (n * frameTime >= nt.onset && n * frameTime < nt.offset) on[n] = 1;
        return on;
      };
      const bandEnergy = (Y: ComplexMatrix, pitch: number, on: Uint8Array) => {
        const f0 = midiToHz(pitch);
        const lo = Math.floor((f0 * 2 ** (-0.5 / 12)) / binHz);
        const hi = Math.ceil((f0 * 2 ** (0.5 / 12)) / binHz);
        let e = 0;
        for (let f = lo; f <= hi; f++)
          for (let n = 0; n < N; n++) if (on[n]) e += Y.re[f * N + n] ** 2 + Y.im[f * N + n] ** 2;
        return e;
      };
      const target = sounding(p.pitch);
      if (!target.some((v) => v))
        throw new NmflabError('the chosen note never sounds in the excerpt', {
          path: `${ctx.path}.pitch`,
          found: String(p.pitch),
          expected: 'a pitch of the note list within the excerpt',
        });
      const db = (a: number, b: number) => 10 * Math.log10(a / Math.max(b, 1e-300));
      const removedDrop = db(bandEnergy(X, p.pitch, target), bandEnergy(withoutY, p.pitch, target));
      const keptLoss = db(bandEnergy(X, p.pitch, target), bandEnergy(onlyY, p.pitch, target));
      const others = [...new Set(notes.map((n) => n.pitch))].filter(
        (q) => q !== p.pitch && notes.some((n) => n.pitch === q && n.onset < x.length / sig.sampleRate),
      );
      const otherDrops = others.map((q) => {
        const on = sounding(q);
        return db(bandEnergy(X, q, on), bandEnergy(onlyY, q, on));
      });
      const meanSpectrum = (Y: ComplexMatrix) => {
        const s = new Float64Array(F);
        for (let f = 0; f < F; f++)
          for (let n = 0; n < N; n++) if (target[n]) s[f] += Math.hypot(Y.re[f * N + n], Y.im[f * N + n]);
        return s;
      };
      const f0 = midiToHz(p.pitch);
      const half = 2 ** (0.5 / 12);
      const before = peakHz(meanSpectrum(onlyY), binHz, f0 / half, f0 * half);
      const after = peakHz(meanSpectrum(tr.analyze(moved)), binHz, (r * f0) / half, r * f0 * half);
      return {
        fit,
        estimates: [
          { name: 'only', samples: only },
          { name: 'without', samples: without },
          { name: 'transposed', samples: transposed },
        ],
        sampleRate: sig.sampleRate,
        matrices: { W, H },
        metrics: {
          'removed.f0-band-drop-db': removedDrop,
          'kept.f0-band-loss-db': keptLoss,
          'kept.other-notes-min-drop-db': otherDrops.length ? Math.min(...otherDrops) : 0,
          'transposed.f0-ratio': after / before,
          'transposed.expected-ratio': r,
          components: G.length,
        },
        extra: {
          componentPitches: pitches,
          targetComponents: G,
          f0Before: before,
          f0After: after,
          otherNoteDrops: Object.fromEntries(others.map((q, i) => [q, otherDrops[i]])),
        },
      };
    },
  }),
});
