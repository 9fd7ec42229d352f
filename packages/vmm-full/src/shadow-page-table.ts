/**
 * Shadow paging: the Sv32 tables the hart really walks while the guest runs, built lazily from
 * the guest's own tables (guest virtual → host physical), one shadow for virtual S and one for
 * virtual U, each with its own real ASID so that switching between them flushes nothing.
 *
 * - A shadow leaf is always a 4 KiB page with U set (the guest runs in real U-mode); its R/W/X are
 *   what the guest's leaf allows the virtual privilege, with SUM and MXR applied (priv 4.3.1), so
 *   guest megapages are split into pages and the U bit, SUM and MXR are emulated.
 * - W is granted only once the guest's D bit is set (the first store faults, hidden, and sets D),
 *   and never on a page that holds a guest page table: guest page-table pages are write-protected,
 *   so updates fault and the shadow entries they feed are dropped (coherence without sfence).
 * - Guest-physical addresses outside the VM's RAM (its devices) are never mapped: every access
 *   faults and the hypervisor emulates it (trapping MMIO).
 * - With the guest's satp bare, the shadow maps guest-physical RAM to the VM's slice.
 *
 * Shadow tables live in a pool of host pages the hypervisor owns, outside every VM's slice; when
 * the pool runs dry the shadows are dropped and rebuilt on demand.
 */
import { ACCESS_STORE, MSTATUS, PTE, accessFaultCause } from '@virtlab/cpu-core';
import type { AccessKind } from '@virtlab/cpu-core';
import type { Bus } from '@virtlab/hw-model';
import type { GuestMemory } from './guest-memory.js';
import { leafRights, walkGuest } from './guest-page-walk.js';
import type { TableUse } from './guest-page-walk.js';
import type { VirtualPrivilege } from './vcpu.js';

export class ShadowPagingError extends Error {
  override name = 'ShadowPagingError';
}

/** What a page fault of the guest turned out to be. */
export type ShadowFault =
  /**
   * A hidden fault: the shadow lacked the entry and now has it; resume the guest. `pages` shadow
   * leaves were written: 1, or the 1024 pages of a guest megapage (or of 4 MiB of bare memory),
   * filled at once so that a megapage costs one exit, not one per page.
   */
  | { readonly kind: 'filled'; readonly pages: number }
  /** A true guest fault: reflect `cause` with stval = the faulting address. */
  | { readonly kind: 'guest'; readonly cause: number }
  /** An access to guest-physical `gpa` outside RAM: emulate the device access. */
  | { readonly kind: 'mmio'; readonly gpa: number }
  /** A store to a write-protected guest page-table page at guest-physical `gpa`: emulate it, then `tableWritten`. */
  | { readonly kind: 'table-write'; readonly gpa: number };

/** The guest's translation state a fill depends on. */
export interface GuestMmuState {
  readonly priv: VirtualPrivilege;
  readonly satp: number;
  readonly sstatus: number;
}

/** Counts of the shadow's own work (the hypervisor prices them). */
export interface ShadowCounters {
  fills: number;
  /** Shadow leaves written by fills (a megapage fill writes up to 1024). */
  leaves: number;
  /** Shadow tables dropped: whole flushes, one context, 4 MiB ranges, single pages. */
  flushes: number;
  rangeInvalidations: number;
  pageInvalidations: number;
  /** Shadow entries whose W bit was taken away because their page became a guest page table. */
  writeProtects: number;
  /** Times the pool ran dry. */
  poolExhausted: number;
}

const PAGE = 4096;
const SATP_SV32 = 0x80000000 | 0;
/** Real ASID of the shadow of virtual privilege p: p + 1 (ASID 0 stays the hypervisor's). */
export const shadowAsid = (priv: VirtualPrivilege): number => priv + 1;

