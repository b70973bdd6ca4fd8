import { NmflabError, NmflabErrors } from '../errors.js';
import type { Registry } from '../plugin/registry.js';
import { applyOverrides, displayPath, loadComposed } from './compose.js';
import { validateConfig, type ExperimentConfig } from './schema.js';
import { expandSweep, parseSweep, type PlannedRun, type SweepPlan } from './sweep.js';

export interface PrepareOptions {
  /** `--set path=value` overrides, applied in order after composition. */
  sets?: readonly string[];
  /** `--sweep path=values` axes, added to (or replacing) the config's `sweep:` block. */
  sweeps?: readonly string[];
  /** Plugin module files from the command line (`--plugin`), added after the config's `plugins:`. */
  plugins?: readonly string[];
}

export interface PreparedRun extends PlannedRun {
  config: ExperimentConfig;
}

export interface PreparedExperiment {
  /** The config file as given, relative to the working directory. */
  file: string;
  /** The composed config with overrides (the sweep block included). */
  base: Record<string, unknown>;
  plan: SweepPlan;
  runs: PreparedRun[];
  registry: Registry;
}

function plugins(base: Record<string, unknown>): string[] {
  return Array.isArray(base.plugins) ? base.plugins.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Everything before a run starts: compose, override, load user plugins, expand the sweep and
 * validate every run's config. Throws one NmflabErrors listing every problem found.
 */
export async function prepareExperiment(
  configFile: string,
  opts: PrepareOptions,
  makeRegistry: (pluginFiles: string[]) => Promise<Registry>,
): Promise<PreparedExperiment> {
  const file = displayPath(configFile);
  const base = applyOverrides(loadComposed(configFile), opts.sets ?? []);
  if (opts.plugins?.length)
    base.plugins = [...(Array.isArray(base.plugins) ? base.plugins : []), ...opts.plugins.map(displayPath)];
  return prepareFromBase(file, base, opts.sweeps ?? [], makeRegistry);
}

/** Same as prepareExperiment from an already composed config (used by --resume). */
export async function prepareFromBase(
  file: string,
  base: Record<string, unknown>,
  sweeps: readonly string[],
  makeRegistry: (pluginFiles: string[]) => Promise<Registry>,
): Promise<PreparedExperiment> {
  const registry = await makeRegistry(plugins(base)).catch((e: unknown) => {
    // A module's own error (file = the module) goes under the config's `plugins:` key.
    if (!(e instanceof NmflabError) || e instanceof NmflabErrors) throw e;
    const inner = [e.file, e.path].filter((x) => x !== undefined && x !== '').join(': ');
    throw new NmflabError(e.reason, {
      file,
      path: inner ? `plugins: ${inner}` : 'plugins',
      expected: e.expected,
      found: e.found,
      hint: e.hint,
      exitCode: e.exitCode,
    });
  });
  const plan = parseSweep(base.sweep, sweeps, file);
  const planned = expandSweep(base, plan);
  const runs: PreparedRun[] = [];
  const seen = new Set<string>();
  const errors: NmflabError[] = [];
  for (const p of planned) {
    const { config, errors: errs } = validateConfig(p.raw, registry, file);
    for (const e of errs) {
      // The same problem in every run is reported once; a bad swept value names its value.
      if (seen.has(e.message)) continue;
      seen.add(e.message);
      const axis = Object.keys(p.varied).find(
        (k) => k !== 'seed' && e.path !== undefined && (e.path === k || e.path.startsWith(`${k}.`)),
      );
      errors.push(
        axis && e.found !== undefined
          ? new NmflabError(e.reason, {
              file: e.file,
              path: `${e.path} (sweep value ${JSON.stringify(p.varied[axis])})`,
              expected: e.expected,
              found: e.found,
              hint: e.hint,
            })
          : e,
      );
    }
    if (config) runs.push({ ...p, config });
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new NmflabErrors(errors);
  return { file, base, plan, runs, registry };
}
