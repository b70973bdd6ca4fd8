import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NmflabError, Registry, type AnyPlugin, type Divergence } from '@nmflab/core';
import { divergencePlugins } from '@nmflab/divergences';
import { solverPlugins } from '@nmflab/solvers';
import { divergenceProperties } from './conformance/divergence.js';

/**
 * The README's "new divergence in code" example (Hellinger), taken from README.md as written, is
 * a plugin the conformance suite accepts: the divergence properties hold for it, and `mu`, whose
 * theory needs a weight φ″ the example does not have, refuses it with one line instead of running.
 */
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const header = '// packages/divergences/src/divergences/hellinger.ts';
const block = new RegExp(`\`\`\`ts\\n${header.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n([\\s\\S]*?)\`\`\``).exec(
  readme,
)?.[1];

const dir = mkdtempSync(join(tmpdir(), 'nmflab-readme-plugin-'));
let plugin: AnyPlugin | undefined;
if (block) {
  writeFileSync(join(dir, 'hellinger.ts'), block);
  plugin = (await import(join(dir, 'hellinger.ts'))).default as AnyPlugin;
}
rmSync(dir, { recursive: true, force: true });

describe("README's Hellinger divergence plugin", () => {
  it('is in the README and loads as a divergence plugin', () => {
    expect(block, `README.md has a ts block starting with ${header}`).toBeDefined();
    expect(plugin?.meta).toMatchObject({ kind: 'divergence', id: 'hellinger' });
  });

  if (!plugin) return;
  const registry = new Registry([...divergencePlugins, ...solverPlugins, plugin]);
  for (const p of divergenceProperties(() => registry.create('divergence', 'hellinger') as Divergence))
    it(p.name, p.run);

  it('mu refuses it (no weight φ″) with one line naming the divergence', () => {
    let err: unknown;
    try {
      registry.create('solver', { id: 'mu', params: { divergence: 'hellinger' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NmflabError);
    expect((err as NmflabError).format()).toMatch(/^divergence: the hellinger divergence has no multiplicative update/);
    expect((err as NmflabError).format()).not.toMatch(/\n/);
  });
});
