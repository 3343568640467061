#!/usr/bin/env node
/** The `bpfemu` executable. */
import { runCli } from './cli.js';
import { nodeIo } from './io.js';

process.exitCode = runCli(process.argv.slice(2), nodeIo());
