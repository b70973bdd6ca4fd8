import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { createRunEnv } from 'nmflab';
import { parseQueueUrl, submitSweep, type SubmitEvent } from '@nmflab/queue';

/**
 * The queue end to end: a real redis-server on a loopback port, the built CLI as submitter and as
 * worker processes. Runs are tiny (12×15, 20 iterations) slowed by the test solver's sleep so that
 * a worker can be killed in the middle of one. The first test has a queue and two workers of its
 * own; the others share worker W on another queue, and each reads only its own part of W's log,
 * so that the tests pass in any order.
 */
const bin = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));
const config = relative(
  process.cwd(),
  fileURLToPath(new URL('../../../core/test/fixtures/configs/good/base.yaml', import.meta.url)),
);
const built = existsSync(bin);
const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
const haveRedis = !redisVersion.error && redisVersion.status === 0;
if (!haveRedis)
  console.warn(
    'queue tests skipped: redis-server is not installed (Debian: apt-get install redis-server; .ci/system-deps does it)',
  );
if (!built) console.warn('queue tests skipped: the CLI is not built (npx tsc -b)');

const LOCK = ['--lock-duration', '3000', '--stalled-interval', '500'];
/** Queue names: the first test's, and the one of worker W that the other tests share. */
const TAKEOVER = 'takeover';
const SHARED = 'shared';
/** 20 iterations × 40 ms: a run lasts about 0.8 s, long enough to be killed in the middle. */
const SLOW = ['--set', 'model.solver.params.delayMs=40'];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exit: Promise<number | null>;
}
/** Every process started, to be killed at the end (and its log shown when a test fails). */
const procs: Proc[] = [];
function start(args: string[]): Proc {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close', not 'exit': 'exit' can come before the last output is read (the "results in" line).
  const p: Proc = { child, out: '', err: '', exit: new Promise((r) => child.once('close', (code) => r(code))) };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.err += d.toString()));
  procs.push(p);
  return p;
}
async function waitFor(cond: () => boolean, what: string, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
/** Lines `<stamp> <verb> base/<run> …` of a worker's log. */
const events = (log: string, verb: string) =>
  [...log.matchAll(new RegExp(`^\\S+ ${verb} base/(\\d{4})`, 'gm'))].map((m) => m[1]);
const det = (f: string) =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(0, -1).join(','));
const record = (dir: string, run: string) =>
  JSON.parse(readFileSync(join(dir, run, 'run.json'), 'utf8')) as { status: string; error?: string };
const sweepDirOf = (p: Proc) => p.out.match(/^results in (.*)$/m)?.[1]?.trim() ?? '';

