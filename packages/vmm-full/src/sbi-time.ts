// SBI Timer extension (SBI 2.0 chapter 6): sbi_set_timer(stime_value) programs the next event
// (a 64-bit absolute time in a0, a1 on RV32) and clears the pending supervisor timer interrupt.
import { SBI_ERR_NOT_SUPPORTED, fail, ok } from './sbi-abi.js';
import type { SbiCall, SbiMachine, SbiReturn } from './sbi-abi.js';

export function sbiTime(machine: SbiMachine, call: SbiCall): SbiReturn {
  if (call.fid !== 0) return fail(SBI_ERR_NOT_SUPPORTED);
  machine.setTimer((call.args[1] >>> 0) * 4294967296 + (call.args[0] >>> 0));
  return ok(0);
}
