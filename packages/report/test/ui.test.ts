import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type UiServer } from '../src/ui.js';
import { writeRunFixture } from './fixture.js';

/**
 * `nmflab ui` against a results folder holding one sweep of 2 solvers × 3 seeds (fixture runs with
 * known SDRs): the JSON API directly, then the page in Debian's headless Chromium (playwright-core):
 * list, filter, sort, compare with the paired test, the plot, a report opened, audio served.
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`ui browser test skipped: ${CHROMIUM} is absent (install Debian's chromium, as .ci/system-deps does)`);

const tmp = mkdtempSync(join(tmpdir(), 'nmflab-ui-'));
const results = join(tmp, 'results');
const sweep = 'fixture/20260101-000000';
/** sdr of each source per run: hals beats mu by 0.75–1.25 dB, plus a per-seed offset. */
const sdrOf = (solver: string, seed: number) => 8 + seed * 0.5 + (solver === 'hals' ? 0.5 + seed * 0.25 : 0);
let ui: UiServer;

beforeAll(async () => {
  const dir = join(results, ...sweep.split('/'));
  mkdirSync(dir, { recursive: true });
  let i = 0;
  for (const solver of ['mu', 'hals'])
    for (const seed of [1, 2, 3]) {
      const name = String(i++).padStart(4, '0');
      const run = writeRunFixture(dir, { name });
      const config = parse(readFileSync(join(run, 'config.yaml'), 'utf8'));
      config.seed = seed;
      config.model.solver.id = solver;
      writeFileSync(join(run, 'config.yaml'), stringify(config));
      const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
      const sdr = sdrOf(solver, seed);
      Object.assign(record, {
        seed,
        varied: { 'model.solver.id': solver, seed },
        metrics: { 'sdr[low]': sdr + 1, 'sdr[high]': sdr - 1, 'sir[low]': 20, 'sir[high]': 18 },
      });
      writeFileSync(join(run, 'run.json'), JSON.stringify(record));
      // metrics.csv as the runner writes it beside run.json (the sweep's plots read it).
      const csv = Object.entries(record.metrics).map(
        ([k, v]) => `${k.replace(/\[.*/, '')},${/\[(.*)\]/.exec(k)?.[1]},${v}`,
      );
      writeFileSync(join(run, 'metrics.csv'), `metric,source,value\n${csv.join('\n')}\n`);
    }
  writeFileSync(join(dir, 'sweep.yaml'), stringify({ experiment: 'fixture', runs: [] }));
  ui = await startUi({ results });
});

afterAll(async () => {
  await ui?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = async (path: string) => {
  const r = await fetch(new URL(path, ui.url));
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
};

describe('nmflab ui: the API', () => {
  it('lists the runs from the store with their parameters, metrics (sources averaged) and audio', async () => {
    const r = await get('/api/runs');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.sweeps).toEqual([sweep]);
    expect(body.runs).toHaveLength(6);
    const hals2 = body.runs.find(
      (x: { varied: Record<string, unknown> }) => x.varied['model.solver.id'] === 'hals' && x.varied.seed === 2,
    );
    expect(hals2.metrics.sdr).toBeCloseTo(sdrOf('hals', 2), 12);
    expect(hals2.audio).toEqual(['high.wav', 'low.wav']);
  });

  it('compares as nmflab compare does: mean ± CI per solver and the paired test', async () => {
    const q = new URLSearchParams({ dir: sweep, by: 'model.solver.id', metrics: 'sdr', test: 'model.solver.id' });
    const body = JSON.parse((await get(`/api/compare?${q}`)).body);
    const [summary, tests] = body.tables.map((t: { table: unknown }) => t.table);
    const col = (name: string) => summary.columns.indexOf(name);
    const hals = summary.rows.find((r: unknown[]) => r[0] === 'hals');
    expect(hals[col('n')]).toBe(3);
    expect(hals[col('sdr.mean')]).toBeCloseTo(9 + 1, 12); // 8 + mean(0.5, 1, 1.5) + 0.5 + mean(0.25, 0.5, 0.75)
    expect(tests.rows[0].slice(0, 4)).toEqual(['sdr', 'hals', 'mu', 3]);
  });

  it('a bad question is a 400 with the one-line reason; files outside the results are not served', async () => {
    const bad = await get(
      `/api/compare?${new URLSearchParams({ dir: sweep, by: 'model.solver.id', metrics: 'nope' })}`,
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/nope/);
    expect((await get('/files/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get(`/files/${sweep}/0000/low.wav`)).type).toBe('audio/wav');
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startUi({ results, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe.skipIf(!haveChromium)('nmflab ui in headless Chromium', { timeout: 180_000 }, () => {
  it('lists, filters, sorts, compares, plots, opens a report and serves audio', async () => {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(ui.url);
      await page.waitForSelector('#runs tbody tr');
      expect(await page.textContent('#count')).toBe('6 of 6 runs');
      expect(await page.textContent('#experiments')).toContain('fixture (6)');

      await page.fill('#filter', 'hals');
      expect(await page.locator('#runs tbody tr').count()).toBe(3);
      await page.fill('#filter', '');

      // Sort by sdr: ascending, then descending on a second click.
      const sdrColumn = async () => {
        const keys = await page.$$eval('#runs thead th', (ths) => ths.map((t) => t.getAttribute('data-key')));
        const j = keys.indexOf('m:sdr');
        return page.$$eval('#runs tbody tr', (trs, k) => trs.map((tr) => Number(tr.children[k].textContent)), j);
      };
      await page.click('#runs th[data-key="m:sdr"]');
      const up = await sdrColumn();
      expect(up).toEqual([...up].sort((a, b) => a - b));
      await page.click('#runs th[data-key="m:sdr"]');
      const down = await sdrColumn();
      expect(down).toEqual([...up].reverse());

      await page.selectOption('#cmp-dir', sweep);
      await page.fill('#cmp-by', 'model.solver.id');
      await page.fill('#cmp-metrics', 'sdr');
      await page.fill('#cmp-test', 'model.solver.id');
      await page.click('#cmp-go');
      await page.waitForSelector('#cmp-plots figure img');
      const tables = await page.$$eval('#cmp-out table', (ts) =>
        ts.map((t) => Array.from(t.querySelectorAll('tbody tr')).map((r) => r.textContent)),
      );
      expect(tables).toHaveLength(2);
      expect(tables[0].some((r) => r?.startsWith('hals3'))).toBe(true);
      expect(tables[1][0]).toMatch(/^sdrhalsmu3/);
      const plot = await page.$eval('#cmp-plots figure img', (i) => (i as HTMLImageElement).naturalWidth);
      expect(plot).toBeGreaterThan(0);

      // Audio players point at the run's WAVs, served as audio.
      const src = await page.$eval('#runs tbody tr audio', (a) => (a as HTMLAudioElement).src);
      const audio = await fetch(src);
      expect(audio.headers.get('content-type')).toBe('audio/wav');

      // The report link writes the run's report on first open and shows it.
      const [report] = await Promise.all([context.waitForEvent('page'), page.click('#runs tbody tr a.report')]);
      await report.waitForLoadState('load');
      expect(report.url()).toMatch(/\/report\.html$/);
      expect(await report.locator('figure[data-figure]').count()).toBeGreaterThan(0);

      await page.screenshot({ path: join(process.env.NMFLAB_UI_SCREENSHOT ?? tmp, 'ui.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
