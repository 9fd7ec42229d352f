// SBI System Reset extension (SBI 2.0 chapter 10): shutdown, cold and warm reboot, with a reason.
// Like the project firmware, the implementation-specific reason 0xE000_0000 + status carries an
// exact exit status (0..0xffff); other vendor-specific reasons count as a failure.
import { SRST_REASON_STATUS } from '@virtlab/guest';
import { SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, fail } from './sbi-abi.js';
import type { SbiCall, SbiMachine, SbiReturn } from './sbi-abi.js';

const SHUTDOWN = 0;
const WARM_REBOOT = 2;
const REASON_NONE = 0;
const REASON_FAILURE = 1;

export function sbiSrst(machine: SbiMachine, call: SbiCall): SbiReturn {
  if (call.fid !== 0) return fail(SBI_ERR_NOT_SUPPORTED);
  const type = call.args[0] >>> 0;
  const reason = call.args[1] >>> 0;
  // Types above warm reboot are reserved (below 0xf000_0000) or vendor-specific (SBI 10.1 table 44).
  if (type > WARM_REBOOT) return fail(type >= 0xf0000000 ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM);
  let status: number;
  if (reason === REASON_NONE) status = 0;
  else if (reason === REASON_FAILURE) status = 1;
  else if ((reason & 0xf0000000) >>> 0 === SRST_REASON_STATUS && (reason & 0x0fffffff) <= 0xffff) status = reason & 0xffff;
  else if (reason >= 0xf0000000) status = 1;
  else return fail(SBI_ERR_INVALID_PARAM);
  if (type === SHUTDOWN) machine.powerOff(status);
  else machine.reset();
  // The call does not return to a running guest; the value is what a0/a1 hold if anyone looks.
  return { error: 0, value: 0 };
}
