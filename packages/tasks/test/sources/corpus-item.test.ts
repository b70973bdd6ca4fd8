import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Rng, type Source } from '@nmflab/core';
import { taskPlugins } from '@nmflab/tasks';

const plugin = taskPlugins.find((p) => p.meta.id === 'corpus-item')!;
const source = (params: Record<string, unknown>): Source =>
  plugin.create(
    { manifest: 'data/corpus/music/manifest.json', split: 'test', ...params },
    { registry: undefined as never, path: 'data.params' },
  ) as Source;

describe('corpus-item', () => {
  it('loads an item of the split by index or id, with its note list for transcribe', async () => {
    const a = await source({ item: 0 }).load(new Rng(1));
    expect(a.signal!.sampleRate).toBe(16000);
    expect(a.signal!.samples.length).toBe(6 * 16000);
    expect((a.extra!.item as { id: string; split: string }).split).toBe('test');
    expect(existsSync(a.extra!.notes as string)).toBe(true);
    const b = await source({ item: (a.extra!.item as { id: string }).id }).load(new Rng(1));
    expect(b.signal!.samples).toEqual(a.signal!.samples);
    const t = await source({ split: 'train', item: 0 }).load(new Rng(1));
    expect((t.extra!.item as { split: string }).split).toBe('train');
  });

  it('errors name the parameter and what the split holds', async () => {
    await expect(async () => source({ item: 15 }).load(new Rng(1))).rejects.toThrow(
      /data\.params\.item: no such item \(expected an index 0–14 \(15 items in split test\)/,
    );
    await expect(async () => source({ split: 'dev', item: 0 }).load(new Rng(1))).rejects.toThrow(
      /data\.params\.split: no item in this split \(expected one of train, test/,
    );
    await expect(async () => source({ manifest: 'data/corpus/none.json', item: 0 }).load(new Rng(1))).rejects.toThrow(
      /data\.params\.manifest: corpus manifest not found/,
    );
  });
});
