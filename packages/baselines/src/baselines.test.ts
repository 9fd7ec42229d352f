import { osWorkloads, workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { describe, expect, it } from 'vitest';
import { bareStrategy } from './bare.js';
import { nativeStrategy } from './native.js';

// The lab-view baselines hold to the contract on every workload of the compute suite; native also
// on the OS suite (osbench, with its disk attached), which bare cannot run: it has no guest kernel.
describeStrategyConformance({ strategy: bareStrategy(), workloads });
describeStrategyConformance({ strategy: nativeStrategy(), workloads: [...workloads, ...osWorkloads] });

describe('the OS suite under bare', () => {
  it('is not claimed and is refused with the reason', async () => {
    const bare = bareStrategy();
    for (const workload of osWorkloads) {
      expect(bare.supports(workload, 'test')).toBe(false);
      await expect(bare.run(workload, { size: 'test' })).rejects.toThrow(/no 'rv32-bare' image at size test/);
    }
  });
});
