import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { collectRuns, compareRuns, NmflabError } from '@nmflab/core';
import { renderSvg } from './charts.js';
import { metricVsParameterPlots } from './compare.js';
import { isRunFolder, isSweepFolder, readRunFolder, runFoldersOf } from './load.js';
import { type ReportOptions, writeReport } from './report.js';
import { withStore } from './store.js';
import { UI_PAGE } from './ui-page.js';

/**
 * `nmflab ui`: a local web app over one results folder. The run list comes from the run store
 * (the DuckDB index, brought up to date on every list request, so runs finished meanwhile show up);
 * comparisons and plots from the same functions as `nmflab compare` and the sweep report; reports
 * are written on first open. Bound to loopback only: it serves the results folder's files.
 */
export interface UiOptions {
  /** The results folder (nmflab run --out; default results/). */
  results: string;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  log?: (line: string) => void;
  /** How reports are written on first open (the CLI passes its data loader, as `nmflab report`). */
  report?: ReportOptions;
}

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

type Json = Record<string, unknown>;

export async function startUi(opts: UiOptions): Promise<UiServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new NmflabError('the run browser serves only loopback', {
      path: '--host',
      expected: '127.0.0.1, ::1 or localhost (it serves the results folder to whoever connects)',
      found: host,
    });
  const root = resolve(opts.results);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new NmflabError('not a folder', {
      file: opts.results,
      path: '--results',
      expected: 'a results folder (nmflab run --out, default results/)',
    });
  const realRoot = realpathSync(root);

  /** A folder or file below the results root named by a request; undefined when outside it. */
  const inside = (rel: string): string | undefined => {
    const p = resolve(root, rel.replace(/^\/+/, ''));
    if (!existsSync(p)) return undefined;
    const real = realpathSync(p);
    return real === realRoot || real.startsWith(realRoot + sep) ? real : undefined;
  };
  const idOf = (dir: string) => relative(realRoot, dir).split(sep).join('/');

  async function runs(): Promise<Json> {
    return withStore(root, async (s) => {
      const list = await s.query(
        'SELECT run_id, experiment, sweep, run, status, seed, iterations, stop_reason, seconds, objective, varied FROM runs ORDER BY run_id',
      );
      const metrics = await s.rows(
        'SELECT run_id, metric, avg(value) FROM metrics WHERE isfinite(value) GROUP BY ALL ORDER BY ALL',
      );
      const byRun = new Map<string, Record<string, number>>();
      for (const [id, m, v] of metrics) {
        const rec = byRun.get(String(id)) ?? {};
        rec[String(m)] = Number(v);
        byRun.set(String(id), rec);
      }
      const rows = list.rows.map((r) => {
        const o = Object.fromEntries(list.columns.map((c, j) => [c, r[j]])) as Json;
        const id = String(o.run_id);
        const dir = join(realRoot, ...id.split('/'));
        let varied: Json = {};
        try {
          varied = JSON.parse(String(o.varied ?? '{}')) as Json;
        } catch {}
        const files = existsSync(dir) ? readdirSync(dir) : [];
        return {
          ...o,
          sweep: String(o.sweep ?? ''),
          varied,
          metrics: byRun.get(id) ?? {},
          audio: files.filter((f) => /\.(wav|flac)$/i.test(f)).sort(),
          report: files.includes('report.html'),
        };
      });
      const sweeps = [...new Set(rows.map((r) => String(r.sweep)).filter(Boolean))].sort();
      return { root: opts.results, runs: rows, sweeps };
    });
  }

  function compare(q: URLSearchParams): Json {
    const dir = inside(q.get('dir') ?? '');
    if (!dir)
      throw new NmflabError('no such folder in the results', {
        path: 'dir',
        expected: 'a sweep or experiment folder below the results folder',
        found: JSON.stringify(q.get('dir')),
      });
    const list = (k: string) =>
      (q.get(k) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const pivot = q.get('pivot');
    const [rows, cols] = pivot ? pivot.split(/\s*(?:×|\/)\s*/) : [];
    const result = compareRuns(collectRuns([dir]), {
      metrics: list('metrics'),
      by: list('by'),
      pivot: pivot ? { rows: (rows ?? '').split(','), cols: (cols ?? '').split(',') } : undefined,
      filters: q.getAll('filter').filter(Boolean),
      sort: q.get('sort') || undefined,
      test: q.get('test') || undefined,
      better: q.get('better') === 'lower' ? 'lower' : 'higher',
      level: q.has('level') ? Number(q.get('level')) : undefined,
      names: { metrics: 'metrics', filter: 'filter', test: 'test', level: 'level' },
    });
    return result.kind === 'runs'
      ? { tables: [{ title: 'runs', table: result.table }] }
      : { tables: result.tables.map((t) => ({ title: t.title, table: t.table })) };
  }

  async function plots(q: URLSearchParams): Promise<Json> {
    const dir = inside(q.get('dir') ?? '');
    if (!dir || !isSweepFolder(dir)) return { plots: [] };
    const runs = runFoldersOf(dir).map((r) => readRunFolder(join(dir, r), r));
    const out = [];
    for (const p of metricVsParameterPlots(runs))
      out.push({ title: p.title, caption: p.caption, svg: await renderSvg(p.spec) });
    return { plots: out };
  }

  async function report(rel: string, res: ServerResponse): Promise<void> {
    const dir = inside(rel);
    if (!dir || !(isRunFolder(dir) || isSweepFolder(dir))) return send(res, 404, 'text/plain', 'no such run\n');
    if (!existsSync(join(dir, 'report.html'))) await writeReport(dir, { ...opts.report, runReports: false });
    res.writeHead(302, { location: `/files/${idOf(dir)}/report.html` });
    res.end();
  }

  function file(rel: string, res: ServerResponse): void {
    const p = inside(decodeURIComponent(rel));
    if (!p || !statSync(p).isFile()) send(res, 404, 'text/plain', 'not found\n');
    else send(res, 200, TYPES[extname(p).toLowerCase()] ?? 'application/octet-stream', readFileSync(p));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    try {
      if (url.pathname === '/') return send(res, 200, TYPES['.html'], UI_PAGE);
      if (url.pathname === '/api/runs') return json(res, 200, await runs());
      if (url.pathname === '/api/compare') return json(res, 200, compare(url.searchParams));
      if (url.pathname === '/api/plots') return json(res, 200, await plots(url.searchParams));
      if (url.pathname.startsWith('/report/')) return await report(url.pathname.slice('/report/'.length), res);
      if (url.pathname.startsWith('/files/')) return file(url.pathname.slice('/files/'.length), res);
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (e) {
      // A bad question (unknown metric, filter…) is the user's: its one-line message, 400.
      const user = e instanceof NmflabError;
      if (!user) opts.log?.(`ui: ${url.pathname}: ${e instanceof Error ? e.message : String(e)}`);
      return json(res, user ? 400 : 500, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new NmflabError('cannot listen', {
          path: '--port',
          expected: 'a free port',
          found: `${opts.port ?? 0} (${e.code ?? e.message})`,
        }),
      ),
    );
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** JSON with ±Infinity and NaN kept as text (JSON would turn them into null, e.g. t of constant differences). */
function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  send(res, status, 'application/json; charset=utf-8', text);
}
