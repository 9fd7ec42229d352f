// Test helpers: a vcpu with fixed counters and a register file standing for the guest's.
import { Vcpu } from './vcpu.js';
import type { GuestRegisters } from './csr-emulation.js';

export class Registers implements GuestRegisters {
  readonly x = new Int32Array(32);
  readReg(i: number): number {
    return i === 0 ? 0 : this.x[i]!;
  }
  writeReg(i: number, v: number): void {
    if (i !== 0) this.x[i] = v;
  }
}

/** A vcpu whose counters read cycle 0x1_0000_0005, instret 0x2_0000_0007, time 0x3_0000_0009. */
export function testVcpu(): Vcpu {
  return new Vcpu(0, { cycles: () => 0x1_0000_0005, instret: () => 0x2_0000_0007, time: () => 0x3_0000_0009 });
}
