import { Bus } from './bus.js';
import type { AccessWidth, MmioDevice } from './bus.js';
import { PhysicalWindow } from './physical-window.js';
import type { IrqLine } from './irq-line.js';
import { unconnectedIrq } from './irq-line.js';
import { SplitVirtqueue } from './virtqueue.js';

// virtio-mmio version 2 registers (virtio 1.1 section 4.2.2).
export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
export const VIRTIO_MMIO_VERSION = 0x004;
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
export const VIRTIO_MMIO_QUEUE_SEL = 0x030;
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
export const VIRTIO_MMIO_QUEUE_NUM = 0x038;
export const VIRTIO_MMIO_QUEUE_READY = 0x044;
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
export const VIRTIO_MMIO_STATUS = 0x070;
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
export const VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090;
export const VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094;
export const VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0;
export const VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4;
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
export const VIRTIO_MMIO_CONFIG = 0x100;

export const VIRTIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_VENDOR_QEMU = 0x554d4551; // "QEMU", as QEMU reports it

// Device status bits (section 2.1).
export const VIRTIO_STATUS_ACKNOWLEDGE = 1;
export const VIRTIO_STATUS_DRIVER = 2;
export const VIRTIO_STATUS_DRIVER_OK = 4;
export const VIRTIO_STATUS_FEATURES_OK = 8;
export const VIRTIO_STATUS_NEEDS_RESET = 0x40;
export const VIRTIO_STATUS_FAILED = 0x80;

export const VIRTIO_INT_USED_RING = 1;
export const VIRTIO_INT_CONFIG = 2;

/** Feature bit 32: the device follows virtio 1.x (section 6). */
export const VIRTIO_F_VERSION_1 = 32;

/** What a virtio device type (blk, net, ...) supplies to the transport. */
export interface VirtioBackend {
  /** Device ID (section 5): 2 for a block device. */
  readonly deviceId: number;
  /** Offered feature bits, as a bigint (bit n = feature n). */
  readonly features: bigint;
  readonly queueCount: number;
  readonly queueNumMax: number;
  /** The device-specific configuration space (section 4.2.2, offset 0x100). */
  config(): Uint8Array;
  /**
   * Serves every available request on `queue`; returns true if any buffer was used. Throws
   * `VirtqueueError` on a malformed request.
   */
  process(queue: SplitVirtqueue, queueIndex: number): boolean;
  reset(): void;
}

interface QueueState {
  num: number;
  ready: boolean;
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
  virtqueue: SplitVirtqueue | undefined;
}

const newQueue = (num: number): QueueState => ({
  num,
  ready: false,
  desc: [0, 0],
  driver: [0, 0],
  device: [0, 0],
  virtqueue: undefined,
});

/**
 * One virtio-mmio slot, version 2 (the modern interface; QEMU needs
 * `-global virtio-mmio.force-legacy=false` to show the same). Without a backend the slot answers
 * like QEMU's empty slots: magic, version and vendor ID, and 0 for everything else (device ID 0).
 */
export class VirtioMmio implements MmioDevice {
  /** Registers and config space; QEMU maps 0x200 bytes of each 0x1000 slot (virtio-mmio.c), the rest faults. */
  readonly size = 0x200;
  #status = 0;
  #interruptStatus = 0;
  #deviceFeaturesSel = 0;
  #driverFeaturesSel = 0;
  #driverFeatures = 0n;
  #queueSel = 0;
  readonly #queues: QueueState[];
  #irqLevel = false;
  /** Why the device last set DEVICE_NEEDS_RESET, for reports. */
  lastError: string | undefined;

  /** The guest memory the device's DMA reaches (rings and buffers); nothing outside it. */
  readonly memory: PhysicalWindow;

  /**
   * `memory`: the guest-physical window the device does DMA through; a `Bus` means the identity
   * window over its RAM (a bare board). A VM's device gets the VM's window.
   */
  constructor(
    readonly name: string,
    memory: Bus | PhysicalWindow,
    readonly backend: VirtioBackend | undefined,
    readonly irq: IrqLine = unconnectedIrq,
  ) {
    this.memory = memory instanceof Bus ? PhysicalWindow.identity(memory) : memory;
    this.#queues = Array.from({ length: backend?.queueCount ?? 0 }, () => newQueue(backend?.queueNumMax ?? 0));
  }

