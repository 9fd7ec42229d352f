import { workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { bareStrategy } from './bare.js';
import { nativeStrategy } from './native.js';

// The lab-view baselines hold to the contract on every workload of the compute suite.
describeStrategyConformance({ strategy: bareStrategy(), workloads });
describeStrategyConformance({ strategy: nativeStrategy(), workloads });
