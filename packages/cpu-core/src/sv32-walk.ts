/**
 * The Sv32 page-table walk (priv 4.3.2) as a pure function of memory: the hart's MMU runs it on a
 * TLB miss (then charges the levels, updates A/D and fills the TLB), and a monitor runs it
 * through its port to look at a guest's page tables without any of those side effects. One walk,
 * so the two can never disagree.
 */
import { CAUSE, MSTATUS } from './csr.js';
import { PMP_R } from './pmp.js';
import type { Pmp } from './pmp.js';

/** Page-table entry bits (priv 4.3.1, figure 4.18). */
export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;

/** Kinds of memory access, as the MMU, PMP and fault causes tell them apart. */
export const ACCESS_LOAD = 0;
export const ACCESS_STORE = 1;
export const ACCESS_FETCH = 2;
export type AccessKind = 0 | 1 | 2;

/** Outcomes of `Sv32Walker.walk`. */
export const WALK_OK = 0;
export const WALK_PAGE_FAULT = 1;
export const WALK_ACCESS_FAULT = 2;

/**
 * Leaf permission checks in QEMU 7.2's order (priv 4.3.1, 4.3.2 step 5) for an access by `priv`
 * (0 U or 1 S), with SUM and MXR taken from `mstatus`.
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

/** Why a walk failed, in words, for a monitor's logs and errors. */
export type WalkFaultReason =
  | 'pte-not-in-ram' | 'pmp-denies-pte-read' | 'invalid-pte' | 'reserved-w-without-r' | 'no-leaf-at-level-0' | 'permission' | 'misaligned-superpage';

/**
 * The walk with its state kept in fields, so that the hart's miss path allocates nothing. After
 * `walk`, `levels` PTE reads were made (or attempted: the last may have faulted), recorded in
 * `pteAddress`/`pteValue` from the root down.
 */
export class Sv32Walker {
  readonly pteAddress = new Float64Array(2);
  readonly pteValue = new Int32Array(2);
  /** PTE reads made (1 or 2); an attempt that faulted counts. */
  levels = 0;
  /** Level of the leaf (1: 4 MiB megapage, 0: 4 KiB page). */
  leafLevel = 0;
  leafPte = 0;
  /** RAM offset of the leaf PTE (for the A/D update). */
  leafOffset = 0;
  /** Nonzero when any PTE on the way had G set. */
  global = 0;
  /** Physical address of the 4 KiB page that `va` lands in (a double: Sv32 reaches 34 bits). */
  page = 0;
  reason: WalkFaultReason | undefined = undefined;

  constructor(
    readonly ram32: Int32Array,
    readonly ramBase: number,
    readonly ramSize: number,
    readonly pmp: Pmp,
  ) {}

  /**
   * Walks the table rooted at satp's PPN for `va` (priv 4.3.2 steps 1-6; step 7, A/D, is the
   * caller's). `priv` is the privilege of the access (0 or 1); SUM and MXR come from `mstatus`.
   * PTE reads are implicit S-mode reads and are checked against PMP as the hart checks them.
   */
  walk(satp: number, va: number, access: AccessKind, priv: number, mstatus: number): number {
    let a = (satp & 0x3fffff) * 4096;
    let level = 1;
    let global = 0;
    this.levels = 0;
    this.reason = undefined;
    for (;;) {
      const pteAddr = a + (level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff) * 4;
      this.pteAddress[this.levels] = pteAddr;
      this.pteValue[this.levels] = 0;
      this.levels++;
      if ((this.pmp.permissions(pteAddr, 4, 1) & PMP_R) === 0) return this.#fail(WALK_ACCESS_FAULT, 'pmp-denies-pte-read');
      const off = pteAddr - this.ramBase;
      // QEMU 7.2: a PTE that cannot be read (not RAM) is a page fault.
      if (off < 0 || off + 4 > this.ramSize) return this.#fail(WALK_PAGE_FAULT, 'pte-not-in-ram');
      const pte = this.ram32[off >>> 2]!;
      this.pteValue[this.levels - 1] = pte;
      if ((pte & PTE.V) === 0) return this.#fail(WALK_PAGE_FAULT, 'invalid-pte');
      if ((pte & PTE.R) === 0 && (pte & PTE.W) !== 0) return this.#fail(WALK_PAGE_FAULT, 'reserved-w-without-r');
      global |= pte & PTE.G;
      if ((pte & (PTE.R | PTE.X)) === 0) {
        if (level === 0) return this.#fail(WALK_PAGE_FAULT, 'no-leaf-at-level-0');
        a = (pte >>> 10) * 4096;
        level = 0;
        continue;
      }
      if (!ptePermits(pte, access, priv, mstatus)) return this.#fail(WALK_PAGE_FAULT, 'permission');
      if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) return this.#fail(WALK_PAGE_FAULT, 'misaligned-superpage');
      this.leafLevel = level;
      this.leafPte = pte;
      this.leafOffset = off;
      this.global = global;
      this.page = level === 1 ? (pte >>> 20) * 4194304 + (va & 0x3ff000) : (pte >>> 10) * 4096;
      return WALK_OK;
    }
  }

  #fail(outcome: number, reason: WalkFaultReason): number {
    this.reason = reason;
    return outcome;
  }
}