  get status(): number {
    return this.#status;
  }

  get interruptStatus(): number {
    return this.#interruptStatus;
  }

  get irqLevel(): boolean {
    return this.#irqLevel;
  }

  read(offset: number, width: AccessWidth): number {
    const b = this.backend;
    if (b === undefined) {
      // QEMU's virtio_mmio_read without a backend: magic, version and vendor; everything else 0.
      const mask = width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
      if (offset === VIRTIO_MMIO_MAGIC_VALUE) return (VIRTIO_MAGIC & mask) >>> 0;
      if (offset === VIRTIO_MMIO_VERSION) return 2 & mask;
      if (offset === VIRTIO_MMIO_VENDOR_ID) return (VIRTIO_VENDOR_QEMU & mask) >>> 0;
      return 0;
    }
    if (offset >= VIRTIO_MMIO_CONFIG) {
      const config = b.config();
      const at = offset - VIRTIO_MMIO_CONFIG;
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = (v << 8) | (config[at + i] ?? 0);
      return v >>> 0;
    }
    // Registers answer 32-bit accesses only (section 4.2.2.2); QEMU reads others as 0.
    return width === 4 ? this.#readWord(offset, b) : 0;
  }

  #readWord(word: number, b: VirtioBackend): number {
    const q = this.#queues[this.#queueSel];
    switch (word) {
      case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MAGIC;
      case VIRTIO_MMIO_VERSION:
        return 2;
      case VIRTIO_MMIO_DEVICE_ID:
        return b.deviceId;
      case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_VENDOR_QEMU;
      case VIRTIO_MMIO_DEVICE_FEATURES:
        return this.#deviceFeaturesSel > 1 ? 0 : Number((b.features >> BigInt(32 * this.#deviceFeaturesSel)) & 0xffffffffn);
      case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return q === undefined ? 0 : b.queueNumMax;
      case VIRTIO_MMIO_QUEUE_READY:
        return q?.ready ? 1 : 0;
      case VIRTIO_MMIO_INTERRUPT_STATUS:
        return this.#interruptStatus;
      case VIRTIO_MMIO_STATUS:
        return this.#status;
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
        return q?.desc[0] ?? 0;
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        return q?.desc[1] ?? 0;
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        return q?.driver[0] ?? 0;
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        return q?.driver[1] ?? 0;
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        return q?.device[0] ?? 0;
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return q?.device[1] ?? 0;
      case VIRTIO_MMIO_CONFIG_GENERATION:
        return 0; // the configuration never changes under the driver
      default:
        return 0; // write-only and reserved registers read as 0, as in QEMU
    }
  }

  write(offset: number, value: number, width: AccessWidth): void {
    const b = this.backend;
    // Configuration writes are ignored (no writable field is offered); registers need 32-bit
    // accesses (section 4.2.2.2), others are dropped like QEMU does.
    if (b === undefined || offset >= VIRTIO_MMIO_CONFIG || width !== 4 || (offset & 3) !== 0) return;
    const v = value >>> 0;
    const q = this.#queues[this.#queueSel];
    switch (offset) {
      case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        this.#deviceFeaturesSel = v;
        break;
      case VIRTIO_MMIO_DRIVER_FEATURES:
        if (this.#driverFeaturesSel <= 1 && (this.#status & VIRTIO_STATUS_FEATURES_OK) === 0) {
          const shift = BigInt(32 * this.#driverFeaturesSel);
          this.#driverFeatures = (this.#driverFeatures & ~(0xffffffffn << shift)) | (BigInt(v) << shift);
        }
        break;
      case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        this.#driverFeaturesSel = v;
        break;
      case VIRTIO_MMIO_QUEUE_SEL:
        this.#queueSel = v;
        break;
      case VIRTIO_MMIO_QUEUE_NUM:
        if (q !== undefined && !q.ready && v > 0 && v <= b.queueNumMax) q.num = v;
        break;
      case VIRTIO_MMIO_QUEUE_READY:
        if (q !== undefined) this.#setReady(q, (v & 1) === 1);
        break;
      case VIRTIO_MMIO_QUEUE_NOTIFY:
        this.#notify(v);
        break;
      case VIRTIO_MMIO_INTERRUPT_ACK:
        this.#interruptStatus &= ~v;
        break;
      case VIRTIO_MMIO_STATUS:
        this.#writeStatus(v);
        break;
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (q !== undefined && !q.ready) {
          const field = offset < VIRTIO_MMIO_QUEUE_DRIVER_LOW ? q.desc : offset < VIRTIO_MMIO_QUEUE_DEVICE_LOW ? q.driver : q.device;
          field[(offset >>> 2) & 1] = v;
        }
        break;
      default:
        break;
    }
    this.#updateIrq();
  }

  #writeStatus(v: number): void {
    if (v === 0) {
      this.#reset();
      return;
    }
    let status = v & 0xff;
    if (status & VIRTIO_STATUS_FEATURES_OK && (this.#status & VIRTIO_STATUS_FEATURES_OK) === 0) {
      // Section 3.1.1 step 5-6: accept only a subset of what was offered, and only the modern
      // interface; otherwise leave FEATURES_OK clear so the driver sees the refusal.
      const offered = this.backend?.features ?? 0n;
      const ok = (this.#driverFeatures & ~offered) === 0n && (this.#driverFeatures >> BigInt(VIRTIO_F_VERSION_1)) & 1n;
      if (!ok) status &= ~VIRTIO_STATUS_FEATURES_OK;
    }
    // NEEDS_RESET is the device's to set, not the driver's.
    this.#status = (status & ~VIRTIO_STATUS_NEEDS_RESET) | (this.#status & VIRTIO_STATUS_NEEDS_RESET);
  }

  /** Features the driver accepted. */
  get driverFeatures(): bigint {
    return this.#driverFeatures;
  }

  #setReady(q: QueueState, ready: boolean): void {
    q.ready = ready;
    if (!ready) {
      q.virtqueue = undefined;
      return;
    }
    if (q.desc[1] !== 0 || q.driver[1] !== 0 || q.device[1] !== 0) {
      this.#fail('a queue address has its high 32 bits set; RAM is below 4 GiB');
      q.ready = false;
      return;
    }
    q.virtqueue = new SplitVirtqueue(this.memory, {
      size: q.num,
      descAddress: q.desc[0],
      availAddress: q.driver[0],
      usedAddress: q.device[0],
    });
  }

  #notify(index: number): void {
    const q = this.#queues[index];
    const vq = q?.virtqueue;
    if (this.backend === undefined || vq === undefined) return;
    if ((this.#status & VIRTIO_STATUS_DRIVER_OK) === 0 || this.#status & VIRTIO_STATUS_NEEDS_RESET) return;
    try {
      if (this.backend.process(vq, index) && !vq.interruptSuppressed()) this.#interruptStatus |= VIRTIO_INT_USED_RING;
    } catch (error) {
      // A VirtqueueError is the expected case; anything else (a DMA BusError) is the guest's doing
      // too, and must not leave the device.
      this.#fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** A malformed request: set DEVICE_NEEDS_RESET and tell the driver by a config interrupt (section 2.1.2). */
  #fail(message: string): void {
    this.lastError = message;
    this.#status |= VIRTIO_STATUS_NEEDS_RESET;
    this.#interruptStatus |= VIRTIO_INT_CONFIG;
  }

  #reset(): void {
    this.#status = 0;
    this.#interruptStatus = 0;
    this.#deviceFeaturesSel = 0;
    this.#driverFeaturesSel = 0;
    this.#driverFeatures = 0n;
    this.#queueSel = 0;
    for (let i = 0; i < this.#queues.length; i++) this.#queues[i] = newQueue(this.backend?.queueNumMax ?? 0);
    this.lastError = undefined;
    this.backend?.reset();
  }

  #updateIrq(): void {
    const level = this.#interruptStatus !== 0;
    if (level !== this.#irqLevel) {
      this.#irqLevel = level;
      this.irq(level);
    }
  }
}
