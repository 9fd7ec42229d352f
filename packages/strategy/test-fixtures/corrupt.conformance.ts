// Run by kit-failure.test.ts in a child vitest: the kit applied to a strategy that flips one byte.
import { describeStrategyConformance } from '../src/conformance.js';
import { toyStrategy } from '../src/test-support/toy-strategy.js';
import { toyWorkloads } from '../src/test-support/toy-workloads.js';

describeStrategyConformance({ strategy: toyStrategy({ name: 'toy-corrupt', corruptOutput: true }), workloads: toyWorkloads });
