/**
 * The guest load or store behind a trapped data access (a device access, a store to a
 * write-protected page table), decoded with cpu-core's table: which register, how wide, signed or
 * not. The hypervisor performs it on the device or guest memory and advances the pc, as KVM's
 * MMIO emulation does (arch/riscv/kvm/vcpu_insn.c).
 */
import { decodeForm, field } from '@virtlab/cpu-core';
import type { AccessWidth } from '@virtlab/hw-model';
import type { GuestRegisters } from './csr-emulation.js';

export type MemoryAccess =
  | { readonly kind: 'load'; readonly width: AccessWidth; readonly signed: boolean; readonly rd: number }
  | { readonly kind: 'store'; readonly width: AccessWidth; readonly rs2: number }
  /** LR/SC and AMOs: not emulated on devices (I/O regions without AMO support, priv 3.6.3.1). */
  | { readonly kind: 'atomic' }
  | { readonly kind: 'other' };

const WIDTH: Readonly<Record<string, AccessWidth>> = { lb: 1, lbu: 1, sb: 1, lh: 2, lhu: 2, sh: 2, lw: 4, sw: 4 };

export function decodeMemoryAccess(word: number): MemoryAccess {
  const f = decodeForm(word);
  if (f === undefined) return { kind: 'other' };
  if (f.format === 'LOAD') return { kind: 'load', width: WIDTH[f.mnemonic]!, signed: f.mnemonic === 'lb' || f.mnemonic === 'lh', rd: field.rd(word) };
  if (f.format === 'STORE') return { kind: 'store', width: WIDTH[f.mnemonic]!, rs2: field.rs2(word) };
  if (f.cls === 'atomic') return { kind: 'atomic' };
  return { kind: 'other' };
}

/** Writes a loaded value to rd, sign- or zero-extended from `width` bytes. */
export function completeLoad(regs: GuestRegisters, access: Extract<MemoryAccess, { kind: 'load' }>, value: number): void {
  const shift = 32 - 8 * access.width;
  regs.writeReg(access.rd, access.signed ? (value << shift) >> shift : shift === 0 ? value | 0 : value & ((1 << (8 * access.width)) - 1));
}

/** The low `width` bytes of rs2, the value a store writes. */
export function storeValue(regs: GuestRegisters, access: Extract<MemoryAccess, { kind: 'store' }>): number {
  const v = regs.readReg(access.rs2);
  return access.width === 4 ? v >>> 0 : v & ((1 << (8 * access.width)) - 1);
}
