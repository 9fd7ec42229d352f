import type { StopReason, View, WorkloadSize } from '@virtlab/strategy';

/**
 * One cell of a bench run: one workload under one strategy (lab view) or engine (host view).
 * This is the stable JSON record documented in the runner README; add fields, never rename.
 */
export interface BenchRecord {
  readonly view: View;
  /** Lab-view strategy name. */
  readonly strategy?: string;
  /** Host-view engine name. */
  readonly engine?: string;
  readonly workload: string;
  readonly size: WorkloadSize;
  /** `ok`: ran to exit; `failed`: crashed, stopped early or threw; `skipped`: engine unavailable. */
  readonly status: 'ok' | 'failed' | 'skipped';
  /** Output byte-identical to the reference (metric lines aside) and the expected exit status. */
  readonly equivalent: boolean;
  /** Where the output first differs from the reference, when it does. */
  readonly difference?: string;
  readonly exitCode?: number;
  readonly stop?: StopReason;
  /** Lab cycles (lab view). */
  readonly labCycles?: number;
  /** Median wall-clock milliseconds over `hostRunsMs` (host view). */
  readonly hostMs?: number;
  readonly hostRunsMs?: readonly number[];
  /** Guest instructions executed, where the strategy counts them. */
  readonly instructions?: number;
  /** Millions of guest RV32 instructions per second of host time, where it applies. */
  readonly mips?: number;
  readonly counters: Readonly<Record<string, number>>;
  /**
   * Lab view, strategies that complete guest instructions themselves (hypervisors): the share of
   * guest instructions the hart executed directly — Popek and Goldberg's efficiency —
   * `instret / (instret + vmm.emulated_instructions)`, between 0 and 1 (lab-kit's `directShare`).
   */
  readonly directShare?: number;
  /**
   * OS workloads (osbench) in the lab view: lab cycles per operation of each item, by the name
   * the workload prints (`null_syscall`, `fork_exit_wait`, ...): its `@metric` ticks per operation
   * times the board's lab cycles per mtime tick. Present on every `ok` record of an OS workload.
   */
  readonly items?: Readonly<Record<string, number>>;
  /** Why the cell failed or was skipped. */
  readonly error?: string;
}

export interface BenchMachine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export interface BenchResult {
  readonly schema: 'virtlab-bench/1';
  readonly date: string;
  readonly command: string;
  readonly machine: BenchMachine;
  readonly sizes: readonly WorkloadSize[];
  /** The sizes each view ran (absent in files from before per-view sizes: then `sizes` for both). */
  readonly labSizes?: readonly WorkloadSize[];
  readonly hostSizes?: readonly WorkloadSize[];
  /** Host-view repetitions per cell at most (the median is reported; see `hostRunsMs`). */
  readonly repeats: number;
  /** The lab view's price table: a preset's name or the JSON file it came from (absent in older files: `default`). */
  readonly costModel?: string;
  /** The hart's ISA profile in the lab view (absent in older files: `rv32ima`). */
  readonly profile?: string;
  readonly records: readonly BenchRecord[];
  /** Strategies and engines left out of the run, with the reason (e.g. no `cc`, no QEMU). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

export const runnerOf = (r: BenchRecord): string => (r.view === 'lab' ? r.strategy : r.engine) ?? '?';
