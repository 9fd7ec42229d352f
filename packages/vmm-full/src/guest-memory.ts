/**
 * A VM's guest-physical RAM: the window [guestBase, guestBase + size) of guest-physical addresses
 * that lands on host RAM at hostBase. Access is side-effect free — no trap, no TLB, no lab cycles —
 * and writes tell the bus's RAM-write listeners, so decoded code stays correct (as DMA does).
 *
 * This is the one file to change when hw-model's `PhysicalWindow` and the port's
 * `memory(window)` land: they do the same thing in the machine model.
 */
import type { AccessWidth, Bus } from '@virtlab/hw-model';

export class GuestMemoryError extends Error {
  override name = 'GuestMemoryError';
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export class GuestMemory {
  readonly #ram: Uint8Array;
  readonly #off: number;

  constructor(
    readonly bus: Bus,
    readonly guestBase: number,
    readonly hostBase: number,
    readonly size: number,
  ) {
    if (guestBase % 4096 !== 0 || hostBase % 4096 !== 0 || size <= 0 || size % 4096 !== 0) {
      throw new GuestMemoryError(`window ${hex(guestBase)}+0x${size.toString(16)} at host ${hex(hostBase)}: bases and size must be page multiples, size > 0`);
    }
    if (!bus.isRam(hostBase, size)) {
      throw new GuestMemoryError(`window ${hex(guestBase)}+0x${size.toString(16)} at host ${hex(hostBase)} is not inside host RAM ${hex(bus.ramBase)}+0x${bus.ramSize.toString(16)}`);
    }
    this.#ram = bus.ram;
    this.#off = hostBase - bus.ramBase;
  }

  get guestEnd(): number {
    return this.guestBase + this.size;
  }

  /** True when guest-physical [gpa, gpa + length) is RAM of this VM. */
  contains(gpa: number, length = 1): boolean {
    const o = (gpa >>> 0) - this.guestBase;
    return o >= 0 && o + length <= this.size;
  }

  /** The host-physical address of guest-physical `gpa` (which must be inside the window). */
  hostAddress(gpa: number): number {
    this.#check(gpa, 1, 'translate');
    return this.hostBase + ((gpa >>> 0) - this.guestBase);
  }

  read(gpa: number, width: AccessWidth = 4): number {
    const o = this.#check(gpa, width, 'read');
    const r = this.#ram;
    if (width === 1) return r[o]!;
    if (width === 2) return r[o]! | (r[o + 1]! << 8);
    return (r[o]! | (r[o + 1]! << 8) | (r[o + 2]! << 16) | (r[o + 3]! << 24)) >>> 0;
  }

  write(gpa: number, value: number, width: AccessWidth = 4): void {
    const o = this.#check(gpa, width, 'write');
    const r = this.#ram;
    r[o] = value;
    if (width >= 2) r[o + 1] = value >>> 8;
    if (width === 4) {
      r[o + 2] = value >>> 16;
      r[o + 3] = value >>> 24;
    }
    this.bus.notifyRamWrite(this.bus.ramBase + o, width);
  }

  readBytes(gpa: number, length: number): Uint8Array {
    const o = this.#check(gpa, length, 'read');
    return this.#ram.slice(o, o + length);
  }

  writeBytes(gpa: number, bytes: Uint8Array): void {
    const o = this.#check(gpa, bytes.length, 'write');
    this.#ram.set(bytes, o);
    this.bus.notifyRamWrite(this.bus.ramBase + o, bytes.length);
  }

  #check(gpa: number, length: number, what: string): number {
    if (!this.contains(gpa, length)) {
      throw new GuestMemoryError(`${what} of ${length} bytes at guest-physical ${hex(gpa)} is outside the VM's RAM ${hex(this.guestBase)}..${hex(this.guestEnd)}`);
    }
    return this.#off + ((gpa >>> 0) - this.guestBase);
  }
}
