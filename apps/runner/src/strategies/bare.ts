import { readFile } from 'node:fs/promises';
import { bootBareElf, createVirtBoard } from '@virtlab/hw-model';
import type { Strategy } from '@virtlab/strategy';
import { runOnBoard } from './lab-run.js';
import { labStrategy } from './lab-strategy.js';

/** The bare-metal image alone on the board, in M-mode: the machine with no software between. */
export function bareStrategy(engine = 'interp'): Strategy {
  return labStrategy({
    name: 'bare',
    description: 'the rv32-bare image alone on the lab board in M-mode (UART out, finisher exit)',
    target: 'rv32-bare',
    async execute(image, _workload, _size, maxInstructions) {
      const board = createVirtBoard();
      const { state } = bootBareElf(board, await readFile(image.path));
      return runOnBoard(board, state, maxInstructions, engine);
    },
  });
}
