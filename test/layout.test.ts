import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

/** Rules of the layout that no compiler checks (docs/architecture.md, "Layout"). */
const root = fileURLToPath(new URL('..', import.meta.url));

/** Source files under dir (Node's recursive listing; build output and dependencies left out). */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !/(^|\/)(node_modules|dist)\//.test(f))
    .map((f) => join(dir, f));
}

function offenders(files: string[], pattern: RegExp): string[] {
  return files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
}

const pkg = (name: string, sub: string) => tsFiles(join(root, 'packages', name, sub));

describe('layout rules', () => {
  it('plugins reach kernels through core’s interface: no backend module is imported outside core', () => {
    const files = ['divergences', 'solvers', 'tasks'].flatMap((p) => pkg(p, 'src'));
    expect(offenders(files, /WasmWorkspace|nativeMuKernels|linalg\/backends\//)).toEqual([]);
  });

  it('no test below the CLI imports @nmflab/cli', () => {
    const files = ['core', 'divergences', 'solvers', 'tasks', 'nmflab', 'report', 'queue']
      .flatMap((p) => pkg(p, 'test'))
      .concat(tsFiles(join(root, 'test')));
    expect(offenders(files, /from '@nmflab\/cli'/)).toEqual([]);
  });

  it('CLI commands share argument types through args.ts, not by importing main.ts', () => {
    expect(offenders(pkg('cli', 'src/commands'), /from '\.\.\/main\.js'/)).toEqual([]);
  });

  it('no non-null assertion after an index: without noUncheckedIndexedAccess it asserts nothing', () => {
    const all = ['core', 'divergences', 'solvers', 'tasks', 'nmflab', 'report', 'queue', 'cli']
      .flatMap((p) => [...pkg(p, 'src'), ...pkg(p, 'test')])
      .concat(tsFiles(join(root, 'test')), tsFiles(join(root, 'bench')), tsFiles(join(root, 'examples')));
    // Built from parts so that this file does not match itself.
    expect(offenders(all, new RegExp(`\\]${'!'}(?!=)`))).toEqual([]);
  });
});
