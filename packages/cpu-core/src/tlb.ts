/**
 * The modeled TLB: a fixed number of entries, direct-mapped by virtual page number, tagged with
 * the ASID (global mappings match every ASID). Superpages are held as the 4 KiB piece that was
 * used, as QEMU does; sfence.vma of an address inside a superpage drops all of its pieces.
 *
 * Besides the architectural content (vpn, asid, global, PTE flags, physical page), each entry has
 * a `key` and `fast` permission bits precomputed for the hart's current context, so that a
 * translated load, store or fetch is one compare and one mask on the interpreter's fast path.
 */

export const FAST_READ = 1;
export const FAST_WRITE = 2;
export const FAST_EXEC = 4;

export class Tlb {
  readonly size: number;
  readonly mask: number;
  /** vpn when valid, -1 when empty. */
  readonly vpn: Int32Array;
  readonly asid: Int32Array;
  readonly global: Uint8Array;
  /** Leaf PTE flags (V R W X U G A D) as last written back. */
  readonly flags: Uint8Array;
  /** 1 when the leaf is a 4 MiB superpage. */
  readonly superpage: Uint8Array;
  /** Physical address of the 4 KiB page (a double: Sv32 reaches 34 bits). */
  readonly physical: Float64Array;
  /** PMP grants for S/U on the whole physical page (PMP_R|W|X), -1 when not uniform. */
  readonly pmp: Int8Array;
  /**
   * The fast path's view, 4 ints per entry: [key, fast, ramOffset, 0]. key = vpn when the entry
   * is usable in the current ASID, else -1; fast = FAST_* permissions in the current context (0
   * sends the access to the slow path); ramOffset = RAM offset of the physical page.
   */
  readonly fastTable: Int32Array;

  /** `fastTable`: storage for the fast view (4 ints per entry), e.g. a view into the hart's run-loop array. */
  constructor(entries: number, fastTable?: Int32Array) {
    if (!Number.isInteger(entries) || entries < 1 || (entries & (entries - 1)) !== 0 || entries > 65536) {
      throw new RangeError(`TLB size must be a power of two between 1 and 65536, got ${entries}`);
    }
    this.size = entries;
    this.mask = entries - 1;
    this.vpn = new Int32Array(entries).fill(-1);
    this.asid = new Int32Array(entries);
    this.global = new Uint8Array(entries);
    this.flags = new Uint8Array(entries);
    this.superpage = new Uint8Array(entries);
    this.physical = new Float64Array(entries);
    this.pmp = new Int8Array(entries);
    if (fastTable !== undefined && fastTable.length !== entries * 4) throw new RangeError(`fast table needs ${entries * 4} ints, got ${fastTable.length}`);
    this.fastTable = fastTable ?? new Int32Array(entries * 4);
    for (let e = 0; e < entries; e++) this.fastTable[e * 4] = -1;
  }

  invalidate(e: number): void {
    this.vpn[e] = -1;
    this.fastTable[e * 4] = -1;
    this.fastTable[e * 4 + 1] = 0;
  }

  /**
   * sfence.vma semantics (priv 4.2.1): `vaddr` undefined = every address, `asid` undefined =
   * every address space; global entries survive ASID-specific flushes.
   */
  flush(vaddr: number | undefined, asid: number | undefined): number {
    let dropped = 0;
    const vpn = vaddr === undefined ? -1 : vaddr >>> 12;
    for (let e = 0; e < this.size; e++) {
      const v = this.vpn[e]!;
      if (v < 0) continue;
      if (vaddr !== undefined) {
        const same = this.superpage[e] === 1 ? v >>> 10 === vpn >>> 10 : v === vpn;
        if (!same) continue;
      }
      if (asid !== undefined && (this.global[e] === 1 || this.asid[e] !== asid)) continue;
      this.invalidate(e);
      dropped++;
    }
    return dropped;
  }
}
