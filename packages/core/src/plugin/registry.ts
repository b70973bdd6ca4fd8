import { Container, ContainerModule } from 'inversify';
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { existsSync } from 'node:fs';
import { NmflabError, NmflabErrors, didYouMean, describeValue } from '../errors.js';
import type { KernelBackend } from '../linalg/kernel-backend.js';
import {
  ServiceTokens,
  defaultServices,
  defaultServicesModule,
  type Clock,
  type LogSink,
  type Services,
} from './services.js';
import { compileParams, parsePluginSpec, validatePlainParams, type PluginRef, type Where } from './params.js';
import {
  PLUGIN_KINDS,
  PluginTokens,
  pluginModule,
  type AnyPlugin,
  type DataFacts,
  type PluginInstances,
  type PluginKind,
  type PluginMeta,
} from './plugin.js';

const ID_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * A user's plugin definition, checked before it is registered: errors name the module file and
 * the plugin (by id when it has one, else by its place in the export).
 */
function checkDefinition(p: unknown, file: string, i: number): void {
  const at = (id?: unknown) => (typeof id === 'string' && id ? `plugin '${id}'` : `plugin [${i}]`);
  if (!p || typeof p !== 'object')
    throw new NmflabError('not a plugin definition', {
      file,
      path: at(),
      expected: '{ meta, create }',
      found: describeValue(p),
    });
  const def = p as { meta?: unknown; create?: unknown };
  const meta = def.meta as Partial<PluginMeta> | null | undefined;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new NmflabError('plugin has no meta', {
      file,
      path: at(),
      expected: '{ kind, id, description, params }',
      found: describeValue(meta),
    });
  }
  const where = { file, path: at(meta.id) };
  if (typeof meta.id !== 'string' || !ID_RE.test(meta.id))
    throw new NmflabError('plugin id is not kebab-case', {
      ...where,
      path: `${where.path}: meta.id`,
      expected: 'lower-case words joined by -',
      found: describeValue(meta.id),
    });
  if (!(PLUGIN_KINDS as readonly unknown[]).includes(meta.kind)) {
    const dym = typeof meta.kind === 'string' ? didYouMean(meta.kind, PLUGIN_KINDS) : undefined;
    throw new NmflabError('unknown plugin kind', {
      ...where,
      path: `${where.path}: meta.kind`,
      expected: `one of ${PLUGIN_KINDS.join(', ')}`,
      found: describeValue(meta.kind),
      hint: dym ? `did you mean '${dym}'?` : undefined,
    });
  }
  if (typeof meta.description !== 'string')
    throw new NmflabError('plugin has no description', {
      ...where,
      path: `${where.path}: meta.description`,
      expected: 'a one-line string',
      found: describeValue(meta.description),
    });
  if (typeof def.create !== 'function')
    throw new NmflabError('plugin has no create function', {
      ...where,
      path: `${where.path}: create`,
      expected: 'create(params, ctx)',
      found: describeValue(def.create),
    });
  const params = meta.params;
  if (!params || typeof params !== 'object' || Array.isArray(params))
    throw new NmflabError('plugin params are not a mapping', {
      ...where,
      path: `${where.path}: meta.params`,
      expected: 'a mapping of parameter names to declarations',
      found: describeValue(params),
    });
  for (const [name, spec] of Object.entries(params)) {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec))
      throw new NmflabError('bad parameter declaration', {
        ...where,
        path: `${where.path}: meta.params.${name}`,
        expected: '{ type, description, default? }',
        found: describeValue(spec),
      });
  }
  try {
    compileParams(params);
  } catch (e) {
    throw new NmflabError(`invalid params schema: ${(e as Error).message.split('\n')[0]}`, {
      ...where,
      path: `${where.path}: meta.params`,
    });
  }
  if (meta.needsModel !== undefined && typeof meta.needsModel !== 'boolean')
    throw new NmflabError('wrong type', {
      ...where,
      path: `${where.path}: meta.needsModel`,
      expected: 'true or false',
      found: describeValue(meta.needsModel),
    });
}

