// SBI Debug Console extension (SBI 2.0 chapter 12): write and read a buffer given by its
// guest-physical address (a1 low, a2 high), write one byte. The buffer must lie in guest RAM.
import { SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, fail, ok } from './sbi-abi.js';
import type { SbiCall, SbiMachine, SbiReturn } from './sbi-abi.js';

function bufferOk(machine: SbiMachine, n: number, lo: number, hi: number): boolean {
  return hi === 0 && lo >= machine.ramBase && lo <= machine.ramEnd && n <= machine.ramEnd - lo;
}

export function sbiDbcn(machine: SbiMachine, call: SbiCall): SbiReturn {
  const [a0, a1, a2] = call.args;
  const n = a0 >>> 0;
  switch (call.fid) {
    case 0: {
      if (!bufferOk(machine, n, a1 >>> 0, a2)) return fail(SBI_ERR_INVALID_PARAM);
      for (const b of machine.readGuest(a1 >>> 0, n)) machine.putchar(b);
      return ok(n);
    }
    case 1: {
      if (!bufferOk(machine, n, a1 >>> 0, a2)) return fail(SBI_ERR_INVALID_PARAM);
      const got: number[] = [];
      for (let c = 0; got.length < n && (c = machine.getchar()) >= 0;) got.push(c);
      machine.writeGuest(a1 >>> 0, Uint8Array.from(got));
      return ok(got.length);
    }
    case 2:
      machine.putchar(a0 & 0xff);
      return ok(0);
    default:
      return fail(SBI_ERR_NOT_SUPPORTED);
  }
}
