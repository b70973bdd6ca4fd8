import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The job id of one run: a hash of its resolved config (which holds its seed) and where its folder
 * goes (sweep folder relative to the results root, run name). Adding a job whose id exists is a
 * no-op in BullMQ, so submitting a sweep twice queues each run once; the destination is part of
 * the hash so that two sweeps sharing a run each get their own folder.
 */
export function runJobId(config: unknown, seed: number, destination: string): string {
  return `run-${sha(canonicalJson({ config, seed, destination })).slice(0, 32)}`;
}

/** A sweep's identity: the hash of its runs (names and resolved configs); recorded in sweep.yaml. */
export function sweepId(runs: readonly { name: string; config: unknown }[]): string {
  return sha(canonicalJson(runs.map((r) => ({ name: r.name, config: r.config })))).slice(0, 24);
}
