// RV32I and M instructions against oracles written from the unprivileged spec (chapters 2 and 13)
// in BigInt arithmetic, over edge values: 0, ±1, INT_MIN, INT_MAX, shift amounts past 31.
import { describe, expect, it } from 'vitest';
import { RAM, runToExit } from './test/harness.js';

const EDGE = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x12345678, -0x789abcdf, 31, 32, 33, 0xffff, 0x8000];

const u = (v: number) => BigInt(v >>> 0);
const s = (v: number) => BigInt(v | 0);
const wrap = (v: bigint) => Number(BigInt.asIntN(32, v));

const R_ORACLE: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => wrap(s(a) + s(b)),
  sub: (a, b) => wrap(s(a) - s(b)),
  sll: (a, b) => wrap(s(a) << BigInt(b & 31)),
  srl: (a, b) => wrap(u(a) >> BigInt(b & 31)),
  sra: (a, b) => wrap(s(a) >> BigInt(b & 31)),
  slt: (a, b) => (s(a) < s(b) ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0),
  xor: (a, b) => wrap(s(a) ^ s(b)),
  or: (a, b) => wrap(s(a) | s(b)),
  and: (a, b) => wrap(s(a) & s(b)),
  mul: (a, b) => wrap(s(a) * s(b)),
  mulh: (a, b) => wrap((s(a) * s(b)) >> 32n),
  mulhsu: (a, b) => wrap((s(a) * u(b)) >> 32n),
  mulhu: (a, b) => wrap((u(a) * u(b)) >> 32n),
  // Division by zero and overflow, unpriv table 13.1.
  div: (a, b) => (b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : wrap(s(a) / s(b))),
  divu: (a, b) => (b === 0 ? -1 : wrap(u(a) / u(b))),
  rem: (a, b) => (b === 0 ? a : a === -0x80000000 && b === -1 ? 0 : wrap(s(a) % s(b))),
  remu: (a, b) => (b === 0 ? a : wrap(u(a) % u(b))),
};

const I_ORACLE: Record<string, (a: number, imm: number) => number> = {
  addi: (a, i) => wrap(s(a) + s(i)),
  slti: (a, i) => (s(a) < s(i) ? 1 : 0),
  sltiu: (a, i) => (u(a) < u(i) ? 1 : 0), // the immediate is sign-extended, then compared unsigned
  xori: (a, i) => wrap(s(a) ^ s(i)),
  ori: (a, i) => wrap(s(a) | s(i)),
  andi: (a, i) => wrap(s(a) & s(i)),
  slli: (a, i) => wrap(s(a) << BigInt(i)),
  srli: (a, i) => wrap(u(a) >> BigInt(i)),
  srai: (a, i) => wrap(s(a) >> BigInt(i)),
};

const OUT = 0x8008_0000;

/** Runs one generated program that stores each result to OUT + 4k and returns the results. */
function results(lines: string[]): number[] {
  const m = runToExit([`li s0, ${OUT}`, ...lines].join('\n'), { ramSize: 1 << 20 });
  const out: number[] = [];
  const n = lines.filter((l) => l.startsWith('sw a0')).length;
  for (let k = 0; k < n; k++) out.push(m.platform.bus.read(OUT + 4 * k, 4) | 0);
  return out;
}

describe('RV32I/M register-register forms', () => {
  for (const [op, oracle] of Object.entries(R_ORACLE)) {
    it(`${op} over edge values`, () => {
      const lines: string[] = [];
      const want: number[] = [];
      let k = 0;
      for (const a of EDGE) {
        for (const b of EDGE) {
          lines.push(`li a1, ${a}`, `li a2, ${b}`, `${op} a0, a1, a2`, `sw a0, ${4 * k}(s0)`);
          want.push(oracle(a | 0, b | 0));
          k++;
          if (k >= 500) break;
        }
      }
      expect(results(lines)).toEqual(want);
    });
  }
});

describe('RV32I register-immediate forms', () => {
  for (const [op, oracle] of Object.entries(I_ORACLE)) {
    it(`${op} over edge values and immediates`, () => {
      const shift = ['slli', 'srli', 'srai'].includes(op);
      const imms = shift ? [0, 1, 5, 31] : [0, 1, -1, 2047, -2048, 0x555];
      const lines: string[] = [];
      const want: number[] = [];
      let k = 0;
      for (const a of EDGE) {
        for (const i of imms) {
          lines.push(`li a1, ${a}`, `${op} a0, a1, ${i}`, `sw a0, ${4 * k++}(s0)`);
          want.push(oracle(a | 0, i));
        }
      }
      expect(results(lines)).toEqual(want);
    });
  }
});

