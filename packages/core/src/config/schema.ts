import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { NmflabError, describeValue, didYouMean } from '../errors.js';
import { ajvToError, type PluginRef } from '../plugin/params.js';
import type { Registry } from '../plugin/registry.js';
import type { DataFacts, Divergence } from '../plugin/plugin.js';
import { PAD_MODES, Stft, WINDOWS, type PadMode, type WindowName } from '../signal/index.js';

/**
 * The experiment config's own structure (the plugins' parameters are checked by the registry
 * against their declarations). Every key is described here; `docs/architecture.md` and the README
 * show an annotated example.
 */

export interface TransformConfig {
  frameLength: number;
  hop: number;
  window: WindowName;
  center: boolean;
  padMode: PadMode;
  representation: 'magnitude' | 'power';
}

export interface StoppingConfig {
  maxIterations: number;
  tol: number;
  window: number;
  factorTol: number;
}

export interface ModelConfig {
  solver: PluginRef;
  rank: number;
  stopping: StoppingConfig;
  restarts: number;
}

/** A config after composition, overrides and validation: every plugin is a validated `{ id, params }`. */
export interface ExperimentConfig {
  name: string;
  seed: number;
  plugins: string[];
  data: PluginRef;
  transform: TransformConfig;
  /** Absent only when the task fits no model (its meta says `needsModel: false`). */
  model?: ModelConfig;
  task: PluginRef;
  metrics: PluginRef[];
  outputs: { factors: boolean; wavs: boolean; trajectory: boolean };
}

const pluginRef = {} as const; // checked by the registry (string or { id, params })

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  // `model` is required unless the task fits none: checked in validateConfig, which knows the task.
  required: ['name', 'data'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    seed: { type: 'integer', minimum: 0, maximum: 2 ** 53 - 1, default: 0 },
    plugins: { type: 'array', items: { type: 'string' }, default: [] },
    data: pluginRef,
    transform: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        frameLength: { type: 'integer', minimum: 2, default: 1024 },
        hop: { type: 'integer', minimum: 1, default: 256 },
        window: { enum: [...WINDOWS], default: 'hann' },
        center: { type: 'boolean', default: true },
        padMode: { enum: [...PAD_MODES], default: 'reflect' },
        representation: { enum: ['magnitude', 'power'], default: 'magnitude' },
      },
    },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['solver', 'rank'],
      properties: {
        solver: pluginRef,
        rank: { type: 'integer', minimum: 1, maximum: 2 ** 20 },
        stopping: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            maxIterations: { type: 'integer', minimum: 0, maximum: 1e9, default: 200 },
            tol: { type: 'number', minimum: 0, default: 0 },
            window: { type: 'integer', minimum: 1, default: 10 },
            factorTol: { type: 'number', minimum: 0, default: 0 },
          },
        },
        restarts: { type: 'integer', minimum: 1, maximum: 10000, default: 1 },
      },
    },
    task: { default: 'factorize' },
    metrics: { type: 'array', default: [] },
    outputs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        factors: { type: 'boolean', default: true },
        wavs: { type: 'boolean', default: true },
        trajectory: { type: 'boolean', default: true },
      },
    },
    sweep: { type: 'object' },
  },
} as const;

let compiled: ValidateFunction | undefined;
/** Compiled on first use: importing core (every worker thread does) should not pay for it. */
function validateStructure(data: unknown): boolean {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(CONFIG_SCHEMA);
  return compiled(data) as boolean;
}

/** Known keys at a JSON pointer of the schema, for did-you-mean on unknown keys. */
function knownKeys(pointer: string): string[] {
  let s: { properties?: Record<string, unknown> } = CONFIG_SCHEMA as never;
  for (const part of pointer.split('/').slice(1)) {
    if (/^\d+$/.test(part)) continue;
    s = (s.properties?.[part] ?? {}) as never;
  }
  return Object.keys(s.properties ?? {});
}

function toPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}

function structureError(e: ErrorObject, data: unknown, file?: string): NmflabError {
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = knownKeys(e.instancePath);
    const dym = didYouMean(key, known);
    const prefix = toPath(e.instancePath);
    return new NmflabError('unknown key', {
      file,
      path: prefix ? `${prefix}.${key}` : key,
      expected: `one of ${known.join(', ')}`,
      hint: dym ? `did you mean '${dym}'?` : undefined,
    });
  }
  if (e.keyword === 'required') {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    const prefix = toPath(e.instancePath);
    const what: Record<string, string> = {
      name: 'an experiment name (letters, digits, . _ -)',
      data: 'a source plugin (id or { id, params })',
      model: 'a model block with solver and rank',
      solver: 'a solver plugin (id or { id, params })',
      rank: 'an integer ≥ 1',
    };
    return new NmflabError('missing required key', {
      file,
      path: prefix ? `${prefix}.${key}` : key,
      expected: what[key] ?? 'a value',
    });
  }
  if (e.keyword === 'pattern' && e.instancePath === '/name') {
    return new NmflabError('bad experiment name', {
      file,
      path: 'name',
      expected: 'letters, digits, . _ - (it names the results folder)',
      found: describeValue((data as { name: unknown }).name),
    });
  }
  return ajvToError(e, data, { file });
}

/**
 * Every number of a config must be finite: YAML's .inf/.nan parse to numbers, and JSON Schema
 * (ajv) takes Infinity for an integer and NaN for a number, so they are caught here, once each.
 */
