import { describeDifference, firstDifference, type Strategy, type Workload, type WorkloadSize } from '@virtlab/strategy';
import { directShare } from '@virtlab/lab-kit';
import { osItemsOf, parseItems } from './items.js';
import type { BenchRecord } from './record.js';
import { median } from './stats.js';

export interface CellOptions {
  readonly size: WorkloadSize;
  /** Host-view repetitions; the median time is reported. Lab-view cells run once (deterministic). */
  readonly repeats: number;
  /**
   * No further repetition starts once the runs so far took this long (ms): fast engines get all
   * their repeats, a run of many seconds stands alone. Unlimited when absent.
   */
  readonly repeatBudgetMs?: number;
  readonly maxInstructions?: number;
}

const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Runs one workload under one strategy and judges it against the reference. Never throws: a
 * strategy that fails is reported in its cell so the others go on.
 */
export async function runCell(strategy: Strategy, workload: Workload, options: CellOptions): Promise<BenchRecord> {
  const { size } = options;
  const key = strategy.view === 'lab' ? { strategy: strategy.name } : { engine: strategy.name };
  const base = { view: strategy.view, ...key, workload: workload.name, size };
  if (!strategy.supports(workload, size)) {
    return { ...base, status: 'skipped', equivalent: false, counters: {}, error: `does not support ${workload.name} (${size})` };
  }
  try {
    const runs = strategy.view === 'lab' ? 1 : Math.max(1, options.repeats);
    const times: number[] = [];
    let report;
    for (let i = 0; i < runs; i++) {
      report = await strategy.run(workload, {
        size,
        ...(options.maxInstructions === undefined ? {} : { maxInstructions: options.maxInstructions }),
      });
      if (report.hostMs !== undefined) times.push(report.hostMs);
      if (report.stop !== 'exit') break;
      const spent = times.reduce((a, b) => a + b, 0);
      if (options.repeatBudgetMs !== undefined && spent >= options.repeatBudgetMs) break;
    }
    if (report === undefined) throw new Error('no run');
    const reference = workload.reference[size];
    const diff = reference === undefined ? null : firstDifference(reference, report.output);
    const expectedExit = workload.expectedExitCode ?? 0;
    const difference =
      reference === undefined
        ? 'no reference output at this size'
        : diff !== null
          ? describeDifference(diff)
          : report.exitCode !== expectedExit
            ? `exit status ${report.exitCode}, expected ${expectedExit}`
            : undefined;
    const hostMs = times.length > 0 ? median(times) : undefined;
    const mips =
      hostMs !== undefined && report.instructions !== undefined && hostMs > 0
        ? report.instructions / hostMs / 1000
        : undefined;
    // An OS workload's items are its figures: a run without all of them is a failed cell.
    const itemNames = strategy.view === 'lab' && report.stop === 'exit' ? osItemsOf(workload.name) : undefined;
    const parsed = itemNames === undefined ? undefined : parseItems(report.output, workload.name, itemNames);
    const itemsError = parsed !== undefined && 'error' in parsed ? `${workload.name}: ${parsed.error}` : undefined;
    const share = strategy.view === 'lab' ? directShare(report.counters) : undefined;
    return {
      ...base,
      status: report.stop === 'exit' && itemsError === undefined ? 'ok' : 'failed',
      equivalent: report.stop === 'exit' && difference === undefined,
      ...(difference === undefined ? {} : { difference }),
      exitCode: report.exitCode,
      stop: report.stop,
      ...(report.labCycles === undefined ? {} : { labCycles: report.labCycles }),
      ...(hostMs === undefined ? {} : { hostMs, hostRunsMs: times }),
      ...(report.instructions === undefined ? {} : { instructions: report.instructions }),
      ...(mips === undefined ? {} : { mips }),
      counters: report.counters,
      ...(share === undefined ? {} : { directShare: share }),
      ...(parsed !== undefined && 'items' in parsed ? { items: parsed.items } : {}),
      ...(report.stop === 'exit' ? {} : { error: `guest stopped early (${report.stop})` }),
      ...(itemsError === undefined ? {} : { error: itemsError }),
    };
  } catch (e) {
    return { ...base, status: 'failed', equivalent: false, counters: {}, error: errorText(e) };
  }
}
