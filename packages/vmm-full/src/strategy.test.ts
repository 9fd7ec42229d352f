import { describe, expect, it } from 'vitest';
import { isEngineSpecificCounter } from '@virtlab/emulator';
import { osWorkloads, workloadByName, workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { binaryTranslationStrategy, trapEmulateStrategy, vmmFull } from './strategy.js';

// vmm-full/trap-emulate holds to the contract on every workload of the compute suite, and on the
// OS suite (osbench, whose block_read_4k reads the VM's virtio-blk with DMA through its window).
describeStrategyConformance({ strategy: trapEmulateStrategy(), workloads: [...workloads, ...osWorkloads] });
// vmm-full/binary-translation too, on both ISA profiles (legacy's holes are sensitive forms it translates).
describeStrategyConformance({ strategy: binaryTranslationStrategy(), workloads: [...workloads, ...osWorkloads] });
describeStrategyConformance({ strategy: binaryTranslationStrategy({ profile: 'legacy' }), workloads: [...workloads, ...osWorkloads] });

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

  it('reads the VM\'s disk through virtio-blk: osbench\'s block reads are served, priced per MMIO exit', async () => {
    const report = await trapEmulateStrategy().run(osWorkloads[0]!, { size: 'test' });
    expect(report.stop).toBe('exit');
    expect(report.output).toMatch(/^@metric osbench\.block_read_4k \d+\.\d\d ticks\/op$/m);
    expect(report.counters['virtio-blk.reads'] ?? report.counters['vmm.exit.mmio']).toBeGreaterThan(0);
  }, 120_000);

  it('is one of the two strategies of the package the runner lists', () => {
    expect(vmmFull.name).toBe('@virtlab/vmm-full');
    expect(vmmFull.strategies({}).map((s) => s.name)).toEqual(['vmm-full/trap-emulate', 'vmm-full/binary-translation']);
  });
});
