/**
 * Memory access through the MMU: Sv32 translation with the modeled TLB and PMP, the walk's TLB
 * fill and A/D updates, loads and stores (misaligned ones split as QEMU 7.2 does), physical
 * access to RAM and MMIO (claimed ranges included), and LR/SC and AMOs.
 */
import { BusError } from '@virtlab/hw-model';
import { CAUSE } from './csr.js';
import type { Hart } from './hart.js';
import { PMP_R, PMP_W, PMP_X } from './pmp.js';
import { codeWritten } from './predecode.js';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE, WALK_ACCESS_FAULT, WALK_OK, accessFaultCause, pageFaultCause, ptePermits } from './sv32-walk.js';
import type { AccessKind } from './sv32-walk.js';
import { FAST_EXEC, FAST_READ, FAST_WRITE } from './tlb.js';
import { raise } from './traps.js';

/** Re-derives TLB entry `e`'s row of the fast table (what the run loop may do through it) from the current modes. */
export function refreshTlbEntry(h: Hart, e: number): void {
  const t = h.tlb;
  const ft = t.fastTable;
  const k = e << 2;
  const vpn = t.vpn[e]!;
  if (vpn < 0 || (t.global[e] === 0 && t.asid[e] !== h.asid)) {
    ft[k] = -1;
    ft[k + 1] = 0;
    return;
  }
  ft[k] = vpn;
  const off = t.physical[e]! - h.bus.ramBase;
  let fast = 0;
  if (off >= 0 && off + 4096 <= h.bus.ramSize) {
    ft[k + 2] = off;
    const f = t.flags[e]!;
    const p = t.pmp[e]!;
    if (h.dataTranslate) {
      if ((p & PMP_R) !== 0 && ptePermits(f, ACCESS_LOAD, h.effPriv, h.mstatus)) fast |= FAST_READ;
      if ((p & PMP_W) !== 0 && (f & PTE.D) !== 0 && ptePermits(f, ACCESS_STORE, h.effPriv, h.mstatus)) fast |= FAST_WRITE;
    }
    if (h.fetchTranslate && (p & PMP_X) !== 0 && ptePermits(f, ACCESS_FETCH, h.privilege, h.mstatus)) fast |= FAST_EXEC;
  }
  ft[k + 1] = fast;
}

function pageFault(h: Hart, access: AccessKind, va: number): number {
  raise(h, pageFaultCause(access), va);
  return -1;
}

function accessFault(h: Hart, access: AccessKind, va: number): number {
  raise(h, accessFaultCause(access), va);
  return -1;
}

/**
 * Translates `va` for an access of `size` bytes (within one page) by the privilege that makes
 * it, and checks PMP. Returns the physical address, or -1 after taking the trap.
 */
export function translate(h: Hart, va: number, access: AccessKind, size: number, tval: number = va): number {
  const priv = access === ACCESS_FETCH ? h.privilege : h.effPriv;
  let pa: number;
  if (priv === 3 || h.satp >>> 31 === 0) {
    pa = va >>> 0;
  } else {
    const t = h.tlb;
    const vpn = va >>> 12;
    let e = vpn & t.mask;
    if (
      t.vpn[e] === vpn && (t.global[e] === 1 || t.asid[e] === h.asid) &&
      (access !== ACCESS_STORE || (t.flags[e]! & PTE.D) !== 0) && ptePermits(t.flags[e]!, access, priv, h.mstatus)
    ) {
      h.tlbHits++;
    } else {
      // QEMU walks again whenever the cached entry does not allow the access.
      h.events['tlb.misses']++;
      e = walk(h, va, access, priv, e, tval);
      if (e < 0) return -1;
    }
    pa = t.physical[e]! + (va & 0xfff);
  }
  const bit = access === ACCESS_LOAD ? PMP_R : access === ACCESS_STORE ? PMP_W : PMP_X;
  if ((h.pmp.permissions(pa, size, priv) & bit) === 0) return accessFault(h, access, tval);
  return pa;
}

