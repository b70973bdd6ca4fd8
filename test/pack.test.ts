import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './support/temp-dir.js';

/**
 * The packages as a stranger gets them: `pnpm pack` of each workspace package (which rewrites
 * `workspace:*` to the shared version), installed with npm into an empty folder (third-party
 * dependencies from the npm registry, the nmflab ones from the tarballs only), then every example
 * and the `nmflab` command run against that install. Needs the build (`npm run build`) first.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const sh = promisify(execFile);
const tmp = tempDirs('nmflab-pack-');
const packages = readdirSync(join(root, 'packages')).sort();
const rootVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

async function tarList(file: string): Promise<string[]> {
  return (await sh('tar', ['tzf', file], { encoding: 'utf8' })).stdout.split('\n').filter(Boolean);
}

describe('packed packages', { timeout: 300_000 }, () => {
  it('share one version and depend on each other by workspace:*', () => {
    for (const p of packages) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'));
      expect(pkg.version, p).toBe(rootVersion);
      expect(pkg.license, p).toBe('MIT');
      for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
        if (dep === 'nmflab' || dep.startsWith('@nmflab/')) expect(range, `${p} → ${dep}`).toBe('workspace:*');
      }
      expect(readFileSync(join(root, 'packages', p, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(root, 'LICENSE'), 'utf8'),
      );
    }
  });

  it('install from the tarballs into an empty folder; the examples and the command run there', async () => {
    const dest = join(tmp.dir, 'tarballs');
    const deps: Record<string, string> = {};
    for (const p of packages) {
      const dir = join(root, 'packages', p);
      const { stdout } = await sh('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', dest], {
        cwd: dir,
        encoding: 'utf8',
      });
      const tgz = stdout.trim().split('\n').at(-1)!.trim();
      const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
      deps[name] = `file:${tgz}`;
      const files = await tarList(tgz);
      for (const f of ['package/package.json', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts'])
        expect(files, `${name}: ${f}`).toContain(f);
      expect(
        files.filter((f) => f.includes('tsbuildinfo') || f.includes('/test/')),
        name,
      ).toEqual([]);
      const packed = (await sh('tar', ['xzf', tgz, '-O', 'package/package.json'], { encoding: 'utf8' })).stdout;
      expect(packed, name).not.toContain('workspace:');
      expect(JSON.parse(packed).version).toBe(rootVersion);
    }
    // An empty project: every nmflab package from its tarball (overrides pin the nested ones too).
    const app = join(tmp.dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'stranger', private: true, type: 'module', dependencies: deps, overrides: deps }, null, 2),
    );
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: app,
      encoding: 'utf8',
      timeout: 240_000,
    });
    // Nothing may come from the checkout: the install holds real copies, not links to it.
    for (const name of Object.keys(deps))
      expect(existsSync(join(app, 'node_modules', name, 'dist', 'index.js')), name).toBe(true);

    cpSync(join(root, 'examples'), join(app, 'examples'), { recursive: true });
    symlinkSync(join(root, 'data'), join(app, 'data')); // the separation example reads the committed mixture
    const run = (file: string, ...args: string[]) =>
      sh(process.execPath, [join(app, 'examples', file), ...args, '--quick'], {
        cwd: app,
        encoding: 'utf8',
        timeout: 120_000,
      }).then((r) => r.stdout);
    expect(await run('quickstart.mjs', join(app, 'model'))).toBe('same H: true\n');
    expect(await run('fit-transform.mjs')).toContain('relative error on the training data');
    expect(await run('custom-divergence.mjs')).toContain('iterations where the objective rose: 0');
    expect(await run('supervised-separation.mjs')).toMatch(/speech: SDR [\d.]+ dB/);
    expect(await run('sweep.mjs', join(app, 'results'))).toContain('6 completed, 0 failed');

    const bin = join(app, 'node_modules', '.bin', 'nmflab');
    expect((await sh(bin, ['--help'], { cwd: app, encoding: 'utf8' })).stdout).toContain('nmflab <command>');
    writeFileSync(
      join(app, 'small.yaml'),
      'name: small\ndata: { id: synthetic-lowrank, params: { rows: 10, cols: 12, rank: 2 } }\nmodel: { solver: mu, rank: 2, stopping: { maxIterations: 20 } }\n',
    );
    const out = await sh(bin, ['run', 'small.yaml', '--out', join(app, 'results')], { cwd: app, encoding: 'utf8' });
    expect(out.stdout + out.stderr).toContain('1 completed');
  });
});
