// Runs the whole test suite, Redis tests included, and closes with `N passed, N failed`.
// Usage: node scripts/test.mjs [vitest args…]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRedisServer } from './ensure-redis.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureRedisServer();

const reportDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
const reportFile = join(reportDir, 'report.json');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const run = spawnSync(
  vitest,
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests;
  // A file that failed to load has no test results of its own: count it as one failure.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length;
  failed = report.numFailedTests + brokenFiles;
} catch {
  failed = 1; // no report: the runner itself failed
}
rmSync(reportDir, { recursive: true, force: true });
if (run.status !== 0 && failed === 0) failed = 1;
if (passed === 0 && failed === 0) failed = 1; // a run that ran nothing is a failure
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
