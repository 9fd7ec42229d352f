/**
 * Runs guest images on the lab board: hw-model's virt board with cpu-core's hart, booted the
 * way QEMU boots (a bare ELF at its link address in M-mode, or firmware + kernel).
 */
import { readFile } from 'node:fs/promises';
import { Hart } from '@virtlab/cpu-core';
import type { InitialHartState, VirtBoard } from '@virtlab/hw-model';
import { bootBareElf, bootQemu, createVirtBoard, describeExit, runMachine, startHart } from '@virtlab/hw-model';
import { firmwareImage } from '../paths.js';
import type { PeerResult } from './peers.js';

export interface BoardResult extends PeerResult {
  /** How the run ended, in words (`power off, exit code 0`, `budget`, ...). */
  readonly ending: string;
  readonly instructions: number;
  readonly labCycles: number;
  /** `poweroff`, `reset`, `budget`, ... */
  readonly exitKind: string;
}

function runBoard(board: VirtBoard, state: InitialHartState, maxInstructions: number): BoardResult {
  const hart = new Hart(board);
  startHart(hart, state);
  const run = runMachine(board, hart, { maxInstructions });
  return {
    output: Buffer.from(run.output).toString('latin1'),
    exitCode: run.exit.kind === 'poweroff' ? run.exit.exitCode : -1,
    ending: describeExit(run.exit),
    exitKind: run.exit.kind,
    instructions: run.instructions,
    labCycles: run.labCycles,
  };
}

/** A bare-metal ELF (rv32-bare image) alone on the board, like `qemu -bios none -kernel`. */
export async function runBareOnBoard(elfPath: string, maxInstructions = 200_000_000): Promise<BoardResult> {
  const board = createVirtBoard();
  const boot = bootBareElf(board, await readFile(elfPath));
  return runBoard(board, boot.state, maxInstructions);
}

/** The firmware with an S-mode kernel or payload, like `qemu -bios fw.elf -kernel <kernel>`. */
export async function runFirmwareOnBoard(kernelPath: string, maxInstructions = 50_000_000): Promise<BoardResult> {
  const board = createVirtBoard();
  const boot = bootQemu(board, { firmware: await readFile(firmwareImage), kernel: await readFile(kernelPath) });
  return runBoard(board, boot.state, maxInstructions);
}
