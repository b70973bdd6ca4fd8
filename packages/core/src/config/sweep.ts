import { existsSync, readFileSync } from 'node:fs';
import { NmflabError, NmflabErrors, describeValue } from '../errors.js';
import { deriveSeed } from '../rng.js';
import { parseAssignment, parsePath, setPath } from './compose.js';

/**
 * Sweeps: `sweep:` maps parameter paths to value lists; the runs are the Cartesian product of the
 * axes (in the order written, last axis fastest) times `seeds: N` repetitions.
 *
 * Values: a YAML list; `range(from, to[, step])` or `{ from, to, step }` — from, from+step, … up
 * to and including `to` when it falls on the grid; `logspace(from, to, num)` or
 * `{ from, to, num, log: true }` — `num` values geometrically spaced from `from` to `to`
 * (the values themselves, not exponents: logspace(1e-3, 1, 4) = 0.001, 0.01, 0.1, 1).
 * With `seeds: N`, repetition r uses the seed deriveSeed(seed, `seed-r`).
 * `items(manifest, split[, limit])`: the ids of the items of a corpus manifest (JSON with
 * `items: [{ id, split }]`, path relative to the working directory) in that split, in manifest
 * order, the first `limit` of them when given: one run per item, pooled by the aggregate.
 */

export interface SweepAxis {
  path: string;
  values: unknown[];
  /**
   * The axis runs over the items of a data set (made by `items(…)`): results are pooled over it
   * (and over seeds) into mean ± CI per combination of the other axes (runner/aggregate.ts).
   */
  over?: boolean;
}

export interface SweepPlan {
  axes: SweepAxis[];
  seeds?: number;
}

export interface PlannedRun {
  index: number;
  /** Folder name: 0000, 0001, … */
  name: string;
  /** The varied values by path (plus `seed` when seeds are repeated). */
  varied: Record<string, unknown>;
  /** The run's config before validation: base + varied values + seed. */
  raw: Record<string, unknown>;
}

/** Round away binary noise (0.1+0.2) so grid values print and compare as written. */
function clean(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(12));
}

const MAX_RUNS = 100_000;

function rangeValues(from: number, to: number, step: number, where: { file?: string; path: string }): number[] {
  if (![from, to, step].every(Number.isFinite))
    throw new NmflabError('bad range', {
      ...where,
      expected: 'finite numbers',
      found: `range(${from}, ${to}, ${step})`,
    });
  if (step === 0 || Math.sign(to - from) * Math.sign(step) < 0) {
    throw new NmflabError('bad range step', {
      ...where,
      expected: `a step of the sign of to − from (${to - from >= 0 ? '> 0' : '< 0'})`,
      found: String(step),
    });
  }
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  if (n > MAX_RUNS)
    throw new NmflabError('range too long', { ...where, expected: `at most ${MAX_RUNS} values`, found: String(n) });
  return Array.from({ length: n }, (_, i) => clean(from + i * step));
}

function logValues(from: number, to: number, num: number, where: { file?: string; path: string }): number[] {
  if (!(from > 0 && to > 0) || !Number.isFinite(from) || !Number.isFinite(to)) {
    throw new NmflabError('bad logspace bounds', {
      ...where,
      expected: 'positive finite from and to',
      found: `logspace(${from}, ${to}, ${num})`,
    });
  }
  if (!Number.isInteger(num) || num < 1 || num > MAX_RUNS)
    throw new NmflabError('bad logspace count', { ...where, expected: 'an integer count ≥ 1', found: String(num) });
  if (num === 1) return [from];
  const r = Math.log(to / from);
  return Array.from({ length: num }, (_, i) => clean(i === num - 1 ? to : from * Math.exp((r * i) / (num - 1))));
}

const CALL_RE = /^\s*(range|logspace)\s*\(([^)]*)\)\s*$/;
const ITEMS_RE = /^\s*items\s*\(([^)]*)\)\s*$/;

