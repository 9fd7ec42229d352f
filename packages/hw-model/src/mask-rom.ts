import type { AccessWidth, MmioDevice } from './bus.js';

/**
 * A read-only memory window, like QEMU virt's mask ROM at 0x1000 that holds the reset vector and
 * the `fw_dynamic_info` block. Writes are ignored.
 */
export class MaskRom implements MmioDevice {
  readonly bytes: Uint8Array;

  constructor(
    readonly name: string,
    readonly size: number,
  ) {
    this.bytes = new Uint8Array(size);
  }

  read(offset: number, width: AccessWidth): number {
    const b = this.bytes;
    if (width === 1) return b[offset] ?? 0;
    if (width === 2) return (b[offset] ?? 0) | ((b[offset + 1] ?? 0) << 8);
    return ((b[offset] ?? 0) | ((b[offset + 1] ?? 0) << 8) | ((b[offset + 2] ?? 0) << 16) | ((b[offset + 3] ?? 0) << 24)) >>> 0;
  }

  write(_offset: number, _value: number, _width: AccessWidth): void {}

  /** Stores little-endian 32-bit words at `offset` (used by the boot loader, not the guest). */
  program(offset: number, words: readonly number[]): void {
    const view = new DataView(this.bytes.buffer);
    words.forEach((w, i) => view.setUint32(offset + 4 * i, w >>> 0, true));
  }
}
