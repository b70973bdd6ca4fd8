import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRuns, groupObservations, observations } from '@nmflab/core';
import { RunStore, withStore } from '../src/store.js';
import { tempDirs } from '../../../test/support/temp-dir.js';
import {
  FAKE_METHODS,
  FAKE_RANKS,
  FAKE_SEEDS,
  FAKE_SOURCES,
  writeFakeSweep,
} from '../../../test/support/fake-sweep.js';

const { fresh } = tempDirs('nmflab-store-');
const bin = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const PY = '/usr/bin/python3';
const RUNS = Object.keys(FAKE_METHODS).length * FAKE_RANKS.length * FAKE_SEEDS;

const SQL_MEANS = `SELECT "model.solver.id" AS solver, "model.rank" AS rank, count(*) AS n, avg(value) AS sdr FROM run_metrics WHERE metric = 'sdr' GROUP BY ALL ORDER BY solver, rank`;

/** compare's means of sdr by solver and rank, keyed `solver/rank`. */
function compareMeans(sweep: string): Map<string, number> {
  const groups = groupObservations(observations(collectRuns([sweep])), {
    metrics: ['sdr'],
    by: ['model.solver.id', 'model.rank'],
  });
  return new Map(groups.map((g) => [`${g.key['model.solver.id']}/${g.key['model.rank']}`, g.stats.sdr!.mean]));
}

