/**
 * The bus: where the CPU and the devices meet (STYLE.md, after QEMU's split of board, devices
 * and CPU). RAM is one typed array the hart reads directly on its fast path; everything else is
 * an MMIO window owned by a device. A device never knows which CPU drives it.
 */

export type AccessWidth = 1 | 2 | 4;

/** A device register window. Offsets are relative to the window's base. */
export interface MmioDevice {
  /** Short name used in counters and errors: `uart0`, `clint`, `plic`, `virtio-blk0`, ... */
  readonly name: string;
  /** Size of the register window in bytes. */
  readonly size: number;
  /**
   * Narrowest access the device accepts (QEMU's `MemoryRegionOps.valid.min_access_size`); the bus
   * answers narrower ones with a `BusError`, which the hart turns into an access fault. Default 1.
   */
  readonly minAccessWidth?: AccessWidth;
  /** Reads `width` bytes at `offset`; returns the value zero-extended to 32 bits. */
  read(offset: number, width: AccessWidth): number;
  /** Writes the low `width` bytes of `value` at `offset`. */
  write(offset: number, value: number, width: AccessWidth): void;
}

/** An access to an address that nothing answers at; the hart turns it into an access fault. */
export class BusError extends Error {
  override name = 'BusError';
  constructor(
    readonly address: number,
    readonly width: AccessWidth,
    readonly kind: 'read' | 'write',
  ) {
    super(`${kind} of ${width} byte(s) at 0x${(address >>> 0).toString(16).padStart(8, '0')}: no RAM or device there`);
  }
}

export class BusConfigError extends Error {
  override name = 'BusConfigError';
}

interface Mapping {
  readonly base: number;
  readonly end: number; // exclusive
  readonly device: MmioDevice;
}

/** Listener told when something other than the hart (DMA, a loader) writes RAM. */
export type RamWriteListener = (physicalAddress: number, length: number) => void;

export class Bus {
  /** RAM bytes; `ram32`/`ram16` view the same buffer for aligned fast paths (little-endian host). */
  readonly ram: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  readonly #mappings: Mapping[] = [];
  readonly #ramWriteListeners: RamWriteListener[] = [];
  /** MMIO accesses per device name, for the run report. */
  readonly mmioAccesses = new Map<string, number>();

  /**
   * `ramBuffer`, when given, holds RAM in its first `ramSize` bytes (zeroed); the rest is the
   * owner's (a `WebAssembly.Memory`'s buffer, say, so that translated code addresses RAM directly).
   */
  constructor(
    readonly ramBase: number,
    readonly ramSize: number,
    ramBuffer?: ArrayBuffer,
  ) {
    if (ramSize <= 0 || ramSize % 4096 !== 0) throw new BusConfigError(`RAM size ${ramSize} is not a positive multiple of 4 KiB`);
    if (ramBase % 4096 !== 0) throw new BusConfigError(`RAM base 0x${ramBase.toString(16)} is not page-aligned`);
    if (ramBase + ramSize > 2 ** 32) throw new BusConfigError(`RAM 0x${ramBase.toString(16)} + 0x${ramSize.toString(16)} passes 4 GiB`);
    if (ramBuffer !== undefined && ramBuffer.byteLength < ramSize) {
      throw new BusConfigError(`RAM buffer of ${ramBuffer.byteLength} bytes is smaller than RAM (${ramSize} bytes)`);
    }
    const buffer = ramBuffer ?? new ArrayBuffer(ramSize);
    this.ram = new Uint8Array(buffer, 0, ramSize);
    this.ram16 = new Uint16Array(buffer, 0, ramSize >>> 1);
    this.ram32 = new Int32Array(buffer, 0, ramSize >>> 2);
  }

  /** Maps a device's register window at `base`. Overlaps with RAM or another device are refused. */
  map(base: number, device: MmioDevice): void {
    const end = base + device.size;
    const overlaps = (b: number, e: number) => base < e && b < end;
    if (overlaps(this.ramBase, this.ramBase + this.ramSize)) {
      throw new BusConfigError(`device '${device.name}' at 0x${base.toString(16)} overlaps RAM`);
    }
    for (const m of this.#mappings) {
      if (overlaps(m.base, m.end)) throw new BusConfigError(`device '${device.name}' overlaps '${m.device.name}'`);
    }
    this.#mappings.push({ base, end, device });
    this.#mappings.sort((a, b) => a.base - b.base);
    this.mmioAccesses.set(device.name, 0);
  }

