import { createEngine, type EngineKind } from '@virtlab/emulator';
import { runMachine, startHart, type InitialHartState, type MachineExit, type MachineRunResult, type VirtBoard } from '@virtlab/hw-model';
import type { StopReason } from '@virtlab/strategy';
import type { IsaProfileName } from './lab-options.js';

/** Budget for a lab run when the caller gives none: well above a bench-size workload plus boot. */
export const DEFAULT_LAB_BUDGET = 8_000_000_000;

/**
 * Steps run between two turns of the event loop, so an abort signal (a time limit, Ctrl-C) is seen.
 * A multiple of runMachine's fixed slice (65536), so the hart is driven in the same slices whether
 * or not a run is cut into chunks: lab cycles do not depend on it.
 */
export const LAB_CHUNK_STEPS = 1 << 26;

/** What one lab run gives back: the guest's output, how it ended, and what it cost. */
export interface LabRun {
  readonly output: string;
  readonly exitCode: number;
  readonly stop: StopReason;
  readonly labCycles: number;
  readonly instructions: number;
  readonly counters: Record<string, number>;
}

export function stopOf(exit: MachineExit): StopReason {
  if (exit.kind === 'poweroff') return 'exit';
  if (exit.kind === 'budget') return 'budget';
  return 'fault';
}

/** The guest's exit status: its own where it powered off, -1 where it did not. */
export function exitCodeOf(exit: MachineExit): number {
  return exit.kind === 'poweroff' ? exit.exitCode : -1;
}

export function labRunOf(result: MachineRunResult, stop: StopReason = stopOf(result.exit)): LabRun {
  return {
    output: Buffer.from(result.output).toString('latin1'),
    exitCode: exitCodeOf(result.exit),
    stop,
    labCycles: result.labCycles,
    instructions: result.instructions,
    counters: result.counters,
  };
}

/** How to run a prepared board. */
export interface RunOnBoardOptions {
  /** Step budget (instructions and trap entries); a guest that runs past it stops with `budget`. */
  readonly maxInstructions?: number;
  /** `interp` (cpu-core's interpreter, default) or `dbt` (the emulator's translator): the same lab cycles and counters. */
  readonly engine?: EngineKind;
  /** ISA profile of the hart: `rv32ima` (default) or `legacy`. */
  readonly profile?: IsaProfileName;
  /** Stops the run at the next chunk boundary with `aborted`. */
  readonly signal?: AbortSignal;
  /** Steps between turns of the event loop: a multiple of 65536 (default {@link LAB_CHUNK_STEPS}). */
  readonly chunkSteps?: number;
}

export class LabRunError extends Error {
  override name = 'LabRunError';
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs a machine to the end, the budget or an abort, in chunks of {@link LAB_CHUNK_STEPS} with a
 * turn of the event loop between chunks. `machine` is what runMachine drives: a hart engine, or
 * a hypervisor's composition of one.
 */
export async function runInChunks(board: VirtBoard, machine: Parameters<typeof runMachine>[1], options: RunOnBoardOptions): Promise<LabRun> {
  const budget = options.maxInstructions ?? DEFAULT_LAB_BUDGET;
  const chunkSteps = options.chunkSteps ?? LAB_CHUNK_STEPS;
  if (!Number.isSafeInteger(budget) || budget < 0) throw new LabRunError(`maxInstructions must be a non-negative integer, got ${budget}`);
  if (!Number.isSafeInteger(chunkSteps) || chunkSteps <= 0 || chunkSteps % 65536 !== 0) {
    throw new LabRunError(`chunkSteps must be a positive multiple of 65536 (runMachine's slice), got ${chunkSteps}`);
  }
  let steps = 0;
  let instructions = 0;
  for (;;) {
    if (options.signal?.aborted === true) {
      const last = runMachine(board, machine, { maxInstructions: 0 });
      return labRunOf({ ...last, instructions }, 'aborted');
    }
    const chunk = Math.min(chunkSteps, budget - steps);
    const result = runMachine(board, machine, { maxInstructions: chunk });
    instructions += result.instructions;
    if (result.exit.kind !== 'budget') return labRunOf({ ...result, instructions });
    steps += result.exit.steps;
    if (steps >= budget) {
      return labRunOf({ ...result, instructions, exit: { ...result.exit, steps } });
    }
    await nextTurn();
  }
}

/**
 * Runs a new hart on a prepared board from `start` to the end (or the budget, or an abort), by
 * `engine` — the same lab cycles and counters either way.
 */
export function runOnBoard(board: VirtBoard, start: InitialHartState, options: RunOnBoardOptions = {}): Promise<LabRun> {
  const hart = createEngine(options.engine ?? 'interp', board, options.profile === undefined ? {} : { profile: options.profile });
  startHart(hart, start);
  return runInChunks(board, hart, options);
}
