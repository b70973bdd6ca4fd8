import type { ParamSchema } from './params.js';
import type { PluginKind, PluginMeta } from './plugin.js';

/** The package and folder each plugin kind lives in: the kind decides the home. */
export const PLUGIN_HOMES: { readonly [K in PluginKind]: { package: string; folder: string } } = {
  divergence: { package: 'divergences', folder: 'divergences' },
  regularizer: { package: 'divergences', folder: 'regularizers' },
  solver: { package: 'solvers', folder: 'solvers' },
  initializer: { package: 'solvers', folder: 'initializers' },
  source: { package: 'tasks', folder: 'sources' },
  task: { package: 'tasks', folder: 'tasks' },
  metric: { package: 'tasks', folder: 'metrics' },
};

/** Where a built-in plugin's source, test and reference page are, relative to the repository root. */
export function pluginPaths(kind: PluginKind, id: string): { source: string; test: string; doc: string } {
  const h = PLUGIN_HOMES[kind];
  return {
    source: `packages/${h.package}/src/${h.folder}/${id}.ts`,
    test: `packages/${h.package}/test/${h.folder}/${id}.test.ts`,
    doc: `docs/plugins/${kind}/${id}.md`,
  };
}

/**
 * The first block comment before `export default definePlugin` in a plugin's source: the math
 * and the reasoning, kept next to the code and copied into the reference page.
 */
export function pluginDocComment(source: string): string | undefined {
  const at = source.indexOf('export default definePlugin');
  if (at < 0) return undefined;
  const before = source.slice(0, at);
  const start = before.lastIndexOf('/**');
  const end = before.lastIndexOf('*/');
  if (start < 0 || end < start || before.slice(end + 2).trim() !== '') return undefined;
  return before
    .slice(start + 3, end)
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s: Omit<ParamSchema, 'description'>): string {
  if (s.plugin) return `${s.plugin} plugin`;
  if (s.pluginList) return `list of ${s.pluginList} plugins`;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  return t === 'array' && s.items ? `array of ${typeOf(s.items)}` : t;
}

function constraints(s: ParamSchema): string {
  const c: string[] = [];
  if (s.minimum !== undefined) c.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) c.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) c.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) c.push(`< ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined) c.push(`at least ${s.minItems} items`);
  if (s.maxItems !== undefined) c.push(`at most ${s.maxItems} items`);
  if (s.pattern !== undefined) c.push(`matches \`${s.pattern}\``);
  return c.join(', ');
}

/**
 * The reference page of a plugin, generated from its `meta` (and, for built-ins, the doc comment
 * of its source): what `nmflab plugins --markdown` writes and what docs/plugins/ holds.
 */
export function pluginMarkdown(meta: PluginMeta, extra: { docComment?: string; source?: string } = {}): string {
  const lines = [`# ${meta.kind} \`${meta.id}\``, '', `${meta.description}.`, ''];
  if (extra.source) lines.push(`Source: \`${extra.source}\``, '');
  if (extra.docComment) lines.push(extra.docComment, '');
  const params = Object.entries(meta.params);
  lines.push('## Parameters', '');
  if (!params.length) lines.push('None.', '');
  else {
    lines.push('| name | type | default | constraints | description |', '|---|---|---|---|---|');
    for (const [name, s] of params) {
      const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : s.required ? 'required' : '—';
      lines.push(
        `| \`${name}\` | ${cell(typeOf(s))} | ${cell(def)} | ${cell(constraints(s))} | ${cell(s.description)} |`,
      );
    }
    lines.push('');
  }
  const example: Record<string, unknown> = {};
  for (const [name, s] of params) if (s.default !== undefined) example[name] = s.default;
  lines.push(
    '## Use',
    '',
    `Wherever an experiment expects a ${meta.kind}, as \`${meta.id}\` or \`{ id, params }\`; with its defaults:`,
    '',
    '```yaml',
  );
  lines.push(`id: ${meta.id}`);
  if (Object.keys(example).length) lines.push(`params: ${JSON.stringify(example)}`);
  lines.push('```', '');
  return lines.join('\n');
}
