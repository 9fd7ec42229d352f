import { UnsupportedWorkloadError, imageFor, type RunOptions, type RunReport, type Strategy, type Workload, type WorkloadImage, type WorkloadSize } from '@virtlab/strategy';

/** A host-view engine: a strategy timed by wall clock, possibly absent on this machine. */
export interface Engine extends Strategy {
  /** Why the engine cannot run here (no `cc`, no QEMU), or undefined when it can. */
  readonly unavailable: string | undefined;
  /** The image target it runs (`rv32-bare`, `wasm32-wasi`, `host-c`). */
  readonly target: string;
  /** Work done once per bench run before any cell (compiling host binaries). */
  prepare?(workloads: readonly Workload[], sizes: readonly WorkloadSize[]): Promise<void>;
}

export interface HostRun {
  readonly output: string;
  readonly exitCode: number;
  readonly stop?: RunReport['stop'];
  readonly instructions?: number;
  readonly counters?: Record<string, number>;
  /** Time of the run alone, where the engine can leave its set-up out (board, loading). */
  readonly hostMs?: number;
}

/**
 * Builds a host engine around one image target: `supports` checks the image exists, `run` times
 * `execute` with the host clock and fills in the report.
 */
export function hostEngine(spec: {
  name: string;
  description: string;
  target: string;
  unavailable: string | undefined;
  counterNames?: readonly string[];
  prepare?(workloads: readonly Workload[], sizes: readonly WorkloadSize[]): Promise<void>;
  execute(image: WorkloadImage, workload: Workload, options: RunOptions): Promise<HostRun>;
}): Engine {
  const supports = (workload: Workload, size: WorkloadSize) =>
    spec.unavailable === undefined && imageFor(workload, spec.target, size) !== undefined;
  return {
    name: spec.name,
    view: 'host',
    description: spec.description,
    counterNames: spec.counterNames ?? [],
    unavailable: spec.unavailable,
    target: spec.target,
    ...(spec.prepare === undefined ? {} : { prepare: (w: readonly Workload[], s: readonly WorkloadSize[]) => spec.prepare!(w, s) }),
    supports,
    async run(workload, options) {
      const image = imageFor(workload, spec.target, options.size);
      if (spec.unavailable !== undefined) throw new UnsupportedWorkloadError(spec.name, workload.name, spec.unavailable);
      if (image === undefined) {
        throw new UnsupportedWorkloadError(spec.name, workload.name, `no '${spec.target}' image at size ${options.size}`);
      }
      const start = performance.now();
      const run = await spec.execute(image, workload, options);
      const hostMs = run.hostMs ?? performance.now() - start;
      return {
        strategy: spec.name,
        view: 'host',
        workload: workload.name,
        size: options.size,
        output: run.output,
        exitCode: run.exitCode,
        stop: run.stop ?? 'exit',
        hostMs,
        ...(run.instructions === undefined ? {} : { instructions: run.instructions }),
        counters: run.counters ?? {},
      };
    },
  };
}
