import {
  Matrix,
  NmflabError,
  definePlugin,
  type FitResult,
  type MetricValue,
  type PluginRef,
  type TaskContext,
} from '@nmflab/core';
import { purity, round } from '../evaluation/analysis.js';
import { normalizedMutualInformation, type NmiAverage } from '../metrics/nmi.js';

interface Params {
  rankFrom: 'categories' | 'model';
  nmiAverage: NmiAverage;
  baselineDraws: number;
  topWords: number;
}

interface TrainSplit {
  matrix: Matrix;
  labels: number[];
}

/**
 * Held-out topic clustering (Hofmann 1999's pLSA against KL-NMF) on a labelled corpus with a train
 * split (source `text-corpus`, split `test`: V = the test documents, `extra.train` the training ones):
 *
 * 1. From one start (W0 column-stochastic, H0 = N_n P(z|n), drawn from the task's stream) pLSA by
 *    EM (solver `plsa`) and the configured model (KL multiplicative updates, W columns
 *    ℓ1-normalized) are fitted on the training documents with K topics (K = the number of
 *    categories, or the model's rank).
 * 2. Folding-in: each model's topics P(w|z) = W/colsum W are frozen and only H is fitted on the
 *    test documents (EM for pLSA, Hofmann's folding-in; the configured model for KL-NMF), from the
 *    uniform mixture P(z|d) = 1/K.
 * 3. Each test document goes to argmax_z P(z|d); purity and NMI (the `nmi` metric's definition)
 *    against the categories, for both models and for uniformly random assignments (mean of
 *    `baselineDraws`). In-sample scores of the training documents are reported beside.
 * 4. The equivalence (Gaussier & Goutte 2005): the relative difference of the two training KL
 *    objectives, the largest difference of their topics, the NMI and agreement of their test
 *    assignments, and the largest difference of H between folding pLSA's topics in by EM and by
 *    the configured KL updates (the same iteration once W is column-stochastic: ≈ 0).
 * `extra.labels` is pLSA's test assignment (so the `nmi` metric scores it too); topics (top
 * `topWords` terms) and the category composition of each topic go to extra.json.
 */
