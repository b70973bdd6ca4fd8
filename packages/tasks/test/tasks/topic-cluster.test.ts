import { describe, expect, it } from 'vitest';
import { SLOW, num, runReduced } from '../support/experiment.js';

// experiments/plsa-debian.yaml shrunk: 400 training and 400 test documents (evenly spaced), 60 iterations, 2 seeds.
const REDUCED = [
  'data.params.limit=400',
  'model.stopping.maxIterations=60',
  'task.params.baselineDraws=20',
  'sweep.seeds=2',
];

describe('task topic-cluster: pLSA vs KL-NMF on held-out Debian descriptions, reduced', () => {
  it(
    'folded-in test documents cluster by section above random; pLSA and KL-NMF agree; same seed, same numbers',
    async () => {
      const runs = await runReduced('experiments/plsa-debian.yaml', REDUCED);
      expect(runs).toHaveLength(2);
      for (const run of runs) {
        const m = run.metrics;
        expect(run.record.status).toBe('completed');
        expect(num(m, 'topics')).toBe(6);
        expect(num(m, 'testDocuments')).toBe(400);
        for (const k of ['test.plsa', 'test.klNmf', 'train.plsa', 'test.random']) {
          expect(num(m, `${k}.purity`)).toBeGreaterThan(0);
          expect(num(m, `${k}.purity`)).toBeLessThanOrEqual(1);
          expect(num(m, `${k}.nmi`)).toBeGreaterThanOrEqual(0);
        }
        // random assignments know nothing of the sections: NMI near 0, purity near the largest share
        expect(num(m, 'test.random.nmi')).toBeLessThan(0.05);
        expect(num(m, 'test.random.purity')).toBeGreaterThanOrEqual(num(m, 'test.majorityShare') - 0.02);
        // the topics carry section information to unseen packages
        expect(num(m, 'test.plsa.purity')).toBeGreaterThan(num(m, 'test.random.purity') + 0.05);
        expect(num(m, 'test.plsa.nmi')).toBeGreaterThan(num(m, 'test.random.nmi') + 0.05);
        expect(num(m, 'test.klNmf.nmi')).toBeGreaterThan(num(m, 'test.random.nmi') + 0.05);
        // one definition of NMI: the nmi metric scores the task's labels (pLSA's) identically
        expect(num(m, 'nmi')).toBeCloseTo(num(m, 'test.plsa.nmi'), 4);
        // the same start gives nearly the same training objective (Gaussier & Goutte)
        expect(num(m, 'equivalence.relKLDiff')).toBeLessThan(0.02);
        // folding-in: EM with W frozen is the KL multiplicative H update (H is on the count scale, ≤ ~10)
        expect(num(m, 'equivalence.foldInMaxDiff')).toBeLessThan(1e-4);
        expect((run.extra.topics as string[][]).map((t) => t.length)).toEqual([8, 8, 8, 8, 8, 8]);
        expect(run.extra.labels as number[]).toHaveLength(400);
      }
      // another seed is another start
      const [first, second] = runs.map((r) => r.metrics);
      expect(first?.['equivalence.trainKLPlsa']).not.toBe(second?.['equivalence.trainKLPlsa']);
      const [again] = await runReduced('experiments/plsa-debian.yaml', [...REDUCED.slice(0, 3), 'sweep.seeds=1']);
      expect(again?.metrics).toEqual(first);
    },
    SLOW,
  );
});