function join(prefix: string | undefined, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** Resolves plugins by kind and id, validates their params and creates them. */
export class Registry {
  private readonly byKind = new Map<PluginKind, Map<string, AnyPlugin>>();
  /** The services every plugin's `create` receives (`PluginContext.services`). */
  readonly services: Services;

  constructor(plugins: Iterable<AnyPlugin>, services: Services = defaultServices()) {
    this.services = services;
    for (const k of PLUGIN_KINDS) this.byKind.set(k, new Map());
    for (const p of plugins) this.add(p);
  }

  /**
   * The registry of a container: every plugin bound under the kind tokens, and the services as
   * bound (after any user module's rebind). `createContainer` binds it as the registry service.
   */
  static fromContainer(container: Container): Registry {
    if (container.isBound(ServiceTokens.registry)) return container.get<Registry>(ServiceTokens.registry);
    return Registry.collect(container);
  }

  /** Build a registry from a container's bindings (what the registry service resolves to). */
  static collect(container: Container): Registry {
    const all: AnyPlugin[] = [];
    for (const k of PLUGIN_KINDS) {
      const token = PluginTokens[k];
      if (container.isBound(token)) all.push(...container.getAll<AnyPlugin>(token));
    }
    const services: Services = {
      clock: container.get<Clock>(ServiceTokens.clock),
      log: container.get<LogSink>(ServiceTokens.log),
      ...(container.isBound(ServiceTokens.kernels)
        ? { kernels: container.get<KernelBackend>(ServiceTokens.kernels) }
        : {}),
    };
    return new Registry(all, services);
  }

  private add(p: AnyPlugin): void {
    const m = p.meta;
    if (!m || !(PLUGIN_KINDS as readonly string[]).includes(m.kind)) {
      throw new NmflabError('plugin has no valid meta.kind', {
        expected: `one of ${PLUGIN_KINDS.join(', ')}`,
        found: describeValue(m?.kind),
      });
    }
    if (!ID_RE.test(m.id)) {
      throw new NmflabError(`plugin id is not kebab-case`, {
        found: JSON.stringify(m.id),
        expected: 'lower-case words joined by -',
      });
    }
    const map = this.byKind.get(m.kind)!;
    if (map.has(m.id)) throw new NmflabError(`two ${m.kind} plugins have the id '${m.id}'`);
    map.set(m.id, p);
  }

  ids(kind: PluginKind): string[] {
    return [...this.kindMap(kind).keys()].sort();
  }

  private kindMap(kind: string): Map<string, AnyPlugin> {
    const map = this.byKind.get(kind as PluginKind);
    if (!map) {
      const dym = didYouMean(kind, PLUGIN_KINDS);
      throw new NmflabError(`unknown plugin kind '${kind}'`, {
        expected: `one of ${PLUGIN_KINDS.join(', ')}`,
        hint: dym ? `did you mean '${dym}'?` : undefined,
      });
    }
    return map;
  }

  list(kind?: PluginKind): PluginMeta[] {
    const kinds = kind ? [kind] : PLUGIN_KINDS;
    return kinds.flatMap((k) => this.ids(k).map((id) => this.kindMap(k).get(id)!.meta));
  }

  has(kind: PluginKind, id: string): boolean {
    return this.kindMap(kind).has(id);
  }

  get(kind: PluginKind, id: string, where: Where = {}): AnyPlugin {
    const p = this.kindMap(kind).get(id);
    if (!p) {
      const ids = this.ids(kind);
      const dym = didYouMean(id, ids);
      throw new NmflabError(`unknown ${kind} '${id}'`, {
        ...where,
        expected: ids.length ? `one of ${ids.join(', ')}` : `a registered ${kind} (none are registered)`,
        hint: dym ? `did you mean '${dym}'?` : undefined,
      });
    }
    return p;
  }

  /**
   * Validate a plugin spec (`id` or `{ id, params }`) recursively, collecting every error.
   * `where.path` is the YAML path of the spec itself; params errors are reported under `.params`.
   */
  validate(
    kind: PluginKind,
    spec: unknown,
    where: Where = {},
  ): { ref?: PluginRef; errors: NmflabError[]; facts?: DataFacts } {
    const parsed = parsePluginSpec(spec, where);
    if (parsed.error) return { errors: [parsed.error] };
    let plugin: AnyPlugin;
    try {
      plugin = this.get(
        kind,
        parsed.id!,
        typeof spec === 'string' ? where : { ...where, path: join(where.path, 'id') },
      );
    } catch (e) {
      return { errors: [e as NmflabError] };
    }
    const paramsWhere = { file: where.file, path: join(where.path, 'params') };
    const { value, errors } = validatePlainParams(plugin.meta.params, parsed.params, paramsWhere);
    for (const [name, s] of Object.entries(plugin.meta.params)) {
      const sub = { file: where.file, path: join(paramsWhere.path, name) };
      if (s.plugin) {
        const raw = value[name] ?? s.default;
        if (raw === undefined) {
          if (s.required)
            errors.push(
              new NmflabError('missing required parameter', { ...sub, expected: `a ${s.plugin} id or { id, params }` }),
            );
          continue;
        }
        const r = this.validate(s.plugin, raw, sub);
        errors.push(...r.errors);
        if (r.ref) value[name] = r.ref;
      } else if (s.pluginList) {
        const raw = value[name] ?? s.default ?? [];
        if (!Array.isArray(raw)) {
          errors.push(
            new NmflabError('wrong type', {
              ...sub,
              expected: `a list of ${s.pluginList} references`,
              found: describeValue(raw),
            }),
          );
          continue;
        }
        const refs: PluginRef[] = [];
        raw.forEach((item, i) => {
          const r = this.validate(s.pluginList!, item, { file: where.file, path: `${sub.path}[${i}]` });
          errors.push(...r.errors);
          if (r.ref) refs.push(r.ref);
        });
        value[name] = refs;
      }
    }
    let facts: DataFacts | undefined;
    if (!errors.length && typeof plugin.check === 'function') {
      const c = this.runCheck(plugin, kind, parsed.id!, value, paramsWhere);
      errors.push(...c.errors);
      facts = c.facts;
    }
    return errors.length ? { errors } : { ref: { id: parsed.id!, params: value }, errors, facts };
  }

  /** Results of plugins' check() by kind, id and params: a sweep of 100 runs reads its data file once. */
  private readonly checked = new Map<string, { errors: NmflabError[]; facts?: DataFacts }>();

  private runCheck(
    plugin: AnyPlugin,
    kind: PluginKind,
    id: string,
    params: Record<string, unknown>,
    where: { file?: string; path: string },
  ): { errors: NmflabError[]; facts?: DataFacts } {
    const key = JSON.stringify([kind, id, params, where.file ?? '']);
    const hit = this.checked.get(key);
    if (hit) return { errors: hit.errors.map((e) => e.withContext({})), facts: hit.facts };
    let errs: NmflabError[] = [];
    let facts: DataFacts | undefined;
    try {
      const r = (plugin.check as (p: unknown, c: unknown) => DataFacts | undefined)(params, {
        registry: this,
        path: where.path,
        file: where.file,
      });
      if (r) facts = r;
    } catch (e) {
      if (!(e instanceof NmflabError)) throw e;
      const list = e instanceof NmflabErrors ? e.errors : [e];
      errs = list.map((x) => x.withContext({ file: where.file, pathPrefix: where.path }));
    }
    this.checked.set(key, { errors: errs, facts });
    return { errors: errs, facts };
  }

  /** Validate then create; throws one NmflabError (or NmflabErrors) naming every problem. */
  create<K extends PluginKind>(kind: K, spec: unknown, where: Where = {}): PluginInstances[K] {
    const { ref, errors } = this.validate(kind, spec, where);
    if (!ref) throw errors.length === 1 ? errors[0] : new NmflabErrors(errors);
    return this.instantiate(kind, ref, where);
  }

  /** Create from an already-validated reference. Errors from the factory get the params path. */
  instantiate<K extends PluginKind>(kind: K, ref: PluginRef, where: Where = {}): PluginInstances[K] {
    const plugin = this.get(kind, ref.id, where);
    const path = join(where.path, 'params');
    try {
      return plugin.create(ref.params, {
        registry: this,
        services: this.services,
        kernels: this.services.kernels,
        path,
        file: where.file,
      }) as PluginInstances[K];
    } catch (e) {
      if (e instanceof NmflabError) throw e.path || e.file ? e : e.withContext({ file: where.file, pathPrefix: path });
      throw e;
    }
  }
}

/**
 * A container with the default services, then the given plugin modules in order (each package
 * exports one; a user module may also rebind a service), and the registry bound as a service.
 */
export function createContainer(modules: readonly ContainerModule[]): Container {
  const c = new Container();
  c.load(defaultServicesModule, ...modules);
  c.bind(ServiceTokens.registry)
    .toDynamicValue(() => Registry.collect(c))
    .inSingletonScope();
  return c;
}

/**
 * Load a user's plugin module from a file: its default export (or `plugins` export) is a
 * ContainerModule, or an array of plugin definitions, or one plugin definition.
 */
export async function loadPluginModule(file: string, baseDir = process.cwd()): Promise<ContainerModule> {
  const abs = resolvePath(baseDir, file);
  if (!existsSync(abs))
    throw new NmflabError('plugin module not found', { file, expected: 'a JavaScript module that exports plugins' });
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new NmflabError(`plugin module failed to load: ${(e as Error).message}`, { file });
  }
  const exp = mod.default ?? mod.plugins;
  if (exp instanceof ContainerModule) return exp;
  if (exp && typeof exp === 'object' && 'load' in exp && 'id' in exp) return exp as ContainerModule;
  const list = Array.isArray(exp) ? exp : exp && typeof exp === 'object' && 'meta' in exp ? [exp] : undefined;
  if (!list) {
    throw new NmflabError('plugin module exports no plugins', {
      file,
      expected: 'a default export that is a ContainerModule, a plugin definition or an array of them',
    });
  }
  for (const [i, p] of list.entries()) checkDefinition(p, file, i);
  return pluginModule(list as AnyPlugin[]);
}