export class ShadowPageTables {
  readonly counters: ShadowCounters = { fills: 0, leaves: 0, flushes: 0, rangeInvalidations: 0, pageInvalidations: 0, writeProtects: 0, poolExhausted: 0 };
  readonly #ram32: Int32Array;
  readonly #ramBase: number;
  /** Host-physical root page of the shadow of virtual U (index 0) and virtual S (index 1). */
  readonly #roots: [number, number];
  readonly #free: number[] = [];
  /** Guest page-table pages (guest-physical page address) → the parts of the address space they translate. */
  readonly #tables = new Map<number, TableUse[]>();
  /** Guest-physical page → shadow leaves (host address of the shadow PTE) that map it writable. */
  readonly #writers = new Map<number, number[]>();

  /**
   * @param bus the host bus (shadow tables are host RAM)
   * @param guest the VM's guest-physical RAM
   * @param poolBase host-physical base of the pages the shadows may use (at least 3)
   * @param poolPages how many
   * @param flushTlb drops real TLB entries: of page `va` (or all) in real ASID `asid` (or all)
   */
  constructor(
    bus: Bus,
    readonly guest: GuestMemory,
    poolBase: number,
    poolPages: number,
    readonly flushTlb: (va: number | undefined, asid: number | undefined) => void,
  ) {
    if (poolPages < 3 || poolBase % PAGE !== 0 || !bus.isRam(poolBase, poolPages * PAGE)) {
      throw new ShadowPagingError(`shadow pool at 0x${poolBase.toString(16)} of ${poolPages} pages: needs at least 3 page-aligned pages of host RAM`);
    }
    const slice = [guest.hostBase, guest.hostBase + guest.size];
    if (poolBase < slice[1]! && slice[0]! < poolBase + poolPages * PAGE) {
      throw new ShadowPagingError(`shadow pool at 0x${poolBase.toString(16)} of ${poolPages} pages overlaps the VM's slice 0x${slice[0]!.toString(16)}..0x${slice[1]!.toString(16)}`);
    }
    this.#ram32 = bus.ram32;
    this.#ramBase = bus.ramBase;
    this.#roots = [poolBase, poolBase + PAGE];
    for (let p = poolPages - 1; p >= 2; p--) this.#free.push(poolBase + p * PAGE);
    this.#zero(this.#roots[0]);
    this.#zero(this.#roots[1]);
  }