describe('x0, lui, auipc, loads and stores', () => {
  it('x0 stays zero whatever is written to it', () => {
    const m = runToExit(`
      li a1, 77
      addi zero, a1, 5
      lui zero, 0x12345
      add a0, zero, zero
      jal zero, next
    next:
      li s0, ${OUT}
      lw zero, 0(s0)
      mv a2, zero
    `);
    expect(m.reg('a0')).toBe(0);
    expect(m.reg('a2')).toBe(0);
    expect(m.hart.regs[0]).toBe(0);
  });

  it('lui places the upper 20 bits; auipc adds them to its own pc', () => {
    const m = runToExit(`
      lui a0, 0xfffff
      auipc a1, 0
      auipc a2, 0x80000
    `);
    expect(m.reg('a0')).toBe(0xfffff000 | 0);
    expect(m.reg('a1') >>> 0).toBe(RAM + 4);
    expect(m.reg('a2') >>> 0).toBe((RAM + 8 + 0x80000000) >>> 0);
  });

  it('sign- and zero-extends sub-word loads at every byte offset', () => {
    const m = runToExit(`
      li s0, ${OUT}
      li a1, 0x80ff7f01
      sw a1, 0(s0)
      lb a2, 0(s0)
      lb a3, 1(s0)
      lb a4, 2(s0)
      lb a5, 3(s0)
      lbu a6, 3(s0)
      lh a7, 0(s0)
      lh s2, 2(s0)
      lhu s3, 2(s0)
      lw s4, 0(s0)
      sb a1, 5(s0)
      sh a1, 6(s0)
      lw s5, 4(s0)
    `);
    expect([m.reg('a2'), m.reg('a3'), m.reg('a4'), m.reg('a5'), m.reg('a6')]).toEqual([1, 0x7f, -1, -128, 0x80]);
    expect([m.reg('a7'), m.reg('s2'), m.reg('s3'), m.reg('s4')]).toEqual([0x7f01, -0x7f01, 0x80ff, 0x80ff7f01 | 0]);
    expect(m.reg('s5') >>> 0).toBe(0x7f010100);
  });

  it('carries out misaligned loads and stores in RAM, as QEMU virt does', () => {
    // Checked on qemu-system-riscv32 7.2: `sw` to data+1 then `lw` from data+1 round-trips.
    const m = runToExit(`
      li s0, ${OUT}
      li a1, 0x11223344
      sw a1, 1(s0)
      lw a2, 1(s0)
      lh a3, 3(s0)
      li t1, ${OUT + 0xfff}
      lhu a4, 0(t1)
    `);
    expect(m.reg('a2')).toBe(0x11223344);
    expect(m.reg('a3')).toBe(0x1122);
    expect(m.hart.counters()['trap.misaligned_load']).toBe(0);
  });
});

describe('jumps and branches', () => {
  it('jal and jalr link pc+4; jalr clears bit 0 of the target and may use rd = rs1', () => {
    const m = runToExit(`
      jal ra, f
      li a2, 1
      j done
    f:
      auipc t0, 0
      addi t0, t0, 17
      jalr t0, 0(t0)
      addi a3, zero, 99
      addi a4, zero, 1
      jalr zero, 0(ra)
    done:
    `);
    const f = m.labels.get('f')!;
    expect(m.reg('ra') >>> 0).toBe(RAM + 4);
    expect(m.reg('a2')).toBe(1);
    expect(m.reg('t0') >>> 0).toBe(f + 12); // link = jalr's pc + 4, written after the target was read
    expect(m.reg('a3')).toBe(0); // target (f + 17) & ~1 = f + 16 skips this
    expect(m.reg('a4')).toBe(1);
  });

  for (const [op, take] of Object.entries({
    beq: (a: number, b: number) => a === b,
    bne: (a: number, b: number) => a !== b,
    blt: (a: number, b: number) => a < b,
    bge: (a: number, b: number) => a >= b,
    bltu: (a: number, b: number) => a >>> 0 < b >>> 0,
    bgeu: (a: number, b: number) => a >>> 0 >= b >>> 0,
  })) {
    it(`${op} over edge pairs`, () => {
      const lines: string[] = [];
      const want: number[] = [];
      let k = 0;
      for (const a of [0, 1, -1, 0x7fffffff, -0x80000000]) {
        for (const b of [0, 1, -1, 0x7fffffff, -0x80000000]) {
          lines.push(`li a1, ${a}`, `li a2, ${b}`, 'li a0, 1', `${op} a1, a2, t${k}`, 'li a0, 0', `t${k}:`, `sw a0, ${4 * k}(s0)`);
          want.push(take(a | 0, b | 0) ? 1 : 0);
          k++;
        }
      }
      expect(results(lines)).toEqual(want);
    });
  }

  it('follows branches and jumps across page boundaries in both directions', () => {
    const pad = (k: number) => Array.from({ length: k }, () => 'nop').join('\n');
    const m = runToExit(`
      li a0, 0
      j far
      ${pad(1000)}
    back:
      addi a0, a0, 1
      j out
      ${pad(30)}
    far:
      addi a0, a0, 10
      beq zero, zero, back
    out:
    `);
    expect(m.reg('a0')).toBe(11);
    expect(m.labels.get('far')! >>> 12).not.toBe(m.labels.get('back')! >>> 12);
  });
});
