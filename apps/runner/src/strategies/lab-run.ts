import { readFile } from 'node:fs/promises';
import { createEngine } from '@virtlab/emulator';
import {
  bootQemu,
  createVirtBoard,
  runMachine,
  startHart,
  type InitialHartState,
  type MachineExit,
  type MachineRunResult,
  type VirtBoard,
  type VirtBoardOptions,
} from '@virtlab/hw-model';
import type { StopReason } from '@virtlab/strategy';

/** Budget for a lab run when the caller gives none: well above a bench-size workload plus boot. */
export const DEFAULT_LAB_BUDGET = 8_000_000_000;

export function stopOf(exit: MachineExit): StopReason {
  if (exit.kind === 'poweroff') return 'exit';
  if (exit.kind === 'budget') return 'budget';
  return 'fault';
}

/** The guest's exit status: its own where it powered off, -1 where it did not. */
export function exitCodeOf(exit: MachineExit): number {
  return exit.kind === 'poweroff' ? exit.exitCode : -1;
}

export interface LabRun {
  readonly output: string;
  readonly exitCode: number;
  readonly stop: StopReason;
  readonly labCycles: number;
  readonly instructions: number;
  readonly counters: Record<string, number>;
}

export function labRunOf(result: MachineRunResult): LabRun {
  return {
    output: Buffer.from(result.output).toString('latin1'),
    exitCode: exitCodeOf(result.exit),
    stop: stopOf(result.exit),
    labCycles: result.labCycles,
    instructions: result.instructions,
    counters: result.counters,
  };
}

/**
 * Runs a hart on a prepared board to the end (or the budget), by `engine`: `interp` (cpu-core's
 * interpreter) or `dbt` (@virtlab/emulator's translator) — the same lab cycles and counters.
 */
export function runOnBoard(board: VirtBoard, start: InitialHartState, maxInstructions: number, engine = 'interp'): LabRun {
  const hart = createEngine(engine, board);
  startHart(hart, start);
  return labRunOf(runMachine(board, hart, { maxInstructions }));
}

export interface KernelImages {
  readonly firmware: string;
  readonly kernel: string;
  readonly initrd: string;
}

/**
 * A board with firmware, kernel and initrd loaded the way QEMU's `virt` does, and the state the
 * hart starts from.
 */
export async function kernelBoard(images: KernelImages, options: VirtBoardOptions): Promise<{ board: VirtBoard; state: InitialHartState }> {
  const [firmware, kernel, initrd] = await Promise.all([readFile(images.firmware), readFile(images.kernel), readFile(images.initrd)]);
  const board = createVirtBoard(options);
  const { state } = bootQemu(board, { firmware, kernel, initrd });
  return { board, state };
}

/** Boots firmware + kernel + initrd with `bootargs` and runs to power-off. */
export async function bootKernel(images: KernelImages, bootargs: string, maxInstructions: number, disk?: Uint8Array, engine = 'interp'): Promise<LabRun> {
  const { board, state } = await kernelBoard(images, { bootargs, ...(disk === undefined ? {} : { disk }) });
  return runOnBoard(board, state, maxInstructions, engine);
}
