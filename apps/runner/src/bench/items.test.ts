import { OSBENCH_ITEMS, osWorkloads } from '@virtlab/guest';
import { DEFAULT_CYCLES_PER_TICK } from '@virtlab/hw-model';
import type { Strategy } from '@virtlab/strategy';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeStrategy } from '@virtlab/baselines';
import { runCell } from './cell.js';
import { osItemsOf, parseItems } from './items.js';
import type { BenchRecord } from './record.js';

const osbench = osWorkloads.find((w) => w.name === 'osbench')!;

/** Operations per item at scale 1 (osbench.c: the loop counts its ordinary lines print). */
const OPS: Readonly<Record<string, number>> = {
  null_syscall: 20000,
  fork_exit_wait: 50,
  fork_execve: 20,
  pipe_roundtrip: 1000,
  page_fault: 256,
  mmap_munmap_16_pages: 100,
  file_write_4k: 64,
  file_read_4k: 64,
  block_read_4k: 64,
};

/** A lab strategy that answers with a fixed output, for judging cells. */
const fixed = (output: string): Strategy => ({
  name: 'fixed',
  view: 'lab',
  description: 'test double',
  counterNames: [],
  supports: () => true,
  run: (workload, { size }) =>
    Promise.resolve({ strategy: 'fixed', view: 'lab', workload: workload.name, size, output, exitCode: 0, stop: 'exit', labCycles: 1, counters: {} }),
});

describe('osbench items on the lab board (native, test size)', () => {
  let record: BenchRecord;
  let output = '';
  beforeAll(async () => {
    const native = nativeStrategy();
    output = (await native.run(osbench, { size: 'test' })).output;
    record = await runCell(native, osbench, { size: 'test', repeats: 1 });
  }, 60_000);

  it('is an equivalent run whose record carries every item in lab cycles per operation', () => {
    expect(record).toMatchObject({ status: 'ok', equivalent: true, strategy: 'native', workload: 'osbench' });
    expect(Object.keys(record.items ?? {})).toEqual([...OSBENCH_ITEMS]);
    expect(osItemsOf('osbench')).toEqual(OSBENCH_ITEMS);
    expect(osItemsOf('crc32')).toBeUndefined();
  });

  it("is each metric line's ticks per operation times the board's cycles per tick", () => {
    const lines = output.split('\n').filter((line) => line.startsWith('@metric osbench.'));
    expect(lines).toHaveLength(OSBENCH_ITEMS.length);
    for (const line of lines) {
      const [, metric, ticks] = line.split(' ');
      const item = metric!.slice('osbench.'.length);
      expect(record.items?.[item]).toBeCloseTo(Number(ticks) * DEFAULT_CYCLES_PER_TICK, 6);
    }
    // The lab runs lab cycles into mtime at hw-model's default ratio of 10 cycles per tick.
    expect(DEFAULT_CYCLES_PER_TICK).toBe(10);
  });

  it("adds up, item by item times its operations, to most of the run's own lab cycles and no more", () => {
    const measured = OSBENCH_ITEMS.reduce((sum, item) => sum + record.items![item]! * OPS[item]!, 0);
    const total = record.labCycles!;
    // The rest is boot, osbench's own checksums and printing, and the children's set-up.
    expect(measured).toBeLessThan(total);
    expect(measured).toBeGreaterThan(0.7 * total);
    // An item costs at least its own instructions: a system call is some hundred cycles, a fork+exec far more.
    expect(record.items!.null_syscall!).toBeGreaterThan(50);
    expect(record.items!.fork_execve!).toBeGreaterThan(10 * record.items!.null_syscall!);
  });

  it('names a missing, malformed, unknown or repeated metric line instead of giving NaN', () => {
    const without = output.replace(/^@metric osbench\.fork_execve .*\n/m, '');
    expect(parseItems(without, 'osbench', OSBENCH_ITEMS)).toEqual({ error: 'no @metric osbench.<item> line for fork_execve' });
    const malformed = output.replace(/^@metric osbench\.page_fault .*$/m, '@metric osbench.page_fault 12 ticks');
    expect(parseItems(malformed, 'osbench', OSBENCH_ITEMS)).toEqual({
      error: `malformed metric line "@metric osbench.page_fault 12 ticks" (want '@metric osbench.<item> N.NN ticks/op')`,
    });
    expect(parseItems(`${output}@metric osbench.yield 1.00 ticks/op\n`, 'osbench', OSBENCH_ITEMS)).toEqual({
      error: 'unknown item \'yield\' in "@metric osbench.yield 1.00 ticks/op"',
    });
    expect(parseItems(`${output}@metric osbench.null_syscall 1.00 ticks/op\n`, 'osbench', OSBENCH_ITEMS)).toEqual({
      error: "item 'null_syscall' reported twice",
    });
    expect(parseItems('@metric osbench.null_syscall 25.53 ticks/op\n', 'osbench', ['null_syscall'], 10)).toEqual({ items: { null_syscall: 255.3 } });
  });

  it('fails the cell, with the reason, when an item is missing from an otherwise equivalent output', async () => {
    const without = output.replace(/^@metric osbench\.block_read_4k .*\n/m, '');
    const r = await runCell(fixed(without), osbench, { size: 'test', repeats: 1 });
    expect(r).toMatchObject({ status: 'failed', equivalent: true, error: 'osbench: no @metric osbench.<item> line for block_read_4k' });
    expect(r.items).toBeUndefined();
  });
});
