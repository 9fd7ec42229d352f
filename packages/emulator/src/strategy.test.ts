// The host-view `emulator` strategy through the strategy conformance kit: reference output of
// every workload, complete reports, determinism, a typed error for what it cannot run.
import { workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { emulatorStrategy } from './strategy.js';

describeStrategyConformance({ strategy: emulatorStrategy('dbt'), workloads, timeout: 120_000 });
