import { Registry, createContainer, loadPluginModule, coreModule } from '@nmflab/core';
import { divergencesModule } from '@nmflab/divergences';
import { solversModule } from '@nmflab/solvers';

/** Every module nmflab ships; user modules are loaded after them. */
export const builtinModules = [coreModule, divergencesModule, solversModule];

/** Build the registry from the built-in modules plus the user's plugin module files. */
export async function buildRegistry(pluginFiles: readonly string[] = [], baseDir = process.cwd()): Promise<Registry> {
  const user = [];
  for (const f of pluginFiles) user.push(await loadPluginModule(f, baseDir));
  return Registry.fromContainer(createContainer([...builtinModules, ...user]));
}
