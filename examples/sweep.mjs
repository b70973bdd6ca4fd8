// A sweep from code: the rank × divergence grid on synthetic rank-4 data, run as `nmflab run`
// would (one folder per run, summary.csv), on worker threads, cancellable with Ctrl-C.
//
//   node examples/sweep.mjs [OUT_DIR] [--quick]
import { runExperiment } from 'nmflab';

const quick = process.argv.includes('--quick');
const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'results';
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const run = await runExperiment(
  {
    name: 'sweep-from-code',
    seed: 0,
    data: { id: 'synthetic-lowrank', params: { rows: 40, cols: quick ? 50 : 200, rank: 4, noise: 0.01 } },
    model: {
      solver: { id: 'mu', params: { divergence: 'kl' } },
      rank: 4,
      stopping: { maxIterations: quick ? 40 : 300 },
    },
    sweep: { 'model.rank': [2, 4, 6], 'model.solver.params.divergence': ['kl', 'euclidean'] },
  },
  {
    out,
    jobs: quick ? 1 : 2,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === 'end')
        console.log(
          `run ${e.record.run}: ${e.record.status}, ${JSON.stringify(e.record.varied)}, objective ${e.record.objective?.total.toPrecision(6)}`,
        );
    },
  },
);
console.log(`${run.completed} completed, ${run.failed} failed, results in ${run.dir}`);
