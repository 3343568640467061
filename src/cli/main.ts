#!/usr/bin/env node
/**
 * `node dist/cli/main.js`: the CLI through its ES module entry; it runs the CommonJS launcher
 * (bin.cts, the package's `bin`), which picks the one-file build or the modules.
 */
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./bin.cjs');
