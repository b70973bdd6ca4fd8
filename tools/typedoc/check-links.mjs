// Every relative link and anchor of the generated reference site resolves: each href/src that
// is not an external URL names an existing file, and each #fragment an id (or name) in it.
//   node tools/typedoc/check-links.mjs [SITE_DIR]   (default: site)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const site = resolve(process.argv[2] ?? 'site');
if (!existsSync(join(site, 'index.html'))) {
  console.error(`check-links: ${relative(process.cwd(), site) || '.'}/index.html not found (run npm run docs first)`);
  process.exit(2);
}
const pages = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.html')) pages.push(p);
  }
};
walk(site);

const ids = new Map();
const idsOf = (file) => {
  if (!ids.has(file)) {
    const html = readFileSync(file, 'utf8');
    ids.set(file, new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1])));
  }
  return ids.get(file);
};

const broken = [];
let links = 0;
for (const page of pages) {
  const html = readFileSync(page, 'utf8');
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const raw = m[1].replace(/&amp;/g, '&');
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(raw)) continue; // external (http:, mailto:, data:)
    links++;
    const [path, fragment] = raw.split('#');
    const target = path ? resolve(dirname(page), decodeURIComponent(path.split('?')[0])) : page;
    if (!existsSync(target)) {
      broken.push(`${relative(site, page)}: ${raw} (no such file)`);
      continue;
    }
    if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
      broken.push(`${relative(site, page)}: ${raw} (no anchor #${fragment})`);
    }
  }
}
if (broken.length) {
  console.error(`check-links: ${broken.length} broken of ${links} links in ${pages.length} pages`);
  for (const b of broken.slice(0, 50)) console.error(`  ${b}`);
  process.exit(1);
}
console.log(`check-links: ${links} links in ${pages.length} pages, none broken`);
