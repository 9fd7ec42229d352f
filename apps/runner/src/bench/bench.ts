import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKLOAD_SIZES, type Strategy, type WorkloadSize } from '@virtlab/strategy';
import type { LabOptions as StrategyOptions } from '@virtlab/lab-kit';
import type { Engine } from '../engines/engine.js';
import { createLab, type LabOptions } from '../lab.js';
import { describeMachine } from './machine.js';
import { runPool, type CellJob, type JobResult } from './pool.js';
import type { BenchRecord, BenchResult } from './record.js';

export interface BenchOptions {
  /** Strategy and engine names; all that are available when absent. */
  readonly runners?: readonly string[];
  /** Strategy and engine names to leave out (listed in `skipped`); unknown names are an error. */
  readonly skip?: readonly string[];
  readonly workloads?: readonly string[];
  /** Sizes per view: lab cycles are deterministic, so the lab view can run smaller sizes. */
  readonly sizes: { readonly lab: readonly WorkloadSize[]; readonly host: readonly WorkloadSize[] };
  readonly repeats: number;
  readonly repeatBudgetMs?: number;
  readonly threads?: number;
  readonly maxInstructions?: number;
  /** Engine, ISA profile and cost model of the lab-view strategies (plain data: it crosses threads). */
  readonly lab?: StrategyOptions;
  /** What the cost model was asked for by (a preset's name or a file), for the report. */
  readonly costModelName?: string;
  readonly command: string;
  readonly onProgress?: (done: number, total: number, record: BenchRecord) => void;
}

const isEngine = (s: Strategy): s is Engine => s.view === 'host' && 'target' in s;

/**
 * MIPS is reported for the engines that run the RV32 bare-metal image. Where one does not count
 * instructions (QEMU), its MIPS is the count the lab's own interpreter measured on the same image
 * over its time.
 */
function fillMips(records: BenchRecord[], targets: ReadonlyMap<string, string>): BenchRecord[] {
  const counted = new Map<string, number>();
  for (const r of records) {
    if (r.instructions !== undefined && r.engine !== undefined && targets.get(r.engine) === 'rv32-bare') {
      counted.set(`${r.workload}\u0000${r.size}`, r.instructions);
    }
  }
  return records.map((r) => {
    if (r.view !== 'host' || r.hostMs === undefined || r.engine === undefined) return r;
    if (targets.get(r.engine) !== 'rv32-bare') {
      // MIPS compares RV32 engines; an engine counting other instructions (wasm) keeps its count only.
      const { mips: _other, ...rest } = r;
      return rest;
    }
    if (r.mips !== undefined) return r;
    const n = counted.get(`${r.workload}\u0000${r.size}`);
    return n === undefined ? r : { ...r, mips: n / r.hostMs / 1000 };
  });
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const probe = await createLab();
  const { registry } = probe;
  const chosen = options.runners === undefined ? registry.strategies.list() : registry.strategies.select(options.runners);
  const leftOut = new Set((options.skip === undefined ? [] : registry.strategies.select(options.skip)).map((r) => r.name));
  const runners = chosen.filter((r) => !leftOut.has(r.name));
  const workloads = options.workloads === undefined ? registry.workloads.list() : registry.workloads.select(options.workloads);
  const skipped: { name: string; reason: string }[] = [...leftOut].map((name) => ({ name, reason: 'left out by --skip' }));
  const active: Strategy[] = [];
  for (const r of runners) {
    const why = probe.unavailable.get(r.name);
    if (why === undefined) active.push(r);
    else skipped.push({ name: r.name, reason: why });
  }
  const hostNativeDir = mkdtempSync(join(tmpdir(), 'virtlab-host-native-'));
  const labOptions: LabOptions = { hostNativeDir, ...options.lab };
  try {
    // Work done once per run (compiling host binaries) happens here, before the clock of any cell.
    const prepLab = await createLab(labOptions);
    for (const r of active) {
      const engine = prepLab.registry.strategies.get(r.name);
      if (isEngine(engine) && engine.prepare !== undefined) await engine.prepare(workloads, options.sizes.host);
    }
    const jobs: CellJob[] = [];
    for (const size of WORKLOAD_SIZES) {
      for (const w of workloads) {
        for (const r of active) {
          if (!options.sizes[r.view].includes(size) || !r.supports(w, size)) continue;
          jobs.push({
            id: jobs.length,
            view: r.view,
            runner: r.name,
            workload: w.name,
            size,
            repeats: options.repeats,
            ...(options.repeatBudgetMs === undefined ? {} : { repeatBudgetMs: options.repeatBudgetMs }),
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
      sizes: WORKLOAD_SIZES.filter((s) => options.sizes.lab.includes(s) || options.sizes.host.includes(s)),
      labSizes: options.sizes.lab,
      hostSizes: options.sizes.host,
      repeats: options.repeats,
      costModel: options.costModelName ?? 'default',
      profile: options.lab?.profile ?? 'rv32ima',
      records: fillMips(records, targets),
      skipped,
    };
  } finally {
    rmSync(hostNativeDir, { recursive: true, force: true });
  }
}
