import type { PhysicalWindow } from './physical-window.js';

/**
 * Split virtqueues (virtio 1.1 section 2.6) as the device side sees them, reading and writing the
 * rings in guest memory through a `PhysicalWindow` (the VM's guest-physical view; the identity
 * window over RAM on a bare board). Nothing outside the window is ever read or written: a ring or
 * buffer address outside it is a `VirtqueueError` (the device then needs a reset). Writes tell the
 * bus's RAM-write listeners, so caches of decoded code hear about DMA like any other write.
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

/** `window.read`, with an access outside the window reported as the driver's mistake. */
function rd(memory: PhysicalWindow, address: number, width: 2 | 4, what: string): number {
  if (!memory.contains(address, width)) throw new VirtqueueError(`${what} at 0x${address.toString(16)} is outside guest memory (${windowText(memory)})`);
  return memory.read(address, width);
}

function windowText(m: PhysicalWindow): string {
  return `0x${m.guestBase.toString(16)}..0x${(m.guestBase + m.size).toString(16)}`;
}

function le(bytes: Uint8Array, offset: number, value: number, width: 2 | 4): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}

export class SplitVirtqueue {
  /** The avail index up to which the device has consumed requests. */
  lastAvail = 0;

  constructor(
    /** The guest memory the rings and buffers live in. */
    readonly memory: PhysicalWindow,
    readonly layout: VirtqueueLayout,
  ) {}

  /** True when the driver has made buffers available that the device has not taken yet. */
  hasAvailable(): boolean {
    return rd(this.memory, this.layout.availAddress + 2, 2, 'avail ring') !== this.lastAvail;
  }

  /** True when the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT). */
  interruptSuppressed(): boolean {
    return (rd(this.memory, this.layout.availAddress, 2, 'avail ring') & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
  }

  /** Takes the next available chain: its head index and buffers. */
  pop(): { head: number; buffers: VirtqBuffer[] } {
    const { size, availAddress } = this.layout;
    const availIdx = rd(this.memory, availAddress + 2, 2, 'avail ring');
    if (((availIdx - this.lastAvail) & 0xffff) > size) {
      throw new VirtqueueError(`avail idx ${availIdx} is more than ${size} ahead of ${this.lastAvail}`);
    }
    const head = rd(this.memory, availAddress + 4 + 2 * (this.lastAvail % size), 2, 'avail ring');
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return { head, buffers: this.#chain(head) };
  }

  /** Returns a chain to the driver with `written` bytes written into it (section 2.6.8). */
  push(head: number, written: number): void {
    const { size, usedAddress } = this.layout;
    const usedIdx = rd(this.memory, usedAddress + 2, 2, 'used ring');
    const elem = new Uint8Array(8);
    le(elem, 0, head, 4);
    le(elem, 4, written, 4);
    const elemAddress = usedAddress + 4 + 8 * (usedIdx % size);
    if (!this.memory.contains(elemAddress, 8)) throw new VirtqueueError(`used ring at 0x${elemAddress.toString(16)} is outside guest memory (${windowText(this.memory)})`);
    this.memory.writeBytes(elemAddress, elem);
    // The element must be visible before the index that publishes it (section 2.6.8.2).
    const idx = new Uint8Array(2);
    le(idx, 0, (usedIdx + 1) & 0xffff, 2);
    this.memory.writeBytes(usedAddress + 2, idx);
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
      const addrLo = rd(this.memory, d, 4, 'descriptor table');
      const addrHi = rd(this.memory, d + 4, 4, 'descriptor table');
      const length = rd(this.memory, d + 8, 4, 'descriptor table');
      const flags = rd(this.memory, d + 12, 2, 'descriptor table');
      const next = rd(this.memory, d + 14, 2, 'descriptor table');
      if (flags & VIRTQ_DESC_F_INDIRECT) throw new VirtqueueError('indirect descriptor, but VIRTIO_F_INDIRECT_DESC was not offered');
      const address = addrHi * 2 ** 32 + addrLo;
      if (addrHi !== 0 || !this.memory.contains(address, length)) {
        throw new VirtqueueError(`descriptor ${index} buffer 0x${address.toString(16)}+0x${length.toString(16)} is outside guest memory (${windowText(this.memory)})`);
      }
      buffers.push({ address, length, writable: (flags & VIRTQ_DESC_F_WRITE) !== 0 });
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) return buffers;
      index = next;
    }
  }
}
