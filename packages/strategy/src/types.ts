/**
 * The two currencies of the lab (ARCHITECTURE.md, "Two views"):
 * - `lab`: deterministic lab cycles on the simulated RISC-V board;
 * - `host`: real wall-clock time on the machine running virtlab.
 */
export type View = 'lab' | 'host';

/** `test` runs well under a second anywhere; `bench` is about one billion RV32 instructions. */
export type WorkloadSize = 'test' | 'bench';

export const WORKLOAD_SIZES: readonly WorkloadSize[] = ['test', 'bench'];

/** Counters are a flat record of named non-negative integers (`traps.ecall_u`, `tlb.misses`, ...). */
export type Counters = Readonly<Record<string, number>>;

/**
 * One built program of a workload. `target` names the machine it was built for — by convention
 * `rv32-bare` (M-mode, UART, sifive_test finisher), `rv32-process` (a process of the guest kernel),
 * `wasm32-wasi` and `host-c` — so a strategy picks the image it can run.
 */
export interface WorkloadImage {
  readonly target: string;
  readonly size: WorkloadSize;
  /** Absolute path of the image (ELF, wasm module, or C source for `host-c`). */
  readonly path: string;
  /** Arguments the program takes at this size, where the target passes arguments. */
  readonly args?: readonly string[];
}

/** A program that every strategy runs, with the output the real machine gives for it. */
export interface Workload {
  readonly name: string;
  /** One line: what the program computes and what it exercises. */
  readonly description: string;
  readonly sizes: readonly WorkloadSize[];
  readonly images: readonly WorkloadImage[];
  /** Reference output per size, checked against real peers (QEMU, V8, host cc). */
  readonly reference: Readonly<Partial<Record<WorkloadSize, string>>>;
  /** Exit status the program ends with; 0 when absent. */
  readonly expectedExitCode?: number;
  /**
   * Absolute path of a raw disk image the program reads (osbench's /dev/vda). A lab strategy
   * that boots the guest kernel attaches it as the board's virtio-blk device, from a private copy
   * of the file's bytes: the guest's writes never reach the file. Absent: no disk.
   */
  readonly disk?: string;
}

export interface RunOptions {
  readonly size: WorkloadSize;
  /** A guest that runs longer than this is stopped and reported with `stop: 'budget'`. */
  readonly maxInstructions?: number;
  /** Cancels a run from outside (the runner's time limit, Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** Why a guest stopped. Only `exit` is a complete run. */
export type StopReason = 'exit' | 'budget' | 'fault' | 'aborted';

export interface RunReport {
  readonly strategy: string;
  readonly view: View;
  readonly workload: string;
  readonly size: WorkloadSize;
  /** Everything the guest wrote to its console or stdout. */
  readonly output: string;
  readonly exitCode: number;
  readonly stop: StopReason;
  /** Lab cycles spent (lab view only). */
  readonly labCycles?: number;
  /** Wall-clock milliseconds of the run (host view only). */
  readonly hostMs?: number;
  /** Guest instructions executed, where the strategy can count them. */
  readonly instructions?: number;
  readonly counters: Counters;
}

/**
 * A way of running workloads: one object per strategy, registered with the runner.
 * A new strategy package is a folder, one of these, and one call to the conformance kit.
 */
export interface Strategy {
  readonly name: string;
  readonly view: View;
  /** One line for `virtlab list`. */
  readonly description: string;
  /** The counters every report of this strategy carries, so tables line up. */
  readonly counterNames: readonly string[];
  /** Whether `run` can run this workload at this size. */
  supports(workload: Workload, size: WorkloadSize): boolean;
  /**
   * Runs one workload. Rejects with `UnsupportedWorkloadError` when `supports` says no; a guest
   * that misbehaves is reported (`stop`, `exitCode`), never thrown as a host crash.
   */
  run(workload: Workload, options: RunOptions): Promise<RunReport>;
}
