import { pluginModule, type AnyPlugin } from './plugin.js';

/** The plugins that live in core (metrics, sources, tasks): one import and one line each. */
export const corePlugins: AnyPlugin[] = [];

/** inversify module registering the core plugins. */
export const coreModule = pluginModule(corePlugins);
