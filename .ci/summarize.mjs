// Prints the closing line of a CI run from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.ci/test-results.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 1 failed (the test run produced no report)');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that failed without a failing test (it did not load, or a beforeAll hook threw and its
// tests were skipped) counts as one failure.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
).length;
const failed = r.numFailedTests + brokenFiles;
console.log(`tests: ${r.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
