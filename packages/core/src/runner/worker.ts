import { parentPort, workerData } from 'node:worker_threads';
import { NmflabError } from '../errors.js';
import { performRun, type RunEnv, type RunJob } from './execute.js';

/**
 * Worker-thread entry: builds the run environment once (through the setup module the caller
 * names, e.g. the CLI's container), then performs the jobs it is sent, one at a time. The abort
 * flag is shared memory so a synchronous fit sees Ctrl-C between iterations.
 */
interface Init {
  setupModule: string;
  pluginFiles: string[];
  abort: SharedArrayBuffer;
}

const init = workerData as Init;
const flag = new Int32Array(init.abort);
const signal = {
  get aborted() {
    return Atomics.load(flag, 0) === 1;
  },
};

const setup = (await import(init.setupModule)) as { createRunEnv(pluginFiles: string[]): Promise<RunEnv> };
let env: RunEnv | undefined;
let envError: string | undefined;
try {
  env = await setup.createRunEnv(init.pluginFiles);
} catch (e) {
  envError = e instanceof NmflabError ? e.format() : String(e);
}

parentPort!.on('message', async (job: RunJob) => {
  if (!env) {
    parentPort!.postMessage({ type: 'crash', index: job.index, error: envError });
    return;
  }
  let last = 0;
  let record;
  try {
    record = await performRun(job, env, {
      signal,
      onProgress: (iteration, max) => {
        const now = Date.now();
        if (now - last > 100 || iteration === max) {
          last = now;
          parentPort!.postMessage({ type: 'progress', index: job.index, iteration, max });
        }
      },
    });
  } catch (e) {
    // The run folder could not be written (disk full…): the whole sweep stops with this error.
    const error =
      e instanceof NmflabError ? e.format() : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    parentPort!.postMessage({
      type: 'fatal',
      index: job.index,
      error,
      exitCode: e instanceof NmflabError ? e.exitCode : 1,
    });
    return;
  }
  parentPort!.postMessage({ type: 'done', index: job.index, record });
});
parentPort!.postMessage({ type: 'ready' });
