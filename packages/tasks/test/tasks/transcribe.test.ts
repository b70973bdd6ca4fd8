import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { activationOnsets, basisPitch, midiToHz, noveltyOnsets, onsetFMeasure } from '../../src/tasks/transcribe.js';
import { runReduced } from '../support/experiment.js';

/** A harmonic spectrum (Gaussian partials of width 1 bin) at `f0`, partial h of amplitude amp(h). */
function harmonic(f0: number, amp: (h: number) => number, F = 1025, rate = 16000, n = 2048): Float64Array {
  const w = new Float64Array(F);
  for (let h = 1; h * f0 < rate / 2; h++) {
    const b = (h * f0 * n) / rate;
    for (let f = 0; f < F; f++) w[f] += amp(h) * Math.exp(-0.5 * (f - b) ** 2);
  }
  return w;
}

describe('transcribe: pitch labels and note metrics', () => {
  it('labels a harmonic basis with its pitch, also with a weak fundamental', () => {
    for (let p = 48; p <= 84; p += 5) {
      expect(
        basisPitch(
          harmonic(midiToHz(p), (h) => 1 / h),
          16000,
          2048,
          36,
          96,
        ).pitch,
      ).toBe(p);
      expect(
        basisPitch(
          harmonic(midiToHz(p), (h) => (h === 1 ? 0.3 : 1 / h)),
          16000,
          2048,
          36,
          96,
        ).pitch,
      ).toBe(p);
    }
  });

  it('onset F-measure: perfect, tolerance inclusive, shifted, extra and missing notes', () => {
    const ref = [60, 62, 64, 60].map((pitch, i) => ({ pitch, onset: i * 0.5 }));
    expect(onsetFMeasure(ref, ref, 0.05).f).toBe(1);
    expect(
      onsetFMeasure(
        ref,
        ref.map((n) => ({ ...n, onset: n.onset + 0.05 })),
        0.05,
      ).f,
    ).toBe(1);
    expect(
      onsetFMeasure(
        ref,
        ref.map((n) => ({ ...n, onset: n.onset + 0.051 })),
        0.05,
      ).f,
    ).toBe(0);
    expect(
      onsetFMeasure(
        ref,
        ref.map((n) => ({ ...n, pitch: n.pitch + 1 })),
        0.05,
      ).f,
    ).toBe(0);
    const extra = onsetFMeasure(ref, [...ref, { pitch: 67, onset: 1 }], 0.05);
    expect(extra.precision).toBeCloseTo(4 / 5, 12);
    expect(extra.recall).toBe(1);
    const missing = onsetFMeasure(ref, ref.slice(1), 0.05);
    expect(missing.recall).toBeCloseTo(3 / 4, 12);
    expect(missing.precision).toBe(1);
  });

  it('onset F-measure equals mir_eval.transcription (onset only, ±50 ms, 50 cents) on its fixture', () => {
    // made by scripts/make-transcription-fixture.py with Debian's python3-mir-eval
    const fx = JSON.parse(readFileSync('packages/tasks/test/fixtures/transcription/mir-eval-onset.json', 'utf8')) as {
      cases: {
        name: string;
        reference: { pitch: number; onset: number }[];
        estimate: { pitch: number; onset: number }[];
        precision: number;
        recall: number;
        f: number;
      }[];
    };
    expect(fx.cases.length).toBeGreaterThan(30);
    for (const c of fx.cases) {
      const m = onsetFMeasure(c.reference, c.estimate, 0.05);
      expect(m.precision, c.name).toBeCloseTo(c.precision, 12);
      expect(m.recall, c.name).toBeCloseTo(c.recall, 12);
      expect(m.f, c.name).toBeCloseTo(c.f, 12);
    }
  });

  it('novelty onsets: a note struck again while it still sounds, or after a short gap, is a new onset; the rising-edge rule misses it', () => {
    // frames of 16 ms: a note at 10 decaying, re-struck at 30 (still at 0.5 of its peak) and at 50 after a
    // 3-frame dip to 0.3 (a 48 ms gap), then a quieter note of the same pitch at 80
    const a = new Float64Array(120);
    const strike = (at: number, peak: number) => {
      for (let n = at; n < a.length; n++)
        a[n] = Math.max(
          n < at + 2 ? (peak * (n - at + 1)) / 2 : peak * Math.exp(-(n - at - 1) / 25),
          n < at ? a[n] : 0,
        );
    };
    strike(10, 1);
    for (let n = 30; n < 120; n++) a[n] = 0;
    strike(30, 1);
    for (let n = 47; n < 50; n++) a[n] = 0.3;
    for (let n = 50; n < 120; n++) a[n] = 0;
    strike(50, 0.9);
    for (let n = 80; n < 120; n++) a[n] = 0;
    strike(80, 0.4);
    const opts = { rise: 0.1, lag: 3, window: 3, minGap: 6, offLevel: 0.2 };
    const { onsets, roll } = noveltyOnsets(a, opts);
    expect(onsets.map((n) => Math.abs(n - [10, 30, 50, 80][onsets.indexOf(n)]) <= 1)).toEqual([true, true, true, true]);
    expect(roll[12]).toBe(1);
    expect(activationOnsets(a, 0.2).onsets.length).toBeLessThan(4);
    // a ripple of ±5 % on a sustained note gives no onset
    const b = new Float64Array(100);
    for (let n = 10; n < 90; n++) b[n] = 1 + 0.05 * Math.sin(n);
    expect(noveltyOnsets(b, opts).onsets).toEqual([10]);
    // silence: no onsets
    expect(noveltyOnsets(new Float64Array(50), opts).onsets).toEqual([]);
  });

  it('activation onsets: one per note, a ripple around the threshold is not a new note', () => {
    const a = new Float64Array(100);
    for (let n = 10; n < 40; n++) a[n] = Math.exp(-(n - 10) / 8) * (1 + 0.2 * Math.sin(n)); // decaying, rippled
    for (let n = 60; n < 80; n++) a[n] = 0.8 * Math.exp(-(n - 60) / 8);
    expect(activationOnsets(a, 0.2).onsets).toEqual([10, 60]);
  });

  it('experiment 4 (reduced: first 6 s, 50 iterations, one restart): the piano piece transcribes with onset F ≥ 0.8', async () => {
    const runs = await runReduced('experiments/transcription.yaml', [
      'task.params.seconds=6',
      'model.stopping.maxIterations=50',
      'model.restarts=1',
      'transform.hop=512',
    ]);
    const m = runs[0].metrics;
    expect(runs[0].record.status).toBe('completed');
    expect(m['onset.f']).toBeGreaterThanOrEqual(0.8);
    const roll = runs[0].json['pianoroll.json'] as Record<
      'reference' | 'estimate',
      { pitch: number; onset: number; offset: number }[]
    >;
    expect(roll.reference.length).toBeGreaterThan(0);
    expect(roll.estimate.length).toBeGreaterThan(0);
    for (const n of roll.estimate) expect(n.offset).toBeGreaterThan(n.onset);
  });

  it('experiment 4 on the corpus (reduced: 2 held-out pieces, 1 seed, 60 iterations): the novelty rule finds re-struck notes the rising-edge rule misses', async () => {
    const runs = await runReduced(
      'experiments/transcription-corpus.yaml',
      ['model.stopping.maxIterations=60'],
      ['seeds=1', 'data.params.item=[0,4]', 'task.params.onsetRule=[novelty,threshold]'],
    );
    expect(runs.map((r) => r.record.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const by = (rule: string) =>
      runs
        .filter((r) => (r.extra as { onsetRule: string }).onsetRule === rule)
        .map((r) => r.metrics as Record<string, number>);
    const mean = (xs: Record<string, number>[], k: string) => xs.reduce((s, m) => s + m[k], 0) / xs.length;
    const [nov, thr] = [by('novelty'), by('threshold')];
    expect(nov.length).toBe(2);
    // rank from the note list: the piece's distinct pitches + 1
    const items = (
      JSON.parse(readFileSync('data/corpus/music/manifest.json', 'utf8')) as {
        items: { split: string; notes: string }[];
      }
    ).items.filter((i) => i.split === 'test');
    const pitches = [0, 4].map(
      (i) =>
        new Set(
          (
            JSON.parse(readFileSync(`data/corpus/music/${items[i].notes}`, 'utf8')) as { notes: { pitch: number }[] }
          ).notes.map((n) => n.pitch),
        ).size,
    );
    expect(runs.map((r) => (r.metrics as Record<string, number>).rank).sort()).toEqual(
      [...pitches, ...pitches].map((n) => n + 1).sort(),
    );
    expect(mean(nov, 'onset.recall-repeated')).toBeGreaterThan(mean(thr, 'onset.recall-repeated'));
    expect(mean(nov, 'onset.f')).toBeGreaterThanOrEqual(0.6);
  });

  it('experiment 5 (reduced: one restart, 200 iterations): IS-NMF gives every one of the four notes a component of its own pitch, EU-NMF does not', async () => {
    const runs = await runReduced(
      'experiments/four-notes-is.yaml',
      ['model.restarts=1', 'model.stopping.maxIterations=200'],
      ['model.solver.params.divergence=[is,euclidean]'],
    );
    const [is, eu] = runs.map((r) => r.metrics);
    expect(is!['notes.with-component']).toBe(4);
    expect(is!['notes.isolated']).toBeGreaterThanOrEqual(3);
    expect(eu!['notes.with-component']).toBeLessThan(4);
  });
});
