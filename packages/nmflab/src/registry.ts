import { Registry, createContainer, loadPluginModule, packageVersion, type RunEnv } from '@nmflab/core';
import { divergencesModule } from '@nmflab/divergences';
import { solversModule } from '@nmflab/solvers';
import { tasksModule } from '@nmflab/tasks';

/** Every module nmflab ships; user modules are loaded after them. */
export const builtinModules = [divergencesModule, solversModule, tasksModule];

/** Build the registry from the built-in modules plus the user's plugin module files. */
export async function buildRegistry(pluginFiles: readonly string[] = [], baseDir = process.cwd()): Promise<Registry> {
  const user = [];
  for (const f of pluginFiles) user.push(await loadPluginModule(f, baseDir));
  return Registry.fromContainer(createContainer([...builtinModules, ...user]));
}

/**
 * The environment a run needs: the registry (the STFT and the WAV writer default to core's `Stft`
 * and `encodeWav`). Worker threads import this module and call it, so every run sees the same plugins.
 */
export async function createRunEnv(pluginFiles: string[] = []): Promise<RunEnv> {
  return { registry: await buildRegistry(pluginFiles) };
}

/** Versions of the nmflab packages, for run provenance. */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  const pkgs: [string, URL][] = [
    ['@nmflab/cli', new URL('../package.json', import.meta.url)],
    ['@nmflab/divergences', new URL('../../divergences/package.json', import.meta.url)],
    ['@nmflab/solvers', new URL('../../solvers/package.json', import.meta.url)],
    ['@nmflab/tasks', new URL('../../tasks/package.json', import.meta.url)],
  ];
  for (const [name, url] of pkgs) {
    const v = packageVersion(url);
    if (v) out[name] = v;
  }
  return out;
}
