/**
 * Shadow paging: the Sv32 tables the hart really walks while the guest runs, built lazily from
 * the guest's own tables (guest virtual → host physical), one shadow for virtual S and one for
 * virtual U, each with its own real ASID so that switching between them flushes nothing. Shadows
 * are kept for several guest address spaces at once (a few slots, by guest satp, least recently
 * used one reused), so that a guest context switch is a switch of shadow roots, not a refill.
 *
 * - A shadow leaf has U set (the guest runs in real U-mode); its R/W/X are what the guest's leaf
 *   allows the virtual privilege, with SUM and MXR applied (priv 4.3.1): the U bit, SUM and MXR
 *   are emulated. A guest megapage is shadowed by a megapage when all of it is guest RAM, its host
 *   frame is 4 MiB-aligned and no guest page table lies inside it; otherwise it is split into
 *   4 KiB pages (all 1024 written by one fault), and a megapage in which a page table turns up
 *   later is dropped, to be refilled split.
 * - W is granted only once the guest's D bit is set (the first store faults, hidden, and sets D),
 *   and never on a page that holds a guest page table: guest page-table pages are write-protected,
 *   so updates fault and the shadow entries they feed are dropped (coherence without sfence).
 * - Guest-physical addresses outside the VM's RAM (its devices) are never mapped: every access
 *   faults and the hypervisor emulates it (trapping MMIO).
 * - With the guest's satp bare, the shadow maps guest-physical RAM to the VM's slice.
 *
 * Because every guest page table a shadow entry came from is write-protected, the shadows stay
 * coherent with the guest's tables without sfence.vma; a table written over and over without being
 * walked in between (a page-table page being freed and reused) loses its protection and the
 * entries it fed (KVM's write-flooding rule), and is protected again by the next walk through it.
 *
 * Shadow tables live in a pool of host pages the hypervisor owns, outside every VM's slice; when
 * the pool runs dry the shadows are dropped and rebuilt on demand.
 */
import { ACCESS_STORE, MSTATUS, PTE, accessFaultCause } from '@virtlab/cpu-core';
import type { AccessKind } from '@virtlab/cpu-core';
import type { Bus } from '@virtlab/hw-model';
import type { GuestMemory } from '@virtlab/lab-kit';
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
  /** Guest address-space switches that found their shadows kept, and that had to start empty. */
  spaceHits: number;
  spaceMisses: number;
  /** Guest page tables unprotected after a flood of writes. */
  floods: number;
}

const PAGE = 4096;
const SATP_SV32 = 0x80000000 | 0;
/** Stores into one guest page table, with no walk through it in between, before it is unprotected. */
export const TABLE_WRITE_FLOOD = 8;
/** Real ASID of the shadow of virtual privilege `priv` in slot `slot` (ASID 0 stays the hypervisor's). */
export const shadowAsid = (priv: VirtualPrivilege, slot = 0): number => 2 * slot + priv + 1;

/** One guest address space's pair of shadows. */
interface Space {
  /** The guest satp it shadows (0 for bare), undefined while unused. */
  key: number | undefined;
  /** Host-physical root pages: virtual U (0), virtual S (1). */
  readonly roots: [number, number];
  lastUse: number;
}

/** Where a guest table page is used: in which slot's shadows, at which level, for which addresses. */
interface SlotUse {
  readonly slot: number;
  readonly level: 0 | 1;
  readonly vaBase: number;
}

export class ShadowPageTables {
  readonly counters: ShadowCounters = { fills: 0, leaves: 0, flushes: 0, rangeInvalidations: 0, pageInvalidations: 0, writeProtects: 0, poolExhausted: 0, spaceHits: 0, spaceMisses: 0, floods: 0 };
  readonly #ram32: Int32Array;
  readonly #ramBase: number;
  readonly #spaces: Space[] = [];
  #cur = 0;
  #clock = 0;
  readonly #free: number[] = [];
  /** Guest page-table pages (guest-physical page address) → the parts of which address spaces they translate. */
  readonly #tables = new Map<number, SlotUse[]>();
  /** Stores into a guest table page since the last walk through it. */
  readonly #tableWrites = new Map<number, number>();
  /** Guest-physical page → shadow leaves (host address of the shadow PTE) that map it writable. */
  readonly #writers = new Map<number, number[]>();
  /** Guest-physical megapage base → shadow megapage leaves (host address of the root entry) mapping it. */
  readonly #megas = new Map<number, number[]>();

