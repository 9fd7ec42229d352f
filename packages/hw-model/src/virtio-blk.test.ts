import { describe, expect, it } from 'vitest';
import { Bus } from './bus.js';
import { MemoryWindowError, PhysicalWindow } from './physical-window.js';
import { VirtioBlk } from './virtio-blk.js';
import { VirtioMmio } from './virtio-mmio.js';

// Register offsets and values from virtio 1.1 section 4.2.2; rings from section 2.6.
const R = {
  magic: 0x000, version: 0x004, deviceId: 0x008, vendor: 0x00c, devFeatures: 0x010, devFeaturesSel: 0x014,
  drvFeatures: 0x020, drvFeaturesSel: 0x024, queueSel: 0x030, queueNumMax: 0x034, queueNum: 0x038,
  queueReady: 0x044, queueNotify: 0x050, intStatus: 0x060, intAck: 0x064, status: 0x070,
  descLo: 0x080, descHi: 0x084, driverLo: 0x090, driverHi: 0x094, deviceLo: 0x0a0, deviceHi: 0x0a4,
  configGeneration: 0x0fc, config: 0x100,
};
const RAM = 0x8000_0000;
const DESC = RAM + 0x1000, AVAIL = RAM + 0x2000, USED = RAM + 0x3000;
const HDR = RAM + 0x4000, DATA = RAM + 0x5000, STATUS = RAM + 0x6000;
const QSIZE = 8;
const F_NEXT = 1, F_WRITE = 2;

/**
 * A device and a driver. With `hostOffset`, the device belongs to a VM whose guest-physical RAM
 * (RAM.., 1 MiB) is host RAM at RAM + hostOffset: the driver writes guest addresses through the
 * window, as the guest would.
 */
function setup(diskSectors = 16, readOnly = false, hostOffset?: number) {
  const bus = new Bus(RAM, hostOffset === undefined ? 1 << 20 : 4 << 20);
  const mem = hostOffset === undefined ? PhysicalWindow.identity(bus) : new PhysicalWindow(bus, RAM, 1 << 20, RAM + hostOffset);
  const disk = new Uint8Array(diskSectors * 512);
  for (let i = 0; i < disk.length; i++) disk[i] = (i * 7 + (i >> 9)) & 0xff;
  const levels: boolean[] = [];
  const blk = new VirtioBlk({ disk, readOnly, serial: 'disk-under-test' });
  const dev = new VirtioMmio('virtio-blk0', hostOffset === undefined ? bus : mem, blk, (l) => levels.push(l));
  const r = (o: number) => dev.read(o, 4);
  const w = (o: number, v: number) => dev.write(o, v, 4);
  const u16 = (a: number, v: number) => mem.write(a, v, 2);
  const u32 = (a: number, v: number) => mem.write(a, v, 4);

  /** Driver initialization, section 3.1.1, and queue setup, section 4.2.3.2. */
  function init(acceptedHigh = 1 /* VIRTIO_F_VERSION_1 */) {
    w(R.status, 0);
    w(R.status, 1); // ACKNOWLEDGE
    w(R.status, 1 | 2); // DRIVER
    w(R.drvFeaturesSel, 1);
    w(R.drvFeatures, acceptedHigh);
    w(R.drvFeaturesSel, 0);
    w(R.drvFeatures, 1 << 9); // FLUSH
    w(R.status, 1 | 2 | 8); // FEATURES_OK
    if ((r(R.status) & 8) === 0) return false;
    w(R.queueSel, 0);
    w(R.queueNum, QSIZE);
    w(R.descLo, DESC); w(R.descHi, 0);
    w(R.driverLo, AVAIL); w(R.driverHi, 0);
    w(R.deviceLo, USED); w(R.deviceHi, 0);
    w(R.queueReady, 1);
    w(R.status, 1 | 2 | 8 | 4); // DRIVER_OK
    return true;
  }

  let availIdx = 0;
  /** Puts a 3-descriptor request (header, data, status) in the ring and notifies. */
  function request(type: number, sector: number, dataLength: number, dataWritable: boolean) {
    u32(HDR, type); u32(HDR + 4, 0); u32(HDR + 8, sector); u32(HDR + 12, 0);
    const d = (i: number, addr: number, len: number, flags: number, next: number) => {
      const at = DESC + 16 * i;
      u32(at, addr); u32(at + 4, 0); u32(at + 8, len); u16(at + 12, flags); u16(at + 14, next);
    };
    const base = (availIdx * 3) % QSIZE;
    const i0 = base, i1 = (base + 1) % QSIZE, i2 = (base + 2) % QSIZE;
    if (dataLength > 0) {
      d(i0, HDR, 16, F_NEXT, i1);
      d(i1, DATA, dataLength, F_NEXT | (dataWritable ? F_WRITE : 0), i2);
      d(i2, STATUS, 1, F_WRITE, 0);
    } else {
      d(i0, HDR, 16, F_NEXT, i2);
      d(i2, STATUS, 1, F_WRITE, 0);
    }
    mem.write(STATUS, 0xff, 1);
    u16(AVAIL + 4 + 2 * (availIdx % QSIZE), i0);
    availIdx++;
    u16(AVAIL + 2, availIdx);
    w(R.queueNotify, 0);
    return i0;
  }

  return { bus, mem, disk, blk, dev, r, w, init, request, levels };
}

