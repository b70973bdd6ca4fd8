import { join } from 'node:path';
import { PLUGIN_KINDS, writeFileAtomic, type PluginKind } from '@nmflab/core';
import { pluginPage } from 'nmflab';
import type { Argv } from 'yargs';
import { buildRegistry } from '../container.js';
import type { GlobalArgs } from '../args.js';

export function pluginsCommand(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y.command(
    'plugins [kind]',
    'List every registered plugin by kind',
    (a) =>
      a
        .positional('kind', { type: 'string', describe: `only this kind (${PLUGIN_KINDS.join(', ')})` })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print an array of {kind, id, description, params}',
        })
        .option('markdown', {
          type: 'string',
          describe: 'write one reference page per plugin into DIR/<kind>/<id>.md (docs/plugins is made this way)',
        }),
    async (argv) => {
      const registry = await buildRegistry(argv.plugin ?? []);
      const metas = registry.list(argv.kind as PluginKind | undefined);
      if (argv.markdown !== undefined) {
        for (const m of metas) {
          const dir = join(argv.markdown, m.kind);
          writeFileAtomic(join(dir, `${m.id}.md`), pluginPage(m));
        }
        process.stdout.write(`${metas.length} plugin pages → ${argv.markdown}\n`);
        return;
      }
      if (argv.json) {
        process.stdout.write(
          `${JSON.stringify(
            metas.map((m) => ({ kind: m.kind, id: m.id, description: m.description, params: m.params })),
            null,
            2,
          )}\n`,
        );
        return;
      }
      const kinds = argv.kind ? [argv.kind as PluginKind] : PLUGIN_KINDS;
      for (const k of kinds) {
        const ofKind = metas.filter((m) => m.kind === k);
        process.stdout.write(`${k} (${ofKind.length})\n`);
        for (const m of ofKind) {
          const params = Object.entries(m.params)
            .map(([n, s]) => (s.default !== undefined ? `${n}=${JSON.stringify(s.default)}` : n))
            .join(' ');
          process.stdout.write(`  ${m.id.padEnd(18)} ${m.description}${params ? `  [${params}]` : ''}\n`);
        }
      }
    },
  );
}
