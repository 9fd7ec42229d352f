/**
 * Physical memory protection (priv 3.7): 16 entries, OFF/TOR/NA4/NAPOT, the lock bit. Addresses
 * are handled as doubles because pmpaddr holds bits 33:2 of a 34-bit physical address.
 */

export const PMP_R = 1;
export const PMP_W = 2;
export const PMP_X = 4;
const PMP_L = 0x80;
const A_OFF = 0;
const A_TOR = 1;
const A_NA4 = 2;

export class Pmp {
  readonly cfg = new Uint8Array(16);
  readonly addr = new Uint32Array(16);
  /** Byte ranges [lo, hi) per entry; hi = 0 when the entry matches nothing. */
  readonly #lo = new Float64Array(16);
  readonly #hi = new Float64Array(16);
  /** True when some entry is active: S/U accesses that match none then fail (priv 3.7.1). */
  anyActive = false;
  anyLocked = false;
  /** Goes up on every change of the configuration (translators check their assumptions against it). */
  epoch = 0;

  readCfg(reg: number): number {
    const c = this.cfg;
    const b = reg * 4;
    return (c[b]! | (c[b + 1]! << 8) | (c[b + 2]! << 16) | (c[b + 3]! << 24)) | 0;
  }

  /** Writes pmpcfg`reg`; locked entries keep their byte (priv 3.7.1.2). */
  writeCfg(reg: number, value: number): void {
    for (let k = 0; k < 4; k++) {
      const j = reg * 4 + k;
      if ((this.cfg[j]! & PMP_L) !== 0) continue;
      this.cfg[j] = (value >>> (8 * k)) & 0x9f;
    }
    this.#recompute();
  }

  /** Writes pmpaddr`j`; ignored when entry j is locked or entry j+1 is a locked TOR entry. */
  writeAddr(j: number, value: number): void {
    if ((this.cfg[j]! & PMP_L) !== 0) return;
    if (j < 15 && (this.cfg[j + 1]! & PMP_L) !== 0 && ((this.cfg[j + 1]! >> 3) & 3) === A_TOR) return;
    this.addr[j] = value >>> 0;
    this.#recompute();
  }

  #recompute(): void {
    this.epoch++;
    this.anyActive = false;
    this.anyLocked = false;
    for (let j = 0; j < 16; j++) {
      const c = this.cfg[j]!;
      const a = (c >> 3) & 3;
      let lo = 0;
      let hi = 0;
      const y = this.addr[j]!;
      if (a === A_TOR) {
        lo = j === 0 ? 0 : this.addr[j - 1]! * 4;
        hi = y * 4;
      } else if (a === A_NA4) {
        lo = y * 4;
        hi = lo + 4;
      } else if (a !== A_OFF) {
        // NAPOT: t trailing ones encode a region of 2^(t+3) bytes (priv table 3.10).
        let t = 0;
        while (t < 32 && Math.floor(y / 2 ** t) % 2 === 1) t++;
        const words = 2 ** (t + 1);
        lo = Math.floor(y / words) * words * 4;
        hi = lo + words * 4;
      }
      if (a !== A_OFF) this.anyActive = true;
      if ((c & PMP_L) !== 0) this.anyLocked = true;
      this.#lo[j] = lo;
      this.#hi[j] = hi > lo ? hi : 0;
    }
  }

  /**
   * The access types (PMP_R|PMP_W|PMP_X) that every byte of [address, address+length) is granted
   * at privilege `priv` (3 = M). The lowest-numbered entry that matches any byte decides; an entry
   * that matches only part of the range grants nothing (priv 3.7.1.4).
   */
  permissions(address: number, length: number, priv: number): number {
    if (priv === 3 && !this.anyLocked) return 7;
    const end = address + length;
    for (let j = 0; j < 16; j++) {
      const hi = this.#hi[j]!;
      if (hi === 0) continue;
      const lo = this.#lo[j]!;
      if (end <= lo || address >= hi) continue;
      if (address < lo || end > hi) return 0;
      const c = this.cfg[j]!;
      if (priv === 3 && (c & PMP_L) === 0) return 7;
      return c & 7;
    }
    // No entry matches: M is allowed, S and U are not, since entries are implemented (priv 3.7.1).
    return priv === 3 ? 7 : 0;
  }

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0);
    this.#recompute();
  }
}
