import { pluginModule, type AnyPlugin } from './plugin.js';
import matrixFile from './sources/matrix-file.js';
import syntheticLowrank from './sources/synthetic-lowrank.js';
import wavMixture from './sources/wav-mixture.js';
import factorize from './tasks/factorize.js';

/** The plugins that live in core (metrics, sources, tasks): one import and one line each. */
export const corePlugins: AnyPlugin[] = [
  matrixFile,
  syntheticLowrank,
  wavMixture,
  factorize,
];

/** inversify module registering the core plugins. */
export const coreModule = pluginModule(corePlugins);
