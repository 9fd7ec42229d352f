// `@virtlab/strategy/conformance`: kept apart from the main entry so that only test code imports vitest.
export { describeStrategyConformance } from './conformance.js';
export type { ConformanceOptions } from './conformance.js';
