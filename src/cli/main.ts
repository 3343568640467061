#!/usr/bin/env node
/** The `bpfemu` executable. */
import { runCli } from './cli.js';
import { nodeIo } from './io.js';

// A reader that went away (`bpfemu ... | head`) ends the output quietly, as other CLI tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = runCli(process.argv.slice(2), nodeIo());
