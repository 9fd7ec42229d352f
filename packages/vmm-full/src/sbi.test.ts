// The virtual SBI against the SBI 2.0 specification and the project firmware's answers.
import { describe, expect, it } from 'vitest';
import { serveSbiCall } from './sbi.js';
import type { SbiMachine } from './sbi-abi.js';
import { Registers } from './test-support.js';

class FakeMachine implements SbiMachine {
  readonly out: number[] = [];
  input: number[] = [];
  timer: number | undefined;
  halted: { kind: 'off'; status: number } | { kind: 'reset' } | undefined;
  readonly ramBase = 0x80000000;
  readonly ramEnd = 0x80000000 + 0x10000;
  readonly ram = new Uint8Array(0x10000);
  setTimer(t: number): void {
    this.timer = t;
  }
  putchar(b: number): void {
    this.out.push(b);
  }
  getchar(): number {
    return this.input.shift() ?? -1;
  }
  readGuest(gpa: number, n: number): Uint8Array {
    return this.ram.slice(gpa - this.ramBase, gpa - this.ramBase + n);
  }
  writeGuest(gpa: number, bytes: Uint8Array): void {
    this.ram.set(bytes, gpa - this.ramBase);
  }
  powerOff(status: number): void {
    this.halted = { kind: 'off', status };
  }
  reset(): void {
    this.halted = { kind: 'reset' };
  }
}

function call(m: FakeMachine, eid: number, fid: number, ...args: number[]): Registers {
  const r = new Registers();
  r.x[17] = eid;
  r.x[16] = fid;
  args.forEach((a, i) => (r.x[10 + i] = a));
  serveSbiCall(m, r);
  return r;
}
const ret = (r: Registers) => [r.x[10], r.x[11]];

const BASE = 0x10;
const TIME = 0x54494d45;
const SRST = 0x53525354;
const DBCN = 0x4442434e;

describe('virtual SBI: Base (SBI 2.0 chapter 4)', () => {
  it('reports spec 2.0 and the project firmware\'s implementation id and version', () => {
    const m = new FakeMachine();
    expect(ret(call(m, BASE, 0))).toEqual([0, 0x02000000]);
    expect(ret(call(m, BASE, 1))).toEqual([0, 0x564c]);
    expect(ret(call(m, BASE, 2))).toEqual([0, 0x00010000]);
    expect(ret(call(m, BASE, 4))).toEqual([0, 0]);
  });

  it('probes 1 for Base, TIME, SRST, DBCN and the legacy calls it serves, 0 for the rest (HSM, IPI, RFENCE)', () => {
    const m = new FakeMachine();
    for (const eid of [BASE, TIME, SRST, DBCN, 0, 1, 2, 8]) expect(ret(call(m, BASE, 3, eid))).toEqual([0, 1]);
    for (const eid of [0x48534d, 0x735049, 0x52464e43, 3]) expect(ret(call(m, BASE, 3, eid))).toEqual([0, 0]);
  });

  it('answers SBI_ERR_NOT_SUPPORTED (-2) for an unknown function or extension', () => {
    const m = new FakeMachine();
    expect(ret(call(m, BASE, 7))).toEqual([-2, 0]);
    expect(ret(call(m, 0x12345678, 0))).toEqual([-2, 0]);
    expect(ret(call(m, TIME, 1))).toEqual([-2, 0]);
  });
});

describe('virtual SBI: TIME, SRST, DBCN and legacy calls', () => {
  it('set_timer takes the 64-bit time from a0 (low) and a1 (high)', () => {
    const m = new FakeMachine();
    expect(ret(call(m, TIME, 0, 0x89abcdef | 0, 0x1))).toEqual([0, 0]);
    expect(m.timer).toBe(0x1_89abcdef);
    const r = call(m, 0, 0, 5, 0); // legacy set_timer returns in a0 alone
    expect(m.timer).toBe(5);
    expect(r.x[10]).toBe(0);
  });

  it('SRST shutdown: reason none → status 0, failure → 1, 0xE000_0000 + n → n; reboot resets; bad type and reason refused', () => {
    const cases: [number, number, unknown][] = [
      [0, 0, { kind: 'off', status: 0 }],
      [0, 1, { kind: 'off', status: 1 }],
      [0, 0xe000002a | 0, { kind: 'off', status: 42 }],
      [0, 0xf0000001 | 0, { kind: 'off', status: 1 }],
      [1, 0, { kind: 'reset' }],
      [2, 0, { kind: 'reset' }],
    ];
    for (const [type, reason, halted] of cases) {
      const m = new FakeMachine();
      call(m, SRST, 0, type, reason);
      expect(m.halted).toEqual(halted);
    }
    const m = new FakeMachine();
    expect(ret(call(m, SRST, 0, 3, 0))).toEqual([-3, 0]);
    expect(ret(call(m, SRST, 0, 0xf0000000 | 0, 0))).toEqual([-2, 0]);
    expect(ret(call(m, SRST, 0, 0, 2))).toEqual([-3, 0]);
    expect(m.halted).toBeUndefined();
  });

  it('DBCN write sends the guest-physical buffer, read fills it, write_byte sends one byte; buffers outside RAM are refused', () => {
    const m = new FakeMachine();
    m.ram.set([72, 105, 33], 0x100);
    expect(ret(call(m, DBCN, 0, 3, 0x80000100 | 0, 0))).toEqual([0, 3]);
    expect(ret(call(m, DBCN, 2, 0x10a))).toEqual([0, 0]);
    expect(String.fromCharCode(...m.out)).toBe('Hi!\n');
    m.input = [0x61, 0x62];
    expect(ret(call(m, DBCN, 1, 8, 0x80000200 | 0, 0))).toEqual([0, 2]);
    expect([...m.ram.subarray(0x200, 0x202)]).toEqual([0x61, 0x62]);
    expect(ret(call(m, DBCN, 0, 4, 0x7ffffffe, 0))).toEqual([-3, 0]);
    expect(ret(call(m, DBCN, 0, 0x10001, 0x80000000 | 0, 0))).toEqual([-3, 0]);
    expect(ret(call(m, DBCN, 0, 1, 0x80000000 | 0, 1))).toEqual([-3, 0]);
  });

  it('legacy putchar and getchar (-1 when no input), shutdown with status 0', () => {
    const m = new FakeMachine();
    call(m, 1, 0, 0x41);
    expect(m.out).toEqual([0x41]);
    expect(call(m, 2, 0).x[10]).toBe(-1);
    m.input = [0x7a];
    expect(call(m, 2, 0).x[10]).toBe(0x7a);
    call(m, 8, 0);
    expect(m.halted).toEqual({ kind: 'off', status: 0 });
  });
});
