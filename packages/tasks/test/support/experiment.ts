import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, type MetricValue, type RunRecord } from '@nmflab/core';
import { buildRegistry } from '../../../../test/support/registry.js';

export interface ReducedRun {
  record: RunRecord;
  metrics: Record<string, MetricValue>;
  extra: Record<string, unknown>;
  /** Every JSON file of the run folder by name (`json['pianoroll.json']`…). */
  json: Record<string, unknown>;
  files: string[];
}

/**
 * Run a committed experiment (path relative to the repository root, the working directory of the
 * tests) through the runner, in process on the TypeScript sources, shrunk by `--set`/`--sweep`
 * overrides; the run folders' records, metrics, extra.json and other JSON files are returned in
 * run order and the results folder removed.
 */
export async function runReduced(config: string, sets: string[], sweeps: string[] = []): Promise<ReducedRun[]> {
  const out = mkdtempSync(join(tmpdir(), 'nmflab-exp-'));
  try {
    const r = await runExperiment({
      configFile: config,
      sets,
      sweeps,
      outDir: out,
      createRunEnv: async (f) => ({ registry: await buildRegistry(f) }),
    });
    return readdirSync(r.dir)
      .filter((d) => /^\d{4}$/.test(d))
      .sort()
      .map((d) => {
        const dir = join(r.dir, d);
        const files = readdirSync(dir);
        const json: Record<string, unknown> = {};
        for (const f of files) if (f.endsWith('.json')) json[f] = JSON.parse(readFileSync(join(dir, f), 'utf8'));
        const record = json['run.json'] as RunRecord;
        const metrics = (json['metrics.json'] ?? {}) as Record<string, MetricValue>;
        const extra = (json['extra.json'] ?? {}) as Record<string, unknown>;
        return { record, metrics, extra, json, files };
      });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const num = (m: Record<string, MetricValue>, k: string): number => {
  const v = m[k];
  if (typeof v !== 'number') throw new Error(`metric ${k} is not a number: ${JSON.stringify(v)}`);
  return v;
};

/** Timeout of a reduced experiment run: a few seconds on an idle machine, much more on a shared one. */
export const SLOW = 300_000;
