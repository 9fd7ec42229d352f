/**
 * Direct paging, Xen-style: the guest's page tables are the tables the hart walks. Each frame of
 * host RAM has an owner, a type (none, second-level table "L1", root "L2") with a reference
 * count, and a count of writable mappings; the invariants are Xen's (Barham et al., SOSP 2003,
 * section 3.3.2; Xen's mm.c `get_page_type`): a frame typed as a table has no writable mapping,
 * every mapping a live table holds is of the domain's own RAM, and a table gets its type only
 * after every entry in it has been validated. Updates come through `mmuUpdate` (the
 * `mmu_update` hypercall), each checked before it is written.
 *
 * Each pinned root gets a kernel view: a hypervisor-owned root whose lower half mirrors the
 * guest's root (the same second-level tables) and whose upper half maps the domain's RAM at its
 * own addresses (the "direct map"), read-only where a frame is a table. The guest's own root is
 * the user view (nothing above 0x8000_0000), so user code never reaches the kernel: the two views
 * of one address space that Xen gives 64-bit PV guests.
 */
import type { GuestMemory } from '@virtlab/cpu-core';
import { ERR, PTE } from './abi.js';

export const PAGE = 4096;
const KERNEL_HALF = 512;
const LEAF = PTE.R | PTE.W | PTE.X;
const DIRECT_RW = PTE.V | PTE.R | PTE.W | PTE.X | PTE.U | PTE.A | PTE.D;
const DIRECT_RO = PTE.V | PTE.R | PTE.X | PTE.U | PTE.A;
/** Roots one domain may have typed at once at most (each holds a pool page for its kernel view); the para kernel needs at most 33. */
export const MAX_VIEWS = 128;

/** Pool pages a domain's direct map and boot view take (one table per 4 MiB, one root). */
export function fixedPoolPages(ramSize: number): number {
  return Math.ceil(ramSize / (4 << 20)) + 1;
}

/** A refused operation: an SBI error code for the guest and a message for people. */
export class ParaError extends Error {
  override name = 'ParaError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** What direct paging needs to know of a domain. */
export interface PagingDomain {
  readonly id: number;
  /** Machine address of its RAM (4 MiB aligned) and its size. */
  readonly base: number;
  readonly size: number;
  /** ASIDs of its kernel and user views. */
  readonly kernelAsid: number;
  readonly userAsid: number;
}

/** Pages of hypervisor memory (kernel-view roots, the direct map's tables), never a domain's. */
export class PagePool {
  readonly #free: number[] = [];
  constructor(
    readonly mem: GuestMemory,
    readonly base: number,
    readonly pages: number,
  ) {
    for (let i = pages - 1; i >= 0; i--) this.#free.push(base + i * PAGE);
  }

  get freePages(): number {
    return this.#free.length;
  }

  /** A zeroed page, or a ParaError (SBI_ERR_FAILED) when the pool is exhausted. */
  alloc(what: string): number {
    const pa = this.#free.pop();
    if (pa === undefined) throw new ParaError(ERR.failed, `hypervisor pool exhausted (${this.pages} pages) allocating ${what}`);
    this.mem.writeBytes(pa, new Uint8Array(PAGE));
    return pa;
  }

  free(pa: number): void {
    this.#free.push(pa);
  }
}

export interface PagingCounters {
  pteUpdates: number;
  pins: number;
  unpins: number;
  tablesTyped: number;
  tablesReleased: number;
  baseSwitches: number;
  fullFlushes: number;
  refused: number;
}

interface DomainState {
  readonly dom: PagingDomain;
  /** Pool pages of the direct map's second-level tables, one per 4 MiB. */
  readonly directMap: number[];
  /** The kernel view used before the guest installs a root: the direct map alone. */
  readonly bootView: number;
  /** Frame index of the current base (root), or -1. */
  base: number;
  /** Flush epoch of the last full flush of the domain's views. */
  flushedAt: number;
  /** Typed frames in each 4 MiB chunk of the domain: a chunk without any is one megapage in the direct map. */
  readonly typedInChunk: Int32Array;
  /** Every kernel view of the domain (pool pages), the boot view included. */
  readonly views: Set<number>;
}

export class DirectPaging {
  readonly ramBase: number;
  readonly frames: number;
  readonly owner: Int16Array;
  readonly type: Uint8Array;
  readonly typeCount: Int32Array;
  readonly writable: Int32Array;
  readonly pinned: Uint8Array;
  /** Flush epoch when the frame last gained a writable mapping. */
  readonly #writableAt: Float64Array;
  #epoch = 1;
  /** Kernel view (pool page) of each typed root, by frame index. */
  readonly #views = new Map<number, number>();
  readonly #domains = new Map<number, DomainState>();
  readonly counters: PagingCounters = { pteUpdates: 0, pins: 0, unpins: 0, tablesTyped: 0, tablesReleased: 0, baseSwitches: 0, fullFlushes: 0, refused: 0 };