describe('virtio-mmio transport', () => {
  it('identifies itself: magic "virt", version 2, block device id 2, vendor QEMU', () => {
    const { r } = setup();
    expect(r(R.magic)).toBe(0x74726976);
    expect(r(R.version)).toBe(2);
    expect(r(R.deviceId)).toBe(2);
    expect(r(R.vendor)).toBe(0x554d4551);
  });

  it('answers like an empty QEMU slot when no device is plugged in', () => {
    const bus = new Bus(RAM, 4096);
    const empty = new VirtioMmio('virtio-mmio1', bus, undefined);
    expect(empty.read(R.magic, 4)).toBe(0x74726976);
    expect(empty.read(R.version, 4)).toBe(2);
    expect(empty.read(R.deviceId, 4)).toBe(0);
    expect(empty.read(R.vendor, 4)).toBe(0x554d4551);
    expect(empty.read(1, 1)).toBe(0); // only whole registers answer, as in QEMU
    empty.write(R.status, 0xff, 4);
    expect(empty.read(R.status, 4)).toBe(0);
  });

  it('offers VERSION_1, FLUSH, BLK_SIZE and SEG_MAX in the selected feature words', () => {
    const { r, w } = setup();
    w(R.devFeaturesSel, 0);
    const low = r(R.devFeatures);
    expect(low & (1 << 9)).not.toBe(0); // VIRTIO_BLK_F_FLUSH
    expect(low & (1 << 6)).not.toBe(0); // VIRTIO_BLK_F_BLK_SIZE
    expect(low & (1 << 5)).toBe(0); // not read-only
    w(R.devFeaturesSel, 1);
    expect(r(R.devFeatures)).toBe(1); // bit 32: VIRTIO_F_VERSION_1
  });

  it('refuses FEATURES_OK when the driver does not accept VERSION_1 or asks for unoffered bits', () => {
    const a = setup();
    expect(a.init(0)).toBe(false);
    const b = setup();
    expect(b.init(1 | (1 << 3))).toBe(false); // bit 35 not offered
    const c = setup();
    expect(c.init()).toBe(true);
    expect(c.r(R.status)).toBe(15);
    expect(c.dev.driverFeatures).toBe((1n << 32n) | (1n << 9n));
  });

  it('shows capacity and blk_size in the config space (section 5.2.4)', () => {
    const { dev, r } = setup(16);
    expect(r(R.config)).toBe(16); // capacity low
    expect(r(R.config + 4)).toBe(0);
    expect(r(R.config + 20)).toBe(512); // blk_size
    expect(dev.read(R.config, 1)).toBe(16);
    expect(dev.read(R.magic, 2)).toBe(0); // registers need 32-bit reads (section 4.2.2.2)
  });

  it('reports the queue size limit and resets everything on a status write of 0', () => {
    const { r, w, init } = setup();
    expect(r(R.queueNumMax)).toBe(256);
    init();
    expect(r(R.queueReady)).toBe(1);
    w(R.status, 0);
    expect(r(R.status)).toBe(0);
    expect(r(R.queueReady)).toBe(0);
    w(R.queueSel, 1);
    expect(r(R.queueNumMax)).toBe(0); // only one queue
  });
});

