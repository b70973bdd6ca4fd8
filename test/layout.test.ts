import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

/** Rules of the layout that no compiler checks (docs/architecture.md, "Layout"). */
const root = fileURLToPath(new URL('..', import.meta.url));

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
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
});