/** `items(manifest, split[, limit])`: the corpus items' ids of one split. */
function itemValues(spec: string, args: string, where: { file?: string; path: string }): string[] {
  const parts = args.split(',').map((s) => s.trim().replace(/^(['"])(.*)\1$/, '$2'));
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw new NmflabError('bad items arguments', {
      ...where,
      expected: 'items(manifest.json, split) or items(manifest.json, split, limit)',
      found: describeValue(spec),
    });
  }
  const [file, split, limitText] = parts as [string, string, string | undefined];
  const limit = limitText === undefined ? Infinity : Number(limitText);
  if (!(Number.isInteger(limit) && limit >= 1) && limit !== Infinity)
    throw new NmflabError('bad items limit', { ...where, expected: 'an integer ≥ 1', found: limitText });
  if (!existsSync(file))
    throw new NmflabError('corpus manifest not found', {
      ...where,
      expected: 'a manifest JSON with items',
      found: JSON.stringify(file),
    });
  let items: unknown;
  try {
    items = (JSON.parse(readFileSync(file, 'utf8')) as { items?: unknown }).items;
  } catch (e) {
    throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { ...where, file });
  }
  if (!Array.isArray(items))
    throw new NmflabError('the manifest has no items', {
      file,
      path: 'items',
      expected: 'a list of { id, split }',
      found: describeValue(items),
    });
  const ids = items.filter((i: { split?: unknown }) => i?.split === split).map((i: { id?: unknown }) => i.id);
  if (ids.length === 0) {
    const splits = [...new Set(items.map((i: { split?: unknown }) => String(i?.split)))];
    throw new NmflabError('no items in that split', {
      ...where,
      expected: `one of ${splits.join(', ')}`,
      found: JSON.stringify(split),
    });
  }
  if (!ids.every((id) => typeof id === 'string'))
    throw new NmflabError('an item has no string id', { file, path: 'items', expected: 'string ids' });
  return ids.slice(0, limit);
}

/** True when a sweep spec runs over the items of a corpus (its results are pooled). */
export function isItemsSpec(spec: unknown): boolean {
  return typeof spec === 'string' && ITEMS_RE.test(spec);
}

/** The list of values one sweep axis takes. */
export function sweepValues(spec: unknown, where: { file?: string; path: string }): unknown[] {
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new NmflabError('empty sweep list', { ...where, expected: 'at least one value' });
    return spec;
  }
  if (typeof spec === 'string') {
    const im = ITEMS_RE.exec(spec);
    if (im) return itemValues(spec, im[1], where);
    const m = CALL_RE.exec(spec);
    if (!m)
      throw new NmflabError('not a sweep', {
        ...where,
        expected: 'a list, range(from, to, step), logspace(from, to, num) or items(manifest, split)',
        found: describeValue(spec),
      });
    const args = m[2]
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    if (args.some((a) => Number.isNaN(a)))
      throw new NmflabError(`bad ${m[1]} arguments`, { ...where, expected: 'numbers', found: describeValue(spec) });
    if (m[1] === 'range') {
      if (args.length < 2 || args.length > 3)
        throw new NmflabError('bad range arguments', {
          ...where,
          expected: 'range(from, to) or range(from, to, step)',
          found: describeValue(spec),
        });
      return rangeValues(args[0], args[1], args[2] ?? 1, where);
    }
    if (args.length !== 3)
      throw new NmflabError('bad logspace arguments', {
        ...where,
        expected: 'logspace(from, to, num)',
        found: describeValue(spec),
      });
    return logValues(args[0], args[1], args[2], where);
  }
  if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    const allowed = ['from', 'to', 'step', 'num', 'log'];
    const extra = Object.keys(o).find((k) => !allowed.includes(k));
    if (extra)
      throw new NmflabError('unknown key', {
        ...where,
        path: `${where.path}.${extra}`,
        expected: `one of ${allowed.join(', ')}`,
      });
    for (const k of ['from', 'to'] as const) {
      if (typeof o[k] !== 'number')
        throw new NmflabError('wrong type', {
          ...where,
          path: `${where.path}.${k}`,
          expected: 'a number',
          found: describeValue(o[k]),
        });
    }
    if (o.log === true) {
      if (typeof o.num !== 'number')
        throw new NmflabError('wrong type', {
          ...where,
          path: `${where.path}.num`,
          expected: 'a number of values',
          found: describeValue(o.num),
        });
      return logValues(o.from as number, o.to as number, o.num, where);
    }
    if (o.step !== undefined && typeof o.step !== 'number')
      throw new NmflabError('wrong type', {
        ...where,
        path: `${where.path}.step`,
        expected: 'a number',
        found: describeValue(o.step),
      });
    return rangeValues(o.from as number, o.to as number, (o.step as number | undefined) ?? 1, where);
  }
  throw new NmflabError('not a sweep', {
    ...where,
    expected: 'a list, range(from, to, step) or logspace(from, to, num)',
    found: describeValue(spec),
  });
}

