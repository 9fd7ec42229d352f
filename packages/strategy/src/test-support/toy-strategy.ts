// A test-only lab strategy: it "runs" a toy program format so that the kit can be tested without
// a machine model. Program lines: `print TEXT`, `metric NAME VALUE`, `loop N` (burns N cycles),
// `exit CODE`. Each executed line costs one cycle plus what `loop` burns.
import { readFileSync } from 'node:fs';
import { UnsupportedWorkloadError } from '../errors.js';
import { imageFor } from '../report.js';
import type { RunOptions, RunReport, Strategy, Workload, WorkloadSize } from '../types.js';

export const TOY_TARGET = 'toy';

export interface ToyOptions {
  readonly name?: string;
  /** Corrupts the output: flips the last byte of the first printed line. */
  readonly corruptOutput?: boolean;
  /** Leaks host time into a counter, breaking determinism. */
  readonly nondeterministic?: boolean;
}

export function toyStrategy(options: ToyOptions = {}): Strategy {
  const name = options.name ?? 'toy';
  let runCount = 0;
  const supports = (workload: Workload, size: WorkloadSize) => imageFor(workload, TOY_TARGET, size) !== undefined;
  return {
    name,
    view: 'lab',
    description: 'test-only strategy that interprets a toy program format',
    counterNames: ['lines', 'prints'],
    supports,
    run(workload: Workload, { size }: RunOptions): Promise<RunReport> {
      const image = imageFor(workload, TOY_TARGET, size);
      if (image === undefined) {
        return Promise.reject(new UnsupportedWorkloadError(name, workload.name, `no '${TOY_TARGET}' image at size ${size}`));
      }
      runCount++;
      let output = '';
      let cycles = 0;
      let lines = 0;
      let prints = 0;
      let exitCode = 0;
      for (const line of readFileSync(image.path, 'utf8').split('\n')) {
        if (line === '') continue;
        lines++;
        cycles++;
        const [op, ...rest] = line.split(' ');
        if (op === 'print') {
          let text = rest.join(' ');
          if (options.corruptOutput === true && prints === 0) {
            text = text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) ^ 1);
          }
          output += text + '\n';
          prints++;
        } else if (op === 'metric') {
          output += `@metric ${rest.join(' ')}\n`;
        } else if (op === 'loop') {
          cycles += Number(rest[0]);
        } else if (op === 'exit') {
          exitCode = Number(rest[0]);
          break;
        }
      }
      const counters: Record<string, number> = { lines, prints };
      if (options.nondeterministic === true) counters.runs = runCount;
      return Promise.resolve({
        strategy: name,
        view: 'lab',
        workload: workload.name,
        size,
        output,
        exitCode,
        stop: 'exit',
        labCycles: cycles,
        instructions: lines,
        counters,
      });
    },
  };
}
