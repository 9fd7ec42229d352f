import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { osWorkloads, workloadByName, workloads } from '@virtlab/guest';
import { resolveCostModel } from '@virtlab/lab-kit';
import { bareStrategy } from './bare.js';
import { nativeStrategy } from './native.js';

// The committed bench run (docs/results.json, made before native and bare left the runner) is the
// reference: the move, and the engine a strategy runs on, change no lab cycle and no counter.
interface CommittedRecord {
  view: string;
  strategy?: string;
  workload: string;
  size: string;
  labCycles?: number;
  instructions?: number;
  counters: Record<string, number>;
}
const committed = (JSON.parse(readFileSync(new URL('../../../docs/results.json', import.meta.url), 'utf8')) as { records: CommittedRecord[] }).records.filter(
  (r) => r.view === 'lab' && r.size === 'test' && (r.strategy === 'native' || r.strategy === 'bare'),
);
const byName = (name: string) => [...workloads, ...osWorkloads].find((w) => w.name === name) ?? workloadByName(name);
const engineOnly = (name: string) => name.startsWith('dbt.') || name.startsWith('predecode.');

describe('native and bare give the committed lab figures', () => {
  it('has records to compare with', () => expect(committed.length).toBeGreaterThanOrEqual(20));
  for (const engine of ['interp', 'dbt'] as const) {
    const strategies = { native: nativeStrategy({ engine }), bare: bareStrategy({ engine }) };
    describe.concurrent(engine, () => {
      for (const record of committed) {
        it(`${record.strategy} × ${record.workload}`, async () => {
          const report = await strategies[record.strategy as 'native' | 'bare'].run(byName(record.workload), { size: 'test' });
          expect(report.labCycles).toBe(record.labCycles);
          expect(report.instructions).toBe(record.instructions);
          for (const [name, value] of Object.entries(record.counters)) {
            if (!engineOnly(name)) expect([name, report.counters[name]]).toEqual([name, value]);
          }
        });
      }
    });
  }
});

describe('a cost-model preset changes the priced events and nothing else', () => {
  it('native, which charges no strategy event, costs the same under vtx-2006 and modern as under default', async () => {
    const workload = workloadByName('sieve');
    const cycles = async (preset: string) => (await nativeStrategy({ costModel: resolveCostModel(preset) }).run(workload, { size: 'test' })).labCycles;
    const base = await cycles('default');
    expect(await cycles('vtx-2006')).toBe(base);
    expect(await cycles('modern')).toBe(base);
  });
});
