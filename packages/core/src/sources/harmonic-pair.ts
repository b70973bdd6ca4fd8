import { NmflabError } from '../errors.js';
import { definePlugin } from '../plugin.js';

/**
 * Two synthetic harmonic tones whose partials overlap (reference §3 exp. 8, after Kameoka et al.
 * 2009): tone a at f0 = `f0` Hz, tone b at `ratio`·f0, `partials` partials each with seeded
 * amplitudes (1/h times U(0.5, 1)) and phases (U(0, 2π)). With ratio = 3/2, partial 3 of a and
 * partial 2 of b share the frequency 3·f0; there b's phase is a's plus π and its amplitude equals
 * a's, so in the frames where both sound the shared partial cancels in the mixture — magnitude
 * additivity |a + b| = |a| + |b| fails exactly where NMF assumes it. Tone a sounds in [0, 0.6·T],
 * b in [0.4·T, T] (both in the middle), with 10 ms raised-cosine ramps.
 */
export default definePlugin<'source', { f0: number; ratio: number; partials: number; seconds: number; sampleRate: number; cancel: boolean }>({
  meta: {
    kind: 'source',
    id: 'harmonic-pair',
    description: 'Two seeded harmonic tones with a shared partial in phase opposition (magnitude additivity fails)',
    params: {
      f0: { type: 'number', exclusiveMinimum: 0, default: 220, description: 'fundamental of tone a (Hz)' },
      ratio: { type: 'number', exclusiveMinimum: 0, default: 1.5, description: 'f0 of tone b divided by f0 of tone a (3/2: a fifth, shared partial at 3·f0)' },
      partials: { type: 'integer', minimum: 1, maximum: 60, default: 8, description: 'partials per tone (those above Nyquist are dropped)' },
      seconds: { type: 'number', exclusiveMinimum: 0, default: 3, description: 'duration T' },
      sampleRate: { type: 'integer', minimum: 1000, default: 16000, description: 'sample rate' },
      cancel: { type: 'boolean', default: true, description: 'put the shared partial of b in phase opposition to a (false: independent phase)' },
    },
  },
  create: (p, ctx) => ({
    id: 'harmonic-pair',
    load(rng) {
      if (p.f0 * Math.max(1, p.ratio) >= p.sampleRate / 2) throw new NmflabError('tones above Nyquist', { path: `${ctx.path}.f0`, expected: `f0·max(1, ratio) < ${p.sampleRate / 2} Hz`, found: String(p.f0) });
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
      if (p.cancel) for (const s of shared) {
        B.amp[s.b] = A.amp[s.a]!;
        B.phase[s.b] = A.phase[s.a]! + Math.PI;
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
          for (let t = from; t < to; t++) x[t] += tn.amp[h]! * Math.cos(w * t + tn.phase[h]!);
        }
        for (let t = 0; t < T; t++) x[t] *= 0.2 * env(t, from, to);
        return x;
      };
      const a = tone(A, 0, Math.round(0.6 * T));
      const b = tone(B, Math.round(0.4 * T), T);
      const mix = new Float64Array(T);
      for (let t = 0; t < T; t++) mix[t] = a[t]! + b[t]!;
      return {
        signal: { samples: mix, sampleRate: p.sampleRate },
        sources: [{ name: 'a', samples: a }, { name: 'b', samples: b }],
        extra: { sharedPartials: shared.map((s) => ({ a: s.a + 1, b: s.b + 1, hz: (s.a + 1) * A.f0 })) },
      };
    },
  }),
});
