import type { FuzzTarget } from '../engine.js';
import { langVmTarget } from './lang-vm.js';
import { benchJsonTarget, costModelTarget, cpioTarget, elfTarget, fdtTarget } from './loaders.js';

/** Every fuzz target, in the order `pnpm fuzz` runs them. */
export const TARGETS: readonly FuzzTarget[] = [elfTarget, fdtTarget, cpioTarget, benchJsonTarget, costModelTarget, langVmTarget];

export function targetByName(name: string): FuzzTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined) throw new Error(`unknown fuzz target '${name}'; known: ${TARGETS.map((x) => x.name).join(', ')}`);
  return t;
}
