export type {
  Counters,
  RunOptions,
  RunReport,
  StopReason,
  Strategy,
  View,
  Workload,
  WorkloadImage,
  WorkloadSize,
} from './types.js';
export { WORKLOAD_SIZES } from './types.js';
export { DuplicateNameError, StrategyError, UnknownNameError, UnsupportedWorkloadError } from './errors.js';
export {
  METRIC_PREFIX,
  describeDifference,
  firstDifference,
  outputsEquivalent,
  parseMetricLines,
  stripMetricLines,
} from './equivalence.js';
export type { MetricLine, OutputDifference } from './equivalence.js';
export { NamedSet, Registry } from './registry.js';
export { checkReport, imageFor, validateCounters } from './report.js';
export {
  ConformanceError,
  assertComplete,
  assertDeterministic,
  assertEquivalent,
  assertRejectsUnsupported,
  unsupportableWorkload,
} from './checks.js';
