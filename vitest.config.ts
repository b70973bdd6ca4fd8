import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Unit tests run against the TypeScript sources; CLI end-to-end tests run the built dist.
    alias: [
      // A package's entry to its index.ts; a subpath export ('@nmflab/queue/connection') to the
      // source file of the same name, as the packages' `exports` map it to dist/<name>.js.
      ...['core', 'divergences', 'solvers', 'tasks', 'queue', 'cli', 'report'].map((pkg) => ({
        find: new RegExp(`^@nmflab/${pkg}$`),
        replacement: src(pkg),
      })),
      { find: /^nmflab$/, replacement: src('nmflab') },
      {
        find: /^@nmflab\/([a-z-]+)\/([a-z-]+)$/,
        replacement: `${fileURLToPath(new URL('./packages/', import.meta.url))}$1/src/$2.ts`,
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files share their worker's module cache (core, mathjs, inversify load once per worker
    // instead of once per file): the suite's CPU time drops by ~45 %. Tests must therefore restore
    // any global they change (e.g. setMatmulBackend).
    isolate: false,
  },
});
