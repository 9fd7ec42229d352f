import type { Counters, RunReport, Strategy, Workload, WorkloadImage, WorkloadSize } from './types.js';

/** The image of `workload` built for `target` at `size`, if there is one. */
export function imageFor(workload: Workload, target: string, size: WorkloadSize): WorkloadImage | undefined {
  return workload.images.find((image) => image.target === target && image.size === size);
}

/** Problems with a counter record: every value must be a non-negative safe integer. */
export function validateCounters(counters: Counters): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(counters)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push(`counter '${name}' is ${String(value)}, not a non-negative integer`);
    }
  }
  return problems;
}

/**
 * Everything that makes a report incomplete or inconsistent with the strategy that produced it.
 * An empty list means the report is complete.
 */
export function checkReport(strategy: Strategy, workload: Workload, size: WorkloadSize, report: RunReport): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  expect(report.strategy === strategy.name, `strategy is '${report.strategy}', expected '${strategy.name}'`);
  expect(report.view === strategy.view, `view is '${report.view}', expected '${strategy.view}'`);
  expect(report.workload === workload.name, `workload is '${report.workload}', expected '${workload.name}'`);
  expect(report.size === size, `size is '${report.size}', expected '${size}'`);
  expect(typeof report.output === 'string', 'output is not a string');
  expect(Number.isInteger(report.exitCode), `exitCode ${String(report.exitCode)} is not an integer`);
  if (strategy.view === 'lab') {
    const cycles = report.labCycles;
    expect(
      cycles !== undefined && Number.isSafeInteger(cycles) && cycles > 0,
      `labCycles ${String(cycles)} is not a positive integer (lab view)`,
    );
  } else {
    const ms = report.hostMs;
    expect(ms !== undefined && Number.isFinite(ms) && ms >= 0, `hostMs ${String(ms)} is not a finite time (host view)`);
  }
  if (report.instructions !== undefined) {
    expect(
      Number.isSafeInteger(report.instructions) && report.instructions >= 0,
      `instructions ${report.instructions} is not a non-negative integer`,
    );
  }
  problems.push(...validateCounters(report.counters));
  for (const name of strategy.counterNames) {
    expect(name in report.counters, `counter '${name}' is missing`);
  }
  return problems;
}
