/**
 * Guest-physical memory views. A `PhysicalWindow` maps a guest-physical range
 * [guestBase, guestBase + size) onto host RAM at `hostBase` (host-physical), the way a hypervisor
 * gives a VM a slice of the machine's memory. Every access is bounds-checked against the window
 * and against RAM; writes tell the bus's RAM-write listeners, so caches of decoded or translated
 * code drop what was written (DMA into code is seen, as any other write).
 *
 * Devices that do DMA (virtqueue.ts, virtio-blk.ts) reach memory only through a window, so a
 * device given a VM's window can never touch host memory outside it. The board's own devices use
 * the identity window over all of RAM (`PhysicalWindow.identity(bus)`).
 */
import type { AccessWidth, Bus } from './bus.js';

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** An access outside a window (or a window that does not fit in RAM). Names the address and the window. */
export class MemoryWindowError extends Error {
  override name = 'MemoryWindowError';
  constructor(
    message: string,
    /** The guest-physical address of the access. */
    readonly address: number,
    readonly length: number,
  ) {
    super(message);
  }
}

export class PhysicalWindow {
  readonly bus: Bus;
  /** First guest-physical address of the window. */
  readonly guestBase: number;
  /** Bytes in the window. */
  readonly size: number;
  /** Host-physical address (in RAM) that `guestBase` lands on. */
  readonly hostBase: number;
  readonly #ramOffset: number;

  /** `hostBase` defaults to `guestBase` (an identity window). The host range must lie in RAM. */
  constructor(bus: Bus, guestBase: number, size: number, hostBase: number = guestBase) {
    if (!Number.isSafeInteger(guestBase) || guestBase < 0 || !Number.isSafeInteger(size) || size <= 0 || guestBase + size > 2 ** 34) {
      throw new MemoryWindowError(`window ${String(guestBase)}+${String(size)}: base and size must be integers, size > 0, within the 34-bit physical space`, guestBase, size);
    }
    if (!Number.isSafeInteger(hostBase) || !bus.isRam(hostBase, size)) {
      throw new MemoryWindowError(
        `window at guest ${hex(guestBase)}+0x${size.toString(16)} -> host ${hex(hostBase)} does not lie in RAM (${hex(bus.ramBase)}+0x${bus.ramSize.toString(16)})`,
        guestBase, size,
      );
    }
    this.bus = bus;
    this.guestBase = guestBase;
    this.size = size;
    this.hostBase = hostBase;
    this.#ramOffset = hostBase - bus.ramBase;
  }

  /** The window over all of RAM at its own addresses: what devices of a bare board use. */
  static identity(bus: Bus): PhysicalWindow {
    return new PhysicalWindow(bus, bus.ramBase, bus.ramSize);
  }

  /** True when [address, address + length) lies inside the window. */
  contains(address: number, length = 1): boolean {
    return Number.isSafeInteger(address) && length >= 0 && address >= this.guestBase && address + length <= this.guestBase + this.size;
  }

  /** The host-physical address of guest-physical `address`; throws when [address, +length) leaves the window. */
  hostAddress(address: number, length = 1): number {
    return this.#offset(address, length, 'translate') + this.bus.ramBase;
  }

  /** Reads `width` bytes at guest-physical `address`, little-endian, zero-extended. */
  read(address: number, width: AccessWidth): number {
    const off = this.#offset(address, width, 'read');
    const r = this.bus.ram;
    if (width === 1) return r[off]!;
    if (width === 2) return r[off]! | (r[off + 1]! << 8);
    return (r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24)) >>> 0;
  }

  /** Writes the low `width` bytes of `value` at guest-physical `address`. */
  write(address: number, value: number, width: AccessWidth): void {
    const off = this.#offset(address, width, 'write');
    const r = this.bus.ram;
    r[off] = value;
    if (width >= 2) r[off + 1] = value >>> 8;
    if (width === 4) {
      r[off + 2] = value >>> 16;
      r[off + 3] = value >>> 24;
    }
    this.bus.notifyRamWrite(this.bus.ramBase + off, width);
  }

  /** A copy of `length` bytes at guest-physical `address`. */
  readBytes(address: number, length: number): Uint8Array {
    const off = this.#offset(address, length, 'read');
    return this.bus.ram.slice(off, off + length);
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    const off = this.#offset(address, bytes.length, 'write');
    this.bus.ram.set(bytes, off);
    this.bus.notifyRamWrite(this.bus.ramBase + off, bytes.length);
  }

  /** RAM offset of [address, address + length), or a MemoryWindowError naming both. */
  #offset(address: number, length: number, what: 'read' | 'write' | 'translate'): number {
    if (!this.contains(address, length)) {
      const at = Number.isSafeInteger(address) ? hex(address) : String(address);
      throw new MemoryWindowError(
        `${what} of ${length} byte(s) at guest-physical ${at} is outside the window ${hex(this.guestBase)}..${hex(this.guestBase + this.size)}`,
        address, length,
      );
    }
    return address - this.guestBase + this.#ramOffset;
  }
}
