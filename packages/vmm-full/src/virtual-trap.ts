/**
 * Virtual trap entry and return for the guest kernel: what the hart does for a trap delegated to
 * S-mode (priv 3.1.6.1, 4.1.1, 4.1.2) and for sret (priv 3.3.2), applied to the virtual CSRs; and
 * which virtual interrupt is taken, by the enable and priority rules of priv 3.1.9 / 4.1.3.
 */
import { IRQ, MSTATUS } from '@virtlab/cpu-core';
import type { Vcpu } from './vcpu.js';

/** Virtual interrupts in priority order (priv 3.1.9: SEI, SSI, STI). */
const PRIORITY = [IRQ.SEI, IRQ.SSI, IRQ.STI] as const;

/**
 * Takes a trap into virtual S-mode from the instruction at `epc`: scause, sepc, stval written;
 * SPIE = SIE, SIE = 0, SPP = the privilege trapped from; virtual privilege S. Returns the pc the
 * guest continues at: stvec's base, or base + 4 * cause for an interrupt in vectored mode.
 */
export function enterVirtualTrap(vcpu: Vcpu, code: number, interrupt: boolean, tval: number, epc: number): number {
  vcpu.scause = interrupt ? (code | 0x80000000) | 0 : code;
  vcpu.sepc = epc & ~3;
  vcpu.stval = tval | 0;
  let s = vcpu.sstatus;
  s = (s & MSTATUS.SIE) !== 0 ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
  s &= ~MSTATUS.SIE;
  s = vcpu.priv === 1 ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
  vcpu.sstatus = s;
  vcpu.priv = 1;
  vcpu.waiting = false;
  const base = vcpu.stvec & ~3;
  return ((vcpu.stvec & 3) === 1 && interrupt ? base + 4 * code : base) | 0;
}

/**
 * sret from virtual S: SIE = SPIE, SPIE = 1, privilege = SPP, SPP = U. Returns the new pc (sepc).
 * The caller checks the privilege (sret in virtual U is an illegal instruction).
 */
export function virtualSret(vcpu: Vcpu): number {
  let s = vcpu.sstatus;
  const spp = (s & MSTATUS.SPP) !== 0 ? 1 : 0;
  s = (s & MSTATUS.SPIE) !== 0 ? s | MSTATUS.SIE : s & ~MSTATUS.SIE;
  s |= MSTATUS.SPIE;
  s &= ~MSTATUS.SPP;
  vcpu.sstatus = s;
  vcpu.priv = spp;
  return vcpu.sepc;
}

/**
 * The virtual interrupt the guest takes now, or -1: pending and enabled in sie, and either the
 * guest is in virtual U (S interrupts are always enabled below S) or in virtual S with
 * sstatus.SIE set.
 */
export function pendingVirtualInterrupt(vcpu: Vcpu): number {
  const pending = vcpu.sip & vcpu.sie;
  if (pending === 0) return -1;
  if (vcpu.priv === 1 && (vcpu.sstatus & MSTATUS.SIE) === 0) return -1;
  for (const irq of PRIORITY) if ((pending & (1 << irq)) !== 0) return irq;
  return -1;
}

/** Whether WFI would wake: an interrupt pending and enabled in sie, whatever sstatus.SIE says (priv 3.3.3). */
export function wfiWakes(vcpu: Vcpu): boolean {
  return (vcpu.sip & vcpu.sie) !== 0;
}