  /**
   * @param bus the host bus (shadow tables are host RAM)
   * @param guest the VM's guest-physical RAM
   * @param poolBase host-physical base of the pages the shadows may use (at least 3)
   * @param poolPages how many
   * @param flushTlb drops real TLB entries: of page `va` (or all) in real ASID `asid` (or all)
   * @param spaces guest address spaces kept at once (default: 8, fewer when the pool is small)
   * @param asidBase added to every real ASID (`shadowAsid`): VMs on one hart get disjoint ranges, so
   *   switching VMs flushes nothing either
   */
  constructor(
    bus: Bus,
    readonly guest: GuestMemory,
    poolBase: number,
    poolPages: number,
    readonly flushTlb: (va: number | undefined, asid: number | undefined) => void,
    spaces = Math.min(8, Math.floor((poolPages - 1) / 2)),
    readonly asidBase = 0,
  ) {
    if (!Number.isInteger(asidBase) || asidBase < 0 || asidBase + 2 * spaces >= 512) {
      throw new ShadowPagingError(`ASIDs ${String(asidBase + 1)}..${String(asidBase + 2 * spaces)} for ${String(spaces)} shadow address spaces do not fit Sv32's 9-bit ASID`);
    }
    if (!Number.isInteger(spaces) || spaces < 1 || spaces > 255 || 2 * spaces + 1 > poolPages) {
      throw new ShadowPagingError(`${String(spaces)} shadow address spaces need 1..255 spaces and 2 root pages each plus one table page; the pool has ${poolPages} pages`);
    }
    if (poolPages < 3 || poolBase % PAGE !== 0 || !bus.isRam(poolBase, poolPages * PAGE)) {
      throw new ShadowPagingError(`shadow pool at 0x${poolBase.toString(16)} of ${poolPages} pages: needs at least 3 page-aligned pages of host RAM`);
    }
    const slice = [guest.hostBase, guest.hostBase + guest.size];
    if (poolBase < slice[1]! && slice[0]! < poolBase + poolPages * PAGE) {
      throw new ShadowPagingError(`shadow pool at 0x${poolBase.toString(16)} of ${poolPages} pages overlaps the VM's slice 0x${slice[0]!.toString(16)}..0x${slice[1]!.toString(16)}`);
    }
    this.#ram32 = bus.ram32;
    this.#ramBase = bus.ramBase;
    for (let i = 0; i < spaces; i++) {
      const roots: [number, number] = [poolBase + 2 * i * PAGE, poolBase + (2 * i + 1) * PAGE];
      this.#zero(roots[0]);
      this.#zero(roots[1]);
      this.#spaces.push({ key: i === 0 ? 0 : undefined, roots, lastUse: 0 });
    }
    for (let p = poolPages - 1; p >= 2 * spaces; p--) this.#free.push(poolBase + p * PAGE);
  }

