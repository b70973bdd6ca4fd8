import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NmflabError, bssEval, istft, loadSource, runExperiment, separate, stft } from 'nmflab';
import { tempDirs } from '../../../test/support/temp-dir.js';

const tmp = tempDirs('nmflab-pipelines-');

/** A tone of harmonics of f0 (Hz) at 8 kHz, with an amplitude envelope. */
function tone(f0: number, length: number, phase: number, env: (i: number) => number): Float64Array {
  const x = new Float64Array(length);
  for (let i = 0; i < length; i++)
    for (let h = 1; h <= 4; h++) x[i] += (env(i) * Math.sin((2 * Math.PI * f0 * h * i) / 8000 + phase * h)) / h;
  return x;
}

describe('pipelines', () => {
  it('stft and istft invert each other', () => {
    const x = tone(300, 3000, 0.3, () => 1);
    const y = istft(stft(x, { frameLength: 256, hop: 64 }), { frameLength: 256, hop: 64 }, x.length);
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-10);
  });

  it('separate (supervised, from training recordings) beats the mixture, scored by bssEval', () => {
    const L = 8000;
    const a = tone(220, L, 0, (i) => (i < L * 0.6 ? 1 : 0.1));
    const b = tone(587, L, 1, (i) => (i > L * 0.4 ? 1 : 0.1));
    const mix = a.map((v, i) => v + b[i]);
    const trainA = tone(220, 4000, 0.5, (i) => 0.5 + 0.5 * Math.sin(i / 300));
    const trainB = tone(587, 4000, 2, (i) => 0.5 + 0.5 * Math.cos(i / 250));
    const res = separate(mix, {
      sources: { a: trainA, b: trainB },
      rank: 4,
      sampleRate: 8000,
      stft: { frameLength: 512, hop: 128 },
      model: { maxIterations: 60 },
    });
    expect(res.estimates.map((e) => e.name)).toEqual(['a', 'b']);
    expect(res.groups).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    const sep = bssEval(
      [a, b],
      res.estimates.map((e) => e.samples),
    );
    const base = bssEval([a, b], [mix, mix]);
    for (let j = 0; j < 2; j++) expect(sep.sdr[j]).toBeGreaterThan(base.sdr[j] + 10);
    // Wiener masks sum to one: the estimates add up to the mixture.
    const sum = res.estimates[0].samples.map((v, i) => v + res.estimates[1].samples[i]);
    expect(Math.max(...sum.map((v, i) => Math.abs(v - mix[i])))).toBeLessThan(1e-9);
    // Unsupervised: one fit, components grouped by k-means.
    const un = separate(mix, {
      sources: 2,
      rank: 6,
      sampleRate: 8000,
      stft: { frameLength: 512, hop: 128 },
      model: { maxIterations: 40 },
    });
    expect(un.estimates.map((e) => e.name)).toEqual(['group-1', 'group-2']);
    expect(un.groups.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => separate(mix, { sources: { a: trainA } })).toThrow(NmflabError);
    expect(() => bssEval([a, b], [[1, Number.NaN]])).toThrow(NmflabError);
  });

  it('loadSource gives a YAML source’s data (the committed mixture)', async () => {
    const d = await loadSource({ id: 'mixture-file', params: { path: 'data/mixtures/speech-chime-test.json' } });
    expect(d.signal!.sampleRate).toBe(16000);
    expect(d.sources!.map((s) => s.name)).toEqual(['speech', 'chime']);
    expect(Object.keys(d.extra!.train as object)).toEqual(['speech', 'chime']);
  });

  it('runExperiment runs a sweep from a config object, reports progress, and stops on abort', async () => {
    const config = {
      name: 'lib-sweep',
      data: { id: 'synthetic-lowrank', params: { rows: 12, cols: 20, rank: 3 } },
      model: { solver: { id: 'mu', params: { divergence: 'euclidean' } }, rank: 3, stopping: { maxIterations: 30 } },
      sweep: { 'model.rank': [2, 3] },
    };
    const events: string[] = [];
    const run = await runExperiment(config, {
      out: join(tmp.dir, 'results'),
      jobs: 1,
      onProgress: (e) => events.push(e.type),
    });
    expect(run.records.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(run.records.map((r) => r.varied['model.rank'])).toEqual([2, 3]);
    expect(run.records[1].objective!.total).toBeLessThan(run.records[0].objective!.total);
    expect(events[0]).toBe('planned');
    expect(events.filter((e) => e === 'end')).toHaveLength(2);
    expect(events).toContain('progress');
    expect(readFileSync(join(run.dir, 'sweep.yaml'), 'utf8')).toContain('config: <config>');
    expect(existsSync(join(run.dir, 'summary.csv'))).toBe(true);

    const ac = new AbortController();
    const stopped = await runExperiment(
      { ...config, model: { ...config.model, stopping: { maxIterations: 100000 } } },
      {
        out: join(tmp.dir, 'results'),
        jobs: 1,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.type === 'progress' && e.iteration === 50) ac.abort();
        },
      },
    );
    expect(stopped.interrupted).toBe(true);
    expect(stopped.records.map((r) => r.status)).toEqual(['interrupted']);

    await expect(
      runExperiment(
        { ...config, sweep: undefined, model: { ...config.model, rank: 0 } },
        { out: join(tmp.dir, 'results'), jobs: 1 },
      ),
    ).rejects.toThrow('<config>: model.rank');
  });
});
