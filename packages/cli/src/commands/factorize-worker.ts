import { parentPort, workerData } from 'node:worker_threads';
import { NmflabError } from '@nmflab/core';
import { runFactorize, type FactorizeOptions } from './factorize.js';

/** Worker side of `nmflab factorize`: runs the fit; the main thread raises `flag` on Ctrl-C. */
const { options, flag, progress } = workerData as { options: FactorizeOptions; flag: Int32Array; progress: boolean };

// The fit reads only `aborted`; here it is the shared flag the main thread sets.
const signal = {
  get aborted() {
    return Atomics.load(flag, 0) === 1;
  },
} as AbortSignal;

try {
  const summary = await runFactorize(options, {
    signal,
    warn: (line) => parentPort!.postMessage({ type: 'progress', line: `nmflab: warning: ${line}` }),
    progress: progress ? (line) => parentPort!.postMessage({ type: 'progress', line }) : undefined,
  });
  parentPort!.postMessage({ type: 'done', summary });
} catch (e) {
  if (e instanceof NmflabError)
    parentPort!.postMessage({ type: 'error', message: e.format(), exitCode: e.exitCode, stack: e.stack });
  else
    parentPort!.postMessage({
      type: 'error',
      message: `internal error: ${(e as Error).message}`,
      exitCode: 1,
      stack: (e as Error).stack,
    });
}
