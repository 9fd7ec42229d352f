import { describe, expect, it } from 'vitest';
import { isEngineSpecificCounter } from '@virtlab/emulator';
import { osWorkloads, workloadByName, workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { paraStrategy, vmmPara } from './strategy.js';

// vmm-para holds to the contract on every workload of the compute suite and on the OS suite
// (osbench, whose block_read_4k reads the domain's disk through the block ring).
describeStrategyConformance({ strategy: paraStrategy(), workloads: [...workloads, ...osWorkloads] });

describe('vmm-para', () => {
  it('gives the same lab cycles and counters on the interpreter and the translator', async () => {
    const sieve = workloadByName('sieve');
    const a = await paraStrategy({ engine: 'interp' }).run(sieve, { size: 'test' });
    const b = await paraStrategy({ engine: 'dbt' }).run(sieve, { size: 'test' });
    const lab = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([k]) => !isEngineSpecificCounter(k)));
    expect(b.output).toBe(a.output);
    expect(b.labCycles).toBe(a.labCycles);
    expect(lab(b.counters)).toEqual(lab(a.counters));
  }, 60_000);

  it('runs osbench with its block reads through the ring, its page tables updated only by validated hypercalls', async () => {
    const report = await paraStrategy().run(osWorkloads[0]!, { size: 'test' });
    expect(report.stop).toBe('exit');
    expect(report.output).toMatch(/^@metric osbench\.block_read_4k \d+\.\d\d ticks\/op$/m);
    const c = report.counters;
    expect(c['para.block.reads']).toBeGreaterThan(0);
    expect(c['para.block.refused']).toBe(0);
    expect(c['para.paging.refused']).toBe(0);
    expect(c['para.paging.pteUpdates']).toBeGreaterThan(0);
    expect(c['para.stray_traps']).toBe(0);
    // munmap's batch point: several PTE updates go out in one mmu_update inside one multicall.
    expect(c['para.paging.pteUpdates']).toBeGreaterThan(c['para.hc.mmu_update']!);
  }, 120_000);

  it('is one strategy of the package the runner lists', () => {
    expect(vmmPara.name).toBe('@virtlab/vmm-para');
    expect(vmmPara.strategies({}).map((s) => s.name)).toEqual(['vmm-para']);
  });
});
