import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './support/temp-dir.js';

/**
 * The reference site (`npm run docs`): TypeDoc builds it from the doc comments with warnings as
 * errors, every link in it resolves, the plugin pages are in it, and in headless Chromium the page
 * of NMF shows `fit` with its parameters. Needs the build (TypeDoc reads the packages' .d.ts).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const sh = promisify(execFile);
const tmp = tempDirs('nmflab-docs-');
const typedoc = join(root, 'tools', 'typedoc', 'node_modules', '.bin', 'typedoc');
const CHROMIUM = '/usr/bin/chromium';

describe('reference site', { timeout: 180_000 }, () => {
  const site = join(tmp.dir, 'site');

  it('builds without warnings and has no broken links', async () => {
    const { stdout, stderr } = await sh(
      typedoc,
      ['--options', join(root, 'tools', 'typedoc', 'typedoc.json'), '--out', site],
      { cwd: root, encoding: 'utf8' },
    );
    expect(stdout + stderr).not.toMatch(/\[warning\]|\[error\]/);
    const check = await sh(process.execPath, [join(root, 'tools', 'typedoc', 'check-links.mjs'), site], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(check.stdout).toMatch(/none broken/);
    // The plugin pages of docs/plugins are documents of the site, linked from its navigation.
    expect(readFileSync(join(site, 'assets', 'navigation.js'), 'utf8').length).toBeGreaterThan(0);
    expect(existsSync(join(site, 'documents'))).toBe(true);
    const nmf = readFileSync(join(site, 'classes', 'nmflab.NMF.html'), 'utf8');
    expect(nmf).toContain('id="fit"');
  });

  it.skipIf(!existsSync(CHROMIUM))('shows NMF.fit with its parameters in headless Chromium', async () => {
    const req = createRequire(join(root, 'tools', 'typedoc', 'package.json'));
    const { chromium } = req('playwright-core') as typeof import('playwright-core');
    const context = await chromium.launchPersistentContext(join(tmp.dir, 'profile'), {
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
      viewport: { width: 1200, height: 1400 },
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${pathToFileURL(join(site, 'classes', 'nmflab.NMF.html')).href}#fit`, { waitUntil: 'load' });
      const section = page.locator('section:has(> h3#fit), section:has(h3 > a[href="#fit"])').first();
      const text = await ((await section.count()) ? section : page.locator('#fit').locator('xpath=..')).textContent();
      expect(text).toContain('fit(');
      expect(text).toMatch(/Parameters/);
      expect(text).toMatch(/\bV\b/);
      expect(text).toMatch(/\bcontrol\b/);
      expect(text).toMatch(/the data, F×N/);
      await page.screenshot({ path: process.env.NMFLAB_DOCS_SCREENSHOT ?? join(tmp.dir, 'nmf-fit.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
