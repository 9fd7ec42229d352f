import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

describe('the conformance kit as a suite', () => {
  it('fails a strategy that changes one byte, naming the workload and the first differing line', () => {
    const vitest = createRequire(import.meta.url).resolve('vitest/vitest.mjs');
    const config = fileURLToPath(new URL('../test-fixtures/vitest.config.ts', import.meta.url));
    const child = spawnSync(process.execPath, [vitest, 'run', '--config', config, '--reporter=json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status).toBe(1);
    const report = JSON.parse(child.stdout.slice(child.stdout.indexOf('{'))) as JsonReport;
    const results = report.testResults.flatMap((file) => file.assertionResults);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.fullName)).toEqual([
      "strategy 'toy-corrupt' conformance hello (test) prints the reference output",
      "strategy 'toy-corrupt' conformance exit-three (test) prints the reference output",
    ]);
    expect(failed[0]!.failureMessages[0]).toContain(
      `workload 'hello' (test): output differs from the reference at line 1: expected "hello, lab", got "hello, lac"`,
    );
    expect(failed[1]!.failureMessages[0]).toContain(
      `workload 'exit-three' (test): output differs from the reference at line 1: expected "bye", got "byd"`,
    );
    // Everything else about the strategy still conforms.
    expect(report.numPassedTests).toBe(results.length - 2);
  }, 90_000);
});
