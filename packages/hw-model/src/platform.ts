import type { Bus } from './bus.js';
import type { LabClock } from './clock.js';
import type { CostModel } from './cost-model.js';

/** mip bits that devices drive (priv 3.1.9). */
export const IRQ_MSIP = 1 << 3;
export const IRQ_MTIP = 1 << 7;
export const IRQ_SEIP = 1 << 9;
export const IRQ_MEIP = 1 << 11;

/**
 * What a hart needs from the machine it sits in. The board implements it; a hart never knows
 * which devices exist.
 *
 * Contract for determinism: the hart keeps `clock.cycles` current before every MMIO access and
 * before reading `interruptLevels()`; it reads `interruptLevels()` again after every MMIO access
 * (a device register write can raise or lower a line) and once `clock.cycles` reaches
 * `nextEventCycle()` (a timer). Interrupts are therefore taken at instruction boundaries that
 * depend only on the guest's own execution.
 */
export interface HartPlatform {
  readonly bus: Bus;
  readonly clock: LabClock;
  readonly cost: CostModel;
  /** The mip bits the devices assert now for this hart (MSIP, MTIP, SEIP, MEIP). */
  interruptLevels(hartId: number): number;
  /** Lab cycle at which `interruptLevels` may next change without an MMIO access; Infinity if never. */
  nextEventCycle(hartId: number): number;
  /** Set by a device (the finisher) when the machine powers off or resets; the run loop stops. */
  readonly halt: HaltState;
}

export type HaltReason = { kind: 'poweroff'; exitCode: number } | { kind: 'reset' };

export class HaltState {
  reason: HaltReason | undefined = undefined;

  get halted(): boolean {
    return this.reason !== undefined;
  }

  request(reason: HaltReason): void {
    this.reason ??= reason;
  }

  clear(): void {
    this.reason = undefined;
  }
}
