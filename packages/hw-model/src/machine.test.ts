import { describe, expect, it } from 'vitest';
import { createVirtBoard } from './board.js';
import type { VirtBoard } from './board.js';
import type { RunnableHart } from './machine.js';
import { describeExit, runMachine, startHart } from './machine.js';

/**
 * A stand-in hart for the run loop alone (cpu-core's Hart runs real programs in the runner's
 * tests): each step charges one cycle and calls `step`, which may touch the bus.
 */
class ScriptedHart implements RunnableHart {
  pc = 0;
  priv: 0 | 1 | 3 = 3;
  readonly regs = new Int32Array(33);
  retired = 0;
  constructor(
    readonly board: VirtBoard,
    readonly step: (n: number) => 'trap' | 'retire' | 'fault-loop',
  ) {}
  run(max: number) {
    let instructions = 0;
    for (let i = 0; i < max; i++) {
      if (this.board.halt.reason !== undefined) return { stop: { kind: 'halted' }, instructions, pc: this.pc };
      const what = this.step(this.retired + i);
      this.board.clock.cycles++;
      if (what === 'fault-loop') return { stop: { kind: 'fault-loop', description: 'instruction access fault at 0x0' }, instructions, pc: 0 };
      if (what === 'retire') instructions++;
    }
    this.retired += instructions;
    return { stop: { kind: 'budget' }, instructions, pc: this.pc };
  }
  counters() {
    return { instret: this.retired };
  }
}

describe('runMachine', () => {
  it('ends with the finisher exit code and counts MMIO per device', () => {
    const board = createVirtBoard();
    const hart = new ScriptedHart(board, (n) => {
      if (n === 10) board.bus.write(0x1000_0000, 0x41, 1);
      if (n === 20) board.bus.write(0x0010_0000, (3 << 16) | 0x3333, 4);
      return 'retire';
    });
    const r = runMachine(board, hart, { sliceSteps: 7 });
    expect(r.exit).toEqual({ kind: 'poweroff', exitCode: 3, via: 'finisher' });
    expect(new TextDecoder().decode(r.output)).toBe('A');
    expect(r.counters['mmio.uart0']).toBe(1);
    expect(r.counters['mmio.finisher']).toBe(1);
    expect(r.instructions).toBe(21);
  });

  it('stops a guest that never ends at the budget, counting trap entries as steps', () => {
    const board = createVirtBoard();
    const r = runMachine(board, new ScriptedHart(board, () => 'trap'), { maxInstructions: 1000, sliceSteps: 64 });
    expect(r.exit).toMatchObject({ kind: 'budget', steps: 1000 });
    expect(r.instructions).toBe(0);
    expect(describeExit(r.exit)).toMatch(/budget exhausted after 1000 steps/);
  });

  it('sees an HTIF tohost write at the end of the slice it happened in', () => {
    const board = createVirtBoard();
    board.htif = { tohost: 0x8000_1000, fromhost: undefined };
    const hart = new ScriptedHart(board, (n) => {
      if (n === 100) board.bus.write(0x8000_1000, (42 << 1) | 1, 4);
      return 'retire';
    });
    const r = runMachine(board, hart, { sliceSteps: 64 });
    expect(r.exit).toEqual({ kind: 'poweroff', exitCode: 42, via: 'htif' });
    expect(r.instructions).toBe(128); // two whole slices: deterministic, not "as soon as possible"
  });

  it('reports a fault loop with where it happened', () => {
    const board = createVirtBoard();
    const r = runMachine(board, new ScriptedHart(board, () => 'fault-loop'));
    expect(r.exit).toEqual({ kind: 'fault-loop', pc: 0, description: 'instruction access fault at 0x0' });
  });

  it('starts a hart from a boot state', () => {
    const board = createVirtBoard();
    const hart = new ScriptedHart(board, () => 'retire');
    hart.regs[7] = 99;
    startHart(hart, { pc: 0x8000_0000, privilege: 3, a0: 0, a1: 0x87e0_0000, a2: 0x1028, registers: [0, 0, 0, 0, 0, 0x8000_0000, 0, 0, 0, 0, 0, 0x87e0_0000, 0x1028] });
    expect(hart.pc).toBe(0x8000_0000 | 0);
    expect(hart.regs[11]).toBe(0x87e0_0000 | 0);
    expect(hart.regs[12]).toBe(0x1028);
    expect(hart.regs[7]).toBe(0);
  });
});
