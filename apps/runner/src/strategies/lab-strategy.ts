import { UnsupportedWorkloadError, imageFor, type Strategy, type Workload, type WorkloadImage, type WorkloadSize } from '@virtlab/strategy';
import { DEFAULT_LAB_BUDGET, type LabRun } from './lab-run.js';

/** Counters every lab-view report carries (cpu-core's hart names them). */
export const LAB_COUNTERS = ['instret', 'cycles', 'trap.total', 'irq.total', 'tlb.hits', 'tlb.misses'] as const;

/** A lab-view strategy around one image target and one way of running it on the board. */
export function labStrategy(spec: {
  name: string;
  description: string;
  target: string;
  execute(image: WorkloadImage, workload: Workload, size: WorkloadSize, maxInstructions: number): Promise<LabRun>;
}): Strategy {
  const supports = (workload: Workload, size: WorkloadSize) => imageFor(workload, spec.target, size) !== undefined;
  return {
    name: spec.name,
    view: 'lab',
    description: spec.description,
    counterNames: LAB_COUNTERS,
    supports,
    async run(workload, options) {
      const image = imageFor(workload, spec.target, options.size);
      if (image === undefined) {
        throw new UnsupportedWorkloadError(spec.name, workload.name, `no '${spec.target}' image at size ${options.size}`);
      }
      const run = await spec.execute(image, workload, options.size, options.maxInstructions ?? DEFAULT_LAB_BUDGET);
      return {
        strategy: spec.name,
        view: 'lab',
        workload: workload.name,
        size: options.size,
        output: run.output,
        exitCode: run.exitCode,
        stop: run.stop,
        labCycles: run.labCycles,
        instructions: run.instructions,
        counters: run.counters,
      };
    },
  };
}
