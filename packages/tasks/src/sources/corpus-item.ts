import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { NmflabError, describeValue } from '@nmflab/core';
import { definePlugin } from '@nmflab/core';
import { readWav } from '@nmflab/core';

interface Item {
  id?: unknown;
  split?: unknown;
  audio?: unknown;
  notes?: unknown;
}

/**
 * One item of a corpus split, from the corpus manifest (`data/corpus/music/manifest.json`):
 * `{ items: [{ id, split, audio, notes? }] }`, paths relative to the manifest. `item` is the
 * index within the split (items in manifest order), so a sweep `data.params.item: range(0, n−1)`
 * runs the whole split, one run per item; or an item id. The audio is read as mono; the item's
 * note list goes to `extra.notes` (its path) for the transcribe task, its metadata to
 * `extra.item`.
 */
export default definePlugin<'source', { manifest: string; split: string; item: number | string }>({
  meta: {
    kind: 'source',
    id: 'corpus-item',
    description: 'One item (audio and note list) of a corpus split, by index within the split or id',
    params: {
      manifest: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the corpus manifest JSON, relative to the working directory',
      },
      split: {
        type: 'string',
        minLength: 1,
        default: 'test',
        description: 'the split the item index counts in (train, test, …)',
      },
      item: {
        type: ['integer', 'string'],
        required: true,
        description: 'index of the item within the split (0-based, manifest order), or its id',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'corpus-item',
    load() {
      const file = p.manifest;
      if (!existsSync(file))
        throw new NmflabError('corpus manifest not found', {
          path: `${ctx.path}.manifest`,
          expected: 'a corpus manifest JSON file',
          found: JSON.stringify(file),
        });
      let doc: { items?: unknown };
      try {
        doc = JSON.parse(readFileSync(file, 'utf8')) as { items?: unknown };
      } catch (e) {
        throw new NmflabError(`not valid JSON: ${(e as Error).message}`, { file });
      }
      if (!Array.isArray(doc.items))
        throw new NmflabError('the manifest has no items', {
          file,
          path: 'items',
          expected: 'a list of {id, split, audio}',
          found: describeValue(doc.items),
        });
      const inSplit = (doc.items as Item[]).filter((it) => it?.split === p.split);
      if (!inSplit.length)
        throw new NmflabError('no item in this split', {
          file,
          path: `${ctx.path}.split`,
          expected: `one of ${[...new Set((doc.items as Item[]).map((it) => String(it?.split)))].join(', ')}`,
          found: JSON.stringify(p.split),
        });
      const item = typeof p.item === 'number' ? inSplit[p.item] : inSplit.find((it) => it.id === p.item);
      if (!item) {
        throw new NmflabError('no such item', {
          file,
          path: `${ctx.path}.item`,
          expected:
            typeof p.item === 'number'
              ? `an index 0–${inSplit.length - 1} (${inSplit.length} items in split ${p.split})`
              : `an item id of split ${p.split}`,
          found: JSON.stringify(p.item),
        });
      }
      const base = dirname(file);
      const at = (rel: string) => (isAbsolute(rel) ? rel : join(base, rel));
      if (typeof item.audio !== 'string')
        throw new NmflabError('the item has no audio file', {
          file,
          path: `items[${(doc.items as Item[]).indexOf(item)}].audio`,
          expected: 'a WAV path',
          found: describeValue(item.audio),
        });
      const wav = readWav(at(item.audio), { mono: true });
      return {
        signal: { samples: wav.samples, sampleRate: wav.sampleRate },
        extra: { item, ...(typeof item.notes === 'string' ? { notes: at(item.notes) } : {}) },
      };
    },
  }),
});
