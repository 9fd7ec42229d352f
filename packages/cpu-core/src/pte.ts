/**
 * Sv32 page-table entry bits and the leaf permission rule (priv 4.3.1, 4.3.2 step 5), shared by
 * the hart's walker and by monitors that walk a guest's tables themselves (a hypervisor's shadow
 * paging walks guest-physical tables the hart cannot address).
 */
import { CAUSE, MSTATUS } from './csr.js';

/** PTE flag bits (priv 4.3.1, figure 4.18). */
export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;

/** Kinds of memory access, as the MMU, PMP and fault causes tell them apart. */
export const ACCESS_LOAD = 0;
export const ACCESS_STORE = 1;
export const ACCESS_FETCH = 2;
export type AccessKind = 0 | 1 | 2;

/**
 * Leaf permission checks in QEMU 7.2's order for an access by `priv` (0 U or 1 S), with SUM and
 * MXR taken from `mstatus` (or sstatus: the bits are at the same places).
 */
export function ptePermits(f: number, access: AccessKind, priv: number, mstatus: number): boolean {
  if ((f & PTE.U) !== 0) {
    if (priv !== 0 && ((mstatus & MSTATUS.SUM) === 0 || access === ACCESS_FETCH)) return false;
  } else if (priv !== 1) {
    return false;
  }
  if (access === ACCESS_LOAD) return (f & PTE.R) !== 0 || ((mstatus & MSTATUS.MXR) !== 0 && (f & PTE.X) !== 0);
  if (access === ACCESS_STORE) return (f & PTE.W) !== 0;
  return (f & PTE.X) !== 0;
}

/** The page-fault cause of an access kind (priv 3.1.15). */
export function pageFaultCause(access: AccessKind): number {
  return access === ACCESS_LOAD ? CAUSE.loadPageFault : access === ACCESS_STORE ? CAUSE.storePageFault : CAUSE.fetchPageFault;
}

/** The access-fault cause of an access kind. */
export function accessFaultCause(access: AccessKind): number {
  return access === ACCESS_LOAD ? CAUSE.loadAccess : access === ACCESS_STORE ? CAUSE.storeAccess : CAUSE.fetchAccess;
}