  /** The real satp that runs virtual privilege `priv` on its shadow. */
  satpFor(priv: VirtualPrivilege): number {
    return SATP_SV32 | (shadowAsid(priv) << 22) | (this.#roots[priv] / PAGE);
  }

  /** Pages of the pool now free. */
  get freePages(): number {
    return this.#free.length;
  }

  /** Whether guest-physical page `gpa` is known to hold a guest page table (and is write-protected). */
  isGuestTable(gpa: number): boolean {
    return this.#tables.has(pageOf(gpa));
  }

  /**
   * Handles a real page fault at `va` by access `access` while the guest ran in `state`: fills the
   * shadow from the guest's tables, or says what else the fault is.
   */
  fault(va: number, access: AccessKind, state: GuestMmuState): ShadowFault {
    // A fill takes at most one table page; when the pool is dry, start over first (deterministic:
    // same guest, same points), so no flush falls between noting the guest's tables and the fill.
    if (this.#free.length === 0) {
      this.counters.poolExhausted++;
      this.flushAll();
    }
    let gpa: number;
    let rights: number;
    let tables: readonly TableUse[] = [];
    let mega = true;
    if (state.satp >= 0) {
      // Bare: guest-physical = guest-virtual, everything allowed (priv 4.1.11).
      gpa = va >>> 0;
      rights = 7;
    } else {
      const walk = walkGuest(this.guest, state.satp, va, access, state.priv, state.sstatus);
      tables = walk.tables;
      if (!walk.ok) return { kind: 'guest', cause: walk.cause };
      gpa = walk.gpa;
      mega = walk.level === 1;
      rights = leafRights(walk.pte, state.priv, state.sstatus);
      if ((walk.pte & PTE.D) === 0) rights &= ~2; // the first store must come back to set D
    }
    if (!this.guest.contains(gpa, 1)) {
      // Outside RAM: a device (emulated) or nothing (an access fault, as the bus gives natively).
      return { kind: 'mmio', gpa };
    }
    for (const t of tables) this.#noteTable(t);
    if (this.#tables.has(pageOf(gpa)) && access === ACCESS_STORE) return { kind: 'table-write', gpa };
    this.counters.fills++;
    if (!mega) {
      this.#install(state.priv, va, pageOf(gpa), rights);
      this.counters.leaves++;
      return { kind: 'filled', pages: 1 };
    }
    // Every page of the megapage (the same leaf, so the same rights), except those outside RAM.
    const vaBase = (va & 0xffc00000) | 0;
    const gpaBase = pageOf(gpa) - (va & 0x3ff000);
    let pages = 0;
    for (let i = 0; i < 1024; i++) {
      const page = gpaBase + i * PAGE;
      if (!this.guest.contains(page, PAGE)) continue;
      this.#install(state.priv, (vaBase + i * PAGE) | 0, page, rights, false);
      pages++;
    }
    this.flushTlb(undefined, shadowAsid(state.priv));
    this.counters.leaves += pages;
    return { kind: 'filled', pages };
  }

  /**
   * After the hypervisor wrote `width` bytes at guest-physical `gpa` in a guest page table: drops
   * every shadow entry the changed PTE fed, in both shadows.
   */
  tableWritten(gpa: number, width: number): void {
    const uses = this.#tables.get(pageOf(gpa));
    if (uses === undefined) return;
    const first = ((gpa & 0xfff) >>> 2);
    const last = (((gpa + width - 1) & 0xfff) >>> 2);
    for (const u of uses) {
      for (let i = first; i <= last; i++) {
        if (u.level === 1) this.#dropRange(i);
        else this.invalidatePage((u.vaBase + i * PAGE) | 0);
      }
    }
  }

  /**
   * Stops treating guest page `gpa` as a page table (an update the hypervisor does not emulate:
   * an AMO or SC on a PTE): drops every shadow entry it fed and lifts its write protection, so the
   * guest's own store then runs. The next walk through the page protects it again.
   */
  untrackTable(gpa: number): void {
    const uses = this.#tables.get(pageOf(gpa));
    if (uses === undefined) return;
    this.#tables.delete(pageOf(gpa));
    for (const u of uses) {
      if (u.level === 1) {
        this.#clearRoot(0);
        this.#clearRoot(1);
        this.counters.flushes++;
      } else {
        this.#dropRange(u.vaBase >>> 22);
      }
    }
    this.flushTlb(undefined, undefined);
  }

  /** sfence.vma with an address: drops page `va` from both shadows. */
  invalidatePage(va: number): void {
    this.counters.pageInvalidations++;
    for (const priv of [0, 1] as const) {
      const l1 = this.#roots[priv] + (va >>> 22) * 4;
      const dir = this.#get(l1);
      if ((dir & PTE.V) === 0) continue;
      this.#set((dir >>> 10) * PAGE + ((va >>> 12) & 0x3ff) * 4, 0);
    }
    this.flushTlb(va & ~0xfff, undefined);
  }

  /** Drops one shadow (SUM or MXR changed: the virtual S shadow's rights no longer hold). */
  flushContext(priv: VirtualPrivilege): void {
    this.counters.flushes++;
    this.#clearRoot(priv);
    this.flushTlb(undefined, shadowAsid(priv));
  }

  /** Drops both shadows and forgets which guest pages are page tables (satp write, sfence.vma x0). */
  flushAll(): void {
    this.counters.flushes++;
    this.#clearRoot(0);
    this.#clearRoot(1);
    this.#tables.clear();
    this.#writers.clear();
    this.flushTlb(undefined, undefined);
  }

  /** Whether a change of sstatus from `before` to `after` changes what the S shadow allows. */
  static sstatusMatters(before: number, after: number): boolean {
    return ((before ^ after) & (MSTATUS.SUM | MSTATUS.MXR)) !== 0;
  }

  /** The access-fault cause for `access` (a guest access to a physical address where nothing answers). */
  static accessFault(access: AccessKind): number {
    return accessFaultCause(access);
  }

  #noteTable(t: TableUse): void {
    let uses = this.#tables.get(t.page);
    if (uses === undefined) {
      uses = [];
      this.#tables.set(t.page, uses);
      this.#writeProtect(t.page);
    }
    if (!uses.some((u) => u.level === t.level && u.vaBase === t.vaBase)) uses.push(t);
  }

  /** Takes W away from every shadow leaf that maps guest page `page`. */
  #writeProtect(page: number): void {
    const leaves = this.#writers.get(page);
    if (leaves === undefined) return;
    this.#writers.delete(page);
    const host = this.guest.hostAddress(page) / PAGE;
    for (const a of leaves) {
      const pte = this.#get(a);
      // The entry may have been dropped or reused since: only a leaf still mapping the page counts.
      if ((pte & PTE.V) === 0 || pte >>> 10 !== host || (pte & PTE.W) === 0) continue;
      this.#set(a, pte & ~PTE.W);
      this.counters.writeProtects++;
    }
    this.flushTlb(undefined, undefined);
  }

