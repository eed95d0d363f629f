#!/usr/bin/env node
/** `mesosgot-local`: the embedded cluster in the foreground (see local-cli.ts). */
import { runLocalCli } from './local-cli.js';

runLocalCli(process.argv.slice(2), 'mesosgot-local').then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mesosgot-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
