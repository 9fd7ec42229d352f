import { readFileSync } from 'node:fs';
import type { RunOptions, RunReport, Strategy, StopReason, Workload, WorkloadSize } from '@virtlab/strategy';
import { UnsupportedWorkloadError, imageFor } from '@virtlab/strategy';
import { FuelExhausted, Trap } from './errors.js';
import type { InstanceOptions } from './instance.js';
import { Instance, Module } from './instance.js';
import { Wasi } from './wasi.js';

const TARGET = 'wasm32-wasi';
/** With an abort signal, fuel is handed out in slices this large and the signal polled between them. */
const SLICE = 1_000_000_000;

const modules = new Map<string, Module>();
function moduleFor(path: string): Module {
  let m = modules.get(path);
  if (m === undefined) {
    m = new Module(readFileSync(path));
    modules.set(path, m);
  }
  return m;
}

/** The `lang-vm` strategy on a chosen tier; `langVmStrategy` is the default (fastest) one. */
export function makeLangVmStrategy(
  name: string,
  description: string,
  instanceOptions: InstanceOptions = {},
  { fuelSlice = SLICE }: { readonly fuelSlice?: number } = {},
): Strategy {
  const strategy: Strategy = {
    name,
    view: 'host',
    description,
    counterNames: ['wasi.calls', 'fuel.slices'],
    supports: (workload: Workload, size: WorkloadSize) => imageFor(workload, TARGET, size) !== undefined,
    run(workload: Workload, options: RunOptions): Promise<RunReport> {
      const max = options.maxInstructions;
      if (max !== undefined && !(max === Infinity || (Number.isSafeInteger(max) && max >= 0))) {
        return Promise.reject(new RangeError(`${name}: maxInstructions must be a non-negative integer, got ${String(max)}`));
      }
      const image = imageFor(workload, TARGET, options.size);
      if (image === undefined) {
        return Promise.reject(new UnsupportedWorkloadError(name, workload.name, `no ${TARGET} image at size '${options.size}'`));
      }
      return (async () => {
        const started = performance.now();
        const wasi = new Wasi({ args: [workload.name, ...(image.args ?? [])] });
        const budget = options.maxInstructions ?? Infinity;
        // Fuel slices only when a signal must be polled (between slices the event loop runs, so an
        // abort can arrive): a resumed call continues in the interpreter, so slicing costs speed.
        const slice = options.signal ? fuelSlice : Infinity;
        const first = options.signal?.aborted ? 0 : Math.min(slice, budget);
        const instance = new Instance(moduleFor(image.path), wasi.imports, { ...instanceOptions, fuel: first });
        let given = first;
        let slices = 1;
        let stop: StopReason = 'exit';
        let exitCode = 0;
        const exports = instance.exports;
        wasi.bind(exports.memory as { buffer: ArrayBuffer });
        let step: () => unknown = () => (exports._start as () => unknown)();
        for (;;) {
          try {
            exitCode = wasi.exitStatus(step);
            break;
          } catch (e) {
            if (e instanceof FuelExhausted && instance.suspended) {
              if (options.signal?.aborted) {
                stop = 'aborted';
              } else if (given >= budget) {
                stop = 'budget';
              } else {
                const more = Math.min(slice, budget - given);
                given += more;
                slices++;
                instance.addFuel(more);
                step = () => instance.resume();
                await new Promise((resolve) => setImmediate(resolve));
                if (!options.signal?.aborted) continue;
                stop = 'aborted';
              }
              instance.abort();
              exitCode = -1;
              break;
            }
            if (e instanceof Trap) {
              stop = 'fault';
              exitCode = -1;
              wasi.output += `\n[lang-vm] ${e.message}\n`;
              break;
            }
            throw e;
          }
        }
        const hostMs = performance.now() - started;
        const wasiCalls = Object.values(wasi.calls).reduce((a, b) => a + b, 0);
        return {
          strategy: name,
          view: 'host',
          workload: workload.name,
          size: options.size,
          output: wasi.output,
          exitCode,
          stop,
          hostMs,
          // Executed instructions as fuel counts them (per basic block); an unlimited budget starts at MAX_SAFE_INTEGER.
          instructions: Math.max(0, Math.round((Number.isFinite(given) ? given : Number.MAX_SAFE_INTEGER) - instance.fuel)),
          counters: { 'wasi.calls': wasiCalls, 'fuel.slices': slices },
        };
      })();
    },
  };
  return strategy;
}

/** The WebAssembly VM in the host view: the workloads' wasm32-wasi images on lang-vm. */
export const langVmStrategy: Strategy = makeLangVmStrategy('lang-vm', 'WebAssembly VM: validator, metered JavaScript tier and interpreter, WASI preview 1 (host view)');
