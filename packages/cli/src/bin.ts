#!/usr/bin/env node
import { main } from './main.js';

// A reader that stops early (`nmflab plugins | head`) closes the pipe: stop quietly with the
// status a shell gives a program killed by SIGPIPE (node ignores the signal), not a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