  constructor(
    readonly mem: GuestMemory,
    ramBase: number,
    ramSize: number,
    readonly pool: PagePool,
    readonly flushTlb: (va: number | undefined, asid: number | undefined) => void,
    readonly charge: (event: string, times?: number) => void,
    /** Roots each domain may have typed at once: its share of the pool, so no domain can starve another. */
    readonly viewsPerDomain = MAX_VIEWS,
  ) {
    this.ramBase = ramBase;
    this.frames = ramSize / PAGE;
    this.owner = new Int16Array(this.frames).fill(-1);
    this.type = new Uint8Array(this.frames);
    this.typeCount = new Int32Array(this.frames);
    this.writable = new Int32Array(this.frames);
    this.pinned = new Uint8Array(this.frames);
    this.#writableAt = new Float64Array(this.frames);
  }

  /** Gives `dom` its RAM and builds its direct map. */
  addDomain(dom: PagingDomain): void {
    if (dom.base % (4 << 20) !== 0 || dom.size % PAGE !== 0 || dom.size <= 0) throw new RangeError(`domain ${dom.id}: RAM must start 4 MiB aligned and be whole pages`);
    const first = this.index(dom.base);
    const n = dom.size / PAGE;
    if (first < 0 || first + n > this.frames) throw new RangeError(`domain ${dom.id}: RAM ${hex(dom.base)}+${hex(dom.size)} is not host RAM`);
    for (let f = first; f < first + n; f++) {
      if (this.owner[f] !== -1) throw new RangeError(`domain ${dom.id}: frame ${hex(this.ramBase + f * PAGE)} already belongs to domain ${this.owner[f]}`);
      this.owner[f] = dom.id;
    }
    const directMap: number[] = [];
    for (let off = 0; off < dom.size; off += 4 << 20) {
      const table = this.pool.alloc(`domain ${dom.id}'s direct map`);
      directMap.push(table);
      for (let i = 0; i < 1024 && off + i * PAGE < dom.size; i++) {
        const pa = dom.base + off + i * PAGE;
        this.mem.write(table + 4 * i, ((pa >>> 12) << 10) | DIRECT_RW);
      }
    }
    const bootView = this.pool.alloc(`domain ${dom.id}'s boot view`);
    const state: DomainState = { dom, directMap, bootView, base: -1, flushedAt: 0, typedInChunk: new Int32Array(directMap.length), views: new Set([bootView]) };
    this.#fillDirectHalf(state, bootView);
    this.#domains.set(dom.id, state);
  }

  /** Frame index of machine address `pa`, or -1 outside host RAM. */
  index(pa: number): number {
    const o = (pa >>> 0) - this.ramBase;
    return o >= 0 && o < this.frames * PAGE ? Math.floor(o / PAGE) : -1;
  }

  /** True when [pa, pa + length) is the domain's RAM in frames of no table type (the hypervisor may write there). */
  plainMemory(domId: number, pa: number, length: number): boolean {
    if (length <= 0) return false;
    const start = pa >>> 0;
    for (let p = start - (start % PAGE); p < start + length; p += PAGE) {
      const f = this.index(p);
      if (f < 0 || this.owner[f] !== domId || this.type[f] !== 0) return false;
    }
    return true;
  }

  /** True when [pa, pa + length) is the domain's RAM. */
  ownedMemory(domId: number, pa: number, length: number): boolean {
    if (length <= 0) return false;
    const start = pa >>> 0;
    for (let p = start - (start % PAGE); p < start + length; p += PAGE) {
      const f = this.index(p);
      if (f < 0 || this.owner[f] !== domId) return false;
    }
    return true;
  }

  /** satp of the domain's kernel view (the current root's, or the boot view). */
  kernelSatp(domId: number): number {
    const s = this.#state(domId);
    const view = s.base < 0 ? s.bootView : this.#views.get(s.base)!;
    return satpOf(s.dom.kernelAsid, view);
  }

