import { pluginModule, type AnyPlugin } from '@nmflab/core';

/** Every solver and initializer plugin of this package: one import and one line each. */
export const solverPlugins: AnyPlugin[] = [];

/** inversify module registering the plugins above. */
export const solversModule = pluginModule(solverPlugins);
