#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs section against the built packages and prints
// one table per section. Speeds are reported as ratios against a reference measured in the same
// run. Not part of the test suite.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

for (const f of files) {
  const mod = await import(pathToFileURL(join(here, f)).href);
  const title = mod.title ?? f;
  console.log(`\n## ${title}`);
  await mod.default();
}
