import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { pluginDocComment, pluginMarkdown, pluginPaths, type PluginMeta } from '@nmflab/core';

/** The repository root when this package runs from its checkout (src/ in tests, dist/ when built). */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A plugin's reference page. For a built-in plugin whose source is in this checkout the page adds
 * the source path and the source's doc comment; a user plugin gets the page of its `meta`.
 */
export function pluginPage(meta: PluginMeta, root = repoRoot): string {
  const { source } = pluginPaths(meta.kind, meta.id);
  const file = join(root, source);
  if (!existsSync(file)) return pluginMarkdown(meta);
  return pluginMarkdown(meta, { source, docComment: pluginDocComment(readFileSync(file, 'utf8')) });
}
