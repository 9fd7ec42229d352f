/**
 * The `emulator` strategy of the host view (ARCHITECTURE.md, "Strategies"): the rv32-bare image of
 * a workload on the whole emulated board, run by the translator and timed by the host clock.
 */
import { readFile } from 'node:fs/promises';
import { UnsupportedWorkloadError, imageFor } from '@virtlab/strategy';
import type { RunReport, StopReason, Strategy } from '@virtlab/strategy';
import { createEmulator } from './emulator.js';
import type { EngineKind } from './engine.js';

/** Budget when the caller gives none: far above a bench-size workload (about 10^9 instructions). */
const DEFAULT_BUDGET = 20_000_000_000;

/** A host-view strategy running rv32-bare images on the emulated board with `engine`. */
export function emulatorStrategy(engine: EngineKind = 'dbt'): Strategy {
  const name = engine === 'dbt' ? 'emulator' : `emulator-${engine}`;
  return {
    name,
    view: 'host',
    description: engine === 'dbt'
      ? 'full-system emulator: RV32 blocks translated to JavaScript (rv32-bare images)'
      : 'full-system emulator on the cpu-core interpreter (rv32-bare images)',
    counterNames: ['instret', 'dbt.blocks_translated', 'dbt.chain_hits', 'dbt.peak_blocks'],
    supports: (workload, size) => imageFor(workload, 'rv32-bare', size) !== undefined,
    async run(workload, options): Promise<RunReport> {
      const image = imageFor(workload, 'rv32-bare', options.size);
      if (image === undefined) throw new UnsupportedWorkloadError(name, workload.name, `no 'rv32-bare' image at size ${options.size}`);
      const elf = await readFile(image.path);
      const emu = createEmulator({ engine });
      emu.loadBareElf(elf);
      const start = performance.now();
      const r = emu.run({
        maxInstructions: options.maxInstructions ?? DEFAULT_BUDGET,
        sliceSteps: 1 << 22,
        onSlice: () => options.signal?.aborted !== true,
      });
      const hostMs = performance.now() - start;
      const aborted = options.signal?.aborted === true;
      const stop: StopReason = aborted ? 'aborted' : r.exit.kind === 'poweroff' ? 'exit' : r.exit.kind === 'budget' ? 'budget' : 'fault';
      const ec = emu.engine.engineCounters();
      return {
        strategy: name,
        view: 'host',
        workload: workload.name,
        size: options.size,
        output: Buffer.from(r.output).toString('latin1'),
        exitCode: r.exit.kind === 'poweroff' ? r.exit.exitCode : -1,
        stop,
        hostMs,
        instructions: r.instructions,
        counters: {
          instret: r.instructions,
          'dbt.blocks_translated': ec['dbt.blocks_translated'] ?? 0,
          'dbt.chain_hits': ec['dbt.chain_hits'] ?? 0,
          'dbt.peak_blocks': ec['dbt.peak_blocks'] ?? 0,
        },
      };
    },
  };
}
