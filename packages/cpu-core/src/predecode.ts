/**
 * The predecode cache: code is decoded once per physical 4 KiB page into the hart's typed array
 * (one packed int per instruction plus its immediate), pages get slots round-robin, the fetch
 * page is set up for the run loop, and writes to RAM clear what they overwrote.
 */
import { CAUSE } from './csr.js';
import { OP_ILLEGAL, OP_PAGE_END, decodeForm, field, operandImmediate } from './decoder-table.js';
import type { Hart } from './hart.js';
import { PMP_X } from './pmp.js';
import { ACCESS_FETCH } from './sv32-walk.js';
import { FAST_EXEC } from './tlb.js';
import { raise } from './traps.js';

/** Ints per predecoded page slot over two: 1024 instructions and the page-end sentinel. */
export const SLOT = 1025;

/**
 * Decodes `word` for predecode entry `i`: stores its immediate at pd[i + 1] and returns the
 * packed word (handler id | rd << 7 | rs1 << 13 | rs2 << 19 | cost << 25; rd 0 becomes the sink 32).
 */
export function predecode(h: Hart, word: number, i: number): number {
  const form = decodeForm(word);
  if (form === undefined) {
    h.pd[i + 1] = word;
    return OP_ILLEGAL;
  }
  h.pd[i + 1] = operandImmediate(form, word);
  const rd = field.rd(word);
  return form.op | ((rd === 0 ? 32 : rd) << 7) | (field.rs1(word) << 13) | (field.rs2(word) << 19) | (h.opCost[form.op]! << 25);
}

/** The predecode slot of RAM page `ramPage`, taking the next slot round-robin (and emptying it) when it has none. */
function slotFor(h: Hart, ramPage: number): number {
  const existing = h.pageSlot[ramPage]!;
  if (existing >= 0) return existing;
  const s = h.nextSlot;
  h.nextSlot = (s + 1) % h.slotPage.length;
  const old = h.slotPage[s]!;
  if (old >= 0) {
    h.pageSlot[old] = -1;
    h.fetchCache.fill(-1);
  }
  h.slotPage[s] = ramPage;
  const base = h.slotArea + s * SLOT * 2;
  h.pd.fill(0, base, base + 2048);
  h.pd[base + 2048] = OP_PAGE_END;
  h.pageSlot[ramPage] = base;
  h.events['predecode.pages']++;
  return base;
}

/** Forgets predecoded code in [address, address+length) of physical RAM (DMA, loaders). */
export function invalidateCode(h: Hart, address: number, length: number): void {
  const off = (address >>> 0) - h.bus.ramBase;
  if (length <= 0) return;
  const first = Math.max(0, Math.floor(off / 4096));
  const last = Math.min(h.pageSlot.length - 1, Math.floor((off + length - 1) / 4096));
  for (let p = first; p <= last; p++) {
    const base = h.pageSlot[p]!;
    if (base >= 0) h.pd.fill(0, base, base + 2048);
  }
}

/** fence.i: drop every predecoded page. */
export function flushPredecode(h: Hart): void {
  for (let s = 0; s < h.slotPage.length; s++) {
    const p = h.slotPage[s]!;
    if (p >= 0) h.pageSlot[p] = -1;
    h.slotPage[s] = -1;
  }
  h.fetchCache.fill(-1);
  h.events['predecode.flushes']++;
}

/** Clears the predecoded entries a general-path write of `size` bytes at RAM offset `off` overwrote, and tells `onCodeWrite`. */
export function codeWritten(h: Hart, off: number, size: number): void {
  if (h.onCodeWrite !== undefined) h.onCodeWrite(off, size);
  const ps = h.pageSlot[off >>> 12]!;
  if (ps < 0) return;
  h.pd[ps + (((off & 0xfff) >>> 2) << 1)] = 0;
  const last = off + size - 1;
  if (last >>> 2 !== off >>> 2) {
    const ps2 = h.pageSlot[last >>> 12]!;
    if (ps2 >= 0) h.pd[ps2 + (((last & 0xfff) >>> 2) << 1)] = 0;
  }
}

/** Translates `pc` for execution and points the run loop at its predecoded page; false after taking a fetch trap. */
export function setupFetch(h: Hart): boolean {
  const pc = h.pc;
  // The fetch-page cache: pages already found uniform, as long as nothing changed. Under Sv32 the
  // modeled TLB entry must still be there (a lookup, counted as a hit), so TLB figures stay true.
  const vpn = pc >>> 12;
  const c = (vpn & 63) << 2;
  const fc = h.fetchCache;
  if (fc[c] === vpn && (pc & 3) === 0) {
    let ok = true;
    if (h.fetchTranslate) {
      const k = (vpn & h.tlb.mask) << 2;
      const ft = h.tlb.fastTable;
      ok = ft[k] === vpn && (ft[k + 1]! & FAST_EXEC) !== 0;
      if (ok) h.tlbHits++;
    }
    if (ok) {
      h.fSingle = false;
      h.fSb = fc[c + 1]!;
      h.fPhys = fc[c + 2]!;
      h.fVpage = pc & ~0xfff;
      return true;
    }
  }
  if ((pc & 3) !== 0) {
    raise(h, CAUSE.misalignedFetch, pc);
    h.trapped = false;
    return false;
  }
  const pa = h.translate(pc, ACCESS_FETCH, 4);
  if (pa < 0) {
    h.trapped = false;
    return false;
  }
  const off = pa - h.bus.ramBase;
  if (off < 0 || off + 4 > h.bus.ramSize) {
    raise(h, CAUSE.fetchAccess, pc);
    h.trapped = false;
    return false;
  }
  const page = pa - (pa % 4096);
  // Run a whole page only when PMP (and the TLB) grant execution uniformly over it.
  let single = (h.pmp.permissions(page, 4096, h.privilege) & PMP_X) === 0;
  if (h.fetchTranslate) {
    const e = ((pc >>> 12) & h.tlb.mask) << 2;
    const ft = h.tlb.fastTable;
    if (ft[e] !== pc >>> 12 || (ft[e + 1]! & FAST_EXEC) === 0) single = true;
  }
  h.fSingle = single;
  h.fPhys = off - (off % 4096);
  h.fSb = slotFor(h, h.fPhys / 4096);
  h.fVpage = pc & ~0xfff;
  if (!single) {
    fc[c] = vpn;
    fc[c + 1] = h.fSb;
    fc[c + 2] = h.fPhys;
  }
  return true;
}
