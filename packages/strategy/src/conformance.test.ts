import { describe, expect, it } from 'vitest';
import {
  ConformanceError,
  assertComplete,
  assertDeterministic,
  assertEquivalent,
  assertRejectsUnsupported,
  unsupportableWorkload,
} from './checks.js';
import { describeStrategyConformance } from './conformance.js';
import { toyStrategy } from './test-support/toy-strategy.js';
import { toyWorkloads } from './test-support/toy-workloads.js';
import type { Strategy } from './types.js';

// The kit applied to a strategy that conforms: every generated test must pass.
describeStrategyConformance({ strategy: toyStrategy(), workloads: toyWorkloads });

const hello = toyWorkloads[0]!;

describe('conformance checks catch what they must', () => {
  it('a one-byte change of output fails, naming the workload and the first differing line', async () => {
    const bad = toyStrategy({ name: 'toy-corrupt', corruptOutput: true });
    const report = await bad.run(hello, { size: 'test' });
    expect(() => assertEquivalent(bad, hello, 'test', report)).toThrow(ConformanceError);
    expect(() => assertEquivalent(bad, hello, 'test', report)).toThrow(
      `strategy 'toy-corrupt', workload 'hello' (test): output differs from the reference at line 1: expected "hello, lab", got "hello, lac"`,
    );
  });

  it('a wrong exit status fails', async () => {
    const toy = toyStrategy();
    const report = await toy.run(toyWorkloads[1]!, { size: 'test' });
    expect(() => assertEquivalent(toy, toyWorkloads[1]!, 'test', { ...report, exitCode: 0 })).toThrow(
      'exit status 0, expected 3',
    );
  });

  it('counters that change between runs fail the determinism check', async () => {
    const flaky = toyStrategy({ name: 'toy-flaky', nondeterministic: true });
    const a = await flaky.run(hello, { size: 'test' });
    const b = await flaky.run(hello, { size: 'test' });
    expect(() => assertDeterministic(flaky, hello, 'test', a, b)).toThrow("counter 'runs' differs between two runs (1 vs 2)");
  });

  it('lab cycles that change between runs fail the determinism check', async () => {
    const toy = toyStrategy();
    const a = await toy.run(hello, { size: 'test' });
    expect(() => assertDeterministic(toy, hello, 'test', a, { ...a, labCycles: a.labCycles! + 1 })).toThrow(
      'lab cycles differ between two runs',
    );
  });

  it('a report without lab cycles or with a missing counter is incomplete', async () => {
    const toy = toyStrategy();
    const report = await toy.run(hello, { size: 'test' });
    const { labCycles: _dropped, ...noCycles } = report;
    expect(() => assertComplete(toy, hello, 'test', noCycles)).toThrow('labCycles undefined is not a positive integer');
    expect(() => assertComplete(toy, hello, 'test', { ...report, counters: { lines: 1 } })).toThrow(
      "counter 'prints' is missing",
    );
    expect(() => assertComplete(toy, hello, 'test', { ...report, counters: { ...report.counters, x: -1 } })).toThrow(
      "counter 'x' is -1",
    );
  });

  it('a strategy that runs what it cannot support fails', async () => {
    const toy = toyStrategy();
    const lax: Strategy = { ...toy, supports: () => true, run: (w, o) => toy.run({ ...w, images: hello.images }, o) };
    await expect(assertRejectsUnsupported(lax, unsupportableWorkload(), 'test')).rejects.toThrow(
      'supports() accepts an unsupportable workload',
    );
    const silent: Strategy = { ...toy, run: (_w, o) => toy.run(hello, o) };
    await expect(assertRejectsUnsupported(silent, unsupportableWorkload(), 'test')).rejects.toThrow(
      'should reject with UnsupportedWorkloadError, got a report',
    );
  });
});
