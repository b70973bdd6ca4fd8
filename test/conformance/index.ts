import type { AnyPlugin, PluginKind, Registry } from '@nmflab/core';
import { divergenceChecks } from './divergence.js';
import { initializerChecks } from './initializer.js';
import { solverChecks } from './solver.js';
import { regularizerChecks } from './regularizer.js';

/**
 * Kind-specific properties every registered plugin of a kind must satisfy. Each kind's checks
 * live in `test/conformance/<kind>.ts` and are registered here with one line, so a new plugin
 * gets them for free.
 */
export type KindChecks = (plugin: AnyPlugin, registry: Registry) => { name: string; run: () => void | Promise<void> }[];

export const kindChecks: Partial<Record<PluginKind, KindChecks>> = {
  divergence: divergenceChecks,
  initializer: initializerChecks,
  solver: solverChecks,
  regularizer: regularizerChecks,
};
