import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { NmflabError, describeValue, didYouMean } from '../errors.js';
import type { PluginKind } from './plugin.js';

/**
 * Plugin parameters are declared as data, ESLint-style: a map from parameter name to a JSON Schema
 * fragment plus a one-line description. ajv checks types, ranges and enums and fills defaults;
 * parameters that name another plugin (`plugin: 'divergence'`) are resolved through the registry.
 */
export interface ParamSchema {
  description: string;
  type?:
    | 'number'
    | 'integer'
    | 'string'
    | 'boolean'
    | 'array'
    | 'object'
    | ('number' | 'integer' | 'string' | 'boolean' | 'array' | 'object' | 'null')[];
  default?: unknown;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Omit<ParamSchema, 'description'> & { description?: string };
  properties?: Record<string, Omit<ParamSchema, 'description'> & { description?: string }>;
  additionalProperties?: boolean | (Omit<ParamSchema, 'description'> & { description?: string });
  anyOf?: (Omit<ParamSchema, 'description'> & { description?: string })[];
  minLength?: number;
  pattern?: string;
  /** The value names another plugin of this kind: an id string or `{ id, params }`. */
  plugin?: PluginKind;
  /** A list of plugin references of this kind (e.g. regularizers). */
  pluginList?: PluginKind;
  /** Must be given (parameters with a default never are). */
  required?: boolean;
}

export type ParamsSpec = Record<string, ParamSchema>;

/** A validated reference to a plugin: id plus its validated parameters (defaults filled). */
export interface PluginRef {
  id: string;
  params: Record<string, unknown>;
}

/** Where a value comes from, for error messages. */
export interface Where {
  file?: string;
  path?: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const compiled = new WeakMap<ParamsSpec, ValidateFunction>();

const OWN_KEYS = new Set(['description', 'plugin', 'pluginList', 'required']);

function toJsonSchema(spec: ParamsSpec): object {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, s] of Object.entries(spec)) {
    if (s.plugin || s.pluginList) continue; // resolved by the registry
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (!OWN_KEYS.has(k)) clean[k] = v;
    properties[name] = clean;
    if (s.required) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: true };
}

export function compileParams(spec: ParamsSpec): ValidateFunction {
  const cached = compiled.get(spec);
  if (cached) return cached;
  const v = ajv.compile(toJsonSchema(spec));
  compiled.set(spec, v);
  return v;
}

function join(prefix: string | undefined, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Translate one ajv error into the project's error template (exported for the config schema). */
export function ajvToError(e: ErrorObject, data: unknown, where: Where): NmflabError {
  const p = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  if (e.keyword === 'required') pointer += `/${String(p.missingProperty)}`;
  const rel = pointerToPath(pointer);
  const path = rel ? join(where.path, rel.startsWith('[') ? rel : rel) : where.path;
  const found = describeValue(valueAt(data, pointer));
  const base = { file: where.file, path, found };
  switch (e.keyword) {
    case 'type': {
      const t = String(p.type).split(',');
      return new NmflabError('wrong type', { ...base, expected: t.map(article).join(' or ') });
    }
    case 'minimum':
      return new NmflabError('out of range', { ...base, expected: `a number ≥ ${p.limit}` });
    case 'maximum':
      return new NmflabError('out of range', { ...base, expected: `a number ≤ ${p.limit}` });
    case 'exclusiveMinimum':
      return new NmflabError('out of range', { ...base, expected: `a number > ${p.limit}` });
    case 'exclusiveMaximum':
      return new NmflabError('out of range', { ...base, expected: `a number < ${p.limit}` });
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const got = valueAt(data, pointer);
      const dym = typeof got === 'string' ? didYouMean(got, allowed) : undefined;
      return new NmflabError('not an allowed value', {
        ...base,
        expected: `one of ${allowed.join(', ')}`,
        hint: dym ? `did you mean '${dym}'?` : undefined,
      });
    }
    case 'required':
      return new NmflabError('missing required parameter', { ...base, expected: 'a value' });
    case 'minItems':
      return new NmflabError('too few items', { ...base, expected: `at least ${p.limit} items` });
    case 'maxItems':
      return new NmflabError('too many items', { ...base, expected: `at most ${p.limit} items` });
    case 'minLength':
      return new NmflabError('too short', { ...base, expected: `at least ${p.limit} characters` });
    case 'pattern':
      return new NmflabError('wrong format', { ...base, expected: `text matching ${p.pattern}` });
    default:
      return new NmflabError(e.message ?? 'invalid value', base);
  }
}

/**
 * Validate a raw parameter object against a spec, without touching plugin-valued parameters
 * (the registry resolves those). Returns the params with defaults filled, or all errors found.
 */
export function validatePlainParams(
  spec: ParamsSpec,
  raw: unknown,
  where: Where,
): { value: Record<string, unknown>; errors: NmflabError[] } {
  const errors: NmflabError[] = [];
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      value: {},
      errors: [
        new NmflabError('parameters must be a mapping', {
          file: where.file,
          path: where.path,
          expected: 'a mapping of parameter names to values',
          found: describeValue(raw),
        }),
      ],
    };
  }
  const value: Record<string, unknown> = structuredClone(raw as Record<string, unknown>);
  const names = Object.keys(spec);
  for (const key of Object.keys(value)) {
    if (!(key in spec)) {
      const dym = didYouMean(key, names);
      errors.push(
        new NmflabError('unknown parameter', {
          file: where.file,
          path: join(where.path, key),
          expected: names.length ? `one of ${names.join(', ')}` : 'no parameters',
          hint: dym ? `did you mean '${dym}'?` : undefined,
        }),
      );
    }
  }
  const validate = compileParams(spec);
  if (!validate(value)) {
    for (const e of validate.errors ?? []) errors.push(ajvToError(e, value, where));
  }
  return { value, errors };
}

/** Turn a plugin spec (an id string or `{ id, params }`) into its parts, or an error. */
export function parsePluginSpec(spec: unknown, where: Where): { id?: string; params?: unknown; error?: NmflabError } {
  if (typeof spec === 'string') return { id: spec, params: {} };
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    const o = spec as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'id' && k !== 'params');
    if (typeof o.id !== 'string') {
      return {
        error: new NmflabError('plugin id missing', {
          ...where,
          path: join(where.path, 'id'),
          expected: 'a plugin id (string)',
          found: describeValue(o.id),
        }),
      };
    }
    if (extra.length) {
      return {
        error: new NmflabError('unexpected key in plugin reference', {
          ...where,
          path: join(where.path, extra[0]),
          expected: 'only id and params',
          hint: 'put plugin parameters under params:',
        }),
      };
    }
    return { id: o.id, params: o.params ?? {} };
  }
  return {
    error: new NmflabError('not a plugin reference', {
      ...where,
      expected: 'a plugin id or { id, params }',
      found: describeValue(spec),
    }),
  };
}
