// Runs every package's benchmarks (packages/*/bench/*.bench.ts) one after another, then writes
// docs/benchmarks.md from the figures they report: the goal table (met or NOT MET), the other
// figures, where the time goes (a CPU profile of the worker) and how to reproduce. Benchmarks
// assert nothing: a missed goal is stated in the document; the exit code is non-zero only when a
// benchmark crashed. `BENCH_SCALE=0.02` runs a smoke (CI): the document then goes to BENCH_DOC or
// a temporary file, never over docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explain, renderBenchmarks } from './bench-report.mjs';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const scale = Number(process.env.BENCH_SCALE ?? 1);
const out = mkdtempSync(join(tmpdir(), 'baton-bench-'));
let failures = 0;
for (const pkg of readdirSync('packages')) {
  const dir = join('packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort()) {
    console.log(`\n=== ${join(dir, file)}`);
    const started = Date.now();
    const run = spawnSync(tsx, ['--tsconfig', 'tsconfig.test.json', join(dir, file)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_OUT: out },
    });
    if (run.status !== 0) failures += 1;
    console.log(
      `=== ${join(dir, file)}: ${run.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
}

const results = readdirSync(out)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')));
const document = renderBenchmarks(results, { scale, date: new Date().toISOString(), explain });
// Only a full run that completed replaces docs/benchmarks.md; a smoke or a run with a crashed
// benchmark writes elsewhere.
const target =
  scale === 1 && failures === 0
    ? join('docs', 'benchmarks.md')
    : (process.env.BENCH_DOC ?? join(out, 'benchmarks.md'));
writeFileSync(target, document);
console.log(`\nwrote ${target}${failures === 0 ? '' : ` (${failures} benchmark(s) failed)`}`);
process.exit(failures === 0 ? 0 : 1);
