import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const config = relative(
  process.cwd(),
  fileURLToPath(new URL('../../core/test/fixtures/configs/good/base.yaml', import.meta.url)),
);
const built = existsSync(bin);

function nmflab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const made: string[] = [];
const fresh = () => {
  made.push(mkdtempSync(join(tmpdir(), 'nmflab-cli-run-')));
  return made.at(-1)!;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const sweepDir = (out: string) => join(out, 'base', readdirSync(join(out, 'base'))[0]);
/** trajectory.csv without the wall-time column. */
const det = (f: string) =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(0, -1).join(','));
const status = (dir: string, run: string) =>
  (JSON.parse(readFileSync(join(dir, run, 'run.json'), 'utf8')) as { status: string }).status;
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir))
    out[f] = `${readFileSync(join(dir, f)).toString('base64')}@${statSync(join(dir, f)).mtimeMs}`;
  return out;
}
async function waitFor(cond: () => boolean, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Each test starts two or three Node processes (about 1.5 s of CPU each to start) that run sweeps:
// on a loaded 2-core machine a test takes tens of seconds, so the 60 s default is too tight.
describe.skipIf(!built)('nmflab run / compare (built dist)', { timeout: 180_000 }, () => {
  it('same seeds → byte-identical trajectories with 1 or 2 worker threads (wall time aside)', () => {
    const sweep = ['--sweep', 'model.rank=[2,3]', '--sweep', 'seeds=2', '--quiet'];
    const a = fresh();
    const b = fresh();
    const ra = nmflab('run', config, '--out', a, '--jobs', '1', ...sweep);
    const rb = nmflab('run', config, '--out', b, '--jobs', '2', ...sweep);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    expect(ra.out).toMatch(/^results in .*base\/\d{8}-\d{6}\n$/);
    const da = sweepDir(a);
    const db = sweepDir(b);
    for (const run of ['0000', '0001', '0002', '0003']) {
      expect(det(join(da, run, 'trajectory.csv'))).toEqual(det(join(db, run, 'trajectory.csv')));
      expect(readFileSync(join(da, run, 'H.npy'))).toEqual(readFileSync(join(db, run, 'H.npy')));
    }
    // Seeds differ across repetitions, so the trajectories do too.
    expect(det(join(da, '0000', 'trajectory.csv'))).not.toEqual(det(join(da, '0001', 'trajectory.csv')));
    // The seeds are pooled per rank into aggregate.csv, the same for both; summarize prints it.
    expect(readFileSync(join(da, 'aggregate.csv'), 'utf8')).toBe(readFileSync(join(db, 'aggregate.csv'), 'utf8'));
    const sum = nmflab('summarize', da, '--metric', 'objective');
    expect(sum.code, sum.err).toBe(0);
    expect(sum.out).toMatch(
      /summary\.csv: 4 runs, 4 completed, 0 failed, 0 to do\n.*aggregate\.csv: mean ± 95 % CI.*\nmodel\.rank=2\n {2}objective: -?[\d.]+ ± [\d.]+ \(n=2\)\n/s,
    );
    expect(sum.out).toMatch(/\nmodel\.rank=3\n {2}objective: /);
    const cmp = nmflab('compare', da, '--csv', join(a, 'table.csv'));
    expect(cmp.code).toBe(0);
    expect(cmp.out.split('\n')[0]).toMatch(/^run +seed +model\.rank +status +objective/);
    expect(readFileSync(join(a, 'table.csv'), 'utf8').split('\n')).toHaveLength(6);
  });

  it('a sweep killed with SIGKILL is completed by --resume, finished runs untouched', async () => {
    const out = fresh();
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        config,
        '--out',
        out,
        '--jobs',
        '1',
        '--sweep',
        'model.rank=[2,3,2,3,2,3]',
        '--set',
        'model.solver.params.delayMs=15',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      () =>
        existsSync(join(out, 'base')) &&
        readdirSync(join(out, 'base')).length > 0 &&
        existsSync(join(sweepDir(out), '0001', 'run.json')),
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const dir = sweepDir(out);
    const finished = readdirSync(dir).filter((f) => /^\d{4}$/.test(f));
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished.length).toBeLessThan(6);
    for (const f of finished) expect(status(dir, f)).toBe('completed');
    const kept = Object.fromEntries(finished.map((f) => [f, snapshot(join(dir, f))]));
    const r = nmflab('run', '--resume', dir, '--quiet');
    expect(r.code, r.err).toBe(0);
    for (const f of finished) expect(snapshot(join(dir, f))).toEqual(kept[f]);
    expect(readdirSync(dir).sort(), 'no temporary left').toEqual([
      '0000',
      '0001',
      '0002',
      '0003',
      '0004',
      '0005',
      'summary.csv',
      'sweep.yaml',
    ]);
    for (const run of ['0002', '0003', '0004', '0005']) expect(status(dir, run)).toBe('completed');
    // Same config, same bits: the resumed runs reproduce the first ones.
    expect(det(join(dir, '0004', 'trajectory.csv'))).toEqual(det(join(dir, '0000', 'trajectory.csv')));
    expect(det(join(dir, '0005', 'trajectory.csv'))).toEqual(det(join(dir, '0001', 'trajectory.csv')));
  });

  it('Ctrl-C (SIGINT) marks the running run interrupted, leaves nothing half-written, exits 130', async () => {
    const out = fresh();
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        config,
        '--out',
        out,
        '--jobs',
        '1',
        '--sweep',
        'model.rank=[2,3]',
        '--set',
        'model.stopping.maxIterations=100000',
        '--set',
        'model.solver.params.delayMs=2',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      () =>
        existsSync(join(out, 'base')) &&
        readdirSync(join(out, 'base')).length > 0 &&
        existsSync(join(sweepDir(out), '.0000.tmp', 'run.json')),
    );
    child.kill('SIGINT');
    // 'close', not 'exit': 'exit' can come before the last of stderr is read.
    const code = await new Promise((r) => child.once('close', (c) => r(c)));
    expect(code).toBe(130);
    const dir = sweepDir(out);
    expect(readdirSync(dir).sort()).toEqual(['0000', 'summary.csv', 'sweep.yaml']);
    expect(status(dir, '0000')).toBe('interrupted');
    expect(stderr).toMatch(/interrupted .*nmflab run --resume /);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8')).toMatch(/\n0000,interrupted,2,[^\n]*\n0001,queued,3,/);
  });

  it('config errors are reported at once, exit 2, before anything runs', () => {
    const out = fresh();
    const r = nmflab(
      'run',
      config,
      '--out',
      out,
      '--set',
      'model.rank=0',
      '--set',
      'model.solver=test-mv',
      '--sweep',
      'model.restarts=[1, 0]',
    );
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      `nmflab: ${config}: model.rank: out of range (expected a number ≥ 1, found 0)`,
      expect.stringMatching(
        /^\S+base\.yaml: model\.solver: unknown solver 'test-mv' \(expected one of [a-z, -]*test-mu[a-z, -]*\); did you mean 'test-mu'\?$/,
      ),
      `${config}: model.restarts (sweep value 0): out of range (expected a number ≥ 1, found 0)`,
    ]);
    expect(existsSync(join(out, 'base'))).toBe(false);
  });

  it("a run folder's config.yaml reruns from another working directory, its --plugin module found", () => {
    const out = fresh();
    // The config's own plugins: replaced, so the solver comes from --plugin alone (a cwd-relative path).
    const plugin = relative(
      process.cwd(),
      fileURLToPath(new URL('../../core/test/fixtures/plugins/test-solver.mjs', import.meta.url)),
    );
    const first = nmflab('run', config, '--out', out, '--set', 'plugins=[]', '--plugin', plugin, '--quiet');
    expect(first.code, first.err).toBe(0);
    const runConfig = join(sweepDir(out), '0000', 'config.yaml');
    const elsewhere = fresh();
    const again = spawnSync(process.execPath, [bin, 'run', runConfig, '--out', join(out, 'again'), '--quiet'], {
      cwd: elsewhere,
      encoding: 'utf8',
    });
    expect({ code: again.status, err: again.stderr }).toEqual({ code: 0, err: '' });
    const rerun = join(out, 'again', 'base');
    expect(det(join(rerun, readdirSync(rerun)[0], '0000', 'trajectory.csv'))).toEqual(
      det(join(sweepDir(out), '0000', 'trajectory.csv')),
    );
  });
});
