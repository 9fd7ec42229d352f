/**
 * An execution engine for a cpu-core hart on a platform: the interpreter (`Hart.run` itself) or
 * the translator (`DbtEngine`). Both have the shape hw-model's `runMachine` drives
 * (`RunnableHart`), the same lab counters, and the same `run(maxInstructions)` contract.
 */
import type { Hart, HartOptions, RunResult } from '@virtlab/cpu-core';
import type { HartPlatform } from '@virtlab/hw-model';
import { DbtEngine } from './dbt-engine.js';
import type { DbtOptions } from './dbt-engine.js';
import { HartEngine } from './hart-engine.js';

export type EngineKind = 'interp' | 'dbt';
export const ENGINE_KINDS: readonly EngineKind[] = ['interp', 'dbt'];

export interface Engine {
  readonly kind: EngineKind;
  /** The hart whose state the engine runs (registers, CSRs, TLB, PMP, monitor port). */
  readonly hart: Hart;
  pc: number;
  priv: 0 | 1 | 3;
  readonly regs: Int32Array;
  /** Runs at most `maxInstructions` steps (instructions and trap entries), as `Hart.run`. */
  run(maxInstructions: number): RunResult;
  /** Lab counters: instret, cycles, class.*, trap.*, irq.*, tlb.*, ... (the interpreter's names). */
  counters(): Record<string, number>;
  /** The engine's own counters (translator statistics); empty for the interpreter. */
  engineCounters(): Record<string, number>;
}

export class EngineError extends Error {
  override name = 'EngineError';
}

class InterpreterEngine extends HartEngine implements Engine {
  readonly kind = 'interp';

  run(maxInstructions: number): RunResult {
    return this.hart.run(maxInstructions);
  }

  counters(): Record<string, number> {
    return this.hart.counters();
  }

  engineCounters(): Record<string, number> {
    return {};
  }
}

export type EngineOptions = HartOptions & DbtOptions;

/** An engine of `kind` with a new hart on `platform`. */
/** `kind` may come from a command line: anything but `interp` or `dbt` is an `EngineError`. */
export function createEngine(kind: string, platform: HartPlatform, options: EngineOptions = {}): Engine {
  if (kind === 'interp') return new InterpreterEngine(platform, options);
  if (kind === 'dbt') {
    return new DbtEngine(platform, options);
  }
  throw new EngineError(`unknown engine '${kind}': expected one of ${ENGINE_KINDS.join(', ')}`);
}

/** Counters that belong to an engine's machinery, not to the lab: left out when engines are compared. */
export function isEngineSpecificCounter(name: string): boolean {
  return name.startsWith('predecode.') || name.startsWith('dbt.');
}
