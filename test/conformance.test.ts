import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PLUGIN_HOMES, PLUGIN_KINDS, compileParams, pluginPaths, type AnyPlugin, type PluginKind } from '@nmflab/core';
import { divergencePlugins } from '@nmflab/divergences';
import { solverPlugins } from '@nmflab/solvers';
import { taskPlugins } from '@nmflab/tasks';
import { pluginPage } from 'nmflab';
import { builtinRegistry } from './support/registry.js';
import { kindChecks } from './conformance/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const registry = await builtinRegistry();
/** Each package's plugin list, by package folder: where a plugin of each kind must be registered. */
const lists: Record<string, AnyPlugin[]> = {
  divergences: divergencePlugins,
  solvers: solverPlugins,
  tasks: taskPlugins,
};

describe('plugin layout', () => {
  it('every kind has plugins, and each package lists its plugins sorted by folder and id', () => {
    for (const kind of PLUGIN_KINDS) expect(registry.list(kind).length, kind).toBeGreaterThan(0);
    for (const [pkg, list] of Object.entries(lists)) {
      const keys = list.map((p) => `${PLUGIN_HOMES[p.meta.kind].folder}/${p.meta.id}`);
      expect(keys, `packages/${pkg}/src/index.ts`).toEqual([...keys].sort());
    }
  });

  it('every file in a kind folder is a registered plugin of that kind, and no other package has such a folder', () => {
    const folders = new Map(
      Object.entries(PLUGIN_HOMES).map(([k, h]) => [h.folder, { kind: k as PluginKind, pkg: h.package }]),
    );
    for (const pkg of readdirSync(join(root, 'packages'))) {
      for (const [folder, { kind, pkg: home }] of folders) {
        const dir = join(root, 'packages', pkg, 'src', folder);
        if (!existsSync(dir)) continue;
        expect(pkg, `packages/${pkg}/src/${folder}: ${kind} plugins live in packages/${home}`).toBe(home);
        for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
          expect(
            registry.has(kind, f.slice(0, -3)),
            `packages/${pkg}/src/${folder}/${f} is not a registered ${kind}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('plugin conformance', () => {
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

        it("lives in its kind's home, is registered there, and has its test and its current reference page", () => {
          const paths = pluginPaths(kind, meta.id);
          expect(existsSync(join(root, paths.source)), paths.source).toBe(true);
          expect(existsSync(join(root, paths.test)), paths.test).toBe(true);
          expect(
            lists[PLUGIN_HOMES[kind].package].includes(plugin),
            `registered in packages/${PLUGIN_HOMES[kind].package}/src/index.ts`,
          ).toBe(true);
          const doc = join(root, paths.doc);
          expect(existsSync(doc), `${paths.doc} (run: npm run docs:plugins)`).toBe(true);
          expect(readFileSync(doc, 'utf8'), `${paths.doc} is stale (run: npm run docs:plugins)`).toBe(pluginPage(meta));
        });

        it('defaults validate (required parameters aside)', () => {
          const required = Object.entries(meta.params)
            .filter(([, s]) => s.required)
            .map(([n]) => n);
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
