import type { Command } from 'commander';
import type { CostModel } from '@virtlab/hw-model';
import { COST_PRESET_NAMES, ISA_PROFILE_NAMES, parseProfile, resolveCostModel, type IsaProfileName } from '@virtlab/lab-kit';
import { WORKLOAD_SIZES, type WorkloadSize } from '@virtlab/strategy';

export function parseSize(value: string): WorkloadSize {
  if (!(WORKLOAD_SIZES as readonly string[]).includes(value)) {
    throw new Error(`unknown size '${value}'; known: ${WORKLOAD_SIZES.join(', ')}`);
  }
  return value as WorkloadSize;
}

/** `--max-instructions`: a non-negative integer (`_` separators allowed), else an error naming the flag. */
export function parseCount(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new Error(`--max-instructions wants a non-negative integer, got '${value}'`);
  return n;
}

export function parseEngine(value: string): 'interp' | 'dbt' {
  if (value !== 'interp' && value !== 'dbt') throw new Error(`--engine wants interp or dbt, got '${value}'`);
  return value;
}

/** A `--cost-model` value: the name it was given by and the model it resolves to. */
export interface CostModelFlag {
  readonly spec: string;
  readonly model: CostModel;
}

export function parseCostModel(value: string): CostModelFlag {
  return { spec: value, model: resolveCostModel(value) };
}

/** The flags every command that runs the lab board takes: engine, ISA profile, cost model. */
export interface LabFlags {
  engine?: 'interp' | 'dbt';
  profile?: IsaProfileName;
  costModel?: CostModelFlag;
}

export function addLabFlags(command: Command, engineHelp = 'what runs the hart: interp (default) or dbt; lab cycles and counters do not change'): Command {
  return command
    .option('--engine <kind>', engineHelp, parseEngine)
    .option('--profile <name>', `ISA profile of the hart: ${ISA_PROFILE_NAMES.join(' (default) or ')}`, parseProfile)
    .option('--cost-model <name|file.json>', `the price table: a preset (${COST_PRESET_NAMES.join(', ')}) or a JSON file of prices`, parseCostModel);
}

/** The plain lab options (for strategies and worker threads) the flags ask for. */
export function labOptionsOf(flags: LabFlags): { engine?: 'interp' | 'dbt'; profile?: IsaProfileName; costModel?: CostModel } {
  return {
    ...(flags.engine === undefined ? {} : { engine: flags.engine }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.costModel === undefined ? {} : { costModel: flags.costModel.model }),
  };
}