function nonFiniteNumbers(v: unknown, path: string, file?: string): NmflabError[] {
  if (typeof v === 'number') {
    return Number.isFinite(v)
      ? []
      : [
          new NmflabError('not a finite number', {
            file,
            path: path || undefined,
            expected: 'a finite number',
            found: String(v),
          }),
        ];
  }
  if (Array.isArray(v)) return v.flatMap((x, i) => nonFiniteNumbers(x, `${path}[${i}]`, file));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => nonFiniteNumbers(x, path ? `${path}.${k}` : k, file));
  return [];
}

/**
 * Zeros in the data matrix with a divergence undefined at x = 0 (β ≤ 0), unless the solver adds an
 * offset or the divergence its own ε: found here, naming the data file and the divergence's YAML
 * path, rather than after the results folder exists. Only for the factorize task, which fits the
 * source's matrix as read (other tasks transform it first).
 */
function dataAgainstDivergence(
  facts: DataFacts,
  solver: PluginRef,
  registry: Registry,
  file: string | undefined,
): NmflabError[] {
  const spec = solver.params.divergence as PluginRef | undefined;
  if (facts.zeros === 0 || !spec || typeof spec !== 'object') return [];
  const offset = solver.params.offset;
  if (typeof offset === 'number' && offset > 0) return [];
  const path = 'model.solver.params.divergence';
  let div: Divergence;
  try {
    div = registry.create('divergence', spec, { file, path });
  } catch (e) {
    if (e instanceof NmflabError) return [e];
    throw e;
  }
  if (!div.needsPositiveData || (div.eps ?? 0) > 0) return [];
  return [
    new NmflabError(
      `the data file ${facts.file} (data.params.${facts.param}) has ${facts.zeros} zero entries, undefined for the ${div.id} divergence`,
      {
        file,
        path,
        expected: 'strictly positive data (β ≤ 0)',
        found: `${facts.zeros} zeros`,
        hint: `set ${'offset' in solver.params ? 'model.solver.params.offset' : "the divergence's eps"} (V ← V + offset), or choose β > 0`,
      },
    ),
  ];
}

/**
 * Validate one (composed, overridden, sweep-free) config: its structure, then every plugin
 * reference through the registry. Returns the resolved config or every error found.
 */
export function validateConfig(
  raw: unknown,
  registry: Registry,
  file?: string,
): { config?: ExperimentConfig; errors: NmflabError[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      errors: [
        new NmflabError('a config must be a mapping', {
          file,
          expected: 'a mapping of keys (name, data, model, …)',
          found: describeValue(raw),
        }),
      ],
    };
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  delete data.sweep;
  const errors: NmflabError[] = nonFiniteNumbers(data, '', file);
  // Infinity/NaN would also fail min/max checks below: report each problem once.
  if (errors.length) return { errors };
  if (!validateStructure(data)) {
    // ajv reports a failed `if`-free schema once per problem; drop duplicates by message.
    const seen = new Set<string>();
    for (const e of compiled!.errors ?? []) {
      const err = structureError(e, data, file);
      if (!seen.has(err.message)) errors.push(err), seen.add(err.message);
    }
  }
  const out = data as Record<string, unknown> & { model?: Record<string, unknown> };
  if (!errors.some((e) => e.path?.startsWith('transform'))) {
    // The STFT's own checks (power-of-two frames, window/hop overlap), before anything runs.
    try {
      new Stft({ ...(out.transform as TransformConfig), sampleRate: 1 }, { file, path: 'transform' });
    } catch (e) {
      if (e instanceof NmflabError) errors.push(e);
      else throw e;
    }
  }
  let facts: DataFacts | undefined;
  const check = (kind: Parameters<Registry['validate']>[0], spec: unknown, path: string): PluginRef | undefined => {
    if (spec === undefined) return undefined;
    const r = registry.validate(kind, spec, { file, path });
    errors.push(...r.errors);
    if (kind === 'source') facts = r.facts;
    return r.ref;
  };
  const refs: Record<string, unknown> = {};
  refs.data = check('source', out.data, 'data');
  if (out.model && typeof out.model === 'object') refs.solver = check('solver', out.model.solver, 'model.solver');
  refs.task = check('task', out.task ?? 'factorize', 'task');
  const task = refs.task as PluginRef | undefined;
  if (out.model === undefined && task && registry.get('task', task.id).meta.needsModel !== false) {
    errors.push(
      new NmflabError('missing required key', {
        file,
        path: 'model',
        expected: 'a model block with solver and rank',
        found: 'none',
        hint: `task '${task.id}' fits a model; only tasks that fit none (e.g. bregman-cluster) may leave it out`,
      }),
    );
  }
  const metrics: PluginRef[] = [];
  if (Array.isArray(out.metrics)) {
    out.metrics.forEach((m, i) => {
      const r = check('metric', m, `metrics[${i}]`);
      if (r) metrics.push(r);
    });
  }
  if (!errors.length && facts && task?.id === 'factorize' && refs.solver)
    errors.push(...dataAgainstDivergence(facts, refs.solver as PluginRef, registry, file));
  if (errors.length) return { errors };
  const config = {
    ...(out as object),
    data: refs.data,
    ...(out.model === undefined ? {} : { model: { ...(out.model as object), solver: refs.solver } }),
    task: refs.task,
    metrics,
  } as unknown as ExperimentConfig;
  return { config, errors: [] };
}