/** Read the `sweep:` block and `--sweep path=values` arguments (which replace same-path axes). */
export function parseSweep(block: unknown, cli: readonly string[], file?: string): SweepPlan {
  const axes: SweepAxis[] = [];
  let seeds: number | undefined;
  const errors: NmflabError[] = [];
  const add = (path: string, spec: unknown, where: { file?: string; path: string }) => {
    try {
      parsePath(path);
      const values = sweepValues(spec, where);
      const axis: SweepAxis = isItemsSpec(spec) ? { path, values, over: true } : { path, values };
      const i = axes.findIndex((a) => a.path === path);
      if (i >= 0) axes[i] = axis;
      else axes.push(axis);
    } catch (e) {
      if (e instanceof NmflabError) errors.push(e.file || !where.file ? e : e.withContext({ file: where.file }));
      else throw e;
    }
  };
  if (block !== undefined && block !== null) {
    if (typeof block !== 'object' || Array.isArray(block)) {
      throw new NmflabError('wrong type', {
        file,
        path: 'sweep',
        expected: 'a mapping of parameter paths to values',
        found: describeValue(block),
      });
    }
    for (const [k, v] of Object.entries(block)) {
      if (k === 'seeds') {
        if (!Number.isInteger(v) || (v as number) < 1)
          errors.push(
            new NmflabError('wrong type', {
              file,
              path: 'sweep.seeds',
              expected: 'an integer ≥ 1',
              found: describeValue(v),
            }),
          );
        else seeds = v as number;
      } else add(k, v, { file, path: `sweep.${k}` });
    }
  }
  for (const s of cli) {
    const { path, value } = parseAssignment(s, '--sweep');
    if (path === 'seeds') {
      if (!Number.isInteger(value) || (value as number) < 1)
        errors.push(
          new NmflabError('wrong type', {
            path: '--sweep seeds',
            expected: 'an integer ≥ 1',
            found: describeValue(value),
          }),
        );
      else seeds = value as number;
    } else add(path, value, { path: `--sweep ${path}` });
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new NmflabErrors(errors);
  const total = axes.reduce((n, a) => n * a.values.length, seeds ?? 1);
  if (total > MAX_RUNS)
    throw new NmflabError('sweep too large', {
      file,
      path: 'sweep',
      expected: `at most ${MAX_RUNS} runs`,
      found: String(total),
    });
  return { axes, seeds };
}

/** Expand a base config and a sweep plan into the runs (Cartesian product × seeds). */
export function expandSweep(base: Record<string, unknown>, plan: SweepPlan): PlannedRun[] {
  const root = typeof base.seed === 'number' ? base.seed : 0;
  const combos: Record<string, unknown>[] = [{}];
  for (const axis of plan.axes) {
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of axis.values) next.push({ ...c, [axis.path]: v });
    combos.splice(0, combos.length, ...next);
  }
  const runs: PlannedRun[] = [];
  for (const combo of combos) {
    for (let r = 0; r < (plan.seeds ?? 1); r++) {
      const raw = structuredClone(base);
      delete raw.sweep;
      for (const [p, v] of Object.entries(combo)) setPath(raw, p, structuredClone(v));
      const varied: Record<string, unknown> = { ...combo };
      if (plan.seeds !== undefined) {
        raw.seed = deriveSeed(root, `seed-${r}`);
        varied.seed = raw.seed;
      }
      const index = runs.length;
      runs.push({ index, name: String(index).padStart(4, '0'), varied, raw });
    }
  }
  return runs;
}
