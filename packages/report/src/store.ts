import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parse as parseYaml } from 'yaml';
import { NmflabError, flattenConfig, splitMetricKey, type Cell } from '@nmflab/core';

/**
 * The run store: every run folder under a results root indexed into one DuckDB file
 * (`<root>/.index/runs.duckdb`) so that results can be asked in SQL and exported as Parquet. The
 * folders stay the source of truth; the index is brought up to date incrementally (new, changed
 * and removed run folders, by run.json's mtime and size) before each use, under a lock file so
 * that concurrent commands never write it at once. A sweep running meanwhile is safe: a folder
 * named like a run is complete (runs are written as `.NAME.tmp` and renamed), and dot folders are
 * never indexed.
 *
 * Tables (one row per …):
 * - `runs`: run — run_id (folder relative to the root), experiment, sweep (the sweep folder),
 *   run, status, seed, iterations, stop_reason, seconds, started, finished, objective, increases,
 *   error, git_commit, git_dirty, node, host, platform, varied (JSON);
 * - `params`: run × config value — run_id, key (dotted path), value (text), num (number or NULL);
 * - `metrics`: run × metric × source — run_id, metric, source ('' for one value), value;
 * - `trajectories`: run × iteration — run_id, iteration, objective, seconds;
 * Views: `results` — metrics joined to runs with every config key as a column ("model.rank"…,
 * quote them), and `run_metrics` — a metric per run averaged over sources.
 */

/** The tables and views of the store, in export order. */
export const STORE_TABLES = ['runs', 'params', 'metrics', 'trajectories', 'results', 'run_metrics'] as const;

export interface StoreOptions {
  /** The index file (default `<root>/.index/runs.duckdb`). */
  file?: string;
  /** How long to wait for another process's lock, in ms (default 60 000). */
  lockTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface UpdateStats {
  added: number;
  updated: number;
  removed: number;
  total: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS indexed (run_id VARCHAR PRIMARY KEY, stamp VARCHAR);
CREATE TABLE IF NOT EXISTS runs (run_id VARCHAR PRIMARY KEY, experiment VARCHAR, sweep VARCHAR, run VARCHAR, status VARCHAR, seed BIGINT, iterations INTEGER, stop_reason VARCHAR, seconds DOUBLE, started VARCHAR, finished VARCHAR, objective DOUBLE, increases INTEGER, error VARCHAR, git_commit VARCHAR, git_dirty BOOLEAN, node VARCHAR, host VARCHAR, platform VARCHAR, varied VARCHAR);
CREATE TABLE IF NOT EXISTS params (run_id VARCHAR, key VARCHAR, value VARCHAR, num DOUBLE);
CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR, metric VARCHAR, source VARCHAR, value DOUBLE);
CREATE TABLE IF NOT EXISTS trajectories (run_id VARCHAR, iteration INTEGER, objective DOUBLE, seconds DOUBLE);
`;

/** Run folders under `root` (depth-limited; dot entries skipped: temporary folders, the index). */
function findRunFolders(root: string, depth = 5, out: string[] = []): string[] {
  if (existsSync(join(root, 'run.json'))) {
    out.push(root);
    return out;
  }
  if (depth === 0) return out;
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return out; // removed while we looked
  }
  for (const e of entries) {
    if (e.startsWith('.') || e === 'report') continue;
    const p = join(root, e);
    try {
      if (statSync(p).isDirectory()) findRunFolders(p, depth - 1, out);
    } catch {
      /* removed while we looked */
    }
  }
  return out;
}

function stampOf(dir: string): string {
  const s = statSync(join(dir, 'run.json'));
  return `${s.mtimeMs}:${s.size}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An exclusive lock file holding our pid; a lock whose process is gone is taken over. */
async function lock(file: string, timeoutMs: number, shown: string): Promise<() => void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      // stale: its process died; remove it only if it is still that one's
      try {
        if (Number(readFileSync(file, 'utf8')) === pid) rmSync(file, { force: true });
      } catch {
        /* gone */
      }
      continue;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new NmflabError('the run index is locked by another process', {
        file: shown,
        expected: `the lock released within ${Math.round(timeoutMs / 1000)} s`,
        found: `held by pid ${pid}`,
        exitCode: 1,
      });
    await sleep(50 + Math.random() * 50);
  }
}

