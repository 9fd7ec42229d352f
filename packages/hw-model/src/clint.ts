import type { AccessWidth, MmioDevice } from './bus.js';
import type { LabClock } from './clock.js';
import { mergeWrite, narrowRead } from './mmio-word.js';

// SiFive CLINT layout for hart 0 (QEMU hw/intc/riscv_aclint.c, "sifive,clint0").
export const CLINT_MSIP = 0x0000;
export const CLINT_MTIMECMP = 0x4000;
export const CLINT_MTIME = 0xbff8;
const TWO_32 = 2 ** 32;

/**
 * The core-local interruptor at 0x0200_0000: msip (software interrupt), mtimecmp and mtime for one
 * hart. mtime is read from the lab clock (plus an offset the guest may set by writing mtime), never
 * from the host clock. MTIP is a level: mtime >= mtimecmp (priv 3.2.1). Like QEMU, the comparator
 * is inactive until the guest first writes mtimecmp, so reset does not leave a timer pending.
 */
export class Clint implements MmioDevice {
  readonly name = 'clint';
  /** QEMU maps the ACLINT swi (0x0-0x3fff) and mtimer (0x4000-0xbfff) windows; 0xc000-0xffff faults. */
  readonly size = 0xc000;
  /** Only 32-bit accesses, as QEMU's device accepts (narrower ones are access faults). */
  readonly minAccessWidth = 4;
  #msip = 0;
  #cmpLo = 0;
  #cmpHi = 0;
  #armed = false;
  /** Ticks added to the clock's mtime by guest writes to mtime. */
  #mtimeOffset = 0;

  constructor(readonly clock: LabClock) {}

  /** mtime as the guest sees it. */
  get mtime(): number {
    return this.clock.mtime + this.#mtimeOffset;
  }

  get mtimecmp(): number {
    return this.#cmpHi * TWO_32 + this.#cmpLo;
  }

  get msip(): boolean {
    return this.#msip !== 0;
  }

  /** Machine timer interrupt line. Exact while mtime stays below 2^53 ticks. */
  get mtip(): boolean {
    return this.#armed && this.mtime >= this.mtimecmp;
  }

  /** Lab cycle at which MTIP next rises without an MMIO access; Infinity if it will not. */
  nextEventCycle(): number {
    if (!this.#armed) return Infinity;
    const cmp = this.mtimecmp;
    if (this.mtime >= cmp) return Infinity; // already asserted; only an mtimecmp write changes it
    const tick = cmp - this.#mtimeOffset;
    return tick >= Number.MAX_SAFE_INTEGER / this.clock.cyclesPerTick ? Infinity : this.clock.cycleOfTick(tick);
  }

  read(offset: number, width: AccessWidth): number {
    const word = offset & ~3;
    return narrowRead(this.#readWord(word), offset, width);
  }

  write(offset: number, value: number, width: AccessWidth): void {
    const word = offset & ~3;
    this.#writeWord(word, mergeWrite(this.#readWord(word), offset, value, width));
  }

  #readWord(word: number): number {
    switch (word) {
      case CLINT_MSIP:
        return this.#msip;
      case CLINT_MTIMECMP:
        return this.#cmpLo;
      case CLINT_MTIMECMP + 4:
        return this.#cmpHi;
      case CLINT_MTIME:
        return this.mtime % TWO_32;
      case CLINT_MTIME + 4:
        return Math.floor(this.mtime / TWO_32) % TWO_32;
      default:
        return 0; // other harts' registers: no such hart
    }
  }

  #writeWord(word: number, value: number): void {
    switch (word) {
      case CLINT_MSIP:
        this.#msip = value & 1; // only bit 0 is writable (SiFive CLINT)
        break;
      case CLINT_MTIMECMP:
        this.#cmpLo = value >>> 0;
        this.#armed = true;
        break;
      case CLINT_MTIMECMP + 4:
        this.#cmpHi = value >>> 0;
        this.#armed = true;
        break;
      case CLINT_MTIME:
        this.#setMtime(Math.floor(this.mtime / TWO_32) * TWO_32 + (value >>> 0));
        break;
      case CLINT_MTIME + 4:
        this.#setMtime((value >>> 0) * TWO_32 + (this.mtime % TWO_32));
        break;
      default:
        break;
    }
  }

  #setMtime(ticks: number): void {
    this.#mtimeOffset = ticks - this.clock.mtime;
  }
}
