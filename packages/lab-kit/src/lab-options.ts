import type { CostModel } from '@virtlab/hw-model';
import type { Strategy } from '@virtlab/strategy';
import type { EngineKind } from '@virtlab/emulator';

export type IsaProfileName = 'rv32ima' | 'legacy';
export const ISA_PROFILE_NAMES: readonly IsaProfileName[] = ['rv32ima', 'legacy'];

/**
 * Plain options every lab strategy package builds its strategies from. Plain data: bench worker
 * threads receive them by structured clone and rebuild the same strategies.
 */
export interface LabOptions {
  /** What runs the hart: `interp` (default) or `dbt`; lab cycles and counters do not change. */
  readonly engine?: EngineKind;
  /** The price table: a resolved cost model (see `resolveCostModel`); `default` when absent. */
  readonly costModel?: CostModel;
  /** The hart's ISA profile: `rv32ima` (default) or `legacy`. */
  readonly profile?: IsaProfileName;
}

/**
 * What a strategy package exports for the runner: its name and a factory. The runner keeps one
 * list of these; adding a package is one line there.
 */
export interface StrategyPackage {
  /** The npm name, for messages (`@virtlab/baselines`). */
  readonly name: string;
  strategies(options: LabOptions): readonly Strategy[];
}

export class LabOptionsError extends Error {
  override name = 'LabOptionsError';
}

export function parseProfile(value: string): IsaProfileName {
  if (!(ISA_PROFILE_NAMES as readonly string[]).includes(value)) {
    throw new LabOptionsError(`unknown ISA profile '${value}'; known: ${ISA_PROFILE_NAMES.join(', ')}`);
  }
  return value as IsaProfileName;
}
