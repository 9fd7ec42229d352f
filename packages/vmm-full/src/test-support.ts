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

/** A one-segment ELF32 RISC-V executable (ET_EXEC) holding `words` at physical and virtual `base`. */
export function tinyElf(words: Int32Array, base: number): Uint8Array {
  const code = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const out = new Uint8Array(52 + 32 + code.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setUint32(24, base, true); // e_entry
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true); // e_ehsize
  v.setUint16(42, 32, true); // e_phentsize
  v.setUint16(44, 1, true); // e_phnum
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 84, true); // p_offset
  v.setUint32(60, base, true); // p_vaddr
  v.setUint32(64, base, true); // p_paddr
  v.setUint32(68, code.length, true); // p_filesz
  v.setUint32(72, code.length, true); // p_memsz
  v.setUint32(76, 5, true); // PF_R | PF_X
  v.setUint32(80, 4096, true);
  out.set(code, 84);
  return out;
}
