/**
 * The walk of the guest's own Sv32 tables (priv 4.3.2), in guest-physical memory: what the
 * hart's walker does for a real satp, for the guest's virtual satp. The leaf rule (U, SUM, MXR)
 * is cpu-core's `ptePermits`. Step 7 — setting A, and D on a store — is done here as the hart
 * does it (hardware-managed A/D, as QEMU 7.2), so the guest sees the same bits as on the board.
 */
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE, pageFaultCause, ptePermits } from '@virtlab/cpu-core';
import type { AccessKind } from '@virtlab/cpu-core';
import type { GuestMemory } from '@virtlab/lab-kit';

/** A table page the walk read, and which part of the address space it translates. */
export interface TableUse {
  /** Guest-physical address of the table page. */
  readonly page: number;
  /** 1: the root (its entries cover 4 MiB each); 0: a second-level table (4 KiB each). */
  readonly level: 0 | 1;
  /** Virtual address its entry 0 translates. */
  readonly vaBase: number;
}

export type GuestWalk =
  | {
      readonly ok: true;
      /** Guest-physical address of the byte `va` names. */
      readonly gpa: number;
      /** The leaf PTE after the A/D update. */
      readonly pte: number;
      /** 1: the leaf is a 4 MiB megapage; 0: a 4 KiB page. */
      readonly level: 0 | 1;
      readonly tables: readonly TableUse[];
    }
  | { readonly ok: false; readonly cause: number; readonly tables: readonly TableUse[] };

/**
 * Walks guest satp `satp` (Sv32 mode assumed) for `va`, by virtual privilege `priv` with SUM and
 * MXR from `sstatus`. A PTE outside guest RAM is a page fault (QEMU 7.2, as the hart).
 */
export function walkGuest(mem: GuestMemory, satp: number, va: number, access: AccessKind, priv: number, sstatus: number, updateAd = true): GuestWalk {
  const tables: TableUse[] = [];
  const fault = (): GuestWalk => ({ ok: false, cause: pageFaultCause(access), tables });
  let table = (satp & 0x3fffff) * 4096;
  let level: 0 | 1 = 1;
  for (;;) {
    tables.push({ page: table, level, vaBase: level === 1 ? 0 : (va & 0xffc00000) | 0 });
    const pteAddr = table + (level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff) * 4;
    if (!mem.contains(pteAddr, 4)) return fault();
    let pte = mem.read(pteAddr, 4) | 0;
    if ((pte & PTE.V) === 0 || ((pte & PTE.R) === 0 && (pte & PTE.W) !== 0)) return fault();
    if ((pte & (PTE.R | PTE.X)) === 0) {
      if (level === 0) return fault();
      table = (pte >>> 10) * 4096;
      level = 0;
      continue;
    }
    if (!ptePermits(pte, access, priv, sstatus)) return fault();
    if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) return fault(); // misaligned megapage
    const want = PTE.A | (access === ACCESS_STORE ? PTE.D : 0);
    if (updateAd && (pte & want) !== want) {
      pte |= want;
      mem.write(pteAddr, pte, 4);
    }
    const page = level === 1 ? (pte >>> 20) * 4194304 + (va & 0x3ff000) : (pte >>> 10) * 4096;
    return { ok: true, gpa: page + (va & 0xfff), pte, level, tables };
  }
}

/** What the leaf lets `priv` do: bit 0 load, bit 1 store, bit 2 fetch. */
export function leafRights(pte: number, priv: number, sstatus: number): number {
  return (ptePermits(pte, ACCESS_LOAD, priv, sstatus) ? 1 : 0) | (ptePermits(pte, ACCESS_STORE, priv, sstatus) ? 2 : 0) | (ptePermits(pte, ACCESS_FETCH, priv, sstatus) ? 4 : 0);
}
