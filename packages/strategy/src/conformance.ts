import { beforeAll, describe, it } from 'vitest';
import {
  assertComplete,
  assertDeterministic,
  assertEquivalent,
  assertRejectsUnsupported,
  unsupportableWorkload,
} from './checks.js';
import type { RunReport, Strategy, Workload, WorkloadSize } from './types.js';

export interface ConformanceOptions {
  readonly strategy: Strategy;
  /** The workloads the strategy claims; each is run at every size in `sizes`. */
  readonly workloads: readonly Workload[];
  /** Sizes to check; `['test']` by default, so suites stay fast. */
  readonly sizes?: readonly WorkloadSize[];
  /** Per-run test timeout in milliseconds (default 60 s). */
  readonly timeout?: number;
}

/**
 * The conformance kit: a vitest suite that every strategy package calls in its own tests.
 * It checks, for every workload and size, equivalence with the reference output, determinism
 * (two runs; identical lab cycles and counters in the lab view), complete reports, and a typed
 * error for a workload the strategy does not support.
 */
export function describeStrategyConformance({ strategy, workloads, sizes = ['test'], timeout = 60_000 }: ConformanceOptions): void {
  describe(`strategy '${strategy.name}' conformance`, () => {
    for (const workload of workloads) {
      for (const size of sizes) {
        describe(`${workload.name} (${size})`, () => {
          const runs: RunReport[] = [];
          beforeAll(async () => {
            runs.push(await strategy.run(workload, { size }));
            runs.push(await strategy.run(workload, { size }));
          }, 2 * timeout);
          const first = () => runs[0] as RunReport;
          const second = () => runs[1] as RunReport;

          it('is supported', () => {
            if (!strategy.supports(workload, size)) {
              throw new Error(`strategy '${strategy.name}' does not claim workload '${workload.name}' (${size})`);
            }
          });
          it('prints the reference output', () => assertEquivalent(strategy, workload, size, first()));
          it('reports completely', () => assertComplete(strategy, workload, size, first()));
          it('is deterministic', () => assertDeterministic(strategy, workload, size, first(), second()));
        });
      }
    }
    it('rejects an unsupported workload with a typed error', () =>
      assertRejectsUnsupported(strategy, unsupportableWorkload(), sizes[0] ?? 'test'));
  });
}