describe('run store (DuckDB)', { timeout: 120_000 }, () => {
  it('indexes run folders; SQL gives the same means as nmflab compare', async () => {
    const root = fresh();
    const sweep = writeFakeSweep(root);
    const stats: string[] = [];
    const r = await withStore(root, (s) => s.query(SQL_MEANS), { log: (l) => stats.push(l) });
    expect(stats[0]).toMatch(new RegExp(`index: ${RUNS} runs \\(${RUNS} added`));
    expect(r.columns).toEqual(['solver', 'rank', 'n', 'sdr']);
    expect(r.rows).toHaveLength(6);
    const want = compareMeans(sweep);
    for (const [solver, rank, n, sdr] of r.rows) {
      expect(n).toBe(FAKE_SEEDS);
      expect(sdr as number).toBeCloseTo(want.get(`${solver}/${rank}`)!, 12);
    }
    await withStore(root, async (s) => {
      expect(await s.rows('SELECT count(*) FROM metrics')).toEqual([[RUNS * FAKE_SOURCES.length * 2]]);
      expect(await s.rows('SELECT count(*) FROM trajectories')).toEqual([[RUNS * 21]]);
      expect(await s.rows(`SELECT DISTINCT typeof("model.rank"), git_commit FROM results`)).toEqual([
        ['DOUBLE', 'abc123'],
      ]);
      await expect(s.query('SELECT nope FROM runs')).rejects.toThrow(/SQL: query failed .*nope/);
    });
  });

  it('updates incrementally: new, changed and removed run folders', async () => {
    const root = fresh();
    const a = writeFakeSweep(root, 'exp-a');
    const logs: string[] = [];
    const log = (l: string) => logs.push(l);
    await withStore(root, async () => undefined, { log });
    writeFakeSweep(root, 'exp-b');
    let st = await withStore(root, (s) => s.update(), { log });
    expect(logs.at(-1)).toMatch(new RegExp(`${2 * RUNS} runs \\(${RUNS} added, 0 re-read, 0 removed\\)`));
    // a run re-done (new run.json), one removed
    const runJson = join(a, '0000', 'run.json');
    writeFileSync(
      runJson,
      JSON.stringify({
        run: '0000',
        experiment: 'exp-a',
        status: 'failed',
        seed: 1,
        varied: {},
        error: 'boom',
        provenance: {},
      }),
    );
    utimesSync(runJson, new Date(), new Date(Date.now() + 5000));
    rmSync(join(a, '0001'), { recursive: true });
    st = await withStore(root, (s) => s.update(), { log });
    expect(logs.at(-1)).toMatch(new RegExp(`${2 * RUNS - 1} runs \\(0 added, 1 re-read, 1 removed\\)`));
    expect(st.total).toBe(2 * RUNS - 1);
    const rows = await withStore(root, (s) =>
      s.rows(
        `SELECT status, error, (SELECT count(*) FROM metrics m WHERE m.run_id = r.run_id) FROM runs r WHERE run_id = 'exp-a/20260101-000000/0000'`,
      ),
    );
    expect(rows).toEqual([['failed', 'boom', 0]]);
    // a temporary folder of a run still being written is not indexed
    cpSync(join(a, '0002'), join(a, '.0099.tmp'), { recursive: true });
    expect((await withStore(root, (s) => s.rows('SELECT count(*) FROM runs')))[0]).toEqual([2 * RUNS - 1]);
  });

  it('a stale lock (its process gone) is taken over; a live one makes the other wait', async () => {
    const root = fresh();
    writeFakeSweep(root);
    const first = await RunStore.open(root);
    let second: Promise<RunStore> | undefined = RunStore.open(root, { lockTimeoutMs: 300 });
    await expect(second).rejects.toThrow(/locked by another process/);
    first.close();
    // a dead process's lock: pid 2^22 + 12345 is above Linux's pid_max default
    writeFileSync(join(root, '.index', 'runs.duckdb.lock'), String(4_194_304 + 12_345));
    second = RunStore.open(root, { lockTimeoutMs: 2000 });
    (await second).close();
  });

  it.skipIf(!existsSync(bin))('concurrent nmflab query processes on one results folder all succeed', async () => {
    const root = fresh();
    writeFakeSweep(root, 'exp-a');
    writeFakeSweep(root, 'exp-b');
    const one = () =>
      new Promise<{ code: number | null; out: string; err: string }>((res) => {
        const p = spawn(
          process.execPath,
          [bin, 'query', '--results', root, '--format', 'csv', '--quiet', 'SELECT count(*) AS n FROM runs'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => res({ code, out, err }));
      });
    const results = await Promise.all([one(), one(), one()]);
    for (const r of results) {
      expect(r.code, r.err).toBe(0);
      expect(r.out.trim().split('\n')).toEqual(['n', String(2 * RUNS)]);
    }
  });

  it('Parquet export: read back by DuckDB, and by pandas where Debian has it', async () => {
    const root = fresh();
    const sweep = writeFakeSweep(root);
    const pq = join(root, 'export-parquet');
    const csv = join(root, 'export-csv');
    const files = await withStore(root, async (s) => [
      ...(await s.exportTables(pq, 'parquet')),
      ...(await s.exportTables(csv, 'csv')),
    ]);
    expect(files.map((f) => f.split('/').at(-1))).toContain('run_metrics.parquet');
    const want = compareMeans(sweep);
    const back = await withStore(root, (s) =>
      s.rows(
        `SELECT "model.solver.id", "model.rank", avg(value) FROM read_parquet('${join(pq, 'run_metrics.parquet')}') WHERE metric = 'sdr' GROUP BY ALL`,
      ),
    );
    expect(back).toHaveLength(6);
    for (const [solver, rank, v] of back) expect(v as number).toBeCloseTo(want.get(`${solver}/${rank}`)!, 12);

    const probe = existsSync(PY)
      ? spawnSync(
          PY,
          [
            '-c',
            'import pandas, importlib.util as u; print(pandas.__version__, bool(u.find_spec("pyarrow") or u.find_spec("fastparquet")))',
          ],
          { encoding: 'utf8' },
        )
      : undefined;
    if (probe?.status !== 0) {
      console.warn(`pandas check skipped: ${PY} has no pandas (Debian's python3-pandas)`);
      return;
    }
    const parquetEngine = probe.stdout.trim().endsWith('True');
    if (!parquetEngine)
      console.warn(
        'pandas has no Parquet engine here (pyarrow and fastparquet are not Debian packages): pandas reads the CSV export instead, DuckDB read the Parquet above',
      );
    const file = parquetEngine ? join(pq, 'run_metrics.parquet') : join(csv, 'run_metrics.csv');
    const py = `import pandas as pd, json, sys\nd = pd.read_${parquetEngine ? 'parquet' : 'csv'}(sys.argv[1])\nd = d[d.metric == "sdr"].groupby(["model.solver.id", "model.rank"]).value.mean()\nprint(json.dumps({f"{k[0]}/{int(k[1])}": v for k, v in d.items()}))`;
    const r = spawnSync(PY, ['-c', py, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, number>;
    expect(Object.keys(got).sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got[k]).toBeCloseTo(v, 12);
  });
});
