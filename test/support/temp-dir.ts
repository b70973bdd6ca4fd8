import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Temporary folders of one test file, removed after its last test. Call it at the top level of
 * the file (or of a describe): it registers the `afterAll` there — test files share their worker's
 * module cache (`isolate: false`), so a hook registered on import would run for the first file only.
 * `dir` is the file's folder `<os tmp>/<prefix>XXXXXX`; `fresh()` gives a new empty subfolder of
 * it, for tests that each need their own (it may be called inside a test).
 */
export function tempDirs(prefix: string): { dir: string; fresh: () => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, fresh: () => mkdtempSync(join(dir, 'd-')) };
}
