// Checks every published package's `exports`, `files` and types with publint, after a build.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const packages = readdirSync('packages').map((name) => `packages/${name}`);
let failures = 0;
for (const dir of packages) {
  const run = spawnSync(join('node_modules', '.bin', 'publint'), [dir, '--strict'], { stdio: 'inherit' });
  if (run.status !== 0) failures += 1;
}
process.exit(failures === 0 ? 0 : 1);
