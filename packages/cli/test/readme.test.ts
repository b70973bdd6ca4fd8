import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Matrix, encodeWav, loadComposed, matrixToCsv, matrixToNpy } from '@nmflab/core';

/**
 * Every `npx nmflab …` line of the README's command blocks runs as written, from a folder where
 * experiments/ and data/ are the repository's and the files the examples name exist (V.csv,
 * W0.csv, the WAVs, my-plugins.js from the README's own plugin example). Reduced where it must be
 * to keep the suite short: `run CONFIG` gets `--set sweep={}` and 2 iterations (the line's own
 * --set/--sweep still apply after); a results/<name>/<stamp> placeholder becomes the newest folder
 * of that experiment (run first, reduced, if none). Queue lines need Redis and are skipped.
 */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(bin);
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

/** Split a shell line into words (single and double quotes; no expansions). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function commandLines(): string[] {
  const lines: string[] = [];
  const re = /```sh\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(readme))) {
    for (const raw of m[1].split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (line.startsWith('npx nmflab ')) lines.push(line);
    }
  }
  return lines;
}

function jsBlock(name: string): string {
  const m = new RegExp(`\`\`\`js\\n// ${name.replace('.', '\\.')}\\n([\\s\\S]*?)\`\`\``).exec(readme);
  return m ? m[1] : '';
}

const lines = commandLines();

describe.skipIf(!built)('README examples run as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmflab-readme-'));
  const nmflab = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 240_000 });

  const reduce = (args: string[]): string[] => {
    if (args[0] !== 'run' || args.includes('--resume') || !args[1]?.endsWith('.yaml')) return args;
    const composed = loadComposed(join(dir, args[1]));
    return [
      ...args.slice(0, 2),
      '--set',
      'sweep={}',
      ...(composed.model ? ['--set', 'model.stopping.maxIterations=2'] : []),
      ...args.slice(2),
    ];
  };

  /** results/<name>/<stamp>[/<run>] → the newest sweep folder of <name> (made, reduced, when missing). */
  const resolveStamps = (args: string[]): string[] =>
    args.map((a) => {
      const m = /^results\/([^/]+)\/\d{8}-\d{6}(\/\d{4})?$/.exec(a);
      if (!m) return a;
      const parent = join(dir, 'results', m[1]);
      if (!existsSync(parent)) {
        const r = nmflab(reduce(['run', `experiments/${m[1]}.yaml`, '--quiet']));
        expect(r.status, r.stderr).toBe(0);
      }
      const newest = readdirSync(parent).sort().at(-1)!;
      return `results/${m[1]}/${newest}${m[2] ?? ''}`;
    });

  it('the README has command lines to run', () => {
    expect(lines.length).toBeGreaterThan(20);
    symlinkSync(join(repo, 'experiments'), join(dir, 'experiments'));
    symlinkSync(join(repo, 'data'), join(dir, 'data'));
    const V = new Matrix(20, 30);
    for (let i = 0; i < V.data.length; i++) V.data[i] = 0.5 + ((i * 37) % 23) / 7;
    writeFileSync(join(dir, 'V.csv'), matrixToCsv(V));
    writeFileSync(join(dir, 'V.npy'), matrixToNpy(V));
    const ones = (r: number, c: number) => {
      const m = new Matrix(r, c);
      for (let k = 0; k < m.data.length; k++) m.data[k] = 1 + (k % 5) / 5;
      return matrixToCsv(m);
    };
    writeFileSync(join(dir, 'W0.csv'), ones(20, 4));
    writeFileSync(join(dir, 'H0.csv'), ones(4, 30));
    const tone = (f: number, phase: number) =>
      Float64Array.from(
        { length: 8000 },
        (_, t) => 0.3 * Math.sin((2 * Math.PI * f * t) / 8000 + phase) + 0.05 * Math.sin(t * 0.37 * f),
      );
    const files: [string, number, number][] = [
      ['speech.wav', 300, 0],
      ['chime.wav', 1200, 0],
      ['est1.wav', 300, 0.3],
      ['est2.wav', 1200, 0.2],
      ['r1.wav', 440, 0],
      ['r2.wav', 660, 0],
      ['e1.wav', 440, 0.1],
      ['e2.wav', 660, 0.4],
    ];
    for (const [name, f, ph] of files)
      writeFileSync(join(dir, name), encodeWav(tone(f, ph), 8000, { format: 'pcm16' }));
    const plugin = jsBlock('my-plugins.js');
    expect(plugin).toMatch(/export default/);
    writeFileSync(join(dir, 'my-plugins.js'), plugin);
  });

  /** `nmflab ui` serves until Ctrl-C: start it, ask it for the page and the run list, interrupt (exit 130). */
  const browse = async (args: string[]) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) ok(m[1]);
      });
      child.once('exit', (code) => fail(new Error(`nmflab ui exited ${code}: ${err}`)));
    });
    expect((await fetch(url)).status).toBe(200);
    const runs = await fetch(`${url}api/runs`);
    expect(runs.status, await runs.clone().text()).toBe(200);
    expect(((await runs.json()) as { runs: unknown[] }).runs.length).toBeGreaterThan(0);
    const code = await new Promise<number | null>((ok) => {
      child.once('exit', (c) => ok(c));
      child.kill('SIGINT');
    });
    expect({ code, err }).toEqual({ code: 130, err: '' });
  };

  it.each(lines.map((l) => [l]))('%s', async (line) => {
    const args = words(line).slice(2);
    if (args.includes('--queue') || args[0] === 'worker') {
      console.log(`skipped (needs a Redis server; docs/distributed.md and queue tests cover it): ${line}`);
      return;
    }
    if (args[0] === 'ui') return browse(args);
    const r = nmflab(resolveStamps(reduce(args)));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  });

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
