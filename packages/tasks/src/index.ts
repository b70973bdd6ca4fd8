import { pluginModule, type AnyPlugin } from '@nmflab/core';
import bssEvalImages from './metrics/bss-eval-images.js';
import bssEvalSources from './metrics/bss-eval-sources.js';
import hoyerSparseness from './metrics/hoyer-sparseness.js';
import lpNorm from './metrics/lp-norm.js';
import nmi from './metrics/nmi.js';
import siSdr from './metrics/si-sdr.js';
import corpusFile from './sources/corpus-file.js';
import corpusItem from './sources/corpus-item.js';
import corpusMixture from './sources/corpus-mixture.js';
import expFamilyMixture from './sources/exp-family-mixture.js';
import expFamilySynthetic from './sources/exp-family-synthetic.js';
import harmonicPair from './sources/harmonic-pair.js';
import imagePatches from './sources/image-patches.js';
import matrixFile from './sources/matrix-file.js';
import mixtureFile from './sources/mixture-file.js';
import swimmer from './sources/swimmer.js';
import syntheticLowrank from './sources/synthetic-lowrank.js';
import textCorpus from './sources/text-corpus.js';
import wavMixture from './sources/wav-mixture.js';
import wavStream from './sources/wav-stream.js';
import bregmanCluster from './tasks/bregman-cluster.js';
import compareComplex from './tasks/compare-complex.js';
import comparePca from './tasks/compare-pca.js';
import extendBand from './tasks/extend-band.js';
import factorize from './tasks/factorize.js';
import heldoutLikelihood from './tasks/heldout-likelihood.js';
import monotonicity from './tasks/monotonicity.js';
import separate from './tasks/separate.js';
import streamDictionary from './tasks/stream-dictionary.js';
import topicCluster from './tasks/topic-cluster.js';
import topicModel from './tasks/topic-model.js';
import transcribe from './tasks/transcribe.js';
import transpose from './tasks/transpose.js';

export * from './evaluation/bss-eval/index.js';
export * as analysis from './evaluation/analysis.js';
export * from './evaluation/measures.js';
export { openFrameStream, type FrameStream } from './sources/wav-stream.js';
export { clusterComponents, partialModel } from './tasks/separate.js';
export { normalizedMutualInformation, type NmiAverage } from './metrics/nmi.js';

/** Every source, task and metric plugin nmflab ships: one import and one line each, sorted by kind and id. */
export const taskPlugins: AnyPlugin[] = [
  bssEvalImages,
  bssEvalSources,
  hoyerSparseness,
  lpNorm,
  nmi,
  siSdr,
  corpusFile,
  corpusItem,
  corpusMixture,
  expFamilyMixture,
  expFamilySynthetic,
  harmonicPair,
  imagePatches,
  matrixFile,
  mixtureFile,
  swimmer,
  syntheticLowrank,
  textCorpus,
  wavMixture,
  wavStream,
  bregmanCluster,
  compareComplex,
  comparePca,
  extendBand,
  factorize,
  heldoutLikelihood,
  monotonicity,
  separate,
  streamDictionary,
  topicCluster,
  topicModel,
  transcribe,
  transpose,
];

/** inversify module registering the plugins above. */
export const tasksModule = pluginModule(taskPlugins);
