// One target's long run in a worker thread, watched by the main thread: before every case the
// worker writes the case index and its start time into shared memory, so the main thread can
// stop a case that runs past the limit (terminate the worker) and go on from the next one.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { newStats, runFuzz, type FuzzStats } from './engine.js';
import { targetByName } from './targets/index.js';

export interface WorkerJob {
  readonly target: string;
  readonly cases: number;
  readonly seed: number;
  readonly start: number;
  readonly timeLimitMs: number;
  /** [case index, running flag] and [case start, performance.timeOrigin-relative ms]. */
  readonly shared: SharedArrayBuffer;
  /** Cases that hung in an earlier worker: not run again. */
  readonly skip: readonly number[];
}

/** Heap after a full collection, so start and end figures compare live memory, not garbage. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

export type WorkerMessage =
  | { kind: 'progress'; cases: number; heapMiB: number; rssMiB: number }
  | { kind: 'done'; stats: SerializedStats; heapStartMiB: number; heapEndMiB: number };

export type SerializedStats = Omit<FuzzStats, 'rejections' | 'known'> & { rejections: [string, number][]; known: [string, number][] };

const job = workerData as WorkerJob;
const index = new Int32Array(job.shared, 0, 2);
const started = new Float64Array(job.shared, 8, 1);
const target = targetByName(job.target);
await target.seeds(); // seeds (and their assembly) before the first timed case
const heapStartMiB = heapMiB();
const stats = await runFuzz(
  target,
  {
    cases: job.cases,
    seed: job.seed,
    start: job.start,
    skip: new Set(job.skip),
    timeLimitMs: job.timeLimitMs,
    onCase: (i) => {
      started[0] = performance.timeOrigin + performance.now();
      Atomics.store(index, 0, i);
      Atomics.store(index, 1, 1);
    },
    progressEvery: 10_000,
    onProgress: (s) => parentPort?.postMessage({ kind: 'progress', cases: s.cases, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, rssMiB: process.memoryUsage().rss / 2 ** 20 } satisfies WorkerMessage),
  },
  newStats(job.target),
);
Atomics.store(index, 1, 0);
const heapEndMiB = heapMiB();
parentPort?.postMessage({ kind: 'done', stats: { ...stats, rejections: [...stats.rejections], known: [...stats.known] }, heapStartMiB, heapEndMiB } satisfies WorkerMessage);
