// Public entry of @virtlab/baselines: the lab view's `native` and `bare` strategies.
import type { StrategyPackage } from '@virtlab/lab-kit';
import { bareStrategy } from './bare.js';
import { nativeStrategy } from './native.js';

export { bareStrategy } from './bare.js';
export { nativeStrategy } from './native.js';

/** The baselines for the runner's list: `native` first (every lab ratio is taken against it), then `bare`. */
export const baselines: StrategyPackage = {
  name: '@virtlab/baselines',
  strategies: (options) => [nativeStrategy(options), bareStrategy(options)],
};
