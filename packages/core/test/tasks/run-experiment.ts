import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, type RunRecord } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';

/**
 * Run an experiment file of `experiments/` through the runner (in process, on the TypeScript
 * sources) with `--set` overrides that shrink it, and read back each run's metrics, record and extra.
 */
export async function runShrunk(file: string, sets: string[], sweeps: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'nmflab-exp-'));
  const r = await runExperiment({ configFile: `experiments/${file}`, sets, sweeps, outDir: out, createRunEnv: async (files) => ({ registry: await buildRegistry(files) }) });
  const runs = r.records.map((rec, i) => {
    const d = join(r.dir, String(i).padStart(4, '0'));
    const record = rec as RunRecord;
    const metrics = record.status === 'completed' ? (JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')) as Record<string, number>) : {};
    let extra: Record<string, unknown> = {};
    try {
      extra = JSON.parse(readFileSync(join(d, 'extra.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      /* no extra */
    }
    return { dir: d, record, metrics, extra };
  });
  return { dir: r.dir, runs };
}