  /** satp of the domain's user view (its current root), or undefined before it installs one. */
  userSatp(domId: number): number | undefined {
    const s = this.#state(domId);
    return s.base < 0 ? undefined : satpOf(s.dom.userAsid, this.ramBase + s.base * PAGE);
  }

  /** `pin_table`: validates the frame as a table of `level` (1 or 2) and keeps it typed until unpinned. */
  pin(domId: number, ppn: number, level: number): void {
    const f = this.#ownedFrame(domId, ppn, 'pin');
    if (level !== 1 && level !== 2) this.#refuse(ERR.invalid_param, `pin ${hex(ppn * PAGE)}: level ${level} is not 1 or 2`);
    if (this.pinned[f] === 1) this.#refuse(ERR.invalid_param, `pin ${hex(ppn * PAGE)}: already pinned`);
    this.#getType(domId, f, level);
    this.pinned[f] = 1;
    this.counters.pins++;
  }

  /** `unpin_table`: drops the pin; the table stays typed while referenced (by a root, or as the base). */
  unpin(domId: number, ppn: number): void {
    const f = this.#ownedFrame(domId, ppn, 'unpin');
    if (this.pinned[f] !== 1) this.#refuse(ERR.invalid_param, `unpin ${hex(ppn * PAGE)}: not pinned`);
    this.pinned[f] = 0;
    this.counters.unpins++;
    this.#putType(f);
  }

  /** `new_baseptr`: installs a pinned root as the domain's address space and flushes its views. */
  setBase(domId: number, ppn: number): void {
    const s = this.#state(domId);
    const f = this.#ownedFrame(domId, ppn, 'new_baseptr');
    if (this.type[f] !== 2 || this.pinned[f] !== 1) this.#refuse(ERR.invalid_param, `new_baseptr ${hex(ppn * PAGE)}: not a pinned root`);
    this.typeCount[f] = this.typeCount[f]! + 1;
    const old = s.base;
    s.base = f;
    if (old >= 0) this.#putType(old);
    this.flushDomain(domId);
    this.counters.baseSwitches++;
  }

  /** Flushes the domain's two views: every address, or one. */
  flushDomain(domId: number, va?: number): void {
    const s = this.#state(domId);
    this.flushTlb(va, s.dom.kernelAsid);
    this.flushTlb(va, s.dom.userAsid);
    if (va === undefined) {
      s.flushedAt = this.#epoch++;
      this.counters.fullFlushes++;
    }
  }

  /**
   * One `mmu_update` entry: the PTE at machine address `ptr` (in a frame typed as a table of the
   * domain) becomes `value`, after `value` is validated; a refusal writes nothing.
   */
  update(domId: number, ptr: number, value: number): void {
    const p = ptr >>> 0;
    if (p % 4 !== 0) this.#refuse(ERR.invalid_param, `mmu_update: PTE address ${hex(p)} is not 4-byte aligned`);
    const f = this.#ownedFrame(domId, p >>> 12, 'mmu_update');
    const level = this.type[f]!;
    if (level === 0) this.#refuse(ERR.invalid_param, `mmu_update: ${hex(p)} is not in a page table (pin it or reference it from a root first)`);
    const slot = (p % PAGE) / 4;
    if (level === 2 && slot >= KERNEL_HALF) this.#refuse(ERR.denied, `mmu_update: entry ${slot} of root ${hex(p - (p % PAGE))} is in the hypervisor's half`);
    const old = this.mem.read(p);
    if (level === 2) this.#getRootEntry(domId, value);
    else this.#getLeaf(domId, value, `L1 entry ${hex(p)}`);
    if (level === 2) this.#putRootEntry(old);
    else this.#putLeaf(old);
    this.mem.write(p, value);
    if (level === 2) {
      const view = this.#views.get(f);
      if (view !== undefined) this.mem.write(view + slot * 4, value);
    }
    this.counters.pteUpdates++;
    this.charge('para.pte_update');
  }

  #state(domId: number): DomainState {
    const s = this.#domains.get(domId);
    if (s === undefined) throw new RangeError(`no domain ${domId}`);
    return s;
  }

