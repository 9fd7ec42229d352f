import { workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { describe, expect, it } from 'vitest';
import { langVmStrategy } from './strategy.js';

describeStrategyConformance({ strategy: langVmStrategy, workloads });

describe('lang-vm strategy limits', () => {
  it('stops at the instruction budget with stop: budget', async () => {
    const w = workloads[0];
    if (w === undefined) throw new Error('no workloads in the guest catalog');
    const r = await langVmStrategy.run(w, { size: 'test', maxInstructions: 1000 });
    expect(r.stop).toBe('budget');
    expect(r.instructions).toBeGreaterThanOrEqual(1000);
  });
  it('honours an abort signal', async () => {
    const w = workloads[0];
    if (w === undefined) throw new Error('no workloads in the guest catalog');
    const c = new AbortController();
    c.abort();
    const r = await langVmStrategy.run(w, { size: 'test', signal: c.signal });
    expect(r.stop).toBe('aborted');
    expect(r.output).toBe('');
  });
});
