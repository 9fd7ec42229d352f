import { parentPort, workerData } from 'node:worker_threads';
import { createLab, type LabOptions } from '../lab.js';
import { runCell } from './cell.js';
import type { CellJob, JobResult } from './pool.js';

const lab = await createLab(workerData as LabOptions);
parentPort?.on('message', (job: CellJob) => {
  void (async () => {
    const strategy = lab.registry.strategies.get(job.runner);
    const workload = lab.registry.workloads.get(job.workload);
    const record = await runCell(strategy, workload, {
      size: job.size,
      repeats: job.repeats,
      ...(job.repeatBudgetMs === undefined ? {} : { repeatBudgetMs: job.repeatBudgetMs }),
      ...(job.maxInstructions === undefined ? {} : { maxInstructions: job.maxInstructions }),
    });
    parentPort?.postMessage({ id: job.id, record } satisfies JobResult);
  })();
});