  /** The real ASIDs these shadows use: asidBase + 1 .. asidBase + 2 × spaces. */
  get asids(): readonly number[] {
    return Array.from({ length: 2 * this.#spaces.length }, (_, i) => this.asidBase + i + 1);
  }

  #asid(priv: VirtualPrivilege, slot: number): number {
    return this.asidBase + shadowAsid(priv, slot);
  }

  /** The real satp that runs virtual privilege `priv` on the shadow of the current guest address space. */
  satpFor(priv: VirtualPrivilege): number {
    return SATP_SV32 | (this.#asid(priv, this.#cur) << 22) | (this.#spaces[this.#cur]!.roots[priv] / PAGE);
  }

  /**
   * Makes the shadows of guest satp `satp` current (a guest satp write): kept ones if this
   * address space was shadowed recently, else the least recently used slot, emptied.
   */
  select(satp: number): void {
    const key = satp < 0 ? satp : 0;
    const space = this.#spaces[this.#cur]!;
    if (space.key === key) {
      space.lastUse = ++this.#clock;
      return;
    }
    let slot = this.#spaces.findIndex((s) => s.key === key);
    if (slot >= 0) {
      this.counters.spaceHits++;
    } else {
      this.counters.spaceMisses++;
      slot = 0;
      for (let i = 1; i < this.#spaces.length; i++) if (this.#spaces[i]!.lastUse < this.#spaces[slot]!.lastUse) slot = i;
      this.#emptySlot(slot);
      this.#spaces[slot]!.key = key;
    }
    this.#cur = slot;
    this.#spaces[slot]!.lastUse = ++this.#clock;
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
    this.select(state.satp);
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
    for (const t of tables) this.#noteTable(t.page, { slot: this.#cur, level: t.level, vaBase: t.vaBase });
    if (this.#tables.has(pageOf(gpa)) && access === ACCESS_STORE) return { kind: 'table-write', gpa };
    this.counters.fills++;
    if (!mega) {
      this.#install(state.priv, va, pageOf(gpa), rights);
      this.counters.leaves++;
      return { kind: 'filled', pages: 1 };
    }
    const vaBase = (va & 0xffc00000) | 0;
    const gpaBase = pageOf(gpa) - (va & 0x3ff000);
    if (this.#megaAllowed(gpaBase)) {
      this.#installMega(state.priv, vaBase, gpaBase, rights);
      this.counters.leaves++;
      return { kind: 'filled', pages: 1 };
    }
    // Every page of the megapage (the same leaf, so the same rights), except those outside RAM.
    let pages = 0;
    for (let i = 0; i < 1024; i++) {
      const page = gpaBase + i * PAGE;
      if (!this.guest.contains(page, PAGE)) continue;
      this.#install(state.priv, (vaBase + i * PAGE) | 0, page, rights, false);
      pages++;
    }
    this.flushTlb(undefined, this.#asid(state.priv, this.#cur));
    this.counters.leaves += pages;
    return { kind: 'filled', pages };
  }

  /**
   * After the hypervisor wrote `width` bytes at guest-physical `gpa` in a guest page table: drops
   * every shadow entry the changed PTE fed, in both shadows.
   */
  tableWritten(gpa: number, width: number): void {
    const page = pageOf(gpa);
    const uses = this.#tables.get(page);
    if (uses === undefined) return;
    const writes = (this.#tableWrites.get(page) ?? 0) + 1;
    if (writes > TABLE_WRITE_FLOOD) {
      this.counters.floods++;
      this.untrackTable(page);
      return;
    }
    this.#tableWrites.set(page, writes);
    const first = ((gpa & 0xfff) >>> 2);
    const last = (((gpa + width - 1) & 0xfff) >>> 2);
    for (const u of uses) {
      for (let i = first; i <= last; i++) {
        if (u.level === 1) this.#dropRange(u.slot, i);
        else this.#dropPage(u.slot, (u.vaBase + i * PAGE) | 0);
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
    this.#tableWrites.delete(pageOf(gpa));
    for (const u of uses) {
      if (u.level === 1) {
        this.#clearRoot(u.slot, 0);
        this.#clearRoot(u.slot, 1);
        this.counters.flushes++;
      } else {
        this.#dropRange(u.slot, u.vaBase >>> 22);
      }
    }
    this.flushTlb(undefined, undefined);
  }

  /** sfence.vma with an address (and x0 for the ASID: every address space): drops page `va` from every shadow. */
  invalidatePage(va: number): void {
    for (let slot = 0; slot < this.#spaces.length; slot++) this.#dropPage(slot, va);
  }

  /** Drops one privilege's shadows (SUM or MXR changed: the virtual S shadows' rights no longer hold). */
  flushContext(priv: VirtualPrivilege): void {
    this.counters.flushes++;
    for (let slot = 0; slot < this.#spaces.length; slot++) {
      this.#clearRoot(slot, priv);
      this.flushTlb(undefined, this.#asid(priv, slot));
    }
  }

  /** Drops every shadow and forgets which guest pages are page tables. */
  flushAll(): void {
    this.counters.flushes++;
    for (let slot = 0; slot < this.#spaces.length; slot++) {
      this.#clearRoot(slot, 0);
      this.#clearRoot(slot, 1);
    }
    this.#tables.clear();
    this.#tableWrites.clear();
    this.#writers.clear();
    this.#megas.clear();
    this.flushTlb(undefined, undefined);
  }

  #dropPage(slot: number, va: number): void {
    this.counters.pageInvalidations++;
    for (const priv of [0, 1] as const) {
      const l1 = this.#spaces[slot]!.roots[priv] + (va >>> 22) * 4;
      const dir = this.#get(l1);
      if ((dir & PTE.V) === 0) continue;
      if (isLeaf(dir)) this.#set(l1, 0); // a shadow megapage: all of it goes
      else this.#set((dir >>> 10) * PAGE + ((va >>> 12) & 0x3ff) * 4, 0);
      this.flushTlb(va & ~0xfff, this.#asid(priv, slot));
    }
  }

  /** Empties a slot for another address space: its shadows, and the table uses that point into it. */
  #emptySlot(slot: number): void {
    this.#clearRoot(slot, 0);
    this.#clearRoot(slot, 1);
    for (const [page, uses] of this.#tables) {
      const kept = uses.filter((u) => u.slot !== slot);
      if (kept.length === 0) this.#tables.delete(page);
      else this.#tables.set(page, kept);
    }
    this.flushTlb(undefined, this.#asid(0, slot));
    this.flushTlb(undefined, this.#asid(1, slot));
  }

  /** Whether a change of sstatus from `before` to `after` changes what the S shadow allows. */
  static sstatusMatters(before: number, after: number): boolean {
    return ((before ^ after) & (MSTATUS.SUM | MSTATUS.MXR)) !== 0;
  }

  /** The access-fault cause for `access` (a guest access to a physical address where nothing answers). */
  static accessFault(access: AccessKind): number {
    return accessFaultCause(access);
  }

  /** Whether guest megapage `gpaBase` may be shadowed by one megapage leaf. */
  #megaAllowed(gpaBase: number): boolean {
    if (!this.guest.contains(gpaBase, MEGA) || this.guest.hostAddress(gpaBase) % MEGA !== 0) return false;
    for (const page of this.#tables.keys()) if (page >= gpaBase && page < gpaBase + MEGA) return false;
    return true;
  }

  #installMega(priv: VirtualPrivilege, vaBase: number, gpaBase: number, rights: number): void {
    const l1 = this.#spaces[this.#cur]!.roots[priv] + (vaBase >>> 22) * 4;
    const old = this.#get(l1);
    if ((old & PTE.V) !== 0 && !isLeaf(old)) this.#free.push((old >>> 10) * PAGE);
    this.#set(l1, ((this.guest.hostAddress(gpaBase) / PAGE) << 10) | leafFlags(rights));
    const list = this.#megas.get(gpaBase);
    if (list === undefined) this.#megas.set(gpaBase, [l1]);
    else list.push(l1);
    this.flushTlb(undefined, this.#asid(priv, this.#cur));
  }

  #noteTable(page: number, use: SlotUse): void {
    this.#tableWrites.delete(page);
    let uses = this.#tables.get(page);
    if (uses === undefined) {
      uses = [];
      this.#tables.set(page, uses);
      this.#writeProtect(page);
    }
    if (!uses.some((u) => u.slot === use.slot && u.level === use.level && u.vaBase === use.vaBase)) uses.push(use);
  }

  /** Takes W away from every shadow leaf that maps guest page `page`, and drops shadow megapages holding it. */
  #writeProtect(page: number): void {
    const megaBase = page - (page % MEGA);
    const megas = this.#megas.get(megaBase);
    if (megas !== undefined) {
      this.#megas.delete(megaBase);
      const host = this.guest.contains(megaBase, MEGA) ? this.guest.hostAddress(megaBase) / PAGE : -1;
      for (const a of megas) {
        const pte = this.#get(a);
        if ((pte & PTE.V) === 0 || !isLeaf(pte) || pte >>> 10 !== host) continue;
        this.#set(a, 0);
        this.counters.writeProtects++;
      }
      this.flushTlb(undefined, undefined);
    }
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
    const l1 = this.#spaces[this.#cur]!.roots[priv] + (va >>> 22) * 4;
    let dir = this.#get(l1);
    if ((dir & PTE.V) === 0 || isLeaf(dir)) {
      // No table yet, or a shadow megapage now to be split: a fresh table.
      const table = this.#allocate();
      dir = ((table / PAGE) << 10) | PTE.V;
      this.#set(l1, dir);
    }
    const leafAddr = (dir >>> 10) * PAGE + ((va >>> 12) & 0x3ff) * 4;
    this.#set(leafAddr, ((this.guest.hostAddress(page) / PAGE) << 10) | leafFlags(rights));
    if ((rights & 2) !== 0) {
      const list = this.#writers.get(page);
      if (list === undefined) this.#writers.set(page, [leafAddr]);
      else list.push(leafAddr);
    }
    if (flush) this.flushTlb(va & ~0xfff, this.#asid(priv, this.#cur));
  }

  /** Root entry `index` (4 MiB) of both shadows of a slot. */
  #dropRange(slot: number, index: number): void {
    this.counters.rangeInvalidations++;
    for (const priv of [0, 1] as const) {
      const l1 = this.#spaces[slot]!.roots[priv] + index * 4;
      const dir = this.#get(l1);
      if ((dir & PTE.V) === 0) continue;
      this.#set(l1, 0);
      if (!isLeaf(dir)) this.#free.push((dir >>> 10) * PAGE);
    }
    this.flushTlb(undefined, undefined);
  }

  #clearRoot(slot: number, priv: VirtualPrivilege): void {
    const root = this.#spaces[slot]!.roots[priv];
    for (let i = 0; i < 1024; i++) {
      const dir = this.#get(root + i * 4);
      if ((dir & PTE.V) === 0) continue;
      this.#set(root + i * 4, 0);
      if (!isLeaf(dir)) this.#free.push((dir >>> 10) * PAGE);
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

const MEGA = 1 << 22;

function isLeaf(pte: number): boolean {
  return (pte & (PTE.R | PTE.X)) !== 0;
}

/** Shadow leaf flags for rights (bit 0 load, 1 store, 2 fetch): always V, U, A, D; W only with R. */
function leafFlags(rights: number): number {
  let flags = PTE.V | PTE.U | PTE.A | PTE.D;
  if ((rights & 1) !== 0) flags |= PTE.R;
  if ((rights & 2) !== 0) flags |= PTE.W | PTE.R;
  if ((rights & 4) !== 0) flags |= PTE.X;
  return flags;
}

function pageOf(a: number): number {
  return (a >>> 0) - ((a >>> 0) % PAGE);
}
