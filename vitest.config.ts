import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Unit tests run against the TypeScript sources; CLI end-to-end tests run the built dist.
    alias: {
      '@nmflab/core': src('core'),
      '@nmflab/divergences': src('divergences'),
      '@nmflab/solvers': src('solvers'),
      '@nmflab/queue': src('queue'),
      '@nmflab/cli': src('cli'),
      '@nmflab/report': src('report'),
    },
  },
  oxc: { decorator: { legacy: true } } as never,
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
