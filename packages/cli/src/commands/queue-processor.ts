import { workerData } from 'node:worker_threads';
import { collectProvenance, type Provenance, type RunEnv } from '@nmflab/core';
import { processRunJob, type RunJobData, type RunJobResult, type SandboxedJob } from '@nmflab/queue';
import { createRunEnv, packageVersions } from '../container.js';

/**
 * BullMQ sandboxed processor of `nmflab worker`: runs in a worker thread of the worker process and
 * executes one job with the local runner's code path (`processRunJob` → `performRun`), with the
 * same plugin registry as `nmflab run` builds (the built-ins plus the config's plugin files).
 */
const outRoot = (workerData as { nmflabQueue?: { outRoot?: string } } | null)?.nmflabQueue?.outRoot;
const envs = new Map<string, Promise<RunEnv>>();
let provenance: Provenance | undefined;

export default async function processJob(job: SandboxedJob<RunJobData, RunJobResult>): Promise<RunJobResult> {
  const plugins = job.data.job.config.plugins ?? [];
  const key = JSON.stringify(plugins);
  let env = envs.get(key);
  if (!env) {
    env = createRunEnv([...plugins]);
    envs.set(key, env);
  }
  provenance ??= collectProvenance(packageVersions());
  let last = 0;
  return processRunJob(job.data, await env, {
    provenance,
    outRoot,
    onProgress: (iteration, max) => {
      const now = Date.now();
      if (now - last >= 500 || iteration === max) {
        last = now;
        void job.updateProgress({ iteration, max }).catch(() => {});
      }
    },
  });
}
