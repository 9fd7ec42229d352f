import { baselines } from '@virtlab/baselines';
import type { StrategyPackage } from '@virtlab/lab-kit';
import { osContainers } from '@virtlab/os-containers';
import { vmmFull } from '@virtlab/vmm-full';
import { vmmPara } from '@virtlab/vmm-para';

/**
 * Every lab-view strategy package the runner composes, in the order the tables show them. Each
 * builds its strategies from plain options, so bench worker threads rebuild the same set; adding
 * a package is one line here (and one dependency in package.json).
 */
export const STRATEGY_PACKAGES: readonly StrategyPackage[] = [baselines, vmmFull, vmmPara, osContainers];
