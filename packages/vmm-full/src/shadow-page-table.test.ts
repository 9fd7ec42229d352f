// Shadow paging against priv 4.3 (Sv32 translation, U/SUM/MXR, A/D) with the guest's RAM at an
// offset in host RAM, so that guest-physical and host-physical addresses differ.
import { describe, expect, it } from 'vitest';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, CAUSE, MSTATUS, PTE } from '@virtlab/cpu-core';
import { Bus } from '@virtlab/hw-model';
import { GuestMemory, GuestMemoryError } from '@virtlab/lab-kit';
import { ShadowPageTables, ShadowPagingError, TABLE_WRITE_FLOOD } from './shadow-page-table.js';
import type { GuestMmuState } from './shadow-page-table.js';

const HOST = 0x8000_0000;
const SLICE = HOST + 0x10_0000; // guest-physical 0x8000_0000 is host 0x8010_0000
const ROOT = 0x8001_0000; // guest-physical
const L0 = 0x8001_1000;
const { V, R, W, X, U, A, D } = PTE;

function pte(pa: number, flags: number): number {
  return ((pa >>> 12) << 10) | flags;
}

function setup(poolPages = 64) {
  const bus = new Bus(HOST, 4 << 20);
  const guest = new GuestMemory(bus, 0x8000_0000, SLICE, 2 << 20);
  const flushes: (string)[] = [];
  const shadow = new ShadowPageTables(bus, guest, HOST, poolPages, (va, asid) => flushes.push(`${va ?? '*'}/${asid ?? '*'}`));
  // Guest tables: root → L0 for va 0x0000_0000..0x003f_ffff; kernel identity megapage at 0x8000_0000;
  // the device megapage at 0x1000_0000.
  guest.write(ROOT + 0 * 4, pte(L0, V));
  guest.write(ROOT + 0x200 * 4, pte(0x8000_0000, V | R | W | X | A | D));
  guest.write(ROOT + 0x40 * 4, pte(0x1000_0000, V | R | W | A | D));
  guest.write(L0 + 0x10 * 4, pte(0x8002_0000, V | R | W | X | U | A)); // D clear
  guest.write(L0 + 0x11 * 4, pte(0x8002_1000, V | R | X | U | A | D));
  guest.write(L0 + 0x12 * 4, pte(0x8002_2000, V | X | U | A | D)); // execute-only
  const satp = (0x8000_0000 | (ROOT >>> 12)) | 0;
  const u: GuestMmuState = { priv: 0, satp, sstatus: 0 };
  const s: GuestMmuState = { priv: 1, satp, sstatus: 0 };
  /** The shadow leaf of `va` for virtual privilege `priv`, 0 when absent. */
  const leaf = (priv: 0 | 1, va: number) => {
    const root = (shadow.satpFor(priv) & 0x3fffff) * 4096;
    const dir = bus.read(root + (va >>> 22) * 4, 4);
    if ((dir & V) === 0) return 0;
    return bus.read((dir >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4, 4);
  };
  return { bus, guest, shadow, flushes, u, s, leaf };
}

const target = (leafPte: number) => (leafPte >>> 10) * 4096;
const flags = (leafPte: number) => leafPte & 0xff;

describe('shadow page tables', () => {
  it('fill a user page: host frame of the slice, U set, W held back until the guest D bit is set; A set in the guest PTE', () => {
    const { guest, shadow, u, leaf } = setup();
    expect(shadow.fault(0x1_0004, ACCESS_LOAD, u)).toMatchObject({ kind: 'filled' });
    expect(target(leaf(0, 0x1_0004)) >>> 0).toBe(0x8012_0000);
    expect(flags(leaf(0, 0x1_0004))).toBe(V | R | X | U | A | D);
    expect(shadow.fault(0x1_0008, ACCESS_STORE, u)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(0, 0x1_0000))).toBe(V | R | W | X | U | A | D);
    expect(guest.read(L0 + 0x10 * 4) & (A | D)).toBe(A | D); // priv 4.3.2 step 7
    expect(shadow.counters.fills).toBe(2);
  });

  it('reflect what the guest would take: U-mode on a supervisor page, S fetch from a user page, S load without SUM; a store to a read-only page', () => {
    const { shadow, u, s, leaf } = setup();
    expect(shadow.fault(0x8000_1000 | 0, ACCESS_LOAD, u)).toEqual({ kind: 'guest', cause: CAUSE.loadPageFault });
    expect(shadow.fault(0x11_000, ACCESS_FETCH, s)).toEqual({ kind: 'guest', cause: CAUSE.fetchPageFault });
    expect(shadow.fault(0x11_000, ACCESS_LOAD, s)).toEqual({ kind: 'guest', cause: CAUSE.loadPageFault });
    expect(shadow.fault(0x11_000, ACCESS_STORE, u)).toEqual({ kind: 'guest', cause: CAUSE.storePageFault });
    expect(shadow.fault(0x50_0000, ACCESS_LOAD, u)).toEqual({ kind: 'guest', cause: CAUSE.loadPageFault }); // no root entry
    expect(leaf(0, 0x11_000)).toBe(0);
    expect(shadow.counters.fills).toBe(0);
  });

  it('keep virtual S and virtual U apart: with SUM, S reads a user page (no X), and the U shadow stays empty', () => {
    const { shadow, s, leaf } = setup();
    const sum = { ...s, sstatus: MSTATUS.SUM };
    expect(shadow.fault(0x11_000, ACCESS_LOAD, sum)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(1, 0x11_000))).toBe(V | R | U | A | D); // S may never execute a U page (priv 4.3.1)
    expect(leaf(0, 0x11_000)).toBe(0);
    expect(shadow.satpFor(0) >>> 22 & 0x1ff).not.toBe(shadow.satpFor(1) >>> 22 & 0x1ff);
  });

  it('emulate MXR: a load from an execute-only page faults without it and is filled readable with it', () => {
    const { shadow, u, leaf } = setup();
    expect(shadow.fault(0x12_000, ACCESS_LOAD, u)).toEqual({ kind: 'guest', cause: CAUSE.loadPageFault });
    expect(shadow.fault(0x12_000, ACCESS_FETCH, u)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(0, 0x12_000))).toBe(V | X | U | A | D);
    expect(shadow.fault(0x12_000, ACCESS_LOAD, { ...u, sstatus: MSTATUS.MXR })).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(0, 0x12_000))).toBe(V | R | X | U | A | D);
  });

  it('split a guest megapage into 4 KiB shadow pages, all of them in one fill, none past the end of guest RAM', () => {
    const { shadow, s, leaf } = setup();
    expect(shadow.fault(0x8003_0010 | 0, ACCESS_STORE, s)).toEqual({ kind: 'filled', pages: 512 }); // 2 MiB of guest RAM
    expect(target(leaf(1, 0x8003_0000 | 0)) >>> 0).toBe(0x8013_0000);
    expect(target(leaf(1, 0x8000_0000 | 0)) >>> 0).toBe(0x8010_0000);
    expect(target(leaf(1, 0x801f_f000 | 0)) >>> 0).toBe(0x802f_f000);
    expect(leaf(1, 0x8020_0000 | 0)).toBe(0);
    expect(shadow.counters).toMatchObject({ fills: 1, leaves: 512 });
    expect(shadow.fault(0x1_0000, ACCESS_LOAD, { ...s, priv: 0 })).toEqual({ kind: 'filled', pages: 1 });
  });

  it('write-protect guest page-table pages: a store to one is a table write, and an earlier writable mapping of a page loses W when it becomes a table', () => {
    const { guest, shadow, u, s, leaf } = setup();
    expect(shadow.fault(0x8004_0000 | 0, ACCESS_STORE, s)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(1, 0x8004_0000 | 0)) & W).toBe(W);
    expect(shadow.fault(L0 + 0x40, ACCESS_STORE, s)).toMatchObject({ kind: 'filled' }); // L0 not walked yet: plain data
    shadow.invalidatePage(L0);
    expect(shadow.fault(0x1_0000, ACCESS_LOAD, u)).toMatchObject({ kind: 'filled' }); // the walk goes through L0
    expect(shadow.fault(L0 + 0x40, ACCESS_STORE, s)).toEqual({ kind: 'table-write', gpa: L0 + 0x40 });
    expect(shadow.fault(ROOT, ACCESS_LOAD, s)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(1, ROOT)) & W).toBe(0);
    // The guest makes 0x8004_0000 the second-level table for 0x0040_0000..0x007f_ffff.
    guest.write(ROOT + 1 * 4, pte(0x8004_0000, V));
    shadow.tableWritten(ROOT + 4, 4);
    guest.write(0x8004_0000, pte(0x8002_0000, V | R | U | A));
    expect(shadow.fault(0x40_0000, ACCESS_LOAD, u)).toMatchObject({ kind: 'filled' });
    expect(shadow.isGuestTable(0x8004_0000 | 0)).toBe(true);
    expect(flags(leaf(1, 0x8004_0000 | 0)) & W).toBe(0);
    expect(shadow.counters.writeProtects).toBe(1);
  });

  it('drop what a changed guest PTE fed: a leaf entry drops one page, a root entry its 4 MiB, in both shadows', () => {
    const { shadow, u, s, leaf } = setup();
    shadow.fault(0x10_000, ACCESS_LOAD, u);
    shadow.fault(0x11_000, ACCESS_LOAD, u);
    shadow.fault(0x11_000, ACCESS_LOAD, { ...s, sstatus: MSTATUS.SUM });
    shadow.tableWritten(L0 + 0x10 * 4 + 1, 1);
    expect([leaf(0, 0x10_000), leaf(0, 0x11_000) !== 0, leaf(1, 0x11_000) !== 0]).toEqual([0, true, true]);
    shadow.tableWritten(ROOT, 4);
    expect([leaf(0, 0x11_000), leaf(1, 0x11_000)]).toEqual([0, 0]);
    expect(shadow.counters.rangeInvalidations).toBe(1);
  });

  it('never map device pages: an access outside guest RAM is MMIO, with the guest-physical address', () => {
    const { shadow, s, leaf } = setup();
    expect(shadow.fault(0x1000_0005, ACCESS_STORE, s)).toEqual({ kind: 'mmio', gpa: 0x1000_0005 });
    expect(leaf(1, 0x1000_0005)).toBe(0);
  });

  it('with satp bare, map guest-physical RAM to the slice with every right; devices stay unmapped', () => {
    const { shadow, s, leaf } = setup();
    const bare = { ...s, satp: 0 };
    expect(shadow.fault(0x8000_5000 | 0, ACCESS_FETCH, bare)).toMatchObject({ kind: 'filled' });
    expect(target(leaf(1, 0x8000_5000 | 0)) >>> 0).toBe(0x8010_5000);
    expect(flags(leaf(1, 0x8000_5000 | 0))).toBe(V | R | W | X | U | A | D);
    expect(shadow.fault(0x0c00_0000, ACCESS_LOAD, bare)).toEqual({ kind: 'mmio', gpa: 0x0c00_0000 });
  });

  it('sfence.vma: one page, or everything; each also flushes the real TLB', () => {
    const { shadow, u, leaf, flushes } = setup();
    shadow.fault(0x10_000, ACCESS_LOAD, u);
    shadow.fault(0x11_000, ACCESS_LOAD, u);
    flushes.length = 0;
    shadow.invalidatePage(0x10_123);
    expect([leaf(0, 0x10_000), leaf(0, 0x11_000) !== 0]).toEqual([0, true]);
    expect(flushes).toEqual([`${0x10_000}/1`]); // the page, in the U shadow's real ASID
    shadow.flushAll();
    expect(leaf(0, 0x11_000)).toBe(0);
    expect(shadow.isGuestTable(L0)).toBe(false);
    expect(flushes.at(-1)).toBe('*/*');
  });

  it('start over when the pool runs dry, and say so in the counters', () => {
    const { shadow, u, s, leaf } = setup(3);
    expect(shadow.fault(0x10_000, ACCESS_LOAD, u)).toMatchObject({ kind: 'filled' });
    expect(shadow.freePages).toBe(0);
    expect(shadow.fault(0x8000_0000 | 0, ACCESS_LOAD, s)).toMatchObject({ kind: 'filled' });
    expect(shadow.counters.poolExhausted).toBe(1);
    expect(leaf(0, 0x10_000)).toBe(0);
    expect(leaf(1, 0x8000_0000 | 0)).not.toBe(0);
  });

  it('refuse a pool that overlaps the slice, and guest accesses outside the slice, naming the addresses', () => {
    const bus = new Bus(HOST, 4 << 20);
    const guest = new GuestMemory(bus, 0x8000_0000, SLICE, 2 << 20);
    expect(() => new ShadowPageTables(bus, guest, SLICE - 4096, 4, () => undefined)).toThrow(ShadowPagingError);
    expect(() => new ShadowPageTables(bus, guest, SLICE - 4096, 4, () => undefined)).toThrow(/overlaps the VM's slice 0x80100000/);
    expect(() => guest.read(0x8020_0000 | 0)).toThrow(GuestMemoryError);
    expect(() => guest.read(0x8020_0000 | 0)).toThrow(/guest-physical 0x80200000 is outside the VM's RAM 0x80000000\.\.0x80200000/);
    expect(() => new GuestMemory(bus, 0x8000_0000, HOST + (3 << 20), 2 << 20)).toThrow(/not inside host RAM/);
  });

  it('lift the protection of a table whose update it does not emulate, dropping what it fed; the next walk protects it again', () => {
    const { shadow, u, s, leaf } = setup();
    shadow.fault(0x1_0000, ACCESS_LOAD, u);
    expect(shadow.fault(L0 + 0x44, ACCESS_STORE, s)).toEqual({ kind: 'table-write', gpa: L0 + 0x44 });
    shadow.untrackTable(L0 + 0x44);
    expect(shadow.isGuestTable(L0)).toBe(false);
    expect(leaf(0, 0x1_0000)).toBe(0);
    expect(shadow.fault(L0 + 0x44, ACCESS_STORE, s)).toMatchObject({ kind: 'filled' });
    expect(flags(leaf(1, L0)) & W).toBe(W);
    shadow.fault(0x1_0000, ACCESS_LOAD, u);
    expect(shadow.isGuestTable(L0)).toBe(true);
    expect(flags(leaf(1, L0)) & W).toBe(0);
  });

  it('keep the shadows of several guest address spaces: switching back finds them, each slot with its own real ASIDs', () => {
    const { guest, shadow, u, leaf } = setup();
    const ROOT2 = 0x8001_2000;
    guest.write(ROOT2, pte(L0, V)); // a second address space sharing the second-level table
    const other = { ...u, satp: (0x8000_0000 | (ROOT2 >>> 12)) | 0 };
    shadow.fault(0x1_0000, ACCESS_LOAD, u);
    const satpA = shadow.satpFor(0);
    shadow.select(other.satp);
    expect(leaf(0, 0x1_0000)).toBe(0);
    expect(((shadow.satpFor(0) >>> 22) & 0x1ff)).not.toBe((satpA >>> 22) & 0x1ff);
    shadow.fault(0x1_1000, ACCESS_LOAD, other);
    shadow.select(u.satp);
    expect(shadow.satpFor(0)).toBe(satpA);
    expect(leaf(0, 0x1_0000)).not.toBe(0);
    expect(leaf(0, 0x1_1000)).toBe(0);
    expect(shadow.counters).toMatchObject({ spaceHits: 1, spaceMisses: 2 });
    // A store to the shared table drops what it fed in both address spaces.
    shadow.tableWritten(L0 + 0x11 * 4, 4);
    shadow.select(other.satp);
    expect(leaf(0, 0x1_1000)).toBe(0);
  });

  it('reuse the least recently used slot when every slot holds an address space', () => {
    const bus = new Bus(HOST, 4 << 20);
    const guest = new GuestMemory(bus, 0x8000_0000, SLICE, 2 << 20);
    const shadow = new ShadowPageTables(bus, guest, HOST, 8, () => undefined, 2);
    for (const root of [0x8001_3000, 0x8001_4000, 0x8001_5000]) shadow.select((0x8000_0000 | (root >>> 12)) | 0);
    expect(shadow.counters.spaceMisses).toBe(3);
    shadow.select((0x8000_0000 | (0x8001_4000 >>> 12)) | 0);
    expect(shadow.counters.spaceHits).toBe(1);
    shadow.select((0x8000_0000 | (0x8001_3000 >>> 12)) | 0); // evicted by the third
    expect(shadow.counters.spaceMisses).toBe(4);
    expect(() => new ShadowPageTables(bus, guest, HOST, 8, () => undefined, 4)).toThrow(/4 shadow address spaces need .* the pool has 8 pages/);
  });

  it(`unprotect a guest table written ${TABLE_WRITE_FLOOD + 1} times with no walk through it between (write flooding)`, () => {
    const { shadow, u } = setup();
    shadow.fault(0x1_0000, ACCESS_LOAD, u);
    for (let i = 0; i < TABLE_WRITE_FLOOD; i++) shadow.tableWritten(L0 + 0x100 + 4 * i, 4);
    expect(shadow.isGuestTable(L0)).toBe(true);
    shadow.tableWritten(L0 + 0x200, 4);
    expect(shadow.isGuestTable(L0)).toBe(false);
    expect(shadow.counters.floods).toBe(1);
  });

  it('shadow a guest megapage with a megapage when it is all RAM, 4 MiB-aligned in the host and holds no page table; drop it when one turns up inside', () => {
    const bus = new Bus(HOST, 16 << 20);
    const guest = new GuestMemory(bus, 0x8000_0000, HOST + (4 << 20), 8 << 20);
    const shadow = new ShadowPageTables(bus, guest, HOST, 64, () => undefined);
    const root = 0x8000_1000; // the guest's root table, in its first megapage
    guest.write(root + 0x200 * 4, pte(0x8000_0000, V | R | W | X | A | D));
    guest.write(root + 0x201 * 4, pte(0x8040_0000, V | R | W | X | A | D));
    guest.write(root + 0x1 * 4, pte(0x8040_0000, V)); // 0x0040_0000.. through a table at 0x8040_0000
    guest.write(0x8040_0000, pte(0x8040_1000, V | R | U | A));
    const s: GuestMmuState = { priv: 1, satp: (0x8000_0000 | (root >>> 12)) | 0, sstatus: 0 };
    const rootEntry = (va: number) => bus.read((shadow.satpFor(1) & 0x3fffff) * 4096 + (va >>> 22) * 4, 4);
    // The first megapage holds the root table: split. The second holds none yet: one leaf.
    expect(shadow.fault(0x8000_2000 | 0, ACCESS_LOAD, s)).toEqual({ kind: 'filled', pages: 1024 });
    expect(rootEntry(0x8000_0000 | 0) & (R | X)).toBe(0);
    expect(shadow.fault(0x8040_2000 | 0, ACCESS_STORE, s)).toEqual({ kind: 'filled', pages: 1 });
    expect(rootEntry(0x8040_0000 | 0) >>> 0).toBe((((HOST + (8 << 20)) >>> 12) << 10 | V | R | W | X | U | A | D) >>> 0);
    // A walk through 0x8040_0000 makes it a page table: the shadow megapage goes, and comes back split.
    expect(shadow.fault(0x40_0000, ACCESS_LOAD, { ...s, priv: 0 })).toEqual({ kind: 'filled', pages: 1 });
    expect(rootEntry(0x8040_0000 | 0)).toBe(0);
    expect(shadow.fault(0x8040_0000 | 0, ACCESS_STORE, s)).toEqual({ kind: 'table-write', gpa: 0x8040_0000 });
    expect(shadow.fault(0x8040_2000 | 0, ACCESS_LOAD, s)).toEqual({ kind: 'filled', pages: 1024 });
  });
});
