import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Strategy, WorkloadSize } from '@virtlab/strategy';
import type { Engine } from '../engines/engine.js';
import { createLab, type LabOptions } from '../lab.js';
import { describeMachine } from './machine.js';
import { runPool, type CellJob, type JobResult } from './pool.js';
import type { BenchRecord, BenchResult } from './record.js';

export interface BenchOptions {
  /** Strategy and engine names; all that are available when absent. */
  readonly runners?: readonly string[];
  readonly workloads?: readonly string[];
  readonly sizes: readonly WorkloadSize[];
  readonly repeats: number;
  readonly threads?: number;
  readonly maxInstructions?: number;
  /** What runs the lab-view strategies: `interp` (default) or `dbt`. */
  readonly engine?: 'interp' | 'dbt';
  readonly command: string;
  readonly onProgress?: (done: number, total: number, record: BenchRecord) => void;
}

const isEngine = (s: Strategy): s is Engine => s.view === 'host' && 'target' in s;

/**
 * For engines that run the RV32 bare-metal image without counting instructions (QEMU), MIPS is
 * the instruction count the lab's own interpreter measured on the same image, over their time.
 */
function fillMips(records: BenchRecord[], targets: ReadonlyMap<string, string>): BenchRecord[] {
  const counted = new Map<string, number>();
  for (const r of records) {
    if (r.instructions !== undefined && r.engine !== undefined && targets.get(r.engine) === 'rv32-bare') {
      counted.set(`${r.workload}\u0000${r.size}`, r.instructions);
    }
  }
  return records.map((r) => {
    if (r.view !== 'host' || r.mips !== undefined || r.hostMs === undefined || r.engine === undefined) return r;
    if (targets.get(r.engine) !== 'rv32-bare') return r;
    const n = counted.get(`${r.workload}\u0000${r.size}`);
    return n === undefined ? r : { ...r, mips: n / r.hostMs / 1000 };
  });
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const probe = await createLab();
  const { registry } = probe;
  const runners = options.runners === undefined ? registry.strategies.list() : registry.strategies.select(options.runners);
  const workloads = options.workloads === undefined ? registry.workloads.list() : registry.workloads.select(options.workloads);
  const skipped: { name: string; reason: string }[] = [];
  const active: Strategy[] = [];
  for (const r of runners) {
    const why = probe.unavailable.get(r.name);
    if (why === undefined) active.push(r);
    else skipped.push({ name: r.name, reason: why });
  }
  const hostNativeDir = mkdtempSync(join(tmpdir(), 'virtlab-host-native-'));
  const labOptions: LabOptions = { hostNativeDir, ...(options.engine === undefined ? {} : { engine: options.engine }) };
  try {
    // Work done once per run (compiling host binaries) happens here, before the clock of any cell.
    const prepLab = await createLab(labOptions);
    for (const r of active) {
      const engine = prepLab.registry.strategies.get(r.name);
      if (isEngine(engine) && engine.prepare !== undefined) await engine.prepare(workloads, options.sizes);
    }
    const jobs: CellJob[] = [];
    for (const size of options.sizes) {
      for (const w of workloads) {
        for (const r of active) {
          if (!r.supports(w, size)) continue;
          jobs.push({
            id: jobs.length,
            view: r.view,
            runner: r.name,
            workload: w.name,
            size,
            repeats: options.repeats,
            ...(options.maxInstructions === undefined ? {} : { maxInstructions: options.maxInstructions }),
          });
        }
      }
    }
    const records = await runPool(
      jobs,
      labOptions,
      (result: JobResult, done) => options.onProgress?.(done, jobs.length, result.record),
      options.threads,
    );
    const targets = new Map(active.filter(isEngine).map((e) => [e.name, e.target]));
    return {
      schema: 'virtlab-bench/1',
      date: new Date().toISOString(),
      command: options.command,
      machine: describeMachine(),
      sizes: options.sizes,
      repeats: options.repeats,
      records: fillMips(records, targets),
      skipped,
    };
  } finally {
    rmSync(hostNativeDir, { recursive: true, force: true });
  }
}
