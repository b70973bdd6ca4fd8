import { pngDataUri } from './heatmap.js';

/** The report page: plain HTML and CSS, no script, every figure inline (self-contained). */

export interface Section {
  title: string;
  figures: { id: string; title: string; caption?: string; svg?: string; png?: Buffer }[];
  /** Extra HTML shown before the figures (tables). */
  html?: string;
}

export interface Page {
  title: string;
  facts: [string, string][];
  audio: { label: string; src: string }[];
  notes: string[];
  sections: Section[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A table; a cell given as `{ html }` is inserted as is (links). */
export function tableHtml(
  header: readonly string[],
  rows: readonly (readonly (string | { html: string })[])[],
): string {
  const cell = (c: string | { html: string }, tag: string) =>
    `<${tag}>${typeof c === 'string' ? escapeHtml(c) : c.html}</${tag}>`;
  return `<div class="table"><table><thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n')}</tbody></table></div>`;
}

/** An SVG document made embeddable: its XML prolog dropped. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.9rem}dl.facts dt{color:#666}dl.facts dd{margin:0}
figure{margin:1rem 0}figcaption{font-size:.8rem;color:#555;max-width:800px}
figure .fig{overflow-x:auto}figure img{image-rendering:pixelated;max-width:100%}
div.table{overflow:auto;max-width:100%;max-height:32rem}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:right;white-space:nowrap}th{background:#f4f4f4;position:sticky;top:0;white-space:normal;max-width:9rem;vertical-align:bottom}td:first-child,th:first-child{text-align:left;position:sticky;left:0;background:#fff}th:first-child{background:#f4f4f4;z-index:1}
h3{font-size:1rem}p.protocol{font-size:.85rem;color:#444;max-width:900px}code{font-size:.8rem;background:#f4f4f4;padding:0 .2rem}
.audio{display:flex;flex-wrap:wrap;gap:1rem}.audio div{font-size:.85rem}.note{background:#fff6e0;border-left:3px solid #e0a800;padding:.4rem .8rem;font-size:.85rem}
`;

export function pageHtml(p: Page): string {
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(p.title)}</title><style>${CSS}</style></head><body>`,
  );
  parts.push(`<h1>${escapeHtml(p.title)}</h1>`);
  parts.push(
    `<dl class="facts">${p.facts
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
      .join('')}</dl>`,
  );
  for (const n of p.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  if (p.audio.length) {
    parts.push('<h2>Audio</h2><div class="audio">');
    for (const a of p.audio)
      parts.push(
        `<div>${escapeHtml(a.label)}<br><audio controls preload="none" src="${escapeHtml(a.src)}"></audio></div>`,
      );
    parts.push('</div>');
  }
  for (const s of p.sections) {
    parts.push(`<section><h2>${escapeHtml(s.title)}</h2>`);
    if (s.html) parts.push(s.html);
    for (const f of s.figures) {
      const body = f.svg ? inlineSvg(f.svg) : `<img alt="${escapeHtml(f.title)}" src="${pngDataUri(f.png!)}">`;
      parts.push(
        `<figure id="fig-${escapeHtml(f.id)}" data-figure="${escapeHtml(f.id)}"><div class="fig">${body}</div>${f.caption ? `<figcaption>${escapeHtml(f.title)}. ${escapeHtml(f.caption)}</figcaption>` : ''}</figure>`,
      );
    }
    parts.push('</section>');
  }
  parts.push(
    '<footer><p style="font-size:.75rem;color:#888">Written by nmflab report; figures also in report/ beside this file.</p></footer></body></html>\n',
  );
  return parts.join('\n');
}
