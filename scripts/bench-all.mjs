// Runs every package's benchmarks (packages/*/bench/*.bench.ts) one after another. Benchmarks
// print figures and ratios against baselines measured in the same run; they assert nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const tsx = join('node_modules', '.bin', 'tsx');
let failures = 0;
for (const pkg of readdirSync('packages')) {
  const dir = join('packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.bench.ts'))) {
    console.log(`\n=== ${join(dir, file)}`);
    const run = spawnSync(tsx, ['--tsconfig', 'tsconfig.test.json', join(dir, file)], { stdio: 'inherit' });
    if (run.status !== 0) failures += 1;
  }
}
process.exit(failures === 0 ? 0 : 1);
