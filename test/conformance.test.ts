import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PLUGIN_KINDS, compileParams, type AnyPlugin } from '@nmflab/core';
import { buildRegistry } from '@nmflab/cli';
import { kindChecks } from './conformance/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const registry = await buildRegistry();
const packages = readdirSync(join(root, 'packages'));

/** The one id names the plugin's source and test: `packages/<pkg>/{src,test}/<kind>s/<id>(.test).ts`. */
function locate(p: AnyPlugin): { src?: string; test?: string } {
  for (const pkg of packages) {
    const src = join(root, 'packages', pkg, 'src', `${p.meta.kind}s`, `${p.meta.id}.ts`);
    if (existsSync(src)) {
      const test = join(root, 'packages', pkg, 'test', `${p.meta.kind}s`, `${p.meta.id}.test.ts`);
      return { src, test: existsSync(test) ? test : undefined };
    }
  }
  return {};
}

describe('plugin conformance', () => {
  it('the built-in registry builds', () => {
    expect(registry.list().length).toBeGreaterThanOrEqual(0);
  });

  for (const kind of PLUGIN_KINDS) {
    for (const meta of registry.list(kind)) {
      const plugin = registry.get(kind, meta.id);
      describe(`${kind} ${meta.id}`, () => {
        it('has a one-line description and declared, valid parameters', () => {
          expect(meta.description.length).toBeGreaterThan(5);
          expect(meta.description).not.toMatch(/\n/);
          for (const [name, s] of Object.entries(meta.params)) {
            expect(name, `param ${name}`).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
            expect(s.description.length, `param ${name} description`).toBeGreaterThan(2);
          }
          expect(() => compileParams(meta.params)).not.toThrow();
        });

        it('has its source file and its own test file named by its id', () => {
          const { src, test } = locate(plugin);
          expect(src, `src/${kind}s/${meta.id}.ts`).toBeDefined();
          expect(test, `test/${kind}s/${meta.id}.test.ts`).toBeDefined();
        });

        it('defaults validate (required parameters aside)', () => {
          const required = Object.entries(meta.params).filter(([, s]) => s.required).map(([n]) => n);
          const { errors } = registry.validate(kind, { id: meta.id, params: {} });
          const unexpected = errors.filter((e) => !required.some((r) => e.path?.endsWith(`params.${r}`)));
          expect(unexpected.map((e) => e.format())).toEqual([]);
        });

        it('rejects an unknown parameter with a did-you-mean', () => {
          const first = Object.keys(meta.params)[0];
          const bogus = first ? `${first}x` : 'bogus';
          const { errors } = registry.validate(kind, { id: meta.id, params: { [bogus]: 1 } });
          expect(errors.some((e) => e.reason === 'unknown parameter' && e.path === `params.${bogus}`)).toBe(true);
        });

        const checks = kindChecks[kind]?.(plugin, registry) ?? [];
        for (const c of checks) it(c.name, c.run);
      });
    }
  }
});
