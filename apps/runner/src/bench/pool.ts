import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { View, WorkloadSize } from '@virtlab/strategy';
import type { LabOptions } from '../lab.js';
import type { BenchRecord } from './record.js';

export interface CellJob {
  readonly view: View;
  readonly id: number;
  readonly runner: string;
  readonly workload: string;
  readonly size: WorkloadSize;
  readonly repeats: number;
  readonly repeatBudgetMs?: number;
  readonly maxInstructions?: number;
}

export type JobResult = { readonly id: number; readonly record: BenchRecord };

/** The worker script: a loader shim for `worker.ts` from source, `bench-worker.js` from dist. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker-source.mjs', import.meta.url) : new URL('./bench-worker.js', import.meta.url);
}

/**
 * Runs cells on worker threads: the lab view's at most `threads` at a time, then the host view's one
 * at a time. Each worker builds its own lab from
 * `labOptions`; workers inherit the process's loader flags, so this works from source and dist.
 *
 * A worker runs the cells of one runner (strategy or engine) only, and a fresh worker takes the
 * next runner's: strategies share no V8 isolate, so none is measured in a heap, JIT state or
 * process-wide V8 protector that another left behind (V8's own WebAssembly growing a memory
 * detaches its buffer, which from then on puts a detached-buffer check in every DataView and
 * typed-array access of the isolate's optimized code: lang-vm's memory-heavy workloads ran 25–35 %
 * slower after v8-wasm's cells in the same worker).
 */
export async function runPool(
  jobs: readonly CellJob[],
  labOptions: LabOptions,
  onDone: (result: JobResult, finished: number) => void,
  threads = Math.min(availableParallelism(), 2),
): Promise<BenchRecord[]> {
  const results: BenchRecord[] = new Array<BenchRecord>(jobs.length);
  // The runners' queues, in the order their first cell comes.
  const groups = new Map<string, CellJob[]>();
  for (const j of jobs) {
    const key = `${j.view}:${j.runner}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [j]);
    else g.push(j);
  }
  const all = [...groups.values()];
  let finished = 0;
  /** Runs the cells of `queue` on one worker (a fresh one after a crash). */
  const runGroup = (queue: CellJob[]) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl(), { workerData: labOptions });
      let current: CellJob | undefined;
      const next = () => {
        current = queue.shift();
        if (current === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(current);
      };
      worker.on('message', (result: JobResult) => {
        const index = jobs.findIndex((j) => j.id === result.id);
        results[index] = result.record;
        onDone(result, ++finished);
        next();
      });
      worker.on('error', (e) => {
        // A worker that dies takes only its current cell with it.
        if (current !== undefined) {
          const job = current;
          const index = jobs.findIndex((j) => j.id === job.id);
          results[index] = {
            view: job.view,
            ...(job.view === 'lab' ? { strategy: job.runner } : { engine: job.runner }),
            workload: job.workload,
            size: job.size,
            status: 'failed',
            equivalent: false,
            counters: {},
            error: `worker crashed: ${e.message}`,
          };
          onDone({ id: job.id, record: results[index] }, ++finished);
        }
        runGroup(queue).then(resolve, reject);
      });
      next();
    });
  const lanes = async (pending: CellJob[][], n: number) => {
    const lane = async () => {
      for (let g = pending.shift(); g !== undefined; g = pending.shift()) await runGroup(g);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(n, pending.length)) }, lane));
  };
  // Lab cells count lab cycles, which no neighbour changes: they share the cores. Host cells time
  // wall clock: they run after the lab's, one at a time, so that no two timed cells compete for
  // the cores, caches and memory bandwidth, and every engine meets the same (idle) neighbours.
  const lab = all.filter((g) => g[0]!.view === 'lab');
  const host = all.filter((g) => g[0]!.view !== 'lab');
  await lanes(lab, threads);
  await lanes(host, 1);
  return results;
}
