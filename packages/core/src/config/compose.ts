import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { NmflabError, describeValue } from '../errors.js';
import { readInputFile } from '../io.js';

/**
 * Loading a config: YAML text → object (syntax errors with line and column), `extends:` chains
 * (deep merge, lists replaced, cycles detected), and `--set path=value` overrides.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Path of a file for messages: relative to the working directory, never absolute. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel === '' ? '.' : rel;
}

/** Parse YAML text; syntax errors (all of them) name the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    // The first error, where it is (later ones often follow from it), and how many there are.
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    throw new NmflabError(`YAML syntax error: ${first}${more}`, {
      file,
      path: pos ? `line ${pos.line}, column ${pos.col}` : undefined,
    });
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (e) {
    // yaml refuses alias expansions past maxAliasCount ("billion laughs"): one line, not a stack.
    throw new NmflabError(`YAML not accepted: ${(e as Error).message.split('\n')[0]}`, {
      file,
      hint: 'aliases may expand to at most 1000 nodes',
    });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (lists included) is replaced by `over`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
    return out;
  }
  return over;
}

/** Read one config file and everything it extends; `extends` is relative to the extending file. */
export function loadComposed(file: string, chain: string[] = []): Record<string, unknown> {
  const abs = resolve(file);
  const shown = displayPath(abs);
  if (chain.includes(abs)) {
    throw new NmflabError('extends cycle', {
      file: displayPath(chain[chain.length - 1]),
      path: 'extends',
      found: [...chain, abs].map(displayPath).join(' → '),
      expected: 'a chain of configs without repetition',
    });
  }
  if (!existsSync(abs)) {
    const from = chain.length ? displayPath(chain[chain.length - 1]) : undefined;
    throw new NmflabError(
      'config file not found',
      from
        ? { file: from, path: 'extends', expected: 'an existing YAML file', found: JSON.stringify(shown) }
        : { file: shown, expected: 'an existing YAML file' },
    );
  }
  const raw = parseYaml(
    readInputFile(abs, { what: 'a YAML config file', maxBytes: 16 * 2 ** 20 }).toString('utf8'),
    shown,
  );
  if (!isPlainObject(raw))
    throw new NmflabError('a config must be a mapping', {
      file: shown,
      expected: 'a mapping of keys (name, data, model, …)',
      found: describeValue(raw),
    });
  const { extends: ext, ...own } = raw;
  // Plugin module files are relative to the config that names them; keep them relative to the
  // working directory from here on (so snapshots stay free of machine paths).
  if (Array.isArray(own.plugins))
    own.plugins = own.plugins.map((p) => (typeof p === 'string' ? displayPath(resolve(dirname(abs), p)) : p));
  if (ext === undefined) return own;
  const bases =
    typeof ext === 'string'
      ? [ext]
      : Array.isArray(ext) && ext.every((e) => typeof e === 'string')
        ? (ext as string[])
        : undefined;
  if (!bases)
    throw new NmflabError('wrong type', {
      file: shown,
      path: 'extends',
      expected: 'a file name or a list of file names',
      found: describeValue(ext),
    });
  let merged: unknown = {};
  for (const b of bases) merged = deepMerge(merged, loadComposed(resolve(dirname(abs), b), [...chain, abs]));
  return deepMerge(merged, own) as Record<string, unknown>;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path))) {
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    consumed += m[0].length;
  }
  consumed += (path.match(/\./g) ?? []).length;
  if (!out.length || consumed !== path.length || /^\.|\.\.|\.$/.test(path)) {
    throw new NmflabError('bad parameter path', {
      path,
      expected: 'dotted keys such as model.rank or metrics[0].id',
      found: JSON.stringify(path),
    });
  }
  return out;
}

/**
 * Set a value at a path, creating objects on the way. A plugin given as an id string is turned
 * into `{ id }` when the path goes into it, so `model.solver.params.beta` works on `solver: mu`.
 */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = parsePath(path);
  let cur: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i];
    const container = cur as Record<string | number, unknown>;
    let next = container[key];
    if (typeof next === 'string' && (parts[i + 1] === 'params' || parts[i + 1] === 'id')) next = { id: next };
    if (next === undefined || next === null || typeof next !== 'object') {
      if (next !== undefined && next !== null) {
        throw new NmflabError('cannot set a value inside a scalar', {
          path: parts.slice(0, i + 1).join('.'),
          expected: 'a mapping or a list',
          found: describeValue(next),
        });
      }
      next = typeof parts[i + 1] === 'number' ? [] : {};
    } else if (Array.isArray(next)) next = [...next];
    else next = { ...(next as object) };
    container[key] = next;
    cur = next as Record<string, unknown>;
  }
  (cur as Record<string | number, unknown>)[parts[parts.length - 1]] = value;
}

export function getPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const p of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Parse `path=value` (value as a YAML scalar or flow collection) from the command line. */
export function parseAssignment(text: string, option: string): { path: string; value: unknown } {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new NmflabError(`bad ${option} argument`, {
      expected: 'path=value, e.g. model.rank=20',
      found: JSON.stringify(text),
    });
  const path = text.slice(0, eq).trim();
  parsePath(path);
  const valueText = text.slice(eq + 1);
  let value: unknown;
  try {
    value = parseYaml(valueText, `${option} ${path}`);
  } catch {
    value = valueText;
  }
  if (valueText.trim() === '') value = '';
  return { path, value };
}

/**
 * What `--set` overrides silently change besides their own value: replacing a plugin (`{ id, params }`)
 * by another drops the old one's params (`model.solver=hals` on `{ id: mu, params: {...} }`), and
 * changing only its id keeps them for the new plugin. One line per such override, for a warning.
 */
export function overrideWarnings(config: Record<string, unknown>, sets: readonly string[]): string[] {
  const out: string[] = [];
  let cur: Record<string, unknown> = structuredClone(config);
  for (const s of sets) {
    const { path, value } = parseAssignment(s, '--set');
    const parts = parsePath(path);
    const last = parts[parts.length - 1];
    const isRef = (v: unknown): v is { id: string; params?: Record<string, unknown> } =>
      v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { id?: unknown }).id === 'string';
    const paramNames = (v: { params?: unknown }) =>
      v.params && typeof v.params === 'object' ? Object.keys(v.params as object) : [];
    const old = getPath(cur, path);
    const newId = typeof value === 'string' ? value : isRef(value) ? value.id : undefined;
    if (isRef(old) && newId !== undefined && newId !== old.id) {
      const dropped = paramNames(old).filter((k) => !(isRef(value) && value.params && k in value.params));
      if (dropped.length)
        out.push(
          `--set ${path}=${newId} replaces ${old.id} and drops its params ${dropped.join(', ')} (set them again with --set ${path}.params.NAME=…)`,
        );
    } else if (last === 'id' && parts.length > 1) {
      const parentPath = parts.slice(0, -1).join('.');
      const parent = getPath(cur, parentPath);
      if (isRef(parent) && typeof value === 'string' && value !== parent.id && paramNames(parent).length) {
        out.push(
          `--set ${path}=${value} keeps the params of ${parent.id} (${paramNames(parent).join(', ')}) for ${value}`,
        );
      }
    }
    const next = structuredClone(cur);
    setPath(next, path, value);
    cur = next;
  }
  return out;
}

/** Apply `--set` overrides in order. */
export function applyOverrides(config: Record<string, unknown>, sets: readonly string[]): Record<string, unknown> {
  const out = structuredClone(config);
  for (const s of sets) {
    const { path, value } = parseAssignment(s, '--set');
    setPath(out, path, value);
  }
  return out;
}
