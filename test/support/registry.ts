import type { Registry } from '@nmflab/core';
import { buildRegistry } from 'nmflab';

export { buildRegistry };

let shared: Promise<Registry> | undefined;

/**
 * The registry of every built-in plugin, built once per test worker (test files share their
 * worker's module cache) — for tests below the CLI, which must not import `@nmflab/cli`.
 * Tests that load their own plugin modules call `buildRegistry(files)`.
 */
export function builtinRegistry(): Promise<Registry> {
  shared ??= buildRegistry();
  return shared;
}
