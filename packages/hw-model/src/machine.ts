import type { VirtBoard } from './board.js';
import type { InitialHartState, PrivilegeLevel } from './boot.js';

/**
 * The board and a hart put together: the run loop around the hart's own `run`, with HTIF polled
 * between slices, an instruction budget, and one result that says how the run ended. hw-model
 * does not depend on cpu-core (the arrow points the other way); any hart with this shape fits,
 * and cpu-core's `Hart` does.
 */
export interface RunnableHart {
  pc: number;
  priv: PrivilegeLevel;
  readonly regs: Int32Array;
  /** Runs at most `maxSteps` steps (instructions and trap entries); returns why it stopped. */
  run(maxSteps: number): { readonly stop: { readonly kind: string }; readonly instructions: number; readonly pc: number };
  counters?(): Record<string, number>;
}

/** Puts a hart in the state a boot protocol left for it (pc, privilege, x0..x31). */
export function startHart(hart: RunnableHart, state: InitialHartState): void {
  hart.regs.fill(0);
  state.registers.forEach((v, i) => {
    if (i > 0) hart.regs[i] = v | 0;
  });
  hart.pc = state.pc | 0;
  hart.priv = state.privilege;
}

/** How a run ended. */
export type MachineExit =
  /** The guest powered off: through the finisher or an HTIF `tohost` write. */
  | { readonly kind: 'poweroff'; readonly exitCode: number; readonly via: 'finisher' | 'htif' }
  /** The guest asked the finisher for a reset; the run stops there. */
  | { readonly kind: 'reset' }
  /** The instruction budget ran out: a guest that never ends. */
  | { readonly kind: 'budget'; readonly steps: number; readonly pc: number }
  /** WFI with no interrupt that could ever wake the hart. */
  | { readonly kind: 'deadlock'; readonly pc: number }
  /** The trap handler itself faults, over and over (a jump into nothing with no handler). */
  | { readonly kind: 'fault-loop'; readonly pc: number; readonly description: string }
  /** A stop reason this loop does not know (a newer hart). */
  | { readonly kind: 'stopped'; readonly reason: string; readonly pc: number };

export interface MachineRunResult {
  readonly exit: MachineExit;
  /** Instructions retired. */
  readonly instructions: number;
  readonly labCycles: number;
  /** What the guest sent to the UART. */
  readonly output: Uint8Array;
  /** The hart's counters, `mmio.<device>` accesses, `event.<name>` strategy events, and the disk's request counts. */
  readonly counters: Record<string, number>;
}

export interface RunMachineOptions {
  /** Step budget (instructions plus trap entries); default 2^31. */
  readonly maxInstructions?: number;
  /**
   * Steps per slice: HTIF is polled after each, so a `tohost` write is seen within one slice.
   * Fixed, so runs are deterministic. Default 65536.
   */
  readonly sliceSteps?: number;
  /** Called after each slice (progress, tracing). Return false to stop the run as a budget stop. */
  readonly onSlice?: (steps: number) => boolean | void;
}

export class MachineConfigError extends Error {
  override name = 'MachineConfigError';
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Runs `hart` on `board` until the guest powers off, resets, or the budget runs out. Never throws for guest behaviour. */
export function runMachine(board: VirtBoard, hart: RunnableHart, options: RunMachineOptions = {}): MachineRunResult {
  const max = options.maxInstructions ?? 2 ** 31;
  const slice = options.sliceSteps ?? 65536;
  if (!Number.isSafeInteger(max) || max < 0) throw new MachineConfigError(`maxInstructions must be a non-negative integer, got ${max}`);
  if (!Number.isSafeInteger(slice) || slice < 1) throw new MachineConfigError(`sliceSteps must be a positive integer, got ${slice}`);
  let steps = 0;
  let instructions = 0;
  let exit: MachineExit | undefined;
  let htifHalted = false;
  const haltExit = (): MachineExit | undefined => {
    const reason = board.halt.reason;
    if (reason === undefined) return undefined;
    if (reason.kind === 'reset') return { kind: 'reset' };
    return { kind: 'poweroff', exitCode: reason.exitCode, via: htifHalted ? 'htif' : 'finisher' };
  };

  while (exit === undefined) {
    const left = max - steps;
    if (left <= 0) {
      exit = { kind: 'budget', steps, pc: hart.pc };
      break;
    }
    const budget = Math.min(slice, left);
    const r = hart.run(budget);
    instructions += r.instructions;
    const stop = r.stop as { kind: string; pc?: number; description?: string };
    // A 'budget' stop used every step it was given (trap entries count as steps too).
    steps += stop.kind === 'budget' ? budget : r.instructions;
    if (!board.halt.halted && board.htif !== undefined && board.pollHtif()) htifHalted = true;
    exit = haltExit();
    if (exit !== undefined) break;
    switch (stop.kind) {
      case 'budget':
      case 'halted':
        break;
      case 'deadlock':
        exit = { kind: 'deadlock', pc: r.pc };
        break;
      case 'fault-loop':
        exit = { kind: 'fault-loop', pc: r.pc, description: stop.description ?? 'the trap handler faults again and again' };
        break;
      default:
        exit = { kind: 'stopped', reason: stop.kind, pc: r.pc };
    }
    if (exit === undefined && options.onSlice?.(steps) === false) exit = { kind: 'budget', steps, pc: hart.pc };
  }

  const counters: Record<string, number> = { ...hart.counters?.() };
  for (const [name, n] of board.bus.mmioAccesses) counters[`mmio.${name}`] = n;
  // A monitor's events (counted by the hart) and the board's add up under one name.
  for (const [name, n] of board.eventCounts) counters[`event.${name}`] = (counters[`event.${name}`] ?? 0) + n;
  const disk = board.blk?.counters;
  if (disk !== undefined) for (const k of Object.keys(disk) as (keyof typeof disk)[]) counters[`virtio-blk.${k}`] = disk[k];
  return { exit, instructions, labCycles: board.clock.cycles, output: board.uart.output.slice(), counters };
}

/** One line saying how a run ended, for people. */
export function describeExit(exit: MachineExit): string {
  switch (exit.kind) {
    case 'poweroff':
      return `guest powered off through the ${exit.via === 'htif' ? 'HTIF tohost word' : 'finisher'} with exit code ${exit.exitCode}`;
    case 'reset':
      return 'guest asked for a reset through the finisher; the run stops there';
    case 'budget':
      return `instruction budget exhausted after ${exit.steps} steps at pc ${hex(exit.pc)}: the guest did not end by itself`;
    case 'deadlock':
      return `hart waits in WFI at pc ${hex(exit.pc)} with no interrupt that could wake it`;
    case 'fault-loop':
      return `fault loop at pc ${hex(exit.pc)}: ${exit.description}`;
    case 'stopped':
      return `hart stopped (${exit.reason}) at pc ${hex(exit.pc)}`;
  }
}
