import { workloads } from '@virtlab/guest';
import type { RunReport, Strategy } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { runCell } from './cell.js';

const crc32 = workloads.find((w) => w.name === 'crc32')!;
const reference = crc32.reference.test!;

/** A host-view strategy that answers with a fixed report (or throws), for judging cells. */
function fake(name: string, answer: (call: number) => Partial<RunReport> | Error): Strategy {
  let calls = 0;
  return {
    name,
    view: 'host',
    description: 'test double',
    counterNames: [],
    supports: () => true,
    run(workload, { size }) {
      const a = answer(++calls);
      if (a instanceof Error) return Promise.reject(a);
      return Promise.resolve({
        strategy: name, view: 'host', workload: workload.name, size, output: reference, exitCode: 0, stop: 'exit', hostMs: 10, counters: {}, ...a,
      });
    },
  };
}

describe('runCell', () => {
  it('reports the median of the repeats and marks an equivalent run', async () => {
    const times = [30, 10, 20];
    const r = await runCell(fake('ok', (i) => ({ hostMs: times[i - 1]! })), crc32, { size: 'test', repeats: 3 });
    expect(r).toMatchObject({ status: 'ok', equivalent: true, hostMs: 20, hostRunsMs: [30, 10, 20], engine: 'ok' });
  });

  it('stops repeating once the repeat budget is spent', async () => {
    const r = await runCell(fake('slow', () => ({ hostMs: 1500 })), crc32, { size: 'test', repeats: 3, repeatBudgetMs: 2000 });
    expect(r.hostRunsMs).toEqual([1500, 1500]);
  });

  it('names the first differing line of a wrong output', async () => {
    const wrong = reference.replace('cbf43926', 'cbf43927');
    const r = await runCell(fake('wrong', () => ({ output: wrong })), crc32, { size: 'test', repeats: 1 });
    expect(r.status).toBe('ok');
    expect(r.equivalent).toBe(false);
    expect(r.difference).toBe(`line 1: expected "crc32(\\"123456789\\") = cbf43926", got "crc32(\\"123456789\\") = cbf43927"`);
  });

  it('reports a wrong exit status as not equivalent', async () => {
    const r = await runCell(fake('status', () => ({ exitCode: 3 })), crc32, { size: 'test', repeats: 1 });
    expect(r.equivalent).toBe(false);
    expect(r.difference).toBe('exit status 3, expected 0');
  });

  it('turns a strategy that throws into a failed cell instead of an exception', async () => {
    const r = await runCell(fake('broken', () => new TypeError('boom')), crc32, { size: 'test', repeats: 3 });
    expect(r).toMatchObject({ status: 'failed', equivalent: false, error: 'TypeError: boom' });
  });

  it('marks a guest that ran out of budget as failed', async () => {
    const r = await runCell(fake('runaway', () => ({ stop: 'budget', exitCode: -1, output: '' })), crc32, { size: 'test', repeats: 3 });
    expect(r).toMatchObject({ status: 'failed', equivalent: false, stop: 'budget', error: 'guest stopped early (budget)' });
    expect(r.hostRunsMs).toHaveLength(1);
  });

  it('gives a lab record the share of instructions run directly when the strategy counts emulated ones', async () => {
    const lab = (counters: Record<string, number>): Strategy => ({ ...fake('hv', () => ({ view: 'lab', counters, labCycles: 1 })), view: 'lab' });
    const hv = await runCell(lab({ instret: 9_990, 'vmm.emulated_instructions': 10 }), crc32, { size: 'test', repeats: 1 });
    expect(hv.directShare).toBe(0.999);
    const native = await runCell(lab({ instret: 9_990 }), crc32, { size: 'test', repeats: 1 });
    expect(native.directShare).toBeUndefined();
  });
});