describe('virtio-blk requests through a virtqueue in RAM', () => {
  it('reads sectors into guest memory, fills the used ring and raises the interrupt', () => {
    const { bus, disk, r, w, init, request, dev } = setup();
    init();
    const head = request(0 /* IN */, 2, 1024, true);
    expect(bus.readRam(DATA, 1024)).toEqual(disk.subarray(1024, 2048));
    expect(bus.read(STATUS, 1)).toBe(0); // VIRTIO_BLK_S_OK
    expect(bus.read(USED + 2, 2)).toBe(1); // used idx
    expect(bus.read(USED + 4, 4)).toBe(head); // used elem id
    expect(bus.read(USED + 8, 4)).toBe(1025); // data + status written
    expect(r(R.intStatus)).toBe(1);
    expect(dev.irqLevel).toBe(true);
    w(R.intAck, 1);
    expect(r(R.intStatus)).toBe(0);
    expect(dev.irqLevel).toBe(false);
  });

  it('writes guest memory to the disk image, and reads it back', () => {
    const { bus, disk, blk, init, request } = setup();
    init();
    const pattern = Uint8Array.from({ length: 512 }, (_, i) => (i ^ 0x5a) & 0xff);
    bus.writeRam(DATA, pattern);
    request(1 /* OUT */, 5, 512, false);
    expect(bus.read(STATUS, 1)).toBe(0);
    expect(disk.subarray(5 * 512, 6 * 512)).toEqual(pattern);
    expect(bus.read(USED + 8, 4)).toBe(1); // only the status byte written
    bus.writeRam(DATA, new Uint8Array(512));
    request(0, 5, 512, true);
    expect(bus.readRam(DATA, 512)).toEqual(pattern);
    expect(bus.read(USED + 2, 2)).toBe(2);
    expect(blk.counters).toMatchObject({ reads: 1, writes: 1, bytesRead: 512, bytesWritten: 512 });
  });

  it('serves flush and get-id, and answers unknown types with UNSUPP', () => {
    const { bus, init, request } = setup();
    init();
    request(4 /* FLUSH */, 0, 0, false);
    expect(bus.read(STATUS, 1)).toBe(0);
    request(8 /* GET_ID */, 0, 20, true);
    expect(bus.read(STATUS, 1)).toBe(0);
    expect(new TextDecoder().decode(bus.readRam(DATA, 15))).toBe('disk-under-test');
    expect(bus.read(DATA + 15, 1)).toBe(0);
    request(99, 0, 0, false);
    expect(bus.read(STATUS, 1)).toBe(2); // VIRTIO_BLK_S_UNSUPP
  });

  it('answers IOERR for reads past the end, partial sectors, and writes to a read-only disk', () => {
    const a = setup(4);
    a.init();
    a.request(0, 3, 1024, true);
    expect(a.bus.read(STATUS, 1)).toBe(1);
    a.request(0, 0, 100, true);
    expect(a.bus.read(STATUS, 1)).toBe(1);
    const b = setup(4, true);
    b.init();
    b.request(1, 0, 512, false);
    expect(b.bus.read(STATUS, 1)).toBe(1);
    expect(b.blk.counters.errors).toBe(1);
  });

  it('tells DMA to the RAM-write listeners so code caches stay coherent', () => {
    const { bus, init, request } = setup();
    const writes: [number, number][] = [];
    bus.onRamWrite((a, n) => writes.push([a, n]));
    init();
    request(0, 0, 512, true);
    expect(writes).toContainEqual([DATA, 512]);
  });

  it('sets DEVICE_NEEDS_RESET on a malformed chain instead of throwing', () => {
    const { bus, r, w, init } = setup();
    init();
    // A descriptor pointing outside RAM.
    bus.write(DESC, 0x1000, 4);
    bus.write(DESC + 8, 16, 4);
    bus.write(DESC + 12, 0, 2);
    bus.write(AVAIL + 4, 0, 2);
    bus.write(AVAIL + 2, 1, 2);
    expect(() => w(R.queueNotify, 0)).not.toThrow();
    expect(r(R.status) & 0x40).toBe(0x40);
    expect(r(R.intStatus) & 2).toBe(2);
  });

  it('survives garbage written to every register', () => {
    const { dev } = setup();
    for (let o = 0; o < 0x1000; o += 4) for (const v of [0xffffffff, 0, 0x80000000, 7]) expect(() => dev.write(o, v, 4)).not.toThrow();
    for (let o = 0; o < 0x1000; o++) expect(() => dev.read(o, 1)).not.toThrow();
  });
});

