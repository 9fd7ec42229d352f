import type { VirtioBackend } from './virtio-mmio.js';
import { VIRTIO_F_VERSION_1 } from './virtio-mmio.js';
import type { SplitVirtqueue, VirtqBuffer } from './virtqueue.js';
import { VirtqueueError } from './virtqueue.js';

// virtio 1.1 section 5.2.
export const VIRTIO_ID_BLOCK = 2;
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;

export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;

export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

export const SECTOR_SIZE = 512;
const HEADER_SIZE = 16;
const ID_BYTES = 20;

export interface VirtioBlkOptions {
  /** The disk image; written in place. Its length is rounded down to whole 512-byte sectors. */
  readonly disk: Uint8Array;
  readonly readOnly?: boolean;
  /** The serial string GET_ID returns (up to 20 bytes). */
  readonly serial?: string;
  /** Queue size offered (QueueNumMax); QEMU's default is 256. */
  readonly queueSize?: number;
}

/** Counts of served requests, for the run report. */
export interface VirtioBlkCounters {
  reads: number;
  writes: number;
  flushes: number;
  getIds: number;
  errors: number;
  bytesRead: number;
  bytesWritten: number;
}

/**
 * A virtio block device over an in-memory disk image: one request queue, read, write, flush and
 * get-id requests, the status byte as the last device-writable byte (section 5.2.6). DMA is
 * synchronous: a notify serves every available request before the MMIO write returns.
 */
export class VirtioBlk implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly queueCount = 1;
  readonly queueNumMax: number;
  readonly features: bigint;
  readonly disk: Uint8Array;
  readonly readOnly: boolean;
  readonly capacity: number;
  readonly counters: VirtioBlkCounters = { reads: 0, writes: 0, flushes: 0, getIds: 0, errors: 0, bytesRead: 0, bytesWritten: 0 };
  readonly #config: Uint8Array;
  readonly #id: Uint8Array;

  constructor(options: VirtioBlkOptions) {
    this.disk = options.disk;
    this.readOnly = options.readOnly ?? false;
    this.queueNumMax = options.queueSize ?? 256;
    this.capacity = Math.floor(options.disk.length / SECTOR_SIZE);
    let f = (1n << BigInt(VIRTIO_F_VERSION_1)) | (1n << BigInt(VIRTIO_BLK_F_SEG_MAX)) | (1n << BigInt(VIRTIO_BLK_F_BLK_SIZE)) | (1n << BigInt(VIRTIO_BLK_F_FLUSH));
    if (this.readOnly) f |= 1n << BigInt(VIRTIO_BLK_F_RO);
    this.features = f;
    // struct virtio_blk_config (section 5.2.4): capacity, size_max, seg_max, geometry, blk_size.
    this.#config = new Uint8Array(24);
    const view = new DataView(this.#config.buffer);
    view.setUint32(0, this.capacity % 2 ** 32, true);
    view.setUint32(4, Math.floor(this.capacity / 2 ** 32), true);
    view.setUint32(12, this.queueNumMax - 2, true); // seg_max, as QEMU computes it
    view.setUint32(20, SECTOR_SIZE, true);
    this.#id = new Uint8Array(ID_BYTES);
    this.#id.set(new TextEncoder().encode(options.serial ?? 'virtlab-disk0').subarray(0, ID_BYTES));
  }

  config(): Uint8Array {
    return this.#config;
  }

  reset(): void {}

  process(queue: SplitVirtqueue): boolean {
    let used = false;
    while (queue.hasAvailable()) {
      const { head, buffers } = queue.pop();
      queue.push(head, this.#serve(queue, buffers));
      used = true;
    }
    return used;
  }

  /**
   * Serves one request; returns the used length: every device-writable byte of the chain, status
   * included, whatever the outcome (QEMU's virtio_blk_req_complete pushes `in_len`).
   */
  #serve(queue: SplitVirtqueue, buffers: VirtqBuffer[]): number {
    const memory = queue.memory;
    const readable = buffers.filter((b) => !b.writable);
    const writable = buffers.filter((b) => b.writable);
    const writableBytes = writable.reduce((n, b) => n + b.length, 0);
    const readableBytes = readable.reduce((n, b) => n + b.length, 0);
    if (readableBytes < HEADER_SIZE || writableBytes < 1) {
      throw new VirtqueueError(`virtio-blk request without a 16-byte header and a status byte (${readableBytes} readable, ${writableBytes} writable bytes)`);
    }
    // With VIRTIO_F_VERSION_1 the layout is free (section 2.6.4): gather the readable stream.
    const input = new Uint8Array(readableBytes);
    let at = 0;
    for (const b of readable) {
      input.set(memory.readBytes(b.address, b.length), at);
      at += b.length;
    }
    const view = new DataView(input.buffer);
    const type = view.getUint32(0, true);
    const sector = view.getUint32(8, true) + view.getUint32(12, true) * 2 ** 32;
    const dataIn = writableBytes - 1; // bytes the device may write before the status byte
    let status = VIRTIO_BLK_S_OK;

    switch (type) {
      case VIRTIO_BLK_T_IN: {
        if (dataIn % SECTOR_SIZE !== 0 || sector + dataIn / SECTOR_SIZE > this.capacity) {
          status = VIRTIO_BLK_S_IOERR;
          break;
        }
        const start = sector * SECTOR_SIZE;
        scatter(queue, writable, this.disk.subarray(start, start + dataIn));
        this.counters.reads++;
        this.counters.bytesRead += dataIn;
        break;
      }
      case VIRTIO_BLK_T_OUT: {
        const data = input.subarray(HEADER_SIZE);
        if (this.readOnly || data.length % SECTOR_SIZE !== 0 || sector + data.length / SECTOR_SIZE > this.capacity) {
          status = VIRTIO_BLK_S_IOERR;
          break;
        }
        this.disk.set(data, sector * SECTOR_SIZE);
        this.counters.writes++;
        this.counters.bytesWritten += data.length;
        break;
      }
      case VIRTIO_BLK_T_FLUSH:
        this.counters.flushes++; // an in-memory image is always durable
        break;
      case VIRTIO_BLK_T_GET_ID: {
        const n = Math.min(ID_BYTES, dataIn);
        scatter(queue, writable, this.#id.subarray(0, n));
        this.counters.getIds++;
        break;
      }
      default:
        status = VIRTIO_BLK_S_UNSUPP;
    }
    if (status !== VIRTIO_BLK_S_OK) this.counters.errors++;
    const last = writable[writable.length - 1]!;
    memory.writeBytes(last.address + last.length - 1, Uint8Array.of(status));
    return writableBytes;
  }
}

/** Copies `data` into the device-writable buffers in order (DMA through the queue's guest memory window). */
function scatter(queue: SplitVirtqueue, writable: readonly VirtqBuffer[], data: Uint8Array): void {
  let at = 0;
  for (const b of writable) {
    if (at >= data.length) return;
    const n = Math.min(b.length, data.length - at);
    queue.memory.writeBytes(b.address, data.subarray(at, at + n));
    at += n;
  }
}
