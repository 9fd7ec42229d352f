import type { AccessWidth, MmioDevice } from './bus.js';
import type { HaltState } from './platform.js';

// Status values of SiFive's test finisher (QEMU hw/misc/sifive_test.c).
export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

/**
 * The sifive_test finisher at 0x0010_0000: a 32-bit write to offset 0 of 0x5555 powers off with
 * status 0, `(code << 16) | 0x3333` powers off with `code`, 0x7777 resets. Anything else is
 * ignored, as in QEMU; reads return 0.
 */
export class SifiveTestFinisher implements MmioDevice {
  readonly name = 'finisher';
  readonly size = 0x1000;
  /** Only 32-bit accesses, as QEMU's device accepts (narrower ones are access faults). */
  readonly minAccessWidth = 4;

  constructor(readonly halt: HaltState) {}

  read(_offset: number, _width: AccessWidth): number {
    return 0;
  }

  write(offset: number, value: number, _width: AccessWidth): void {
    if (offset !== 0) return;
    const status = value & 0xffff;
    const code = (value >>> 16) & 0xffff;
    if (status === FINISHER_PASS) this.halt.request({ kind: 'poweroff', exitCode: 0 });
    else if (status === FINISHER_FAIL) this.halt.request({ kind: 'poweroff', exitCode: code });
    else if (status === FINISHER_RESET) this.halt.request({ kind: 'reset' });
  }
}