/** The Sv32 walk (priv 4.3.2, sv32-walk.ts), charged per level, with A/D updated in memory as QEMU 7.2 does. Fills TLB entry `e`. */
function walk(h: Hart, va: number, access: AccessKind, priv: number, e: number, tval: number): number {
  const w = h.walker;
  const outcome = w.walk(h.satp, va, access, priv, h.mstatus);
  h.clock.cycles += h.platform.cost.tlbMissPerLevel * w.levels;
  h.events['tlb.walk_levels'] += w.levels;
  if (outcome !== WALK_OK) return outcome === WALK_ACCESS_FAULT ? accessFault(h, access, tval) : pageFault(h, access, tval);
  const pte = w.leafPte;
  const updated = pte | PTE.A | (access === ACCESS_STORE ? PTE.D : 0);
  if (updated !== pte) {
    h.bus.ram32[w.leafOffset >>> 2] = updated;
    codeWritten(h, w.leafOffset, 4);
  }
  const t = h.tlb;
  t.vpn[e] = va >>> 12;
  t.asid[e] = h.asid;
  t.global[e] = w.global !== 0 ? 1 : 0;
  t.flags[e] = updated & 0xff;
  t.superpage[e] = w.leafLevel;
  t.physical[e] = w.page;
  t.pmp[e] = h.pmp.permissions(w.page, 4096, 1);
  refreshTlbEntry(h, e);
  return e;
}

function readPhys(h: Hart, pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number): number {
  const bus = h.bus;
  const off = pa - bus.ramBase;
  if (off >= 0 && off + size <= bus.ramSize) {
    const r = bus.ram;
    if (size === 1) return r[off]!;
    if (size === 2) return r[off]! | (r[off + 1]! << 8);
    return r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24);
  }
  return mmio(h, pa, size, access, tval, 0);
}

function writePhys(h: Hart, pa: number, size: 1 | 2 | 4, value: number, tval: number): void {
  const bus = h.bus;
  const off = pa - bus.ramBase;
  if (off >= 0 && off + size <= bus.ramSize) {
    const r = bus.ram;
    r[off] = value;
    if (size >= 2) r[off + 1] = value >>> 8;
    if (size === 4) {
      r[off + 2] = value >>> 16;
      r[off + 3] = value >>> 24;
    }
    codeWritten(h, off, size);
    return;
  }
  mmio(h, pa, size, ACCESS_STORE, tval, value);
}

function mmio(h: Hart, pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number, value: number): number {
  if (pa >= 4294967296) return accessFault(h, access, tval);
  h.events['mmio.accesses']++;
  h.clock.cycles += h.platform.cost.mmioAccess;
  // A device register access can raise or lower a line: look at interrupts again.
  h.nextCheck = 0;
  try {
    if (h.mmioClaims.size !== 0 && h.mmioClaims.touches(pa, size)) {
      // A range a monitor emulates (hypervisor-port.ts); straddling its edge is an access fault.
      const claim = h.mmioClaims.find(pa, size);
      if (claim === undefined) return accessFault(h, access, tval);
      h.events['monitor.mmio_accesses']++;
      if (access === ACCESS_STORE) {
        claim.handler.write(pa - claim.base, size, size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff));
        return 0;
      }
      return claim.handler.read(pa - claim.base, size) | 0;
    }
    if (access === ACCESS_STORE) {
      h.bus.write(pa, value, size);
      return 0;
    }
    return h.bus.read(pa, size) | 0;
  } catch (err) {
    if (err instanceof BusError) return accessFault(h, access, tval);
    throw err;
  }
}

/**
 * A load of `size` bytes at virtual `va`, as the current (effective) privilege makes it.
 * Misaligned loads are carried out, as QEMU 7.2 does for regular loads. On a fault the trap is
 * taken and `trapped` is set.
 */
export function load(h: Hart, va: number, size: 1 | 2 | 4, signed: boolean): number {
  let v: number;
  if ((va & (size - 1)) === 0) {
    const pa = translate(h, va, ACCESS_LOAD, size);
    if (pa < 0) return 0;
    v = readPhys(h, pa, size, ACCESS_LOAD, va);
  } else {
    const pas = misalignedPages(h, va, size, ACCESS_LOAD);
    if (pas === undefined) return 0;
    v = 0;
    for (let k = 0; k < size; k++) {
      v |= readPhys(h, pas[k]!, 1, ACCESS_LOAD, va) << (8 * k);
      if (h.trapped) return 0;
    }
  }
  if (h.trapped) return 0;
  if (size === 4) return v | 0;
  const sh = 32 - 8 * size;
  return signed ? (v << sh) >> sh : (v << sh) >>> sh;
}

