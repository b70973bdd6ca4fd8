import { NmflabError } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';

/**
 * Two synthetic harmonic tones whose partials overlap (reference §3 exp. 8, after Kameoka et al.
 * 2009): tone a at f0 = `f0` Hz, tone b at `ratio`·f0, `partials` partials each with seeded
 * amplitudes (1/h times U(0.5, 1)) and phases (U(0, 2π)). With ratio = 3/2, partial 3 of a and
 * partial 2 of b share the frequency 3·f0; with ratio = 2 (octave) every partial j of b falls on
 * partial 2j of a. With `cancel`, each shared partial of b gets a's amplitude and a's phase plus
 * π (`sharedPhase: opposite`: it vanishes from the mixture where both sound) or plus a seeded
 * offset δ ~ U(0, 2π) (`random`: |a + b| = 2|a||cos(δ/2)|, anywhere from cancellation to
 * doubling) — magnitude additivity |a + b| = |a| + |b| fails exactly where NMF assumes it.
 * Tone a sounds in [0, (1 + o)/2·T], b in [(1 − o)/2·T, T] (o = `overlap`: both sound in the middle
 * o·T; each alone at one end), with 10 ms raised-cosine ramps.
 */
type Params = {
  f0: number;
  ratio: number;
  partials: number;
  seconds: number;
  sampleRate: number;
  cancel: boolean;
  sharedPhase: 'opposite' | 'random';
  overlap: number;
};

export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'harmonic-pair',
    description:
      'Two seeded harmonic tones whose shared partials cancel (opposite or random phase), so magnitude additivity fails',
    params: {
      f0: { type: 'number', exclusiveMinimum: 0, default: 220, description: 'fundamental of tone a (Hz)' },
      ratio: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1.5,
        description: 'f0 of tone b divided by f0 of tone a (3/2: a fifth, shared partial at 3·f0)',
      },
      partials: {
        type: 'integer',
        minimum: 1,
        maximum: 60,
        default: 8,
        description: 'partials per tone (those above Nyquist are dropped)',
      },
      seconds: { type: 'number', exclusiveMinimum: 0, default: 3, description: 'duration T' },
      sampleRate: { type: 'integer', minimum: 1000, default: 16000, description: 'sample rate' },
      cancel: {
        type: 'boolean',
        default: true,
        description:
          "give b's shared partials a's amplitude and a phase set by sharedPhase (false: independent amplitude and phase)",
      },
      sharedPhase: {
        type: 'string',
        enum: ['opposite', 'random'],
        default: 'opposite',
        description:
          "with cancel: b's shared partials at a's phase + π (they vanish) or + a seeded U(0, 2π) offset (partial cancellation)",
      },
      overlap: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.2,
        description: 'fraction of the duration where both tones sound (in the middle; each tone alone at one end)',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'harmonic-pair',
    load(rng) {
      if (p.f0 * Math.max(1, p.ratio) >= p.sampleRate / 2)
        throw new NmflabError('tones above Nyquist', {
          path: `${ctx.path}.f0`,
          expected: `f0·max(1, ratio) < ${p.sampleRate / 2} Hz`,
          found: String(p.f0),
        });
      const T = Math.round(p.seconds * p.sampleRate);
      const amp = (r: typeof rng) => Array.from({ length: p.partials }, (_, i) => (0.5 + 0.5 * r.uniform()) / (i + 1));
      const phase = (r: typeof rng) => Array.from({ length: p.partials }, () => 2 * Math.PI * r.uniform());
      const ra = rng.fork('a');
      const rb = rng.fork('b');
      const A = { f0: p.f0, amp: amp(ra), phase: phase(ra) };
      const B = { f0: p.f0 * p.ratio, amp: amp(rb), phase: phase(rb) };
      const shared: { a: number; b: number }[] = [];
      for (let i = 0; i < p.partials; i++) {
        for (let j = 0; j < p.partials; j++) {
          if (Math.abs((i + 1) * A.f0 - (j + 1) * B.f0) < 1e-9 * A.f0) shared.push({ a: i, b: j });
        }
      }
      // Its own stream, so the tones of a seed do not depend on sharedPhase.
      const rs = rng.fork('shared');
      const offsets: number[] = [];
      if (p.cancel)
        for (const s of shared) {
          const delta = p.sharedPhase === 'random' ? 2 * Math.PI * rs.uniform() : Math.PI;
          offsets.push(delta);
          B.amp[s.b] = A.amp[s.a];
          B.phase[s.b] = A.phase[s.a] + delta;
        }
      const ramp = Math.round(0.01 * p.sampleRate);
      const env = (t: number, from: number, to: number) => {
        if (t < from || t >= to) return 0;
        const d = Math.min(t - from, to - 1 - t);
        return d >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * d) / ramp);
      };
      const tone = (tn: typeof A, from: number, to: number) => {
        const x = new Float64Array(T);
        for (let h = 0; h < p.partials; h++) {
          const f = (h + 1) * tn.f0;
          if (f >= p.sampleRate / 2) break;
          const w = (2 * Math.PI * f) / p.sampleRate;
          for (let t = from; t < to; t++) x[t] += tn.amp[h] * Math.cos(w * t + tn.phase[h]);
        }
        for (let t = 0; t < T; t++) x[t] *= 0.2 * env(t, from, to);
        return x;
      };
      const endA = Math.round(((1 + p.overlap) / 2) * T);
      const startB = Math.round(((1 - p.overlap) / 2) * T);
      const a = tone(A, 0, endA);
      const b = tone(B, startB, T);
      const mix = new Float64Array(T);
      for (let t = 0; t < T; t++) mix[t] = a[t] + b[t];
      return {
        signal: { samples: mix, sampleRate: p.sampleRate },
        sources: [
          { name: 'a', samples: a },
          { name: 'b', samples: b },
        ],
        // only partials below Nyquist are synthesized, so only those are reported as shared
        // when each tone sounds (seconds), e.g. for score-informed starts (compare-complex grouping: activity)
        extra: {
          activity: { a: [[0, endA / p.sampleRate]], b: [[startB / p.sampleRate, T / p.sampleRate]] },
          sharedPartials: shared.flatMap((s, i) =>
            (s.a + 1) * A.f0 < p.sampleRate / 2
              ? [{ a: s.a + 1, b: s.b + 1, hz: (s.a + 1) * A.f0, ...(p.cancel ? { phaseOffset: offsets[i] } : {}) }]
              : [],
          ),
        },
      };
    },
  }),
});
