// Checks every published package after a build: its `exports`, `files` and types with publint,
// and how TypeScript resolves each entry point with @arethetypeswrong/cli. The packages are ESM
// only: `require()` of them works through Node's require(esm) (Node 20.19+, 22.12+), which attw's
// `node16 (from CJS)` check cannot model, so its `esm-only` profile is used.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const packages = readdirSync('packages')
  .map((name) => `packages/${name}`)
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);
const bin = (name) => join('node_modules', '.bin', name);
let failures = 0;
for (const dir of readdirSync('packages').map((name) => `packages/${name}`)) {
  const run = spawnSync(bin('publint'), [dir, '--strict'], { stdio: 'inherit' });
  if (run.status !== 0) failures += 1;
}
for (const dir of packages) {
  const run = spawnSync(bin('attw'), ['--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped'], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failures += 1;
}
process.exit(failures === 0 ? 0 : 1);
