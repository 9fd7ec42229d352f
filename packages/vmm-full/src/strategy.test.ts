import { describe, expect, it } from 'vitest';
import { isEngineSpecificCounter } from '@virtlab/emulator';
import { workloadByName, workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { trapEmulateStrategy, vmmFull } from './strategy.js';

// vmm-full/trap-emulate holds to the contract on every workload of the compute suite.
describeStrategyConformance({ strategy: trapEmulateStrategy(), workloads });

describe('vmm-full/trap-emulate', () => {
  it('gives the same lab cycles and counters on the interpreter and the translator', async () => {
    const sieve = workloadByName('sieve');
    const a = await trapEmulateStrategy({ engine: 'interp' }).run(sieve, { size: 'test' });
    const b = await trapEmulateStrategy({ engine: 'dbt' }).run(sieve, { size: 'test' });
    const lab = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([k]) => !isEngineSpecificCounter(k)));
    expect(b.output).toBe(a.output);
    expect(b.labCycles).toBe(a.labCycles);
    expect(lab(b.counters)).toEqual(lab(a.counters));
  }, 60_000);

  it('is one strategy of the package the runner lists', () => {
    expect(vmmFull.name).toBe('@virtlab/vmm-full');
    expect(vmmFull.strategies({}).map((s) => s.name)).toEqual(['vmm-full/trap-emulate']);
  });
});
