// The A extension (unpriv chapter 8) and self-modifying code (Zifencei), plus what QEMU 7.2
// does at the edges (checked with qemu-system-riscv32, see README): LR and AMOs raise
// address-misaligned (causes 4 and 6); an SC to an address without a reservation fails without
// touching memory, even when misaligned; SC compares the reserved value.
import { describe, expect, it } from 'vitest';
import { CAUSE } from './csr.js';
import { machine, runToExit } from './test/harness.js';
import { log, program } from './test/programs.js';

const DATA = 0x8009_0000;
const wrap = (v: bigint) => Number(BigInt.asIntN(32, v));

const AMO: Record<string, (a: number, b: number) => number> = {
  'amoswap.w': (_a, b) => b,
  'amoadd.w': (a, b) => wrap(BigInt(a) + BigInt(b)),
  'amoxor.w': (a, b) => a ^ b,
  'amoand.w': (a, b) => a & b,
  'amoor.w': (a, b) => a | b,
  'amomin.w': (a, b) => Math.min(a, b),
  'amomax.w': (a, b) => Math.max(a, b),
  'amominu.w': (a, b) => (a >>> 0 < b >>> 0 ? a : b),
  'amomaxu.w': (a, b) => (a >>> 0 > b >>> 0 ? a : b),
};

describe('AMOs', () => {
  for (const [op, f] of Object.entries(AMO)) {
    it(`${op} returns the old value and stores op(old, rs2)`, () => {
      for (const [a, b] of [[5, -3], [-0x80000000, 0x7fffffff], [-1, 1], [0x12345678, 0x0f0f0f0f]] as const) {
        const m = runToExit(`
          li s0, ${DATA}
          li t0, ${a}
          sw t0, 0(s0)
          li t1, ${b}
          ${op} a0, t1, (s0)
          lw a1, 0(s0)
        `);
        expect([m.reg('a0'), m.reg('a1')]).toEqual([a | 0, f(a | 0, b | 0) | 0]);
      }
    });
  }

  it('raises misaligned exceptions for LR (load) and AMOs (store/AMO), with the address in tval', () => {
    const m = runToExit(program(`
      li s0, ${DATA + 2}
      lr.w a0, (s0)
      amoadd.w a0, t1, (s0)
    `));
    expect(log(m).map((e) => [e.cause, e.tval >>> 0])).toEqual([
      [CAUSE.misalignedLoad, DATA + 2],
      [CAUSE.misalignedStore, DATA + 2],
    ]);
  });
});

describe('LR/SC', () => {
  it('succeeds on the reserved address and value; fails (rd = 1) otherwise, without a trap', () => {
    const m = runToExit(program(`
      li s0, ${DATA}
      li t1, 7
      lr.w a0, (s0)
      sc.w a1, t1, (s0)
      sc.w a2, t1, (s0)
      lr.w a0, (s0)
      addi s1, s0, 2
      sc.w a3, t1, (s1)
      lr.w a0, (s0)
      li t2, 9
      sw t2, 0(s0)
      sc.w a4, t1, (s0)
      lw a5, 0(s0)
    `));
    // First SC succeeds; the second has no reservation; a misaligned SC without reservation just
    // fails; after a store changed the value, SC fails (QEMU compares the value).
    expect([m.reg('a1'), m.reg('a2'), m.reg('a3'), m.reg('a4'), m.reg('a5')]).toEqual([0, 1, 1, 1, 9]);
    expect(log(m)).toEqual([]);
    expect(m.hart.counters()['lrsc.sc_failures']).toBe(3);
  });

  it('loses the reservation on a trap', () => {
    const m = runToExit(program(`
      li s0, ${DATA}
      lr.w a0, (s0)
      ecall
      sc.w a1, t1, (s0)
    `));
    expect(m.reg('a1')).toBe(1);
  });
});

describe('self-modifying code', () => {
  it('runs a store-modified instruction on the same page, before and after fence.i', () => {
    // patch: the word of `addi a0, a0, 100`; it overwrites the `addi a0, a0, 1` at `target`.
    const m = runToExit(`
      li a0, 0
      li a1, 0
    again:
      li t1, target
    target:
      addi a0, a0, 1
      addi a1, a1, 1
      li t2, 0x06450513
      sw t2, 0(t1)
      li t3, 2
      blt a1, t3, again
      fence.i
      li t2, 0x3e850513
      sw t2, 0(t1)
      li t3, 3
      blt a1, t3, again
    `);
    // Iteration 1: +1; iteration 2 sees the patched +100; iteration 3 sees +1000 (0x3e8).
    expect(m.reg('a0')).toBe(1 + 100 + 1000);
    expect(m.hart.counters()['predecode.flushes']).toBe(2); // the last pass falls through fence.i again
  });

  it('sees code written by DMA (Bus.writeRam) into a page it has already run', () => {
    const m = machine(`
    loop:
      addi a0, a0, 1
      j loop
    `);
    m.run(10);
    expect(m.reg('a0')).toBe(5);
    const patch = new Int32Array([0x00a00593]); // addi a1, zero, 10
    m.platform.load(0x80000000, patch);
    m.run(2);
    expect(m.reg('a1')).toBe(10);
  });

  it('tells an external translator about general-path writes to RAM (onCodeWrite)', () => {
    const m = machine(`
      li s0, ${DATA}
      amoadd.w a0, a1, (s0)
      sh a1, 1(s0)
    `);
    const seen: [number, number][] = [];
    m.hart.onCodeWrite = (off, size) => seen.push([off, size]);
    m.run(4);
    // The AMO writes 4 bytes; the misaligned halfword goes byte by byte through the general path.
    expect(seen).toEqual([[DATA - 0x80000000, 4], [DATA - 0x80000000 + 1, 1], [DATA - 0x80000000 + 2, 1]]);
    expect(m.hart.trapCount).toBe(0);
  });
});
