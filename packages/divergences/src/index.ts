import { pluginModule, type AnyPlugin } from '@nmflab/core';

/** Every divergence and regularizer plugin of this package: one import and one line each. */
export const divergencePlugins: AnyPlugin[] = [];

/** inversify module registering the plugins above. */
export const divergencesModule = pluginModule(divergencePlugins);
