import { pluginModule, type AnyPlugin } from './plugin.js';
import bssEvalSources from './metrics/bss-eval-sources.js';
import bssEvalImages from './metrics/bss-eval-images.js';
import siSdr from './metrics/si-sdr.js';
import nmi from './metrics/nmi.js';
import matrixFile from './sources/matrix-file.js';
import syntheticLowrank from './sources/synthetic-lowrank.js';
import wavMixture from './sources/wav-mixture.js';
import factorize from './tasks/factorize.js';
import mixtureFile from './sources/mixture-file.js';
import separate from './tasks/separate.js';
import transcribe from './tasks/transcribe.js';
import monotonicity from './tasks/monotonicity.js';
import extendBand from './tasks/extend-band.js';
import transpose from './tasks/transpose.js';
import compareComplex from './tasks/compare-complex.js';
import harmonicPair from './sources/harmonic-pair.js';

/** The plugins that live in core (metrics, sources, tasks): one import and one line each. */
export const corePlugins: AnyPlugin[] = [
  bssEvalSources,
  bssEvalImages,
  siSdr,
  nmi,
  matrixFile,
  syntheticLowrank,
  wavMixture,
  factorize,
  mixtureFile,
  separate,
  transcribe,
  monotonicity,
  extendBand,
  transpose,
  compareComplex,
  harmonicPair,
];

/** inversify module registering the core plugins. */
export const coreModule = pluginModule(corePlugins);
