import { describe, expect, it } from 'vitest';
import {
  ComplexMatrix,
  Matrix,
  NmflabError,
  Rng,
  Stft,
  applyMask,
  fit,
  groupsFromLabels,
  synthesizeComponents,
  wienerMasks,
  type PluginRef,
  type SourceData,
  type Task,
  type TaskContext,
} from '@nmflab/core';
import { bssEvalSources, taskPlugins } from '@nmflab/tasks';
import { clusterComponents } from '../../src/tasks/separate.js';
import { buildRegistry } from '../../../../test/support/registry.js';

const plugin = taskPlugins.find((p) => p.meta.id === 'separate')!;
const registry = await buildRegistry();
const source = registry.create('source', {
  id: 'mixture-file',
  params: { path: 'data/mixtures/speech-chime-test.json', seconds: 1.5 },
});
const data: SourceData = await source.load(new Rng(1));
// the training recordings cut to 3 s to keep the test short
const train = data.extra!.train as Record<string, Float64Array>;
for (const k of Object.keys(train)) train[k] = train[k].subarray(0, 48000);

const MU: PluginRef = { id: 'mu', params: { divergence: 'kl' } };

function context(rank: number, solver: PluginRef = MU, maxIterations = 60): TaskContext {
  const transform = new Stft({ sampleRate: 16000, frameLength: 512, hop: 128, representation: 'magnitude' });
  const rng = new Rng(7);
  return {
    data,
    transform,
    rank,
    rng: rng.fork('task'),
    registry,
    fit: (req) =>
      fit(registry.create('solver', solver), req.problem, rng.fork(`fit:${req.label}`), {
        stopping: { maxIterations, tol: 0 },
      }),
  };
}

const task = (params: Record<string, unknown>): Task =>
  plugin.create(
    {
      mode: 'supervised',
      ranks: [],
      grouping: [],
      known: [],
      maskExponent: 1,
      oracle: true,
      clusterRestarts: 3,
      synthesis: 'auto',
      ...params,
    },
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
    const s = meanSdr(
      refs,
      sup.estimates!.map((e) => e.samples),
    );
    const u = meanSdr(
      refs,
      uns.estimates!.map((e) => e.samples),
    );
    const m = sup.metrics!;
    const mean = (k: string) => (m[k] as number[]).reduce((a, b) => a + b, 0) / 2;
    expect(s).toBeGreaterThan(u);
    expect(mean('oracle-irm.sdr')).toBeGreaterThan(s);
    expect(u).toBeGreaterThan(mean('mixture.sdr'));
  });

  it('returns one estimate per source with its reference, the factors and the grouping', () => {
    expect(sup.estimates!.map((e) => e.name)).toEqual(['speech', 'chime']);
    expect(sup.references!.map((e) => e.name)).toEqual(['speech', 'chime']);
    expect(sup.estimates![0].samples.length).toBe(refs[0].length);
    expect(sup.matrices!.W!.cols).toBe(16);
    const groups = uns.extra!.grouping as number[][];
    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('the Wiener masks split the mixture: the estimates sum back to the mixture (up to the STFT round trip)', () => {
    const x = data.signal!.samples;
    let err = 0,
      e = 0;
    for (let t = 0; t < x.length; t++) {
      const d = x[t] - sup.estimates![0].samples[t] - sup.estimates![1].samples[t];
      err += d * d;
      e += x[t] * x[t];
    }
    expect(err / e).toBeLessThan(1e-6);
  });

  it('semi-supervised keeps the known dictionary frozen and learns the rest', () => {
    const out = task({ mode: 'semi-supervised', ranks: [8, 8], known: ['chime'], oracle: false }).run(
      context(16),
    ) as Awaited<ReturnType<Task['run']>>;
    expect(out.extra!.known).toEqual(['chime']);
    expect(out.estimates).toHaveLength(2);
    expect(out.metrics).toEqual({});
  });

  it('rejects an unknown source name and a wrong number of ranks', () => {
    expect(() => task({ mode: 'semi-supervised', known: ['drums'] }).run(context(16))).toThrow(
      /task\.params\.known: unknown source name/,
    );
    expect(() => task({ ranks: [4] }).run(context(16))).toThrow(/task\.params\.ranks: one rank per source/);
  });

  it('k-means groups components by spectral shape, seeded', () => {
    const F = 32,
      K = 6;
    const W = new Matrix(F, K);
    for (let c = 0; c < K; c++)
      for (let f = 0; f < F; f++)
        W.data[f * K + c] = (c % 2 === 0 ? Math.exp(-f / 4) : Math.exp(-(F - f) / 4)) * (1 + c);
    const g = clusterComponents(W, 2, new Rng(3), 3);
    expect(g.map((x) => x.slice().sort()).sort()).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(clusterComponents(W, 2, new Rng(3), 3)).toEqual(g);
  });
});

