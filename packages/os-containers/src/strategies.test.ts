import { osWorkloads, workloadByName, workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { describe, expect, it } from 'vitest';
import { jailStrategy, zoneStrategy } from './strategies.js';

// Every compute workload and osbench give native's output (the catalog reference) inside a jail
// and inside a capped zone, deterministically, on the interpreter; osbench also on the translator.
describeStrategyConformance({ strategy: jailStrategy(), workloads: [...workloads, ...osWorkloads] });
describeStrategyConformance({ strategy: zoneStrategy(), workloads: [...workloads, ...osWorkloads] });
describeStrategyConformance({ strategy: jailStrategy({ engine: 'dbt' }), workloads: [workloadByName('sha256'), ...osWorkloads] });
describeStrategyConformance({ strategy: zoneStrategy({ engine: 'dbt' }), workloads: [workloadByName('sha256'), ...osWorkloads] });

describe('the lab view is the same on both engines', () => {
  for (const make of [jailStrategy, zoneStrategy]) {
    it(`${make().name}: osbench gives the same lab cycles and instructions under interp and dbt`, { timeout: 120_000 }, async () => {
      const [a, b] = await Promise.all([make({ engine: 'interp' }), make({ engine: 'dbt' })].map((s) => s.run(osWorkloads[0]!, { size: 'test' })));
      expect(a?.labCycles).toBe(b?.labCycles);
      expect(a?.instructions).toBe(b?.instructions);
    });
  }
});
