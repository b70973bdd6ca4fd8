/**
 * §6 over the corpus at reduced size: the committed experiments experiments/separation-corpus-*.yaml
 * through the runner on 3 test items (one per test speaker), 0 dB, one seed, 40 iterations.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearReusedFits, runExperiment, tInterval, type MetricValue, type RunRecord } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';
import { tempDirs } from '../../../../test/support/temp-dir.js';
import { SLOW, runReduced } from '../support/experiment.js';

const tmp = tempDirs('nmflab-sep-corpus-');
const ITEMS = '[june-01, carlo-01, ivrvoice-01]';
const SHRINK = ['model.stopping.maxIterations=40', 'task.params.clusterRestarts=2'];
const SWEEP = [`data.params.item=${ITEMS}`, 'seeds=1', 'data.params.snrDb=[0]'];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** [speech, chime] SDR of the estimates, or of `oracle-irm.` / `mixture.` (metrics.json lists per source). */
const sdr = (m: Record<string, MetricValue>, prefix = '') => m[`${prefix}sdr`] as number[];

describe('separation over the speech + chime corpus (reduced)', () => {
  it(
    'the ideal ratio mask bounds supervised and unsupervised separation on every item; covering the test pitches in training raises the chime SDR',
    async () => {
      const sup = await runReduced('experiments/separation-corpus-supervised.yaml', SHRINK, SWEEP);
      const uns = await runReduced('experiments/separation-corpus-unsupervised.yaml', SHRINK, SWEEP);
      const overlap = await runReduced(
        'experiments/separation-corpus-supervised.yaml',
        [...SHRINK, 'data.params.training.chime=pitch-overlap'],
        SWEEP,
      );
      for (const runs of [sup, uns, overlap]) {
        expect(runs.map((r) => r.record.status)).toEqual(['completed', 'completed', 'completed']);
        for (const r of runs) {
          const oracle = mean(sdr(r.metrics, 'oracle-irm.'));
          expect(oracle).toBeGreaterThan(mean(sdr(r.metrics)));
          expect(mean(sdr(r.metrics))).toBeGreaterThan(mean(sdr(r.metrics, 'mixture.')));
        }
      }
      const chime = (runs: typeof sup) => mean(runs.map((r) => sdr(r.metrics)[1]));
      expect(chime(overlap)).toBeGreaterThan(chime(sup) + 3);
      // the oracle does not depend on the method or the training
      expect(sup.map((r) => sdr(r.metrics, 'oracle-irm.'))).toEqual(uns.map((r) => sdr(r.metrics, 'oracle-irm.')));
    },
    SLOW,
  );

  it(
    'aggregate.csv pools items × seeds per SNR: n, mean and the t-interval of the per-run values',
    async () => {
      const r = await runExperiment({
        configFile: 'experiments/separation-corpus-supervised.yaml',
        sets: SHRINK,
        sweeps: [
          'data.params.item=items(data/corpus/speech/manifest.json, test, 2)',
          'seeds=2',
          'data.params.snrDb=[-5, 5]',
        ],
        outDir: tmp.dir,
        createRunEnv: async (f) => ({ registry: await buildRegistry(f) }),
      });
      expect(r.completed).toBe(8);
      // no quoted cells here (the group is one number), so a plain split reads the table
      const [header, ...lines] = readFileSync(join(r.dir, 'aggregate.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(','));
      const rows = lines.map((l) => Object.fromEntries(header!.map((h, i) => [h, l[i]])));
      for (const snr of [-5, 5]) {
        const runs = (r.records as RunRecord[]).filter((x) => x.varied['data.params.snrDb'] === snr);
        expect(runs.length).toBe(4);
        const values = runs.map((x) => x.metrics!['sdr[speech]']);
        const row = rows.find((x) => x['data.params.snrDb'] === String(snr) && x.metric === 'sdr[speech]')!;
        expect(Number(row.n)).toBe(4);
        expect(Number(row.mean)).toBeCloseTo(mean(values), 12);
        expect(Number(row.ci95)).toBeCloseTo(tInterval(values).ci95!, 12);
        expect(Number(row.ci95)).toBeCloseTo((3.182446 * Number(row.sd)) / 2, 5);
      }
      expect(rows.some((x) => 'data.params.item' in x)).toBe(false);
    },
    SLOW,
  );

  it(
    'a dictionary reused from an earlier run of the process gives bit-identical results to one learned afresh',
    async () => {
      const after = await runReduced('experiments/separation-corpus-supervised.yaml', SHRINK, [
        'data.params.item=[june-02, june-01]',
        'seeds=1',
        'data.params.snrDb=[0]',
      ]);
      clearReusedFits();
      const fresh = await runReduced('experiments/separation-corpus-supervised.yaml', SHRINK, [
        'data.params.item=[june-01]',
        'seeds=1',
        'data.params.snrDb=[0]',
      ]);
      expect(after[1].metrics).toEqual(fresh[0].metrics);
    },
    SLOW,
  );
});