type Out = Awaited<ReturnType<Task['run']>>;
/** Largest |x − Σ_k ŝ_k| over the samples. */
const sumError = (x: Float64Array, ests: { samples: Float64Array }[]) => {
  let m = 0;
  for (let t = 0; t < x.length; t++) m = Math.max(m, Math.abs(ests.reduce((s, e) => s - e.samples[t], x[t])));
  return m;
};

describe('separate with complex NMF (reduced: rank 8, 20 iterations)', () => {
  const CNMF: PluginRef = { id: 'complex-nmf', params: { phaseInit: 'random' } };
  const x = data.signal!.samples;
  const uns = task({ mode: 'unsupervised', oracle: false }).run(context(8, CNMF, 20)) as Out;
  const masked = task({ mode: 'unsupervised', oracle: false, synthesis: 'masks' }).run(context(8, CNMF, 20)) as Out;

  it('by default (auto) the estimates are the ISTFTs of each group’s complex components: with every component assigned they sum to the mixture within 1e-9', () => {
    expect(uns.extra!.synthesis).toBe('components');
    expect((uns.extra!.grouping as number[][]).flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sumError(x, uns.estimates!)).toBeLessThan(1e-9);
  });

  it('supervised (W learned per source by complex NMF, frozen): every component belongs to a source, so the estimates sum to the mixture', () => {
    const sup = task({ mode: 'supervised', ranks: [4, 4], oracle: false }).run(context(8, CNMF, 20)) as Out;
    expect(sup.extra!.synthesis).toBe('components');
    expect(sup.estimates!.map((e) => e.name)).toEqual(['speech', 'chime']);
    expect(sumError(x, sup.estimates!)).toBeLessThan(1e-9);
  });

  it("synthesis 'masks' switches to Wiener masks of W_k H_k on the mixture (same fit), which differ from the components' own phases", () => {
    expect(masked.extra!.synthesis).toBe('masks');
    const { W, H } = masked.matrices!;
    const groups = masked.extra!.grouping as number[][];
    expect(groups).toEqual(uns.extra!.grouping); // same seed, same fit: only the synthesis differs
    const tr = new Stft({ sampleRate: 16000, frameLength: 512, hop: 128 });
    const Y = tr.analyze(x);
    const K = W!.cols,
      F = W!.rows,
      N = H!.cols;
    const models = groups.map((g) => {
      const m = new Matrix(F, N);
      for (const k of g)
        for (let f = 0; f < F; f++)
          for (let n = 0; n < N; n++) m.data[f * N + n] += W!.data[f * K + k] * H!.data[k * N + n];
      return m;
    });
    const expected = wienerMasks(models).map((m) => tr.synthesize(applyMask(Y, m), x.length));
    let diffMasks = 0,
      diffPaths = 0;
    masked.estimates!.forEach((e, j) => {
      for (let t = 0; t < x.length; t++) {
        diffMasks = Math.max(diffMasks, Math.abs(e.samples[t] - expected[j][t]));
        diffPaths = Math.max(diffPaths, Math.abs(e.samples[t] - uns.estimates![j].samples[t]));
      }
    });
    expect(diffMasks).toBeLessThan(1e-12);
    expect(diffPaths).toBeGreaterThan(1e-3);
  });

  it("'auto' with a magnitude solver uses masks; 'components' with one is an error naming the parameter", () => {
    const auto = task({
      mode: 'unsupervised',
      oracle: false,
      grouping: [
        [0, 1],
        [2, 3],
      ],
    }).run(context(4, MU, 5)) as Out;
    expect(auto.extra!.synthesis).toBe('masks');
    const run = () => task({ mode: 'unsupervised', oracle: false, synthesis: 'components' }).run(context(4, MU, 5));
    expect(run).toThrow(NmflabError);
    expect(run).toThrow(/task\.params\.synthesis: the solver gives no complex components/);
  });

  it('synthesizeComponents: groups of complex components, one ISTFT each; an out-of-range index is an error', () => {
    const tr = new Stft({ sampleRate: 16000, frameLength: 64, hop: 16 });
    const rng = new Rng(5);
    const sig = Array.from({ length: 3 }, () => rng.fillUniform(new Float64Array(400), -1, 1));
    const comps = sig.map((s) => tr.analyze(s));
    const [ab, c] = synthesizeComponents(comps, groupsFromLabels([0, 0, 1], 2), tr, 400);
    for (let t = 0; t < 400; t++) {
      expect(ab![t]).toBeCloseTo(sig[0][t] + sig[1][t], 12);
      expect(c![t]).toBeCloseTo(sig[2][t], 12);
    }
    expect(() => synthesizeComponents(comps, [[0], [3]], tr, 400, 'task.params.grouping')).toThrow(
      /task\.params\.grouping\[1\]: component index out of range/,
    );
    expect(() => synthesizeComponents([comps[0], new ComplexMatrix(2, 2)], [[0, 1]], tr, 400)).toThrow(
      /differ in shape/,
    );
  });
});
