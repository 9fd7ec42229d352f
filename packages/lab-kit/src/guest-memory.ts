/**
 * A VM's guest-physical RAM: the window [guestBase, guestBase + size) of guest-physical addresses
 * that lands on host RAM at hostBase. Access is side-effect free — no trap, no TLB, no lab cycles —
 * and writes tell the bus's RAM-write listeners, so decoded code stays correct (as DMA does).
 *
 * The bytes go through hw-model's `PhysicalWindow` (`window`, which the VM's DMA devices use too);
 * this class adds what a hypervisor needs on top: int32 register values taken as unsigned
 * addresses, page-aligned bounds, and errors that speak of the VM.
 */
import { PhysicalWindow } from '@virtlab/hw-model';
import type { AccessWidth, Bus } from '@virtlab/hw-model';

export class GuestMemoryError extends Error {
  override name = 'GuestMemoryError';
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export class GuestMemory {
  /** The same window in hw-model's terms: what the VM's virtio devices do DMA through. */
  readonly window: PhysicalWindow;

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
    this.window = new PhysicalWindow(bus, guestBase, size, hostBase);
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
    return this.window.hostAddress(this.#check(gpa, 1, 'translate'));
  }

  read(gpa: number, width: AccessWidth = 4): number {
    return this.window.read(this.#check(gpa, width, 'read'), width);
  }

  write(gpa: number, value: number, width: AccessWidth = 4): void {
    this.window.write(this.#check(gpa, width, 'write'), value, width);
  }

  readBytes(gpa: number, length: number): Uint8Array {
    return this.window.readBytes(this.#check(gpa, length, 'read'), length);
  }

  writeBytes(gpa: number, bytes: Uint8Array): void {
    this.window.writeBytes(this.#check(gpa, bytes.length, 'write'), bytes);
  }

  /** `gpa` as an unsigned address, or a GuestMemoryError when [gpa, gpa + length) leaves the VM's RAM. */
  #check(gpa: number, length: number, what: string): number {
    if (!this.contains(gpa, length)) {
      throw new GuestMemoryError(`${what} of ${length} bytes at guest-physical ${hex(gpa)} is outside the VM's RAM ${hex(this.guestBase)}..${hex(this.guestEnd)}`);
    }
    return gpa >>> 0;
  }
}
