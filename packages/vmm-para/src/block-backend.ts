/**
 * The block back end: a domain's disk image served through the shared ring its front end
 * connected (kernel/arch/para-blk.c; Xen's blkif, Barham et al. 2003 section 3.2). One
 * notification hands over every request produced since the last; the batch is served in
 * elevator order (C-SCAN from the last sector served, as a disk scheduler would), so responses can
 * come back in another order than the requests and the front end matches them by id. Each
 * request is checked before any byte moves: a known operation, 1-8 sectors inside the disk, a
 * buffer in the domain's own RAM — and, for a read, in no page-table frame (the data lands there).
 */
import type { GuestMemory } from '@virtlab/cpu-core';
import { BLK, ERR } from './abi.js';
import { ParaError } from './direct-paging.js';
import type { DirectPaging } from './direct-paging.js';

const SECTOR = 512;

interface Request {
  readonly id: number;
  readonly op: number;
  readonly sector: number;
  readonly nsect: number;
  readonly buf: number;
}

export interface BlockCounters {
  requests: number;
  reads: number;
  writes: number;
  refused: number;
  notifications: number;
  /** Responses written in another order than their requests. */
  reordered: number;
}

export class BlockBackend {
  #ring: number | undefined;
  #reqCons = 0;
  #rspProd = 0;
  #head = 0;
  readonly counters: BlockCounters = { requests: 0, reads: 0, writes: 0, refused: 0, notifications: 0, reordered: 0 };

  constructor(
    readonly domId: number,
    readonly disk: Uint8Array,
    readonly mem: GuestMemory,
    readonly paging: DirectPaging,
  ) {}

  get capacitySectors(): number {
    return Math.floor(this.disk.length / SECTOR);
  }

  /** `blk_connect`: the ring page (page-aligned, the domain's, no table). */
  connect(ring: number): void {
    const pa = ring >>> 0;
    if (pa % 4096 !== 0 || !this.paging.plainMemory(this.domId, pa, 4096)) {
      throw new ParaError(ERR.invalid_address, `blk_connect: ring page 0x${pa.toString(16)} is not a page of the domain's own, non-table RAM`);
    }
    this.#ring = pa;
    // Requests without a response yet are the back end's to serve (0 and 0 on a fresh ring).
    this.#rspProd = this.mem.read(pa + BLK.rspProd) >>> 0;
    this.#reqCons = this.#rspProd;
  }

  /** The front end's notification: serves every request produced since the last; returns how many. */
  serve(charge: (event: string, times?: number) => void): number {
    const ring = this.#ring;
    if (ring === undefined) throw new ParaError(ERR.invalid_param, 'evtchn_send: the block ring is not connected');
    if (!this.paging.plainMemory(this.domId, ring, 4096)) throw new ParaError(ERR.denied, 'evtchn_send: the block ring page is now a page table');
    const prod = this.mem.read(ring + BLK.reqProd) >>> 0;
    const avail = (prod - this.#reqCons) >>> 0;
    if (avail > BLK.ringSize) throw new ParaError(ERR.invalid_param, `evtchn_send: the front end claims ${avail} requests in a ring of ${BLK.ringSize}`);
    const batch: Request[] = [];
    for (let k = 0; k < avail; k++) {
      const at = ring + BLK.req + ((this.#reqCons + k) % BLK.ringSize) * BLK.reqSize;
      const w = (i: number) => this.mem.read(at + 4 * i) >>> 0;
      batch.push({ id: w(0), op: w(1), sector: w(3) * 2 ** 32 + w(2), nsect: w(4), buf: w(5) });
    }
    this.#reqCons = prod;
    // C-SCAN: upward from the head, then from the lowest sector.
    const order = [...batch].sort((a, b) => {
      const ka = a.sector >= this.#head ? a.sector : a.sector + 2 ** 53;
      const kb = b.sector >= this.#head ? b.sector : b.sector + 2 ** 53;
      return ka - kb;
    });
    order.forEach((rq, i) => {
      if (rq !== batch[i]) this.counters.reordered++;
      const status = this.#perform(rq);
      const at = ring + BLK.rsp + (this.#rspProd % BLK.ringSize) * BLK.rspSize;
      this.mem.write(at, rq.id);
      this.mem.write(at + 4, status);
      this.#rspProd = (this.#rspProd + 1) >>> 0;
    });
    this.mem.write(ring + BLK.rspProd, this.#rspProd);
    charge('para.ring.request', batch.length);
    this.counters.requests += batch.length;
    return batch.length;
  }

  #perform(rq: Request): number {
    const bytes = rq.nsect * SECTOR;
    let status: number = ERR.success;
    if (rq.op !== BLK.opRead && rq.op !== BLK.opWrite) status = ERR.invalid_param;
    else if (rq.nsect < 1 || rq.nsect > BLK.maxSectors) status = ERR.invalid_param;
    else if (rq.sector + rq.nsect > this.capacitySectors) status = ERR.invalid_param;
    else if (rq.op === BLK.opRead ? !this.paging.plainMemory(this.domId, rq.buf, bytes) : !this.paging.ownedMemory(this.domId, rq.buf, bytes)) status = ERR.invalid_address;
    if (status !== ERR.success) {
      this.counters.refused++;
      return status;
    }
    const off = rq.sector * SECTOR;
    if (rq.op === BLK.opRead) {
      this.mem.writeBytes(rq.buf, this.disk.subarray(off, off + bytes));
      this.counters.reads++;
    } else {
      this.disk.set(this.mem.readBytes(rq.buf, bytes), off);
      this.counters.writes++;
    }
    this.#head = rq.sector + rq.nsect;
    return status;
  }
}