export default definePlugin<'task', Params>({
  meta: {
    kind: 'task',
    id: 'topic-cluster',
    description:
      'pLSA vs KL-NMF fitted on a corpus train split, test documents folded in: purity and NMI against the labels and random',
    params: {
      rankFrom: {
        type: 'string',
        enum: ['categories', 'model'],
        default: 'categories',
        description: 'K = the number of categories of the corpus, or the model’s rank',
      },
      nmiAverage: {
        type: 'string',
        enum: ['geometric', 'arithmetic', 'min', 'max'],
        default: 'geometric',
        description: 'normalizer of the mutual information (as the nmi metric’s `average`)',
      },
      baselineDraws: {
        type: 'integer',
        minimum: 1,
        default: 200,
        description: 'uniformly random assignments averaged for the baseline',
      },
      topWords: { type: 'integer', minimum: 1, default: 8, description: 'words listed per topic' },
    },
  },
  create: (p) => ({
    id: 'topic-cluster',
    run(ctx: TaskContext) {
      const Vte = ctx.data.matrix;
      const labels = ctx.data.extra?.labels as number[] | undefined;
      const train = ctx.data.extra?.train as TrainSplit | undefined;
      const categories = (ctx.data.extra?.categories as string[] | undefined) ?? [];
      const vocabulary = ctx.data.extra?.vocabulary as string[] | undefined;
      if (!Vte || !labels || labels.length !== Vte.cols || !train?.matrix || train.matrix.rows !== Vte.rows)
        throw new NmflabError('topic-cluster needs a labelled test split with its training split', {
          path: 'data',
          expected: 'source text-corpus with split: test (matrix, extra.labels, extra.train)',
          found: !Vte
            ? 'no matrix'
            : !train
              ? 'no extra.train'
              : `${labels?.length ?? 0} labels for ${Vte.cols} documents`,
        });
      const Vtr = train.matrix;
      const F = Vtr.rows,
        K = p.rankFrom === 'categories' ? categories.length : ctx.rank;
      if (K < 2)
        throw new NmflabError('topic-cluster needs at least 2 topics', {
          path: 'task.params.rankFrom',
          expected: 'a corpus with ≥ 2 categories or a model rank ≥ 2',
          found: String(K),
        });
      const solverRef = (params: Record<string, unknown>): PluginRef => {
        const { ref, errors } = ctx.registry.validate('solver', { id: 'plsa', params }, { path: 'task.params' });
        if (!ref) throw errors[0];
        return ref;
      };
      const plsa = solverRef({});

      const rng = ctx.rng.fork('start');
      const W0 = new Matrix(F, K, rng.fillUniform(new Float64Array(F * K), 0.1, 1));
      normalizeColumns(W0);
      const H0 = new Matrix(K, Vtr.cols, rng.fillUniform(new Float64Array(K * Vtr.cols), 0.1, 1));
      scaleToDocuments(H0, Vtr, false);
      const em = ctx.fit({
        problem: { V: Vtr, rank: K, W0: W0.clone(), H0: H0.clone() },
        label: 'train:plsa',
        solver: plsa,
      });
      const mu = ctx.fit({ problem: { V: Vtr, rank: K, W0: W0.clone(), H0: H0.clone() }, label: 'train:kl-nmf' });

      const foldIn = (fit: FitResult, label: string, solver?: PluginRef) => {
        const W = fit.result.W.clone();
        normalizeColumns(W);
        const H = new Matrix(K, Vte.cols);
        scaleToDocuments(H, Vte, true);
        return ctx.fit({
          problem: { V: Vte, rank: K, W0: W, H0: H, freezeW: true },
          label,
          ...(solver ? { solver } : {}),
        });
      };
      const emTest = foldIn(em, 'test:plsa', plsa);
      const muTest = foldIn(mu, 'test:kl-nmf');
      // With column-stochastic W frozen, EM's P(z|d) update is the KL multiplicative H update: the
      // two fold-ins of pLSA's topics must coincide.
      const emTopicsByMu = foldIn(em, 'test:plsa-topics-by-kl-nmf');

      const metrics: Record<string, MetricValue> = {};
      const nmi = (a: ArrayLike<number>, b: ArrayLike<number>) => normalizedMutualInformation(a, b, p.nmiAverage);
      const score = (prefix: string, assign: number[], truth: number[]) => {
        metrics[`${prefix}.purity`] = round(purity(assign, truth));
        metrics[`${prefix}.nmi`] = round(nmi(truth, assign));
      };
      const aEm = argmaxColumns(emTest.result.H),
        aMu = argmaxColumns(muTest.result.H);
      score('test.plsa', aEm, labels);
      score('test.klNmf', aMu, labels);
      score('train.plsa', argmaxColumns(em.result.H), train.labels);
      score('train.klNmf', argmaxColumns(mu.result.H), train.labels);
      const brng = ctx.rng.fork('baseline');
      let bp = 0,
        bn = 0;
      const draw = new Array<number>(labels.length);
      for (let d = 0; d < p.baselineDraws; d++) {
        for (let n = 0; n < draw.length; n++) draw[n] = brng.int(K);
        bp += purity(draw, labels);
        bn += nmi(labels, draw);
      }
      metrics['test.random.purity'] = round(bp / p.baselineDraws);
      metrics['test.random.nmi'] = round(bn / p.baselineDraws);
      // the share of the largest category: what purity gives a single cluster
      metrics['test.majorityShare'] = round(
        Math.max(...categories.map((_, c) => labels.filter((l) => l === c).length)) / labels.length,
      );

      const klEm = lastTerm(em, 'kl'),
        klMu = lastTerm(mu, 'data');
      metrics['equivalence.trainKLPlsa'] = round(klEm, 3);
      metrics['equivalence.trainKLKlNmf'] = round(klMu, 3);
      metrics['equivalence.relKLDiff'] = Number((Math.abs(klEm - klMu) / klMu).toExponential(3));
      const Wa = em.result.W.clone(),
        Wb = mu.result.W.clone();
      normalizeColumns(Wa);
      normalizeColumns(Wb);
      let maxTopicDiff = 0;
      for (let i = 0; i < Wa.data.length; i++) maxTopicDiff = Math.max(maxTopicDiff, Math.abs(Wa.data[i] - Wb.data[i]));
      metrics['equivalence.maxTopicDiff'] = Number(maxTopicDiff.toExponential(3));
      let foldInDiff = 0;
      const Ha = emTest.result.H.data,
        Hb = emTopicsByMu.result.H.data;
      for (let i = 0; i < Ha.length; i++) foldInDiff = Math.max(foldInDiff, Math.abs(Ha[i] - Hb[i]));
      metrics['equivalence.foldInMaxDiff'] = Number(foldInDiff.toExponential(3));
      metrics['equivalence.testAssignmentNMI'] = round(nmi(aEm, aMu));
      metrics['equivalence.testAgreement'] = round(aEm.filter((a, n) => a === aMu[n]).length / aEm.length);
      metrics.topics = K;
      metrics.trainDocuments = Vtr.cols;
      metrics.testDocuments = Vte.cols;

      const topics = Array.from({ length: K }, (_, k) =>
        Array.from({ length: F }, (_, f) => f)
          .sort((x, y) => Wa.data[y * K + k] - Wa.data[x * K + k] || x - y)
          .slice(0, p.topWords)
          .map((f) => vocabulary?.[f] ?? `term${f}`),
      );
      const composition = Array.from({ length: K }, (_, k) => {
        const c: Record<string, number> = {};
        aEm.forEach((a, n) => {
          if (a !== k) return;
          const name = categories[labels[n]] ?? String(labels[n]);
          c[name] = (c[name] ?? 0) + 1;
        });
        return c;
      });
      return {
        fit: em,
        metrics,
        matrices: { W: em.result.W, muW: mu.result.W, Htest: emTest.result.H, muHtest: muTest.result.H },
        extra: { labels: aEm, topics, composition },
      };
    },
  }),
});