/** One PTE the walk read: its physical address and value. */
export interface PteRead {
  /** 1 for the root table, 0 for the second level. */
  readonly level: 0 | 1;
  readonly address: number;
  readonly pte: number;
}

/** What `MonitorPort.walk` returns. */
export type Sv32WalkResult =
  | {
      readonly ok: true;
      /** True when satp's MODE is Bare: no table, `pa` = `va`, `chain` empty, `pte` 0. */
      readonly bare: boolean;
      /** Physical address of `va` (a double: Sv32 reaches 34 bits). */
      readonly pa: number;
      /** The leaf PTE as it is in memory (A/D not updated: the walk has no side effects). */
      readonly pte: number;
      readonly pageSize: 4096 | 4194304;
      readonly chain: readonly PteRead[];
    }
  | {
      readonly ok: false;
      /** The exception the hart would raise for this access: a page fault, or an access fault when PMP denies a PTE read. */
      readonly cause: number;
      readonly reason: WalkFaultReason;
      readonly chain: readonly PteRead[];
    };

/** Options of a monitor's walk: the privilege of the access (default S) and mstatus.SUM/MXR (default off). */
export interface WalkOptions {
  readonly priv?: 0 | 1;
  readonly sum?: boolean;
  readonly mxr?: boolean;
}

/** Runs `walker` for a monitor and describes the outcome as a value. */
export function describeWalk(walker: Sv32Walker, satp: number, va: number, access: AccessKind, opts: WalkOptions = {}): Sv32WalkResult {
  if (access !== ACCESS_LOAD && access !== ACCESS_STORE && access !== ACCESS_FETCH) throw new RangeError(`walk: access must be 0 (load), 1 (store) or 2 (fetch), got ${String(access)}`);
  const priv = opts.priv ?? 1;
  if (priv !== 0 && priv !== 1) throw new RangeError(`walk: priv must be 0 (U) or 1 (S), got ${String(priv)}`);
  if (satp >>> 31 === 0) return { ok: true, bare: true, pa: va >>> 0, pte: 0, pageSize: 4096, chain: [] };
  const mstatus = (opts.sum === true ? MSTATUS.SUM : 0) | (opts.mxr === true ? MSTATUS.MXR : 0);
  const outcome = walker.walk(satp, va, access, priv, mstatus);
  const chain: PteRead[] = [];
  // A PTE that could not be read (not RAM, or PMP) is not in the chain.
  const read = walker.reason === 'pte-not-in-ram' || walker.reason === 'pmp-denies-pte-read' ? walker.levels - 1 : walker.levels;
  for (let k = 0; k < read; k++) chain.push({ level: k === 0 ? 1 : 0, address: walker.pteAddress[k]!, pte: walker.pteValue[k]! });
  if (outcome === WALK_OK) {
    return { ok: true, bare: false, pa: walker.page + (va & 0xfff), pte: walker.leafPte, pageSize: walker.leafLevel === 1 ? 4194304 : 4096, chain };
  }
  return { ok: false, cause: outcome === WALK_ACCESS_FAULT ? accessFaultCause(access) : pageFaultCause(access), reason: walker.reason!, chain };
}
