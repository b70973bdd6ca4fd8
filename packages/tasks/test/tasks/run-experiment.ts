import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, type RunRecord } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';

/**
 * Run an experiment file of `experiments/` through the runner (in process, on the TypeScript
 * sources) with `--set` overrides that shrink it, and read back each run's record, metrics, extra
 * and every other JSON file (`json['pianoroll.json']`…); the results folder is removed.
 */
export async function runShrunk(file: string, sets: string[], sweeps: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'nmflab-exp-'));
  try {
    const r = await runExperiment({ configFile: `experiments/${file}`, sets, sweeps, outDir: out, createRunEnv: async (files) => ({ registry: await buildRegistry(files) }) });
    const runs = r.records.map((rec, i) => {
      const d = join(r.dir, String(i).padStart(4, '0'));
      const record = rec as RunRecord;
      const json: Record<string, unknown> = {};
      for (const f of readdirSync(d)) if (f.endsWith('.json')) json[f] = JSON.parse(readFileSync(join(d, f), 'utf8'));
      const metrics = record.status === 'completed' ? ((json['metrics.json'] ?? {}) as Record<string, number>) : {};
      const extra = (json['extra.json'] ?? {}) as Record<string, unknown>;
      return { record, metrics, extra, json };
    });
    return { runs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
