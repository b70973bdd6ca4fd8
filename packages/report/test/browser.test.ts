import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/index.js';
import { loadFixtureData, writeRunFixture } from './fixture.js';

/**
 * The report opened in a real browser: Debian's headless Chromium driven by playwright-core.
 * No console errors, every figure present and non-empty, a screenshot saved in the temp folder.
 */

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have)
  console.warn(
    `browser test skipped: ${CHROMIUM} is absent (install Debian's chromium package, as .ci/system-deps does)`,
  );

const tmp = mkdtempSync(join(tmpdir(), 'nmflab-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Starting Chromium and rendering two reports took 16 s on a loaded 2-core machine (7 s idle):
// the 60 s default is too tight.
describe.skipIf(!have)('report in headless Chromium', { timeout: 180_000 }, () => {
  it('shows every figure, with no console error', async () => {
    const { chromium } = await import('playwright-core');
    const audio = writeRunFixture(join(tmp, 'audio'), { pianoroll: true });
    const images = writeRunFixture(join(tmp, 'images'), { images: true });
    const reports = [await writeReport(audio, { loadData: loadFixtureData }), await writeReport(images)];
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
      viewport: { width: 1100, height: 900 },
    });
    try {
      for (const rep of reports) {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(rep.file).href, { waitUntil: 'load' });
        const figs = await page.$$eval('figure[data-figure]', (els) =>
          els.map((el) => {
            const svg = el.querySelector('svg');
            const img = el.querySelector('img');
            const box = (svg ?? img)?.getBoundingClientRect();
            // Heat maps inside an SVG are <image> elements: each must have a drawn area.
            const inner = svg
              ? Array.from(svg.querySelectorAll('image')).map(
                  (i) => (i as SVGGraphicsElement).getBBox().width * (i as SVGGraphicsElement).getBBox().height,
                )
              : [];
            return {
              id: el.getAttribute('data-figure'),
              svgChildren: svg ? svg.querySelectorAll('*').length : 0,
              imgWidth: img ? img.naturalWidth : 0,
              imgHeight: img ? img.naturalHeight : 0,
              w: box?.width ?? 0,
              h: box?.height ?? 0,
              inner,
            };
          }),
        );
        expect(figs.map((f) => f.id)).toEqual(rep.figures.map((f) => f.id));
        for (const f of figs) {
          expect(f.w * f.h, `figure ${f.id} has an area`).toBeGreaterThan(0);
          if (f.svgChildren) for (const a of f.inner) expect(a, `heat map of ${f.id}`).toBeGreaterThan(0);
          else expect(f.imgWidth * f.imgHeight, `image of ${f.id}`).toBeGreaterThan(0);
          expect(f.svgChildren > 10 || f.imgWidth > 0, `figure ${f.id} is not empty`).toBe(true);
        }
        // NMFLAB_SCREENSHOTS=DIR keeps the screenshots there (to look at them); else the temp folder.
        const shot = join(
          process.env.NMFLAB_SCREENSHOTS ?? tmp,
          `report-${rep === reports[0] ? 'audio' : 'images'}.png`,
        );
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        expect(errors).toEqual([]);
        await page.close();
      }
    } finally {
      await context.close();
    }
  });
});