  /** Writes one shadow leaf; W is never given on a guest page table. */
  #install(priv: VirtualPrivilege, va: number, page: number, rights: number, flush = true): void {
    if (this.#tables.has(page)) rights &= ~2;
    const l1 = this.#roots[priv] + (va >>> 22) * 4;
    let dir = this.#get(l1);
    if ((dir & PTE.V) === 0) {
      const table = this.#allocate();
      dir = ((table / PAGE) << 10) | PTE.V;
      this.#set(l1, dir);
    }
    const leafAddr = (dir >>> 10) * PAGE + ((va >>> 12) & 0x3ff) * 4;
    let flags = PTE.V | PTE.U | PTE.A | PTE.D;
    if ((rights & 1) !== 0) flags |= PTE.R;
    if ((rights & 2) !== 0) flags |= PTE.W | PTE.R;
    if ((rights & 4) !== 0) flags |= PTE.X;
    this.#set(leafAddr, ((this.guest.hostAddress(page) / PAGE) << 10) | flags);
    if ((rights & 2) !== 0) {
      const list = this.#writers.get(page);
      if (list === undefined) this.#writers.set(page, [leafAddr]);
      else list.push(leafAddr);
    }
    if (flush) this.flushTlb(va & ~0xfff, shadowAsid(priv));
  }

  /** Root entry `index` (4 MiB) of both shadows. */
  #dropRange(index: number): void {
    this.counters.rangeInvalidations++;
    for (const priv of [0, 1] as const) {
      const l1 = this.#roots[priv] + index * 4;
      const dir = this.#get(l1);
      if ((dir & PTE.V) === 0) continue;
      this.#set(l1, 0);
      this.#free.push((dir >>> 10) * PAGE);
    }
    this.flushTlb(undefined, undefined);
  }

  #clearRoot(priv: VirtualPrivilege): void {
    const root = this.#roots[priv];
    for (let i = 0; i < 1024; i++) {
      const dir = this.#get(root + i * 4);
      if ((dir & PTE.V) === 0) continue;
      this.#set(root + i * 4, 0);
      this.#free.push((dir >>> 10) * PAGE);
    }
  }

  #allocate(): number {
    const page = this.#free.pop();
    if (page === undefined) throw new ShadowPagingError('shadow pool is empty in the middle of a fill');
    this.#zero(page);
    return page;
  }

  #zero(page: number): void {
    const i = (page - this.#ramBase) >>> 2;
    this.#ram32.fill(0, i, i + 1024);
  }

  #get(hostAddr: number): number {
    return this.#ram32[(hostAddr - this.#ramBase) >>> 2]!;
  }

  #set(hostAddr: number, value: number): void {
    this.#ram32[(hostAddr - this.#ramBase) >>> 2] = value;
  }
}

function pageOf(a: number): number {
  return (a >>> 0) - ((a >>> 0) % PAGE);
}
