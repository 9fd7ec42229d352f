import { DEFAULT_COST_MODEL, costModel } from '@virtlab/hw-model';
import { describe, expect, it } from 'vitest';
import { Hart, HartError } from './hart.js';
import { MiniPlatform } from './mini-platform.js';
import { runToExit } from './test/harness.js';

describe('counters and the cost model', () => {
  it('counts instructions by class and charges lab cycles by the cost model', () => {
    const m = runToExit(`
      li a0, 3
      li s0, 0x80080000
    loop:
      addi a0, a0, -1
      bne a0, zero, loop
      mul a1, a0, a0
      lw a2, 0(s0)
    `);
    const c = m.hart.counters();
    // li x2 = 4 ALU, 3 addi, EXIT's li x2 = 4 ALU; 3 bne (2 taken); 1 mul; 1 lw; EXIT's sw to the finisher.
    expect([c['class.alu'], c['class.branch'], c['class.mul'], c['class.load'], c['class.store']]).toEqual([11, 3, 1, 1, 1]);
    expect(c.instret).toBe(17);
    const k = DEFAULT_COST_MODEL;
    const expected = 11 * k.instruction.alu + 3 * k.instruction.branch + 2 * k.takenBranch + k.instruction.mul +
      k.instruction.load + k.instruction.store + k.mmioAccess;
    expect(c.cycles).toBe(expected);
    expect(c['mmio.accesses']).toBe(1);
  });

  it('uses a custom price table, and refuses prices the predecoded word cannot hold', () => {
    const cheap = new MiniPlatform({ cost: costModel({ instruction: { alu: 5 }, takenBranch: 0 }) });
    cheap.load(0x80000000, new Int32Array([0x00100513, 0x00150513])); // addi a0, zero, 1; addi a0, a0, 1
    const h = new Hart(cheap);
    h.run(2);
    expect(cheap.clock.cycles).toBe(10);
    expect(() => new Hart(new MiniPlatform({ cost: costModel({ instruction: { div: 500 } }) }))).toThrow(HartError);
    // A fractional or negative budget is not a way to hang the host.
    expect(h.run(0.5).stop.kind).toBe('budget');
    expect(() => h.run(-1)).toThrow(RangeError);
  });
});
