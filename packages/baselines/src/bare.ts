import { readFile } from 'node:fs/promises';
import { bootBareElf, createVirtBoard } from '@virtlab/hw-model';
import { labStrategy, runOnBoard, type LabOptions } from '@virtlab/lab-kit';
import type { Strategy } from '@virtlab/strategy';

/** The bare-metal image alone on the board, in M-mode: the machine with no software between. */
export function bareStrategy(options: LabOptions = {}): Strategy {
  return labStrategy({
    name: 'bare',
    description: 'the rv32-bare image alone on the lab board in M-mode (UART out, finisher exit)',
    target: 'rv32-bare',
    options,
    async execute({ image, cost, run }) {
      const board = createVirtBoard({ cost });
      const { state } = bootBareElf(board, await readFile(image.path));
      return runOnBoard(board, state, run);
    },
  });
}
