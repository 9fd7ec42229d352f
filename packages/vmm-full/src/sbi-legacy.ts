// SBI legacy extensions (SBI 2.0 chapter 5, v0.1): set_timer, console putchar and getchar,
// shutdown. They return in a0 alone.
import { SBI_EXT } from './sbi-abi.js';
import type { SbiCall, SbiMachine } from './sbi-abi.js';



/** The a0 a legacy call returns, or undefined when `eid` is not a legacy extension served here. */
export function sbiLegacy(machine: SbiMachine, eid: number, call: SbiCall): number | undefined {
  const [a0, a1] = call.args;
  switch (eid) {
    case SBI_EXT.legacySetTimer:
      machine.setTimer((a1 >>> 0) * 4294967296 + (a0 >>> 0));
      return 0;
    case SBI_EXT.legacyPutchar:
      machine.putchar(a0 & 0xff);
      return 0;
    case SBI_EXT.legacyGetchar:
      return machine.getchar();
    case SBI_EXT.legacyShutdown:
      machine.powerOff(0);
      return 0;
    default:
      return undefined;
  }
}
