import { readFile } from 'node:fs/promises';
import { bootBareElf, createVirtBoard } from '@virtlab/hw-model';
import { runOnBoard } from '@virtlab/lab-kit';
import { hostEngine, type Engine } from './engine.js';

/** cpu-core's predecoded interpreter on the bare-metal image, timed by the host clock. */
export function cpuCoreEngine(): Engine {
  return hostEngine({
    name: 'cpu-core',
    description: "cpu-core's predecoded interpreter on the rv32-bare image (the lab machine itself)",
    target: 'rv32-bare',
    unavailable: undefined,
    async execute(image, _workload, options) {
      const board = createVirtBoard();
      const { state } = bootBareElf(board, await readFile(image.path));
      // Time the run alone, as the emulator engine does: board set-up and loading are left out.
      const start = performance.now();
      const run = await runOnBoard(board, state, { maxInstructions: options.maxInstructions ?? 8_000_000_000 });
      const hostMs = performance.now() - start;
      return { output: run.output, exitCode: run.exitCode, stop: run.stop, instructions: run.instructions, hostMs };
    },
  });
}
