import type { CostModel } from '@virtlab/hw-model';
import { UnsupportedWorkloadError, imageFor, type Strategy, type Workload, type WorkloadImage, type WorkloadSize } from '@virtlab/strategy';
import type { EngineKind } from '@virtlab/emulator';
import { resolveCostModel } from './cost-presets.js';
import type { IsaProfileName, LabOptions } from './lab-options.js';
import { DEFAULT_LAB_BUDGET, type LabRun, type RunOnBoardOptions } from './lab-run.js';

/** Counters every lab-view report carries (cpu-core's hart names them). */
export const LAB_COUNTERS = ['instret', 'cycles', 'trap.total', 'irq.total', 'tlb.hits', 'tlb.misses'] as const;

/** Everything one run of a lab strategy is given: the workload's image and the run's settings. */
export interface LabRunContext {
  readonly image: WorkloadImage;
  readonly workload: Workload;
  readonly size: WorkloadSize;
  readonly engine: EngineKind;
  readonly profile: IsaProfileName;
  /** The price table the board must be built with. */
  readonly cost: CostModel;
  /** What `runOnBoard` / `runInChunks` take: budget, engine, profile, signal. */
  readonly run: RunOnBoardOptions;
}

export interface LabStrategySpec {
  readonly name: string;
  readonly description: string;
  /** The image target the strategy runs (`rv32-process`, `rv32-bare`, ...). */
  readonly target: string;
  /** Counters the strategy adds to the lab's own (`vm.exits`, `hypercalls`, ...). */
  readonly counters?: readonly string[];
  readonly options?: LabOptions;
  execute(context: LabRunContext): Promise<LabRun>;
}

/**
 * A lab-view strategy around one image target and one way of running it on the board: support
 * by image target, the budget, the abort signal, the engine, the profile and the cost model
 * handled once here, the report filled in from the run.
 */
export function labStrategy(spec: LabStrategySpec): Strategy {
  const engine = spec.options?.engine ?? 'interp';
  const profile = spec.options?.profile ?? 'rv32ima';
  const cost = spec.options?.costModel ?? resolveCostModel('default');
  const supports = (workload: Workload, size: WorkloadSize) => imageFor(workload, spec.target, size) !== undefined;
  return {
    name: spec.name,
    view: 'lab',
    description: spec.description,
    counterNames: [...LAB_COUNTERS, ...(spec.counters ?? [])],
    supports,
    async run(workload, options) {
      const image = imageFor(workload, spec.target, options.size);
      if (image === undefined) {
        throw new UnsupportedWorkloadError(spec.name, workload.name, `no '${spec.target}' image at size ${options.size}`);
      }
      const run: RunOnBoardOptions = {
        maxInstructions: options.maxInstructions ?? DEFAULT_LAB_BUDGET,
        engine,
        profile,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      };
      const result = await spec.execute({ image, workload, size: options.size, engine, profile, cost, run });
      return {
        strategy: spec.name,
        view: 'lab',
        workload: workload.name,
        size: options.size,
        output: result.output,
        exitCode: result.exitCode,
        stop: result.stop,
        labCycles: result.labCycles,
        instructions: result.instructions,
        counters: result.counters,
      };
    },
  };
}
