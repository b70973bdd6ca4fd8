import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Registry,
  createContainer,
  loadPluginModule,
  packageVersion,
  pluginModule,
  type AnyPlugin,
  type RunEnv,
} from '@nmflab/core';
import { divergencesModule } from '@nmflab/divergences';
import { solversModule } from '@nmflab/solvers';
import { tasksModule } from '@nmflab/tasks';

/** An inversify ContainerModule (the type of every package's plugin module). */
type PluginModule = Parameters<typeof createContainer>[0][number];

/** Every module nmflab ships; user modules are loaded after them. */
export const builtinModules = [divergencesModule, solversModule, tasksModule];

/** Build the registry from the built-in modules plus the user's plugin module files. */
export async function buildRegistry(pluginFiles: readonly string[] = [], baseDir = process.cwd()): Promise<Registry> {
  const user = [];
  for (const f of pluginFiles) user.push(await loadPluginModule(f, baseDir));
  return Registry.fromContainer(createContainer([...builtinModules, ...user]));
}

let builtin: Registry | undefined;

/**
 * A registry built synchronously from the built-in modules plus plugins given in code: plugin
 * definitions (`definePlugin({...})`) or ContainerModules. Without arguments it is the shared
 * registry of the built-in plugins (built once).
 *
 * @param plugins - user plugin definitions or modules, added after the built-in ones
 */
export function createRegistry(plugins: readonly (AnyPlugin | PluginModule)[] = []): Registry {
  if (plugins.length === 0) {
    builtin ??= Registry.fromContainer(createContainer(builtinModules));
    return builtin;
  }
  const defs = plugins.filter((p): p is AnyPlugin => 'meta' in p);
  const mods = plugins.filter((p): p is PluginModule => !('meta' in p));
  return Registry.fromContainer(
    createContainer([...builtinModules, ...mods, ...(defs.length ? [pluginModule(defs)] : [])]),
  );
}

/**
 * The environment a run needs: the registry (the STFT and the WAV writer default to core's `Stft`
 * and `encodeWav`). Worker threads import this module (through the CLI's container.ts) and call it, so every run sees the same plugins.
 */
export async function createRunEnv(pluginFiles: string[] = []): Promise<RunEnv> {
  return { registry: await buildRegistry(pluginFiles) };
}

/** Versions of the nmflab packages, for run provenance (those installed beside this one). */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  const req = createRequire(import.meta.url);
  const own = new URL('../package.json', import.meta.url);
  for (const name of [
    'nmflab',
    '@nmflab/cli',
    '@nmflab/core',
    '@nmflab/divergences',
    '@nmflab/solvers',
    '@nmflab/tasks',
  ]) {
    let url: URL | undefined = name === 'nmflab' ? own : undefined;
    if (!url) {
      try {
        url = pathToFileURL(req.resolve(`${name}/package.json`));
      } catch {
        // Not a dependency of this package (the CLI): its checkout sibling, when there is one.
        const sibling = new URL(`../../${name.replace('@nmflab/', '')}/package.json`, import.meta.url);
        if (name === '@nmflab/cli' && existsSync(fileURLToPath(sibling))) url = sibling;
      }
    }
    const v = url && packageVersion(url);
    if (v) out[name] = v;
  }
  return out;
}
