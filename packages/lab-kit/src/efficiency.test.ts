import { describe, expect, it } from 'vitest';
import { EMULATED_INSTRUCTIONS, directShare } from './efficiency.js';

describe('directShare', () => {
  it('is the share of guest instructions the hart retired itself', () => {
    expect(directShare({ instret: 999, [EMULATED_INSTRUCTIONS]: 1 })).toBe(0.999);
    expect(directShare({ instret: 0, [EMULATED_INSTRUCTIONS]: 5 })).toBe(0);
  });

  it('is undefined for a strategy that emulates nothing by count (native, bare) or a run with no instructions', () => {
    expect(directShare({ instret: 100 })).toBeUndefined();
    expect(directShare({ instret: 0, [EMULATED_INSTRUCTIONS]: 0 })).toBeUndefined();
  });
});