// Each test starts several Node processes (about 1.5 s of CPU each to start): on a loaded 2-core
// machine a test takes tens of seconds, so the 60 s default is too tight.
describe.skipIf(!haveRedis || !built)(
  'nmflab run --queue / nmflab worker (real redis-server)',
  { timeout: 180_000 },
  () => {
    let redis: ChildProcess;
    let url = '';
    const scratch = mkdtempSync(join(tmpdir(), 'nmflab-queue-'));
    let w: Proc;

    beforeAll(async () => {
      // The free port is only probed: another process may take it before redis-server binds it
      // (redis-server then exits); try another one.
      let log = '';
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        redis = spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        log = '';
        let exited = false;
        redis.once('exit', () => (exited = true));
        redis.stdout!.on('data', (d: Buffer) => (log += d.toString()));
        await waitFor(() => /Ready to accept connections/.test(log) || exited, 'redis-server to start', 20_000);
        if (!exited) {
          url = `redis://127.0.0.1:${port}/0`;
          w = start(['worker', '--queue', url, '--queue-name', SHARED]);
          return;
        }
        if (attempt === 5) throw new Error(`redis-server did not start:\n${log}`);
      }
    });

    // On a failure, the workers' logs say what happened on their side.
    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail')
        for (const p of procs)
          console.error(`--- ${p.child.spawnargs.slice(2, 4).join(' ')} (pid ${p.child.pid}) stderr:\n${p.err}`);
    });

    afterAll(async () => {
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      redis?.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    });

    it('two workers run every run once; one killed mid-run loses nothing, the other finishes its run; results equal a local run bit for bit', async () => {
      const out = join(scratch, 'q');
      const sweep = ['--sweep', 'model.rank=[2,3]', '--sweep', 'seeds=3', ...SLOW];
      const queueArgs = ['--queue', url, '--queue-name', TAKEOVER];
      // The reference: the same sweep run locally (started now, it overlaps the queued one).
      const local = start(['run', config, '--out', join(scratch, 'local'), ...sweep, '--jobs', '1', '--quiet']);
      const a = start(['worker', ...queueArgs, ...LOCK]);
      // Submitted twice before any worker is done: the job ids make the second submission a no-op.
      const first = start(['run', config, '--out', out, ...sweep, ...queueArgs]);
      expect(await first.exit, first.err).toBe(0);
      const dir = sweepDirOf(first);
      expect(first.err).toMatch(/6 runs → .* \(6 queued now\)/);
      const follow = start(['run', config, '--out', out, ...sweep, ...queueArgs, '--follow']);
      // B joins once A has taken a run, so that A surely gets a second one to be killed in (started
      // together, a loaded machine may start B so much sooner that it leaves A a single run).
      await waitFor(() => events(a.err, 'start').length >= 1, 'worker A to start a run');
      const b = start(['worker', ...queueArgs, ...LOCK]);
      // Kill A in the middle of its second run, after it finished one.
      await waitFor(
        () => events(a.err, 'completed').length >= 1 && events(a.err, 'start').length >= 2,
        'worker A to finish a run and start another',
      );
      const victim = events(a.err, 'start').at(-1)!;
      a.child.kill('SIGKILL');
      await a.exit;
      const finishedByA = events(a.err, 'completed');
      expect(finishedByA).not.toContain(victim);
      expect(existsSync(join(dir, victim)), 'killed in the middle of the run').toBe(false);
      const followCode = await follow.exit;
      expect(followCode, follow.err).toBe(0);
      expect(sweepDirOf(follow)).toBe(dir);
      // Whatever finished meanwhile counts as completed; the rest was queued by the first submission.
      const counts = follow.err.match(
        /6 runs → .* \(0 queued now(?:, (\d) already queued)?(?:, (\d) already completed)?\)/,
      );
      expect(counts, follow.err).not.toBeNull();
      expect(Number(counts![1] ?? 0) + Number(counts![2] ?? 0)).toBe(6);
      expect(follow.err).toMatch(/nmflab: 6 completed/);

      // Every run completed exactly once: A's finished runs stay A's, B did the rest, the victim included.
      const all = ['0000', '0001', '0002', '0003', '0004', '0005'];
      // B logs a completion after Redis has recorded it, so the follower may see the last one and exit
      // before B's line reaches us: wait for B's log to catch up (the exact check follows).
      await waitFor(
        () => finishedByA.length + events(b.err, 'completed').length >= all.length,
        "worker B's log of its last run",
      );
      const byB = events(b.err, 'completed');
      expect([...finishedByA, ...byB].sort()).toEqual(all);
      expect(byB).toContain(victim);
      expect(b.err).toMatch(/recovered stalled job/);
      // aggregate.csv: the sweep repeats seeds, so the summary pools them (mean ± CI per rank)
      expect(readdirSync(dir).sort(), 'no temporary left').toEqual([
        ...all,
        'aggregate.csv',
        'summary.csv',
        'sweep.yaml',
      ]);
      for (const run of all) expect(record(dir, run).status).toBe('completed');
      const summary = readFileSync(join(dir, 'summary.csv'), 'utf8').trim().split('\n').slice(1);
      expect(summary.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(all.map((r) => `${r},completed`));

      // The outcome is recorded with the job too.
      const target = parseQueueUrl(url, TAKEOVER);
      const queue = new Queue(target.name, { connection: target.connection });
      try {
        const done = await queue.getJobs(['completed']);
        expect(done.map((j) => (j.returnvalue as { run: string }).run).sort()).toEqual(all);
        for (const j of done)
          expect(j.returnvalue).toMatchObject({ status: 'completed', iterations: 20, stopReason: 'max-iterations' });
        expect(await queue.getJobCounts('failed', 'waiting', 'active', 'delayed')).toEqual({
          failed: 0,
          waiting: 0,
          active: 0,
          delayed: 0,
        });
      } finally {
        await queue.close();
      }

      // The same sweep run locally gives the same bits (factors; trajectories without wall time).
      expect(await local.exit, local.err).toBe(0);
      const ldir = sweepDirOf(local);
      for (const run of all) {
        for (const m of ['W.npy', 'H.npy'])
          expect(readFileSync(join(dir, run, m)).equals(readFileSync(join(ldir, run, m))), `${run}/${m}`).toBe(true);
        expect(det(join(dir, run, 'trajectory.csv'))).toEqual(det(join(ldir, run, 'trajectory.csv')));
      }
    });

    it('a run that fails deterministically is failed once, not retried; re-submission skips the completed run', async () => {
      const out = join(scratch, 'f');
      const sweep = [
        '--sweep',
        'model.solver.params.failAt=[0,3]',
        '--attempts',
        '3',
        '--queue',
        url,
        '--queue-name',
        SHARED,
      ];
      const from = w.err.length;
      const log = () => w.err.slice(from);
      const first = start(['run', config, '--out', out, ...sweep, '--follow']);
      expect(await first.exit, first.err).toBe(1);
      const dir = sweepDirOf(first);
      expect(first.err).toMatch(/0001 failed: .*test failure at iteration 3/);
      expect(record(dir, '0000').status).toBe('completed');
      expect(record(dir, '0001')).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('test failure at iteration 3'),
      });
      // As above: the follower may report the failure before the worker's own line reaches us.
      await waitFor(() => events(log(), 'failed').length >= 1, "worker W's log of the failure");
      expect(events(log(), 'failed')).toEqual(['0001']);
      expect(log()).not.toMatch(/will retry/);
      const target = parseQueueUrl(url, SHARED);
      const queue = new Queue(target.name, { connection: target.connection });
      try {
        const failed = (await queue.getJobs(['failed'])).filter((j) => resolve(j.data.job.dir) === resolve(dir));
        expect(failed).toHaveLength(1);
        expect(failed[0].attemptsMade).toBe(1);
        expect(failed[0].failedReason).toContain('test failure at iteration 3');
      } finally {
        await queue.close();
      }
      const kept = statSync(join(dir, '0000', 'run.json')).mtimeMs;
      const startsBefore = events(log(), 'start').length;
      // Re-submission: the completed run is skipped, the failed one is queued again (as --resume does).
      const again = start(['run', config, '--out', out, ...sweep, '--follow']);
      expect(await again.exit, again.err).toBe(1);
      expect(sweepDirOf(again)).toBe(dir);
      expect(again.err).toMatch(/2 runs → .* \(1 queued now, 1 already completed\)/);
      expect(statSync(join(dir, '0000', 'run.json')).mtimeMs).toBe(kept);
      await waitFor(() => events(log(), 'failed').length >= 2, "worker W's log of the second failure");
      expect(events(log(), 'failed')).toEqual(['0001', '0001']);
      expect(events(log(), 'start').slice(startsBefore)).toEqual(['0001']);
    });

    it('--follow reports each run from its final state, also when it read the job before the run ended', async () => {
      // A slow follower (a loaded machine) may read a job, then see it finished: every read here
      // returns what was there before the run ended. The outcome must still be the final one.
      // (Worker W runs the jobs.)
      const getJob = Queue.prototype.getJob;
      Queue.prototype.getJob = async function (this: Queue, id: string) {
        const job = await getJob.call(this, id);
        const ended = async () => ['completed', 'failed'].includes(await this.getJobState(id));
        while (job && !(await ended())) await new Promise((r) => setTimeout(r, 20));
        return job;
      } as typeof getJob;
      const ends: Extract<SubmitEvent, { type: 'end' }>[] = [];
      try {
        const r = await submitSweep({
          configFile: config,
          sweeps: ['model.solver.params.failAt=[0,3]'],
          outDir: join(scratch, 'slow'),
          createRunEnv,
          target: parseQueueUrl(url, SHARED),
          follow: true,
          onEvent: (e) => void (e.type === 'end' && ends.push(e)),
        });
        expect([r.completed, r.failed]).toEqual([1, 1]);
      } finally {
        Queue.prototype.getJob = getJob;
      }
      ends.sort((x, y) => x.run.localeCompare(y.run));
      expect(ends[0]).toMatchObject({
        run: '0000',
        status: 'completed',
        result: { status: 'completed', iterations: 20 },
      });
      expect(ends[1]).toMatchObject({
        run: '0001',
        status: 'failed',
        error: expect.stringContaining('test failure at iteration 3'),
      });
    });
  },
);
