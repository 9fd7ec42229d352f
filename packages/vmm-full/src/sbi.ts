/**
 * The virtual SBI: the hypervisor answers the guest kernel's ecalls from virtual S-mode itself,
 * as KVM does (arch/riscv/kvm/vcpu_sbi.c), with the same answers as the project firmware on the
 * board (packages/guest/firmware/sbi.c), so the guest sees one machine. One extension a file:
 * sbi-base.ts, sbi-time.ts, sbi-srst.ts, sbi-dbcn.ts, sbi-legacy.ts; the ABI in sbi-abi.ts.
 */
import type { GuestRegisters } from './csr-emulation.js';
import { SBI_ERR_NOT_SUPPORTED, SBI_EXT, fail } from './sbi-abi.js';
import type { SbiCall, SbiMachine, SbiReturn } from './sbi-abi.js';
import { sbiBase } from './sbi-base.js';
import { sbiDbcn } from './sbi-dbcn.js';
import { sbiLegacy } from './sbi-legacy.js';
import { sbiSrst } from './sbi-srst.js';
import { sbiTime } from './sbi-time.js';

/**
 * Serves the ecall the guest kernel just made (SBI 2.0 section 3: a7 = extension, a6 = function,
 * a0-a5 arguments; error in a0 and value in a1, legacy calls return in a0 alone). Returns the
 * extension id, for counting.
 */
export function serveSbiCall(machine: SbiMachine, regs: GuestRegisters): number {
  const eid = regs.readReg(17) >>> 0;
  const call: SbiCall = {
    fid: regs.readReg(16) >>> 0,
    args: [regs.readReg(10), regs.readReg(11), regs.readReg(12), regs.readReg(13), regs.readReg(14), regs.readReg(15)],
  };
  const legacy = sbiLegacy(machine, eid, call);
  if (legacy !== undefined) {
    regs.writeReg(10, legacy);
    return eid;
  }
  let r: SbiReturn;
  switch (eid) {
    case SBI_EXT.base: r = sbiBase(call); break;
    case SBI_EXT.time: r = sbiTime(machine, call); break;
    case SBI_EXT.srst: r = sbiSrst(machine, call); break;
    case SBI_EXT.dbcn: r = sbiDbcn(machine, call); break;
    default: r = fail(SBI_ERR_NOT_SUPPORTED);
  }
  regs.writeReg(10, r.error);
  regs.writeReg(11, r.value);
  return eid;
}
