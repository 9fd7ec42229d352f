/**
 * Emulation of the Zicsr instructions the guest executes in real U-mode (all of them trap there):
 * decoded with cpu-core's table, checked as the hart checks a CSR access (priv 2.1: privilege in
 * bits 9:8, read-only when bits 11:10 are 3; counters gated by m/scounteren), applied to the
 * virtual CSRs. A check that fails means real S-mode (or U-mode) would have taken an
 * illegal-instruction exception: the caller reflects one to the guest.
 */
import { csrPrivilege, csrReadOnly, decodeForm, field } from '@virtlab/cpu-core';
import type { Vcpu } from './vcpu.js';

/** The guest's integer registers, as the hart's monitor port offers them. */
export interface GuestRegisters {
  readReg(index: number): number;
  writeReg(index: number, value: number): void;
}

export type CsrEmulation =
  | { readonly ok: true; readonly csr: number; readonly wrote: boolean; readonly old: number }
  | { readonly ok: false; readonly reason: string };

/** True when `word` is one of the six Zicsr forms. */
export function isCsrInstruction(word: number): boolean {
  const f = decodeForm(word);
  return f !== undefined && (f.format === 'CSR' || f.format === 'CSRI');
}

/**
 * Executes the CSR instruction `word` on `vcpu` with the guest's registers (unpriv 9.1): the
 * old value is read before the write and lands in rd after it; csrrs/csrrc with rs1 = x0 (or a
 * zero immediate) do not write, so they may read a read-only CSR. The caller advances the pc.
 */
export function emulateCsrInstruction(vcpu: Vcpu, regs: GuestRegisters, word: number): CsrEmulation {
  const form = decodeForm(word);
  if (form === undefined || (form.format !== 'CSR' && form.format !== 'CSRI')) return { ok: false, reason: 'not a CSR instruction' };
  const csr = field.csr(word);
  const rd = field.rd(word);
  const rs1 = field.rs1(word);
  const kind = form.mnemonic.slice(3, 5); // csrRW, csrRS, csrRC (and their immediate forms)
  const src = form.format === 'CSRI' ? rs1 : regs.readReg(rs1);
  const writes = kind === 'rw' || rs1 !== 0;
  if (csrPrivilege(csr) > vcpu.priv) return { ok: false, reason: 'privilege' };
  if (writes && csrReadOnly(csr)) return { ok: false, reason: 'read-only' };
  if (!vcpu.counterAllowed(csr)) return { ok: false, reason: 'counter-disabled' };
  const old = vcpu.readCsr(csr);
  if (old === undefined) return { ok: false, reason: 'not-implemented' };
  if (writes) vcpu.writeCsr(csr, kind === 'rw' ? src : kind === 'rs' ? old | src : old & ~src);
  if (rd !== 0) regs.writeReg(rd, old);
  return { ok: true, csr, wrote: writes, old };
}
