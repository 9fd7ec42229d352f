import { describeDifference, firstDifference } from './equivalence.js';
import { StrategyError, UnsupportedWorkloadError } from './errors.js';
import { checkReport } from './report.js';
import type { RunReport, Strategy, Workload, WorkloadSize } from './types.js';

/** A conformance check that did not hold; the message names strategy, workload and what differs. */
export class ConformanceError extends StrategyError {
  override name = 'ConformanceError';
}

const where = (strategy: Strategy, workload: Workload, size: WorkloadSize) =>
  `strategy '${strategy.name}', workload '${workload.name}' (${size})`;

/** Output equivalent to the workload's reference, and the expected exit status after a clean exit. */
export function assertEquivalent(strategy: Strategy, workload: Workload, size: WorkloadSize, report: RunReport): void {
  const reference = workload.reference[size];
  if (reference === undefined) {
    throw new ConformanceError(`${where(strategy, workload, size)}: the workload has no reference output at this size`);
  }
  if (report.stop !== 'exit') {
    throw new ConformanceError(`${where(strategy, workload, size)}: the guest did not exit (stop: ${report.stop})`);
  }
  const diff = firstDifference(reference, report.output);
  if (diff !== null) {
    throw new ConformanceError(`${where(strategy, workload, size)}: output differs from the reference at ${describeDifference(diff)}`);
  }
  const expectedExit = workload.expectedExitCode ?? 0;
  if (report.exitCode !== expectedExit) {
    throw new ConformanceError(
      `${where(strategy, workload, size)}: exit status ${report.exitCode}, expected ${expectedExit}`,
    );
  }
}

/** A complete report: every field the runner's tables need, every declared counter. */
export function assertComplete(strategy: Strategy, workload: Workload, size: WorkloadSize, report: RunReport): void {
  const problems = checkReport(strategy, workload, size, report);
  if (problems.length > 0) {
    throw new ConformanceError(`${where(strategy, workload, size)}: incomplete report: ${problems.join('; ')}`);
  }
}

/**
 * Two runs of the same input: identical output always; in the lab view also identical lab cycles,
 * instruction counts and counters, bit for bit.
 */
export function assertDeterministic(
  strategy: Strategy,
  workload: Workload,
  size: WorkloadSize,
  first: RunReport,
  second: RunReport,
): void {
  const at = where(strategy, workload, size);
  const diff = firstDifference(first.output, second.output);
  if (diff !== null) throw new ConformanceError(`${at}: two runs printed different output at ${describeDifference(diff)}`);
  if (strategy.view !== 'lab') return;
  if (first.labCycles !== second.labCycles) {
    throw new ConformanceError(`${at}: lab cycles differ between two runs (${first.labCycles} vs ${second.labCycles})`);
  }
  if (first.instructions !== second.instructions) {
    throw new ConformanceError(`${at}: instructions differ between two runs (${first.instructions} vs ${second.instructions})`);
  }
  const names = new Set([...Object.keys(first.counters), ...Object.keys(second.counters)]);
  for (const name of [...names].sort()) {
    if (first.counters[name] !== second.counters[name]) {
      throw new ConformanceError(
        `${at}: counter '${name}' differs between two runs (${first.counters[name]} vs ${second.counters[name]})`,
      );
    }
  }
}

/** A workload no strategy can run: no images, no reference. */
export function unsupportableWorkload(name = 'conformance-unsupported'): Workload {
  return {
    name,
    description: 'a workload with no images, which no strategy can run',
    sizes: ['test'],
    images: [],
    reference: { test: '' },
  };
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : JSON.stringify(e));

/** `supports` says no, and `run` rejects with an `UnsupportedWorkloadError` that names the workload. */
export async function assertRejectsUnsupported(strategy: Strategy, workload: Workload, size: WorkloadSize): Promise<void> {
  const at = where(strategy, workload, size);
  if (strategy.supports(workload, size)) throw new ConformanceError(`${at}: supports() accepts an unsupportable workload`);
  let error: unknown;
  try {
    await strategy.run(workload, { size });
  } catch (e) {
    error = e;
  }
  if (!(error instanceof UnsupportedWorkloadError)) {
    throw new ConformanceError(
      `${at}: run() should reject with UnsupportedWorkloadError, got ${error === undefined ? 'a report' : describeError(error)}`,
    );
  }
  if (!error.message.includes(workload.name)) {
    throw new ConformanceError(`${at}: the UnsupportedWorkloadError does not name the workload: ${error.message}`);
  }
}
