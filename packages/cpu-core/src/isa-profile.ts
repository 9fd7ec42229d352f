/**
 * ISA profiles. `rv32ima` is standard RISC-V, which is classically virtualizable: every access to
 * a CSR above the current privilege traps. `legacy` adds x86-style holes in U-mode, the way
 * SMSW/PUSHF read and POPF writes privileged state on x86 without trapping (Robin and Irvine,
 * "Analysis of the Intel Pentium's ability to support a secure virtual machine monitor", 2000).
 */
import { CSR, MSTATUS, SSTATUS_WRITABLE } from './csr.js';

/** A CSR that U-mode may access without trapping under a profile. */
export interface UserCsrHole {
  readonly csr: number;
  /** Reads return the real value (PUSHF / SMSW). */
  readonly readsRealValue: boolean;
  /** Bits a U-mode write changes; the rest of the write is silently dropped (POPF and IF). */
  readonly writeMask: number;
  readonly note: string;
}

export interface IsaProfile {
  readonly name: 'rv32ima' | 'legacy';
  readonly userCsrHoles: readonly UserCsrHole[];
}

export const RV32IMA_PROFILE: IsaProfile = { name: 'rv32ima', userCsrHoles: [] };

export const LEGACY_PROFILE: IsaProfile = {
  name: 'legacy',
  userCsrHoles: [
    {
      csr: CSR.sstatus,
      readsRealValue: true,
      writeMask: SSTATUS_WRITABLE & ~MSTATUS.SIE,
      note: 'U-mode reads sstatus (like PUSHF/SMSW) and writes it with SIE silently dropped (like POPF and IF)',
    },
  ],
};

export function isaProfile(name: string): IsaProfile {
  if (name === 'rv32ima') return RV32IMA_PROFILE;
  if (name === 'legacy') return LEGACY_PROFILE;
  throw new RangeError(`unknown ISA profile '${name}' (expected 'rv32ima' or 'legacy')`);
}
