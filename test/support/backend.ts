import { afterEach } from 'vitest';
import { getMatmulBackend, setMatmulBackend } from '@nmflab/core';

/**
 * Test files share their worker's module state (`isolate: false`), so a test that switches the
 * product backend and then fails must not leave the switch behind: call this once at the top of
 * a file that switches it, and the backend in force when the file loaded is restored after every
 * test, failed or not.
 */
export function restoreMatmulBackendAfterEach(): void {
  const initial = getMatmulBackend();
  afterEach(() => {
    setMatmulBackend(initial);
  });
}
