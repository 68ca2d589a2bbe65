#!/usr/bin/env node
// `baton`: Baton's command line. `baton inspect --help` for the inspector.
import { runInspect } from './cli/inspect.js';

const [command, ...rest] = process.argv.slice(2);
const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  env: process.env,
};

if (command === 'inspect') {
  process.exitCode = await runInspect(rest, io);
} else {
  io.stderr('Usage: baton inspect [options]   (baton inspect --help for the options)\n');
  process.exitCode = command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}
