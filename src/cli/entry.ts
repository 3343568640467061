/**
 * The `bpfemu` command line as modules: what bin.cts runs when the one-file build of it
 * (dist/cli/bpfemu.cjs, bundled from this file by scripts/bundle-cli.mjs) is absent or older.
 */
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