function normalizeColumns(W: Matrix): void {
  const { rows, cols } = W;
  for (let k = 0; k < cols; k++) {
    let s = 0;
    for (let f = 0; f < rows; f++) s += W.data[f * cols + k];
    for (let f = 0; f < rows; f++) W.data[f * cols + k] /= s || 1;
  }
}

/** H's column n ← N_n P(z|n): the given column shares (or uniform), scaled to document n's count. */
function scaleToDocuments(H: Matrix, V: Matrix, uniform: boolean): void {
  const { rows: K, cols: N } = H;
  const Nn = new Float64Array(N);
  for (let f = 0; f < V.rows; f++) for (let n = 0; n < N; n++) Nn[n] += V.data[f * N + n];
  for (let n = 0; n < N; n++) {
    let s = 0;
    if (uniform) for (let k = 0; k < K; k++) H.data[k * N + n] = 1;
    for (let k = 0; k < K; k++) s += H.data[k * N + n];
    for (let k = 0; k < K; k++) H.data[k * N + n] = (H.data[k * N + n] / s) * Nn[n];
  }
}

function argmaxColumns(H: Matrix): number[] {
  const { rows: K, cols: N } = H;
  return Array.from({ length: N }, (_, n) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (H.data[k * N + n] > H.data[best * N + n]) best = k;
    return best;
  });
}

function lastTerm(f: FitResult, term: string): number {
  const t = f.trajectory[f.trajectory.length - 1];
  return t.terms[term] ?? t.objective;
}
