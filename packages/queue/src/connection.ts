// Nothing here loads BullMQ or ioredis: the CLI reads these names and defaults at start-up
// (`@nmflab/queue/connection`) and loads the rest of the package only when a queue is used.
import { NmflabError } from '@nmflab/core';

/** Where the queue lives: Redis connection options for BullMQ, and the queue's name. */
export interface QueueTarget {
  /** ioredis options (host, port, db, credentials, TLS) — BullMQ creates its clients from them. */
  connection: {
    host: string;
    port: number;
    db: number;
    username?: string;
    password?: string;
    tls?: Record<string, never>;
    /** BullMQ workers need commands to wait for a reconnection rather than fail. */
    maxRetriesPerRequest: null;
  };
  /** The URL without credentials, for messages. */
  display: string;
  name: string;
}

export const DEFAULT_QUEUE_NAME = 'nmflab-runs';

/**
 * Parse `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS). Anything else is an
 * NmflabError naming the option, what was expected and what was found.
 */
export function parseQueueUrl(url: string, name: string = DEFAULT_QUEUE_NAME): QueueTarget {
  const expected = 'redis://HOST:PORT/DB (e.g. redis://10.0.0.5:6379/0; rediss:// for TLS)';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NmflabError('bad --queue', { path: '--queue', expected, found: JSON.stringify(url) });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new NmflabError('bad --queue', { path: '--queue', expected, found: JSON.stringify(url) });
  if (!u.hostname)
    throw new NmflabError('bad --queue: no host', { path: '--queue', expected, found: JSON.stringify(url) });
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText))
    throw new NmflabError('bad --queue: the database must be a number', {
      path: '--queue',
      expected,
      found: JSON.stringify(url),
    });
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new NmflabError('bad --queue-name', {
      path: '--queue-name',
      expected: 'letters, digits, _ . -',
      found: JSON.stringify(name),
    });
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    connection: {
      host,
      port,
      db,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      maxRetriesPerRequest: null,
    },
    display: `${u.protocol}//${u.host}/${db}`,
    name,
  };
}

/** How a worker takes jobs; the defaults suit runs of seconds to hours. */
export interface WorkerSettings {
  /** Runs at once on this machine (each in its own worker thread). */
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal (ms). The worker renews it every half of this
   * while the run computes (in a thread, so a long synchronous fit does not block renewal); when
   * the machine dies, the job is taken over by another worker after about this long.
   */
  lockDuration: number;
  /** How often this worker looks for jobs whose lock expired (ms). */
  stalledInterval: number;
  /** Times a job may be recovered from a dead worker before it is failed. */
  maxStalledCount: number;
  /** Where this machine mounts the results root (default: the submitter's path). */
  outRoot?: string;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  concurrency: 1,
  lockDuration: 60_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
};