function readRun(
  dir: string,
):
  | { record: Record<string, unknown>; config: Record<string, unknown>; trajectory: [number, number, number][] }
  | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // unreadable run.json: skipped (and reported by the caller)
  }
  let config: Record<string, unknown> = {};
  try {
    if (existsSync(join(dir, 'config.yaml')))
      config = (parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  } catch {
    config = {};
  }
  const trajectory: [number, number, number][] = [];
  const tf = join(dir, 'trajectory.csv');
  if (existsSync(tf)) {
    const lines = readFileSync(tf, 'utf8').trim().split('\n');
    const head = (lines[0] ?? '').split(',');
    const it = head.indexOf('iteration');
    const ob = head.indexOf('objective');
    const se = head.indexOf('seconds');
    for (const l of lines.slice(1)) {
      const c = l.split(',');
      const row: [number, number, number] = [Number(c[it]), Number(c[ob]), Number(c[se])];
      if (row.every(Number.isFinite)) trajectory.push(row);
    }
  }
  return { record, config, trajectory };
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === undefined || v === null ? null : String(v);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** SQL identifier quoting. */
export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export class RunStore {
  private constructor(
    readonly root: string,
    readonly file: string,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly release: () => void,
  ) {}

  /** Open (creating) the index of `root` and take its lock; call {@link close} when done. */
  static async open(root: string, options: StoreOptions = {}): Promise<RunStore> {
    if (!existsSync(root) || !statSync(root).isDirectory())
      throw new NmflabError('not a folder', {
        file: root,
        expected: 'a results folder (nmflab run --out, default results/)',
      });
    const file = options.file ?? join(root, '.index', 'runs.duckdb');
    mkdirSync(join(file, '..'), { recursive: true });
    const release = await lock(`${file}.lock`, options.lockTimeoutMs ?? 60_000, `${file}.lock`);
    try {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      await connection.run(SCHEMA);
      return new RunStore(root, file, instance, connection, release);
    } catch (e) {
      release();
      throw e;
    }
  }

  close(): void {
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      this.release();
    }
  }

  /** Bring the index up to date with the run folders: add new, re-read changed, drop removed. */
  async update(log?: (line: string) => void): Promise<UpdateStats> {
    const folders = findRunFolders(this.root);
    const idOf = (d: string) => relative(this.root, d).split(sep).join('/');
    const known = new Map(
      (await this.rows('SELECT run_id, stamp FROM indexed')).map((r) => [String(r[0]), String(r[1])]),
    );
    const seen = new Set<string>();
    const todo: { id: string; dir: string; stamp: string }[] = [];
    for (const dir of folders) {
      const id = idOf(dir);
      seen.add(id);
      let stamp: string;
      try {
        stamp = stampOf(dir);
      } catch {
        continue;
      }
      if (known.get(id) !== stamp) todo.push({ id, dir, stamp });
    }
    const gone = [...known.keys()].filter((id) => !seen.has(id));
    const stats: UpdateStats = {
      added: todo.filter((t) => !known.has(t.id)).length,
      updated: todo.filter((t) => known.has(t.id)).length,
      removed: gone.length,
      total: seen.size,
    };
    if (!todo.length && !gone.length) return stats;
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const drop = [...gone, ...todo.filter((t) => known.has(t.id)).map((t) => t.id)];
      for (let i = 0; i < drop.length; i += 500) {
        const ids = drop.slice(i, i + 500);
        const list = ids.map((_, j) => `$${j + 1}`).join(',');
        for (const t of ['indexed', 'runs', 'params', 'metrics', 'trajectories'])
          await this.connection.run(`DELETE FROM ${t} WHERE run_id IN (${list})`, ids);
      }
      const A = {
        indexed: await this.connection.createAppender('indexed'),
        runs: await this.connection.createAppender('runs'),
        params: await this.connection.createAppender('params'),
        metrics: await this.connection.createAppender('metrics'),
        trajectories: await this.connection.createAppender('trajectories'),
      };
      const text = (a: (typeof A)['runs'], v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v));
      const dbl = (a: (typeof A)['runs'], v: number | null) => (v === null ? a.appendNull() : a.appendDouble(v));
      const int = (a: (typeof A)['runs'], v: number | null) =>
        v === null || !Number.isInteger(v) ? a.appendNull() : a.appendInteger(v);
      let skipped = 0;
      for (const t of todo) {
        const r = readRun(t.dir);
        if (!r) {
          skipped++;
          continue;
        }
        const rec = r.record;
        const prov = (rec.provenance ?? {}) as {
          git?: { commit?: string | null; dirty?: boolean | null };
          node?: string;
          host?: string;
          platform?: string;
        };
        const parts = t.id.split('/');
        A.indexed.appendVarchar(t.id);
        A.indexed.appendVarchar(t.stamp);
        A.indexed.endRow();
        const a = A.runs;
        a.appendVarchar(t.id);
        text(a, str(rec.experiment));
        text(a, parts.length > 1 ? parts.slice(0, -1).join('/') : '');
        text(a, str(rec.run) ?? parts.at(-1)!);
        text(a, str(rec.status));
        const seed = numOrNull(rec.seed);
        seed === null || !Number.isSafeInteger(seed) ? a.appendNull() : a.appendBigInt(BigInt(seed));
        int(a, numOrNull(rec.iterations));
        text(a, str(rec.stopReason));
        dbl(a, numOrNull(rec.seconds));
        text(a, str(rec.started));
        text(a, str(rec.finished));
        dbl(a, numOrNull((rec.objective as { total?: number } | undefined)?.total));
        int(a, numOrNull(rec.increases));
        text(a, str(rec.error));
        text(a, str(prov.git?.commit));
        typeof prov.git?.dirty === 'boolean' ? a.appendBoolean(prov.git.dirty) : a.appendNull();
        text(a, str(prov.node));
        text(a, str(prov.host));
        text(a, str(prov.platform));
        text(a, JSON.stringify(rec.varied ?? {}));
        a.endRow();
        for (const [k, v] of Object.entries(flattenConfig(r.config))) {
          A.params.appendVarchar(t.id);
          A.params.appendVarchar(k);
          text(A.params, v === null ? null : String(v));
          dbl(A.params, typeof v === 'number' && Number.isFinite(v) ? v : null);
          A.params.endRow();
        }
        for (const [k, v] of Object.entries((rec.metrics ?? {}) as Record<string, unknown>)) {
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          const { metric, source } = splitMetricKey(k);
          A.metrics.appendVarchar(t.id);
          A.metrics.appendVarchar(metric);
          A.metrics.appendVarchar(source);
          A.metrics.appendDouble(v);
          A.metrics.endRow();
        }
        for (const [it, ob, se] of r.trajectory) {
          A.trajectories.appendVarchar(t.id);
          A.trajectories.appendInteger(it);
          A.trajectories.appendDouble(ob);
          A.trajectories.appendDouble(se);
          A.trajectories.endRow();
        }
      }
      for (const x of Object.values(A)) x.closeSync();
      await this.refreshViews();
      await this.connection.run('COMMIT');
      if (skipped) log?.(`index: ${skipped} run folder(s) with an unreadable run.json skipped`);
    } catch (e) {
      await this.connection.run('ROLLBACK');
      throw e;
    }
    log?.(`index: ${stats.total} runs (${stats.added} added, ${stats.updated} re-read, ${stats.removed} removed)`);
    return stats;
  }

  /** The `results` view: one row per run × metric × source with the config keys as columns. */
  private async refreshViews(): Promise<void> {
    const keys = (await this.rows('SELECT DISTINCT key FROM params ORDER BY key')).map((r) => String(r[0]));
    // A key is numeric when every value of it is (so "model.rank" compares as a number).
    const numeric = new Set(
      (await this.rows('SELECT key FROM params GROUP BY key HAVING count(*) = count(num)')).map((r) => String(r[0])),
    );
    const cols = keys
      .filter((k) => !['run', 'experiment', 'status', 'seed', 'metric', 'source', 'value'].includes(k))
      .map(
        (k) =>
          `max(CASE WHEN p.key = '${k.replace(/'/g, "''")}' THEN ${numeric.has(k) ? 'p.num' : 'p.value'} END) AS ${quoteIdent(k)}`,
      );
    await this.connection.run(
      `CREATE OR REPLACE VIEW run_params AS SELECT r.run_id${cols.length ? `, ${cols.join(', ')}` : ''} FROM runs r LEFT JOIN params p USING (run_id) GROUP BY r.run_id`,
    );
    await this.connection.run(
      `CREATE OR REPLACE VIEW results AS SELECT r.run_id, r.experiment, r.sweep, r.run, r.status, r.seed, r.iterations, r.stop_reason, r.seconds, r.git_commit, r.git_dirty, m.metric, m.source, m.value, rp.* EXCLUDE (run_id) FROM metrics m JOIN runs r USING (run_id) JOIN run_params rp USING (run_id)`,
    );
    await this.connection.run(
      `CREATE OR REPLACE VIEW run_metrics AS SELECT r.run_id, r.experiment, r.sweep, r.run, r.status, r.seed, m.metric, avg(m.value) AS value, count(*) AS sources, rp.* EXCLUDE (run_id) FROM metrics m JOIN runs r USING (run_id) JOIN run_params rp USING (run_id) GROUP BY ALL`,
    );
  }

  /** Rows of a query as JS values (BIGINTs within range become numbers). */
  async rows(sql: string, values?: (string | number | boolean | null)[]): Promise<Cell[][]> {
    const reader = await this.connection.runAndReadAll(sql, values as never);
    return reader.getRowsJS().map((r) => r.map(toCell));
  }

  /** A query as columns and rows; an SQL error becomes a one-line usage error. */
  async query(
    sql: string,
    values?: (string | number | boolean | null)[],
  ): Promise<{ columns: string[]; rows: Cell[][] }> {
    try {
      const reader = await this.connection.runAndReadAll(sql, values as never);
      return { columns: reader.columnNames(), rows: reader.getRowsJS().map((r) => r.map(toCell)) };
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      throw new NmflabError('query failed', {
        path: 'SQL',
        expected: 'a DuckDB SELECT over runs, params, metrics, trajectories, results, run_metrics',
        found: msg,
      });
    }
  }

  /** Write each table and view as Parquet (or CSV) into `dir` (each file written beside and renamed). */
  async exportTables(
    dir: string,
    format: 'parquet' | 'csv' = 'parquet',
    tables: readonly string[] = [...STORE_TABLES],
  ): Promise<string[]> {
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const t of tables) {
      const file = join(dir, `${t}.${format}`);
      const tmp = join(dir, `.${t}.${format}.${process.pid}.tmp`);
      await this.connection.run(
        `COPY (SELECT * FROM ${quoteIdent(t)} ORDER BY ALL) TO '${tmp.replace(/'/g, "''")}' (FORMAT ${format === 'csv' ? 'csv, HEADER' : 'parquet'})`,
      );
      renameSync(tmp, file);
      files.push(file);
    }
    return files;
  }
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Open the store of `root`, update it, run `fn`, close (the lock is held throughout). */
export async function withStore<T>(
  root: string,
  fn: (s: RunStore) => Promise<T>,
  options: StoreOptions = {},
): Promise<T> {
  const store = await RunStore.open(root, options);
  try {
    await store.update(options.log);
    return await fn(store);
  } finally {
    store.close();
  }
}
