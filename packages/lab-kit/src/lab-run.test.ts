import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { workloadByName } from '@virtlab/guest';
import { bootBareElf, costModel, createVirtBoard, type CostModel } from '@virtlab/hw-model';
import { imageFor, stripMetricLines } from '@virtlab/strategy';
import { LabRunError, runOnBoard, type RunOnBoardOptions } from './lab-run.js';

const crc32 = imageFor(workloadByName('crc32'), 'rv32-bare', 'test')!;

const elf = await readFile(crc32.path);

function runBare(options: RunOnBoardOptions, cost?: CostModel) {
  const board = createVirtBoard(cost === undefined ? {} : { cost });
  const { state } = bootBareElf(board, elf);
  return runOnBoard(board, state, options);
}

describe('runOnBoard', () => {
  it('gives the same lab cycles, counters and output whatever the chunk size, on either engine', async () => {
    const whole = await runBare({});
    expect(whole.stop).toBe('exit');
    expect(stripMetricLines(whole.output)).toBe(stripMetricLines(workloadByName('crc32').reference.test!));
    for (const options of [{ chunkSteps: 65536 }, { chunkSteps: 65536 * 3, engine: 'dbt' as const }]) {
      const chunked = await runBare(options);
      expect(chunked.labCycles).toBe(whole.labCycles);
      expect(chunked.instructions).toBe(whole.instructions);
      expect(chunked.output).toBe(whole.output);
      const { ...lab } = chunked.counters;
      for (const name of Object.keys(lab)) if (name.startsWith('dbt.') || name.startsWith('predecode.')) delete lab[name];
      for (const [name, value] of Object.entries(lab)) expect([name, value]).toEqual([name, whole.counters[name]]);
    }
  });

  it('stops at the budget', async () => {
    const run = await runBare({ maxInstructions: 100_000, chunkSteps: 65536 });
    expect(run.stop).toBe('budget');
    expect(run.exitCode).toBe(-1);
    expect(run.instructions).toBeGreaterThan(90_000);
    expect(run.instructions).toBeLessThanOrEqual(100_000);
  });

  it('stops at the next chunk once the signal is aborted', async () => {
    const before = new AbortController();
    before.abort();
    const none = await runBare({ signal: before.signal });
    expect(none.stop).toBe('aborted');
    expect(none.instructions).toBe(0);

    const during = new AbortController();
    setImmediate(() => during.abort());
    const some = await runBare({ signal: during.signal, chunkSteps: 65536 });
    expect(some.stop).toBe('aborted');
    expect(some.instructions).toBe(65536);
  });

  it('refuses a chunk size that would move the slice boundaries, and a bad budget', async () => {
    await expect(runBare({ chunkSteps: 1000 })).rejects.toThrow(LabRunError);
    await expect(runBare({ maxInstructions: -1 })).rejects.toThrow(/maxInstructions must be a non-negative integer, got -1/);
  });

  it('prices what the board is built with: an MMIO access costs what the model says', async () => {
    const base = await runBare({});
    const dearer = await runBare({}, costModel({ mmioAccess: 20 + 7 }));
    // mmio.accesses is the hart's total; mmio.<device> the bus's count for each device.
    const mmio = base.counters['mmio.accesses']!;
    expect(mmio).toBe(Object.entries(base.counters).reduce((n, [name, v]) => (name.startsWith('mmio.') && name !== 'mmio.accesses' ? n + v : n), 0));
    expect(mmio).toBeGreaterThan(0);
    expect(dearer.instructions).toBe(base.instructions);
    expect(dearer.labCycles - base.labCycles).toBe(7 * mmio);
  });
});