/** Index of the first byte where `a` and `b` differ, -1 when equal (fast on megabytes, unlike toEqual). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('virtio-blk in a VM window (guest-physical RAM at a host offset)', () => {
  const OFFSET = 2 << 20; // guest RAM 0x8000_0000.. is host RAM 0x8020_0000..

  it('DMA of a read lands at the host address of the guest buffer, and nowhere else', () => {
    const { bus, mem, disk, init, request } = setup(16, false, OFFSET);
    expect(init()).toBe(true);
    const before = bus.ram.slice();
    request(0 /* IN */, 2, 1024, true);
    expect(mem.read(STATUS, 1)).toBe(0);
    // Guest DATA is host DATA + OFFSET: sectors 2 and 3 of the disk are there.
    expect(bus.readRam(DATA + OFFSET, 1024)).toEqual(disk.subarray(1024, 2048));
    expect(mem.readBytes(DATA, 1024)).toEqual(disk.subarray(1024, 2048));
    // Host RAM outside the window is untouched (the first 2 MiB and the last MiB).
    expect(firstDifference(bus.ram.subarray(0, OFFSET), before.subarray(0, OFFSET))).toBe(-1);
    expect(firstDifference(bus.ram.subarray(OFFSET + (1 << 20)), before.subarray(OFFSET + (1 << 20)))).toBe(-1);
  });

  it('a descriptor pointing outside the window sets DEVICE_NEEDS_RESET and writes no host memory', () => {
    const { bus, mem, r, w, init, blk } = setup(16, false, OFFSET);
    init();
    // A read request whose data buffer is guest 0x8010_0000: just past the 1 MiB window, but in host RAM.
    mem.write(HDR, 0, 4); mem.write(HDR + 8, 0, 4);
    const d = (i: number, addr: number, len: number, flags: number, next: number) => {
      mem.write(DESC + 16 * i, addr, 4); mem.write(DESC + 16 * i + 4, 0, 4);
      mem.write(DESC + 16 * i + 8, len, 4); mem.write(DESC + 16 * i + 12, flags, 2); mem.write(DESC + 16 * i + 14, next, 2);
    };
    d(0, HDR, 16, F_NEXT, 1);
    d(1, RAM + (1 << 20), 512, F_NEXT | F_WRITE, 2);
    d(2, STATUS, 1, F_WRITE, 0);
    mem.write(AVAIL + 4, 0, 2);
    mem.write(AVAIL + 2, 1, 2);
    const before = bus.ram.slice();
    w(R.queueNotify, 0);
    expect(r(R.status) & 0x40).toBe(0x40);
    expect(blk.counters.reads).toBe(0);
    expect(firstDifference(bus.ram, before)).toBe(-1);
  });

  it('a window access outside its range is a MemoryWindowError naming the address and the window', () => {
    const bus = new Bus(RAM, 4 << 20);
    const mem = new PhysicalWindow(bus, RAM, 1 << 20, RAM + OFFSET);
    expect(() => mem.read(RAM + (1 << 20), 4)).toThrow(/read of 4 byte\(s\) at guest-physical 0x80100000 is outside the window 0x80000000\.\.0x80100000/);
    expect(() => mem.write(RAM - 1, 0, 1)).toThrow(MemoryWindowError);
    expect(() => mem.read(RAM + (1 << 20) - 2, 4)).toThrow(MemoryWindowError);
    expect(() => new PhysicalWindow(bus, 0, 1 << 20, RAM + (3 << 20) + 4096)).toThrow(/does not lie in RAM/);
    mem.write(RAM + 8, 0x11223344, 4);
    expect(bus.read(RAM + OFFSET + 8, 4)).toBe(0x11223344);
    expect(mem.hostAddress(RAM + 8)).toBe(RAM + OFFSET + 8);
    expect(mem.read(RAM + 9, 2)).toBe(0x2233);
  });

  it('window writes tell the RAM-write listeners the host address (caches of code drop it)', () => {
    const bus = new Bus(RAM, 4 << 20);
    const mem = new PhysicalWindow(bus, 0x1000, 0x2000, RAM + OFFSET);
    const writes: [number, number][] = [];
    bus.onRamWrite((a, n) => writes.push([a, n]));
    mem.write(0x1004, 7, 2);
    mem.writeBytes(0x2000, new Uint8Array(16));
    expect(writes).toEqual([[RAM + OFFSET + 4, 2], [RAM + OFFSET + 0x1000, 16]]);
  });
});
