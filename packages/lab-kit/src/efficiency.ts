/**
 * Popek and Goldberg's efficiency property, measured: the share of guest instructions the hart
 * executed directly, without the strategy's intervention ("a statistically dominant subset of
 * the virtual processor's instructions be executed directly by the real processor", 1974).
 *
 * A strategy that completes guest instructions itself (a hypervisor emulating a trapped CSR
 * access, sret or device load) counts them in its report as `EMULATED_INSTRUCTIONS`; the hart's
 * `instret` counts the ones it retired itself.
 */
import type { Counters } from '@virtlab/strategy';

export const EMULATED_INSTRUCTIONS = 'vmm.emulated_instructions';

/** instret / (instret + emulated), or undefined when the report does not count emulated instructions. */
export function directShare(counters: Counters): number | undefined {
  const emulated = counters[EMULATED_INSTRUCTIONS];
  const direct = counters.instret;
  if (emulated === undefined || direct === undefined || direct + emulated === 0) return undefined;
  return direct / (direct + emulated);
}
