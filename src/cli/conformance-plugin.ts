#!/usr/bin/env node
/** A single executable usable as a bpf_conformance `--plugin_path` (same as `bpfemu conformance-plugin`). */
import { runCli } from './cli.js';
import { nodeIo } from './io.js';

process.exitCode = runCli(['conformance-plugin', ...process.argv.slice(2)], nodeIo());
