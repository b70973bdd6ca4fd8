import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A sweep folder written by hand, as `nmflab run` lays it out (run.json, config.yaml, metrics.csv,
 * trajectory.csv per run; sweep.yaml), with made-up but deterministic metrics: for tests of what
 * reads results (compare, the run store, reports) without the cost of real runs.
 * Methods × ranks × seeds; sdr of method m, rank r, seed s, source j = base[m] + r/10 + sin(1.7 s + j).
 */
export const FAKE_METHODS: Record<string, number> = { mu: 6, plsa: 5.5, 'complex-nmf': 1 };
export const FAKE_RANKS = [8, 16];
export const FAKE_SEEDS = 4;
export const FAKE_SOURCES = ['speech', 'chime'];

export function fakeValue(method: string, rank: number, seed: number, source: number): number {
  return FAKE_METHODS[method] + rank / 10 + Math.sin(1.7 * seed + source);
}

/** Writes `<root>/<experiment>/20260101-000000/NNNN/…`; returns the sweep folder. */
export function writeFakeSweep(root: string, experiment = 'fake-sweep', stamp = '20260101-000000'): string {
  const dir = join(root, experiment, stamp);
  mkdirSync(dir, { recursive: true });
  const runs: { run: string; seed: number; varied: Record<string, unknown> }[] = [];
  let i = 0;
  for (const method of Object.keys(FAKE_METHODS)) {
    for (const rank of FAKE_RANKS) {
      for (let seed = 1; seed <= FAKE_SEEDS; seed++) {
        const run = String(i).padStart(4, '0');
        const varied = { 'model.solver.id': method, 'model.rank': rank, seed };
        runs.push({ run, seed, varied });
        const rd = join(dir, run);
        mkdirSync(rd, { recursive: true });
        const config = {
          name: experiment,
          seed,
          data: { id: 'mixture-file', params: { path: 'data/mixtures/speech-chime-test.json' } },
          model: { solver: { id: method, params: {} }, rank, stopping: { maxIterations: 20 } },
          task: { id: 'separate' },
          outputs: { factors: false, wavs: false },
        };
        writeFileSync(join(rd, 'config.yaml'), JSON.stringify(config, null, 2)); // JSON is YAML
        const metrics: Record<string, number> = {};
        FAKE_SOURCES.forEach((s, j) => {
          metrics[`sdr[${s}]`] = fakeValue(method, rank, seed, j);
          metrics[`sir[${s}]`] = fakeValue(method, rank, seed, j) + 5;
        });
        const objective = 1000 / rank + seed;
        writeFileSync(
          join(rd, 'run.json'),
          JSON.stringify(
            {
              run,
              index: i,
              experiment,
              status: 'completed',
              seed,
              varied,
              started: '2026-01-01T00:00:00.000Z',
              finished: '2026-01-01T00:00:01.000Z',
              seconds: 0.5 + i / 100,
              iterations: 20,
              stopReason: 'max-iterations',
              increases: 0,
              objective: { total: objective, terms: { data: objective } },
              metrics,
              provenance: {
                git: { commit: 'abc123', dirty: false },
                packages: {},
                node: 'v20',
                host: 'test',
                platform: 'linux-x64',
              },
            },
            null,
            2,
          ),
        );
        writeFileSync(
          join(rd, 'metrics.csv'),
          `${[
            'metric,source,value',
            ...Object.entries(metrics).map(([k, v]) => {
              const m = /^(.*)\[(.*)\]$/.exec(k)!;
              return `${m[1]},${m[2]},${v}`;
            }),
          ].join('\n')}\n`,
        );
        writeFileSync(
          join(rd, 'trajectory.csv'),
          `${[
            'iteration,objective,term:data,seconds',
            ...Array.from({ length: 21 }, (_, t) => {
              const o = objective * (1 + 5 / (t + 1));
              return `${t},${o},${o},${(t * 0.01).toFixed(6)}`;
            }),
          ].join('\n')}\n`,
        );
        i++;
      }
    }
  }
  writeFileSync(
    join(dir, 'sweep.yaml'),
    JSON.stringify({
      experiment,
      config: 'experiments/fake.yaml',
      created: '2026-01-01T00:00:00.000Z',
      seed: 1,
      axes: [
        { path: 'model.solver.id', values: Object.keys(FAKE_METHODS) },
        { path: 'model.rank', values: FAKE_RANKS },
      ],
      runs,
    }),
  );
  return dir;
}
