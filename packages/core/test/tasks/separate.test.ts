import { describe, expect, it } from 'vitest';
import { Matrix, Rng, Stft, bssEvalSources, corePlugins, fit, type SourceData, type Task, type TaskContext } from '@nmflab/core';
import { clusterComponents } from '../../src/tasks/separate.js';
import { buildRegistry } from '@nmflab/cli';

const plugin = corePlugins.find((p) => p.meta.id === 'separate')!;
const registry = await buildRegistry();
const source = registry.create('source', { id: 'mixture-file', params: { path: 'data/mixtures/speech-chime-test.json', seconds: 1.5 } });
const data: SourceData = await source.load(new Rng(1));
// the training recordings cut to 3 s to keep the test short
const train = data.extra!.train as Record<string, Float64Array>;
for (const k of Object.keys(train)) train[k] = train[k]!.subarray(0, 48000);

function context(rank: number): TaskContext {
  const transform = new Stft({ sampleRate: 16000, frameLength: 512, hop: 128, representation: 'magnitude' });
  const rng = new Rng(7);
  return {
    data,
    transform,
    rank,
    rng: rng.fork('task'),
    registry,
    fit: (req) =>
      fit(registry.create('solver', { id: 'mu', params: { divergence: 'kl' } }), req.problem, rng.fork(`fit:${req.label}`), {
        stopping: { maxIterations: 60, tol: 0 },
      }),
  };
}

const task = (params: Record<string, unknown>): Task =>
  plugin.create(
    { mode: 'supervised', ranks: [], grouping: [], known: [], maskExponent: 1, oracle: true, clusterRestarts: 3, ...params },
    { registry, path: 'task.params' },
  ) as Task;

const meanSdr = (refs: Float64Array[], ests: Float64Array[]) => {
  const r = bssEvalSources(refs, ests, { filterLength: 512 });
  return r.sdr.reduce((a, b) => a + b, 0) / r.sdr.length;
};

describe('separate (reduced: 1.5 s of the speech + chime mixture, 3 s training, rank 16)', () => {
  const refs = data.sources!.map((s) => s.samples);
  const sup = task({ mode: 'supervised', ranks: [8, 8] }).run(context(16)) as Awaited<ReturnType<Task['run']>>;
  const uns = task({ mode: 'unsupervised' }).run(context(16)) as Awaited<ReturnType<Task['run']>>;

  it('supervised beats unsupervised at the same rank, below the oracle ratio mask, above the mixture', () => {
    const s = meanSdr(refs, sup.estimates!.map((e) => e.samples));
    const u = meanSdr(refs, uns.estimates!.map((e) => e.samples));
    const m = sup.metrics!;
    const mean = (k: string) => (m[k] as number[]).reduce((a, b) => a + b, 0) / 2;
    expect(s).toBeGreaterThan(u);
    expect(mean('oracle-irm.sdr')).toBeGreaterThan(s);
    expect(u).toBeGreaterThan(mean('mixture.sdr'));
  });

  it('returns one estimate per source with its reference, the factors and the grouping', () => {
    expect(sup.estimates!.map((e) => e.name)).toEqual(['speech', 'chime']);
    expect(sup.references!.map((e) => e.name)).toEqual(['speech', 'chime']);
    expect(sup.estimates![0]!.samples.length).toBe(refs[0]!.length);
    expect(sup.matrices!.W!.cols).toBe(16);
    const groups = uns.extra!.grouping as number[][];
    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('the Wiener masks split the mixture: the estimates sum back to the mixture (up to the STFT round trip)', () => {
    const x = data.signal!.samples;
    let err = 0, e = 0;
    for (let t = 0; t < x.length; t++) {
      const d = x[t]! - sup.estimates![0]!.samples[t]! - sup.estimates![1]!.samples[t]!;
      err += d * d;
      e += x[t]! * x[t]!;
    }
    expect(err / e).toBeLessThan(1e-6);
  });

  it('semi-supervised keeps the known dictionary frozen and learns the rest', () => {
    const out = task({ mode: 'semi-supervised', ranks: [8, 8], known: ['chime'], oracle: false }).run(context(16)) as Awaited<ReturnType<Task['run']>>;
    expect(out.extra!.known).toEqual(['chime']);
    expect(out.estimates).toHaveLength(2);
    expect(out.metrics).toEqual({});
  });

  it('rejects an unknown source name and a wrong number of ranks', () => {
    expect(() => task({ mode: 'semi-supervised', known: ['drums'] }).run(context(16))).toThrow(/task\.params\.known: unknown source name/);
    expect(() => task({ ranks: [4] }).run(context(16))).toThrow(/task\.params\.ranks: one rank per source/);
  });

  it('k-means groups components by spectral shape, seeded', () => {
    const F = 32, K = 6;
    const W = new Matrix(F, K);
    for (let c = 0; c < K; c++) for (let f = 0; f < F; f++) W.data[f * K + c] = (c % 2 === 0 ? Math.exp(-f / 4) : Math.exp(-(F - f) / 4)) * (1 + c);
    const g = clusterComponents(W, 2, new Rng(3), 3);
    expect(g.map((x) => x.slice().sort()).sort()).toEqual([[0, 2, 4], [1, 3, 5]]);
    expect(clusterComponents(W, 2, new Rng(3), 3)).toEqual(g);
  });
});
