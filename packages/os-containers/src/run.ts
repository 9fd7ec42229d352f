import { guestImage } from '@virtlab/guest';
import { DEFAULT_CYCLES_PER_TICK, type CostModel } from '@virtlab/hw-model';
import { runOnBoard, type LabRun, type RunOnBoardOptions } from '@virtlab/lab-kit';
import { parseMetricLines } from '@virtlab/strategy';
import { jailBoard } from './boot.js';
import { GuestJailError } from './errors.js';
import type { JailSet } from './model.js';

/** Per-jail accounting the daemon reports when the primary runs are done (kernel jail_get). */
export interface JailAccounting {
  /** CPU time of the jail's processes, in lab cycles (time CSR ticks × the board's cycles per tick). */
  readonly cpuLabCycles: number;
  readonly memoryPeakPages: number;
  readonly forks: number;
  /** Requests its limits refused. */
  readonly denied: number;
  /** Scheduling passes its CPU cap skipped it. */
  readonly throttled: number;
}

export interface JailedRun extends LabRun {
  readonly accounting: ReadonlyMap<string, JailAccounting>;
  /** Each run's wall time inside the guest, in lab cycles, in configuration order. */
  readonly elapsedLabCycles: readonly number[];
  /** Zone lifecycle as the daemon reported it: zone → [state, lab cycle] in order. */
  readonly lifecycle: ReadonlyMap<string, readonly (readonly [string, number])[]>;
}

/** The guest programs a jail set may name, by path: the daemon, the initrd's own programs and the workload images. */
export function programFiles(extra: Readonly<Record<string, string>> = {}): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of ['zoned', 'true', 'jattack', 'osbench']) files.set(`/bin/${name}`, guestImage(`kernel/bin/${name}.elf`));
  for (const [path, file] of Object.entries(extra)) files.set(path, file);
  return files;
}

/** Boot the jail set on the lab board, run it to power-off and collect what the daemon reported. */
export async function runJailSet(
  set: JailSet,
  programs: ReadonlyMap<string, string>,
  options: { cost: CostModel; disk?: string; run: RunOnBoardOptions },
): Promise<JailedRun> {
  for (const run of set.runs) {
    const program = run.argv[0] ?? '';
    if (!programs.has(program)) {
      throw new GuestJailError(`jail '${set.jails[run.jail]?.fullName ?? run.jail}' runs ${program}, which is not among the programs given (${[...programs.keys()].join(', ')})`);
    }
  }
  const { board, state } = await jailBoard(set, programs, { cost: options.cost, ...(options.disk === undefined ? {} : { disk: options.disk }) });
  const result = await runOnBoard(board, state, options.run);
  const accounting = new Map<string, Record<string, number>>();
  const elapsed: number[] = [];
  const lifecycle = new Map<string, [string, number][]>();
  for (const { name, value } of parseMetricLines(result.output)) {
    const parts = name.split('.');
    if (parts[0] === 'jail' && parts.length === 3) {
      const entry = accounting.get(parts[1] as string) ?? {};
      entry[parts[2] as string] = value;
      accounting.set(parts[1] as string, entry);
    } else if (parts[0] === 'run' && parts[2] === 'elapsed') {
      elapsed[Number(parts[1])] = value * DEFAULT_CYCLES_PER_TICK;
    } else if (parts[0] === 'zone' && parts.length === 3) {
      const states = lifecycle.get(parts[1] as string) ?? [];
      states.push([parts[2] as string, value * DEFAULT_CYCLES_PER_TICK]);
      lifecycle.set(parts[1] as string, states);
    }
  }
  const toAccounting = (m: Record<string, number>): JailAccounting => ({
    cpuLabCycles: (m.cpu ?? 0) * DEFAULT_CYCLES_PER_TICK,
    memoryPeakPages: m.memory_peak ?? 0,
    forks: m.forks ?? 0,
    denied: m.denied ?? 0,
    throttled: m.throttled ?? 0,
  });
  return {
    ...result,
    accounting: new Map([...accounting].map(([name, m]) => [name, toAccounting(m)])),
    elapsedLabCycles: elapsed,
    lifecycle,
  };
}
