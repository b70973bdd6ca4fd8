import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as yamlParse } from 'yaml';
import { NmflabError } from '../errors.js';
import { displayPath } from '../config/compose.js';
import type { RunRecord } from './execute.js';
import { tableCsv } from './files.js';

/**
 * `nmflab compare`: gather run folders (a run, a sweep, an experiment or results root — any
 * folder is searched for run.json files), and tabulate the parameters that differ between runs,
 * their final metrics, iterations and time.
 */

export interface ComparedRun {
  folder: string;
  record: RunRecord;
  config: Record<string, unknown>;
}

function findRuns(dir: string, depth: number, out: string[]): void {
  if (existsSync(join(dir, 'run.json'))) {
    out.push(dir);
    return;
  }
  if (depth === 0) return;
  for (const e of readdirSync(dir).sort()) {
    if (e.startsWith('.')) continue; // temporary folders of unfinished runs
    const p = join(dir, e);
    if (statSync(p).isDirectory()) findRuns(p, depth - 1, out);
  }
}

export function collectRuns(dirs: readonly string[]): ComparedRun[] {
  const folders: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d) || !statSync(d).isDirectory())
      throw new NmflabError('not a folder', {
        file: displayPath(d),
        expected: 'a run, sweep or experiment folder under results/',
      });
    const before = folders.length;
    findRuns(d, 4, folders);
    if (folders.length === before)
      throw new NmflabError('no runs found', { file: displayPath(d), expected: 'folders holding run.json' });
  }
  return folders.map((f) => ({
    folder: displayPath(f),
    record: JSON.parse(readFileSync(join(f, 'run.json'), 'utf8')) as RunRecord,
    config: existsSync(join(f, 'config.yaml'))
      ? ((yamlParse(readFileSync(join(f, 'config.yaml'), 'utf8')) ?? {}) as Record<string, unknown>)
      : {},
  }));
}

function flatten(v: unknown, prefix: string, out: Record<string, string>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(v);
}

/** Rows: run folder, the config values that differ between runs, status, metrics, iterations, seconds. */
export function compareRows(runs: readonly ComparedRun[]): Record<string, unknown>[] {
  const flat = runs.map((r) => {
    const o: Record<string, string> = {};
    flatten(r.config, '', o);
    return o;
  });
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))];
  const differing = runs.length > 1 ? keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1) : [];
  return runs.map((r, i) => ({
    run: r.folder,
    ...Object.fromEntries(differing.map((k) => [k, flat[i][k] === undefined ? '' : JSON.parse(flat[i][k])])),
    status: r.record.status,
    ...(r.record.metrics ?? {}),
    iterations: r.record.iterations,
    seconds: r.record.seconds === undefined ? undefined : Number(r.record.seconds.toFixed(3)),
  }));
}

export function compareCsv(rows: readonly Record<string, unknown>[]): string {
  return tableCsv(rows);
}

/** An aligned text table for the terminal (numbers to 4 significant digits). */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const grid = [cols, ...rows.map((r) => cols.map((c) => cell(r[c])))];
  const widths = cols.map((_, j) => Math.max(...grid.map((row) => row[j].length)));
  return `${grid
    .map((row) =>
      row
        .map((c, j) => c.padEnd(widths[j]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