  #refuse(code: number, message: string): never {
    this.counters.refused++;
    throw new ParaError(code, message);
  }

  #ownedFrame(domId: number, ppn: number, what: string): number {
    const pa = (ppn >>> 0) * PAGE;
    const f = pa < 2 ** 32 ? this.index(pa) : -1;
    if (f < 0) this.#refuse(ERR.invalid_address, `${what}: ${hex(pa)} is not RAM`);
    const owner = this.owner[f]!;
    if (owner !== domId) this.#refuse(ERR.denied, `${what}: frame ${hex(pa)} belongs to ${owner < 0 ? 'the hypervisor' : `domain ${owner}`}, not domain ${domId}`);
    return f;
  }

  #fillDirectHalf(s: DomainState, view: number): void {
    for (let i = 0; i < s.directMap.length; i++) this.mem.write(view + 4 * ((s.dom.base >>> 22) + i), this.#directEntry(s, i));
  }

  /**
   * The kernel views' entry for chunk i of the domain's RAM: a megapage while no frame in the
   * chunk is a table (one TLB entry for 4 MiB, as the native kernel maps itself), else a pointer
   * to the direct map's second-level table, where tables are read-only. A partial last chunk
   * always goes through the table (a megapage would map past the domain's RAM).
   */
  #directEntry(s: DomainState, i: number): number {
    const chunk = s.dom.base + i * (4 << 20);
    if (s.typedInChunk[i] === 0 && (i + 1) * (4 << 20) <= s.dom.size) return ((chunk >>> 12) << 10) | DIRECT_RW;
    return ((s.directMap[i]! >>> 12) << 10) | PTE.V;
  }

  /** A leaf of a second-level table: the domain's own RAM, not global, writable only to an untyped frame. */
  #getLeaf(domId: number, pte: number, where: string): void {
    if ((pte & PTE.V) === 0) return;
    if ((pte & LEAF) === 0) this.#refuse(ERR.invalid_param, `${where}: ${hex(pte)} points at a table (Sv32 has two levels)`);
    if ((pte & (PTE.R | PTE.W)) === PTE.W) this.#refuse(ERR.invalid_param, `${where}: ${hex(pte)} is writable but not readable (reserved, priv 4.3.1)`);
    if ((pte & PTE.G) !== 0) this.#refuse(ERR.denied, `${where}: ${hex(pte)} is global (it would outlive the address space in the TLB)`);
    const f = this.#ownedFrame(domId, pte >>> 10, where);
    if ((pte & PTE.W) !== 0) {
      if (this.type[f] !== 0) this.#refuse(ERR.denied, `${where}: ${hex(pte)} would map page-table frame ${hex(this.ramBase + f * PAGE)} writable`);
      this.writable[f] = this.writable[f]! + 1;
      this.#writableAt[f] = this.#epoch;
    }
  }

  #putLeaf(pte: number): void {
    if ((pte & PTE.V) === 0 || (pte & PTE.W) === 0) return;
    const f = this.index((pte >>> 10) * PAGE);
    if (f >= 0) this.writable[f] = this.writable[f]! - 1;
  }

  /** An entry of a root's user half: empty, or a pointer to a second-level table (no megapages). */
  #getRootEntry(domId: number, pte: number): void {
    if ((pte & PTE.V) === 0) return;
    if ((pte & LEAF) !== 0) this.#refuse(ERR.invalid_param, `root entry ${hex(pte)}: megapages are not supported for user memory`);
    const f = this.#ownedFrame(domId, pte >>> 10, 'root entry');
    this.#getType(domId, f, 1);
  }

  #putRootEntry(pte: number): void {
    if ((pte & PTE.V) === 0 || (pte & LEAF) !== 0) return;
    const f = this.index((pte >>> 10) * PAGE);
    if (f >= 0) this.#putType(f);
  }

  /** Takes a reference of type `level` on frame f, validating every entry when it first gets that type. */
  #getType(domId: number, f: number, level: number): void {
    const pa = this.ramBase + f * PAGE;
    if (this.type[f] !== 0) {
      if (this.type[f] !== level) this.#refuse(ERR.denied, `frame ${hex(pa)} is already a level-${this.type[f]} table, not level ${level}`);
      this.typeCount[f] = this.typeCount[f]! + 1;
      return;
    }
    if (this.writable[f]! > 0) this.#refuse(ERR.denied, `frame ${hex(pa)} has ${this.writable[f]} writable mapping(s): it cannot become a page table`);
    const entries = level === 2 ? KERNEL_HALF : 1024;
    const s = this.#state(domId);
    // A root's kernel view comes from the pool first, so that running out refuses the pin cleanly.
    let view: number | undefined;
    if (level === 2) {
      if (s.views.size > this.viewsPerDomain) this.#refuse(ERR.failed, `domain ${domId} already has ${this.viewsPerDomain} roots in use (its share of the hypervisor's pool)`);
      view = this.pool.alloc(`the kernel view of root ${hex(pa)}`);
    }
    let done = 0;
    try {
      if (level === 2) {
        for (let i = KERNEL_HALF; i < 1024; i++) {
          if (this.mem.read(pa + 4 * i) !== 0) this.#refuse(ERR.invalid_param, `root ${hex(pa)}: entry ${i} is in the hypervisor's half and must be 0`);
        }
      }
      // Typed first, so that a table pointing at itself is refused as a writable mapping of a table.
      this.type[f] = level;
      this.typeCount[f] = 1;
      for (; done < entries; done++) {
        const e = this.mem.read(pa + 4 * done);
        if (level === 2) this.#getRootEntry(domId, e);
        else this.#getLeaf(domId, e, `entry ${done} of ${hex(pa)}`);
      }
    } catch (error) {
      for (let i = 0; i < done; i++) {
        const e = this.mem.read(pa + 4 * i);
        if (level === 2) this.#putRootEntry(e);
        else this.#putLeaf(e);
      }
      this.type[f] = 0;
      this.typeCount[f] = 0;
      if (view !== undefined) this.pool.free(view);
      throw error;
    } finally {
      this.charge('para.table_scan', entries);
    }
    this.counters.tablesTyped++;
    if (view !== undefined) {
      for (let i = 0; i < KERNEL_HALF; i++) {
        const e = this.mem.read(pa + 4 * i);
        if (e !== 0) this.mem.write(view + 4 * i, e);
      }
      this.#fillDirectHalf(s, view);
      this.#views.set(f, view);
      s.views.add(view);
    }
    this.#setDirect(s, f, false);
    // A writable user mapping removed since the last full flush may still be in the TLB.
    if (this.#writableAt[f]! >= s.flushedAt) this.flushDomain(domId);
  }

  #putType(f: number): void {
    this.typeCount[f] = this.typeCount[f]! - 1;
    if (this.typeCount[f] > 0) return;
    const pa = this.ramBase + f * PAGE;
    const level = this.type[f]!;
    const entries = level === 2 ? KERNEL_HALF : 1024;
    for (let i = 0; i < entries; i++) {
      const e = this.mem.read(pa + 4 * i);
      if (level === 2) this.#putRootEntry(e);
      else this.#putLeaf(e);
    }
    this.charge('para.table_scan', entries);
    this.type[f] = 0;
    this.typeCount[f] = 0;
    const view = this.#views.get(f);
    if (view !== undefined) {
      this.pool.free(view);
      this.#views.delete(f);
      this.#state(this.owner[f]!).views.delete(view);
    }
    this.counters.tablesReleased++;
    this.#setDirect(this.#state(this.owner[f]!), f, true);
  }

  /** The direct map's entry for frame f: writable or read-only; the chunk's megapage split or joined; the stale translations flushed. */
  #setDirect(s: DomainState, f: number, writable: boolean): void {
    const pa = this.ramBase + f * PAGE;
    const off = pa - s.dom.base;
    const chunk = Math.floor(off / (4 << 20));
    const table = s.directMap[chunk]!;
    this.mem.write(table + 4 * ((off >>> 12) & 1023), ((pa >>> 12) << 10) | (writable ? DIRECT_RW : DIRECT_RO));
    const before = s.typedInChunk[chunk]!;
    s.typedInChunk[chunk] = before + (writable ? -1 : 1);
    if ((before === 0) !== (s.typedInChunk[chunk] === 0)) {
      const slot = 4 * ((s.dom.base >>> 22) + chunk);
      const entry = this.#directEntry(s, chunk);
      for (const view of s.views) this.mem.write(view + slot, entry);
      this.flushTlb(undefined, s.dom.kernelAsid);
    } else {
      this.flushTlb(pa, s.dom.kernelAsid);
    }
  }
}

export function satpOf(asid: number, rootPa: number): number {
  return (0x8000_0000 | (asid << 22) | (rootPa >>> 12)) | 0;
}
