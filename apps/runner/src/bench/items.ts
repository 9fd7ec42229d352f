import { OS_WORKLOAD_ITEMS } from '@virtlab/guest';
import { DEFAULT_CYCLES_PER_TICK } from '@virtlab/hw-model';

/** The items an OS workload reports per operation (osbench's nine), or undefined for a compute workload. */
export function osItemsOf(workload: string): readonly string[] | undefined {
  return OS_WORKLOAD_ITEMS.get(workload);
}

export type ItemsParse = { readonly items: Readonly<Record<string, number>> } | { readonly error: string };

const METRIC = /^@metric (\S+) (\d+)\.(\d\d) ticks\/op$/;

/**
 * The items of an OS workload's output in lab cycles per operation: each `@metric
 * <workload>.<item> N.NN ticks/op` line (mtime ticks from the `time` CSR) times the board's lab
 * cycles per tick (hw-model's LabClock; the lab board runs at the default ratio). Exactly one line
 * per expected item: a malformed, unknown, repeated or missing line is an error naming it.
 */
export function parseItems(
  output: string,
  workload: string,
  names: readonly string[],
  cyclesPerTick = DEFAULT_CYCLES_PER_TICK,
): ItemsParse {
  const prefix = `${workload}.`;
  const items: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!line.startsWith(`@metric ${prefix}`)) continue;
    const match = METRIC.exec(line);
    const name = match?.[1]?.slice(prefix.length);
    if (match === null || name === undefined) return { error: `malformed metric line ${JSON.stringify(line)} (want '@metric ${prefix}<item> N.NN ticks/op')` };
    if (!names.includes(name)) return { error: `unknown item '${name}' in ${JSON.stringify(line)}` };
    if (name in items) return { error: `item '${name}' reported twice` };
    // Hundredths of a tick as an integer, so 25.53 ticks gives 255.3 cycles, not 255.29999.
    const centiTicks = Number(match[2]) * 100 + Number(match[3]);
    items[name] = (centiTicks * cyclesPerTick) / 100;
  }
  const missing = names.filter((name) => !(name in items));
  if (missing.length > 0) return { error: `no @metric ${prefix}<item> line for ${missing.join(', ')}` };
  return { items: Object.fromEntries(names.map((name) => [name, items[name]!])) };
}
