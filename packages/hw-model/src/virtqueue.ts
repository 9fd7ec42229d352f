import type { Bus } from './bus.js';

/**
 * Split virtqueues (virtio 1.1 section 2.6) as the device side sees them, reading and writing the
 * rings in guest RAM. Used-ring updates and data go through `Bus.writeRam`, so caches of decoded
 * code hear about DMA like any other write.
 */

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

/** A driver mistake the device cannot serve: it sets DEVICE_NEEDS_RESET (virtio 1.1 section 2.1.2). */
export class VirtqueueError extends Error {
  override name = 'VirtqueueError';
}

/** One guest buffer of a descriptor chain. */
export interface VirtqBuffer {
  readonly address: number;
  readonly length: number;
  /** True when the device writes it (VIRTQ_DESC_F_WRITE). */
  readonly writable: boolean;
}

export interface VirtqueueLayout {
  readonly size: number;
  readonly descAddress: number;
  readonly availAddress: number;
  readonly usedAddress: number;
}

function u16(bus: Bus, address: number): number {
  if (!bus.isRam(address, 2)) throw new VirtqueueError(`ring access at 0x${address.toString(16)} is outside RAM`);
  const off = address - bus.ramBase;
  return bus.ram[off]! | (bus.ram[off + 1]! << 8);
}

function u32(bus: Bus, address: number): number {
  if (!bus.isRam(address, 4)) throw new VirtqueueError(`ring access at 0x${address.toString(16)} is outside RAM`);
  const off = address - bus.ramBase;
  const r = bus.ram;
  return (r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24)) >>> 0;
}

function le(bytes: Uint8Array, offset: number, value: number, width: 2 | 4): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}

export class SplitVirtqueue {
  /** The avail index up to which the device has consumed requests. */
  lastAvail = 0;

  constructor(
    readonly bus: Bus,
    readonly layout: VirtqueueLayout,
  ) {}

  /** True when the driver has made buffers available that the device has not taken yet. */
  hasAvailable(): boolean {
    return u16(this.bus, this.layout.availAddress + 2) !== this.lastAvail;
  }

  /** True when the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT). */
  interruptSuppressed(): boolean {
    return (u16(this.bus, this.layout.availAddress) & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
  }

  /** Takes the next available chain: its head index and buffers. */
  pop(): { head: number; buffers: VirtqBuffer[] } {
    const { size, availAddress } = this.layout;
    const availIdx = u16(this.bus, availAddress + 2);
    if (((availIdx - this.lastAvail) & 0xffff) > size) {
      throw new VirtqueueError(`avail idx ${availIdx} is more than ${size} ahead of ${this.lastAvail}`);
    }
    const head = u16(this.bus, availAddress + 4 + 2 * (this.lastAvail % size));
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return { head, buffers: this.#chain(head) };
  }

  /** Returns a chain to the driver with `written` bytes written into it (section 2.6.8). */
  push(head: number, written: number): void {
    const { size, usedAddress } = this.layout;
    const usedIdx = u16(this.bus, usedAddress + 2);
    const elem = new Uint8Array(8);
    le(elem, 0, head, 4);
    le(elem, 4, written, 4);
    const elemAddress = usedAddress + 4 + 8 * (usedIdx % size);
    if (!this.bus.isRam(elemAddress, 8)) throw new VirtqueueError(`used ring at 0x${elemAddress.toString(16)} is outside RAM`);
    this.bus.writeRam(elemAddress, elem);
    // The element must be visible before the index that publishes it (section 2.6.8.2).
    const idx = new Uint8Array(2);
    le(idx, 0, (usedIdx + 1) & 0xffff, 2);
    this.bus.writeRam(usedAddress + 2, idx);
  }

  #chain(head: number): VirtqBuffer[] {
    const { size, descAddress } = this.layout;
    const buffers: VirtqBuffer[] = [];
    let index = head;
    for (;;) {
      if (index >= size) throw new VirtqueueError(`descriptor index ${index} >= queue size ${size}`);
      // A chain longer than the table must loop (section 2.6.5.3.1 forbids it).
      if (buffers.length >= size) throw new VirtqueueError(`descriptor chain from ${head} loops`);
      const d = descAddress + 16 * index;
      const addrLo = u32(this.bus, d);
      const addrHi = u32(this.bus, d + 4);
      const length = u32(this.bus, d + 8);
      const flags = u16(this.bus, d + 12);
      const next = u16(this.bus, d + 14);
      if (flags & VIRTQ_DESC_F_INDIRECT) throw new VirtqueueError('indirect descriptor, but VIRTIO_F_INDIRECT_DESC was not offered');
      const address = addrHi * 2 ** 32 + addrLo;
      if (addrHi !== 0 || !this.bus.isRam(address, length)) {
        throw new VirtqueueError(`descriptor ${index} buffer 0x${address.toString(16)}+0x${length.toString(16)} is outside RAM`);
      }
      buffers.push({ address, length, writable: (flags & VIRTQ_DESC_F_WRITE) !== 0 });
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) return buffers;
      index = next;
    }
  }
}
