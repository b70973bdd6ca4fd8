import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Matrix, NmflabError, definePlugin, readMatrix } from '@nmflab/core';

interface Params {
  path: string;
}

/**
 * A document-term corpus from its JSON description (as `data/text/fortunes.json`: `matrix` = a
 * documents × terms count .npy next to it, `labels` per document, `categories`, `vocabulary`).
 * V is the transpose, terms × documents (F terms, N documents), so W's columns are topics
 * P(term|z) and H's columns documents. `extra` holds labels, categories and vocabulary.
 */
export default definePlugin<'source', Params>({
  meta: {
    kind: 'source',
    id: 'corpus-file',
    description: 'Document-term counts from a corpus JSON (matrix, labels, vocabulary) as V = terms × documents',
    params: {
      path: {
        type: 'string',
        minLength: 1,
        required: true,
        description: 'the corpus JSON, relative to the working directory',
      },
    },
  },
  create: (p, ctx) => ({
    id: 'corpus-file',
    load() {
      const file = resolve(p.path);
      const where = { file: p.path, path: `${ctx.path}.path` };
      if (!existsSync(file))
        throw new NmflabError('corpus description not found', {
          ...where,
          expected: 'a corpus JSON file',
          found: JSON.stringify(p.path),
        });
      let desc: { matrix?: unknown; labels?: unknown; categories?: unknown; vocabulary?: unknown };
      try {
        desc = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new NmflabError('corpus description is not JSON', {
          ...where,
          expected: 'JSON',
          found: (e as Error).message,
        });
      }
      if (typeof desc.matrix !== 'string')
        throw new NmflabError('corpus description has no matrix', {
          ...where,
          expected: '"matrix": "<file>.npy"',
          found: JSON.stringify(desc.matrix),
        });
      const counts = readMatrix(resolve(dirname(file), desc.matrix));
      const labels = desc.labels;
      if (!Array.isArray(labels) || labels.length !== counts.rows || !labels.every((x) => Number.isInteger(x))) {
        throw new NmflabError('corpus labels do not match the documents', {
          ...where,
          expected: `${counts.rows} integer labels`,
          found: Array.isArray(labels) ? `${labels.length} entries` : typeof labels,
        });
      }
      const vocabulary =
        Array.isArray(desc.vocabulary) && desc.vocabulary.length === counts.cols
          ? (desc.vocabulary as string[])
          : Array.from({ length: counts.cols }, (_, i) => `term${i}`);
      const V: Matrix = counts.transpose();
      return { matrix: V, extra: { labels, categories: desc.categories ?? [], vocabulary } };
    },
  }),
});