  /** True when `[address, address+length)` lies in RAM. */
  isRam(address: number, length = 1): boolean {
    const off = (address >>> 0) - this.ramBase;
    return off >= 0 && off + length <= this.ramSize;
  }

  /** The device whose window holds `address`, if any. */
  deviceAt(address: number): { device: MmioDevice; offset: number } | undefined {
    const a = address >>> 0;
    for (const m of this.#mappings) {
      if (a >= m.base && a < m.end) return { device: m.device, offset: a - m.base };
    }
    return undefined;
  }

  devices(): readonly { base: number; device: MmioDevice }[] {
    return this.#mappings.map(({ base, device }) => ({ base, device }));
  }

  /** General read (slow path): RAM or MMIO. Throws `BusError` where nothing answers. */
  read(address: number, width: AccessWidth): number {
    const a = address >>> 0;
    if (this.isRam(a, width)) {
      const off = a - this.ramBase;
      const r = this.ram;
      if (width === 1) return r[off]!;
      if (width === 2) return r[off]! | (r[off + 1]! << 8);
      return (r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24)) >>> 0;
    }
    const hit = this.deviceAt(a);
    if (hit === undefined || hit.offset + width > hit.device.size || width < (hit.device.minAccessWidth ?? 1)) {
      throw new BusError(a, width, 'read');
    }
    this.#count(hit.device.name);
    return hit.device.read(hit.offset, width) >>> 0;
  }

  /** General write (slow path): RAM or MMIO. Throws `BusError` where nothing answers. */
  write(address: number, value: number, width: AccessWidth): void {
    const a = address >>> 0;
    if (this.isRam(a, width)) {
      const off = a - this.ramBase;
      const r = this.ram;
      r[off] = value;
      if (width >= 2) r[off + 1] = value >>> 8;
      if (width === 4) {
        r[off + 2] = value >>> 16;
        r[off + 3] = value >>> 24;
      }
      return;
    }
    const hit = this.deviceAt(a);
    if (hit === undefined || hit.offset + width > hit.device.size || width < (hit.device.minAccessWidth ?? 1)) {
      throw new BusError(a, width, 'write');
    }
    this.#count(hit.device.name);
    hit.device.write(hit.offset, value, width);
  }

  /**
   * Copies bytes into RAM on behalf of something other than the hart (DMA, loaders) and tells the
   * listeners, so that caches of decoded or translated code stay correct.
   */
  writeRam(address: number, bytes: Uint8Array): void {
    if (!this.isRam(address, bytes.length)) {
      throw new BusError(address, 1, 'write');
    }
    this.ram.set(bytes, (address >>> 0) - this.ramBase);
    this.notifyRamWrite(address, bytes.length);
  }

  /** Sets `length` bytes of RAM to `value` (a loader's zero fill), telling the listeners as `writeRam` does. */
  fillRam(address: number, length: number, value = 0): void {
    if (length === 0) return;
    if (!this.isRam(address, length)) throw new BusError(address, 1, 'write');
    const off = (address >>> 0) - this.ramBase;
    this.ram.fill(value, off, off + length);
    this.notifyRamWrite(address, length);
  }

  /** Reads bytes out of RAM (DMA, loaders, tests). */
  readRam(address: number, length: number): Uint8Array {
    if (!this.isRam(address, length)) throw new BusError(address, 1, 'read');
    const off = (address >>> 0) - this.ramBase;
    return this.ram.slice(off, off + length);
  }

  onRamWrite(listener: RamWriteListener): void {
    this.#ramWriteListeners.push(listener);
  }

  notifyRamWrite(address: number, length: number): void {
    for (const l of this.#ramWriteListeners) l(address >>> 0, length);
  }

  #count(name: string): void {
    this.mmioAccesses.set(name, (this.mmioAccesses.get(name) ?? 0) + 1);
  }
}