/** A store of the low `size` bytes of `value` at virtual `va` (see `load`). */
export function store(h: Hart, va: number, size: 1 | 2 | 4, value: number): void {
  if ((va & (size - 1)) === 0) {
    const pa = translate(h, va, ACCESS_STORE, size);
    if (pa < 0) return;
    writePhys(h, pa, size, value, va);
    return;
  }
  const pas = misalignedPages(h, va, size, ACCESS_STORE);
  if (pas === undefined) return;
  for (let k = 0; k < size; k++) {
    writePhys(h, pas[k]!, 1, value >>> (8 * k), va);
    if (h.trapped) return;
  }
}

/**
 * Physical addresses of each byte of a misaligned access, both pages translated before any
 * byte moves. Fault addresses follow QEMU 7.2's split: the first page reports the address
 * rounded down to the access size, the second page its first byte.
 */
function misalignedPages(h: Hart, va: number, size: number, access: AccessKind): number[] | undefined {
  const first = 4096 - (va & 0xfff);
  if (size <= first) {
    const pa = translate(h, va, access, size);
    if (pa < 0) return undefined;
    return Array.from({ length: size }, (_, k) => pa + k);
  }
  const pa1 = translate(h, va, access, first, va & ~(size - 1));
  if (pa1 < 0) return undefined;
  const va2 = (va + first) | 0;
  const pa2 = translate(h, va2, access, size - first);
  if (pa2 < 0) return undefined;
  return Array.from({ length: size }, (_, k) => (k < first ? pa1 + k : pa2 + k - first));
}

/** A claimed MMIO range supports no LR/SC or AMO (hypervisor-port.ts): true after raising the access fault. */
function amoOnClaim(h: Hart, pa: number, access: AccessKind, va: number): boolean {
  if (h.mmioClaims.size === 0 || !h.mmioClaims.touches(pa, 4)) return false;
  accessFault(h, access, va);
  return true;
}

/** LR/SC and AMOs (unpriv chapter 8) as QEMU 7.2: SC compares the reserved address and value. */
export function atomic(h: Hart, op: number, va: number, src: number): number {
  if (op === 57) {
    // sc.w: a different address fails without any access (not even an alignment check).
    if (va !== h.reservation) {
      h.reservation = -1;
      h.events['lrsc.sc_failures']++;
      return 1;
    }
    h.reservation = -1;
    const pa = translate(h, va, ACCESS_STORE, 4);
    if (pa < 0 || amoOnClaim(h, pa, ACCESS_STORE, va)) return 0;
    const cur = readPhys(h, pa, 4, ACCESS_STORE, va);
    if (h.trapped) return 0;
    if (cur !== h.reservationValue) {
      h.events['lrsc.sc_failures']++;
      return 1;
    }
    writePhys(h, pa, 4, src, va);
    return h.trapped ? 0 : 0;
  }
  if ((va & 3) !== 0) {
    raise(h, op === 56 ? CAUSE.misalignedLoad : CAUSE.misalignedStore, va);
    return 0;
  }
  if (op === 56) {
    const pa = translate(h, va, ACCESS_LOAD, 4);
    if (pa < 0 || amoOnClaim(h, pa, ACCESS_LOAD, va)) return 0;
    const v = readPhys(h, pa, 4, ACCESS_LOAD, va);
    if (h.trapped) return 0;
    h.reservation = va;
    h.reservationValue = v;
    return v;
  }
  const pa = translate(h, va, ACCESS_STORE, 4);
  if (pa < 0 || amoOnClaim(h, pa, ACCESS_STORE, va)) return 0;
  const old = readPhys(h, pa, 4, ACCESS_STORE, va);
  if (h.trapped) return 0;
  let v: number;
  switch (op) {
    case 58:
      v = src;
      break;
    case 59:
      v = (old + src) | 0;
      break;
    case 60:
      v = old ^ src;
      break;
    case 61:
      v = old & src;
      break;
    case 62:
      v = old | src;
      break;
    case 63:
      v = old < src ? old : src;
      break;
    case 64:
      v = old > src ? old : src;
      break;
    case 65:
      v = old >>> 0 < src >>> 0 ? old : src;
      break;
    default:
      v = old >>> 0 > src >>> 0 ? old : src;
      break;
  }
  writePhys(h, pa, 4, v, va);
  return old;
}
